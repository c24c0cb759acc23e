//! The kiosk's named worker threads: `kiosk-card` (the card reader), `kiosk-face` (camera and face
//! matching) and `kiosk-records` (roster, journal, staff codes). Each owns a blocking resource: PC/SC calls
//! block, a camera belongs to the thread that opened it, SQLite connections are used from one thread. The
//! UI thread sends them jobs over tokio channels and gets [`Reply`]s back, so the screen keeps drawing while
//! a card computes a signature or the face engine works through a frame.
//!
//! Every job that answers carries a [`Ticket`]; the kiosk core drops answers whose ticket it has
//! cancelled (the card was taken, face matching was stopped), so a late answer never reaches the next
//! patient's session.

use crate::staff::StaffCodes;
use kiosk_apdu::{CardChannel, TransportError};
use kiosk_camera::{Aim, CameraError, Frame, FrameSource};
use kiosk_cardfront::{Agreement, FrontGuidance, FrontReader};
use kiosk_face::{
    Descriptor, FaceEngine, FaceModels, Guidance, MatchPolicy, MatchSession, RgbImage, Verdict,
};
use kiosk_mynumber::{
    AuthPin, CardError, Certificate, CheckCodeB, Identification, MyNumberCard, PinOutcome, PinStatus,
    TrustAnchor,
};
use kiosk_pcsc::{Pcsc, ReaderEvent};
use kiosk_reception::{
    CardFaceOutcome, CardFacts, EligibilityFailure, Event, FaceEvent, FrontGuidanceKind, GuidanceKind,
    PinResult, PinState, ReadFailure, ReceptionRecord,
};
use kiosk_records::{EligibilityBackend, Journal, RosterEntry, SqliteRoster};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, error::TryRecvError, unbounded_channel};
use zeroize::Zeroizing;

/// Identifies one job's answer.
pub type Ticket = u64;

/// What comes back to the UI thread.
#[derive(Debug)]
pub enum Reply {
    /// An answer to a job. `last`: the job is finished (face matching sends guidance before its verdict).
    Job {
        ticket: Ticket,
        event: Event,
        last: bool,
    },
    /// A reader or card changed (real readers, through the PC/SC monitor).
    Reader(ReaderEvent),
    /// Something clinic IT must hear about (written to the log and shown to staff); never personal data.
    Problem(String),
}

/// Sends replies and wakes the UI (egui repaints at once instead of at its next tick).
#[derive(Clone)]
pub struct ReplySender {
    tx: UnboundedSender<Reply>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for ReplySender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplySender")
    }
}

impl ReplySender {
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> (ReplySender, UnboundedReceiver<Reply>) {
        let (tx, rx) = unbounded_channel();
        (ReplySender { tx, wake }, rx)
    }

    pub fn send(&self, reply: Reply) {
        // The receiver is gone only while the kiosk shuts down.
        let _ = self.tx.send(reply);
        (self.wake)();
    }

    fn answer(&self, ticket: Ticket, event: Event) {
        self.send(Reply::Job {
            ticket,
            event,
            last: true,
        });
    }
}

/// A named thread (names show in `top -H`, debuggers and panic messages).
pub(crate) fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, String> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(body)
        .map_err(|e| format!("cannot start the {name} thread: {e}"))
}

// ───────────────────────────── card ─────────────────────────────

/// A card channel that can move to the card thread.
pub type SendChannel = Box<dyn CardChannel + Send>;

/// Jobs for the `kiosk-card` thread.
pub enum CardJob {
    /// A card is there (a virtual card, or a channel opened by the caller).
    Insert(SendChannel),
    /// A card arrived in this PC/SC reader: connect to it.
    Connect(String),
    /// The card left: drop the channel and everything read from it.
    Remove,
    Read {
        ticket: Ticket,
        now: i64,
    },
    /// The photo through 照合番号B: read from the card front by the face thread, or typed by staff.
    ReadFace {
        ticket: Ticket,
        typed: Option<CheckCodeB>,
    },
    /// One VERIFY with the digits the patient typed.
    Verify {
        ticket: Ticket,
        pin: Zeroizing<String>,
    },
    /// Forget what was read (the session ended).
    Wipe,
    Stop,
}

impl std::fmt::Debug for CardJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CardJob::Insert(..) => "Insert",
            CardJob::Connect(_) => "Connect",
            CardJob::Remove => "Remove",
            CardJob::Read { .. } => "Read",
            CardJob::ReadFace { .. } => "ReadFace",
            CardJob::Verify { .. } => "Verify(**)",
            CardJob::Wipe => "Wipe",
            CardJob::Stop => "Stop",
        })
    }
}

