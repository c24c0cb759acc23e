//! The reception flow: a deterministic state machine. `Flow::handle(event)` returns the effects for the
//! workers; the screen to show is `Flow::screen()`. No IO, no clock: time arrives as `Event::Tick(now)`.
//!
//! Rules (docs/RECEPTION.md): read → certificate policy → method (face or PIN; staff visual check) →
//! eligibility → consent (skipped when sharing is not allowed) → prescription → record → done. The card
//! leaving at any step wipes the session and returns to idle. Inactivity shows a warning with "more time".

use crate::types::*;
use kiosk_mynumber::{CardKind, CertificateStatus, Date};

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
    /// Wrong staff codes before the staff login gives up.
    pub staff_code_attempts: u32,
    /// Whether the face path can be offered at all (models loaded, camera present).
    pub face_enabled: bool,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            idle_secs: 60,
            warning_secs: 30,
            max_extensions: 10,
            face_attempts: 2,
            staff_code_attempts: 3,
            face_enabled: true,
        }
    }
}

/// Why the patient is sent to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterReason {
    CertificateNotUsable,
    NoMethodLeft,
    StaffRefused,
    PinCardError,
    RegistrationDeclined,
    RecordNotSaved,
    TimedOut,
}

/// What the screen shows. Each variant is one screen of the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Idle,
    Reading,
    NotMyNumberCard,
    CardUnreadable,
    ReaderProblem,
    PhoneToken,
    /// Renewal alert: the patient acknowledges it.
    CertificateExpiring {
        expires_on: Date,
        days_left: i64,
    },
    /// Expired within 3 months: eligibility only, no information sharing; acknowledged.
    CertificateExpiredGrace {
        usable_until: Date,
    },
    MethodChoice {
        face: bool,
        pin: Option<u8>,
        staff: bool,
    },
    /// Reading the card front (held up to the camera) for 照合番号B, then the photo; `guidance` while
    /// the front is not yet readable.
    CardFace {
        guidance: Option<FrontGuidanceKind>,
    },
    FaceMatching {
        attempt: u32,
        guidance: Option<GuidanceKind>,
    },
    /// Face could not confirm the holder: offer the PIN and/or staff.
    FaceFailed {
        pin: Option<u8>,
        staff: bool,
    },
    /// The card has no photo: the PIN is the only way.
    NoPhotoPinOnly,
    PinEntry {
        tries_left: u8,
        last_try: bool,
        wrong_before: bool,
        verifying: bool,
    },
    PinBlocked {
        staff: bool,
    },
    StaffLogin {
        failed: u32,
    },
    /// Staff compare the card photo with the patient; shown only to staff. `front_failed`: the photo
    /// could not be read through the card front (not read in time, typed numbers refused, few tries
    /// left); staff can type the numbers (again) or decide with another photo ID.
    StaffCheck {
        staff_id: String,
        front_failed: bool,
    },
    CheckingEligibility,
    RegistrationOffer,
    EligibilityProblem {
        qualification: Option<Qualification>,
        failure: Option<EligibilityFailure>,
    },
    /// Information sharing is not allowed (expired certificate in grace); the patient acknowledges.
    NoSharingInfo,
    ConsentStart,
    ConsentItems {
        consents: Consents,
    },
    ConsentReview {
        consents: Consents,
    },
    Prescription,
    Saving,
    Done {
        name: String,
    },
    Counter {
        reason: CounterReason,
    },
}

