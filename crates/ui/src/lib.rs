//! The kiosk's screens (egui). `KioskUi::show` is a function of the flow's state ([`View`]) that returns
//! what the patient or staff did ([`Input`]); it never blocks and never calls the card, camera or records.
//!
//! Japanese first, English on every screen, and a language picker for Chinese (simplified), Korean,
//! Vietnamese and Portuguese; texts live in `assets/strings/<code>.toml`. The font is BIZ UD PGothic
//! (SIL OFL 1.1, made for public signage), embedded so every machine renders 和文 the same; Chinese,
//! Korean and Vietnamese add Noto Sans CJK from the system, read only when needed ([`fonts`]).
//! Sizes are millimetres of a 280 × 175 mm design (touch targets 15 mm, text 5 mm) scaled to fill the window
//! at any size, landscape or portrait (`layout.rs`); colours have a contrast of at least 7:1. Texts are
//! broken into rows by [`typeset`] (Japanese line breaking), not by egui. The PIN pad keeps the digits
//! itself (zeroized, never logged) and hands them over only in [`Input::Pin`], validated as an `AuthPin`
//! where they were typed.
//!
//! The screens build inputs and nothing else:
//!
//! ```
//! let help: kiosk_screens::Input = kiosk_screens::Press::HelpPressed.into();
//! ```
//!
//! They cannot forge what a worker answers (a verified PIN, a saved record): those types are
//! `kiosk-reception`'s, and this crate does not depend on it, so this does not compile:
//!
//! ```compile_fail,E0433
//! let forged = kiosk_reception::WorkerResult::RecordSaved(true);
//! ```

mod easy;
pub mod fonts;
mod keypad;
mod layout;
#[cfg(test)]
mod layout_check;
mod phone;
mod picker;
mod picture;
mod screens;
mod strings;
pub mod style;
mod text;
pub mod typeset;

pub use keypad::Focused;
use kiosk_screens::{AuthPin, CheckCodeB, Input, Lang, Screen, SecretInput, StaffCode};
pub use layout::LayoutIssue;
use std::cell::RefCell;
pub use strings::{Strings, StringsError};
use style::{Metrics, Palette};
pub use text::Text;
use zeroize::Zeroizing;

/// What the screen shows besides the flow's state.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub screen: &'a Screen,
    pub lang: Lang,
    /// Seconds left on the time-out warning, when it shows.
    pub timeout_left: Option<i64>,
    pub more_time_available: bool,
    /// Seconds left to put the card back, while a one-camera kiosk waits for the card lifted to show its
    /// front.
    pub card_return_left: Option<i64>,
    pub help_requested: bool,
    /// The live camera picture (face path, card front, staff check) and what was found in it: the face box
    /// or the card's outline, as four corners in the picture's normalised coordinates (0..1).
    pub preview: Option<&'a egui::TextureHandle>,
    pub outline: Option<[egui::Pos2; 4]>,
    /// The card photo, shown to staff only during the visual check.
    pub staff_photo: Option<&'a egui::TextureHandle>,
    /// How far the asked head turn has come, 0 to 1 (1: enough), while the turn is asked for: a bar
    /// under the turn picture fills as the patient turns.
    pub turn_progress: Option<f32>,
}

impl std::fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "View({}, {:?})", self.screen.kind(), self.lang)
    }
}

/// Which entry a numeric pad fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PadFor {
    Pin,
    StaffCode,
    /// 照合番号B: birth YYMMDD, expiry year, security code.
    CheckCode,
}

impl PadFor {
    /// The most digits the entry takes.
    fn len(self) -> usize {
        match self {
            PadFor::Pin => 4,
            PadFor::StaffCode => StaffCode::MAX_LEN,
            PadFor::CheckCode => 14,
        }
    }

    /// The fewest digits confirm accepts (a staff code is 6–12 digits; the others have one length).
    fn min_len(self) -> usize {
        match self {
            PadFor::StaffCode => StaffCode::MIN_LEN,
            PadFor::Pin | PadFor::CheckCode => self.len(),
        }
    }
}

/// How a button looks: the same for every choice of a screen, so "do not agree" weighs as much as
/// "agree"; an answer already chosen is filled and checked; a button that cannot be pressed yet is grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    Choice,
    /// A consent answer: `true` when it is the chosen one.
    Answer(bool),
    Disabled,
    /// The quieter way (staff help): outlined.
    Quiet,
}