/// What the card thread needs.
#[derive(Debug)]
pub struct CardWorker {
    pub anchors: Vec<TrustAnchor>,
    pub models: Option<&'static FaceModels>,
    pub face: UnboundedSender<FaceJob>,
    pub shared: Arc<Shared>,
    pub replies: ReplySender,
}

struct CardState {
    card: Option<MyNumberCard<SendChannel>>,
    /// The card's user-authentication certificate as read (checked against its CA): after a verified
    /// PIN the card must prove it holds this certificate's key.
    certificate: Option<Certificate>,
    /// Why there is no card channel although a card was announced (a failed connect).
    connect_error: Option<ReadFailure>,
}

/// Fewest 照合番号B tries left at which the kiosk still spends one (the card allows 10, GUESS per
/// docs/CARD-NOTES.md §5); below this, the PIN or staff take over and the card keeps its last tries for
/// the holder's municipality.
pub const MIN_CHECK_B_TRIES: u8 = 3;

impl CardWorker {
    pub fn spawn(self, mut jobs: UnboundedReceiver<CardJob>) -> Result<JoinHandle<()>, String> {
        spawn("kiosk-card", move || {
            let mut engine = self.models.map(FaceEngine::new);
            let mut state = CardState {
                card: None,
                certificate: None,
                connect_error: None,
            };
            while let Some(job) = jobs.blocking_recv() {
                match job {
                    CardJob::Stop => break,
                    CardJob::Insert(channel) => {
                        state.card = Some(MyNumberCard::new(channel));
                        state.certificate = None;
                        state.connect_error = None;
                    }
                    CardJob::Connect(reader) => match Pcsc::establish().and_then(|p| p.connect(&reader)) {
                        Ok(ch) => {
                            state.card = Some(MyNumberCard::new(Box::new(ch)));
                            state.certificate = None;
                            state.connect_error = None;
                        }
                        Err(e) => {
                            state.card = None;
                            state.certificate = None;
                            state.connect_error = Some(match e {
                                TransportError::CardRemoved | TransportError::CardUnresponsive => {
                                    ReadFailure::Unreadable
                                }
                                _ => ReadFailure::ReaderProblem,
                            });
                            self.replies.send(Reply::Problem(format!("reader {reader}: {e}")));
                        }
                    },
                    CardJob::Remove => {
                        state.card = None;
                        state.certificate = None;
                        state.connect_error = None;
                        self.shared.clear_card_photo();
                    }
                    CardJob::Wipe => self.shared.clear_card_photo(),
                    CardJob::Read { ticket, now } => {
                        let result = match state.card.as_mut() {
                            Some(card) => match read_card(card, now) {
                                Ok((facts, certificate)) => {
                                    state.certificate = certificate;
                                    Ok(facts)
                                }
                                Err(refused) => {
                                    if let Some(problem) = refused.problem {
                                        self.replies.send(Reply::Problem(problem));
                                    }
                                    Err(refused.failure)
                                }
                            },
                            None => Err(state.connect_error.clone().unwrap_or(ReadFailure::Unreadable)),
                        };
                        self.replies.answer(ticket, Event::CardRead(result));
                    }
                    CardJob::ReadFace { ticket, typed } => {
                        let outcome = self.read_card_face(&mut state, ticket, typed, engine.as_mut());
                        self.replies.answer(ticket, Event::CardFaceRead(outcome));
                    }
                    CardJob::Verify { ticket, pin } => {
                        let result = match (state.card.as_mut(), AuthPin::new(&pin)) {
                            (Some(card), Ok(pin)) => {
                                let outcome = card.verify_auth_pin(&pin);
                                drop(pin);
                                self.pin_result(card, state.certificate.as_ref(), outcome)
                            }
                            _ => PinResult::CardError,
                        };
                        drop(pin);
                        self.replies.answer(ticket, Event::PinVerified(result));
                    }
                }
            }
        })
    }