impl Screen {
    /// The screen's name for the audit log (no data).
    pub fn kind(&self) -> &'static str {
        match self {
            Screen::Idle => "Idle",
            Screen::Reading => "Reading",
            Screen::NotMyNumberCard => "NotMyNumberCard",
            Screen::CardUnreadable => "CardUnreadable",
            Screen::ReaderProblem => "ReaderProblem",
            Screen::PhoneToken => "PhoneToken",
            Screen::CertificateExpiring { .. } => "CertificateExpiring",
            Screen::CertificateExpiredGrace { .. } => "CertificateExpiredGrace",
            Screen::MethodChoice { .. } => "MethodChoice",
            Screen::CardFace { .. } => "CardFace",
            Screen::FaceMatching { .. } => "FaceMatching",
            Screen::FaceFailed { .. } => "FaceFailed",
            Screen::NoPhotoPinOnly => "NoPhotoPinOnly",
            Screen::PinEntry { .. } => "PinEntry",
            Screen::PinBlocked { .. } => "PinBlocked",
            Screen::StaffLogin { .. } => "StaffLogin",
            Screen::StaffCheck { .. } => "StaffCheck",
            Screen::CheckingEligibility => "CheckingEligibility",
            Screen::RegistrationOffer => "RegistrationOffer",
            Screen::EligibilityProblem { .. } => "EligibilityProblem",
            Screen::NoSharingInfo => "NoSharingInfo",
            Screen::ConsentStart => "ConsentStart",
            Screen::ConsentItems { .. } => "ConsentItems",
            Screen::ConsentReview { .. } => "ConsentReview",
            Screen::Prescription => "Prescription",
            Screen::Saving => "Saving",
            Screen::Done { .. } => "Done",
            Screen::Counter { .. } => "Counter",
        }
    }

    /// Screens that wait on a worker rather than the patient, and the final screens that wait for the
    /// card to be taken: no inactivity time-out there.
    fn exempt_from_timeout(&self) -> bool {
        matches!(
            self,
            Screen::Idle
                | Screen::Reading
                | Screen::Saving
                | Screen::CheckingEligibility
                | Screen::Done { .. }
                | Screen::Counter { .. }
        )
    }
}

/// Inputs to the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    CardInserted,
    CardRemoved,
    CardRead(Result<CardFacts, ReadFailure>),
    AlertAcknowledged,
    MethodChosen(Method),
    StaffHelpChosen,
    CardFaceRead(CardFaceOutcome),
    /// Guidance from the card-front reader (`None`: the front is readable, hold on).
    CardFrontGuidance(Option<FrontGuidanceKind>),
    /// Staff typed the card front's numbers on the staff screen. The digits stay in the UI and go
    /// straight to the card worker with `ReadCardFaceTyped`; the flow never holds them.
    CheckCodeTyped,
    Face(FaceEvent),
    /// The patient pressed "confirm" on the PIN pad with 4 digits typed. The digits stay in the UI and go
    /// straight to the card worker with the `VerifyPin` effect; the flow never holds them.
    PinSubmitted,
    PinVerified(PinResult),
    StaffCodeSubmitted,
    StaffCodeChecked(Option<String>),
    StaffDecision {
        holder_confirmed: bool,
    },
    Eligibility(Result<EligibilityAnswer, EligibilityFailure>),
    RegistrationAccepted(bool),
    ConsentAll(bool),
    ConsentIndividually,
    ConsentItemChosen(ConsentItem, bool),
    ConsentNext,
    ConsentConfirmed,
    ConsentChange,
    PrescriptionChosen(Prescription),
    RecordSaved(bool),
    Tick(i64),
    Language(Lang),
    HelpPressed,
    HelpDismissed,
    MoreTime,
    /// The reader the kiosk watches came (back) or went away: the smart-card service (pcscd) stopped
    /// or started, or the reader was unplugged or plugged in. While it is away the start screen says
    /// so, instead of inviting a card nothing would read.
    ReaderAvailable(bool),
}

impl Event {
    /// The event's name for the audit log (no data).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CardInserted => "CardInserted",
            Event::CardRemoved => "CardRemoved",
            Event::CardRead(_) => "CardRead",
            Event::AlertAcknowledged => "AlertAcknowledged",
            Event::MethodChosen(_) => "MethodChosen",
            Event::StaffHelpChosen => "StaffHelpChosen",
            // A refused 照合番号B spent one of the card's tries: it has its own audit entry.
            Event::CardFaceRead(CardFaceOutcome::CodeRefused) => "CardFaceCodeRefused",
            Event::CardFaceRead(CardFaceOutcome::TooFewTries) => "CardFaceTooFewTries",
            Event::CardFaceRead(_) => "CardFaceRead",
            Event::CardFrontGuidance(_) => "CardFrontGuidance",
            Event::CheckCodeTyped => "CheckCodeTyped",
            Event::Face(_) => "Face",
            Event::PinSubmitted => "PinSubmitted",
            Event::PinVerified(_) => "PinVerified",
            Event::StaffCodeSubmitted => "StaffCodeSubmitted",
            Event::StaffCodeChecked(_) => "StaffCodeChecked",
            Event::StaffDecision { .. } => "StaffDecision",
            Event::Eligibility(_) => "Eligibility",
            Event::RegistrationAccepted(_) => "RegistrationAccepted",
            Event::ConsentAll(_) => "ConsentAll",
            Event::ConsentIndividually => "ConsentIndividually",
            Event::ConsentItemChosen(..) => "ConsentItemChosen",
            Event::ConsentNext => "ConsentNext",
            Event::ConsentConfirmed => "ConsentConfirmed",
            Event::ConsentChange => "ConsentChange",
            Event::PrescriptionChosen(_) => "PrescriptionChosen",
            Event::RecordSaved(_) => "RecordSaved",
            Event::Tick(_) => "Tick",
            Event::Language(_) => "Language",
            Event::HelpPressed => "HelpPressed",
            Event::HelpDismissed => "HelpDismissed",
            Event::MoreTime => "MoreTime",
            Event::ReaderAvailable(_) => "ReaderAvailable",
        }
    }
}

