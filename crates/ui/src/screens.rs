//! One function per screen of the flow (or per group of alike screens), below the top bar. Each draws
//! its screen and pushes what was pressed; none keeps state beyond the PIN pad's digits.

use crate::layout::Panes;
use crate::picture;
use crate::style::Palette;
use crate::text::{
    Text, consent_item_text, counter_text, eligibility_failure_text, front_guidance_text, guidance_text,
    method_text, prescription_text, qualification_text,
};
use crate::{KioskUi, Look, PadFor, View, secret_input};
use kiosk_screens::{
    CONSENT_ITEMS, ConsentItem, Consents, CounterReason, EligibilityIssue, FrontGuidanceKind, FrontHold,
    GuidanceKind, Input, Lang, Method, Prescription, Press, Screen, SecretInput, TurnPrompt,
};

/// The picture under a notice.
#[derive(Debug, Clone, Copy)]
enum Pic {
    /// The card on the reader.
    Card,
    /// A member of staff.
    Staff,
    /// The consent sheet (the record being saved).
    Sheet,
}

impl KioskUi {
    /// The flow's screen: one arm per screen, each a notice or a call to that screen's function.
    pub(crate) fn screen(&mut self, p: &mut Panes, view: &View<'_>, out: &mut Vec<Input>) {
        let l = view.lang;
        match view.screen {
            Screen::Idle => self.idle(p, l, out),
            // A notice and a picture, nothing to press (the staff check's photo and verdict are on the
            // staff console, not on the patient's screen).
            Screen::Reading
            | Screen::NotMyNumberCard
            | Screen::CardUnreadable
            | Screen::ReaderProblem
            | Screen::StaffWaiting { .. }
            | Screen::CheckingEligibility
            | Screen::Saving => self.pictured(p.info(), l, view.screen),
            Screen::PhoneGuide { separate_reader } => self.phone_guide(p, l, *separate_reader),
            Screen::PhonePin {
                tries_left,
                wrong_before,
                verifying,
            } => self.phone_pin(p, l, (*tries_left, *wrong_before, *verifying), out),
            Screen::PhonePinBlocked => {
                self.phone_notice(p, l, Text::PhonePinBlockedTitle, Text::PhonePinBlockedBody)
            }
            Screen::PhoneNotConfirmed => {
                self.phone_notice(p, l, Text::PhoneNotConfirmedTitle, Text::PhoneNotConfirmedBody)
            }
            Screen::PhoneRemovedEarly => self.phone_removed(p, l, out),
            Screen::CertificateExpiring { .. } | Screen::CertificateExpiredGrace { .. } => {
                self.certificate_notice(p, l, view.screen, out)
            }
            Screen::MethodChoice { face, pin, staff } => self.method_choice(p, l, *face, *pin, *staff, out),
            Screen::CardFace { guidance, hold } => self.card_face(p, view, *guidance, *hold),
            Screen::FaceMatching {
                attempt,
                guidance,
                turn: None,
            } => self.face_matching(p, view, *attempt, *guidance),
            Screen::FaceMatching { turn: Some(turn), .. } => self.face_turn(p, view, *turn),
            Screen::FaceFailed { pin, staff } => self.face_failed(p, l, *pin, *staff, out),
            Screen::NoPhotoPinOnly => self.acknowledge(p, l, Text::NoPhotoTitle, Text::NoPhotoBody, out),
            Screen::PinEntry {
                tries_left,
                last_try,
                wrong_before,
                verifying,
            } => {
                self.pin_status(p.info(), l, *tries_left, *last_try, *wrong_before);
                self.pin_pad(p.act(), l, *verifying, out);
            }
            Screen::PinBlocked { face, staff } => self.pin_blocked(p, l, *face, *staff, out),
            Screen::StaffLogin { failed } => self.staff_login(p, l, *failed, out),
            Screen::StaffCheck { front_failed, .. } => self.staff_check(p, view, *front_failed, out),
            Screen::RegistrationOffer => self.registration_offer(p, l, out),
            Screen::Registered => self.acknowledge(p, l, Text::RegisteredTitle, Text::RegisteredBody, out),
            Screen::EligibilityProblem(issue) => self.eligibility_problem(p, l, *issue),
            Screen::NoSharingInfo => self.acknowledge(p, l, Text::NoSharingTitle, Text::NoSharingBody, out),
            Screen::ConsentStart => self.consent_start(p, l, out),
            Screen::ConsentItems { consents } => self.consent_items(p, l, consents, out),
            Screen::ConsentReview { consents } => self.consent_review(p, l, consents, out),
            Screen::Prescription => self.prescription(p, l, out),
            Screen::Done { name } => self.done(p, l, name),
            Screen::Counter { reason } => self.counter(p, l, *reason),
            Screen::Stopped => self.stopped(p, l),
        }
    }

