//! The `kiosk-card` thread: owns the card channel (PC/SC or virtual) and everything read from the card.

use super::translate::{ReadRefusal, connect_failure};
use super::{FaceJob, HolderOnCard, RecordsJob, ReplySender, Shared, SpawnError, Ticket, spawn};
use kiosk_apdu::CardChannel;
use kiosk_face::{FaceEngine, FaceModels, RgbImage};
use kiosk_mynumber::{
    AuthPin, AuthTrust, CardError, CardFace, Certificate, CheckCodeB, Identification, MyNumberCard,
    PinOutcome, PinStatus, TrustAnchor,
};
use kiosk_pcsc::Pcsc;
use kiosk_reception::{
    CardFaceOutcome, CardFacts, CardRead, Phone, PinCheckFailed, ReadFailure, ReturnRefused, WorkerResult,
};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

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
    /// The card was lifted to show its front (one-camera kiosk) and the session waits for it: drop the
    /// channel, keep the certificate it is compared with when a card is put back.
    Away,
    /// A card was put back after [`CardJob::Away`]: compare its certificate byte for byte and read it
    /// again.
    CheckReturn {
        ticket: Ticket,
        now: i64,
    },
    Read {
        ticket: Ticket,
        now: i64,
    },
    /// The photo through 照合番号B: read from the card front by the face thread, or typed by staff.
    ReadFace {
        ticket: Ticket,
        typed: Option<CheckCodeB>,
    },
    /// One VERIFY with the PIN the patient confirmed (it came with their input).
    Verify {
        ticket: Ticket,
        pin: AuthPin,
    },
    /// Forget what was read (the session ended).
    Wipe,
    /// The face models, loaded after start-up: the card photo's descriptor can be computed from now on.
    Models(&'static FaceModels),
    Stop,
}

impl std::fmt::Debug for CardJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CardJob::Insert(..) => "Insert",
            CardJob::Connect(_) => "Connect",
            CardJob::Remove => "Remove",
            CardJob::Away => "Away",
            CardJob::CheckReturn { .. } => "CheckReturn",
            CardJob::Read { .. } => "Read",
            CardJob::ReadFace { .. } => "ReadFace",
            CardJob::Verify { .. } => "Verify(**)",
            CardJob::Wipe => "Wipe",
            CardJob::Models(_) => "Models",
            CardJob::Stop => "Stop",
        })
    }
}

/// How a card's trust is made: at once, or by the card thread.
type TrustMaker = Box<dyn FnOnce() -> Result<(Vec<TrustAnchor>, AuthTrust), String> + Send>;

/// What a card must chain to: the card-face CA keys and the user-authentication CAs ([`read_card`]).
///
/// A configured kiosk reads its trust from files in milliseconds and has it [`CardTrust::ready`]. The
/// demo trusts its virtual CAs, whose RSA keys take seconds to generate: its trust is made
/// [`CardTrust::later`], first thing on the card thread, so the window opens without waiting (issue 17).
/// A card placed meanwhile waits in the card thread's queue and is read once the trust is there;
/// nothing is read against a trust half made.
pub struct CardTrust {
    anchors: Vec<TrustAnchor>,
    auth: AuthTrust,
    later: Option<TrustMaker>,
}

impl std::fmt::Debug for CardTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CardTrust({} card-face anchors, {} CA certificates{})",
            self.anchors.len(),
            self.auth.anchors().len(),
            if self.later.is_some() { ", made later" } else { "" }
        )
    }
}

impl CardTrust {
    /// A trust made already.
    pub fn ready(anchors: Vec<TrustAnchor>, auth: AuthTrust) -> CardTrust {
        CardTrust {
            anchors,
            auth,
            later: None,
        }
    }

    /// A trust made by `make` on the card thread before it takes its first job. Should `make` fail, the
    /// kiosk trusts J-LIS's production CAs only (a card it was meant to trust is refused, never the
    /// other way round) and says why on the log.
    pub fn later(
        make: impl FnOnce() -> Result<(Vec<TrustAnchor>, AuthTrust), String> + Send + 'static,
    ) -> CardTrust {
        CardTrust {
            anchors: crate::card_face_keys::anchors(false, Vec::new()),
            auth: AuthTrust::jlis(),
            later: Some(Box::new(make)),
        }
    }