/// Work for the app's workers.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ReadCard,
    /// Read the card front, 照合番号B and the photo (face path and staff check).
    ReadCardFace,
    /// Read the photo with the 照合番号B staff typed (the UI hands the digits to the app).
    ReadCardFaceTyped,
    StartFaceMatching,
    StopFaceMatching,
    /// Send exactly one VERIFY with the digits the patient typed.
    VerifyPin,
    /// Clear the PIN pad (after every submission and when leaving PIN entry).
    ClearPinPad,
    CheckStaffCode,
    CheckEligibility {
        cert_issuer: String,
        cert_serial: String,
    },
    RegisterInsuranceUse {
        cert_issuer: String,
        cert_serial: String,
    },
    SaveRecord(ReceptionRecord),
    CallStaff,
    /// Drop everything personal the workers hold (photo, descriptors, PIN buffer, names).
    WipeSession,
    /// A transition for the audit log: screen and event names only.
    Audit {
        from: &'static str,
        to: &'static str,
        event: &'static str,
    },
}

/// One patient's reception, from card inserted to card removed.
#[derive(Debug, Default)]
struct Session {
    facts: Option<CardFacts>,
    photo: Option<bool>,
    verified: Option<VerifiedBy>,
    eligibility: Option<EligibilityAnswer>,
    consents: Consents,
    consent_time: Option<i64>,
    extensions: u32,
    started_at: i64,
    /// Where to go back after a staff login is abandoned.
    method_screen: Option<Screen>,
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
    /// Seconds left on the time-out warning, when it shows.
    warning_until: Option<i64>,
    session: Option<Session>,
    next_reception_id: u64,
    /// The watched reader is gone (see [`Event::ReaderAvailable`]).
    reader_away: bool,
}

impl Flow {
    pub fn new(config: FlowConfig, now: i64) -> Flow {
        Flow {
            config,
            screen: Screen::Idle,
            lang: Lang::Ja,
            help: false,
            now,
            last_input: now,
            warning_until: None,
            session: None,
            next_reception_id: 1,
            reader_away: false,
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
    /// Whether "more time" can still be granted.
    pub fn more_time_available(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.extensions < self.config.max_extensions)
    }
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// Handle one event. Events that do not fit the current screen are ignored (no effects).
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let before = self.screen.kind();
        let mut fx = Vec::new();
        let is_input = !matches!(
            event,
            Event::Tick(_)
                | Event::Face(FaceEvent::Guidance(_))
                | Event::CardRead(_)
                | Event::Eligibility(_)
                | Event::RecordSaved(_)
        );
        if is_input {
            self.last_input = self.now;
            if !matches!(event, Event::MoreTime) {
                self.warning_until = None;
            }
        }
        let kind = event.kind();
        self.step(event, &mut fx);
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
        self.screen = screen;
        self.last_input = self.now;
        self.warning_until = None;
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
        if matches!(self.screen, Screen::PinEntry { .. }) {
            fx.push(Effect::ClearPinPad);
        }
        if !matches!(screen, Screen::Done { .. }) {
            self.session = None;
            fx.push(Effect::WipeSession);
        }
        self.help = false;
        self.go(screen);
    }