    /// A notice the patient acknowledges before the flow goes on.
    fn acknowledge(&self, p: &mut Panes, l: Lang, title: Text, body: Text, out: &mut Vec<Input>) {
        self.notice(p.info(), l, title, body);
        picture::card_on_reader(p.info(), self.metrics, 35.0);
        self.choice(p.act(), l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    /// The certificate's renewal notices: the date spelled out, acknowledged with 「確認しました」.
    fn certificate_notice(&self, p: &mut Panes, l: Lang, screen: &Screen, out: &mut Vec<Input>) {
        let (title, body) = match screen {
            Screen::CertificateExpiring {
                expires_on,
                days_left,
            } => (
                Text::CertExpiringTitle,
                self.t(l, Text::CertExpiringBody)
                    .replace(
                        "{date}",
                        &date_text(l, expires_on.year, expires_on.month, expires_on.day),
                    )
                    .replace("{n}", &days_left.to_string()),
            ),
            Screen::CertificateExpiredGrace { usable_until } => (
                Text::CertGraceTitle,
                self.t(l, Text::CertGraceBody).replace(
                    "{date}",
                    &date_text(l, usable_until.year, usable_until.month, usable_until.day),
                ),
            ),
            _ => return,
        };
        self.title(p.info(), self.t(l, title));
        self.body(p.info(), &body);
        picture::card_on_reader(p.info(), self.metrics, 35.0);
        self.choice(p.act(), l, Text::CommonOk, Press::AlertAcknowledged, out);
    }

    /// A notice with a picture below it, for the screens with nothing to press.
    fn pictured(&self, ui: &mut egui::Ui, l: Lang, screen: &Screen) {
        let (title, body, pic) = match screen {
            Screen::Reading => (Text::ReadingTitle, Some(Text::ReadingBody), Pic::Card),
            Screen::NotMyNumberCard => (Text::NotMyNumberTitle, Some(Text::NotMyNumberBody), Pic::Card),
            Screen::CardUnreadable => (Text::UnreadableTitle, Some(Text::UnreadableBody), Pic::Card),
            Screen::ReaderProblem => (
                Text::ReaderProblemTitle,
                Some(Text::ReaderProblemBody),
                Pic::Staff,
            ),
            Screen::StaffWaiting { .. } => {
                (Text::StaffWaitingTitle, Some(Text::StaffWaitingBody), Pic::Staff)
            }
            Screen::CheckingEligibility => (Text::EligibilityTitle, Some(Text::EligibilityBody), Pic::Card),
            _ => (Text::SavingTitle, None, Pic::Sheet),
        };
        self.title(ui, self.t(l, title));
        if let Some(body) = body {
            self.body(ui, self.t(l, body));
        }
        if matches!(screen, Screen::NotMyNumberCard) {
            self.warning(ui, self.t(l, Text::CommonTakeCard));
        }
        match pic {
            Pic::Card => picture::card_on_reader(ui, self.metrics, 45.0),
            Pic::Staff => picture::staff(ui, self.metrics, 45.0),
            Pic::Sheet => picture::document(ui, self.metrics, 40.0),
        }
    }

    fn method_choice(
        &self,
        p: &mut Panes,
        l: Lang,
        face: bool,
        pin: Option<u8>,
        staff: bool,
        out: &mut Vec<Input>,
    ) {
        self.title(p.info(), self.t(l, Text::MethodTitle));
        if face {
            picture::camera_here(p.info(), self.metrics, 45.0);
            let text = method_text(Method::Face);
            self.choice(p.act(), l, text, Press::MethodChosen(Method::Face), out);
        } else if self.face_loading {
            self.body(p.info(), self.t(l, Text::MethodFaceLoading));
        }
        self.pin_and_staff(p, l, pin, staff, out);
    }

    fn face_failed(&self, p: &mut Panes, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Input>) {
        self.notice(p.info(), l, Text::FaceFailedTitle, Text::FaceFailedBody);
        self.pin_and_staff(p, l, pin, staff, out);
    }

    /// The PIN (with its tries left) as a way to prove who one is, and, set apart and worded as help,
    /// asking staff: staff confirming the holder is not a method among equals for the patient to pick,
    /// it is what happens when neither works.
    fn pin_and_staff(&self, p: &mut Panes, l: Lang, pin: Option<u8>, staff: bool, out: &mut Vec<Input>) {
        if let Some(n) = pin {
            let text = self.t(l, method_text(Method::Pin)).replace("{n}", &n.to_string());
            if self.button(p.act(), &text, true).clicked() {
                out.push(Input::Press(Press::MethodChosen(Method::Pin)));
            }
        }
        if staff {
            self.staff_help(p.act(), l, out);
        }
    }

    /// 「係員に手伝ってもらう」 below a line saying when to use it, outlined rather than filled.
    fn staff_help(&self, ui: &mut egui::Ui, l: Lang, out: &mut Vec<Input>) {
        ui.add_space(self.metrics.mm(4.0));
        self.body(ui, self.t(l, Text::MethodStaffNote));
        let width = ui.available_width().min(self.metrics.mm(150.0));
        if self
            .button_look(ui, self.t(l, Text::MethodStaff), Look::Quiet, width)
            .clicked()
        {
            out.push(Input::Press(Press::StaffHelpChosen));
        }
    }

    /// The card front for 照合番号B and then the photo: read where it lies by the front camera, or
    /// lifted, shown to the one camera and put back (with a picture of the three steps).
    fn card_face(
        &self,
        p: &mut Panes,
        view: &View<'_>,
        guidance: Option<FrontGuidanceKind>,
        hold: FrontHold,
    ) {
        let l = view.lang;
        let step = match hold {
            FrontHold::OnReader => {
                self.notice(
                    p.info(),
                    l,
                    Text::CardFaceOnReaderTitle,
                    Text::CardFaceOnReaderBody,
                );
                picture::card_on_reader(p.info(), self.metrics, 35.0);
                return self.live(p, l, front_guidance_text(guidance), view);
            }
            FrontHold::Lift => 0,
            FrontHold::Away { .. } => 1,
            FrontHold::Checking | FrontHold::Back => 2,
        };
        self.notice(p.info(), l, Text::CardFaceTitle, Text::CardFaceBody);
        let labels = [
            Text::CardFaceStepLift,
            Text::CardFaceStepShow,
            Text::CardFaceStepBack,
        ]
        .map(|t| self.t(l, t));
        picture::lift_show_return(p.info(), self.metrics, step, labels);
        match hold {
            FrontHold::Away { .. } => {
                let left = view.card_return_left.unwrap_or(0).to_string();
                self.warning(p.info(), &self.t(l, Text::CardFaceAway).replace("{n}", &left));
            }
            FrontHold::Checking => self.body(p.info(), self.t(l, Text::CardFaceChecking)),
            FrontHold::Back => self.body(p.info(), self.t(l, Text::CardFaceBack)),
            FrontHold::OnReader | FrontHold::Lift => {}
        }
        if !hold.card_out() || matches!(hold, FrontHold::Away { .. }) {
            self.live(p, l, front_guidance_text(guidance), view);
        }
    }

    fn face_matching(&self, p: &mut Panes, view: &View<'_>, attempt: u32, guidance: Option<GuidanceKind>) {
        let l = view.lang;
        self.title(p.info(), self.t(l, Text::FaceTitle));
        self.body(
            p.info(),
            &self.t(l, Text::FaceAttempt).replace("{n}", &attempt.to_string()),
        );
        picture::camera_here(p.info(), self.metrics, 40.0);
        self.live(p, l, guidance_text(guidance), view);
    }

    /// The liveness check's head turn: the words, a drawing of the movement, and the live picture.
    fn face_turn(&self, p: &mut Panes, view: &View<'_>, turn: TurnPrompt) {
        let l = view.lang;
        let title = match turn {
            TurnPrompt::Left => Text::FaceTurnLeft,
            TurnPrompt::Right => Text::FaceTurnRight,
        };
        self.title(p.info(), self.t(l, title));
        self.body(p.info(), self.t(l, Text::FaceTurnBody));
        self.turn_picture(p.info(), turn, view.turn_progress);
        self.preview(p.act(), view.preview, view.outline, 200.0);
    }

    /// A face drawn as the patient's mirror image, turned to the asked side, and an arrow that way: the
    /// patient's own left is the left of the screen they look at. With `progress` (the turn so far,
    /// 0 to 1) a bar below fills the arrow's way as the patient turns: "a little" is the patient's
    /// measure, the check has its own.
    fn turn_picture(&self, ui: &mut egui::Ui, turn: TurnPrompt, progress: Option<f32>) {
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
        if let Some(done) = progress {
            self.turn_meter(ui, sign, done);
        }
    }

    /// How far the turn has come: a wide grey bar that fills the way the arrow points, green with a
    /// check mark at its end once the turn is enough.
    fn turn_meter(&self, ui: &mut egui::Ui, sign: f32, done: f32) {
        let m = self.metrics;
        ui.add_space(m.mm(2.0));
        let (rect, _) = ui.allocate_exact_size(egui::vec2(m.mm(80.0), m.mm(9.0)), egui::Sense::hover());
        let p = ui.painter_at(rect);
        let round = m.mm(4.5);
        p.rect_filled(rect, round, Palette::FUTURE_STEP);
        let done = done.clamp(0.0, 1.0);
        let width = rect.width() * done;
        let fill = if sign < 0.0 {
            egui::Rect::from_min_max(egui::pos2(rect.right() - width, rect.top()), rect.max)
        } else {
            egui::Rect::from_min_max(rect.min, egui::pos2(rect.left() + width, rect.bottom()))
        };
        if done > 0.0 {
            p.rect_filled(fill, round, Palette::FACE_FRAME);
        }
        p.rect_stroke(
            rect,
            round,
            egui::Stroke::new(m.mm(0.5), Palette::EMPHASIS),
            egui::StrokeKind::Inside,
        );
        if done >= 1.0 {
            // A check mark at the far end: enough.
            let end = if sign < 0.0 {
                rect.left() + m.mm(6.0)
            } else {
                rect.right() - m.mm(6.0)
            };
            let y = rect.center().y;
            let tick = egui::Stroke::new(m.mm(1.2), Palette::ON_BUTTON);
            p.line_segment(
                [
                    egui::pos2(end - m.mm(2.5), y),
                    egui::pos2(end - m.mm(0.8), y + m.mm(2.0)),
                ],
                tick,
            );
            p.line_segment(
                [
                    egui::pos2(end - m.mm(0.8), y + m.mm(2.0)),
                    egui::pos2(end + m.mm(2.5), y - m.mm(2.2)),
                ],
                tick,
            );
        }
    }

    /// The PIN screen's title, tries left and warnings (beside or above the pad).
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
    pub(crate) fn pin_pad(&mut self, ui: &mut egui::Ui, l: Lang, verifying: bool, out: &mut Vec<Input>) {
        if verifying {
            self.body(ui, self.t(l, Text::PinVerifying));
        } else if let Some(digits) = self.pad(ui, l, PadFor::Pin) {
            out.extend(secret_input(SecretInput::Pin, &digits));
        }
    }

    fn pin_blocked(&self, p: &mut Panes, l: Lang, face: bool, staff: bool, out: &mut Vec<Input>) {
        let body = if face {
            Text::PinBlockedBodyFace
        } else {
            Text::PinBlockedBody
        };
        self.notice(p.info(), l, Text::PinBlockedTitle, body);
        if face {
            picture::camera_here(p.info(), self.metrics, 35.0);
            let text = method_text(Method::Face);
            self.choice(p.act(), l, text, Press::MethodChosen(Method::Face), out);
        }
        if staff {
            self.staff_help(p.act(), l, out);
        }
    }

    fn staff_login(&mut self, p: &mut Panes, l: Lang, failed: u32, out: &mut Vec<Input>) {
        self.title(p.info(), self.t(l, Text::StaffLoginTitle));
        if failed > 0 {
            let text = self
                .t(l, Text::StaffLoginFailed)
                .replace("{n}", &failed.to_string());
            self.warning(p.info(), &text);
        }
        if let Some(code) = self.pad(p.act(), l, PadFor::StaffCode) {
            out.extend(secret_input(SecretInput::StaffCode, &code));
        }
    }

    /// Staff compare the card photo with the patient (目視確認), and decide.
    fn staff_check(&mut self, p: &mut Panes, view: &View<'_>, front_failed: bool, out: &mut Vec<Input>) {
        let l = view.lang;
        self.notice(p.info(), l, Text::StaffCheckTitle, Text::StaffCheckBody);
        if view.staff_photo.is_none() {
            self.staff_check_code(p, l, front_failed, out);
        }
        let decide = |this: &Self, ui: &mut egui::Ui, out: &mut Vec<Input>| {
            for (text, holder_confirmed) in [(Text::StaffCheckConfirm, true), (Text::StaffCheckRefuse, false)]
            {
                if this.button(ui, this.t(l, text), false).clicked() {
                    out.push(Input::Press(Press::StaffDecision { holder_confirmed }));
                }
            }
        };
        let ui = p.info();
        let half = (ui.available_width() - self.metrics.mm(3.0)) / 2.0;
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.set_max_width(half);
                self.body(ui, self.t(l, Text::StaffCheckCardPhoto));
                self.preview(ui, view.staff_photo, None, 60.0);
            });
            ui.vertical(|ui| {
                ui.set_max_width(half);
                self.preview(ui, view.preview, view.outline, 80.0);
            });
        });
        decide(self, p.act(), out);
    }

    /// No photo yet: it is being read through the card front, or staff type the numbers.
    fn staff_check_code(&mut self, p: &mut Panes, l: Lang, front_failed: bool, out: &mut Vec<Input>) {
        if front_failed {
            self.warning(p.info(), self.t(l, Text::StaffCheckRefused));
        } else {
            self.body(p.info(), self.t(l, Text::StaffCheckReading));
        }
        self.body(p.info(), self.t(l, Text::StaffCheckType));
        if let Some(digits) = self.pad(p.act(), l, PadFor::CheckCode) {
            out.extend(secret_input(SecretInput::CheckCode, &digits));
        }
    }

    fn registration_offer(&self, p: &mut Panes, l: Lang, out: &mut Vec<Input>) {
        self.notice(p.info(), l, Text::RegistrationTitle, Text::RegistrationBody);
        picture::card_on_reader(p.info(), self.metrics, 35.0);
        self.choice(
            p.act(),
            l,
            Text::RegistrationYes,
            Press::RegistrationAccepted(true),
            out,
        );
        self.choice(
            p.act(),
            l,
            Text::RegistrationNo,
            Press::RegistrationAccepted(false),
            out,
        );
    }

    fn eligibility_problem(&self, p: &mut Panes, l: Lang, issue: EligibilityIssue) {
        let ui = p.info();
        self.title(ui, self.t(l, Text::ProblemTitle));
        let reason = match issue {
            EligibilityIssue::Answer(q) => qualification_text(q),
            EligibilityIssue::Failed(f) => Some(eligibility_failure_text(f)),
        };
        if let Some(reason) = reason {
            self.body(ui, self.t(l, reason));
        }
        self.warning(ui, self.t(l, Text::CommonTakeCard));
        picture::staff(ui, self.metrics, 30.0);
    }

    fn consent_start(&self, p: &mut Panes, l: Lang, out: &mut Vec<Input>) {
        self.notice(p.info(), l, Text::ConsentTitle, Text::ConsentBody);
        picture::document(p.info(), self.metrics, 40.0);
        let ui = p.act();
        self.choice(ui, l, Text::ConsentAll, Press::ConsentAll(true), out);
        self.choice(ui, l, Text::ConsentNone, Press::ConsentAll(false), out);
        self.choice(ui, l, Text::ConsentEach, Press::ConsentIndividually, out);
    }

    /// Each item with its two answers side by side; the chosen one filled and checked. 「次へ」 is
    /// always there, greyed with the reason until every item has an answer.
    fn consent_items(&self, p: &mut Panes, l: Lang, consents: &Consents, out: &mut Vec<Input>) {
        let m = self.metrics;
        self.title(p.info(), self.t(l, Text::ConsentItemsTitle));
        let ui = p.info();
        for item in CONSENT_ITEMS {
            let chosen = consents.get(item);
            self.text(ui, self.t(l, consent_item_text(item)), 5.0, Palette::TEXT, true);
            let half = (ui.available_width() - m.mm(3.0)) / 2.0;
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = m.mm(3.0);
                for agree in [true, false] {
                    if self.consent_answer(ui, l, item, agree, chosen == Some(agree), half) {
                        out.push(Input::Press(Press::ConsentItemChosen(item, agree)));
                    }
                }
            });
            ui.add_space(m.mm(1.0));
        }
        let ui = p.act();
        let width = ui.available_width().min(m.mm(150.0));
        if consents.complete() {
            self.choice(ui, l, Text::ConsentNext, Press::ConsentNext, out);
        } else {
            self.button_look(ui, self.t(l, Text::ConsentNext), Look::Disabled, width);
            self.body(ui, self.t(l, Text::ConsentNextNote));
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
        width: f32,
    ) -> bool {
        let answer = if agree {
            Text::ConsentAgree
        } else {
            Text::ConsentDisagree
        };
        // A stable id per item and answer. Screen readers hear which item the answer is for
        // ("手術の情報: 同意する"), and whether it is the chosen one.
        let spoken = format!("{}: {}", self.t(l, consent_item_text(item)), self.t(l, answer));
        ui.push_id((consent_item_text(item), agree), |ui| {
            let r = self.button_look(ui, self.t(l, answer), Look::Answer(chosen), width);
            r.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, chosen, &spoken));
            r.clicked()
        })
        .inner
    }

    fn consent_review(&self, p: &mut Panes, l: Lang, consents: &Consents, out: &mut Vec<Input>) {
        self.title(p.info(), self.t(l, Text::ConsentReviewTitle));
        let colon = if l == Lang::Ja { "：" } else { ": " };
        for item in CONSENT_ITEMS {
            let answer = match consents.get(item) {
                Some(true) => self.t(l, Text::ConsentAgree),
                _ => self.t(l, Text::ConsentDisagree),
            };
            let line = format!("{}{colon}{answer}", self.t(l, consent_item_text(item)));
            self.text(p.info(), &line, 5.0, Palette::TEXT, true);
        }
        self.choice(p.act(), l, Text::ConsentConfirm, Press::ConsentConfirmed, out);
        self.choice(p.act(), l, Text::ConsentChange, Press::ConsentChange, out);
    }

    fn prescription(&self, p: &mut Panes, l: Lang, out: &mut Vec<Input>) {
        self.title(p.info(), self.t(l, Text::PrescriptionTitle));
        picture::document(p.info(), self.metrics, 40.0);
        for rx in [Prescription::Paper, Prescription::Electronic] {
            self.choice(
                p.act(),
                l,
                prescription_text(rx),
                Press::PrescriptionChosen(rx),
                out,
            );
        }
    }

    fn done(&self, p: &mut Panes, l: Lang, name: &str) {
        let ui = p.info();
        self.title(ui, self.t(l, Text::DoneTitle));
        self.body(ui, &self.t(l, Text::DoneBody).replace("{name}", name));
        // The card replaces the insurance papers, not the 公費 certificates: the leaflets ask patients
        // to show those at the counter.
        self.body(ui, self.t(l, Text::DonePublicExpense));
        picture::done(ui, self.metrics, 45.0);
    }

    /// The patient stopped the reception: nothing was kept; take the card (and place it again to start
    /// over).
    fn stopped(&self, p: &mut Panes, l: Lang) {
        let ui = p.info();
        self.notice(ui, l, Text::StoppedTitle, Text::StoppedBody);
        self.warning(ui, self.t(l, Text::CommonTakeCard));
        picture::card_on_reader(ui, self.metrics, 40.0);
    }

    fn counter(&self, p: &mut Panes, l: Lang, reason: CounterReason) {
        let ui = p.info();
        self.title(ui, self.t(l, Text::CounterTitle));
        self.body(ui, self.t(l, counter_text(reason)));
        self.warning(ui, self.t(l, Text::CommonTakeCard));
        picture::staff(ui, self.metrics, 40.0);
    }
}

