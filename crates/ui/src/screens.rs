//! One function per screen of the flow (or per group of alike screens), below the top bar. Each draws
//! its screen and pushes what was pressed; none keeps state beyond the PIN pad's digits.

use crate::style::Palette;
use crate::text::{
    Text, consent_item_text, counter_text, eligibility_failure_text, front_guidance_text, guidance_text,
    method_text, prescription_text, qualification_text,
};
use crate::{KioskUi, PadFor, View, secret_input};
use egui::RichText;
use kiosk_screens::{
    CONSENT_ITEMS, ConsentItem, Consents, CounterReason, EligibilityIssue, FrontGuidanceKind, FrontHold,
    GuidanceKind, Input, Lang, Method, Prescription, Press, Screen, SecretInput, TurnPrompt,
};
use std::fmt::Display;

impl KioskUi {
    /// The flow's screen: one arm per screen, each a notice or a call to that screen's function.
    pub(crate) fn screen(&mut self, ui: &mut egui::Ui, view: &View<'_>, out: &mut Vec<Input>) {
        let l = view.lang;
        match view.screen {
            Screen::Idle => self.idle(ui, l, out),
            Screen::Reading => self.notice(ui, l, Text::ReadingTitle, Text::ReadingBody),
            Screen::NotMyNumberCard => {
                self.final_notice(ui, l, Text::NotMyNumberTitle, Text::NotMyNumberBody)
            }
            Screen::CardUnreadable => self.notice(ui, l, Text::UnreadableTitle, Text::UnreadableBody),
            Screen::ReaderProblem => self.notice(ui, l, Text::ReaderProblemTitle, Text::ReaderProblemBody),
            Screen::PhoneGuide { separate_reader } => self.phone_guide(ui, l, *separate_reader, out),
            Screen::PhonePin {
                tries_left,
                wrong_before,
                verifying,
            } => self.phone_pin(ui, l, (*tries_left, *wrong_before, *verifying), out),
            Screen::PhonePinBlocked => {
                self.phone_notice(ui, l, Text::PhonePinBlockedTitle, Text::PhonePinBlockedBody)
            }
            Screen::PhoneNotConfirmed => {
                self.phone_notice(ui, l, Text::PhoneNotConfirmedTitle, Text::PhoneNotConfirmedBody)
            }
            Screen::PhoneRemovedEarly => self.phone_removed(ui, l, out),
            Screen::CertificateExpiring {
                expires_on,
                days_left,
            } => self.certificate_expiring(ui, l, expires_on, *days_left, out),
            Screen::CertificateExpiredGrace { usable_until } => {
                self.certificate_grace(ui, l, usable_until, out)
            }
            Screen::MethodChoice { face, pin, staff } => self.method_choice(ui, l, *face, *pin, *staff, out),
            Screen::CardFace { guidance, hold } => self.card_face(ui, view, *guidance, *hold),
            Screen::FaceMatching {
                attempt,
                guidance,
                turn: None,
            } => self.face_matching(ui, view, *attempt, *guidance),
            Screen::FaceMatching { turn: Some(turn), .. } => self.face_turn(ui, view, *turn),
            Screen::FaceFailed { pin, staff } => self.face_failed(ui, l, *pin, *staff, out),
            Screen::NoPhotoPinOnly => self.acknowledge(ui, l, Text::NoPhotoTitle, Text::NoPhotoBody, out),
            Screen::PinEntry {
                tries_left,
                last_try,
                wrong_before,
                verifying,
            } => {
                self.pin_status(ui, l, *tries_left, *last_try, *wrong_before);
                self.pin_pad(ui, l, *verifying, out);
            }
            Screen::PinBlocked { face, staff } => self.pin_blocked(ui, l, *face, *staff, out),
            Screen::StaffLogin { failed } => self.staff_login(ui, l, *failed, out),
            // The photo and the verdict are on the staff console, not on the patient's screen.
            Screen::StaffWaiting { .. } => {
                self.notice(ui, l, Text::StaffWaitingTitle, Text::StaffWaitingBody)
            }
            Screen::StaffCheck { front_failed, .. } => self.staff_check(ui, view, *front_failed, out),
            Screen::CheckingEligibility => self.notice(ui, l, Text::EligibilityTitle, Text::EligibilityBody),
            Screen::RegistrationOffer => self.registration_offer(ui, l, out),
            Screen::Registered => self.acknowledge(ui, l, Text::RegisteredTitle, Text::RegisteredBody, out),
            Screen::EligibilityProblem(issue) => self.eligibility_problem(ui, l, *issue),
            Screen::NoSharingInfo => self.acknowledge(ui, l, Text::NoSharingTitle, Text::NoSharingBody, out),
            Screen::ConsentStart => self.consent_start(ui, l, out),
            Screen::ConsentItems { consents } => self.consent_items(ui, l, consents, out),
            Screen::ConsentReview { consents } => self.consent_review(ui, l, consents, out),
            Screen::Prescription => self.prescription(ui, l, out),
            Screen::Saving => self.title(ui, self.t(l, Text::SavingTitle)),
            Screen::Done { name } => self.done(ui, l, name),
            Screen::Counter { reason } => self.counter(ui, l, *reason),
        }
    }

