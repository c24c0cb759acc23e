//! A headless reception: the flow's effects executed against the card, the face engine and the records,
//! synchronously. Patients are scripted ([`Patient`]): they choose, type and consent as a person would.
//! Used by `kiosk --demo` and by tests; the GUI drives the same flow with workers instead.

use kiosk_apdu::CardChannel;
use kiosk_face::{Descriptor, FaceEngine, FaceModels, MatchPolicy, MatchSession, RgbImage, Verdict};
use kiosk_mynumber::{AuthPin, CheckCodeB, Identification, MyNumberCard, PinOutcome, PinStatus, TrustAnchor};
use kiosk_reception::{
    CardFaceOutcome, CardFacts, ConsentItem, Consents, Effect, EligibilityFailure, Event, FaceEvent, Flow,
    FlowConfig, Method, PinResult, PinState, Prescription, ReadFailure, Screen,
};
use kiosk_records::{EligibilityBackend, Journal, RosterEntry, SqliteRoster};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// What the camera sees while a patient stands at the kiosk.
#[derive(Debug, Clone)]
pub enum Camera {
    /// Frames of these photos (the card holder, or someone else).
    Frames(Vec<RgbImage>),
    /// Nobody in front of the camera.
    Empty,
    /// No camera connected.
    Missing,
}

/// A scripted patient.
#[derive(Debug, Clone)]
pub struct Patient {
    pub method: Method,
    /// PINs the patient types, in order (only these are ever sent to the card).
    pub pins: Vec<String>,
    pub camera: Camera,
    /// `None`: agree to all; `Some`: choose individually.
    pub consents: Option<Consents>,
    pub prescription: Prescription,
    /// When face or PIN fail, ask staff for a visual check (with this staff code).
    pub staff_code: Option<String>,
    /// Whether staff confirm the holder.
    pub staff_confirms: bool,
}

/// Where a scripted reception ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The screens shown, in order (names).
    pub screens: Vec<&'static str>,
    /// The final screen before the card was taken.
    pub last: Screen,
    /// VERIFYs the driver sent for the PIN (must equal the PINs the patient typed).
    pub pins_sent: usize,
}

/// Executes the flow's effects against the card, the face engine and the records, and returns the
/// events they produce. The PIN and staff code come from whoever typed them (the PIN pad, or a scripted
/// patient) through [`Executor::typed_pin`] / [`Executor::typed_staff_code`]; they are used once and wiped.
pub struct Executor<'m> {
    pub roster: SqliteRoster,
    pub journal: Journal,
    pub output_dir: PathBuf,
    pub institution_code: String,
    pub anchors: Vec<TrustAnchor>,
    pub face: Option<FaceEngine<'m>>,
    /// Staff codes and the staff member each identifies (demo: code 0101 is staff S001).
    pub staff_codes: Vec<(String, String)>,
    pub camera: Camera,
    pub now: i64,
    card: Option<MyNumberCard<Box<dyn CardChannel + 'm>>>,
    check_code_b: Option<CheckCodeB>,
    typed_pin: Option<Zeroizing<String>>,
    typed_staff_code: Option<Zeroizing<String>>,
    facts: Option<CardFacts>,
    card_descriptor: Option<Descriptor>,
    card_photo: Option<RgbImage>,
    entry: Option<RosterEntry>,
    /// VERIFYs sent to cards for the user-auth PIN, over the executor's life.
    pub pins_sent: usize,
}

impl std::fmt::Debug for Executor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Executor(card: {}, pins sent: {})",
            self.card.is_some(),
            self.pins_sent
        )
    }
}

impl<'m> Executor<'m> {
    pub fn new(
        roster: SqliteRoster,
        journal: Journal,
        output_dir: PathBuf,
        anchors: Vec<TrustAnchor>,
        models: Option<&'m FaceModels>,
        now: i64,
    ) -> Self {
        Executor {
            roster,
            journal,
            output_dir,
            institution_code: "1399999999".into(),
            anchors,
            face: models.map(FaceEngine::new),
            staff_codes: vec![("0101".into(), "S001".into())],
            camera: Camera::Missing,
            now,
            card: None,
            check_code_b: None,
            typed_pin: None,
            typed_staff_code: None,
            facts: None,
            card_descriptor: None,
            card_photo: None,
            entry: None,
            pins_sent: 0,
        }
    }

    /// A card was placed: the channel to it and (until the card-front reader exists) its 照合番号B.
    pub fn insert_card(&mut self, channel: Box<dyn CardChannel + 'm>, check_code_b: Option<CheckCodeB>) {
        self.card = Some(MyNumberCard::new(channel));
        self.check_code_b = check_code_b;
    }

    /// The card left: drop the channel and everything read from it.
    pub fn remove_card(&mut self) {
        self.card = None;
        self.check_code_b = None;
        self.wipe();
    }