    /// What one VERIFY of the patient's PIN means for the flow. A verified PIN also has the card sign a
    /// fresh challenge with the certificate's key (as the eligibility service requires of a PIN
    /// reception): a card whose key is not its certificate's is refused, whatever its VERIFY said.
    fn pin_result(
        &self,
        card: &mut MyNumberCard<SendChannel>,
        certificate: Option<&Certificate>,
        outcome: Result<PinOutcome, CardError>,
    ) -> PinResult {
        const DURING: &str = "card refused during the PIN check";
        match outcome {
            Ok(PinOutcome::Verified) => {
                let Some(certificate) = certificate else {
                    self.card_refused(DURING, &"no certificate was read");
                    return PinResult::CardError;
                };
                let mut challenge = [0u8; 32];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
                match card.prove_auth_key(certificate, &challenge) {
                    Ok(true) => PinResult::Verified,
                    Ok(false) => {
                        self.card_refused(DURING, &"its signature does not match its certificate");
                        PinResult::CardError
                    }
                    Err(e) => {
                        self.card_error(DURING, &e);
                        PinResult::CardError
                    }
                }
            }
            Ok(PinOutcome::Wrong { tries_left }) => PinResult::Wrong { tries_left },
            Ok(PinOutcome::Blocked) => PinResult::Blocked,
            Err(e) => {
                self.card_error(DURING, &e);
                PinResult::CardError
            }
        }
    }

    /// Why a card was refused, for staff and the log (card errors name files, lengths and status words,
    /// never card data).
    fn card_refused(&self, during: &str, problem: &dyn std::fmt::Display) {
        self.replies.send(Reply::Problem(format!("{during}: {problem}")));
    }

    /// A card error for staff and the log, unless the card was taken away or lost mid-command: the reader
    /// events tell that story.
    fn card_error(&self, during: &str, e: &CardError) {
        if !matches!(e, CardError::Transport(_)) {
            self.card_refused(during, e);
        }
    }

    /// The card face (photo) through 照合番号B; the photo's descriptor goes straight to the face thread.
    ///
    /// Tries first, without spending one; then the code: typed by staff, or read from the card front by
    /// the face thread (this thread waits for it; taking the card or stopping ends the wait). Exactly one
    /// VERIFY per code, never repeated.
    fn read_card_face(
        &self,
        state: &mut CardState,
        ticket: Ticket,
        typed: Option<CheckCodeB>,
        engine: Option<&mut FaceEngine<'static>>,
    ) -> CardFaceOutcome {
        let Some(card) = state.card.as_mut() else {
            return CardFaceOutcome::Unavailable;
        };
        match card.check_b_status() {
            Ok(PinStatus::TriesLeft(n)) if n >= MIN_CHECK_B_TRIES => {}
            Ok(_) => return CardFaceOutcome::TooFewTries,
            Err(e) => {
                self.card_error("card face refused", &e);
                return CardFaceOutcome::Unavailable;
            }
        }
        let code = match typed {
            Some(code) => code,
            None => {
                let (answer, code) = std::sync::mpsc::channel();
                if self.face.send(FaceJob::ReadFront { ticket, answer }).is_err() {
                    return CardFaceOutcome::Unavailable;
                }
                match code.recv() {
                    Ok(code) => code,
                    Err(_) => return CardFaceOutcome::Unavailable,
                }
            }
        };
        let mut challenge = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
        self.shared
            .check_codes_sent
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let read = card.read_card_face(&code, &self.anchors, &challenge);
        drop(code);
        match read {
            Ok((PinOutcome::Verified, Some((face, check)))) => {
                if !check.is_genuine() {
                    self.card_refused(
                        "card face refused",
                        &format_args!(
                            "not genuine (data signature valid {}, issuer trusted {}, card key proven {})",
                            check.data_signature_valid, check.issuer_trusted, check.card_key_proven
                        ),
                    );
                    return CardFaceOutcome::NotGenuine;
                }
                if !face.has_photo() {
                    return CardFaceOutcome::NoPhoto;
                }
                if let Ok(photo) = RgbImage::decode(&face.photo_jp2) {
                    self.shared.set_card_photo(photo);
                }
                if let Some(engine) = engine {
                    match engine.card_photo_descriptor(&face.photo_jp2) {
                        Ok(d) => {
                            let _ = self.face.send(FaceJob::CardPhoto(Box::new(d)));
                        }
                        Err(_) => return CardFaceOutcome::Unavailable,
                    }
                }
                CardFaceOutcome::PhotoReady
            }
            Ok((PinOutcome::Wrong { .. } | PinOutcome::Blocked, _)) => CardFaceOutcome::CodeRefused,
            Ok((PinOutcome::Verified, None)) => CardFaceOutcome::Unavailable,
            Err(e) => {
                self.card_error("card face refused", &e);
                CardFaceOutcome::Unavailable
            }
        }
    }
}

/// Why a card read was refused: the flow's failure and, for a card that answered nonsense, the reason
/// for staff and the log (no personal data: card errors name files, lengths and status words).
#[derive(Debug)]
pub struct ReadRefusal {
    pub failure: ReadFailure,
    pub problem: Option<String>,
}

