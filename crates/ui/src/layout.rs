//! The frame every screen sits in, and how text and buttons are laid out in it.
//!
//! The frame: the top bar (title, language, 「係員を呼ぶ」), the step bar (カード → 本人確認 → 同意 →
//! 完了) on the patient's screens, the help and time-out notices, then the screen in two columns in
//! landscape (what to know on the left, what to do on the right) or one in portrait, and at the bottom
//! what taking the card does, between the ways out: 「戻る」 on the left and 「受付をやめる」 on the right,
//! where the screen offers them (`Screen::ways`, the same table the flow obeys), greyed with the reason
//! while something is in flight.
//!
//! Sizes are the design's millimetres on a 280 × 175 mm canvas (175 × 280 in portrait), scaled to fill
//! the window, so the same screen fills 1024×600 and 1920×1080. Should a screen still not fit (a long
//! text in a small window), its scale shrinks a little each frame until it does; what still does not
//! fit is reported by [`KioskUi::layout_issues`].
//!
//! Every text is broken into rows by [`crate::typeset`] (never inside a word, never a closing mark
//! first or an opening one last), each row laid out unwrapped: egui's own wrapping would break Japanese
//! anywhere.

use crate::style::{Metrics, Palette};
use crate::text::Text;
use crate::typeset::{self, BreakProblem};
use crate::{KioskUi, Look, View};
use egui::{
    Align, Color32, FontFamily, FontId, Layout, Pos2, Rect, Sense, Stroke, StrokeKind, UiBuilder, Vec2, pos2,
    vec2,
};
use kiosk_screens::{Busy, Input, Lang, Press, Screen, Way, Ways};
use std::sync::Arc;

/// The design canvas in millimetres, landscape.
const CANVAS: Vec2 = Vec2::new(280.0, 175.0);
/// The smallest scale a screen shrinks to before its overflow is reported instead.
const MIN_FIT: f32 = 0.6;

/// Something on a screen that does not fit or breaks badly.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutIssue {
    /// A text's rows break a rule of Japanese line breaking (or a word had to be broken).
    BadBreak { text: String, problem: BreakProblem },
    /// A text or a button is wider than its box.
    TooWide { text: String },
    /// The screen's content is taller or wider than the window.
    OffScreen { what: &'static str, by: Vec2 },
}

impl std::fmt::Display for LayoutIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutIssue::BadBreak { text, problem } => write!(f, "bad break in 「{text}」: {problem:?}"),
            LayoutIssue::TooWide { text } => write!(f, "wider than its box: 「{text}」"),
            LayoutIssue::OffScreen { what, by } => write!(f, "{what} off the screen by {by:?}"),
        }
    }
}

/// The screen's two columns: what to know, and what to do (the same column in portrait).
pub(crate) struct Panes {
    info: egui::Ui,
    act: Option<egui::Ui>,
}

impl Panes {
    pub(crate) fn info(&mut self) -> &mut egui::Ui {
        &mut self.info
    }
    pub(crate) fn act(&mut self) -> &mut egui::Ui {
        self.act.as_mut().unwrap_or(&mut self.info)
    }
}

/// Where a screen is in the patient's four steps; `None` for staff screens and the counter's dead end.
fn step_of(screen: &Screen) -> Option<usize> {
    Some(match screen {
        Screen::Idle
        | Screen::Reading
        | Screen::NotMyNumberCard
        | Screen::CardUnreadable
        | Screen::ReaderProblem
        | Screen::PhoneGuide { .. }
        | Screen::PhoneNotConfirmed
        | Screen::PhoneRemovedEarly
        | Screen::CertificateExpiring { .. }
        | Screen::CertificateExpiredGrace { .. } => 0,
        Screen::MethodChoice { .. }
        | Screen::CardFace { .. }
        | Screen::FaceMatching { .. }
        | Screen::FaceFailed { .. }
        | Screen::NoPhotoPinOnly
        | Screen::PinEntry { .. }
        | Screen::PinBlocked { .. }
        | Screen::PhonePin { .. }
        | Screen::PhonePinBlocked
        | Screen::StaffWaiting { .. } => 1,
        Screen::CheckingEligibility
        | Screen::RegistrationOffer
        | Screen::Registered
        | Screen::EligibilityProblem(_)
        | Screen::NoSharingInfo
        | Screen::ConsentStart
        | Screen::ConsentItems { .. }
        | Screen::ConsentReview { .. }
        | Screen::Prescription => 2,
        Screen::Saving | Screen::Done { .. } => 3,
        Screen::StaffLogin { .. } | Screen::StaffCheck { .. } | Screen::Counter { .. } | Screen::Stopped => {
            return None;
        }
    })
}