    fn step(&mut self, event: Event, fx: &mut Vec<Effect>) {
        match event {
            Event::Tick(now) => return self.tick(now, fx),
            Event::Language(l) => return self.lang = l,
            Event::HelpPressed => {
                if !self.help {
                    self.help = true;
                    fx.push(Effect::CallStaff);
                }
                return;
            }
            Event::HelpDismissed => return self.help = false,
            Event::MoreTime => {
                if let (Some(_), Some(s)) = (self.warning_until, self.session.as_mut())
                    && s.extensions < self.config.max_extensions
                {
                    s.extensions += 1;
                    self.warning_until = None;
                    self.last_input = self.now;
                }
                return;
            }
            Event::CardRemoved => {
                let start = self.start_screen();
                if self.session.is_some() {
                    self.end_session(start, fx);
                } else if self.screen != start {
                    // A final screen whose session is already wiped.
                    self.help = false;
                    self.go(start);
                }
                return;
            }
            Event::ReaderAvailable(available) => {
                self.reader_away = !available;
                // Only a screen without a patient changes: a session ends by its own events (the
                // card is reported removed first when the reader goes).
                let start = self.start_screen();
                if self.session.is_none() && matches!(self.screen, Screen::Idle | Screen::ReaderProblem) {
                    self.help = false;
                    self.go(start);
                }
                return;
            }
            Event::CardInserted => {
                if self.screen == Screen::Idle {
                    self.session = Some(Session {
                        started_at: self.now,
                        ..Default::default()
                    });
                    self.help = false;
                    self.go(Screen::Reading);
                    fx.push(Effect::ReadCard);
                }
                return;
            }
            _ => {}
        }
        let screen = self.screen.clone();
        match (screen, event) {
            (Screen::Reading, Event::CardRead(result)) => self.card_read(result, fx),
            (
                Screen::CertificateExpiring { .. } | Screen::CertificateExpiredGrace { .. },
                Event::AlertAcknowledged,
            ) => self.offer_methods(),
            (Screen::MethodChoice { face: true, .. }, Event::MethodChosen(Method::Face))
            | (Screen::FaceFailed { .. }, Event::MethodChosen(Method::Face)) => self.start_face(fx),
            (
                Screen::MethodChoice { pin: Some(_), .. } | Screen::FaceFailed { pin: Some(_), .. },
                Event::MethodChosen(Method::Pin),
            )
            | (Screen::NoPhotoPinOnly, Event::AlertAcknowledged) => self.start_pin(),
            (
                Screen::MethodChoice { staff: true, .. }
                | Screen::FaceFailed { staff: true, .. }
                | Screen::PinBlocked { staff: true },
                Event::StaffHelpChosen,
            ) => {
                if let Some(s) = self.session.as_mut() {
                    s.method_screen = Some(self.screen.clone());
                }
                fx.push(Effect::CallStaff);
                self.go(Screen::StaffLogin { failed: 0 });
            }
            (Screen::CardFace { .. }, Event::CardFaceRead(outcome)) => self.card_face(outcome, fx),
            (Screen::CardFace { .. }, Event::CardFrontGuidance(guidance)) => {
                self.screen = Screen::CardFace { guidance };
            }
            (Screen::FaceMatching { attempt, .. }, Event::Face(FaceEvent::Guidance(g))) => {
                self.screen = Screen::FaceMatching { attempt, guidance: g };
            }
            (
                Screen::FaceMatching { .. },
                Event::Face(FaceEvent::Matched {
                    distance_milli,
                    frames,
                }),
            ) => {
                fx.push(Effect::StopFaceMatching);
                self.verified(
                    VerifiedBy::Face {
                        distance_milli,
                        frames,
                    },
                    fx,
                );
            }
            (Screen::FaceMatching { attempt, .. }, Event::Face(FaceEvent::NotMatched { .. })) => {
                fx.push(Effect::StopFaceMatching);
                if attempt < self.config.face_attempts {
                    fx.push(Effect::StartFaceMatching);
                    self.go(Screen::FaceMatching {
                        attempt: attempt + 1,
                        guidance: None,
                    });
                } else {
                    self.face_failed(fx);
                }
            }
            (Screen::FaceMatching { .. }, Event::Face(FaceEvent::CameraUnavailable)) => {
                fx.push(Effect::StopFaceMatching);
                self.face_failed(fx);
            }
            (
                Screen::PinEntry {
                    tries_left,
                    last_try,
                    wrong_before,
                    verifying: false,
                },
                Event::PinSubmitted,
            ) => {
                fx.push(Effect::VerifyPin);
                fx.push(Effect::ClearPinPad);
                self.screen = Screen::PinEntry {
                    tries_left,
                    last_try,
                    wrong_before,
                    verifying: true,
                };
            }
            (Screen::PinEntry { verifying: true, .. }, Event::PinVerified(result)) => {
                self.pin_result(result, fx)
            }
            (Screen::StaffLogin { failed }, Event::StaffCodeSubmitted) => {
                fx.push(Effect::CheckStaffCode);
                self.screen = Screen::StaffLogin { failed };
            }
            (Screen::StaffLogin { failed }, Event::StaffCodeChecked(result)) => match result {
                Some(staff_id) => {
                    let photo = self.session.as_ref().and_then(|s| s.photo);
                    if photo == Some(true) {
                        self.go(Screen::StaffCheck {
                            staff_id,
                            front_failed: false,
                        });
                    } else {
                        // The photo has to be read first; the staff check follows when it is ready.
                        fx.push(Effect::ReadCardFace);
                        self.go(Screen::StaffCheck {
                            staff_id,
                            front_failed: false,
                        });
                    }
                }
                None if failed + 1 >= self.config.staff_code_attempts => {
                    let back = self
                        .session
                        .as_mut()
                        .and_then(|s| s.method_screen.take())
                        .unwrap_or(Screen::Idle);
                    self.go(back);
                }
                None => self.screen = Screen::StaffLogin { failed: failed + 1 },
            },
            (Screen::StaffCheck { staff_id, .. }, Event::CheckCodeTyped) => {
                fx.push(Effect::ReadCardFaceTyped);
                self.screen = Screen::StaffCheck {
                    staff_id,
                    front_failed: false,
                };
            }
            (Screen::StaffCheck { staff_id, .. }, Event::CardFaceRead(outcome)) => {
                if matches!(outcome, CardFaceOutcome::PhotoReady | CardFaceOutcome::NoPhoto)
                    && let Some(s) = self.session.as_mut()
                {
                    s.photo = Some(outcome == CardFaceOutcome::PhotoReady);
                }
                // The front unread, a typed code refused, few tries left: staff stay on their screen,
                // where they can type the numbers (again) or decide with another photo ID.
                match outcome {
                    CardFaceOutcome::NoPhoto | CardFaceOutcome::NotGenuine => self.end_session(
                        Screen::Counter {
                            reason: CounterReason::NoMethodLeft,
                        },
                        fx,
                    ),
                    CardFaceOutcome::PhotoReady => {}
                    CardFaceOutcome::Unavailable
                    | CardFaceOutcome::CodeRefused
                    | CardFaceOutcome::TooFewTries => {
                        self.screen = Screen::StaffCheck {
                            staff_id,
                            front_failed: true,
                        }
                    }
                }
            }
            (Screen::StaffCheck { staff_id, .. }, Event::StaffDecision { holder_confirmed }) => {
                if holder_confirmed {
                    self.verified(VerifiedBy::Staff { staff_id }, fx);
                } else {
                    self.end_session(
                        Screen::Counter {
                            reason: CounterReason::StaffRefused,
                        },
                        fx,
                    );
                }
            }
            (Screen::CheckingEligibility, Event::Eligibility(answer)) => self.eligibility(answer, fx),
            (Screen::RegistrationOffer, Event::RegistrationAccepted(true)) => {
                if let Some(f) = self.session.as_ref().and_then(|s| s.facts.as_ref()) {
                    fx.push(Effect::RegisterInsuranceUse {
                        cert_issuer: f.cert_issuer.clone(),
                        cert_serial: f.cert_serial.clone(),
                    });
                }
                self.after_eligibility();
            }
            (Screen::RegistrationOffer, Event::RegistrationAccepted(false)) => self.end_session(
                Screen::Counter {
                    reason: CounterReason::RegistrationDeclined,
                },
                fx,
            ),
            (Screen::NoSharingInfo, Event::AlertAcknowledged) => self.go(Screen::Prescription),
            (Screen::ConsentStart, Event::ConsentAll(agree)) => self.go(Screen::ConsentReview {
                consents: Consents::all(agree),
            }),
            // Each item is an explicit choice: the individual screen starts with nothing chosen.
            (Screen::ConsentStart, Event::ConsentIndividually) => self.go(Screen::ConsentItems {
                consents: Consents::default(),
            }),
            (Screen::ConsentItems { mut consents }, Event::ConsentItemChosen(item, agree)) => {
                consents.set(item, agree);
                self.screen = Screen::ConsentItems { consents };
            }
            (Screen::ConsentItems { consents }, Event::ConsentNext) if consents.complete() => {
                self.go(Screen::ConsentReview { consents })
            }
            (Screen::ConsentReview { consents }, Event::ConsentConfirmed) => {
                let now = self.now;
                if let Some(s) = self.session.as_mut() {
                    s.consents = consents;
                    s.consent_time = Some(now);
                }
                self.go(Screen::Prescription);
            }
            (Screen::ConsentReview { .. }, Event::ConsentChange) => self.go(Screen::ConsentStart),
            (Screen::Prescription, Event::PrescriptionChosen(p)) => self.save(p, fx),
            (Screen::Saving, Event::RecordSaved(true)) => {
                let name = self
                    .session
                    .as_ref()
                    .and_then(|s| s.eligibility.as_ref())
                    .map(|e| e.patient_name.clone())
                    .unwrap_or_default();
                self.go(Screen::Done { name });
            }
            (Screen::Saving, Event::RecordSaved(false)) => self.end_session(
                Screen::Counter {
                    reason: CounterReason::RecordNotSaved,
                },
                fx,
            ),
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
        if self.screen.exempt_from_timeout() || self.session.is_none() {
            self.warning_until = None;
            return;
        }
        match self.warning_until {
            Some(end) if now >= end => self.end_session(
                Screen::Counter {
                    reason: CounterReason::TimedOut,
                },
                fx,
            ),
            Some(_) => {}
            None if now - self.last_input >= self.config.idle_secs => {
                self.warning_until = Some(now + self.config.warning_secs)
            }
            None => {}
        }
    }

    fn card_read(&mut self, result: Result<CardFacts, ReadFailure>, fx: &mut Vec<Effect>) {
        let facts = match result {
            Err(ReadFailure::NotMyNumberCard) => return self.end_session(Screen::NotMyNumberCard, fx),
            Err(ReadFailure::Unreadable) => return self.end_session(Screen::CardUnreadable, fx),
            Err(ReadFailure::ReaderProblem) => return self.end_session(Screen::ReaderProblem, fx),
            Ok(f) => f,
        };
        match facts.kind {
            CardKind::PlasticCard => {}
            CardKind::AndroidPhone | CardKind::Iphone => return self.end_session(Screen::PhoneToken, fx),
            CardKind::OldCard | CardKind::Unknown(_) => return self.end_session(Screen::NotMyNumberCard, fx),
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
            CertificateStatus::ExpiredBeyondGrace { .. } | CertificateStatus::NotYetValid { .. } => self
                .end_session(
                    Screen::Counter {
                        reason: CounterReason::CertificateNotUsable,
                    },
                    fx,
                ),
        }
    }

    fn pin_tries(&self) -> Option<u8> {
        match self.session.as_ref()?.facts.as_ref()?.pin {
            PinState::TriesLeft(n) if n > 0 => Some(n),
            _ => None,
        }
    }

    /// The photo may exist (not known absent): face and the staff check are possible.
    fn photo_possible(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.photo != Some(false))
    }