impl From<ReadFailure> for ReadRefusal {
    fn from(failure: ReadFailure) -> Self {
        ReadRefusal {
            failure,
            problem: None,
        }
    }
}

impl From<CardError> for ReadRefusal {
    fn from(e: CardError) -> Self {
        match e {
            CardError::Transport(TransportError::ServiceDown | TransportError::ReaderGone) => {
                ReadFailure::ReaderProblem.into()
            }
            CardError::Transport(_) => ReadFailure::Unreadable.into(),
            other => ReadRefusal {
                failure: ReadFailure::Unreadable,
                problem: Some(format!("card refused: {other}")),
            },
        }
    }
}

/// Read what the reception needs from the card, spending no try; also the certificate itself (none
/// for a phone), for the key check after a verified PIN.
pub fn read_card<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    now: i64,
) -> Result<(CardFacts, Option<Certificate>), ReadRefusal> {
    let kind = match card.identify()? {
        Identification::NotMyNumberCard => return Err(ReadFailure::NotMyNumberCard.into()),
        Identification::MyNumber(kiosk_mynumber::CardKind::Unknown(_)) => {
            return Err(ReadRefusal {
                failure: ReadFailure::NotMyNumberCard,
                problem: Some("card refused: its JPKI token label is not one the kiosk knows".into()),
            });
        }
        Identification::MyNumber(k) => k,
    };
    if kind.is_phone() {
        let facts = CardFacts {
            kind,
            certificate: kiosk_mynumber::CertificateStatus::NotYetValid {
                valid_from: kiosk_mynumber::Date::from_unix_jst(0),
            },
            cert_issuer: String::new(),
            cert_serial: String::new(),
            pin: PinState::NotSet,
        };
        return Ok((facts, None));
    }
    let cert = card.read_auth_certificate()?;
    // Refuse a corrupt or forged certificate here rather than send it on (a hostile card answering
    // contradictory data must not reach "done"). Costs one more file read.
    if !card.auth_certificate_chains(&cert)? {
        return Err(ReadRefusal {
            failure: ReadFailure::Unreadable,
            problem: Some("card refused: its certificate was not signed by its own CA certificate".into()),
        });
    }
    let pin = match card.auth_pin_status()? {
        PinStatus::TriesLeft(n) => PinState::TriesLeft(n),
        PinStatus::Blocked => PinState::Blocked,
    };
    let facts = CardFacts {
        kind,
        certificate: cert.insurance_status(now),
        cert_issuer: cert.issuer.clone(),
        cert_serial: cert.serial_hex.clone(),
        pin,
    };
    Ok((facts, Some(cert)))
}

// ───────────────────────────── face ─────────────────────────────

/// Makes a frame source on the face thread (a real camera cannot move between threads).
pub type SourceFactory = Box<dyn FnOnce() -> Result<Box<dyn FrameSource>, CameraError> + Send>;

/// Jobs for the `kiosk-face` thread.
pub enum FaceJob {
    /// Use this camera from now on.
    Camera(SourceFactory),
    /// The card photo's descriptor, for the next matching.
    CardPhoto(Box<Descriptor>),
    /// Show the live picture (face path and staff check) or stop.
    Preview(bool),
    /// Match faces until a decision (verdict, or give up after the configured time).
    Start(Ticket),
    /// Read the card front until enough frames agree on 照合番号B, then hand it to the card thread on
    /// `answer`; dropping `answer` (time-out, stop, wipe) tells the card thread there is none.
    ReadFront {
        ticket: Ticket,
        answer: std::sync::mpsc::Sender<CheckCodeB>,
    },
    Stop,
    /// Forget the card photo.
    Wipe,
    Quit,
}

impl std::fmt::Debug for FaceJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaceJob::Camera(_) => f.write_str("Camera"),
            FaceJob::CardPhoto(_) => f.write_str("CardPhoto(..)"),
            FaceJob::Preview(on) => write!(f, "Preview({on})"),
            FaceJob::Start(t) => write!(f, "Start({t})"),
            FaceJob::ReadFront { ticket, .. } => write!(f, "ReadFront({ticket})"),
            FaceJob::Stop => f.write_str("Stop"),
            FaceJob::Wipe => f.write_str("Wipe"),
            FaceJob::Quit => f.write_str("Quit"),
        }
    }
}