/// The screens and their small pieces of local state (the PIN pad).
#[derive(Debug)]
pub struct KioskUi {
    strings: Strings,
    /// The sizes of the current frame: fitted to the window (see [`layout`]).
    metrics: Metrics,
    pin: Zeroizing<String>,
    staff_code: Zeroizing<String>,
    check_code: Zeroizing<String>,
    /// "Confirm" was pressed on this pad before all its digits were typed: say how many it needs.
    pad_short: Option<PadFor>,
    last_screen: &'static str,
    /// The physical keypad's focus (issue 17; `keypad.rs`).
    keypad: keypad::Keypad,
    /// The face models are still loading: the method screen says the face choice comes shortly.
    face_loading: bool,
    /// The shrink factor of the current screen (1.0, made smaller while its content does not fit) and
    /// what it was found for.
    fit: f32,
    fit_for: Option<layout::FitFor>,
    /// What did not fit or broke badly in the last frame drawn (see [`KioskUi::layout_issues`]).
    issues: RefCell<Vec<LayoutIssue>>,
    /// やさしい日本語 for the main patient screens, and whether it is on.
    easy: easy::EasyJapanese,
    easy_japanese: bool,
    fonts: fonts::ScreenFonts,
    /// The language picker is open over the current screen (closed when the screen changes).
    picker_open: bool,
}

/// Install the fonts of the default language (Japanese, embedded). The screens add what another
/// language needs when it is chosen ([`fonts::ScreenFonts`]).
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(fonts::definitions(Lang::default(), None));
}

impl KioskUi {
    /// `metrics`: the sizes until the first frame; from then on the layout fits itself to the window
    /// (the same design fills 1024×600 and 1920×1080, landscape or portrait).
    pub fn new(metrics: Metrics) -> Result<KioskUi, StringsError> {
        Ok(KioskUi {
            strings: Strings::embedded()?,
            metrics,
            pin: Zeroizing::default(),
            staff_code: Zeroizing::default(),
            check_code: Zeroizing::default(),
            pad_short: None,
            last_screen: "",
            keypad: keypad::Keypad::default(),
            face_loading: false,
            fit: 1.0,
            fit_for: None,
            issues: RefCell::default(),
            easy: easy::EasyJapanese::embedded()?,
            easy_japanese: false,
            fonts: fonts::ScreenFonts::new(fonts::CJK_DIR),
            picker_open: false,
        })
    }

    /// Open or close the language picker (the screenshot gallery; patients use the language button).
    pub fn set_language_picker(&mut self, open: bool) {
        self.picker_open = open;
    }

    /// Why the fonts for Chinese, Korean and Vietnamese could not be read, once the screens tried
    /// (those languages are then not offered).
    pub fn font_problem(&self) -> Option<&str> {
        self.fonts.cjk_problem()
    }

    /// Forget the digits typed so far (on leaving the screen of the pad).
    pub fn clear_pin(&mut self) {
        self.pad_short = None;
        self.pin = Zeroizing::default();
        self.staff_code = Zeroizing::default();
        self.check_code = Zeroizing::default();
    }

    /// Whether the face models are still loading (they load in the background after start-up): a
    /// method screen without the face choice then says it is being prepared, so the patient who came
    /// first knows why it is missing and that it comes.
    pub fn set_face_loading(&mut self, loading: bool) {
        self.face_loading = loading;
    }

    /// How many digits the PIN pad holds (never the digits).
    pub fn pin_len(&self) -> usize {
        self.pin.len()
    }

    pub fn strings(&self) -> &Strings {
        &self.strings
    }

    /// What did not fit or broke badly in the last frame drawn: empty when every text sits on its screen
    /// and in its box, broken only where Japanese may break (checked by the layout tests at every
    /// supported window size).
    pub fn layout_issues(&self) -> Vec<LayoutIssue> {
        self.issues.borrow().clone()
    }

    /// Use やさしい日本語 (easy Japanese) on the main patient screens when the language is Japanese
    /// (`assets/strings/ja-easy.toml`; the other texts stay as they are).
    pub fn set_easy_japanese(&mut self, on: bool) {
        self.easy_japanese = on;
    }

    fn t(&self, lang: Lang, text: Text) -> &str {
        if self.easy_japanese
            && lang == Lang::Ja
            && let Some(easy) = self.easy.get(text)
        {
            return easy;
        }
        self.strings.get(lang, text)
    }