    fn offer_methods(&mut self) {
        let face = self.config.face_enabled && self.photo_possible();
        let staff = self.photo_possible();
        let pin = self.pin_tries();
        self.go(Screen::MethodChoice { face, pin, staff });
    }

    fn start_face(&mut self, fx: &mut Vec<Effect>) {
        if self.session.as_ref().and_then(|s| s.photo) == Some(true) {
            fx.push(Effect::StartFaceMatching);
            self.go(Screen::FaceMatching {
                attempt: 1,
                guidance: None,
            });
        } else {
            fx.push(Effect::ReadCardFace);
            self.go(Screen::CardFace { guidance: None });
        }
    }

    fn card_face(&mut self, outcome: CardFaceOutcome, fx: &mut Vec<Effect>) {
        if let Some(s) = self.session.as_mut() {
            s.photo = match outcome {
                CardFaceOutcome::PhotoReady => Some(true),
                CardFaceOutcome::NoPhoto => Some(false),
                _ => s.photo,
            };
        }
        match outcome {
            CardFaceOutcome::PhotoReady => {
                fx.push(Effect::StartFaceMatching);
                self.go(Screen::FaceMatching {
                    attempt: 1,
                    guidance: None,
                });
            }
            CardFaceOutcome::NoPhoto => {
                if self.pin_tries().is_some() {
                    self.go(Screen::NoPhotoPinOnly)
                } else {
                    self.end_session(
                        Screen::Counter {
                            reason: CounterReason::NoMethodLeft,
                        },
                        fx,
                    )
                }
            }
            CardFaceOutcome::Unavailable
            | CardFaceOutcome::CodeRefused
            | CardFaceOutcome::TooFewTries
            | CardFaceOutcome::NotGenuine => self.face_failed(fx),
        }
    }