/// How face matching runs.
#[derive(Debug, Clone, Copy)]
pub struct FaceSettings {
    pub policy: MatchPolicy,
    /// Give up (not matched) when no decision comes within this time, e.g. nobody in front of the camera.
    pub give_up_after: Duration,
    /// Shortest time between two frames (clips would otherwise spin; a real camera paces itself).
    pub frame_interval: Duration,
    /// Give up reading the card front after this long (the PIN or staff take over; no try spent).
    pub front_give_up_after: Duration,
    /// Confident card-front frames in a row that must read the same 照合番号B before it is used.
    pub front_frames_agree: usize,
}

impl Default for FaceSettings {
    fn default() -> Self {
        FaceSettings {
            policy: MatchPolicy::default(),
            give_up_after: Duration::from_secs(8),
            frame_interval: Duration::from_millis(66),
            front_give_up_after: Duration::from_secs(20),
            front_frames_agree: 3,
        }
    }
}

#[derive(Debug)]
pub struct FaceWorker {
    pub models: Option<&'static FaceModels>,
    pub settings: FaceSettings,
    pub shared: Arc<Shared>,
    pub replies: ReplySender,
}

struct Matching {
    ticket: Ticket,
    session: MatchSession,
    started: Instant,
    guidance: Option<Option<GuidanceKind>>,
}

struct FrontScan {
    ticket: Ticket,
    answer: std::sync::mpsc::Sender<CheckCodeB>,
    agreement: Agreement,
    started: Instant,
    guidance: Option<Option<FrontGuidanceKind>>,
    /// Where the card was found in the last frame, for the preview.
    outline: Option<Outline>,
}