    /// The digits the patient confirmed on the PIN pad, for the next `VerifyPin`.
    pub fn typed_pin(&mut self, digits: Zeroizing<String>) {
        self.typed_pin = Some(digits);
    }

    pub fn typed_staff_code(&mut self, code: Zeroizing<String>) {
        self.typed_staff_code = Some(code);
    }

    pub fn has_card_photo(&self) -> bool {
        self.card_descriptor.is_some()
    }

    fn wipe(&mut self) {
        self.typed_pin = None;
        self.typed_staff_code = None;
        self.facts = None;
        self.card_descriptor = None;
        self.card_photo = None;
        self.entry = None;
    }

    /// The card photo, for the staff visual check only.
    pub fn card_photo(&self) -> Option<&RgbImage> {
        self.card_photo.as_ref()
    }

    /// Execute one effect; the event it produces, if any, goes back to the flow.
    pub fn execute(&mut self, effect: Effect) -> Option<Event> {
        match effect {
            Effect::ReadCard => {
                let card = self.card.as_mut()?;
                let facts = read_card(card, self.now);
                self.facts = facts.as_ref().ok().cloned();
                Some(Event::CardRead(facts))
            }
            Effect::ReadCardFace => Some(Event::CardFaceRead(self.read_card_face())),
            Effect::StartFaceMatching => Some(Event::Face(self.match_face())),
            Effect::StopFaceMatching | Effect::CallStaff => None,
            Effect::ClearPinPad => {
                self.typed_pin = None;
                None
            }
            Effect::VerifyPin => {
                // Exactly one VERIFY per PIN the patient confirmed; without one, nothing is sent.
                let typed = self.typed_pin.take()?;
                let card = self.card.as_mut()?;
                let Ok(pin) = AuthPin::new(&typed) else {
                    return Some(Event::PinVerified(PinResult::CardError));
                };
                self.pins_sent += 1;
                Some(Event::PinVerified(match card.verify_auth_pin(&pin) {
                    Ok(PinOutcome::Verified) => PinResult::Verified,
                    Ok(PinOutcome::Wrong { tries_left }) => PinResult::Wrong { tries_left },
                    Ok(PinOutcome::Blocked) => PinResult::Blocked,
                    Err(_) => PinResult::CardError,
                }))
            }
            Effect::CheckStaffCode => {
                let typed = self.typed_staff_code.take();
                let ok = typed.and_then(|c| {
                    self.staff_codes
                        .iter()
                        .find(|(code, _)| code.as_str() == c.as_str())
                        .map(|(_, id)| id.clone())
                });
                Some(Event::StaffCodeChecked(ok))
            }
            Effect::CheckEligibility {
                cert_issuer,
                cert_serial,
            } => {
                let today = kiosk_mynumber::Date::from_unix_jst(self.now);
                Some(Event::Eligibility(
                    match self.roster.check(&cert_issuer, &cert_serial, today) {
                        Ok((answer, entry)) => {
                            self.entry = entry;
                            Ok(answer)
                        }
                        Err(_) => Err(EligibilityFailure::Error),
                    },
                ))
            }
            Effect::RegisterInsuranceUse {
                cert_issuer,
                cert_serial,
            } => {
                let _ = self.roster.register(&cert_issuer, &cert_serial);
                None
            }
            Effect::SaveRecord(record) => {
                let saved = self.entry.as_ref().is_some_and(|entry| {
                    self.journal
                        .complete(&record, entry, &self.output_dir, &self.institution_code)
                        .is_ok()
                });
                Some(Event::RecordSaved(saved))
            }
            Effect::WipeSession => {
                self.wipe();
                None
            }
            Effect::Audit { from, to, event } => {
                let _ = self.journal.audit(self.now, from, to, event);
                None
            }
        }
    }

    fn read_card_face(&mut self) -> CardFaceOutcome {
        // Never spend a 照合番号B try without a code, or when few tries remain (issue 6 refines this).
        let (Some(card), Some(code)) = (self.card.as_mut(), self.check_code_b.as_ref()) else {
            return CardFaceOutcome::Unavailable;
        };
        match card.check_b_status() {
            Ok(PinStatus::TriesLeft(n)) if n >= 3 => {}
            _ => return CardFaceOutcome::Unavailable,
        }
        let mut challenge = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
        match card.read_card_face(code, &self.anchors, &challenge) {
            Ok((PinOutcome::Verified, Some((face, check)))) => {
                if !check.is_genuine() {
                    return CardFaceOutcome::NotGenuine;
                }
                if !face.has_photo() {
                    return CardFaceOutcome::NoPhoto;
                }
                self.card_photo = RgbImage::decode(&face.photo_jp2).ok();
                if let Some(engine) = self.face.as_mut() {
                    match engine.card_photo_descriptor(&face.photo_jp2) {
                        Ok(d) => self.card_descriptor = Some(d),
                        Err(_) => return CardFaceOutcome::Unavailable,
                    }
                }
                CardFaceOutcome::PhotoReady
            }
            _ => CardFaceOutcome::Unavailable,
        }
    }

