//! The language picker: opened by the top bar's language button over whatever step the patient is on,
//! it lists every language by its name in its own script (日本語, English, 中文（简体）, 한국어, Tiếng Việt,
//! Português), so a patient finds theirs without reading any other. Choosing one, or "back", returns
//! to the same step: the flow's state is untouched, only its language changes.

use crate::KioskUi;
use crate::fonts;
use crate::style::Palette;
use crate::text::Text;
use egui::{RichText, Vec2};
use kiosk_screens::{Input, Lang, Press};

impl KioskUi {
    pub(crate) fn language_picker(&mut self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        let m = self.metrics;
        self.title(ui, self.t(l, Text::LanguageTitle));
        // Languages whose glyphs cannot be drawn here (no Noto Sans CJK) are left out, not shown as boxes.
        let offered: Vec<Lang> = Lang::ALL
            .into_iter()
            .filter(|&x| self.fonts.can_show(x))
            .collect();
        // Two per row: six 18 mm targets fit under the title even on a 1024×600 screen.
        let size = Vec2::new(m.mm(85.0), m.mm(18.0));
        let row_width = 2.0 * size.x + m.mm(3.0);
        for pair in offered.chunks(2) {
            ui.horizontal(|ui| {
                ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));
                for &lang in pair {
                    let chosen = lang == l;
                    let label = RichText::new(lang.native_name())
                        .family(fonts::native(lang))
                        .size(m.text_mm(6.5))
                        .color(if chosen { Palette::TEXT } else { Palette::ON_BUTTON });
                    // The current language is the one not filled: white with a thick frame, so it reads
                    // as "you are here" rather than as one more choice.
                    let button = egui::Button::new(label)
                        .fill(if chosen {
                            Palette::BACKGROUND
                        } else {
                            Palette::BUTTON
                        })
                        .stroke(egui::Stroke::new(m.mm(1.0), Palette::BUTTON))
                        .corner_radius(m.mm(2.0));
                    let r = ui.add_sized(size, button);
                    if self
                        .keypad
                        .register(ui, r, lang.native_name(), m.mm(1.0))
                        .clicked()
                    {
                        self.picker_open = false;
                        if !chosen {
                            out.push(Input::Press(Press::Language(lang)));
                        }
                    }
                }
            });
        }
        ui.add_space(m.mm(4.0));
        if self.button(ui, self.t(l, Text::LanguageClose), true).clicked() {
            self.picker_open = false;
        }
    }
}