/// Stop reading the card front (dropping its answer channel tells the card thread there is no code) and
/// point the camera back at faces.
fn end_front(front: &mut Option<FrontScan>, source: Option<&mut (dyn FrameSource + 'static)>) {
    if front.take().is_some()
        && let Some(s) = source
    {
        s.aim(Aim::Face);
    }
}

fn front_guidance_kind(g: FrontGuidance) -> FrontGuidanceKind {
    match g {
        FrontGuidance::ShowCard => FrontGuidanceKind::ShowCard,
        FrontGuidance::Closer => FrontGuidanceKind::Closer,
        FrontGuidance::MoreLight => FrontGuidanceKind::MoreLight,
        FrontGuidance::AvoidGlare => FrontGuidanceKind::AvoidGlare,
        FrontGuidance::HoldStill => FrontGuidanceKind::HoldStill,
    }
}

fn guidance_kind(g: Guidance) -> Option<GuidanceKind> {
    Some(match g {
        Guidance::Ok => return None,
        Guidance::NoFace => GuidanceKind::NoFace,
        Guidance::SeveralFaces => GuidanceKind::SeveralFaces,
        Guidance::TooSmall => GuidanceKind::TooSmall,
        Guidance::TooClose => GuidanceKind::TooClose,
        Guidance::OffCentre => GuidanceKind::OffCentre,
        Guidance::TooDark => GuidanceKind::TooDark,
        Guidance::Backlit => GuidanceKind::Backlit,
        Guidance::Blurred => GuidanceKind::Blurred,
    })
}

impl FaceWorker {
    pub fn spawn(self, mut jobs: UnboundedReceiver<FaceJob>) -> Result<JoinHandle<()>, String> {
        spawn("kiosk-face", move || {
            let mut engine = self.models.map(FaceEngine::new);
            let mut source: Option<Box<dyn FrameSource>> = None;
            let mut card: Option<Descriptor> = None;
            let mut preview = false;
            let mut matching: Option<Matching> = None;
            let mut front: Option<FrontScan> = None;
            let reader = FrontReader::default();
            let mut camera_problem_told = false;
            loop {
                // Idle: sleep until a job comes. Busy: take the jobs waiting, then work on a frame.
                let job = if preview || matching.is_some() || front.is_some() {
                    match jobs.try_recv() {
                        Ok(j) => Some(j),
                        Err(TryRecvError::Empty) => None,
                        Err(TryRecvError::Disconnected) => break,
                    }
                } else {
                    match jobs.blocking_recv() {
                        Some(j) => Some(j),
                        None => break,
                    }
                };
                if let Some(job) = job {
                    match job {
                        FaceJob::Quit => break,
                        FaceJob::Camera(make) => {
                            source = None;
                            match make() {
                                Ok(mut s) => {
                                    if front.is_some() {
                                        s.aim(Aim::CardFront);
                                    }
                                    source = Some(s)
                                }
                                Err(e) => self.replies.send(Reply::Problem(format!("camera: {e}"))),
                            }
                            self.shared.set_preview(None, None);
                        }
                        FaceJob::CardPhoto(d) => card = Some(*d),
                        FaceJob::Preview(on) => {
                            preview = on;
                            if !on {
                                self.shared.set_preview(None, None);
                            }
                        }
                        FaceJob::Start(ticket) => {
                            matching = Some(Matching {
                                ticket,
                                session: MatchSession::new(self.settings.policy),
                                started: Instant::now(),
                                guidance: None,
                            })
                        }
                        FaceJob::ReadFront { ticket, answer } => {
                            if let Some(s) = source.as_mut() {
                                s.aim(Aim::CardFront);
                            }
                            front = Some(FrontScan {
                                ticket,
                                answer,
                                agreement: Agreement::new(self.settings.front_frames_agree),
                                started: Instant::now(),
                                guidance: None,
                                outline: None,
                            });
                        }
                        FaceJob::Stop => {
                            matching = None;
                            end_front(&mut front, source.as_deref_mut());
                        }
                        FaceJob::Wipe => {
                            card = None;
                            matching = None;
                            end_front(&mut front, source.as_deref_mut());
                        }
                    }
                    continue;
                }
                let started = Instant::now();
                let frame = match source.as_mut().map(|s| s.next_frame()) {
                    Some(Ok(frame)) => {
                        camera_problem_told = false;
                        frame
                    }
                    other => {
                        if let Some(m) = matching.take() {
                            self.replies
                                .answer(m.ticket, Event::Face(FaceEvent::CameraUnavailable));
                        }
                        // No camera, no card front: the card thread hears "none" and answers.
                        front = None;
                        self.shared.set_preview(None, None);
                        if !camera_problem_told {
                            camera_problem_told = true;
                            let why = match other {
                                Some(Err(e)) => e.to_string(),
                                _ => "no camera is configured".into(),
                            };
                            self.replies.send(Reply::Problem(format!("camera: {why}")));
                        }
                        std::thread::sleep(Duration::from_millis(250));
                        continue;
                    }
                };
                let mut outline: Option<Outline> = None;
                if let Some(m) = matching.as_mut() {
                    match (engine.as_mut(), card.as_ref(), to_image(&frame)) {
                        (Some(engine), Some(card), Some(img)) => {
                            let analysis = engine.analyse(&img);
                            outline = analysis.face.map(|b| face_outline(&b, img.width, img.height));
                            let kind = guidance_kind(analysis.guidance);
                            if m.guidance != Some(kind) {
                                m.guidance = Some(kind);
                                self.replies.send(Reply::Job {
                                    ticket: m.ticket,
                                    event: Event::Face(FaceEvent::Guidance(kind)),
                                    last: false,
                                });
                            }
                            let mut decision = m.session.decision();
                            if let Some(d) = analysis.descriptor {
                                decision = m.session.add(d.distance(card));
                            }
                            let timed_out = m.started.elapsed() >= self.settings.give_up_after;
                            if decision.verdict != Verdict::Undecided || timed_out {
                                let distance_milli =
                                    decision.distance.map(|d| (d * 1000.0) as u32).unwrap_or(0);
                                let frames = decision.frames_agreed;
                                let event = if decision.verdict == Verdict::SamePerson {
                                    FaceEvent::Matched {
                                        distance_milli,
                                        frames,
                                    }
                                } else {
                                    FaceEvent::NotMatched {
                                        distance_milli,
                                        frames,
                                    }
                                };
                                self.replies.answer(m.ticket, Event::Face(event));
                                matching = None;
                            }
                        }
                        _ => {
                            // No engine or no card photo: the face path cannot decide.
                            self.replies
                                .answer(m.ticket, Event::Face(FaceEvent::CameraUnavailable));
                            matching = None;
                        }
                    }
                }
                if let Some(scan) = front.as_mut() {
                    let read = self.read_front(&reader, scan, &frame);
                    outline = outline.or(scan.outline);
                    if let Some(code) = read {
                        self.shared
                            .confident_front_reads
                            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let _ = scan.answer.send(code);
                        end_front(&mut front, source.as_deref_mut());
                    } else if scan.started.elapsed() >= self.settings.front_give_up_after {
                        end_front(&mut front, source.as_deref_mut());
                    }
                }
                if preview {
                    self.shared.set_preview(Some(frame), outline);
                }
                if let Some(rest) = self.settings.frame_interval.checked_sub(started.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
        })
    }
}

impl FaceWorker {
    /// One card-front frame (read in place): guidance to the screen when it changes, and the code once
    /// enough frames agree. The fields are wiped when dropped.
    fn read_front(&self, reader: &FrontReader, scan: &mut FrontScan, frame: &Frame) -> Option<CheckCodeB> {
        let read = reader.read_rgb(&frame.rgb, frame.width, frame.height);
        scan.outline = read.corners.map(|q| card_outline(&q, frame.width, frame.height));
        let guidance = read
            .result
            .as_ref()
            .err()
            .map(|r| front_guidance_kind(r.guidance()));
        if scan.guidance != Some(guidance) {
            scan.guidance = Some(guidance);
            self.replies.send(Reply::Job {
                ticket: scan.ticket,
                event: Event::CardFrontGuidance(guidance),
                last: false,
            });
        }
        match scan.agreement.push(read.result.as_ref().ok()) {
            kiosk_cardfront::Verdict::Agreed(fields) => CheckCodeB::new(&fields.check_code_b()).ok(),
            kiosk_cardfront::Verdict::Pending { .. } => None,
        }
    }
}

fn to_image(frame: &Frame) -> Option<RgbImage> {
    RgbImage::new(frame.width, frame.height, frame.rgb.clone())
}

// ───────────────────────────── records ─────────────────────────────

/// Jobs for the `kiosk-records` thread.
pub enum RecordsJob {
    Eligibility {
        ticket: Ticket,
        issuer: String,
        serial: String,
        now: i64,
    },
    Register {
        issuer: String,
        serial: String,
    },
    Save {
        ticket: Ticket,
        record: ReceptionRecord,
    },
    Audit {
        now: i64,
        from: &'static str,
        to: &'static str,
        event: &'static str,
    },
    StaffCode {
        ticket: Ticket,
        code: Zeroizing<String>,
    },
    Wipe,
    /// Answer with the journal's reception count (tests and the endurance run).
    Count(std::sync::mpsc::Sender<u64>),
    Stop,
}

impl std::fmt::Debug for RecordsJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordsJob::Eligibility { .. } => "Eligibility",
            RecordsJob::Register { .. } => "Register",
            RecordsJob::Save { .. } => "Save",
            RecordsJob::Audit { .. } => "Audit",
            RecordsJob::StaffCode { .. } => "StaffCode(**)",
            RecordsJob::Wipe => "Wipe",
            RecordsJob::Count(_) => "Count",
            RecordsJob::Stop => "Stop",
        })
    }
}

