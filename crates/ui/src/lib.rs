//! The kiosk's screens (egui). `KioskUi::show` is a function of the flow's state ([`View`]) that returns
//! what the patient or staff did ([`Intent`]); it never blocks and never calls the card, camera or records.
//!
//! Japanese first, English on every screen; texts live in `assets/strings/{ja,en}.toml`. The font is
//! BIZ UD PGothic (SIL OFL 1.1, made for public signage), embedded so every machine renders 和文 the same.
//! Sizes follow the kiosk's physical screen: touch targets at least 15 mm, text at least 5 mm, colours with a
//! contrast of at least 7:1. The PIN pad keeps the digits itself (zeroized, never logged) and hands them
//! over only in [`Intent::SubmitPin`].

mod strings;
pub mod style;
mod text;

use egui::{Align, Layout, RichText, Vec2};
use kiosk_reception::{CONSENT_ITEMS, Event, Lang, Method, Prescription, Screen};
pub use strings::{Strings, StringsError};
use style::{Metrics, Palette};
pub use text::Text;
use text::{
    consent_item_text, counter_text, eligibility_failure_text, front_guidance_text, guidance_text,
    method_text, prescription_text, qualification_text,
};
use zeroize::Zeroizing;

/// What the screen shows besides the flow's state.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub screen: &'a Screen,
    pub lang: Lang,
    /// Seconds left on the time-out warning, when it shows.
    pub timeout_left: Option<i64>,
    pub more_time_available: bool,
    pub help_requested: bool,
    /// The live camera picture (face path, card front, staff check) and what was found in it: the face box
    /// or the card's outline, as four corners in the picture's normalised coordinates (0..1).
    pub preview: Option<&'a egui::TextureHandle>,
    pub outline: Option<[egui::Pos2; 4]>,
    /// The card photo, shown to staff only during the visual check.
    pub staff_photo: Option<&'a egui::TextureHandle>,
}

impl std::fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "View({}, {:?})", self.screen.kind(), self.lang)
    }
}

/// What the person at the kiosk did.
#[derive(Debug)]
pub enum Intent {
    /// An event for the flow.
    Flow(Event),
    /// The PIN pad's confirm: the digits for the card worker. The app also sends `Event::PinSubmitted`.
    SubmitPin(Zeroizing<String>),
    /// The staff code for checking (the app compares hashes).
    SubmitStaffCode(Zeroizing<String>),
    /// The card front's 14 digits (照合番号B) staff typed on the staff screen. The app also sends
    /// `Event::CheckCodeTyped`.
    SubmitCheckCode(Zeroizing<String>),
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
    fn len(self) -> usize {
        match self {
            PadFor::Pin | PadFor::StaffCode => 4,
            PadFor::CheckCode => 14,
        }
    }
}

/// The screens and their small pieces of local state (the PIN pad).
#[derive(Debug)]
pub struct KioskUi {
    strings: Strings,
    metrics: Metrics,
    pin: Zeroizing<String>,
    staff_code: Zeroizing<String>,
    check_code: Zeroizing<String>,
    last_screen: &'static str,
}

/// Add the embedded Japanese font to egui.
pub fn install_fonts(ctx: &egui::Context) {
    use egui::{FontData, FontDefinitions, FontFamily};
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "bizud".into(),
        std::sync::Arc::new(FontData::from_static(include_bytes!(
            "../../../assets/fonts/BIZUDPGothic-Regular.ttf"
        ))),
    );
    fonts.font_data.insert(
        "bizud-bold".into(),
        std::sync::Arc::new(FontData::from_static(include_bytes!(
            "../../../assets/fonts/BIZUDPGothic-Bold.ttf"
        ))),
    );
    fonts
        .families
        .insert(FontFamily::Proportional, vec!["bizud".into()]);
    fonts.families.insert(FontFamily::Monospace, vec!["bizud".into()]);
    fonts
        .families
        .insert(FontFamily::Name("bold".into()), vec!["bizud-bold".into()]);
    ctx.set_fonts(fonts);
}