    /// The choice the physical keypad is on (as drawn in the last frame), for voice guidance to speak when
    /// it changes: its text key when the label is one of the kiosk's texts, and the label as drawn. `None`
    /// on a screen without choices, and while the keypad is not in use (no key since the last touch or
    /// since the start screen). A pad's digit keys give the digit on the key, never what was typed.
    pub fn focused(&self) -> Option<Focused> {
        let label = self.keypad.focused_label()?;
        // A text that is the label itself, else one whose placeholders fill to it, else the longest text
        // the label ends with (a mark drawn before it, as on a chosen consent answer).
        let find = |matches: &dyn Fn(&str) -> bool| {
            [Lang::Ja, Lang::En].into_iter().find_map(|l| {
                Text::ALL
                    .iter()
                    .copied()
                    .find(|&t| matches(self.strings.get(l, t)))
            })
        };
        let marked = || {
            [Lang::Ja, Lang::En]
                .into_iter()
                .flat_map(|l| Text::ALL.iter().map(move |&t| (l, t)))
                .filter(|&(l, t)| {
                    !self.strings.get(l, t).is_empty() && label.ends_with(self.strings.get(l, t))
                })
                .max_by_key(|&(l, t)| self.strings.get(l, t).len())
                .map(|(_, t)| t)
        };
        let text = find(&|s| s == label)
            .or_else(|| find(&|s| keypad::fills(s, label)))
            .or_else(marked);
        Some(Focused {
            text,
            label: label.to_owned(),
        })
    }

    /// The labels of the screen's choices in the keypad's focus order (as drawn in the last frame).
    pub fn focus_order(&self) -> Vec<String> {
        self.keypad.order().map(str::to_owned).collect()
    }

    fn title(&self, ui: &mut egui::Ui, text: &str) {
        self.text(ui, text, 6.5, Palette::TEXT, true);
        ui.add_space(self.metrics.mm(1.0));
    }

    fn body(&self, ui: &mut egui::Ui, text: &str) {
        self.text(ui, text, 4.6, Palette::TEXT, false);
    }

    fn notice(&self, ui: &mut egui::Ui, l: Lang, title: Text, body: Text) {
        self.title(ui, self.t(l, title));
        self.body(ui, self.t(l, body));
    }

    /// A warning line (red).
    pub(crate) fn warning(&self, ui: &mut egui::Ui, text: &str) {
        self.text(ui, text, 5.0, Palette::WARNING, true);
    }

    /// A touch target at least 15 mm high (the design's millimetres, fitted to the window) and as wide
    /// as its column. Every choice on a screen uses the same look.
    fn button(&self, ui: &mut egui::Ui, text: &str, _primary: bool) -> egui::Response {
        let width = ui.available_width().min(self.metrics.mm(150.0));
        self.button_look(ui, text, Look::Choice, width)
    }

    fn choice(
        &self,
        ui: &mut egui::Ui,
        l: Lang,
        text: Text,
        event: kiosk_screens::Press,
        out: &mut Vec<Input>,
    ) {
        if self.button(ui, self.t(l, text), true).clicked() {
            out.push(Input::Press(event));
        }
    }

    /// The hint for the patient and the live picture, on the face and card-front screens.
    fn live(&self, p: &mut layout::Panes, l: Lang, guidance: Text, view: &View<'_>) {
        self.text(p.info(), self.t(l, guidance), 5.5, Palette::EMPHASIS, true);
        self.preview(p.act(), view.preview, view.outline, 200.0);
    }

    /// The live picture as large as its column allows (at most `width_mm` wide), with its outline.
    fn preview(
        &self,
        ui: &mut egui::Ui,
        texture: Option<&egui::TextureHandle>,
        outline: Option<[egui::Pos2; 4]>,
        width_mm: f32,
    ) {
        let Some(tex) = texture else {
            return;
        };
        let aspect = tex.size_vec2().y / tex.size_vec2().x.max(1.0);
        let room = ui.available_rect_before_wrap().size();
        let w = self
            .metrics
            .mm(width_mm)
            .min(room.x)
            .min((room.y - self.metrics.mm(2.0)).max(0.0) / aspect.max(0.01));
        let size = egui::vec2(w, w * aspect);
        let response = ui.add(egui::Image::new(tex).fit_to_exact_size(size));
        if let Some(corners) = outline {
            let r = response.rect;
            let points = corners.map(|p| r.min + p.to_vec2() * r.size()).to_vec();
            ui.painter().add(egui::Shape::closed_line(
                points,
                egui::Stroke::new(self.metrics.mm(1.0), Palette::FACE_FRAME),
            ));
        }
    }

    fn entry(&mut self, target: PadFor) -> &mut Zeroizing<String> {
        match target {
            PadFor::Pin => &mut self.pin,
            PadFor::StaffCode => &mut self.staff_code,
            PadFor::CheckCode => &mut self.check_code,
        }
    }