#[derive(Debug)]
pub struct RecordsWorker {
    pub roster: SqliteRoster,
    pub journal: Journal,
    pub output_dir: PathBuf,
    pub institution_code: String,
    pub staff: StaffCodes,
    pub replies: ReplySender,
}

impl RecordsWorker {
    pub fn spawn(mut self, mut jobs: UnboundedReceiver<RecordsJob>) -> Result<JoinHandle<()>, String> {
        spawn("kiosk-records", move || {
            let mut entry: Option<RosterEntry> = None;
            // Audit entries lost in a row (a full disk fails every screen change): reported once when it
            // starts and once, with the count, when writing works again.
            let mut audits_lost = 0u64;
            while let Some(job) = jobs.blocking_recv() {
                match job {
                    RecordsJob::Stop => break,
                    RecordsJob::Eligibility {
                        ticket,
                        issuer,
                        serial,
                        now,
                    } => {
                        let today = kiosk_mynumber::Date::from_unix_jst(now);
                        let answer = match self.roster.check(&issuer, &serial, today) {
                            Ok((answer, found)) => {
                                entry = found;
                                Ok(answer)
                            }
                            Err(e) => {
                                self.replies.send(Reply::Problem(format!("roster: {e}")));
                                Err(EligibilityFailure::Error)
                            }
                        };
                        self.replies.answer(ticket, Event::Eligibility(answer));
                    }
                    RecordsJob::Register { issuer, serial } => {
                        if let Err(e) = self.roster.register(&issuer, &serial) {
                            self.replies.send(Reply::Problem(format!("roster: {e}")));
                        }
                    }
                    RecordsJob::Save { ticket, record } => {
                        let saved = match entry.as_ref() {
                            Some(entry) => self
                                .journal
                                .complete(&record, entry, &self.output_dir, &self.institution_code)
                                .map_err(|e| e.to_string()),
                            None => Err("no roster entry for this reception".into()),
                        };
                        if let Err(e) = &saved {
                            self.replies.send(Reply::Problem(format!("journal: {e}")));
                        }
                        self.replies.answer(ticket, Event::RecordSaved(saved.is_ok()));
                    }
                    RecordsJob::Audit { now, from, to, event } => {
                        match self.journal.audit(now, from, to, event) {
                            Err(e) => {
                                if audits_lost == 0 {
                                    self.replies.send(Reply::Problem(format!(
                                        "audit log: {e} (further audit entries are lost until it works again)"
                                    )));
                                }
                                audits_lost += 1;
                            }
                            Ok(()) if audits_lost > 0 => {
                                self.replies.send(Reply::Problem(format!(
                                    "audit log: writing works again; {audits_lost} audit entries were lost"
                                )));
                                audits_lost = 0;
                            }
                            Ok(()) => {}
                        }
                    }
                    RecordsJob::StaffCode { ticket, code } => {
                        let staff = self.staff.check(&code);
                        drop(code);
                        self.replies.answer(ticket, Event::StaffCodeChecked(staff));
                    }
                    RecordsJob::Wipe => entry = None,
                    RecordsJob::Count(tx) => {
                        let _ = tx.send(self.journal.reception_count().unwrap_or(0));
                    }
                }
            }
        })
    }
}