/// Screens with something to press or a live picture: they get a second column in landscape.
fn has_actions(screen: &Screen) -> bool {
    !matches!(
        screen,
        Screen::Reading
            | Screen::NotMyNumberCard
            | Screen::CardUnreadable
            | Screen::ReaderProblem
            | Screen::PhonePinBlocked
            | Screen::PhoneNotConfirmed
            | Screen::StaffWaiting { .. }
            | Screen::CheckingEligibility
            | Screen::EligibilityProblem(_)
            | Screen::Saving
            | Screen::Done { .. }
            | Screen::Counter { .. }
            | Screen::Stopped
    )
}

/// The bottom band of a screen: where its ways out are drawn (the middle, with what taking the card does
/// and why a way is greyed, is painted when the band is laid out).
struct Band {
    back: Rect,
    stop: Rect,
    /// The height of the buttons' row inside `back` and `stop` (they sit centred in it).
    button_h: f32,
}

/// Why a way out is greyed, when one is.
fn busy_text(ways: Ways) -> Option<Text> {
    let busy = match (ways.back, ways.stop) {
        (Way::Busy(b), _) | (_, Way::Busy(b)) => b,
        _ => return None,
    };
    Some(match busy {
        Busy::Card => Text::BusyCard,
        Busy::Face => Text::BusyFace,
        Busy::Pin => Text::BusyPin,
    })
}

/// What a screen's shrink factor was found for: a new screen, language, window size or notice starts
/// again at full scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FitFor {
    screen: &'static str,
    lang: Lang,
    size: Vec2,
    help: bool,
    timeout: bool,
}

impl KioskUi {
    /// Draw the screen for `view` and return what was pressed.
    pub fn show(&mut self, ui: &mut egui::Ui, view: &View<'_>) -> Vec<Input> {
        let mut out = Vec::new();
        if self.last_screen != view.screen.kind() {
            if !matches!(view.screen, Screen::PinEntry { .. } | Screen::StaffLogin { .. }) {
                self.clear_pin();
            }
            self.last_screen = view.screen.kind();
            // The flow moved on (time-out, card taken): show where it is, not the picker.
            self.picker_open = false;
        }
        self.fonts.prepare(ui.ctx(), view.lang, self.picker_open);
        if !self.fonts.drawable(ui.ctx(), view.lang, false) {
            // The fonts for this language were just read: they draw from the next pass (a frame).
            return out;
        }
        self.issues.borrow_mut().clear();
        let full = ui.available_rect_before_wrap();
        self.fit_to(full, view);
        let m = self.metrics;
        ui.style_mut().visuals.override_text_color = Some(Palette::TEXT);
        ui.style_mut().spacing.item_spacing = Vec2::splat(m.mm(2.5).round());
        if self.top_and_picker(ui, view, &mut out) {
            return out;
        }
        if let Some(step) = step_of(view.screen) {
            self.step_bar(ui, view.lang, step);
        }
        if view.help_requested {
            self.help(ui, view.lang, &mut out);
        }
        if let Some(left) = view.timeout_left {
            self.timeout_warning(ui, view, left, &mut out);
        }
        let mut area = ui.available_rect_before_wrap();
        let ways = view.screen.ways();
        let band = self.bottom_band(ui, area, view.screen, view.lang, ways);
        if let Some((top, _)) = &band {
            area.max.y = top - m.mm(1.0);
        }
        let landscape = full.width() >= full.height();
        let gap = m.mm(8.0);
        let (info_rect, act_rect) = if landscape && has_actions(view.screen) {
            let x = area.min.x + area.width() * 0.54;
            (
                area.with_max_x(x - gap / 2.0),
                Some(area.with_min_x(x + gap / 2.0)),
            )
        } else {
            (area, None)
        };
        let child = |ui: &mut egui::Ui, rect: Rect, align: Align, id: &str| {
            let mut c = ui.new_child(
                UiBuilder::new()
                    .id_salt(id)
                    .max_rect(rect)
                    .layout(Layout::top_down(align)),
            );
            c.set_clip_rect(rect.intersect(ui.clip_rect()));
            c
        };
        // Paragraphs read from the left beside the actions; alone in a column, everything is centred.
        let info_align = if act_rect.is_some() {
            Align::Min
        } else {
            Align::Center
        };
        let mut panes = Panes {
            info: child(ui, info_rect, info_align, "info"),
            act: act_rect.map(|r| child(ui, r, Align::Center, "act")),
        };
        panes.info.add_space(m.mm(2.0));
        if let Some(act) = panes.act.as_mut() {
            act.add_space(m.mm(2.0));
        }
        self.screen(&mut panes, view, &mut out);
        // After the screen's own choices, so the keypad reaches them after those (and before the top bar).
        if let Some((_, Some(band))) = &band {
            self.ways_buttons(ui, band, view.lang, ways, &mut out);
        }
        ui.advance_cursor_after_rect(area);
        self.check_fit(ui, &panes, (info_rect, act_rect), view);
        self.keypad.finish(ui.ctx());
        out
    }

