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

use egui::{Align, Layout, RichText, Vec2};
use kiosk_reception::{
    CONSENT_ITEMS, ConsentItem, CounterReason, EligibilityFailure, Event, GuidanceKind, Lang, Method,
    Prescription, Screen,
};
pub use strings::{Strings, StringsError};
use style::{Metrics, Palette};
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

    fn t(&self, lang: Lang, key: &str) -> String {
        self.strings.get(lang, key)
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
            ui.label(RichText::new(self.t(l, "app.title")).size(m.text_mm(5.0)));
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if self.button(ui, &self.t(l, "common.help"), false).clicked() {
                    out.push(Intent::Flow(Event::HelpPressed));
                }
                let other = if l == Lang::Ja { Lang::En } else { Lang::Ja };
                if self.button(ui, &self.t(l, "common.language"), false).clicked() {
                    out.push(Intent::Flow(Event::Language(other)));
                }
            });
        });
        ui.separator();
        if view.help_requested {
            self.notice(ui, l, "help.title", "help.body");
            if self.button(ui, &self.t(l, "help.close"), true).clicked() {
                out.push(Intent::Flow(Event::HelpDismissed));
            }
            ui.separator();
        }
        if let Some(left) = view.timeout_left {
            ui.label(
                RichText::new(self.t(l, "timeout.title"))
                    .size(m.text_mm(7.0))
                    .color(Palette::WARNING),
            );
            ui.label(
                RichText::new(self.t(l, "timeout.body").replace("{n}", &left.to_string()))
                    .size(m.text_mm(6.0))
                    .color(Palette::WARNING),
            );
            if view.more_time_available && self.button(ui, &self.t(l, "timeout.more"), true).clicked() {
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

    fn notice(&self, ui: &mut egui::Ui, l: Lang, title: &str, body: &str) {
        self.title(ui, &self.t(l, title));
        self.body(ui, &self.t(l, body));
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

    fn choice(&self, ui: &mut egui::Ui, l: Lang, key: &str, event: Event, out: &mut Vec<Intent>) {
        if self.button(ui, &self.t(l, key), true).clicked() {
            out.push(Intent::Flow(event));
        }
    }

    fn screen(&mut self, ui: &mut egui::Ui, view: &View<'_>, out: &mut Vec<Intent>) {
        let l = view.lang;
        match view.screen {
            Screen::Idle => self.notice(ui, l, "idle.title", "idle.body"),
            Screen::Reading => self.notice(ui, l, "reading.title", "reading.body"),
            Screen::NotMyNumberCard => self.final_notice(ui, l, "not_mynumber.title", "not_mynumber.body"),
            Screen::CardUnreadable => self.notice(ui, l, "unreadable.title", "unreadable.body"),
            Screen::ReaderProblem => self.notice(ui, l, "reader_problem.title", "reader_problem.body"),
            Screen::PhoneToken => self.final_notice(ui, l, "phone.title", "phone.body"),
            Screen::CertificateExpiring {
                expires_on,
                days_left,
            } => {
                self.title(ui, &self.t(l, "cert_expiring.title"));
                self.body(
                    ui,
                    &self
                        .t(l, "cert_expiring.body")
                        .replace("{date}", &expires_on.to_string())
                        .replace("{n}", &days_left.to_string()),
                );
                self.choice(ui, l, "common.ok", Event::AlertAcknowledged, out);
            }
            Screen::CertificateExpiredGrace { usable_until } => {
                self.title(ui, &self.t(l, "cert_grace.title"));
                self.body(
                    ui,
                    &self
                        .t(l, "cert_grace.body")
                        .replace("{date}", &usable_until.to_string()),
                );
                self.choice(ui, l, "common.ok", Event::AlertAcknowledged, out);
            }
            Screen::MethodChoice { face, pin, staff } => {
                self.title(ui, &self.t(l, "method.title"));
                if *face {
                    self.choice(ui, l, "method.face", Event::MethodChosen(Method::Face), out);
                }
                self.pin_and_staff(ui, l, *pin, *staff, out);
            }
            Screen::CardFace { guidance } => {
                self.notice(ui, l, "card_face.title", "card_face.body");
                let g = match guidance {
                    Some(g) => format!("front.{g:?}"),
                    None => "front.ok".into(),
                };
                self.live(ui, l, &g, view);
            }
            Screen::FaceMatching { attempt, guidance } => {
                self.title(ui, &self.t(l, "face.title"));
                self.body(
                    ui,
                    &self.t(l, "face.attempt").replace("{n}", &attempt.to_string()),
                );
                let g = match guidance {
                    Some(g) => format!("guidance.{}", guidance_key(*g)),
                    None => "guidance.ok".into(),
                };
                self.live(ui, l, &g, view);
            }
            Screen::FaceFailed { pin, staff } => {
                self.notice(ui, l, "face_failed.title", "face_failed.body");
                self.pin_and_staff(ui, l, *pin, *staff, out);
            }
            Screen::NoPhotoPinOnly => {
                self.notice(ui, l, "no_photo.title", "no_photo.body");
                self.choice(ui, l, "common.ok", Event::AlertAcknowledged, out);
            }
            Screen::PinEntry {
                tries_left,
                last_try,
                wrong_before,
                verifying,
            } => {
                self.title(ui, &self.t(l, "pin.title"));
                if *wrong_before {
                    ui.label(
                        RichText::new(self.t(l, "pin.wrong"))
                            .size(self.metrics.text_mm(6.0))
                            .color(Palette::WARNING),
                    );
                }
                self.body(
                    ui,
                    &self.t(l, "pin.tries").replace("{n}", &tries_left.to_string()),
                );
                if *last_try {
                    ui.label(
                        RichText::new(self.t(l, "pin.last_try"))
                            .size(self.metrics.text_mm(6.0))
                            .color(Palette::WARNING),
                    );
                }
                if *verifying {
                    self.body(ui, &self.t(l, "pin.verifying"));
                } else if let Some(digits) = self.pad(ui, l, PadFor::Pin) {
                    out.push(Intent::SubmitPin(digits));
                    out.push(Intent::Flow(Event::PinSubmitted));
                }
            }
            Screen::PinBlocked { staff } => {
                self.notice(ui, l, "pin_blocked.title", "pin_blocked.body");
                if *staff {
                    self.choice(ui, l, "method.staff", Event::StaffHelpChosen, out);
                }
            }
            Screen::StaffLogin { failed } => {
                self.title(ui, &self.t(l, "staff_login.title"));
                if *failed > 0 {
                    ui.label(
                        RichText::new(
                            self.t(l, "staff_login.failed")
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
                self.notice(ui, l, "staff_check.title", "staff_check.body");
                if view.staff_photo.is_none() {
                    // No photo yet: it is being read through the card front, or staff type the numbers.
                    let (key, colour) = if *front_failed {
                        ("staff_check.refused", Palette::WARNING)
                    } else {
                        ("staff_check.reading", Palette::TEXT)
                    };
                    ui.label(
                        RichText::new(self.t(l, key))
                            .size(self.metrics.text_mm(5.0))
                            .color(colour),
                    );
                    self.body(ui, &self.t(l, "staff_check.type"));
                    if let Some(digits) = self.pad(ui, l, PadFor::CheckCode) {
                        out.push(Intent::SubmitCheckCode(digits));
                        out.push(Intent::Flow(Event::CheckCodeTyped));
                    }
                }
                ui.horizontal(|ui| {
                    ui.vertical(|ui| {
                        self.body(ui, &self.t(l, "staff_check.card_photo"));
                        self.preview(ui, view.staff_photo, None, 60.0);
                    });
                    self.preview(ui, view.preview, view.outline, 80.0);
                });
                ui.horizontal(|ui| {
                    if self
                        .button(ui, &self.t(l, "staff_check.confirm"), false)
                        .clicked()
                    {
                        out.push(Intent::Flow(Event::StaffDecision {
                            holder_confirmed: true,
                        }));
                    }
                    if self.button(ui, &self.t(l, "staff_check.refuse"), false).clicked() {
                        out.push(Intent::Flow(Event::StaffDecision {
                            holder_confirmed: false,
                        }));
                    }
                });
            }
            Screen::CheckingEligibility => self.notice(ui, l, "eligibility.title", "eligibility.body"),
            Screen::RegistrationOffer => {
                self.notice(ui, l, "registration.title", "registration.body");
                self.choice(ui, l, "registration.yes", Event::RegistrationAccepted(true), out);
                self.choice(ui, l, "registration.no", Event::RegistrationAccepted(false), out);
            }
            Screen::EligibilityProblem {
                qualification,
                failure,
            } => {
                self.title(ui, &self.t(l, "problem.title"));
                let key = match (qualification, failure) {
                    (Some(q), _) => format!("problem.{}", q.code()),
                    (None, Some(EligibilityFailure::Timeout | EligibilityFailure::Error)) | (None, None) => {
                        "problem.failure".into()
                    }
                };
                self.body(ui, &self.t(l, &key));
                self.body(ui, &self.t(l, "common.take_card"));
            }
            Screen::NoSharingInfo => {
                self.notice(ui, l, "no_sharing.title", "no_sharing.body");
                self.choice(ui, l, "common.ok", Event::AlertAcknowledged, out);
            }
            Screen::ConsentStart => {
                self.notice(ui, l, "consent.title", "consent.body");
                self.choice(ui, l, "consent.all", Event::ConsentAll(true), out);
                self.choice(ui, l, "consent.none", Event::ConsentAll(false), out);
                self.choice(ui, l, "consent.each", Event::ConsentIndividually, out);
            }
            Screen::ConsentItems { consents } => {
                self.title(ui, &self.t(l, "consent.items_title"));
                for item in CONSENT_ITEMS {
                    let chosen = consents.get(item);
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(self.t(l, &format!("consent.item.{}", item_key(item))))
                                .size(self.metrics.text_mm(6.0)),
                        );
                        for (agree, key) in [(true, "consent.agree"), (false, "consent.disagree")] {
                            let mark = if chosen == Some(agree) { "● " } else { "" };
                            let label = format!("{mark}{}", self.t(l, key));
                            // A stable id per item and answer: the label changes when chosen.
                            // Screen readers hear which item the answer is for ("手術の情報: 同意する"),
                            // and whether it is the chosen one.
                            let spoken = format!(
                                "{}: {}",
                                self.t(l, &format!("consent.item.{}", item_key(item))),
                                self.t(l, key)
                            );
                            let clicked = ui
                                .push_id((item_key(item), agree), |ui| {
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
                    self.choice(ui, l, "consent.next", Event::ConsentNext, out);
                }
            }
            Screen::ConsentReview { consents } => {
                self.title(ui, &self.t(l, "consent.review_title"));
                for item in CONSENT_ITEMS {
                    let answer = match consents.get(item) {
                        Some(true) => self.t(l, "consent.agree"),
                        _ => self.t(l, "consent.disagree"),
                    };
                    self.body(
                        ui,
                        &format!(
                            "{}: {answer}",
                            self.t(l, &format!("consent.item.{}", item_key(item)))
                        ),
                    );
                }
                self.choice(ui, l, "consent.confirm", Event::ConsentConfirmed, out);
                self.choice(ui, l, "consent.change", Event::ConsentChange, out);
            }
            Screen::Prescription => {
                self.title(ui, &self.t(l, "prescription.title"));
                self.choice(
                    ui,
                    l,
                    "prescription.paper",
                    Event::PrescriptionChosen(Prescription::Paper),
                    out,
                );
                self.choice(
                    ui,
                    l,
                    "prescription.electronic",
                    Event::PrescriptionChosen(Prescription::Electronic),
                    out,
                );
            }
            Screen::Saving => self.title(ui, &self.t(l, "saving.title")),
            Screen::Done { name } => {
                self.title(ui, &self.t(l, "done.title"));
                self.body(ui, &self.t(l, "done.body").replace("{name}", name));
            }
            Screen::Counter { reason } => {
                self.title(ui, &self.t(l, "counter.title"));
                self.body(ui, &self.t(l, &format!("counter.{}", counter_key(*reason))));
                self.body(ui, &self.t(l, "common.take_card"));
            }
        }
    }

    /// The PIN (with its tries left) and staff-check choices, offered on the method and face-failed screens.
    fn pin_and_staff(&self, ui: &mut egui::Ui, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Intent>) {
        if let Some(n) = pin
            && self
                .button(ui, &self.t(l, "method.pin").replace("{n}", &n.to_string()), true)
                .clicked()
        {
            out.push(Intent::Flow(Event::MethodChosen(Method::Pin)));
        }
        if staff {
            self.choice(ui, l, "method.staff", Event::StaffHelpChosen, out);
        }
    }

    fn final_notice(&self, ui: &mut egui::Ui, l: Lang, title: &str, body: &str) {
        self.notice(ui, l, title, body);
        self.body(ui, &self.t(l, "common.take_card"));
    }

    /// The hint for the patient (string key `guidance`) above the live picture, on the face and card-front
    /// screens.
    fn live(&self, ui: &mut egui::Ui, l: Lang, guidance: &str, view: &View<'_>) {
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
        self.body(ui, &self.t(l, "pin.entered").replace("{n}", &len.to_string()));
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
            if self.button(ui, &self.t(l, "pin.delete"), false).clicked() {
                self.entry(target).pop();
            }
            if self.button(ui, "0", false).clicked() {
                self.push_digit("0", target);
            }
            let ready = self.entry(target).len() == target.len();
            let confirm = ui
                .add_enabled_ui(ready, |ui| self.button(ui, &self.t(l, "pin.confirm"), false))
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

fn guidance_key(g: GuidanceKind) -> &'static str {
    match g {
        GuidanceKind::NoFace => "NoFace",
        GuidanceKind::SeveralFaces => "SeveralFaces",
        GuidanceKind::TooSmall => "TooSmall",
        GuidanceKind::TooClose => "TooClose",
        GuidanceKind::OffCentre => "OffCentre",
        GuidanceKind::TooDark => "TooDark",
        GuidanceKind::Backlit => "Backlit",
        GuidanceKind::Blurred => "Blurred",
    }
}

fn item_key(i: ConsentItem) -> &'static str {
    match i {
        ConsentItem::Surgery => "Surgery",
        ConsentItem::TreatmentAndMedicine => "TreatmentAndMedicine",
        ConsentItem::HealthCheckups => "HealthCheckups",
    }
}

fn counter_key(r: CounterReason) -> &'static str {
    match r {
        CounterReason::CertificateNotUsable => "CertificateNotUsable",
        CounterReason::NoMethodLeft => "NoMethodLeft",
        CounterReason::StaffRefused => "StaffRefused",
        CounterReason::PinCardError => "PinCardError",
        CounterReason::RegistrationDeclined => "RegistrationDeclined",
        CounterReason::RecordNotSaved => "RecordNotSaved",
        CounterReason::TimedOut => "TimedOut",
    }
}