/// A date as the patient reads it: 令和9年（2027年）1月20日 in Japanese (the 令和 year first, as on
/// municipal notices, the Western year beside it), 20 January 2027 in English, and each other
/// language's own way.
pub(crate) fn date_text(l: Lang, year: i32, month: u8, day: u8) -> String {
    match l {
        Lang::Ja => {
            // 令和 began on 2019-05-01 (令和元年); earlier dates keep the Western year alone.
            if (year, month) >= (2019, 5) {
                let reiwa = year - 2018;
                let era = if reiwa == 1 {
                    "元".to_owned()
                } else {
                    reiwa.to_string()
                };
                format!("令和{era}年（{year}年）{month}月{day}日")
            } else {
                format!("{year}年{month}月{day}日")
            }
        }
        // The other languages' own order and words (kiosk-screens' Lang::date).
        _ => l.date(kiosk_screens::Date { year, month, day }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_japanese_dates() {
        assert_eq!(date_text(Lang::Ja, 2027, 1, 20), "令和9年（2027年）1月20日");
        assert_eq!(date_text(Lang::Ja, 2019, 5, 1), "令和元年（2019年）5月1日");
        assert_eq!(date_text(Lang::Ja, 2019, 4, 30), "2019年4月30日");
        assert_eq!(date_text(Lang::En, 2027, 2, 10), "10 February 2027");
    }
}