    /// Make the trust if it is made later (on the card thread). `Err`: why it could not be made.
    fn make(&mut self) -> Result<(), String> {
        if let Some(make) = self.later.take() {
            (self.anchors, self.auth) = make()?;
        }
        Ok(())
    }
}

/// What the card thread needs.
#[derive(Debug)]
pub struct CardWorker {
    pub trust: CardTrust,
    pub models: Option<&'static FaceModels>,
    pub face: UnboundedSender<FaceJob>,
    /// For the card face's holder (birth date, sex), which the records thread checks against the
    /// eligibility record of the card's certificate.
    pub records: UnboundedSender<RecordsJob>,
    pub shared: Arc<Shared>,
    pub replies: ReplySender,
}

#[derive(Default)]
struct CardState {
    card: Option<MyNumberCard<SendChannel>>,
    /// The card's user-authentication certificate as read (checked against the trusted anchors): after a verified
    /// PIN the card must prove it holds this certificate's key.
    certificate: Option<Certificate>,
    /// Why there is no card channel although a card was announced (a failed connect).
    connect_error: Option<ReadFailure>,
    /// The token is an Android phone whose certificate is behind its PIN: a verified PIN opens it for the
    /// next read, which proves the key (there is no certificate yet to prove it against).
    locked_phone: bool,
    /// The card was lifted to show its front and is not yet known to be back: nothing is sent to a
    /// card put back until its certificate is compared ([`CardJob::CheckReturn`]).
    out: bool,
    /// Jobs that came while a card-face read waited, for after it.
    deferred: VecDeque<CardJob>,
    /// The kiosk is stopping (a `Stop` came while a card-face read waited).
    stopping: bool,
}

impl CardState {
    fn with_card(card: Option<MyNumberCard<SendChannel>>, connect_error: Option<ReadFailure>) -> CardState {
        CardState {
            card,
            connect_error,
            ..CardState::default()
        }
    }

    /// The card may be sent commands: there, and not a card put back that is still unchecked.
    fn usable(&self) -> bool {
        self.card.is_some() && !self.out
    }
}

/// How a card-face read's wait for the front camera ended.
enum FrontWait {
    /// The code read from the front, with the card on the reader and known to be the patient's.
    Code(CheckCodeB),
    /// No code (the scan gave up or was stopped), with the card on the reader.
    NoCode,
    /// The session ended while waiting (card gone for good, another card, kiosk stopping).
    Ended,
}

impl CardWorker {
    /// A genuine card face: its photo for the staff check and the face thread, and its holder for the
    /// records thread. A photo-less card (under 1 year) goes the PIN way, where the key proof binds the
    /// certificate to the chip.
    fn photo_ready(&self, face: &CardFace, engine: Option<&mut FaceEngine<'static>>) -> CardFaceOutcome {
        if !face.has_photo() {
            return CardFaceOutcome::NoPhoto;
        }
        let holder = HolderOnCard {
            birth_date: face.birth_date,
            sex: face.sex,
        };
        if self.records.send(RecordsJob::HolderOnCard(holder)).is_err() {
            self.replies.problem("the records thread has stopped".into());
            return CardFaceOutcome::Unavailable;
        }
        if let Ok(photo) = RgbImage::decode(&face.photo_jp2) {
            self.shared.set_card_photo(photo);
        }
        if let Some(engine) = engine {
            let Ok(d) = engine.card_photo_descriptor(&face.photo_jp2) else {
                return CardFaceOutcome::Unavailable;
            };
            if self.face.send(FaceJob::CardPhoto(Box::new(d))).is_err() {
                self.replies.problem("the face thread has stopped".into());
                return CardFaceOutcome::Unavailable;
            }
        }
        CardFaceOutcome::PhotoReady
    }
}

/// Fewest 照合番号B tries left at which the kiosk still spends one (the card allows 10, GUESS per
/// docs/CARD-NOTES.md §5); below this, the PIN or staff take over and the card keeps its last tries for
/// the holder's municipality.
pub const MIN_CHECK_B_TRIES: u8 = 3;