    fn match_face(&mut self) -> FaceEvent {
        let (Some(engine), Some(card)) = (self.face.as_mut(), self.card_descriptor.as_ref()) else {
            return FaceEvent::CameraUnavailable;
        };
        // Borrow the clip (a disjoint field from the engine) instead of copying every frame.
        let frames: &[RgbImage] = match &self.camera {
            Camera::Missing => return FaceEvent::CameraUnavailable,
            Camera::Empty => &[],
            Camera::Frames(f) => f,
        };
        let policy = MatchPolicy::default();
        let mut session = MatchSession::new(policy);
        let mut decision = session.decision();
        for frame in frames.iter().cycle().take(policy.max_frames as usize) {
            let analysis = engine.analyse(frame);
            if let Some(d) = analysis.descriptor {
                decision = session.add(d.distance(card));
            }
            if decision.verdict != Verdict::Undecided {
                break;
            }
        }
        let distance_milli = decision.distance.map(|d| (d * 1000.0) as u32).unwrap_or(0);
        match decision.verdict {
            Verdict::SamePerson => FaceEvent::Matched {
                distance_milli,
                frames: decision.frames_agreed,
            },
            _ => FaceEvent::NotMatched {
                distance_milli,
                frames: decision.frames_agreed,
            },
        }
    }
}

/// A headless reception: the flow plus an [`Executor`], driven by scripted patients.
pub struct Reception<'m> {
    pub flow: Flow,
    pub exec: Executor<'m>,
    /// Everything the flow emitted, for audits and tests.
    pub effects: Vec<Effect>,
}

impl std::fmt::Debug for Reception<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reception({:?})", self.flow.screen().kind())
    }
}