    /// The keypad's keys for this frame, the top bar, and the language picker when it is open (then
    /// the whole screen: returns true).
    fn top_and_picker(&mut self, ui: &mut egui::Ui, view: &View<'_>, out: &mut Vec<Input>) -> bool {
        if self.keypad.begin(ui, view.screen.kind()).staff_call && !view.help_requested {
            out.push(Input::Press(Press::HelpPressed));
        }
        self.keypad.top_bar(true);
        if self.top_bar(ui, view.lang, out) {
            self.picker_open = !self.picker_open;
        }
        self.keypad.top_bar(false);
        // Opened in this pass: the fonts for the languages' names are read now and draw from the next.
        self.fonts.prepare(ui.ctx(), view.lang, self.picker_open);
        if self.picker_open && self.fonts.drawable(ui.ctx(), view.lang, true) {
            ui.vertical_centered(|ui| self.language_picker(ui, view.lang, out));
            self.keypad.finish(ui.ctx());
            return true;
        }
        false
    }

    /// The frame's sizes: the design scaled to the window `full`, times the shrink factor of this screen
    /// (reset to 1 for a new screen, language, window or notice).
    fn fit_to(&mut self, full: Rect, view: &View<'_>) {
        let key = FitFor {
            screen: view.screen.kind(),
            lang: view.lang,
            size: full.size(),
            help: view.help_requested,
            timeout: view.timeout_left.is_some(),
        };
        if self.fit_for != Some(key) {
            self.fit_for = Some(key);
            self.fit = 1.0;
        }
        let canvas = if full.width() >= full.height() {
            CANVAS
        } else {
            vec2(CANVAS.y, CANVAS.x)
        };
        let ppm = (full.width() / canvas.x).min(full.height() / canvas.y) * self.fit;
        self.metrics = Metrics { points_per_mm: ppm };
    }

    /// Record content beyond its column, and shrink the next frame while anything does not fit.
    fn check_fit(
        &mut self,
        ui: &egui::Ui,
        panes: &Panes,
        (info_rect, act_rect): (Rect, Option<Rect>),
        view: &View<'_>,
    ) {
        let mut off = Vec2::ZERO;
        for (pane, rect) in [
            (Some(&panes.info), info_rect),
            (panes.act.as_ref(), act_rect.unwrap_or(info_rect)),
        ] {
            if let Some(pane) = pane {
                let used = pane.min_rect();
                off = off.max(vec2(used.max.x - rect.max.x, used.max.y - rect.max.y));
            }
        }
        let too_wide = self
            .issues
            .borrow()
            .iter()
            .any(|i| !matches!(i, LayoutIssue::OffScreen { .. }));
        if off.x > 0.5 || off.y > 0.5 {
            self.issues.borrow_mut().push(LayoutIssue::OffScreen {
                what: view.screen.kind(),
                by: off,
            });
        }
        // Shrink and draw again while something does not fit, down to a floor.
        if (off.x > 0.5 || off.y > 0.5 || too_wide) && self.fit > MIN_FIT {
            self.fit = (self.fit * 0.93).max(MIN_FIT);
            ui.ctx().request_discard("the screen did not fit");
            ui.ctx().request_repaint();
        }
    }