impl CardWorker {
    pub fn spawn(self, mut jobs: UnboundedReceiver<CardJob>) -> Result<JoinHandle<()>, SpawnError> {
        spawn("kiosk-card", move || {
            let mut worker = self;
            if let Err(why) = worker.trust.make() {
                worker.replies.problem(format!(
                    "the card trust could not be made ({why}): only J-LIS's cards are accepted"
                ));
            }
            let _ = worker.shared.card_trust_made.set(std::time::Instant::now());
            let mut engine = worker.models.map(FaceEngine::new);
            let mut state = CardState::default();
            while let Some(job) = state.deferred.pop_front().or_else(|| jobs.blocking_recv()) {
                if matches!(job, CardJob::Stop) {
                    break;
                }
                if let CardJob::Models(models) = job {
                    engine = Some(FaceEngine::new(models));
                    continue;
                }
                worker.on_job(&mut state, job, engine.as_mut(), &mut jobs);
                if state.stopping {
                    break;
                }
            }
        })
    }

    fn on_job(
        &self,
        state: &mut CardState,
        job: CardJob,
        engine: Option<&mut FaceEngine<'static>>,
        jobs: &mut UnboundedReceiver<CardJob>,
    ) {
        match job {
            // Taken by the thread's loop.
            CardJob::Stop | CardJob::Models(_) => {}
            CardJob::Insert(_)
            | CardJob::Connect(_)
            | CardJob::Remove
            | CardJob::Away
            | CardJob::CheckReturn { .. }
            | CardJob::Wipe => {
                self.on_presence(state, job);
            }
            CardJob::Read { ticket, now } => {
                let result = self.read(state, now);
                self.replies.answer(ticket, WorkerResult::CardRead(result));
            }
            CardJob::ReadFace { ticket, typed } => {
                let outcome = self.read_card_face(state, ticket, typed, engine, jobs);
                self.replies.answer(ticket, WorkerResult::CardFaceRead(outcome));
            }
            CardJob::Verify { ticket, pin } => {
                let result = match state.card.as_mut() {
                    Some(card) => {
                        let outcome = card.verify_auth_pin(&pin);
                        drop(pin);
                        if state.locked_phone {
                            self.phone_pin_result(outcome)
                        } else {
                            self.pin_result(card, state.certificate.as_ref(), outcome)
                        }
                    }
                    None => Err(PinCheckFailed),
                };
                self.replies.answer(ticket, WorkerResult::PinVerified(result));
            }
        }
    }

    /// A card placed, taken, lifted or put back, or the session wiped (other jobs wait for later).
    /// Returns whether the session goes on: a removal, a wipe, a stop and a card put back that is not the
    /// same end it.
    fn on_presence(&self, state: &mut CardState, job: CardJob) -> bool {
        match job {
            CardJob::Insert(channel) => self.placed(
                state,
                CardState::with_card(Some(MyNumberCard::new(channel)), None),
            ),
            CardJob::Connect(reader) => {
                let connected = self.connect(&reader);
                self.placed(state, connected)
            }
            CardJob::Away => {
                state.card = None;
                state.out = true;
            }
            CardJob::CheckReturn { ticket, now } => {
                let result = self.returned(state, now);
                let same = result.is_ok();
                self.replies.answer(ticket, WorkerResult::CardReturned(result));
                return same;
            }
            CardJob::Wipe if !state.out => {
                self.shared.clear_card_photo();
                return false;
            }
            // A wipe while the card is out: the session ended without it (not put back in time).
            CardJob::Remove | CardJob::Wipe => {
                *state = CardState {
                    deferred: std::mem::take(&mut state.deferred),
                    ..CardState::default()
                };
                self.shared.clear_card_photo();
                return false;
            }
            CardJob::Stop => {
                state.stopping = true;
                return false;
            }
            other => state.deferred.push_back(other),
        }
        true
    }

    /// A card was placed: a new patient's, or (while the card is out) the one put back, whose channel
    /// replaces the old one while the certificate read before stays to compare it with.
    fn placed(&self, state: &mut CardState, placed: CardState) {
        if state.out {
            state.card = placed.card;
            state.connect_error = placed.connect_error;
        } else {
            *state = CardState {
                deferred: std::mem::take(&mut state.deferred),
                ..placed
            };
        }
    }

