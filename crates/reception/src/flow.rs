//! The reception flow: a deterministic state machine. `Flow::handle(event)` returns the effects for the
//! workers; the screen to show is `Flow::screen()`. No IO, no clock: time arrives as `Event::Tick(now)`.
//!
//! Rules (docs/RECEPTION.md): read → certificate policy → method (face or PIN; staff visual check) →
//! eligibility → consent (skipped when sharing is not allowed) → prescription → record → done. The card
//! leaving at any step wipes the session and returns to idle, with one exception: on a one-camera kiosk the
//! patient lifts the card to show its front on the card-face step, and the session waits a limited time
//! for the same card ([`Cameras::FaceOnly`]). Inactivity shows a warning with "more time".

use crate::attempts::{CardKey, FaceAttempts};
use crate::event::{Effect, Event, StaffCall};
use crate::types::{
    CardFaceOutcome, CardFacts, CardRead, EligibilityAnswer, FaceEvent, Phone, PinCheckFailed, ReadFailure,
    ReceptionRecord, ReturnRefused, VerifiedBy, WorkerResult,
};
use kiosk_mynumber::{CardKind, CertificateStatus, PinOutcome, PinStatus};
use kiosk_screens::{
    Consents, CounterReason, EligibilityFailure, EligibilityIssue, FrontGuidanceKind, FrontHold, Lang,
    Method, Prescription, Press, Qualification, Screen, SecretInput, TurnPrompt, Way,
};

/// Which cameras the kiosk has, which decides how the card front reaches one (issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cameras {
    /// A face camera and a front camera looking down at the reader: the card stays on the reader from
    /// placed to 「完了」; its removal ends the session on every screen.
    FaceAndFront,
    /// Only the face camera: on the card-face step the patient lifts the card, shows its front and puts
    /// it back. The session survives that one removal for `card_return_secs`, and goes on only with the
    /// same card (its user-authentication certificate, compared byte for byte), read again.
    FaceOnly { card_return_secs: i64 },
}

/// How long a one-camera kiosk waits for the card to be put back, by default.
pub const CARD_RETURN_SECS: i64 = 20;

/// Tunable limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowConfig {
    /// Seconds without input before the time-out warning appears.
    pub idle_secs: i64,
    /// How long the warning shows before the session ends (WCAG 2.2.1: at least 20 s).
    pub warning_secs: i64,
    /// How often "more time" may be pressed in one session (WCAG 2.2.1: at least 10).
    pub max_extensions: u32,
    /// Face-matching attempts before offering the PIN or staff.
    pub face_attempts: u32,
    /// Face-matching attempts per card per day (counted by a hash of the certificate; see `FaceAttempts`).
    pub face_attempts_per_card_per_day: u32,
    /// Wrong staff codes before the staff login gives up.
    pub staff_code_attempts: u32,
    /// Whether the face path can be offered at all (models loaded, camera present).
    pub face_enabled: bool,
    /// Whether smartphones go to a reader of their own beside the card reader (`[reader.phone]`).
    pub separate_phone_reader: bool,
    pub cameras: Cameras,
    /// Seconds a final screen (「完了」, 「受付にお声がけください」) shows before the kiosk returns to the
    /// card invitation, card taken or not: the next patient never sees the previous one's name.
    pub final_secs: i64,
    /// How staff do the visual check: from the staff console (default), or on the kiosk's own
    /// code pad (an opt-in fallback).
    pub staff_check: StaffCheckBy,
    /// The language the screens start in, and return to for each next patient (`language` in kiosk.toml).
    pub language: Lang,
}

/// Where staff confirm the holder in the visual check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffCheckBy {
    /// From their own screen, the staff console: the kiosk shows 「係員が確認します」 and waits for
    /// the verdict (`Event::StaffVerdict`).
    #[default]
    Console,
    /// On the kiosk: a staff code on the pad, then the photo and the buttons on the patient's screen.
    CodePad,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            idle_secs: 60,
            warning_secs: 30,
            max_extensions: 10,
            face_attempts: 2,
            face_attempts_per_card_per_day: 4,
            staff_code_attempts: 3,
            face_enabled: true,
            separate_phone_reader: false,
            cameras: Cameras::FaceOnly {
                card_return_secs: CARD_RETURN_SECS,
            },
            staff_check: StaffCheckBy::Console,
            final_secs: 30,
            language: Lang::Ja,
        }
    }
}

/// Whether the card's photo is known: read (face matching can start), absent (a card issued under the
/// age of one), or not read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Photo {
    #[default]
    Unknown,
    Ready,
    Absent,
}

/// One patient's reception, from card inserted to card removed.
#[derive(Debug, Default)]
struct Session {
    facts: Option<CardFacts>,
    photo: Photo,
    verified: Option<VerifiedBy>,
    eligibility: Option<EligibilityAnswer>,
    consents: Consents,
    consent_time: Option<i64>,
    extensions: u32,
    started_at: i64,
    /// The choice screen the patient last chose a way to prove who they are on (method choice, face
    /// failed, PIN locked, no photo): where 「戻る」 from the PIN pad or the face camera, and an abandoned
    /// staff login, lead. Only its kind is used: it is drawn again from what holds now (tries left).
    method_screen: Option<Screen>,
    /// Face-matching attempts started in this reception: going back and choosing face again goes on
    /// counting, so back never gives more attempts than `FlowConfig::face_attempts`.
    face_tries: u32,
    /// The per-item consent answers the patient gave, kept when they go back from the items or the
    /// review, so an answer that still stands is not asked again.
    consent_draft: Option<Consents>,
    /// A smartphone reception (issue 16): which phone, once its token is read.
    phone: Option<Phone>,
    /// The card-face read answered while the card was out (one-camera kiosk): applied once the same card
    /// is back and read again.
    face_read_waiting: Option<CardFaceOutcome>,
}

