//! The smartphone screens (issue 16): the start screen's way to them, the guide with its picture, the
//! phone's PIN, and the phone's own dead ends, each with a way on (「戻る」 and 「受付をやめる」 are the
//! frame's, `layout.rs`).

use crate::KioskUi;
use crate::layout::Panes;
use crate::style::Palette;
use crate::text::Text;
use egui::{Color32, Pos2, Rect, Stroke, StrokeKind, Vec2};
use kiosk_screens::{Input, Lang, Press};

impl KioskUi {
    /// The start screen: the card invitation with its picture, and the way for patients with a
    /// smartphone.
    pub(crate) fn idle(&self, p: &mut Panes, l: Lang, out: &mut Vec<Input>) {
        self.notice(p.info(), l, Text::IdleTitle, Text::IdleBody);
        crate::picture::card_on_reader(p.info(), self.metrics, 55.0);
        self.phone_picture(p.act(), false);
        self.choice(p.act(), l, Text::IdlePhone, Press::PhoneChosen, out);
    }

    /// How to hold each kind of phone, with a picture of a phone on the reader; waits for the phone.
    /// 「戻る」 to the start is the frame's (`Screen::ways`).
    pub(crate) fn phone_guide(&self, p: &mut Panes, l: Lang, separate_reader: bool) {
        self.title(p.info(), self.t(l, Text::PhoneGuideTitle));
        let place = if separate_reader {
            Text::PhoneGuideWherePhoneReader
        } else {
            Text::PhoneGuideWhereReader
        };
        self.body(
            p.info(),
            &self
                .t(l, Text::PhoneGuideBody)
                .replace("{where}", self.t(l, place)),
        );
        self.body(p.info(), self.t(l, Text::PhoneGuideAndroid));
        self.body(p.info(), self.t(l, Text::PhoneGuideIphone));
        self.phone_picture(p.act(), separate_reader);
    }

    /// The Android phone's own PIN, typed while the phone lies on the reader.
    pub(crate) fn phone_pin(
        &mut self,
        p: &mut Panes,
        l: Lang,
        (tries_left, wrong_before, verifying): (u8, bool, bool),
        out: &mut Vec<Input>,
    ) {
        let ui = p.info();
        self.title(ui, self.t(l, Text::PhonePinTitle));
        self.body(ui, self.t(l, Text::PhonePinBody));
        if wrong_before {
            self.warning(ui, self.t(l, Text::PinWrong));
        }
        self.body(
            ui,
            &self.t(l, Text::PinTries).replace("{n}", &tries_left.to_string()),
        );
        if tries_left == 1 {
            self.warning(ui, self.t(l, Text::PinLastTry));
        }
        self.pin_pad(p.act(), l, verifying, out);
    }

    /// A phone's dead end: what happened, what to do, and to take the phone.
    pub(crate) fn phone_notice(&self, p: &mut Panes, l: Lang, title: Text, body: Text) {
        self.notice(p.info(), l, title, body);
        self.warning(p.info(), self.t(l, Text::PhoneTakePhone));
        self.phone_picture(p.info(), false);
    }

    /// The phone taken away too early: place it again (a new phone starts at once), or "OK" to the start.
    pub(crate) fn phone_removed(&self, p: &mut Panes, l: Lang, out: &mut Vec<Input>) {
        self.notice(p.info(), l, Text::PhoneRemovedTitle, Text::PhoneRemovedBody);
        self.phone_picture(p.act(), false);
        self.choice(p.act(), l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    /// A phone lying on a reader, seen from the front, with the radio waves between them; with a
    /// separate phone reader, the card reader stands beside it, greyed.
    fn phone_picture(&self, ui: &mut egui::Ui, separate_reader: bool) {
        let m = self.metrics;
        let (rect, _) = ui.allocate_exact_size(Vec2::new(m.mm(70.0), m.mm(50.0)), egui::Sense::hover());
        let painter = ui.painter_at(rect);
        let stroke = Stroke::new(m.mm(0.8), Palette::TEXT);
        let base = rect.left_bottom() + Vec2::new(m.mm(4.0), -m.mm(4.0));
        // The reader: a flat box; the phone's place marked on top.
        let reader = Rect::from_min_size(
            base - Vec2::new(0.0, m.mm(10.0)),
            Vec2::new(m.mm(36.0), m.mm(10.0)),
        );
        painter.rect_filled(reader, m.mm(1.5), Color32::from_gray(0xDD));
        painter.rect_stroke(reader, m.mm(1.5), stroke, StrokeKind::Inside);
        // The phone, upright above the reader, its screen lit.
        let phone = Rect::from_center_size(
            Pos2::new(reader.center().x, reader.top() - m.mm(22.0)),
            Vec2::new(m.mm(16.0), m.mm(30.0)),
        );
        painter.rect_filled(phone, m.mm(2.5), Palette::TEXT);
        painter.rect_filled(phone.shrink(m.mm(1.5)), m.mm(1.5), Palette::FACE_FRAME);
        // Waves from the phone down to the reader.
        for i in 1..=3 {
            let r = m.mm(2.5) * i as f32;
            let centre = Pos2::new(reader.center().x, reader.top() - m.mm(1.0));
            let arc: Vec<Pos2> = (0..=12)
                .map(|k| {
                    let a = std::f32::consts::PI * (1.15 + 0.7 * k as f32 / 12.0);
                    centre + Vec2::new(a.cos(), a.sin()) * r
                })
                .collect();
            painter.add(egui::Shape::line(arc, Stroke::new(m.mm(0.6), Palette::BUTTON)));
        }
        if separate_reader {
            let card_reader = Rect::from_min_size(
                Pos2::new(reader.right() + m.mm(6.0), reader.top() - m.mm(8.0)),
                Vec2::new(m.mm(22.0), m.mm(18.0)),
            );
            painter.rect_stroke(
                card_reader,
                m.mm(1.5),
                Stroke::new(m.mm(0.5), Color32::from_gray(0x99)),
                StrokeKind::Inside,
            );
        }
    }
}