// ───────────────────────────── shared with the UI ─────────────────────────────

/// What the workers show on screen: the live picture (with the face box, normalised 0..1) and the card
/// photo for the staff check. In memory only; frames are wiped when dropped.
#[derive(Debug, Default)]
pub struct Shared {
    preview: Mutex<PreviewSlot>,
    card_photo: Mutex<Option<RgbImage>>,
    /// 照合番号B codes the card-front reader agreed on (each handed to the card thread once).
    pub confident_front_reads: std::sync::atomic::AtomicU64,
    /// 照合番号B VERIFYs the card thread sent (front reads plus codes typed by staff): the try audit.
    pub check_codes_sent: std::sync::atomic::AtomicU64,
}

/// What was found in a preview picture, as four corners (x, y) in its normalised coordinates (0..1),
/// clockwise from the top left: the face box, or the card's outline while the card front is read.
pub type Outline = [[f32; 2]; 4];

/// The face engine's box in a `width` × `height` picture as an outline.
pub fn face_outline(b: &kiosk_face::shape::FaceBox, width: usize, height: usize) -> Outline {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let (l, t, r, b) = (
        b.left as f32 / w,
        b.top as f32 / h,
        b.right as f32 / w,
        b.bottom as f32 / h,
    );
    [[l, t], [r, t], [r, b], [l, b]]
}

/// The card the card-front reader found in a `width` × `height` picture as an outline.
pub fn card_outline(q: &kiosk_cardfront::find::Quad, width: usize, height: usize) -> Outline {
    let (w, h) = (width.max(1) as f64, height.max(1) as f64);
    q.0.map(|(x, y)| [(x / w) as f32, (y / h) as f32])
}

#[derive(Debug, Default)]
struct PreviewSlot {
    frame: Option<Frame>,
    outline: Option<Outline>,
    serial: u64,
}

/// A new preview picture for the UI.
#[derive(Debug)]
pub struct PreviewUpdate {
    pub frame: Option<Frame>,
    pub outline: Option<Outline>,
    pub serial: u64,
}

impl Shared {
    fn set_preview(&self, frame: Option<Frame>, outline: Option<Outline>) {
        let mut slot = self.preview.lock().unwrap_or_else(|e| e.into_inner());
        slot.frame = frame;
        slot.outline = outline;
        slot.serial += 1;
    }

    /// The newest picture if it changed since `seen` (the slot keeps no copy once taken).
    pub fn take_preview(&self, seen: u64) -> Option<PreviewUpdate> {
        let mut slot = self.preview.lock().unwrap_or_else(|e| e.into_inner());
        (slot.serial != seen).then(|| PreviewUpdate {
            frame: slot.frame.take(),
            outline: slot.outline,
            serial: slot.serial,
        })
    }

    fn set_card_photo(&self, photo: RgbImage) {
        *self.card_photo.lock().unwrap_or_else(|e| e.into_inner()) = Some(photo);
    }

    pub fn clear_card_photo(&self) {
        if let Some(mut p) = self.card_photo.lock().unwrap_or_else(|e| e.into_inner()).take() {
            zeroize::Zeroize::zeroize(&mut p.data);
        }
    }

    /// Run `f` on the card photo (the staff check shows it; nothing else reads it).
    pub fn with_card_photo<T>(&self, f: impl FnOnce(Option<&RgbImage>) -> T) -> T {
        f(self.card_photo.lock().unwrap_or_else(|e| e.into_inner()).as_ref())
    }
}