    /// The card put back: the same user-authentication certificate, byte for byte, and everything the
    /// reception needs read again from it (issue 14: nothing carried over on trust). Another card is
    /// kept only as a channel, with nothing of the session's.
    fn returned(&self, state: &mut CardState, now: i64) -> Result<CardFacts, ReturnRefused> {
        let Some(card) = state.card.as_mut() else {
            let failure = state.connect_error.clone().unwrap_or(ReadFailure::Unreadable);
            return Err(ReturnRefused::Read(failure));
        };
        let before = state.certificate.take();
        state.out = false;
        let (read, certificate) = read_card(card, now, &self.trust.auth).map_err(|refused| {
            if let Some(problem) = refused.problem {
                self.replies.problem(problem);
            }
            ReturnRefused::Read(refused.failure)
        })?;
        match (read, before, certificate) {
            (CardRead::Card(facts), Some(before), Some(now_read)) if before.der() == now_read.der() => {
                state.certificate = Some(now_read);
                Ok(facts)
            }
            _ => {
                self.replies.problem(
                    "the card put back is not the one lifted to show its front: session ended".into(),
                );
                Err(ReturnRefused::OtherCard)
            }
        }
    }

    /// Connect to the card a PC/SC reader announced.
    fn connect(&self, reader: &str) -> CardState {
        match Pcsc::establish().and_then(|p| p.connect(reader)) {
            Ok(ch) => CardState::with_card(Some(MyNumberCard::new(Box::new(ch))), None),
            Err(e) => {
                self.replies.problem(format!("reader {reader}: {e}"));
                CardState::with_card(None, Some(connect_failure(&e)))
            }
        }
    }

    /// Read the card for the flow, keeping its certificate for the key proof after a PIN.
    fn read(&self, state: &mut CardState, now: i64) -> Result<CardRead, ReadFailure> {
        let Some(card) = state.card.as_mut() else {
            return Err(state.connect_error.clone().unwrap_or(ReadFailure::Unreadable));
        };
        match read_card(card, now, &self.trust.auth) {
            Ok((read, certificate)) => {
                state.certificate = certificate;
                state.locked_phone = matches!(read, CardRead::PhoneLocked { .. });
                Ok(read)
            }
            Err(refused) => {
                if let Some(problem) = refused.problem {
                    self.replies.problem(problem);
                }
                Err(refused.failure)
            }
        }
    }

    /// What one VERIFY of the patient's PIN means for the flow. A verified PIN also has the card sign a
    /// fresh challenge with the certificate's key (as the eligibility service requires of a PIN
    /// reception): a card whose key is not its certificate's is refused, whatever its VERIFY said.
    fn pin_result(
        &self,
        card: &mut MyNumberCard<SendChannel>,
        certificate: Option<&Certificate>,
        outcome: Result<PinOutcome, CardError>,
    ) -> Result<PinOutcome, PinCheckFailed> {
        const DURING: &str = "card refused during the PIN check";
        match outcome {
            Ok(PinOutcome::Verified) => {
                let Some(certificate) = certificate else {
                    self.card_refused(DURING, &"no certificate was read");
                    return Err(PinCheckFailed);
                };
                let mut challenge = [0u8; 32];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
                match card.prove_auth_key(certificate, &challenge) {
                    Ok(true) => Ok(PinOutcome::Verified),
                    Ok(false) => {
                        self.card_refused(DURING, &"its signature does not match its certificate");
                        Err(PinCheckFailed)
                    }
                    Err(e) => {
                        self.card_error(DURING, &e);
                        Err(PinCheckFailed)
                    }
                }
            }
            Ok(wrong_or_blocked) => Ok(wrong_or_blocked),
            Err(e) => {
                self.card_error(DURING, &e);
                Err(PinCheckFailed)
            }
        }
    }

    /// One VERIFY of an Android phone's PIN: its outcome as it is. A verified PIN opens the certificate;
    /// the flow has the phone read again, and that read proves the key.
    fn phone_pin_result(&self, outcome: Result<PinOutcome, CardError>) -> Result<PinOutcome, PinCheckFailed> {
        outcome.map_err(|e| {
            self.card_error("phone refused during the PIN check", &e);
            PinCheckFailed
        })
    }

