//! The picture on the one-camera card-face step: lift the card from the reader, show its front to the
//! camera, put it back (issue 14). Drawn in code with egui's painter, so it scales with the screen's
//! density like the rest of the screens and needs no image file.

use crate::style::{Metrics, Palette};
use egui::{Color32, CornerRadius, Pos2, Rect, Stroke, StrokeKind, Vec2, pos2, vec2};

/// The reader's housing and the card's colours (the card is drawn as a plain front with a photo box).
const READER: Color32 = Color32::from_rgb(0x44, 0x4A, 0x52);
const CARD: Color32 = Color32::from_rgb(0xDC, 0xEB, 0xF7);
const PHOTO: Color32 = Color32::from_rgb(0x8C, 0xA0, 0xB4);
const DIM: Color32 = Color32::from_rgb(0x9A, 0x9A, 0x9A);

/// Which of the three steps the patient is on (0: lift, 1: show, 2: put back); it is drawn in the
/// guidance colour, the others in grey.
pub(crate) fn lift_show_return(ui: &mut egui::Ui, m: Metrics, current: usize, labels: [&str; 3]) {
    let panel = vec2(m.mm(56.0), m.mm(46.0));
    let gap = m.mm(6.0);
    let (rect, _) = ui.allocate_exact_size(vec2(panel.x * 3.0 + gap * 2.0, panel.y), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    for (step, label) in labels.iter().enumerate() {
        let min = rect.min + vec2((panel.x + gap) * step as f32, 0.0);
        let area = Rect::from_min_size(min, panel);
        let colour = if step == current { Palette::EMPHASIS } else { DIM };
        let width = m.mm(if step == current { 1.0 } else { 0.4 });
        painter.rect_stroke(
            area,
            CornerRadius::same(4),
            Stroke::new(width, colour),
            StrokeKind::Inside,
        );
        let scene = Rect::from_min_size(area.min, vec2(panel.x, panel.y * 0.75));
        match step {
            0 => lifted(&painter, m, scene, colour),
            1 => shown(&painter, m, scene, colour),
            _ => put_back(&painter, m, scene, colour),
        }
        painter.text(
            pos2(area.center().x, area.max.y - m.mm(5.0)),
            egui::Align2::CENTER_CENTER,
            format!("{} {label}", step + 1),
            egui::FontId::proportional(m.text_mm(3.8)),
            if step == current { Palette::TEXT } else { DIM },
        );
    }
}

/// The reader seen from the front: a flat box at the bottom of `scene`.
fn reader(painter: &egui::Painter, m: Metrics, scene: Rect) -> Rect {
    let r = Rect::from_center_size(
        pos2(scene.center().x, scene.max.y - m.mm(4.0)),
        vec2(scene.width() * 0.6, m.mm(6.0)),
    );
    painter.rect_filled(r, CornerRadius::same(3), READER);
    r
}

/// A card front (landscape) with its photo box at the right, centred on `centre`.
fn card(painter: &egui::Painter, m: Metrics, centre: Pos2, size: Vec2) {
    let r = Rect::from_center_size(centre, size);
    painter.rect_filled(r, CornerRadius::same(2), CARD);
    painter.rect_stroke(
        r,
        CornerRadius::same(2),
        Stroke::new(m.mm(0.3), READER),
        StrokeKind::Inside,
    );
    let photo = Rect::from_min_size(
        pos2(r.max.x - size.x * 0.32, r.min.y + size.y * 0.18),
        vec2(size.x * 0.24, size.y * 0.62),
    );
    painter.rect_filled(photo, CornerRadius::ZERO, PHOTO);
    for line in 0..3 {
        let y = r.min.y + size.y * (0.28 + 0.2 * line as f32);
        painter.line_segment(
            [pos2(r.min.x + size.x * 0.1, y), pos2(r.min.x + size.x * 0.55, y)],
            Stroke::new(m.mm(0.4), DIM),
        );
    }
}

/// An arrow from `from` to `to`.
fn arrow(painter: &egui::Painter, m: Metrics, from: Pos2, to: Pos2, colour: Color32) {
    painter.arrow(from, to - from, Stroke::new(m.mm(1.0), colour));
}

/// The card size in a panel: a card is 85.6 × 54 mm (ISO/IEC 7810 ID-1).
fn card_size(m: Metrics) -> Vec2 {
    vec2(m.mm(24.0), m.mm(24.0 * 54.0 / 85.6))
}

/// Step 1: the card lifted off the reader.
fn lifted(painter: &egui::Painter, m: Metrics, scene: Rect, colour: Color32) {
    let r = reader(painter, m, scene);
    let centre = pos2(scene.center().x - m.mm(4.0), r.min.y - m.mm(13.0));
    card(painter, m, centre, card_size(m));
    arrow(
        painter,
        m,
        pos2(scene.max.x - m.mm(9.0), r.min.y - m.mm(2.0)),
        pos2(scene.max.x - m.mm(9.0), r.min.y - m.mm(18.0)),
        colour,
    );
}

/// Step 2: the card's front held up to the camera above the screen.
fn shown(painter: &egui::Painter, m: Metrics, scene: Rect, colour: Color32) {
    let lens = pos2(scene.center().x, scene.min.y + m.mm(5.0));
    let body = Rect::from_center_size(lens, vec2(m.mm(12.0), m.mm(6.0)));
    painter.rect_filled(body, CornerRadius::same(2), READER);
    painter.circle_filled(lens, m.mm(2.0), Color32::BLACK);
    let centre = pos2(scene.center().x, scene.max.y - m.mm(8.0));
    card(painter, m, centre, card_size(m));
    arrow(
        painter,
        m,
        pos2(centre.x, centre.y - m.mm(9.0)),
        pos2(lens.x, body.max.y + m.mm(2.0)),
        colour,
    );
}

/// Step 3: the card put back on the reader.
fn put_back(painter: &egui::Painter, m: Metrics, scene: Rect, colour: Color32) {
    let r = reader(painter, m, scene);
    let size = card_size(m);
    card(painter, m, pos2(r.center().x, r.min.y - size.y / 2.0), size);
    arrow(
        painter,
        m,
        pos2(scene.max.x - m.mm(6.0), scene.min.y + m.mm(2.0)),
        pos2(scene.max.x - m.mm(6.0), r.min.y - m.mm(4.0)),
        colour,
    );
}

/// A check mark (✓) inside `r`, drawn (the font's ✓ is not relied on).
pub(crate) fn check_mark(painter: &egui::Painter, r: Rect, colour: Color32, width: f32) {
    let points = vec![
        pos2(r.min.x, r.center().y),
        pos2(r.min.x + r.width() * 0.38, r.max.y - r.height() * 0.1),
        pos2(r.max.x, r.min.y + r.height() * 0.1),
    ];
    painter.add(egui::Shape::line(points, Stroke::new(width, colour)));
}

/// A scene `height_mm` high, as wide as the column allows (at most twice its height).
fn scene(ui: &mut egui::Ui, m: Metrics, height_mm: f32) -> (egui::Painter, Rect) {
    let h = m.mm(height_mm);
    let w = ui.available_width().min(h * 2.0);
    let (rect, _) = ui.allocate_exact_size(vec2(w, h), egui::Sense::hover());
    (ui.painter_at(rect), rect)
}

/// The card lying face up on the reader, with an arrow down onto it: 「置いてください」.
pub(crate) fn card_on_reader(ui: &mut egui::Ui, m: Metrics, height_mm: f32) {
    let (painter, rect) = scene(ui, m, height_mm);
    let k = rect.height() / m.mm(40.0);
    let base = Rect::from_center_size(
        pos2(rect.center().x, rect.max.y - rect.height() * 0.2),
        vec2(rect.height() * 1.3, rect.height() * 0.22),
    );
    painter.rect_filled(base, CornerRadius::same(4), READER);
    let size = vec2(rect.height() * 0.95, rect.height() * 0.95 * 54.0 / 85.6);
    card(
        &painter,
        m,
        pos2(base.center().x, base.min.y - size.y * 0.45),
        size,
    );
    let x = base.max.x + m.mm(6.0) * k;
    arrow(
        &painter,
        m,
        pos2(x, rect.min.y + m.mm(2.0)),
        pos2(x, base.min.y - m.mm(2.0)),
        Palette::EMPHASIS,
    );
}

/// The kiosk's screen with its camera at the top, ringed, and a face looking at it: where to look.
pub(crate) fn camera_here(ui: &mut egui::Ui, m: Metrics, height_mm: f32) {
    let (painter, rect) = scene(ui, m, height_mm);
    let h = rect.height();
    let screen = Rect::from_center_size(
        pos2(rect.center().x - h * 0.35, rect.center().y),
        vec2(h * 0.9, h * 0.8),
    );
    painter.rect_filled(screen, CornerRadius::same(4), READER);
    painter.rect_filled(screen.shrink(h * 0.08), CornerRadius::same(2), CARD);
    let lens = pos2(screen.center().x, screen.min.y + h * 0.04);
    painter.circle_filled(lens, h * 0.03, Color32::BLACK);
    painter.circle_stroke(lens, h * 0.09, Stroke::new(m.mm(1.0), Palette::FACE_FRAME));
    // The face, to the right, looking up at the lens.
    let face = pos2(screen.max.x + h * 0.45, rect.center().y + h * 0.1);
    let r = h * 0.2;
    painter.circle_stroke(face, r, Stroke::new(m.mm(1.0), Palette::EMPHASIS));
    painter.circle_filled(
        pos2(face.x - r * 0.4, face.y - r * 0.2),
        r * 0.1,
        Palette::EMPHASIS,
    );
    painter.circle_filled(
        pos2(face.x + r * 0.2, face.y - r * 0.2),
        r * 0.1,
        Palette::EMPHASIS,
    );
    arrow(
        &painter,
        m,
        pos2(face.x - r * 1.1, face.y - r * 0.6),
        pos2(lens.x + h * 0.12, lens.y + h * 0.04),
        Palette::EMPHASIS,
    );
}

/// A member of staff: someone will come (counter, staff check, reader trouble).
pub(crate) fn staff(ui: &mut egui::Ui, m: Metrics, height_mm: f32) {
    let (painter, rect) = scene(ui, m, height_mm);
    let h = rect.height();
    let c = pos2(rect.center().x, rect.min.y + h * 0.3);
    painter.circle_filled(c, h * 0.17, PHOTO);
    let body = Rect::from_min_max(
        pos2(c.x - h * 0.3, c.y + h * 0.22),
        pos2(c.x + h * 0.3, rect.max.y),
    );
    painter.rect_filled(body, CornerRadius::same(8), PHOTO);
    let badge = Rect::from_center_size(
        pos2(c.x + h * 0.13, body.min.y + h * 0.2),
        vec2(h * 0.16, h * 0.1),
    );
    painter.rect_filled(badge, CornerRadius::same(1), Palette::BACKGROUND);
    painter.rect_stroke(
        badge,
        CornerRadius::same(1),
        Stroke::new(m.mm(0.4), READER),
        StrokeKind::Inside,
    );
}

/// A sheet with three lines, each with a box: the consent choices.
pub(crate) fn document(ui: &mut egui::Ui, m: Metrics, height_mm: f32) {
    let (painter, rect) = scene(ui, m, height_mm);
    let h = rect.height();
    let sheet = Rect::from_center_size(rect.center(), vec2(h * 0.75, h * 0.95));
    painter.rect_filled(sheet, CornerRadius::same(2), Palette::BACKGROUND);
    painter.rect_stroke(
        sheet,
        CornerRadius::same(2),
        Stroke::new(m.mm(0.6), READER),
        StrokeKind::Inside,
    );
    for i in 0..3 {
        let y = sheet.min.y + h * (0.25 + 0.25 * i as f32);
        let boxr = Rect::from_center_size(pos2(sheet.min.x + h * 0.14, y), Vec2::splat(h * 0.12));
        painter.rect_stroke(
            boxr,
            CornerRadius::ZERO,
            Stroke::new(m.mm(0.6), Palette::BUTTON),
            StrokeKind::Inside,
        );
        check_mark(&painter, boxr.shrink(h * 0.02), Palette::EMPHASIS, m.mm(0.9));
        painter.line_segment(
            [pos2(boxr.max.x + h * 0.06, y), pos2(sheet.max.x - h * 0.08, y)],
            Stroke::new(m.mm(0.6), DIM),
        );
    }
}

/// A large green circle with a check: done.
pub(crate) fn done(ui: &mut egui::Ui, m: Metrics, height_mm: f32) {
    let (painter, rect) = scene(ui, m, height_mm);
    let r = rect.height() * 0.45;
    painter.circle_filled(rect.center(), r, Palette::EMPHASIS);
    check_mark(
        &painter,
        Rect::from_center_size(rect.center(), Vec2::splat(r)),
        Palette::BACKGROUND,
        m.mm(2.5),
    );
}