impl KioskUi {
    pub fn new(metrics: Metrics) -> Result<KioskUi, StringsError> {
        Ok(KioskUi {
            strings: Strings::embedded()?,
            metrics,
            pin: Zeroizing::default(),
            staff_code: Zeroizing::default(),
            check_code: Zeroizing::default(),
            last_screen: "",
        })
    }

    /// Forget the digits typed so far (the flow's `ClearPinPad`).
    pub fn clear_pin(&mut self) {
        self.pin = Zeroizing::default();
        self.staff_code = Zeroizing::default();
        self.check_code = Zeroizing::default();
    }

    /// How many digits the PIN pad holds (never the digits).
    pub fn pin_len(&self) -> usize {
        self.pin.len()
    }

    pub fn strings(&self) -> &Strings {
        &self.strings
    }

    fn t(&self, lang: Lang, text: Text) -> &str {
        self.strings.get(lang, text)
    }

    /// Draw the screen for `view` and return what was pressed.
    pub fn show(&mut self, ui: &mut egui::Ui, view: &View<'_>) -> Vec<Intent> {
        let mut out = Vec::new();
        if self.last_screen != view.screen.kind() {
            if !matches!(view.screen, Screen::PinEntry { .. } | Screen::StaffLogin { .. }) {
                self.clear_pin();
            }
            self.last_screen = view.screen.kind();
        }
        let m = self.metrics;
        ui.style_mut().visuals.override_text_color = Some(Palette::TEXT);
        ui.style_mut().spacing.item_spacing = Vec2::splat(m.mm(3.0));
        let l = view.lang;
        // Top bar: language and help, on every screen.
        ui.horizontal(|ui| {
            ui.label(RichText::new(self.t(l, Text::AppTitle)).size(m.text_mm(5.0)));
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if self.button(ui, self.t(l, Text::CommonHelp), false).clicked() {
                    out.push(Intent::Flow(Event::HelpPressed));
                }
                let other = if l == Lang::Ja { Lang::En } else { Lang::Ja };
                if self.button(ui, self.t(l, Text::CommonLanguage), false).clicked() {
                    out.push(Intent::Flow(Event::Language(other)));
                }
            });
        });
        ui.separator();
        if view.help_requested {
            self.notice(ui, l, Text::HelpTitle, Text::HelpBody);
            if self.button(ui, self.t(l, Text::HelpClose), true).clicked() {
                out.push(Intent::Flow(Event::HelpDismissed));
            }
            ui.separator();
        }
        if let Some(left) = view.timeout_left {
            ui.label(
                RichText::new(self.t(l, Text::TimeoutTitle))
                    .size(m.text_mm(7.0))
                    .color(Palette::WARNING),
            );
            ui.label(
                RichText::new(self.t(l, Text::TimeoutBody).replace("{n}", &left.to_string()))
                    .size(m.text_mm(6.0))
                    .color(Palette::WARNING),
            );
            if view.more_time_available && self.button(ui, self.t(l, Text::TimeoutMore), true).clicked() {
                out.push(Intent::Flow(Event::MoreTime));
            }
            ui.separator();
        }
        ui.vertical_centered(|ui| self.screen(ui, view, &mut out));
        out
    }

    fn title(&self, ui: &mut egui::Ui, text: &str) {
        ui.add_space(self.metrics.mm(4.0));
        ui.label(
            RichText::new(text)
                .size(self.metrics.text_mm(8.0))
                .family(egui::FontFamily::Name("bold".into())),
        );
    }

    fn body(&self, ui: &mut egui::Ui, text: &str) {
        ui.label(RichText::new(text).size(self.metrics.text_mm(5.5)));
    }

    fn notice(&self, ui: &mut egui::Ui, l: Lang, title: Text, body: Text) {
        self.title(ui, self.t(l, title));
        self.body(ui, self.t(l, body));
    }

    /// A touch target at least 15 mm high; `primary` buttons are wide. Every choice on a screen uses the
    /// same style, so "do not agree" weighs as much as "agree".
    fn button(&self, ui: &mut egui::Ui, text: &str, primary: bool) -> egui::Response {
        let m = self.metrics;
        let size = if primary {
            Vec2::new(m.mm(120.0), m.mm(16.0))
        } else {
            Vec2::new(m.mm(45.0), m.mm(15.0))
        };
        let label = RichText::new(text)
            .size(m.text_mm(if primary { 6.5 } else { 5.0 }))
            .color(Palette::ON_BUTTON);
        ui.add_sized(
            size,
            egui::Button::new(label)
                .fill(Palette::BUTTON)
                .corner_radius(m.mm(2.0)),
        )
    }

    fn choice(&self, ui: &mut egui::Ui, l: Lang, text: Text, event: Event, out: &mut Vec<Intent>) {
        if self.button(ui, self.t(l, text), true).clicked() {
            out.push(Intent::Flow(event));
        }
    }

    fn screen(&mut self, ui: &mut egui::Ui, view: &View<'_>, out: &mut Vec<Intent>) {
        let l = view.lang;
        match view.screen {
            Screen::Idle => self.notice(ui, l, Text::IdleTitle, Text::IdleBody),
            Screen::Reading => self.notice(ui, l, Text::ReadingTitle, Text::ReadingBody),
            Screen::NotMyNumberCard => {
                self.final_notice(ui, l, Text::NotMyNumberTitle, Text::NotMyNumberBody)
            }
            Screen::CardUnreadable => self.notice(ui, l, Text::UnreadableTitle, Text::UnreadableBody),
            Screen::ReaderProblem => self.notice(ui, l, Text::ReaderProblemTitle, Text::ReaderProblemBody),
            Screen::PhoneToken => self.final_notice(ui, l, Text::PhoneTitle, Text::PhoneBody),
            Screen::CertificateExpiring {
                expires_on,
                days_left,
            } => {
                self.title(ui, self.t(l, Text::CertExpiringTitle));
                self.body(
                    ui,
                    &self
                        .t(l, Text::CertExpiringBody)
                        .replace("{date}", &expires_on.to_string())
                        .replace("{n}", &days_left.to_string()),
                );
                self.choice(ui, l, Text::CommonOk, Event::AlertAcknowledged, out);
            }
            Screen::CertificateExpiredGrace { usable_until } => {
                self.title(ui, self.t(l, Text::CertGraceTitle));
                self.body(
                    ui,
                    &self
                        .t(l, Text::CertGraceBody)
                        .replace("{date}", &usable_until.to_string()),
                );
                self.choice(ui, l, Text::CommonOk, Event::AlertAcknowledged, out);
            }
            Screen::MethodChoice { face, pin, staff } => {
                self.title(ui, self.t(l, Text::MethodTitle));
                if *face {
                    self.choice(
                        ui,
                        l,
                        method_text(Method::Face),
                        Event::MethodChosen(Method::Face),
                        out,
                    );
                }
                self.pin_and_staff(ui, l, *pin, *staff, out);
            }
            Screen::CardFace { guidance } => {
                self.notice(ui, l, Text::CardFaceTitle, Text::CardFaceBody);
                self.live(ui, l, front_guidance_text(*guidance), view);
            }
            Screen::FaceMatching { attempt, guidance } => {
                self.title(ui, self.t(l, Text::FaceTitle));
                self.body(
                    ui,
                    &self.t(l, Text::FaceAttempt).replace("{n}", &attempt.to_string()),
                );
                self.live(ui, l, guidance_text(*guidance), view);
            }
            Screen::FaceFailed { pin, staff } => {
                self.notice(ui, l, Text::FaceFailedTitle, Text::FaceFailedBody);
                self.pin_and_staff(ui, l, *pin, *staff, out);
            }
            Screen::NoPhotoPinOnly => {
                self.notice(ui, l, Text::NoPhotoTitle, Text::NoPhotoBody);
                self.choice(ui, l, Text::CommonOk, Event::AlertAcknowledged, out);
            }
            Screen::PinEntry {
                tries_left,
                last_try,
                wrong_before,
                verifying,
            } => {
                self.title(ui, self.t(l, Text::PinTitle));
                if *wrong_before {
                    ui.label(
                        RichText::new(self.t(l, Text::PinWrong))
                            .size(self.metrics.text_mm(6.0))
                            .color(Palette::WARNING),
                    );
                }
                self.body(
                    ui,
                    &self.t(l, Text::PinTries).replace("{n}", &tries_left.to_string()),
                );
                if *last_try {
                    ui.label(
                        RichText::new(self.t(l, Text::PinLastTry))
                            .size(self.metrics.text_mm(6.0))
                            .color(Palette::WARNING),
                    );
                }
                if *verifying {
                    self.body(ui, self.t(l, Text::PinVerifying));
                } else if let Some(digits) = self.pad(ui, l, PadFor::Pin) {
                    out.push(Intent::SubmitPin(digits));
                    out.push(Intent::Flow(Event::PinSubmitted));
                }
            }
            Screen::PinBlocked { staff } => {
                self.notice(ui, l, Text::PinBlockedTitle, Text::PinBlockedBody);
                if *staff {
                    self.choice(ui, l, Text::MethodStaff, Event::StaffHelpChosen, out);
                }
            }
            Screen::StaffLogin { failed } => {
                self.title(ui, self.t(l, Text::StaffLoginTitle));
                if *failed > 0 {
                    ui.label(
                        RichText::new(
                            self.t(l, Text::StaffLoginFailed)
                                .replace("{n}", &failed.to_string()),
                        )
                        .color(Palette::WARNING),
                    );
                }
                if let Some(code) = self.pad(ui, l, PadFor::StaffCode) {
                    out.push(Intent::SubmitStaffCode(code));
                    out.push(Intent::Flow(Event::StaffCodeSubmitted));
                }
            }
            Screen::StaffCheck { front_failed, .. } => {
                self.notice(ui, l, Text::StaffCheckTitle, Text::StaffCheckBody);
                if view.staff_photo.is_none() {
                    // No photo yet: it is being read through the card front, or staff type the numbers.
                    let (status, colour) = if *front_failed {
                        (Text::StaffCheckRefused, Palette::WARNING)
                    } else {
                        (Text::StaffCheckReading, Palette::TEXT)
                    };
                    ui.label(
                        RichText::new(self.t(l, status))
                            .size(self.metrics.text_mm(5.0))
                            .color(colour),
                    );
                    self.body(ui, self.t(l, Text::StaffCheckType));
                    if let Some(digits) = self.pad(ui, l, PadFor::CheckCode) {
                        out.push(Intent::SubmitCheckCode(digits));
                        out.push(Intent::Flow(Event::CheckCodeTyped));
                    }
                }
                ui.horizontal(|ui| {
                    ui.vertical(|ui| {
                        self.body(ui, self.t(l, Text::StaffCheckCardPhoto));
                        self.preview(ui, view.staff_photo, None, 60.0);
                    });
                    self.preview(ui, view.preview, view.outline, 80.0);
                });
                ui.horizontal(|ui| {
                    if self
                        .button(ui, self.t(l, Text::StaffCheckConfirm), false)
                        .clicked()
                    {
                        out.push(Intent::Flow(Event::StaffDecision {
                            holder_confirmed: true,
                        }));
                    }
                    if self
                        .button(ui, self.t(l, Text::StaffCheckRefuse), false)
                        .clicked()
                    {
                        out.push(Intent::Flow(Event::StaffDecision {
                            holder_confirmed: false,
                        }));
                    }
                });
            }
            Screen::CheckingEligibility => self.notice(ui, l, Text::EligibilityTitle, Text::EligibilityBody),
            Screen::RegistrationOffer => {
                self.notice(ui, l, Text::RegistrationTitle, Text::RegistrationBody);
                self.choice(
                    ui,
                    l,
                    Text::RegistrationYes,
                    Event::RegistrationAccepted(true),
                    out,
                );
                self.choice(
                    ui,
                    l,
                    Text::RegistrationNo,
                    Event::RegistrationAccepted(false),
                    out,
                );
            }
            Screen::EligibilityProblem {
                qualification,
                failure,
            } => {
                self.title(ui, self.t(l, Text::ProblemTitle));
                let reason = match (qualification, failure) {
                    (Some(q), _) => qualification_text(*q),
                    (None, Some(f)) => Some(eligibility_failure_text(*f)),
                    (None, None) => Some(Text::ProblemFailure),
                };
                if let Some(reason) = reason {
                    self.body(ui, self.t(l, reason));
                }
                self.body(ui, self.t(l, Text::CommonTakeCard));
            }
            Screen::NoSharingInfo => {
                self.notice(ui, l, Text::NoSharingTitle, Text::NoSharingBody);
                self.choice(ui, l, Text::CommonOk, Event::AlertAcknowledged, out);
            }
            Screen::ConsentStart => {
                self.notice(ui, l, Text::ConsentTitle, Text::ConsentBody);
                self.choice(ui, l, Text::ConsentAll, Event::ConsentAll(true), out);
                self.choice(ui, l, Text::ConsentNone, Event::ConsentAll(false), out);
                self.choice(ui, l, Text::ConsentEach, Event::ConsentIndividually, out);
            }
            Screen::ConsentItems { consents } => {
                self.title(ui, self.t(l, Text::ConsentItemsTitle));
                for item in CONSENT_ITEMS {
                    let chosen = consents.get(item);
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(self.t(l, consent_item_text(item))).size(self.metrics.text_mm(6.0)),
                        );
                        for (agree, answer) in [(true, Text::ConsentAgree), (false, Text::ConsentDisagree)] {
                            let mark = if chosen == Some(agree) { "● " } else { "" };
                            let label = format!("{mark}{}", self.t(l, answer));
                            // A stable id per item and answer: the label changes when chosen.
                            // Screen readers hear which item the answer is for ("手術の情報: 同意する"),
                            // and whether it is the chosen one.
                            let spoken =
                                format!("{}: {}", self.t(l, consent_item_text(item)), self.t(l, answer));
                            let clicked = ui
                                .push_id((consent_item_text(item), agree), |ui| {
                                    let r = self.button(ui, &label, false);
                                    r.widget_info(|| {
                                        egui::WidgetInfo::selected(
                                            egui::Role::Button,
                                            true,
                                            chosen == Some(agree),
                                            &spoken,
                                        )
                                    });
                                    r.clicked()
                                })
                                .inner;
                            if clicked {
                                out.push(Intent::Flow(Event::ConsentItemChosen(item, agree)));
                            }
                        }
                    });
                }
                if consents.complete() {
                    self.choice(ui, l, Text::ConsentNext, Event::ConsentNext, out);
                }
            }
            Screen::ConsentReview { consents } => {
                self.title(ui, self.t(l, Text::ConsentReviewTitle));
                for item in CONSENT_ITEMS {
                    let answer = match consents.get(item) {
                        Some(true) => self.t(l, Text::ConsentAgree),
                        _ => self.t(l, Text::ConsentDisagree),
                    };
                    self.body(ui, &format!("{}: {answer}", self.t(l, consent_item_text(item))));
                }
                self.choice(ui, l, Text::ConsentConfirm, Event::ConsentConfirmed, out);
                self.choice(ui, l, Text::ConsentChange, Event::ConsentChange, out);
            }
            Screen::Prescription => {
                self.title(ui, self.t(l, Text::PrescriptionTitle));
                self.choice(
                    ui,
                    l,
                    prescription_text(Prescription::Paper),
                    Event::PrescriptionChosen(Prescription::Paper),
                    out,
                );
                self.choice(
                    ui,
                    l,
                    prescription_text(Prescription::Electronic),
                    Event::PrescriptionChosen(Prescription::Electronic),
                    out,
                );
            }
            Screen::Saving => self.title(ui, self.t(l, Text::SavingTitle)),
            Screen::Done { name } => {
                self.title(ui, self.t(l, Text::DoneTitle));
                self.body(ui, &self.t(l, Text::DoneBody).replace("{name}", name));
            }
            Screen::Counter { reason } => {
                self.title(ui, self.t(l, Text::CounterTitle));
                self.body(ui, self.t(l, counter_text(*reason)));
                self.body(ui, self.t(l, Text::CommonTakeCard));
            }
        }
    }

    /// The PIN (with its tries left) and staff-check choices, offered on the method and face-failed screens.
    fn pin_and_staff(&self, ui: &mut egui::Ui, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Intent>) {
        if let Some(n) = pin
            && self
                .button(
                    ui,
                    &self.t(l, method_text(Method::Pin)).replace("{n}", &n.to_string()),
                    true,
                )
                .clicked()
        {
            out.push(Intent::Flow(Event::MethodChosen(Method::Pin)));
        }
        if staff {
            self.choice(ui, l, Text::MethodStaff, Event::StaffHelpChosen, out);
        }
    }

    fn final_notice(&self, ui: &mut egui::Ui, l: Lang, title: Text, body: Text) {
        self.notice(ui, l, title, body);
        self.body(ui, self.t(l, Text::CommonTakeCard));
    }

    /// The hint for the patient above the live picture, on the face and card-front screens.
    fn live(&self, ui: &mut egui::Ui, l: Lang, guidance: Text, view: &View<'_>) {
        ui.label(
            RichText::new(self.t(l, guidance))
                .size(self.metrics.text_mm(7.0))
                .color(Palette::EMPHASIS),
        );
        self.preview(ui, view.preview, view.outline, 90.0);
    }

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
        let w = self.metrics.mm(width_mm);
        let size = tex.size_vec2() * (w / tex.size_vec2().x.max(1.0));
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
            (0..target.len())
                .map(|i| if i < len { '●' } else { '○' })
                .collect()
        };
        ui.label(RichText::new(shown).size(m.text_mm(if target == PadFor::CheckCode { 8.0 } else { 10.0 })));
        self.body(ui, &self.t(l, Text::PinEntered).replace("{n}", &len.to_string()));
        let mut confirmed = false;
        // Centre the 3-key rows: three keys and two gaps.
        let row_width = 3.0 * m.mm(45.0) + 2.0 * m.mm(3.0);
        let indent = |ui: &mut egui::Ui| ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));
        for row in [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]] {
            ui.horizontal(|ui| {
                indent(ui);
                for d in row {
                    if self.button(ui, d, false).clicked() {
                        self.push_digit(d, target);
                    }
                }
            });
        }
        ui.horizontal(|ui| {
            indent(ui);
            if self.button(ui, self.t(l, Text::PinDelete), false).clicked() {
                self.entry(target).pop();
            }
            if self.button(ui, "0", false).clicked() {
                self.push_digit("0", target);
            }
            let ready = self.entry(target).len() == target.len();
            let confirm = ui
                .add_enabled_ui(ready, |ui| self.button(ui, self.t(l, Text::PinConfirm), false))
                .inner;
            confirmed = ready && confirm.clicked();
        });
        confirmed.then(|| std::mem::take(self.entry(target)))
    }

    fn push_digit(&mut self, d: &str, target: PadFor) {
        let entry = self.entry(target);
        if entry.len() < target.len() {
            entry.push_str(d);
        }
    }
}