    /// A notice the patient acknowledges before the flow goes on.
    fn acknowledge(&self, ui: &mut egui::Ui, l: Lang, title: Text, body: Text, out: &mut Vec<Input>) {
        self.notice(ui, l, title, body);
        self.choice(ui, l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    fn certificate_expiring(
        &self,
        ui: &mut egui::Ui,
        l: Lang,
        expires_on: impl Display,
        days_left: i64,
        out: &mut Vec<Input>,
    ) {
        self.title(ui, self.t(l, Text::CertExpiringTitle));
        self.body(
            ui,
            &self
                .t(l, Text::CertExpiringBody)
                .replace("{date}", &expires_on.to_string())
                .replace("{n}", &days_left.to_string()),
        );
        self.choice(ui, l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    fn certificate_grace(
        &self,
        ui: &mut egui::Ui,
        l: Lang,
        usable_until: impl Display,
        out: &mut Vec<Input>,
    ) {
        self.title(ui, self.t(l, Text::CertGraceTitle));
        self.body(
            ui,
            &self
                .t(l, Text::CertGraceBody)
                .replace("{date}", &usable_until.to_string()),
        );
        self.choice(ui, l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    fn method_choice(
        &self,
        ui: &mut egui::Ui,
        l: Lang,
        face: bool,
        pin: Option<u8>,
        staff: bool,
        out: &mut Vec<Input>,
    ) {
        self.title(ui, self.t(l, Text::MethodTitle));
        if face {
            let text = method_text(Method::Face);
            self.choice(ui, l, text, Press::MethodChosen(Method::Face), out);
        } else if self.face_loading {
            self.body(ui, self.t(l, Text::MethodFaceLoading));
        }
        self.pin_and_staff(ui, l, pin, staff, out);
    }

    fn face_failed(&self, ui: &mut egui::Ui, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Input>) {
        self.notice(ui, l, Text::FaceFailedTitle, Text::FaceFailedBody);
        self.pin_and_staff(ui, l, pin, staff, out);
    }

    /// The PIN (with its tries left) and staff-check choices, offered on the method and face-failed screens.
    fn pin_and_staff(&self, ui: &mut egui::Ui, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Input>) {
        if let Some(n) = pin {
            let text = self.t(l, method_text(Method::Pin)).replace("{n}", &n.to_string());
            if self.button(ui, &text, true).clicked() {
                out.push(Input::Press(Press::MethodChosen(Method::Pin)));
            }
        }
        if staff {
            self.choice(ui, l, Text::MethodStaff, Press::StaffHelpChosen, out);
        }
    }

    /// The card front for 照合番号B and then the photo: read where it lies by the front camera, or
    /// lifted, shown to the one camera and put back (with a picture of the three steps).
    fn card_face(
        &self,
        ui: &mut egui::Ui,
        view: &View<'_>,
        guidance: Option<FrontGuidanceKind>,
        hold: FrontHold,
    ) {
        let l = view.lang;
        let step = match hold {
            FrontHold::OnReader => {
                self.notice(ui, l, Text::CardFaceOnReaderTitle, Text::CardFaceOnReaderBody);
                return self.live(ui, l, front_guidance_text(guidance), view);
            }
            FrontHold::Lift => 0,
            FrontHold::Away { .. } => 1,
            FrontHold::Checking | FrontHold::Back => 2,
        };
        self.notice(ui, l, Text::CardFaceTitle, Text::CardFaceBody);
        let labels = [
            Text::CardFaceStepLift,
            Text::CardFaceStepShow,
            Text::CardFaceStepBack,
        ]
        .map(|t| self.t(l, t));
        crate::picture::lift_show_return(ui, self.metrics, step, labels);
        match hold {
            FrontHold::Away { .. } => {
                let left = view.card_return_left.unwrap_or(0).to_string();
                self.warning(ui, &self.t(l, Text::CardFaceAway).replace("{n}", &left));
            }
            FrontHold::Checking => self.body(ui, self.t(l, Text::CardFaceChecking)),
            FrontHold::Back => self.body(ui, self.t(l, Text::CardFaceBack)),
            FrontHold::OnReader | FrontHold::Lift => {}
        }
        if !hold.card_out() || matches!(hold, FrontHold::Away { .. }) {
            self.live(ui, l, front_guidance_text(guidance), view);
        }
    }

    fn face_matching(
        &self,
        ui: &mut egui::Ui,
        view: &View<'_>,
        attempt: u32,
        guidance: Option<GuidanceKind>,
    ) {
        let l = view.lang;
        self.title(ui, self.t(l, Text::FaceTitle));
        self.body(
            ui,
            &self.t(l, Text::FaceAttempt).replace("{n}", &attempt.to_string()),
        );
        self.live(ui, l, guidance_text(guidance), view);
    }

    /// The liveness check's head turn: the words, a drawing of the movement, and the live picture.
    fn face_turn(&self, ui: &mut egui::Ui, view: &View<'_>, turn: TurnPrompt) {
        let l = view.lang;
        let title = match turn {
            TurnPrompt::Left => Text::FaceTurnLeft,
            TurnPrompt::Right => Text::FaceTurnRight,
        };
        self.title(ui, self.t(l, title));
        self.body(ui, self.t(l, Text::FaceTurnBody));
        self.turn_picture(ui, turn);
        self.preview(ui, view.preview, view.outline, 70.0);
    }

    /// A face drawn as the patient's mirror image, turned to the asked side, and an arrow that way: the
    /// patient's own left is the left of the screen they look at.
    fn turn_picture(&self, ui: &mut egui::Ui, turn: TurnPrompt) {
        let m = self.metrics;
        let (rect, _) = ui.allocate_exact_size(egui::vec2(m.mm(60.0), m.mm(34.0)), egui::Sense::hover());
        let p = ui.painter_at(rect);
        let sign = match turn {
            TurnPrompt::Left => -1.0,
            TurnPrompt::Right => 1.0,
        };
        let c = rect.center() - egui::vec2(sign * m.mm(10.0), 0.0);
        let r = m.mm(13.0);
        let stroke = egui::Stroke::new(m.mm(1.2), Palette::EMPHASIS);
        // Head outline, eyes and nose shifted towards the turn (the nose leads, the far eye narrows).
        p.circle_stroke(c, r, stroke);
        let shift = sign * r * 0.28;
        let eye_y = c.y - r * 0.15;
        p.circle_filled(
            egui::pos2(c.x - r * 0.35 + shift, eye_y),
            r * if sign < 0.0 { 0.11 } else { 0.08 },
            Palette::EMPHASIS,
        );
        p.circle_filled(
            egui::pos2(c.x + r * 0.35 + shift, eye_y),
            r * if sign > 0.0 { 0.11 } else { 0.08 },
            Palette::EMPHASIS,
        );
        p.line_segment(
            [
                egui::pos2(c.x + shift * 1.3, eye_y + r * 0.1),
                egui::pos2(c.x + shift * 1.6, c.y + r * 0.3),
            ],
            stroke,
        );
        // The arrow.
        let a0 = egui::pos2(c.x + sign * (r + m.mm(4.0)), c.y);
        let a1 = egui::pos2(a0.x + sign * m.mm(14.0), c.y);
        let arrow = egui::Stroke::new(m.mm(2.0), Palette::FACE_FRAME);
        p.line_segment([a0, a1], arrow);
        let head = m.mm(4.0);
        p.line_segment([a1, egui::pos2(a1.x - sign * head, a1.y - head)], arrow);
        p.line_segment([a1, egui::pos2(a1.x - sign * head, a1.y + head)], arrow);
    }

    /// The PIN screen's title, tries left and warnings (above the pad).
    fn pin_status(&self, ui: &mut egui::Ui, l: Lang, tries_left: u8, last_try: bool, wrong_before: bool) {
        self.title(ui, self.t(l, Text::PinTitle));
        self.body(ui, self.t(l, Text::PinProxy));
        if wrong_before {
            self.warning(ui, self.t(l, Text::PinWrong));
        }
        self.body(
            ui,
            &self.t(l, Text::PinTries).replace("{n}", &tries_left.to_string()),
        );
        if last_try {
            self.warning(ui, self.t(l, Text::PinLastTry));
        }
    }

    /// The PIN pad, or a wait while the card checks the digits.
    fn pin_pad(&mut self, ui: &mut egui::Ui, l: Lang, verifying: bool, out: &mut Vec<Input>) {
        if verifying {
            self.body(ui, self.t(l, Text::PinVerifying));
        } else if let Some(digits) = self.pad(ui, l, PadFor::Pin) {
            out.extend(secret_input(SecretInput::Pin, &digits));
        }
    }

    /// A warning line on the PIN screen.
    pub(crate) fn warning(&self, ui: &mut egui::Ui, text: &str) {
        ui.label(
            RichText::new(text)
                .size(self.metrics.text_mm(6.0))
                .color(Palette::WARNING),
        );
    }

    fn pin_blocked(&self, ui: &mut egui::Ui, l: Lang, face: bool, staff: bool, out: &mut Vec<Input>) {
        let body = if face {
            Text::PinBlockedBodyFace
        } else {
            Text::PinBlockedBody
        };
        self.notice(ui, l, Text::PinBlockedTitle, body);
        if face {
            let text = method_text(Method::Face);
            self.choice(ui, l, text, Press::MethodChosen(Method::Face), out);
        }
        if staff {
            self.choice(ui, l, Text::MethodStaff, Press::StaffHelpChosen, out);
        }
    }

    fn staff_login(&mut self, ui: &mut egui::Ui, l: Lang, failed: u32, out: &mut Vec<Input>) {
        self.title(ui, self.t(l, Text::StaffLoginTitle));
        if failed > 0 {
            ui.label(
                RichText::new(
                    self.t(l, Text::StaffLoginFailed)
                        .replace("{n}", &failed.to_string()),
                )
                .color(Palette::WARNING),
            );
        }
        if let Some(code) = self.pad(ui, l, PadFor::StaffCode) {
            out.extend(secret_input(SecretInput::StaffCode, &code));
        }
    }

    /// Staff compare the card photo with the patient (目視確認), and decide.
    fn staff_check(&mut self, ui: &mut egui::Ui, view: &View<'_>, front_failed: bool, out: &mut Vec<Input>) {
        let l = view.lang;
        self.notice(ui, l, Text::StaffCheckTitle, Text::StaffCheckBody);
        if view.staff_photo.is_none() {
            self.staff_check_code(ui, l, front_failed, out);
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
                out.push(Input::Press(Press::StaffDecision {
                    holder_confirmed: true,
                }));
            }
            if self
                .button(ui, self.t(l, Text::StaffCheckRefuse), false)
                .clicked()
            {
                out.push(Input::Press(Press::StaffDecision {
                    holder_confirmed: false,
                }));
            }
        });
    }

    /// No photo yet: it is being read through the card front, or staff type the numbers.
    fn staff_check_code(&mut self, ui: &mut egui::Ui, l: Lang, front_failed: bool, out: &mut Vec<Input>) {
        let (status, colour) = if front_failed {
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
            out.extend(secret_input(SecretInput::CheckCode, &digits));
        }
    }

    fn registration_offer(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        self.notice(ui, l, Text::RegistrationTitle, Text::RegistrationBody);
        self.choice(
            ui,
            l,
            Text::RegistrationYes,
            Press::RegistrationAccepted(true),
            out,
        );
        self.choice(
            ui,
            l,
            Text::RegistrationNo,
            Press::RegistrationAccepted(false),
            out,
        );
    }

    fn eligibility_problem(&self, ui: &mut egui::Ui, l: Lang, issue: EligibilityIssue) {
        self.title(ui, self.t(l, Text::ProblemTitle));
        let reason = match issue {
            EligibilityIssue::Answer(q) => qualification_text(q),
            EligibilityIssue::Failed(f) => Some(eligibility_failure_text(f)),
        };
        if let Some(reason) = reason {
            self.body(ui, self.t(l, reason));
        }
        self.body(ui, self.t(l, Text::CommonTakeCard));
    }

    fn consent_start(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        self.notice(ui, l, Text::ConsentTitle, Text::ConsentBody);
        self.choice(ui, l, Text::ConsentAll, Press::ConsentAll(true), out);
        self.choice(ui, l, Text::ConsentNone, Press::ConsentAll(false), out);
        self.choice(ui, l, Text::ConsentEach, Press::ConsentIndividually, out);
    }

    fn consent_items(&self, ui: &mut egui::Ui, l: Lang, consents: &Consents, out: &mut Vec<Input>) {
        self.title(ui, self.t(l, Text::ConsentItemsTitle));
        for item in CONSENT_ITEMS {
            let chosen = consents.get(item);
            ui.horizontal(|ui| {
                ui.label(RichText::new(self.t(l, consent_item_text(item))).size(self.metrics.text_mm(6.0)));
                for agree in [true, false] {
                    if self.consent_answer(ui, l, item, agree, chosen == Some(agree)) {
                        out.push(Input::Press(Press::ConsentItemChosen(item, agree)));
                    }
                }
            });
        }
        if consents.complete() {
            self.choice(ui, l, Text::ConsentNext, Press::ConsentNext, out);
        }
    }

    /// One answer button for a consent item; true when pressed.
    fn consent_answer(
        &self,
        ui: &mut egui::Ui,
        l: Lang,
        item: ConsentItem,
        agree: bool,
        chosen: bool,
    ) -> bool {
        let answer = if agree {
            Text::ConsentAgree
        } else {
            Text::ConsentDisagree
        };
        let mark = if chosen { "● " } else { "" };
        let label = format!("{mark}{}", self.t(l, answer));
        // A stable id per item and answer: the label changes when chosen.
        // Screen readers hear which item the answer is for ("手術の情報: 同意する"),
        // and whether it is the chosen one.
        let spoken = format!("{}: {}", self.t(l, consent_item_text(item)), self.t(l, answer));
        ui.push_id((consent_item_text(item), agree), |ui| {
            let r = self.button(ui, &label, false);
            r.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, chosen, &spoken));
            r.clicked()
        })
        .inner
    }

    fn consent_review(&self, ui: &mut egui::Ui, l: Lang, consents: &Consents, out: &mut Vec<Input>) {
        self.title(ui, self.t(l, Text::ConsentReviewTitle));
        for item in CONSENT_ITEMS {
            let answer = match consents.get(item) {
                Some(true) => self.t(l, Text::ConsentAgree),
                _ => self.t(l, Text::ConsentDisagree),
            };
            self.body(ui, &format!("{}: {answer}", self.t(l, consent_item_text(item))));
        }
        self.choice(ui, l, Text::ConsentConfirm, Press::ConsentConfirmed, out);
        self.choice(ui, l, Text::ConsentChange, Press::ConsentChange, out);
    }

    fn prescription(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        self.title(ui, self.t(l, Text::PrescriptionTitle));
        for p in [Prescription::Paper, Prescription::Electronic] {
            self.choice(ui, l, prescription_text(p), Press::PrescriptionChosen(p), out);
        }
    }

    fn done(&self, ui: &mut egui::Ui, l: Lang, name: &str) {
        self.title(ui, self.t(l, Text::DoneTitle));
        self.body(ui, &self.t(l, Text::DoneBody).replace("{name}", name));
        // The card replaces the insurance papers, not the 公費 certificates: the leaflets ask patients
        // to show those at the counter.
        self.body(ui, self.t(l, Text::DonePublicExpense));
    }

    fn counter(&self, ui: &mut egui::Ui, l: Lang, reason: CounterReason) {
        self.title(ui, self.t(l, Text::CounterTitle));
        self.body(ui, self.t(l, counter_text(reason)));
        self.body(ui, self.t(l, Text::CommonTakeCard));
    }
}