    /// Title, language and help, on every screen.
    /// Returns whether the language button was pressed (it opens or closes the language picker).
    fn top_bar(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) -> bool {
        let m = self.metrics;
        let full = ui.available_width();
        let pressed = ui.horizontal(|ui| {
            let button_w = m.mm(46.0).min(full * 0.3);
            let title_w = (full - 2.0 * button_w - 2.0 * m.mm(2.5)).max(m.mm(10.0));
            ui.scope_builder(UiBuilder::new().layout(Layout::top_down(Align::Min)), |ui| {
                ui.set_width(title_w);
                ui.set_max_width(title_w);
                self.text(ui, self.t(l, Text::AppTitle), 4.2, Palette::TEXT, true)
            });
            let language = self
                .button_look(ui, self.t(l, Text::CommonLanguage), Look::Quiet, button_w)
                .clicked();
            if self
                .button_look(ui, self.t(l, Text::CommonHelp), Look::Choice, button_w)
                .clicked()
            {
                out.push(Input::Press(Press::HelpPressed));
            }
            language
        });
        ui.separator();
        pressed.inner
    }

    /// カード → 本人確認 → 同意 → 完了, with the current step filled and the ones done ticked.
    fn step_bar(&self, ui: &mut egui::Ui, l: Lang, current: usize) {
        let m = self.metrics;
        let (rect, response) = ui.allocate_exact_size(
            vec2(ui.available_width().floor(), m.mm(12.0).round()),
            Sense::hover(),
        );
        let painter = ui.painter_at(rect);
        let labels = [
            Text::StepCard,
            Text::StepIdentity,
            Text::StepConsent,
            Text::StepDone,
        ]
        .map(|t| self.t(l, t));
        let cell = rect.width() / 4.0;
        let font = FontId::new(m.text_mm(3.6), FontFamily::Name("bold".into()));
        for (i, label) in labels.iter().enumerate() {
            let r = Rect::from_min_size(
                pos2(rect.min.x + cell * i as f32, rect.min.y),
                vec2(cell, rect.height()),
            );
            let shape = r.shrink2(vec2(m.mm(3.0), m.mm(1.0)));
            let (fill, text_colour) = match i.cmp(&current) {
                std::cmp::Ordering::Less => (Palette::DONE_STEP, Palette::ON_BUTTON),
                std::cmp::Ordering::Equal => (Palette::BUTTON, Palette::ON_BUTTON),
                std::cmp::Ordering::Greater => (Palette::FUTURE_STEP, Palette::TEXT),
            };
            painter.rect_filled(shape, m.mm(2.0), fill);
            // The arrow to the next step.
            if i < 3 {
                let tip = pos2(r.max.x + m.mm(1.5), r.center().y);
                painter.add(egui::Shape::convex_polygon(
                    vec![
                        pos2(r.max.x - m.mm(3.0), r.center().y - m.mm(3.0)),
                        tip,
                        pos2(r.max.x - m.mm(3.0), r.center().y + m.mm(3.0)),
                    ],
                    Palette::TEXT,
                    Stroke::NONE,
                ));
            }
            // The step's number in a circle (a check mark once done), then its name.
            let r = shape.height() * 0.36;
            let circle = pos2(shape.min.x + m.mm(2.0) + r, shape.center().y);
            painter.circle_filled(circle, r, text_colour);
            if i < current {
                crate::picture::check_mark(
                    &painter,
                    Rect::from_center_size(circle, Vec2::splat(r)),
                    fill,
                    m.mm(0.7),
                );
            } else {
                let n = painter.layout_no_wrap((i + 1).to_string(), font.clone(), fill);
                painter.galley(circle - n.size() / 2.0, n, fill);
            }
            let label_rect = shape.with_min_x(circle.x + r + m.mm(1.5));
            let galley = painter.layout_no_wrap((*label).to_owned(), font.clone(), text_colour);
            if galley.size().x > label_rect.width() {
                self.issues.borrow_mut().push(LayoutIssue::TooWide {
                    text: (*label).to_owned(),
                });
            }
            painter.galley(
                pos2(
                    label_rect.center().x - galley.size().x / 2.0,
                    label_rect.center().y - galley.size().y / 2.0,
                ),
                galley,
                text_colour,
            );
        }
        let spoken = format!("{}/4 {}", current + 1, labels[current]);
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &spoken));
    }

    /// The band at the bottom of `area`: 「戻る」 on the left and 「受付をやめる」 on the right where the
    /// screen offers them (`Screen::ways`), and between them what taking the card does and, while a way
    /// is greyed, why. The middle is painted now; the buttons' places are returned for
    /// [`KioskUi::ways_buttons`], with the band's top. `None` when the screen has none of these.
    fn bottom_band(
        &self,
        ui: &mut egui::Ui,
        area: Rect,
        screen: &Screen,
        l: Lang,
        ways: Ways,
    ) -> Option<(f32, Option<Band>)> {
        let m = self.metrics;
        let hint = screen.card_in_use().then(|| self.t(l, Text::CommonStopHint));
        let has_ways = ways.back != Way::Absent || ways.stop != Way::Absent;
        if hint.is_none() && !has_ways {
            return None;
        }
        let (button_w, gap) = if has_ways {
            (m.mm(50.0).min(area.width() * 0.3), m.mm(2.5))
        } else {
            (0.0, 0.0)
        };
        let middle_w = area.width() - 2.0 * (button_w + gap);
        let labels = [Text::CommonBack, Text::CommonStop].map(|t| self.t(l, t));
        let button_h = if has_ways {
            labels
                .iter()
                .map(|label| self.button_height(ui, label, button_w))
                .fold(0.0, f32::max)
        } else {
            0.0
        };
        let bold = FontId::new(m.text_mm(4.0), FontFamily::Name("bold".into()));
        let plain = FontId::new(m.text_mm(3.8), FontFamily::Proportional);
        let texts: Vec<(&str, &FontId, Color32)> = hint
            .map(|h| (h, &bold, Palette::WARNING))
            .into_iter()
            .chain(busy_text(ways).map(|t| (self.t(l, t), &plain, Palette::TEXT)))
            .collect();
        let laid: Vec<_> = texts
            .iter()
            .map(|&(text, font, colour)| {
                let (rows, h) = self.typeset(ui, text, middle_w - m.mm(4.0), font, colour);
                (text, rows, h, colour)
            })
            .collect();
        let text_h: f32 = laid.iter().map(|(_, _, h, _)| h).sum();
        let middle_h = if laid.is_empty() { 0.0 } else { text_h + m.mm(3.0) };
        let height = middle_h.max(button_h);
        let rect = Rect::from_min_max(pos2(area.min.x, area.max.y - height), area.max);
        let middle = Rect::from_min_max(
            pos2(rect.min.x + button_w + gap, rect.min.y),
            pos2(rect.max.x - button_w - gap, rect.max.y),
        );
        if !laid.is_empty() {
            ui.painter().rect_filled(middle, m.mm(1.5), Palette::FOOTER);
            let mut y = middle.center().y - text_h / 2.0;
            for (i, (text, rows, h, colour)) in laid.into_iter().enumerate() {
                let r = Rect::from_min_max(
                    pos2(middle.min.x + m.mm(2.0), y),
                    pos2(middle.max.x - m.mm(2.0), y + h),
                );
                self.paint_rows(ui, r, rows, Align::Center, colour);
                let response = ui.interact(r, ui.scope_id().with(("footer", i)), Sense::hover());
                let clean = typeset::clean(text);
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &clean));
                y += h;
            }
        }
        let band = has_ways.then(|| Band {
            back: Rect::from_min_max(rect.min, pos2(rect.min.x + button_w, rect.max.y)),
            stop: Rect::from_min_max(pos2(rect.max.x - button_w, rect.min.y), rect.max),
            button_h,
        });
        Some((rect.min.y, band))
    }

    /// 「戻る」 and 「受付をやめる」 in their places of the bottom band: outlined (the quieter way, as
    /// staff help), or greyed while something is in flight (never pressed then, by touch or keypad).
    fn ways_buttons(&self, ui: &mut egui::Ui, band: &Band, l: Lang, ways: Ways, out: &mut Vec<Input>) {
        for (way, rect, text, press) in [
            (ways.back, band.back, Text::CommonBack, Press::Back),
            (ways.stop, band.stop, Text::CommonStop, Press::Stop),
        ] {
            let look = match way {
                Way::Absent => continue,
                Way::Open => Look::Quiet,
                Way::Busy(_) => Look::Disabled,
            };
            let mut child = ui.new_child(
                UiBuilder::new()
                    .id_salt(text.key())
                    .max_rect(rect)
                    .layout(Layout::top_down(Align::Center)),
            );
            child.add_space(((rect.height() - band.button_h) / 2.0).max(0.0));
            let label = self.t(l, text);
            if self.button_look(&mut child, label, look, rect.width()).clicked() {
                out.push(Input::Press(press));
            }
        }
    }

    /// How tall [`KioskUi::button_look`] draws a button labelled `text`, `width` wide (measured only: a
    /// bad break is reported when it is drawn).
    fn button_height(&self, ui: &egui::Ui, text: &str, width: f32) -> f32 {
        let m = self.metrics;
        let pad = m.mm(2.5);
        let font = FontId::new(m.text_mm(5.0), FontFamily::Name("bold".into()));
        let painter = ui.painter();
        let rows = typeset::break_rows(text, (width - 2.0 * pad).max(1.0), &mut |s: &str| {
            painter
                .layout_no_wrap(s.to_owned(), font.clone(), Palette::TEXT)
                .size()
                .x
        });
        let text_h = rows.rows.len() as f32 * self.row_height(&font);
        (text_h + 2.0 * pad).max(m.mm(15.0)).ceil()
    }

    /// Staff were called: above the screen until the patient closes it.
    fn help(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        self.notice(ui, l, Text::HelpTitle, Text::HelpBody);
        if self.button(ui, self.t(l, Text::HelpClose), true).clicked() {
            out.push(Input::Press(Press::HelpDismissed));
        }
        ui.separator();
    }

    /// The time-out warning with the seconds `left`, above the screen.
    fn timeout_warning(&self, ui: &mut egui::Ui, view: &View<'_>, left: i64, out: &mut Vec<Input>) {
        let l = view.lang;
        self.text(ui, self.t(l, Text::TimeoutTitle), 6.0, Palette::WARNING, true);
        self.warning(
            ui,
            &self.t(l, Text::TimeoutBody).replace("{n}", &left.to_string()),
        );
        if view.more_time_available && self.button(ui, self.t(l, Text::TimeoutMore), true).clicked() {
            out.push(Input::Press(Press::MoreTime));
        }
        ui.separator();
    }

    /// Break `text` into rows for `width` and lay each out; records bad breaks. Returns the rows and
    /// their height.
    fn typeset(
        &self,
        ui: &egui::Ui,
        text: &str,
        width: f32,
        font: &FontId,
        colour: Color32,
    ) -> (Vec<Arc<egui::Galley>>, f32) {
        let painter = ui.painter();
        let rows = typeset::break_rows(text, width.max(1.0), &mut |s: &str| {
            painter
                .layout_no_wrap(s.to_owned(), font.clone(), colour)
                .size()
                .x
        });
        let mut issues = self.issues.borrow_mut();
        for problem in typeset::check_rows(text, &rows.rows) {
            issues.push(LayoutIssue::BadBreak {
                text: typeset::clean(text),
                problem,
            });
        }
        let galleys: Vec<Arc<egui::Galley>> = rows
            .rows
            .into_iter()
            .map(|r| painter.layout_no_wrap(r, font.clone(), colour))
            .collect();
        if rows.overflow || galleys.iter().any(|g| g.size().x > width + 0.5) {
            issues.push(LayoutIssue::TooWide {
                text: typeset::clean(text),
            });
        }
        let height = galleys.len() as f32 * self.row_height(font);
        (galleys, height)
    }

    /// Row pitch: 1.3 of the font size, roomier than egui's for Japanese.
    fn row_height(&self, font: &FontId) -> f32 {
        font.size * 1.3
    }

    fn paint_rows(
        &self,
        ui: &egui::Ui,
        rect: Rect,
        rows: Vec<Arc<egui::Galley>>,
        align: Align,
        colour: Color32,
    ) {
        let font_pitch = rect.height() / rows.len().max(1) as f32;
        for (i, g) in rows.into_iter().enumerate() {
            let x = match align {
                Align::Min => rect.min.x,
                Align::Center => rect.center().x - g.size().x / 2.0,
                Align::Max => rect.max.x - g.size().x,
            };
            let y = rect.min.y + font_pitch * i as f32 + (font_pitch - g.size().y) / 2.0;
            ui.painter().galley(Pos2::new(x, y), g, colour);
        }
    }

    /// A text of cap height `mm`, broken into rows for the column's width (see [`crate::typeset`]),
    /// aligned as the column is. Screen readers and tests read it whole, without break markers.
    pub(crate) fn text(
        &self,
        ui: &mut egui::Ui,
        text: &str,
        mm: f32,
        colour: Color32,
        bold: bool,
    ) -> egui::Response {
        let family = if bold {
            FontFamily::Name("bold".into())
        } else {
            FontFamily::Proportional
        };
        let font = FontId::new(self.metrics.text_mm(mm), family);
        let width = ui.available_width();
        let (rows, height) = self.typeset(ui, text, width, &font, colour);
        let widest = rows.iter().map(|g| g.size().x).fold(0.0, f32::max);
        let (rect, response) = ui.allocate_exact_size(vec2(widest.ceil(), height.ceil()), Sense::hover());
        let align = ui.layout().horizontal_align();
        self.paint_rows(ui, rect, rows, align, colour);
        let clean = typeset::clean(text);
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &clean));
        response
    }

    /// A button `width` wide and at least 15 mm high, its label broken into rows like every text.
    pub(crate) fn button_look(
        &self,
        ui: &mut egui::Ui,
        text: &str,
        look: Look,
        width: f32,
    ) -> egui::Response {
        let m = self.metrics;
        let pad = m.mm(2.5);
        let check = matches!(look, Look::Answer(true));
        let mark_w = if check { m.mm(9.0) } else { 0.0 };
        let font = FontId::new(m.text_mm(5.0), FontFamily::Name("bold".into()));
        let (fill, stroke, colour) = match look {
            Look::Choice | Look::Answer(true) => (Palette::BUTTON, Palette::BUTTON, Palette::ON_BUTTON),
            Look::Answer(false) | Look::Quiet => (Palette::BACKGROUND, Palette::BUTTON, Palette::BUTTON),
            Look::Disabled => (Palette::DISABLED, Palette::DISABLED, Palette::TEXT),
        };
        let (rows, text_h) = self.typeset(ui, text, width - 2.0 * pad - mark_w, &font, colour);
        let height = (text_h + 2.0 * pad).max(m.mm(15.0));
        let sense = if look == Look::Disabled {
            Sense::hover()
        } else {
            Sense::click()
        };
        let (rect, response) = ui.allocate_exact_size(vec2(width.floor(), height.ceil()), sense);
        let fill = if response.is_pointer_button_down_on() {
            Palette::PRESSED
        } else {
            fill
        };
        ui.painter().rect_filled(rect, m.mm(2.0), fill);
        ui.painter().rect_stroke(
            rect,
            m.mm(2.0),
            Stroke::new(m.mm(0.8), stroke),
            StrokeKind::Inside,
        );
        let mut label = rect.shrink(pad);
        if check {
            let mark = Rect::from_center_size(
                pos2(label.min.x + mark_w / 2.0, label.center().y),
                Vec2::splat(m.mm(7.0)),
            );
            ui.painter()
                .circle_filled(mark.center(), m.mm(3.5), Palette::ON_BUTTON);
            crate::picture::check_mark(ui.painter(), mark.shrink(m.mm(1.2)), Palette::BUTTON, m.mm(1.0));
            label.min.x += mark_w;
        }
        let label = Rect::from_center_size(label.center(), vec2(label.width(), text_h));
        self.paint_rows(ui, label, rows, Align::Center, colour);
        let clean = typeset::clean(text);
        let enabled = look != Look::Disabled;
        response.widget_info(|| match look {
            Look::Answer(chosen) => egui::WidgetInfo::selected(egui::Role::Button, enabled, chosen, &clean),
            _ => egui::WidgetInfo::labeled(egui::Role::Button, enabled, &clean),
        });
        // In the physical keypad's focus order too (a disabled one is visited, never pressed).
        let mut response = self.keypad.register(ui, response, &clean, m.mm(1.0));
        if !enabled {
            response.flags.remove(egui::response::Flags::FAKE_PRIMARY_CLICKED);
        }
        response
    }
}
