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