    fn face_failed(&mut self, fx: &mut Vec<Effect>) {
        let pin = self.pin_tries();
        let staff = self.photo_possible();
        if pin.is_none() && !staff {
            return self.end_session(
                Screen::Counter {
                    reason: CounterReason::NoMethodLeft,
                },
                fx,
            );
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

    fn pin_result(&mut self, result: PinResult, fx: &mut Vec<Effect>) {
        let set_pin = |s: &mut Option<Session>, p: PinState| {
            if let Some(f) = s.as_mut().and_then(|s| s.facts.as_mut()) {
                f.pin = p;
            }
        };
        match result {
            PinResult::Verified => {
                set_pin(&mut self.session, PinState::TriesLeft(3));
                self.verified(VerifiedBy::Pin, fx)
            }
            PinResult::Wrong { tries_left: 0 } | PinResult::Blocked => {
                set_pin(&mut self.session, PinState::Blocked);
                let staff = self.photo_possible();
                self.go(Screen::PinBlocked { staff });
            }
            PinResult::Wrong { tries_left } => {
                set_pin(&mut self.session, PinState::TriesLeft(tries_left));
                self.go(Screen::PinEntry {
                    tries_left,
                    last_try: tries_left == 1,
                    wrong_before: true,
                    verifying: false,
                });
            }
            PinResult::CardError => self.end_session(
                Screen::Counter {
                    reason: CounterReason::PinCardError,
                },
                fx,
            ),
        }
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
        match answer {
            Err(failure) => self.end_session(
                Screen::EligibilityProblem {
                    qualification: None,
                    failure: Some(failure),
                },
                fx,
            ),
            Ok(a) => {
                let q = a.qualification;
                if let Some(s) = self.session.as_mut() {
                    s.eligibility = Some(a);
                }
                match q {
                    Qualification::Valid => self.after_eligibility(),
                    Qualification::ValidUnregistered => self.go(Screen::RegistrationOffer),
                    other => self.end_session(
                        Screen::EligibilityProblem {
                            qualification: Some(other),
                            failure: None,
                        },
                        fx,
                    ),
                }
            }
        }
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

    fn save(&mut self, prescription: Prescription, fx: &mut Vec<Effect>) {
        let sharing = self.sharing_allowed();
        let id = self.next_reception_id;
        let now = self.now;
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let (Some(facts), Some(verified), Some(el)) =
            (s.facts.as_ref(), s.verified.clone(), s.eligibility.as_ref())
        else {
            return;
        };
        let record = ReceptionRecord {
            reception_id: id,
            started_at: s.started_at,
            finished_at: now,
            verified_by: verified,
            qualification: match el.qualification {
                Qualification::ValidUnregistered => Qualification::Valid,
                q => q,
            },
            cert_issuer: facts.cert_issuer.clone(),
            cert_serial: facts.cert_serial.clone(),
            consents: sharing.then_some(s.consents),
            consent_time: if sharing { s.consent_time } else { None },
            prescription: Some(prescription),
        };
        self.next_reception_id += 1;
        fx.push(Effect::SaveRecord(record));
        self.go(Screen::Saving);
    }
}