/// The reception flow.
#[derive(Debug)]
pub struct Flow {
    config: FlowConfig,
    screen: Screen,
    lang: Lang,
    help: bool,
    now: i64,
    last_input: i64,
    /// When the time-out warning ends, while it shows.
    warning_until: Option<i64>,
    session: Option<Session>,
    next_reception_id: u64,
    /// The watched reader is gone (see [`Event::ReaderAvailable`]).
    reader_away: bool,
    /// Visual-check calls made so far (the current one's number is [`Flow::staff_call`]).
    staff_calls: u64,
    /// Face attempts of the day per card (hashes only).
    face_attempts: FaceAttempts,
}

impl Flow {
    pub fn new(config: FlowConfig, now: i64) -> Flow {
        Flow {
            config,
            screen: Screen::Idle,
            lang: config.language,
            help: false,
            now,
            last_input: now,
            warning_until: None,
            session: None,
            next_reception_id: 1,
            reader_away: false,
            staff_calls: 0,
            face_attempts: FaceAttempts::new(config.face_attempts_per_card_per_day),
        }
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    pub fn help_requested(&self) -> bool {
        self.help
    }
    /// Seconds left before the session ends, while the time-out warning shows.
    pub fn timeout_warning(&self) -> Option<i64> {
        self.warning_until.map(|t| (t - self.now).max(0))
    }
    /// Seconds left to put the card back, while a one-camera kiosk waits for it.
    pub fn card_return_left(&self) -> Option<i64> {
        match self.screen {
            Screen::CardFace {
                hold: FrontHold::Away { back_by },
                ..
            } => Some((back_by - self.now).max(0)),
            _ => None,
        }
    }
    /// Whether "more time" can still be granted.
    pub fn more_time_available(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.extensions < self.config.max_extensions)
    }
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }
    /// The number of the visual-check call staff are answering, while the kiosk waits for it.
    pub fn staff_call(&self) -> Option<u64> {
        matches!(self.screen, Screen::StaffWaiting { .. }).then_some(self.staff_calls)
    }

    /// Handle one event. Events that do not fit the current screen are ignored (no effects).
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let before = self.screen.kind();
        let kind = event.kind();
        if event.is_input() {
            self.last_input = self.now;
            if event != Event::Pressed(Press::MoreTime) {
                self.warning_until = None;
            }
        }
        let mut fx = Vec::new();
        match event {
            Event::Tick(now) => self.tick(now, &mut fx),
            Event::CardInserted => self.card_inserted(&mut fx),
            Event::CardRemoved => self.card_removed(&mut fx),
            Event::ReaderAvailable(available) => self.reader_available(available),
            Event::FaceAvailable => self.face_available(),
            Event::Pressed(press) => self.pressed(press, &mut fx),
            Event::Confirmed(secret) => self.confirmed(secret, &mut fx),
            Event::Worker(result) => self.worker(result, &mut fx),
            Event::StaffVerdict {
                call,
                staff_id,
                holder_confirmed,
            } => {
                if self.staff_call() == Some(call) {
                    self.staff_decided(staff_id, holder_confirmed, &mut fx);
                }
            }
        }
        let after = self.screen.kind();
        if before != after {
            fx.push(Effect::Audit {
                from: before,
                to: after,
                event: kind,
            });
        }
        fx
    }

    fn go(&mut self, screen: Screen) {
        // Back to the card invitation after a patient (not from the phone guide's 戻る, the same
        // patient): the next one starts in the kiosk's own language, not the last patient's choice.
        if self.session.is_none()
            && matches!(screen, Screen::Idle | Screen::ReaderProblem)
            && !matches!(
                self.screen,
                Screen::Idle | Screen::ReaderProblem | Screen::PhoneGuide { .. }
            )
        {
            self.lang = self.config.language;
        }
        self.screen = screen;
        self.last_input = self.now;
        self.warning_until = None;
    }

    fn counter(&mut self, reason: CounterReason, fx: &mut Vec<Effect>) {
        self.end_session(Screen::Counter { reason }, fx);
    }

    /// The screen between patients: the card invitation, or the reader problem while the reader is away.
    fn start_screen(&self) -> Screen {
        if self.reader_away {
            Screen::ReaderProblem
        } else {
            Screen::Idle
        }
    }

    /// End the session: wipe it and show `screen` (idle, or a final screen waiting for the card).
    fn end_session(&mut self, screen: Screen, fx: &mut Vec<Effect>) {
        if matches!(self.screen, Screen::FaceMatching { .. }) {
            fx.push(Effect::StopFaceMatching);
        }
        if !matches!(screen, Screen::Done { .. }) {
            self.session = None;
            fx.push(Effect::WipeSession);
        }
        self.help = false;
        self.go(screen);
    }

    /// Whether a card or phone placed now is heard: between patients, on the smartphone screens that wait
    /// for one, or while a one-camera kiosk waits for the card lifted to show its front.
    pub fn accepts_card(&self) -> bool {
        matches!(
            self.screen,
            Screen::Idle | Screen::PhoneGuide { .. } | Screen::PhoneRemovedEarly
        ) || self.card_return_left().is_some()
    }

    fn card_inserted(&mut self, fx: &mut Vec<Effect>) {
        if let Screen::CardFace {
            guidance,
            hold: FrontHold::Away { .. },
        } = self.screen
        {
            self.screen = Screen::CardFace {
                guidance,
                hold: FrontHold::Checking,
            };
            fx.push(Effect::CheckReturnedCard);
        } else if self.accepts_card() {
            self.session = Some(Session {
                started_at: self.now,
                ..Default::default()
            });
            self.help = false;
            self.go(Screen::Reading);
            fx.push(Effect::ReadCard);
        }
    }

    fn card_removed(&mut self, fx: &mut Vec<Effect>) {
        if let Some(screen) = self.card_lifted() {
            self.screen = screen;
            fx.push(Effect::AwaitCardReturn);
            return;
        }
        let start = self.start_screen();
        let phone_mid_reception = self.session.as_ref().is_some_and(|s| s.phone.is_some())
            && !matches!(self.screen, Screen::Done { .. });
        if phone_mid_reception {
            // A phone taken away before 「完了」 is told so (a card's patient knows what they did).
            self.end_session(Screen::PhoneRemovedEarly, fx);
        } else if self.session.is_some() {
            self.end_session(start, fx);
        } else if self.screen != start {
            // A final screen whose session is already wiped.
            self.help = false;
            self.go(start);
        }
    }

    /// The card-face screen that waits for the card, when the session survives its removal: a one-camera
    /// kiosk asking the patient to lift the card, with the card still where it was first read. Anywhere
    /// else (a front camera, any other screen, a card already put back once) the removal ends the session.
    fn card_lifted(&self) -> Option<Screen> {
        let (
            Screen::CardFace {
                guidance,
                hold: FrontHold::Lift,
            },
            Cameras::FaceOnly { card_return_secs },
        ) = (&self.screen, self.config.cameras)
        else {
            return None;
        };
        Some(Screen::CardFace {
            guidance: *guidance,
            hold: FrontHold::Away {
                back_by: self.now + card_return_secs,
            },
        })
    }

    /// The card put back was checked: the same card goes on with what was read again; another card, or
    /// one that cannot be read, ends the session as a removal would have.
    fn card_returned(
        &mut self,
        guidance: Option<FrontGuidanceKind>,
        result: Result<CardFacts, ReturnRefused>,
        fx: &mut Vec<Effect>,
    ) {
        let facts = match result {
            Ok(facts) => facts,
            Err(ReturnRefused::OtherCard) => return self.counter(CounterReason::OtherCardReturned, fx),
            Err(ReturnRefused::Read(failure)) => return self.end_session(read_failure_screen(&failure), fx),
        };
        if !facts.certificate.usable_for_eligibility() {
            return self.counter(CounterReason::CertificateNotUsable, fx);
        }
        let waiting = self.session.as_mut().and_then(|s| {
            s.facts = Some(facts);
            s.face_read_waiting.take()
        });
        self.screen = Screen::CardFace {
            guidance,
            hold: FrontHold::Back,
        };
        if let Some(outcome) = waiting {
            self.card_face(outcome, fx);
        }
    }

    /// A card-face answer on the card-face screen: kept while the card is out, taken otherwise.
    fn card_face_answer(&mut self, hold: FrontHold, outcome: CardFaceOutcome, fx: &mut Vec<Effect>) {
        if hold.card_out() {
            if let Some(s) = self.session.as_mut() {
                s.face_read_waiting = Some(outcome);
            }
        } else {
            self.card_face(outcome, fx);
        }
    }

    fn reader_available(&mut self, available: bool) {
        self.reader_away = !available;
        // Only a screen without a patient changes: a session ends by its own events (the card is
        // reported removed first when the reader goes).
        let start = self.start_screen();
        if self.session.is_none() && matches!(self.screen, Screen::Idle | Screen::ReaderProblem) {
            self.help = false;
            self.go(start);
        }
    }

    fn more_time(&mut self) {
        if let (Some(_), Some(s)) = (self.warning_until, self.session.as_mut())
            && s.extensions < self.config.max_extensions
        {
            s.extensions += 1;
            self.warning_until = None;
            self.last_input = self.now;
        }
    }

    /// A button without a secret: the ones on every screen first, then the current screen's.
    fn pressed(&mut self, press: Press, fx: &mut Vec<Effect>) {
        match press {
            Press::Language(l) => self.lang = l,
            Press::HelpPressed if !self.help => {
                self.help = true;
                fx.push(Effect::CallStaff(StaffCall::Help));
            }
            Press::HelpDismissed => self.help = false,
            Press::MoreTime => self.more_time(),
            Press::Back if self.screen.ways().back == Way::Open => self.back(fx),
            Press::Stop if self.screen.ways().stop == Way::Open => self.stop(fx),
            // Staff already called, or a way out the screen does not offer (greyed or absent).
            Press::HelpPressed | Press::Back | Press::Stop => {}
            Press::AlertAcknowledged
            | Press::MethodChosen(_)
            | Press::StaffHelpChosen
            | Press::StaffDecision { .. }
            | Press::RegistrationAccepted(_)
            | Press::PhoneChosen => self.identity_press(press, fx),
            Press::ConsentAll(_)
            | Press::ConsentIndividually
            | Press::ConsentItemChosen(..)
            | Press::ConsentNext
            | Press::ConsentConfirmed
            | Press::ConsentChange
            | Press::PrescriptionChosen(_) => self.consent_press(press, fx),
        }
    }

    /// Presses on the screens from the card read to eligibility.
    fn identity_press(&mut self, press: Press, fx: &mut Vec<Effect>) {
        match (self.screen.clone(), press) {
            (
                Screen::CertificateExpiring { .. } | Screen::CertificateExpiredGrace { .. },
                Press::AlertAcknowledged,
            ) => self.offer_methods(),
            (
                Screen::MethodChoice { face: true, .. }
                | Screen::FaceFailed { .. }
                | Screen::PinBlocked { face: true, .. },
                Press::MethodChosen(Method::Face),
            ) => {
                self.note_method_screen();
                self.start_face(fx)
            }
            (
                Screen::MethodChoice { pin: Some(_), .. } | Screen::FaceFailed { pin: Some(_), .. },
                Press::MethodChosen(Method::Pin),
            )
            | (Screen::NoPhotoPinOnly, Press::AlertAcknowledged) => {
                self.note_method_screen();
                self.start_pin()
            }
            (
                Screen::MethodChoice { staff: true, .. }
                | Screen::FaceFailed { staff: true, .. }
                | Screen::PinBlocked { staff: true, .. },
                Press::StaffHelpChosen,
            ) => self.call_staff_for_check(fx),
            (Screen::StaffCheck { staff_id, .. }, Press::StaffDecision { holder_confirmed }) => {
                self.staff_decided(staff_id, holder_confirmed, fx)
            }
            (Screen::RegistrationOffer, Press::RegistrationAccepted(accepted)) => {
                self.registration(accepted, fx)
            }
            (Screen::NoSharingInfo, Press::AlertAcknowledged) => self.go(Screen::Prescription),
            (Screen::Registered, Press::AlertAcknowledged) => self.after_eligibility(),
            (Screen::Idle, Press::PhoneChosen) => self.go(Screen::PhoneGuide {
                separate_reader: self.config.separate_phone_reader,
            }),
            (Screen::PhoneRemovedEarly, Press::AlertAcknowledged) => {
                let start = self.start_screen();
                self.go(start);
            }
            _ => {}
        }
    }

    /// 「戻る」, taken only where the screen offers it open (`Screen::ways`): one step back, sending
    /// nothing to the card. Tries already spent (PIN, face, 照合番号B) stay spent, and answers given stay
    /// given.
    fn back(&mut self, fx: &mut Vec<Effect>) {
        match self.screen.clone() {
            Screen::PhoneGuide { .. } => {
                let start = self.start_screen();
                self.go(start);
            }
            // The camera stops; the attempt it started counts, for this reception and for the day.
            Screen::FaceMatching { .. } => {
                fx.push(Effect::StopFaceMatching);
                self.return_to_choice(fx);
            }
            // The PIN pad forgets its digits when its screen goes: nothing was sent.
            Screen::PinEntry { .. } => self.return_to_choice(fx),
            Screen::ConsentItems { consents } => {
                self.keep_consent_draft(Some(consents));
                self.go(Screen::ConsentStart);
            }
            Screen::ConsentReview { consents } => {
                match self.session.as_ref().and_then(|s| s.consent_draft) {
                    // Reached from the per-item screen: back there, with the answers as reviewed.
                    Some(_) => self.go(Screen::ConsentItems { consents }),
                    None => self.go(Screen::ConsentStart),
                }
            }
            // The consent confirmed is not recorded until the prescription is chosen: the review shows
            // it again, to confirm or change. Without information sharing the notice came before.
            Screen::Prescription => {
                let consents = self.session.as_ref().map(|s| s.consents).unwrap_or_default();
                if self.sharing_allowed() {
                    self.go(Screen::ConsentReview { consents });
                } else {
                    self.go(Screen::NoSharingInfo);
                }
            }
            _ => {}
        }
    }

    /// 「受付をやめる」: the reception ends as when the card is taken away (the session wiped, the
    /// camera stopped, nothing recorded), the card is let go of, and the screen asks for it.
    fn stop(&mut self, fx: &mut Vec<Effect>) {
        if self.session.is_none() {
            return;
        }
        self.end_session(Screen::Stopped, fx);
        fx.push(Effect::ReleaseCard);
    }

    /// Remember the choice screen a way to prove who one is was chosen on (see `Session::method_screen`).
    fn note_method_screen(&mut self) {
        let screen = self.screen.clone();
        if let Some(s) = self.session.as_mut() {
            s.method_screen = Some(screen);
        }
    }

    /// Keep (or forget) the per-item consent answers for the way back.
    fn keep_consent_draft(&mut self, draft: Option<Consents>) {
        if let Some(s) = self.session.as_mut() {
            s.consent_draft = draft;
        }
    }

    /// Back to the choice screen the patient chose on, drawn again from what holds now: PIN tries spent
    /// stay spent, face attempts used stay used, and a way no longer possible is not offered.
    fn return_to_choice(&mut self, fx: &mut Vec<Effect>) {
        let from = self.session.as_ref().and_then(|s| s.method_screen.clone());
        match from {
            Some(Screen::FaceFailed { .. }) => self.face_failed(fx),
            Some(Screen::PinBlocked { .. }) => self.pin_blocked(),
            Some(Screen::NoPhotoPinOnly) => self.go(Screen::NoPhotoPinOnly),
            _ => {
                let (face, pin, staff) = (self.face_possible(), self.pin_tries(), self.photo_possible());
                if !face && pin.is_none() && !staff {
                    return self.counter(CounterReason::NoMethodLeft, fx);
                }
                self.go(Screen::MethodChoice { face, pin, staff });
            }
        }
    }

    /// Presses on the consent and prescription screens.
    fn consent_press(&mut self, press: Press, fx: &mut Vec<Effect>) {
        match (self.screen.clone(), press) {
            (Screen::ConsentStart, Press::ConsentAll(agree)) => {
                // All at once replaces any per-item answers: back from the review leads to this screen.
                self.keep_consent_draft(None);
                self.go(Screen::ConsentReview {
                    consents: Consents::all(agree),
                })
            }
            // Each item is an explicit choice: the individual screen starts with nothing chosen, or with
            // the answers this patient already gave there before going back.
            (Screen::ConsentStart, Press::ConsentIndividually) => {
                let consents = self
                    .session
                    .as_ref()
                    .and_then(|s| s.consent_draft)
                    .unwrap_or_default();
                self.go(Screen::ConsentItems { consents })
            }
            (Screen::ConsentItems { mut consents }, Press::ConsentItemChosen(item, agree)) => {
                consents.set(item, agree);
                self.screen = Screen::ConsentItems { consents };
            }
            (Screen::ConsentItems { consents }, Press::ConsentNext) if consents.complete() => {
                self.keep_consent_draft(Some(consents));
                self.go(Screen::ConsentReview { consents })
            }
            (Screen::ConsentReview { consents }, Press::ConsentConfirmed) => {
                let now = self.now;
                if let Some(s) = self.session.as_mut() {
                    s.consents = consents;
                    s.consent_time = Some(now);
                }
                self.go(Screen::Prescription);
            }
            (Screen::ConsentReview { .. }, Press::ConsentChange) => self.go(Screen::ConsentStart),
            (Screen::Prescription, Press::PrescriptionChosen(p)) => self.save(p, fx),
            _ => {}
        }
    }

    /// A secret was confirmed: ask for the one effect that uses it, once, on the screen that takes it.
    /// Anywhere else nothing happens and the core drops the secret.
    fn confirmed(&mut self, secret: SecretInput, fx: &mut Vec<Effect>) {
        match (&mut self.screen, secret) {
            (Screen::PinEntry { verifying, .. } | Screen::PhonePin { verifying, .. }, SecretInput::Pin)
                if !*verifying =>
            {
                *verifying = true;
                fx.push(Effect::VerifyPin);
            }
            (Screen::StaffLogin { .. }, SecretInput::StaffCode) => fx.push(Effect::CheckStaffCode),
            (Screen::StaffCheck { front_failed, .. }, SecretInput::CheckCode) => {
                *front_failed = false;
                fx.push(Effect::ReadCardFaceTyped);
            }
            _ => {}
        }
    }

    /// A worker's answer, taken on the screen that waits for it.
    fn worker(&mut self, result: WorkerResult, fx: &mut Vec<Effect>) {
        match (self.screen.clone(), result) {
            (Screen::Reading, WorkerResult::CardRead(result)) => self.card_read(result, fx),
            (Screen::CardFace { hold, .. }, WorkerResult::CardFaceRead(outcome)) => {
                self.card_face_answer(hold, outcome, fx)
            }
            (Screen::CardFace { hold, .. }, WorkerResult::CardFrontGuidance(guidance)) => {
                self.screen = Screen::CardFace { guidance, hold };
            }
            (
                Screen::CardFace {
                    guidance,
                    hold: FrontHold::Checking,
                },
                WorkerResult::CardReturned(result),
            ) => self.card_returned(guidance, result, fx),
            (Screen::FaceMatching { attempt, turn, .. }, WorkerResult::Face(event)) => {
                self.face_event(attempt, turn, event, fx)
            }
            (Screen::PinEntry { verifying: true, .. }, WorkerResult::PinVerified(result)) => {
                self.pin_result(result, fx)
            }
            (Screen::PhonePin { verifying: true, .. }, WorkerResult::PinVerified(result)) => {
                self.phone_pin_result(result, fx)
            }
            (Screen::StaffLogin { failed }, WorkerResult::StaffCodeChecked(staff)) => {
                self.staff_code_checked(failed, staff, fx)
            }
            (Screen::StaffWaiting { .. }, WorkerResult::CardFaceRead(outcome)) => {
                self.staff_waiting_face(outcome, fx)
            }
            (Screen::StaffCheck { staff_id, .. }, WorkerResult::CardFaceRead(outcome)) => {
                self.staff_check_face(staff_id, outcome, fx)
            }
            (Screen::CheckingEligibility, WorkerResult::Eligibility(answer)) => self.eligibility(answer, fx),
            (Screen::Saving, WorkerResult::RecordSaved(true)) => {
                let name = self
                    .session
                    .as_ref()
                    .and_then(|s| s.eligibility.as_ref())
                    .map(|e| e.patient_name.clone())
                    .unwrap_or_default();
                self.go(Screen::Done { name });
            }
            (Screen::Saving, WorkerResult::RecordSaved(false)) => {
                self.counter(CounterReason::RecordNotSaved, fx)
            }
            _ => {}
        }
    }

    fn tick(&mut self, now: i64, fx: &mut Vec<Effect>) {
        // A clock that jumps backwards must not make the warning last forever: treat it as "now".
        if now < self.now {
            self.last_input = now;
            self.warning_until = self.warning_until.map(|_| now + self.config.warning_secs);
        }
        self.now = now;
        // The smartphone guide and notice wait without a session: left alone, they give way to the start.
        if self.session.is_none()
            && matches!(self.screen, Screen::PhoneGuide { .. } | Screen::PhoneRemovedEarly)
            && now - self.last_input >= self.config.idle_secs
        {
            let start = self.start_screen();
            self.go(start);
        }
        if let Screen::CardFace {
            hold: FrontHold::Away { back_by },
            ..
        } = self.screen
            && now >= back_by
        {
            // The card was not put back in time: the session ends as a removal ends it anywhere else.
            let start = self.start_screen();
            return self.end_session(start, fx);
        }
        if matches!(
            self.screen,
            Screen::Done { .. } | Screen::Counter { .. } | Screen::Stopped
        ) && now - self.last_input >= self.config.final_secs
        {
            let start = self.start_screen();
            if self.session.is_some() {
                self.end_session(start, fx);
            } else {
                self.help = false;
                self.go(start);
            }
            return;
        }
        if self.screen.exempt_from_timeout() || self.session.is_none() {
            self.warning_until = None;
            return;
        }
        match self.warning_until {
            Some(end) if now >= end => self.counter(CounterReason::TimedOut, fx),
            None if now - self.last_input >= self.config.idle_secs => {
                self.warning_until = Some(now + self.config.warning_secs)
            }
            // The warning counts down, or the patient is not idle long enough yet.
            Some(_) | None => {}
        }
    }

    fn card_read(&mut self, result: Result<CardRead, ReadFailure>, fx: &mut Vec<Effect>) {
        let facts = match result {
            Err(failure) => return self.end_session(read_failure_screen(&failure), fx),
            Ok(CardRead::PhoneLocked { pin }) => return self.phone_locked(pin, fx),
            Ok(CardRead::PhoneNotConfirmed) => return self.end_session(Screen::PhoneNotConfirmed, fx),
            Ok(CardRead::PhoneConfirmed { phone, facts }) => return self.phone_confirmed(phone, facts, fx),
            Ok(CardRead::Card(f)) => f,
        };
        match facts.kind {
            CardKind::PlasticCard => {}
            // A phone is told apart by the reader before the flow sees it: a card-shaped read of one
            // is not trusted as a card.
            CardKind::AndroidPhone | CardKind::Iphone => return self.end_session(Screen::CardUnreadable, fx),
            CardKind::JukiCard | CardKind::Unknown(_) => {
                return self.end_session(Screen::NotMyNumberCard, fx);
            }
        }
        let status = facts.certificate;
        if let Some(s) = self.session.as_mut() {
            s.facts = Some(facts);
        }
        match status {
            CertificateStatus::Valid { .. } => self.offer_methods(),
            CertificateStatus::ExpiringSoon {
                expires_on,
                days_left,
            } => self.go(Screen::CertificateExpiring {
                expires_on,
                days_left,
            }),
            CertificateStatus::ExpiredInGrace { usable_until, .. } => {
                self.go(Screen::CertificateExpiredGrace { usable_until })
            }
            CertificateStatus::ExpiredBeyondGrace { .. } | CertificateStatus::NotYetValid { .. } => {
                self.counter(CounterReason::CertificateNotUsable, fx)
            }
        }
    }

    fn pin_tries(&self) -> Option<u8> {
        match self.session.as_ref()?.facts.as_ref()?.pin {
            Some(PinStatus::TriesLeft(n)) if n > 0 => Some(n),
            _ => None,
        }
    }

    fn photo(&self) -> Photo {
        self.session.as_ref().map_or(Photo::Absent, |s| s.photo)
    }

    /// The photo may exist (not known absent): face and the staff check are possible.
    fn photo_possible(&self) -> bool {
        self.photo() != Photo::Absent
    }

    /// The face models are ready: face matching is offered from now on, and at once on a method choice
    /// that shows without it (the patient who came before the models sees the face choice appear). The
    /// screen is replaced in place: nobody pressed anything, so the inactivity timer runs on.
    fn face_available(&mut self) {
        self.config.face_enabled = true;
        if let Screen::MethodChoice {
            face: false,
            pin,
            staff,
        } = self.screen
        {
            let face = self.face_possible();
            self.screen = Screen::MethodChoice { face, pin, staff };
        }
    }

    /// Whether face matching can be offered now: the engine is on, the card may have a photo, and this
    /// reception and this card today have attempts left.
    fn face_possible(&mut self) -> bool {
        self.config.face_enabled
            && self.photo_possible()
            && self.face_tries_left()
            && self.face_allowed_today()
    }

    fn offer_methods(&mut self) {
        let face = self.face_possible();
        let staff = self.photo_possible();
        let pin = self.pin_tries();
        self.go(Screen::MethodChoice { face, pin, staff });
    }

    fn call_staff_for_check(&mut self, fx: &mut Vec<Effect>) {
        self.note_method_screen();
        match self.config.staff_check {
            StaffCheckBy::CodePad => {
                fx.push(Effect::CallStaff(StaffCall::VisualCheck));
                self.go(Screen::StaffLogin { failed: 0 });
            }
            StaffCheckBy::Console => {
                self.staff_calls += 1;
                if self.photo() != Photo::Ready {
                    // The console shows the chip photo: read it while staff come.
                    fx.push(Effect::ReadCardFace);
                }
                self.go(Screen::StaffWaiting { photo_failed: false });
                // After the screen changed, so the call names the waiting screen.
                fx.push(Effect::CallStaff(StaffCall::VisualCheck));
            }
        }
    }

    /// Staff's verdict, from the kiosk's staff screen or the console.
    fn staff_decided(&mut self, staff_id: String, holder_confirmed: bool, fx: &mut Vec<Effect>) {
        if holder_confirmed {
            self.verified(VerifiedBy::Staff { staff_id }, fx);
        } else {
            self.counter(CounterReason::StaffRefused, fx);
        }
    }

    /// The card face read while the patient waits for the console's verdict: a card without a photo,
    /// or one whose photo is not genuine, cannot be checked by eye; a photo that could not be read is
    /// shown to staff as such (they may check another photo ID).
    fn staff_waiting_face(&mut self, outcome: CardFaceOutcome, fx: &mut Vec<Effect>) {
        self.staff_photo_read(outcome, Screen::StaffWaiting { photo_failed: true }, fx);
    }

    /// The card face read for a visual check, on the console or the kiosk: no photo or not genuine →
    /// the counter; ready → nothing changes; not read → `unread`, the staff screen that says so.
    fn staff_photo_read(&mut self, outcome: CardFaceOutcome, unread: Screen, fx: &mut Vec<Effect>) {
        self.note_photo(outcome);
        match outcome {
            CardFaceOutcome::NoPhoto | CardFaceOutcome::NotGenuine => {
                self.counter(CounterReason::NoMethodLeft, fx)
            }
            CardFaceOutcome::PhotoReady => {}
            CardFaceOutcome::Unavailable | CardFaceOutcome::CodeRefused | CardFaceOutcome::TooFewTries => {
                self.screen = unread;
            }
        }
    }

    /// This card's key for the daily face-attempt count (`None` before the certificate is read).
    fn card_key(&self) -> Option<CardKey> {
        let facts = self.session.as_ref()?.facts.as_ref()?;
        Some(CardKey::of(&facts.cert_issuer, &facts.cert_serial))
    }

    /// Take back the day's face-attempt counts kept in the journal before a restart
    /// ([`Effect::CountFaceAttempt`]); counts of another day are ignored.
    pub fn restore_face_attempts(&mut self, day: i64, counts: impl IntoIterator<Item = (CardKey, u32)>) {
        let now = self.now;
        self.face_attempts.restore(day, now, counts);
    }

    /// Whether this card may try face matching again today.
    fn face_allowed_today(&mut self) -> bool {
        let now = self.now;
        match self.card_key() {
            Some(k) => self.face_attempts.allowed(k, now),
            None => true,
        }
    }

    /// Whether this reception has face attempts left (going back from the camera does not give them
    /// back).
    fn face_tries_left(&self) -> bool {
        self.session
            .as_ref()
            .is_none_or(|s| s.face_tries < self.config.face_attempts)
    }

    /// Start the next face attempt of this reception, if it has one left and the card may try today.
    fn start_matching(&mut self, fx: &mut Vec<Effect>) {
        if !self.face_allowed_today() || !self.face_tries_left() {
            return self.face_failed(fx);
        }
        if let Some(k) = self.card_key() {
            let now = self.now;
            self.face_attempts.record(k, now);
            fx.push(Effect::CountFaceAttempt {
                card: k,
                day: crate::attempts::japan_day(now),
            });
        }
        let attempt = self.session.as_mut().map_or(1, |s| {
            s.face_tries += 1;
            s.face_tries
        });
        fx.push(Effect::StartFaceMatching);
        self.go(Screen::FaceMatching {
            attempt,
            guidance: None,
            turn: None,
        });
    }

    fn start_face(&mut self, fx: &mut Vec<Effect>) {
        if self.photo() == Photo::Ready {
            self.start_matching(fx);
        } else {
            fx.push(Effect::ReadCardFace);
            let hold = match self.config.cameras {
                Cameras::FaceAndFront => FrontHold::OnReader,
                Cameras::FaceOnly { .. } => FrontHold::Lift,
            };
            if let Some(s) = self.session.as_mut() {
                s.face_read_waiting = None;
            }
            self.go(Screen::CardFace { guidance: None, hold });
        }
    }

    /// Record what a card-face read says about the photo.
    fn note_photo(&mut self, outcome: CardFaceOutcome) {
        if let Some(s) = self.session.as_mut() {
            match outcome {
                CardFaceOutcome::PhotoReady => s.photo = Photo::Ready,
                CardFaceOutcome::NoPhoto => s.photo = Photo::Absent,
                _ => {}
            }
        }
    }

    fn card_face(&mut self, outcome: CardFaceOutcome, fx: &mut Vec<Effect>) {
        self.note_photo(outcome);
        match outcome {
            CardFaceOutcome::PhotoReady => self.start_matching(fx),
            CardFaceOutcome::NoPhoto if self.pin_tries().is_some() => self.go(Screen::NoPhotoPinOnly),
            CardFaceOutcome::NoPhoto => self.counter(CounterReason::NoMethodLeft, fx),
            CardFaceOutcome::Unavailable
            | CardFaceOutcome::CodeRefused
            | CardFaceOutcome::TooFewTries
            | CardFaceOutcome::NotGenuine => self.face_failed(fx),
        }
    }

    fn face_event(&mut self, attempt: u32, turn: Option<TurnPrompt>, event: FaceEvent, fx: &mut Vec<Effect>) {
        match event {
            FaceEvent::Guidance(guidance) => {
                self.screen = Screen::FaceMatching {
                    attempt,
                    guidance,
                    turn,
                }
            }
            FaceEvent::Turn(turn) => {
                self.screen = Screen::FaceMatching {
                    attempt,
                    guidance: None,
                    turn: Some(turn),
                }
            }
            FaceEvent::Matched {
                distance_milli,
                frames,
            } => {
                fx.push(Effect::StopFaceMatching);
                let by = VerifiedBy::Face {
                    distance_milli,
                    frames,
                };
                self.verified(by, fx);
            }
            FaceEvent::NotMatched { .. } | FaceEvent::NotLive if attempt < self.config.face_attempts => {
                fx.push(Effect::StopFaceMatching);
                self.start_matching(fx);
            }
            FaceEvent::NotMatched { .. } | FaceEvent::NotLive | FaceEvent::CameraUnavailable => {
                fx.push(Effect::StopFaceMatching);
                self.face_failed(fx);
            }
        }
    }

    fn face_failed(&mut self, fx: &mut Vec<Effect>) {
        let pin = self.pin_tries();
        let staff = self.photo_possible();
        if pin.is_none() && !staff {
            return self.counter(CounterReason::NoMethodLeft, fx);
        }
        self.go(Screen::FaceFailed { pin, staff });
    }

    fn start_pin(&mut self) {
        if let Some(n) = self.pin_tries() {
            self.go(Screen::PinEntry {
                tries_left: n,
                last_try: n == 1,
                wrong_before: false,
                verifying: false,
            });
        }
    }

    /// The locked PIN's screen: face (when still possible) or staff.
    fn pin_blocked(&mut self) {
        let staff = self.photo_possible();
        let face = self.face_possible();
        self.go(Screen::PinBlocked { face, staff });
    }

    fn set_pin_status(&mut self, status: PinStatus) {
        if let Some(f) = self.session.as_mut().and_then(|s| s.facts.as_mut()) {
            f.pin = Some(status);
        }
    }

    fn pin_result(&mut self, result: Result<PinOutcome, PinCheckFailed>, fx: &mut Vec<Effect>) {
        match result {
            Ok(PinOutcome::Verified) => {
                self.set_pin_status(PinStatus::TriesLeft(3));
                self.verified(VerifiedBy::Pin, fx)
            }
            Ok(PinOutcome::Wrong { tries_left: 0 } | PinOutcome::Blocked) => {
                self.set_pin_status(PinStatus::Blocked);
                self.pin_blocked();
            }
            Ok(PinOutcome::Wrong { tries_left }) => {
                self.set_pin_status(PinStatus::TriesLeft(tries_left));
                self.go(Screen::PinEntry {
                    tries_left,
                    last_try: tries_left == 1,
                    wrong_before: true,
                    verifying: false,
                });
            }
            Err(PinCheckFailed) => self.counter(CounterReason::PinCardError, fx),
        }
    }

    /// An Android phone on the reader, its certificate behind its PIN. A PIN verified in this session
    /// already opened it: a phone that still says locked is not trusted with another try.
    fn phone_locked(&mut self, pin: PinStatus, fx: &mut Vec<Effect>) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.phone.replace(Phone::Android).is_some() {
            return self.counter(CounterReason::PinCardError, fx);
        }
        match pin {
            PinStatus::TriesLeft(n) if n > 0 => self.go(Screen::PhonePin {
                tries_left: n,
                wrong_before: false,
                verifying: false,
            }),
            PinStatus::TriesLeft(_) | PinStatus::Blocked => self.end_session(Screen::PhonePinBlocked, fx),
        }
    }

    /// The phone's PIN, verified or not. Verified: the phone is read again, now with its certificate open,
    /// and must sign the kiosk's challenge (the reader does both before the flow hears of it).
    fn phone_pin_result(&mut self, result: Result<PinOutcome, PinCheckFailed>, fx: &mut Vec<Effect>) {
        match result {
            Ok(PinOutcome::Verified) => {
                self.go(Screen::Reading);
                fx.push(Effect::ReadCard);
            }
            Ok(PinOutcome::Wrong { tries_left: 0 } | PinOutcome::Blocked) => {
                self.end_session(Screen::PhonePinBlocked, fx)
            }
            Ok(PinOutcome::Wrong { tries_left }) => self.go(Screen::PhonePin {
                tries_left,
                wrong_before: true,
                verifying: false,
            }),
            Err(PinCheckFailed) => self.counter(CounterReason::PinCardError, fx),
        }
    }

    /// A phone whose holder is confirmed and whose key is proven. There is no grace period after its
    /// certificate expires: that is for the plastic card only (MHLW's FAQ KB0012286, docs/RECEPTION.md).
    fn phone_confirmed(&mut self, phone: Phone, facts: CardFacts, fx: &mut Vec<Effect>) {
        let usable = matches!(
            facts.certificate,
            CertificateStatus::Valid { .. } | CertificateStatus::ExpiringSoon { .. }
        );
        let Some(s) = self.session.as_mut() else {
            return;
        };
        // An Android phone is confirmed only after its PIN on this kiosk (it was locked first).
        if phone == Phone::Android && s.phone != Some(Phone::Android) {
            return self.counter(CounterReason::PinCardError, fx);
        }
        s.phone = Some(phone);
        s.facts = Some(facts);
        if !usable {
            return self.counter(CounterReason::CertificateNotUsable, fx);
        }
        let by = match phone {
            Phone::Android => VerifiedBy::Pin,
            Phone::Iphone => VerifiedBy::PhoneBiometric,
        };
        self.verified(by, fx);
    }

    fn staff_code_checked(&mut self, failed: u32, staff: Option<String>, fx: &mut Vec<Effect>) {
        match staff {
            Some(staff_id) => {
                if self.photo() != Photo::Ready {
                    // The photo has to be read first; the staff check follows when it is ready.
                    fx.push(Effect::ReadCardFace);
                }
                self.go(Screen::StaffCheck {
                    staff_id,
                    front_failed: false,
                });
            }
            None if failed + 1 >= self.config.staff_code_attempts => self.return_to_choice(fx),
            None => self.screen = Screen::StaffLogin { failed: failed + 1 },
        }
    }

    /// The card face read for the staff check. The front unread, a typed code refused, few tries left:
    /// staff stay on their screen, where they can type the numbers (again) or decide with another photo
    /// ID.
    fn staff_check_face(&mut self, staff_id: String, outcome: CardFaceOutcome, fx: &mut Vec<Effect>) {
        let unread = Screen::StaffCheck {
            staff_id,
            front_failed: true,
        };
        self.staff_photo_read(outcome, unread, fx);
    }

    fn verified(&mut self, by: VerifiedBy, fx: &mut Vec<Effect>) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.verified = Some(by);
        if let Some(f) = s.facts.as_ref() {
            fx.push(Effect::CheckEligibility {
                cert_issuer: f.cert_issuer.clone(),
                cert_serial: f.cert_serial.clone(),
            });
        }
        self.go(Screen::CheckingEligibility);
    }

    fn eligibility(&mut self, answer: Result<EligibilityAnswer, EligibilityFailure>, fx: &mut Vec<Effect>) {
        let answer = match answer {
            Err(EligibilityFailure::HolderMismatch) => {
                return self.counter(CounterReason::HolderMismatch, fx);
            }
            Err(failure) => {
                return self.end_session(Screen::EligibilityProblem(EligibilityIssue::Failed(failure)), fx);
            }
            Ok(a) => a,
        };
        let (q, registered) = (answer.qualification, answer.registered);
        if let Some(s) = self.session.as_mut() {
            s.eligibility = Some(answer);
        }
        match q {
            Qualification::Valid if registered => self.after_eligibility(),
            Qualification::Valid => self.go(Screen::RegistrationOffer),
            other => self.end_session(Screen::EligibilityProblem(EligibilityIssue::Answer(other)), fx),
        }
    }

    fn registration(&mut self, accepted: bool, fx: &mut Vec<Effect>) {
        if !accepted {
            return self.counter(CounterReason::RegistrationDeclined, fx);
        }
        if let Some(f) = self.session.as_ref().and_then(|s| s.facts.as_ref()) {
            fx.push(Effect::RegisterInsuranceUse {
                cert_issuer: f.cert_issuer.clone(),
                cert_serial: f.cert_serial.clone(),
            });
        }
        // Both outcomes of the offer are screens: registered (this one), or not (the counter, saying
        // what to show there).
        self.go(Screen::Registered);
    }

    fn sharing_allowed(&self) -> bool {
        self.session
            .as_ref()
            .and_then(|s| s.facts.as_ref())
            .is_some_and(|f| f.certificate.allows_information_sharing())
    }

    fn after_eligibility(&mut self) {
        if self.sharing_allowed() {
            self.go(Screen::ConsentStart)
        } else {
            self.go(Screen::NoSharingInfo)
        }
    }

    /// The record of this reception, when everything it needs is there.
    fn record(&self, prescription: Prescription) -> Option<ReceptionRecord> {
        let sharing = self.sharing_allowed();
        let s = self.session.as_ref()?;
        let facts = s.facts.as_ref()?;
        let eligibility = s.eligibility.as_ref()?;
        Some(ReceptionRecord {
            reception_id: self.next_reception_id,
            started_at: s.started_at,
            finished_at: self.now,
            verified_by: s.verified.clone()?,
            qualification: eligibility.qualification,
            cert_issuer: facts.cert_issuer.clone(),
            cert_serial: facts.cert_serial.clone(),
            consents: sharing.then_some(s.consents),
            consent_time: if sharing { s.consent_time } else { None },
            prescription: Some(prescription),
        })
    }

    fn save(&mut self, prescription: Prescription, fx: &mut Vec<Effect>) {
        match self.record(prescription) {
            Some(record) => {
                self.next_reception_id += 1;
                fx.push(Effect::SaveRecord(record));
                self.go(Screen::Saving);
            }
            // Cannot happen through the screens (the prescription screen follows a verified holder and
            // an eligibility answer), but if it did the patient must not be left on this screen.
            None => self.counter(CounterReason::RecordNotSaved, fx),
        }
    }
}

/// The final screen for a card that could not be read.
fn read_failure_screen(failure: &ReadFailure) -> Screen {
    match failure {
        ReadFailure::NotMyNumberCard => Screen::NotMyNumberCard,
        ReadFailure::Unreadable => Screen::CardUnreadable,
        ReadFailure::ReaderProblem => Screen::ReaderProblem,
    }
}