impl<'m> Reception<'m> {
    pub fn new(exec: Executor<'m>) -> Reception<'m> {
        let config = FlowConfig {
            face_enabled: exec.face.is_some(),
            ..FlowConfig::default()
        };
        Reception {
            flow: Flow::new(config, exec.now),
            exec,
            effects: Vec::new(),
        }
    }

    fn step(&mut self, event: Event) -> Vec<Event> {
        let mut out = Vec::new();
        for effect in self.flow.handle(event) {
            self.effects.push(effect.clone());
            if let Some(e) = self.exec.execute(effect) {
                out.push(e);
            }
        }
        out
    }

    /// Run one patient with `card` from insertion to the card being taken out.
    pub fn run(
        &mut self,
        card: Box<dyn CardChannel + 'm>,
        check_code_b: Option<CheckCodeB>,
        patient: &Patient,
    ) -> Outcome {
        let pins_before = self.exec.pins_sent;
        self.exec.insert_card(card, check_code_b);
        self.exec.camera = patient.camera.clone();
        let mut typed = 0usize;
        let mut screens = vec![self.flow.screen().kind()];
        let mut queue = std::collections::VecDeque::from([Event::CardInserted]);
        let mut guard = 0;
        while let Some(event) = queue.pop_front() {
            guard += 1;
            if guard > 500 {
                break;
            }
            self.exec.now += 1;
            let now = self.exec.now;
            let _ = self.flow.handle(Event::Tick(now));
            queue.extend(self.step(event));
            if screens.last() != Some(&self.flow.screen().kind()) {
                screens.push(self.flow.screen().kind());
            }
            if queue.is_empty()
                && let Some(e) = self.patient_input(patient, &mut typed)
            {
                queue.push_back(e);
            }
        }
        let last = self.flow.screen().clone();
        let _ = self.step(Event::CardRemoved);
        self.exec.remove_card();
        screens.push(self.flow.screen().kind());
        Outcome {
            screens,
            last,
            pins_sent: self.exec.pins_sent - pins_before,
        }
    }

    /// What the scripted patient does on the current screen (`None`: waits, or is done).
    fn patient_input(&mut self, p: &Patient, typed: &mut usize) -> Option<Event> {
        Some(match self.flow.screen() {
            Screen::CertificateExpiring { .. }
            | Screen::CertificateExpiredGrace { .. }
            | Screen::NoPhotoPinOnly
            | Screen::NoSharingInfo => Event::AlertAcknowledged,
            Screen::MethodChoice { face, pin, staff } => match p.method {
                Method::Face if *face => Event::MethodChosen(Method::Face),
                Method::Pin if pin.is_some() => Event::MethodChosen(Method::Pin),
                _ if pin.is_some() => Event::MethodChosen(Method::Pin),
                _ if *staff && p.staff_code.is_some() => Event::StaffHelpChosen,
                _ => return None,
            },
            Screen::FaceFailed { pin, staff } => {
                if pin.is_some() && *typed < p.pins.len() {
                    Event::MethodChosen(Method::Pin)
                } else if *staff && p.staff_code.is_some() {
                    Event::StaffHelpChosen
                } else {
                    return None;
                }
            }
            Screen::PinEntry { verifying: false, .. } if *typed < p.pins.len() => {
                self.exec.typed_pin(Zeroizing::new(p.pins[*typed].clone()));
                *typed += 1;
                Event::PinSubmitted
            }
            Screen::PinBlocked { staff: true } if p.staff_code.is_some() => Event::StaffHelpChosen,
            Screen::StaffLogin { .. } => {
                self.exec
                    .typed_staff_code(Zeroizing::new(p.staff_code.clone().unwrap_or_default()));
                Event::StaffCodeSubmitted
            }
            Screen::StaffCheck { .. } => Event::StaffDecision {
                holder_confirmed: p.staff_confirms,
            },
            Screen::RegistrationOffer => Event::RegistrationAccepted(true),
            Screen::ConsentStart => match p.consents {
                None => Event::ConsentAll(true),
                Some(_) => Event::ConsentIndividually,
            },
            Screen::ConsentItems { consents } => {
                let want = p.consents.unwrap_or(Consents::all(true));
                match kiosk_reception::CONSENT_ITEMS
                    .iter()
                    .find(|i| consents.get(**i).is_none())
                {
                    Some(item) => Event::ConsentItemChosen(*item, want.get(*item).unwrap_or(true)),
                    None => Event::ConsentNext,
                }
            }
            Screen::ConsentReview { .. } => Event::ConsentConfirmed,
            Screen::Prescription => Event::PrescriptionChosen(p.prescription),
            _ => return None,
        })
    }
}

/// Read what the reception needs from the card, spending no try.
pub fn read_card<C: CardChannel>(card: &mut MyNumberCard<C>, now: i64) -> Result<CardFacts, ReadFailure> {
    let gone = |e: kiosk_mynumber::CardError| match e {
        kiosk_mynumber::CardError::Transport(
            kiosk_apdu::TransportError::ServiceDown | kiosk_apdu::TransportError::ReaderGone,
        ) => ReadFailure::ReaderProblem,
        _ => ReadFailure::Unreadable,
    };
    let kind = match card.identify().map_err(gone)? {
        Identification::NotMyNumberCard => return Err(ReadFailure::NotMyNumberCard),
        Identification::MyNumber(k) => k,
    };
    if kind.is_phone() {
        return Ok(CardFacts {
            kind,
            certificate: kiosk_mynumber::CertificateStatus::NotYetValid {
                valid_from: kiosk_mynumber::Date::from_unix_jst(0),
            },
            cert_issuer: String::new(),
            cert_serial: String::new(),
            pin: PinState::NotSet,
        });
    }
    let cert = card.read_auth_certificate().map_err(gone)?;
    let pin = match card.auth_pin_status().map_err(gone)? {
        PinStatus::TriesLeft(n) => PinState::TriesLeft(n),
        PinStatus::Blocked => PinState::Blocked,
    };
    Ok(CardFacts {
        kind,
        certificate: cert.insurance_status(now),
        cert_issuer: cert.issuer.clone(),
        cert_serial: cert.serial_hex.clone(),
        pin,
    })
}

/// A 640×480 kiosk frame of `photo`, face centred at about 40% of the width (for demo cameras).
pub fn kiosk_frame(engine: &mut FaceEngine<'_>, photo: &RgbImage, shift: (f64, f64)) -> Option<RgbImage> {
    let face = engine.detect_still(photo).first()?.face;
    let (cx, cy) = (
        (face.left + face.right) as f64 / 2.0,
        (face.top + face.bottom) as f64 / 2.0,
    );
    let scale = 0.4 * 640.0 / face.width() as f64;
    let (w, h) = (640usize, 480usize);
    let mut data = vec![128u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let ux = ((x as f64 - 320.0 - shift.0) / scale + cx).round();
            let uy = ((y as f64 - 240.0 - shift.1) / scale + cy).round();
            if ux >= 0.0 && uy >= 0.0 && (ux as usize) < photo.width && (uy as usize) < photo.height {
                let i = (uy as usize * photo.width + ux as usize) * 3;
                data[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&photo.data[i..i + 3]);
            }
        }
    }
    RgbImage::new(w, h, data)
}

/// Consent choices used by the demo's "individual" patient.
pub fn individual(surgery: bool, treatment: bool, checkups: bool) -> Consents {
    let mut c = Consents::default();
    c.set(ConsentItem::Surgery, surgery);
    c.set(ConsentItem::TreatmentAndMedicine, treatment);
    c.set(ConsentItem::HealthCheckups, checkups);
    c
}