    /// Why a card was refused, for staff and the log (card errors name files, lengths and status words,
    /// never card data).
    fn card_refused(&self, during: &str, problem: &dyn std::fmt::Display) {
        self.replies.problem(format!("{during}: {problem}"));
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
        jobs: &mut UnboundedReceiver<CardJob>,
    ) -> CardFaceOutcome {
        if let Err(outcome) = self.check_b_tries(state) {
            return outcome;
        }
        let code = match typed {
            Some(code) => code,
            None => match self.front_code(state, ticket, jobs) {
                FrontWait::Code(code) => code,
                FrontWait::NoCode | FrontWait::Ended => return CardFaceOutcome::Unavailable,
            },
        };
        // The card may have been lifted and put back meanwhile: its tries are read again too.
        if let Err(outcome) = self.check_b_tries(state) {
            return outcome;
        }
        let Some(card) = state.card.as_mut().filter(|_| !state.out) else {
            return CardFaceOutcome::Unavailable;
        };
        let mut challenge = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
        self.shared
            .check_codes_sent
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let read = card.read_card_face(&code, &self.trust.anchors, &challenge);
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
                self.photo_ready(&face, engine)
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

impl CardWorker {
    /// 照合番号B tries left, read without spending one: enough to risk one, or why not.
    fn check_b_tries(&self, state: &mut CardState) -> Result<(), CardFaceOutcome> {
        let Some(card) = state.card.as_mut().filter(|_| !state.out) else {
            return Err(CardFaceOutcome::Unavailable);
        };
        match card.check_b_status() {
            Ok(PinStatus::TriesLeft(n)) if n >= MIN_CHECK_B_TRIES => Ok(()),
            Ok(_) => Err(CardFaceOutcome::TooFewTries),
            Err(e) => {
                self.card_error("card face refused", &e);
                Err(CardFaceOutcome::Unavailable)
            }
        }
    }

    /// The code from the card front, read by the face thread. While waiting, this thread follows the
    /// card: on a one-camera kiosk the patient lifts it to show its front ([`CardJob::Away`]) and puts
    /// it back ([`CardJob::CheckReturn`]). The code is used only once the card is back and known to be
    /// the same; until then it waits here, and is dropped (wiped) if the session ends.
    fn front_code(
        &self,
        state: &mut CardState,
        ticket: Ticket,
        jobs: &mut UnboundedReceiver<CardJob>,
    ) -> FrontWait {
        let (answer, codes) = std::sync::mpsc::channel();
        if self.face.send(FaceJob::ReadFront { ticket, answer }).is_err() {
            return FrontWait::NoCode;
        }
        let mut code = None;
        let mut scanning = true;
        loop {
            if state.usable() {
                match code.take() {
                    Some(code) => return FrontWait::Code(code),
                    None if !scanning => return FrontWait::NoCode,
                    None => {}
                }
            }
            let job = if scanning {
                match codes.recv_timeout(Duration::from_millis(20)) {
                    Ok(read) => (code, scanning) = (Some(read), false),
                    Err(RecvTimeoutError::Disconnected) => scanning = false,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                match jobs.try_recv() {
                    Ok(job) => Some(job),
                    Err(tokio::sync::mpsc::error::TryRecvError::Empty) => None,
                    Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => return FrontWait::Ended,
                }
            } else {
                // The front is read (or given up) and the card is out: wait for what happens to it.
                let Some(job) = jobs.blocking_recv() else {
                    return FrontWait::Ended;
                };
                Some(job)
            };
            if let Some(job) = job
                && !self.on_presence(state, job)
            {
                return FrontWait::Ended;
            }
        }
    }
}

/// Read what the reception needs from the card, spending no try; also the certificate itself (none
/// for a phone), for the key check after a verified PIN.
///
/// The certificate must chain to `trust` (J-LIS's CAs, not the CA certificate the card serves, issue
/// 20): one that does not is refused here, before any PIN or card face, so a forged card reaches neither
/// path. A genuine certificate outside its dates is not refused here: the flow shows the patient the
/// expiry screen its status calls for.
pub fn read_card<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    now: i64,
    trust: &AuthTrust,
) -> Result<(CardRead, Option<Certificate>), ReadRefusal> {
    let kind = match card.identify()? {
        Identification::NotMyNumberCard => return Err(ReadFailure::NotMyNumberCard.into()),
        Identification::MyNumber(kiosk_mynumber::CardKind::Unknown(_)) => {
            return Err(ReadRefusal {
                failure: ReadFailure::NotMyNumberCard,
                problem: Some("card refused: its JPKI token label is not one the kiosk knows".into()),
            });
        }
        // A 住基カード has a JPKI application too, but is not a My Number card (docs/CARD-NOTES.md §4.1):
        // refused here, before its certificate is read and judged as if it were one.
        Identification::MyNumber(kiosk_mynumber::CardKind::JukiCard) => {
            return Err(ReadFailure::NotMyNumberCard.into());
        }
        Identification::MyNumber(k) => k,
    };
    if kind.is_phone() {
        return read_phone(card, &kind, now, trust);
    }
    let cert = card.read_auth_certificate()?;
    trusted(&cert, now, trust)?;
    let facts = CardFacts {
        kind,
        certificate: cert.insurance_status(now),
        cert_issuer: cert.issuer.clone(),
        cert_serial: cert.serial_hex.clone(),
        pin: Some(card.auth_pin_status()?),
    };
    Ok((CardRead::Card(facts), Some(cert)))
}

/// The certificate chains to `trust`; outside its dates it is not refused here (the flow decides what
/// its status means). The refusal says which check failed, never the subject (no personal data).
fn trusted(cert: &Certificate, now: i64, trust: &AuthTrust) -> Result<(), ReadRefusal> {
    match trust.verify(cert, now) {
        Ok(()) => Ok(()),
        Err(e) if e.is_only_time() => Ok(()),
        Err(e) => Err(ReadRefusal {
            failure: ReadFailure::Unreadable,
            problem: Some(format!("card refused: {e}")),
        }),
    }
}

/// A smartphone's JPKI token (issue 16, docs/CARD-NOTES.md §4.5). Its certificate opens only to its
/// holder: an Android phone's after its own PIN, typed at the kiosk (jpki/myna reads it only after the
/// VERIFY); an iPhone's after Face ID or Touch ID on the phone (GUESS). Until then the phone reports its
/// tries (read without spending one) or that it is not confirmed. Once open, the certificate must chain
/// to `trust` and the phone must sign a fresh challenge with its key at once: the key proof a card gives
/// after its PIN.
fn read_phone<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    kind: &kiosk_mynumber::CardKind,
    now: i64,
    trust: &AuthTrust,
) -> Result<(CardRead, Option<Certificate>), ReadRefusal> {
    let phone = match kind {
        kiosk_mynumber::CardKind::Iphone => Phone::Iphone,
        _ => Phone::Android,
    };
    let cert = match card.read_auth_certificate() {
        Err(CardError::NeedsCredential(_)) => {
            return Ok(match phone {
                Phone::Android => (
                    CardRead::PhoneLocked {
                        pin: card.auth_pin_status()?,
                    },
                    None,
                ),
                Phone::Iphone => (CardRead::PhoneNotConfirmed, None),
            });
        }
        other => other?,
    };
    trusted(&cert, now, trust)?;
    let mut challenge = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
    match card.prove_auth_key(&cert, &challenge) {
        Ok(true) => {}
        Ok(false) => {
            return Err(ReadRefusal {
                failure: ReadFailure::Unreadable,
                problem: Some("phone refused: its signature does not match its certificate".into()),
            });
        }
        Err(CardError::NeedsCredential(_)) if phone == Phone::Iphone => {
            return Ok((CardRead::PhoneNotConfirmed, None));
        }
        Err(e) => return Err(e.into()),
    }
    let facts = CardFacts {
        kind: kind.clone(),
        certificate: cert.insurance_status(now),
        cert_issuer: cert.issuer.clone(),
        cert_serial: cert.serial_hex.clone(),
        pin: None,
    };
    Ok((CardRead::PhoneConfirmed { phone, facts }, Some(cert)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use kiosk_card_sim::{Profile, SharedCard, Token, VirtualCard};

    fn read(card: VirtualCard, trust: &AuthTrust) -> (Result<CardRead, ReadRefusal>, SharedCard) {
        let shared = SharedCard::new(card);
        let mut reader = MyNumberCard::new(shared.clone());
        let result = read_card(&mut reader, crate::core::now_unix(), trust).map(|(read, _)| read);
        (result, shared)
    }

    fn demo_trust() -> AuthTrust {
        demo::auth_trust().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_demo_card_chains_to_the_trusted_virtual_ca() {
        let trust = demo_trust();
        for name in Profile::embedded_names() {
            let card = VirtualCard::embedded(name).unwrap_or_else(|e| panic!("{e}"));
            let (result, _) = read(card, &trust);
            assert!(result.is_ok(), "{name}: {:?}", result.err());
        }
    }

    #[test]
    fn a_forged_card_is_refused_before_any_pin_with_a_line_for_staff() {
        let forged = demo::forged_card("demo").unwrap_or_else(|e| panic!("{e}"));
        let (result, shared) = read(forged, &demo_trust());
        let refusal = result.expect_err("a forged card must be refused");
        assert_eq!(refusal.failure, ReadFailure::Unreadable);
        assert_eq!(
            refusal.problem.as_deref(),
            Some(
                "card refused: the certificate is not issued by a trusted J-LIS CA: no trusted CA of its \
                 issuer's name signed it"
            )
        );
        // No PIN reached the forged card, and nothing of the holder's is in the line.
        let stats = shared.lock().stats().clone();
        assert_eq!(stats.auth_pin_verifies, 0);
        assert!(!refusal.problem.unwrap_or_default().contains("AGCIEG"));
    }

    /// Issue 16: an Android phone reports its tries and nothing more until its PIN; after it, the phone
    /// read again opens its certificate and proves its key. No VERIFY but the one typed.
    #[test]
    fn an_android_phone_opens_only_after_its_pin_and_then_proves_its_key() {
        let shared = SharedCard::new(VirtualCard::embedded("android").unwrap_or_else(|e| panic!("{e}")));
        let mut reader = MyNumberCard::new(shared.clone());
        let now = crate::core::now_unix();
        let trust = demo_trust();
        let first = read_card(&mut reader, now, &trust).map(|(read, _)| read);
        assert_eq!(
            first.ok(),
            Some(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(3)
            })
        );
        assert_eq!(
            shared.lock().stats().auth_pin_verifies,
            0,
            "the tries are read without a try"
        );
        let pin = AuthPin::new("2468").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reader.verify_auth_pin(&pin).ok(), Some(PinOutcome::Verified));
        match read_card(&mut reader, now, &trust).map(|(read, _)| read) {
            Ok(CardRead::PhoneConfirmed {
                phone: Phone::Android,
                facts,
            }) => assert_eq!(facts.cert_serial, "01000009"),
            other => panic!("after the PIN: {other:?}"),
        }
        assert_eq!(shared.lock().stats().auth_pin_verifies, 1);
    }

    /// An iPhone (GUESS behaviour): confirmed on the phone, it is read and proves its key with no VERIFY;
    /// not confirmed, it says so; a forged one is refused like a forged card.
    #[test]
    fn an_iphone_needs_its_holders_confirmation_on_the_phone_and_trust() {
        let trust = demo_trust();
        let iphone = || VirtualCard::embedded("iphone").unwrap_or_else(|e| panic!("{e}"));
        let (confirmed, shared) = read(iphone(), &trust);
        assert!(
            matches!(
                confirmed,
                Ok(CardRead::PhoneConfirmed {
                    phone: Phone::Iphone,
                    ..
                })
            ),
            "{confirmed:?}"
        );
        assert_eq!(shared.lock().stats().auth_pin_verifies, 0);
        let mut waiting = iphone();
        waiting.holder_confirmed_on_phone = false;
        assert_eq!(read(waiting, &trust).0.ok(), Some(CardRead::PhoneNotConfirmed));
        let mut forged = iphone();
        forged.faults.hostile = Some(kiosk_card_sim::Hostile::ForgedCa);
        let refusal = read(forged, &trust)
            .0
            .expect_err("a forged phone must be refused");
        assert_eq!(refusal.failure, ReadFailure::Unreadable);
    }

    #[test]
    fn a_test_card_is_refused_where_no_test_hierarchy_is_trusted() {
        let card = VirtualCard::embedded("demo").unwrap_or_else(|e| panic!("{e}"));
        let (result, _) = read(card, &AuthTrust::jlis());
        let refusal = result.expect_err("a test card at a clinic must be refused");
        assert_eq!(
            refusal.problem.as_deref(),
            Some(
                "card refused: the certificate is from the hierarchy O=JPKI-TEST, which this kiosk does not trust"
            )
        );
    }

    #[test]
    fn a_juki_card_is_not_a_my_number_card_and_nothing_more_is_read() {
        let mut profile = Profile::embedded("demo").unwrap_or_else(|e| panic!("{e}"));
        profile.token = Token::JukiCard;
        let juki = SharedCard::new(VirtualCard::new(profile));
        let refused = read_card(&mut MyNumberCard::new(juki.clone()), 0, &demo_trust()).err();
        assert_eq!(refused.map(|r| r.failure), Some(ReadFailure::NotMyNumberCard));
        assert_eq!(
            juki.lock().stats().commands,
            2,
            "the JPKI application and its token label, no certificate"
        );
    }
}