    /// A numeric pad. Returns the digits when the full entry is confirmed. PIN and staff code show as
    /// dots; the card-front numbers (printed on the card, typed by staff) show as digits in their three
    /// groups, so staff can compare them with the card.
    fn pad(&mut self, ui: &mut egui::Ui, l: Lang, target: PadFor) -> Option<Zeroizing<String>> {
        let m = self.metrics;
        self.keypad_digits(ui, l, target);
        let len = self.entry(target).len();
        let shown: String = if target == PadFor::CheckCode {
            let typed: Vec<char> = self.check_code.chars().collect();
            (0..target.len())
                .flat_map(|i| {
                    let gap = (i == 6 || i == 10).then_some(' ');
                    gap.into_iter().chain([typed.get(i).copied().unwrap_or('_')])
                })
                .collect()
        } else {
            (0..target.min_len().max(len))
                .map(|i| if i < len { '●' } else { '○' })
                .collect()
        };
        self.text(
            ui,
            &shown,
            if target == PadFor::CheckCode { 6.0 } else { 7.0 },
            Palette::TEXT,
            false,
        );
        self.body(ui, &self.t(l, Text::PinEntered).replace("{n}", &len.to_string()));
        if self.pad_short == Some(target) {
            // Confirm was pressed early: nothing was sent; say what is missing, in words.
            // A staff code may be longer than its fewest digits: "at least", not "all".
            let incomplete = if target == PadFor::StaffCode {
                Text::StaffCodeTooShort
            } else {
                Text::PadIncomplete
            };
            let text = self
                .t(l, incomplete)
                .replace("{n}", &target.min_len().to_string());
            self.warning(ui, &text);
        }
        let mut confirmed = false;
        // Three keys a row, centred, each at most 40 mm wide.
        let gap = m.mm(2.5);
        let key = ((ui.available_width() - 2.0 * gap) / 3.0).min(m.mm(40.0));
        let row_width = 3.0 * key + 2.0 * gap;
        let indent = |ui: &mut egui::Ui| ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));
        let rows: [[&str; 3]; 4] = [
            ["1", "2", "3"],
            ["4", "5", "6"],
            ["7", "8", "9"],
            [self.t(l, Text::PinDelete), "0", self.t(l, Text::PinConfirm)],
        ];
        let rows = rows.map(|r| r.map(str::to_owned));
        for (i, row) in rows.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = gap;
                indent(ui);
                for (j, label) in row.iter().enumerate() {
                    if !self.button_look(ui, label, Look::Choice, key).clicked() {
                        continue;
                    }
                    match (i, j) {
                        (3, 0) => {
                            self.entry(target).pop();
                        }
                        // Always pressable: a patient who presses it early is told what is missing
                        // instead of finding a button that does nothing.
                        (3, 2) => {
                            let ready = (target.min_len()..=target.len()).contains(&self.entry(target).len());
                            confirmed = ready;
                            self.pad_short = (!ready).then_some(target);
                        }
                        _ => self.push_digit(label, target),
                    }
                }
            });
        }
        confirmed.then(|| std::mem::take(self.entry(target)))
    }

    /// The keypad's digits and 訂正 into the pad; the focus then goes to 決定, so Enter confirms.
    fn keypad_digits(&mut self, ui: &egui::Ui, l: Lang, target: PadFor) {
        let typed = keypad::pad_keys(ui);
        for c in typed.chars() {
            if c == keypad::DELETE {
                self.entry(target).pop();
            } else {
                self.push_digit(c.encode_utf8(&mut [0; 4]), target);
            }
        }
        if !typed.is_empty() {
            self.keypad.focus_on_label(self.t(l, Text::PinConfirm));
        }
    }

    fn push_digit(&mut self, d: &str, target: PadFor) {
        self.pad_short = None;
        let entry = self.entry(target);
        if entry.len() < target.len() {
            entry.push_str(d);
        }
    }
}

/// A pad's confirmed digits as the input that carries them, validated here where they were typed. The
/// pad confirms only a full entry of digits, so a refusal here would be the pad's bug: nothing is sent.
pub(crate) fn secret_input(kind: SecretInput, digits: &str) -> Option<Input> {
    match kind {
        SecretInput::Pin => AuthPin::new(digits).ok().map(Input::Pin),
        SecretInput::StaffCode => StaffCode::new(digits).ok().map(Input::StaffCode),
        SecretInput::CheckCode => CheckCodeB::new(digits).ok().map(Input::CheckCode),
    }
}
