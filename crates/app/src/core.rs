//! The kiosk without its window: the reception flow, the three workers and the routing between them.
//! The flow's effects become jobs for the workers; their answers come back as events. The eframe window,
//! the UI tests and the headless driver all run this same core.

use crate::staff::StaffCodes;
use crate::workers::{
    CardJob, CardWorker, FaceJob, FaceSettings, FaceWorker, RecordsJob, RecordsWorker, Reply, ReplySender,
    SendChannel, Shared, SourceFactory, Ticket,
};
use kiosk_face::FaceModels;
use kiosk_mynumber::{CheckCodeB, TrustAnchor};
use kiosk_pcsc::{Monitor, ReaderEvent};
use kiosk_reception::{Effect, Event, Flow, FlowConfig, Lang, Screen};
use kiosk_records::{Journal, SqliteRoster};
use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use zeroize::Zeroizing;

/// Everything the core is built from.
pub struct Parts {
    pub flow: FlowConfig,
    pub language: Lang,
    pub models: Option<&'static FaceModels>,
    pub face: FaceSettings,
    pub camera: SourceFactory,
    pub anchors: Vec<TrustAnchor>,
    pub roster: SqliteRoster,
    pub journal: Journal,
    pub output_dir: PathBuf,
    pub institution_code: String,
    pub staff: StaffCodes,
    /// Called by the workers when they have news (the window repaints).
    pub wake: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parts")
    }
}

/// Counts a test or an audit can check.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// VERIFYs for the user-auth PIN handed to the card thread (one per PIN the patient confirmed).
    pub pins_sent: usize,
    /// 照合番号B codes staff typed and the core handed to the card thread.
    pub check_codes_typed: usize,
}

/// How long a kiosk starting up waits for the monitor to list its reader before saying it is missing.
const READER_GRACE: Duration = Duration::from_millis(1500);

/// The reception kiosk's core.
pub struct KioskCore {
    flow: Flow,
    card: UnboundedSender<CardJob>,
    face: UnboundedSender<FaceJob>,
    records: UnboundedSender<RecordsJob>,
    replies: UnboundedReceiver<Reply>,
    reply_tx: ReplySender,
    threads: Vec<JoinHandle<()>>,
    stop_reader: Arc<AtomicBool>,
    /// The PC/SC reader the kiosk watches (real mode; `None`: any reader), the watched readers present
    /// now, the reader of the current card and whether that card is the current session's.
    reader_filter: Option<String>,
    readers_present: BTreeSet<String>,
    /// What the flow was last told about the reader (`None`: nothing yet, or not watching readers), and
    /// until when a missing reader at start-up is not yet reported.
    reader_told: Option<bool>,
    reader_grace_until: Option<Instant>,
    reader: Option<String>,
    reader_card: bool,
    queue: VecDeque<Event>,
    live: BTreeSet<Ticket>,
    next_ticket: Ticket,
    face_ticket: Option<Ticket>,
    card_face_ticket: Option<Ticket>,
    typed_pin: Option<Zeroizing<String>>,
    typed_check_code: Option<CheckCodeB>,
    typed_staff_code: Option<Zeroizing<String>>,
    pin_pad_cleared: bool,
    camera_on: bool,
    shared: Arc<Shared>,
    /// Problems for clinic IT and staff (reader, camera, records), newest last; no personal data.
    pub problems: VecDeque<String>,
    pub counters: Counters,
    /// Screens shown since last taken (names, for scripts and tests; bounded).
    screens_seen: Vec<&'static str>,
}

impl std::fmt::Debug for KioskCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KioskCore({}, {} jobs open)",
            self.flow.screen().kind(),
            self.live.len()
        )
    }
}

/// Seconds since the Unix epoch (the flow and the records take time as a value).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl KioskCore {
    /// Start the workers.
    pub fn start(parts: Parts) -> Result<KioskCore, String> {
        let (reply_tx, replies) = ReplySender::new(parts.wake.clone());
        let shared = Arc::new(Shared::default());
        let (card, card_rx) = unbounded_channel();
        let (face, face_rx) = unbounded_channel();
        let (records, records_rx) = unbounded_channel();
        let threads = vec![
            CardWorker {
                anchors: parts.anchors,
                models: parts.models,
                face: face.clone(),
                shared: shared.clone(),
                replies: reply_tx.clone(),
            }
            .spawn(card_rx)?,
            FaceWorker {
                models: parts.models,
                settings: parts.face,
                shared: shared.clone(),
                replies: reply_tx.clone(),
            }
            .spawn(face_rx)?,
            RecordsWorker {
                roster: parts.roster,
                journal: parts.journal,
                output_dir: parts.output_dir,
                institution_code: parts.institution_code,
                staff: parts.staff,
                replies: reply_tx.clone(),
            }
            .spawn(records_rx)?,
        ];
        let _ = face.send(FaceJob::Camera(parts.camera));
        let flow_config = FlowConfig {
            face_enabled: parts.models.is_some() && parts.flow.face_enabled,
            ..parts.flow
        };
        let mut flow = Flow::new(flow_config, now_unix());
        let _ = flow.handle(Event::Language(parts.language));
        Ok(KioskCore {
            flow,
            card,
            face,
            records,
            replies,
            reply_tx,
            threads,
            stop_reader: Arc::new(AtomicBool::new(false)),
            reader_filter: None,
            readers_present: BTreeSet::new(),
            reader_told: None,
            reader_grace_until: None,
            reader: None,
            reader_card: false,
            queue: VecDeque::new(),
            live: BTreeSet::new(),
            next_ticket: 1,
            face_ticket: None,
            card_face_ticket: None,
            typed_pin: None,
            typed_check_code: None,
            typed_staff_code: None,
            pin_pad_cleared: false,
            camera_on: false,
            shared,
            problems: VecDeque::new(),
            counters: Counters::default(),
            screens_seen: Vec::new(),
        })
    }

    /// Watch the PC/SC readers: a card placed on `reader` (or on any reader when `None`) starts a
    /// reception. The monitor's events arrive through the reply channel, so they wake the window.
    pub fn watch_readers(&mut self, reader: Option<String>) -> Result<(), String> {
        let monitor = Monitor::start().map_err(|e| e.to_string())?;
        // The monitor moves to a named thread that forwards its events (its receiver is a std channel).
        let replies = self.reply_tx.clone();
        let stop = self.stop_reader.clone();
        let handle = crate::workers::spawn("kiosk-reader", move || {
            while !stop.load(Ordering::SeqCst) {
                match monitor.events().recv_timeout(Duration::from_millis(200)) {
                    Ok(e) => replies.send(Reply::Reader(e)),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        })?;
        self.threads.push(handle);
        self.reader = reader.clone();
        self.reader_filter = reader;
        // The monitor lists the readers present within milliseconds; a kiosk started without its reader
        // says so after READER_GRACE instead of inviting a card nothing would read.
        self.readers_present.clear();
        self.reader_told = None;
        self.reader_grace_until = Some(Instant::now() + READER_GRACE);
        Ok(())
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn screen(&self) -> &Screen {
        self.flow.screen()
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Whether a worker is still on a job of this session (the headless driver waits for it).
    pub fn busy(&self) -> bool {
        !self.live.is_empty() || !self.queue.is_empty()
    }

    /// The screens shown since the last call, in order.
    pub fn take_screens(&mut self) -> Vec<&'static str> {
        std::mem::take(&mut self.screens_seen)
    }

    /// Whether the PIN pad should be emptied (taken once).
    pub fn take_pin_pad_cleared(&mut self) -> bool {
        std::mem::take(&mut self.pin_pad_cleared)
    }

    /// A card was placed (virtual card, or a channel the caller opened).
    pub fn insert_card(&mut self, channel: SendChannel) {
        if *self.flow.screen() != Screen::Idle {
            return;
        }
        let _ = self.card.send(CardJob::Insert(channel));
        self.submit(Event::CardInserted);
    }

    /// The card was taken away.
    pub fn remove_card(&mut self) {
        self.submit(Event::CardRemoved);
    }

    /// The digits the patient confirmed on the PIN pad, for the next `VerifyPin`.
    pub fn typed_pin(&mut self, digits: Zeroizing<String>) {
        self.typed_pin = Some(digits);
    }

    pub fn typed_staff_code(&mut self, code: Zeroizing<String>) {
        self.typed_staff_code = Some(code);
    }

    /// The card front's 14 digits as staff typed them, for the next `ReadCardFaceTyped`. Returns false
    /// (and keeps nothing) if they are not 14 digits.
    pub fn typed_check_code(&mut self, digits: Zeroizing<String>) -> bool {
        self.typed_check_code = CheckCodeB::new(&digits).ok();
        self.typed_check_code.is_some()
    }

    /// Use another camera (the demo panel switches between clips).
    pub fn set_camera(&mut self, camera: SourceFactory) {
        let _ = self.face.send(FaceJob::Camera(camera));
    }

    /// The journal's reception count (asks the records thread, waits for its answer).
    pub fn reception_count(&self) -> Option<u64> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.records.send(RecordsJob::Count(tx)).ok()?;
        rx.recv_timeout(Duration::from_secs(10)).ok()
    }

    /// An event from the screens (or a script).
    pub fn submit(&mut self, event: Event) {
        self.queue.push_back(event);
        self.process();
    }

    /// Advance the clock (time-outs).
    pub fn tick(&mut self) {
        self.submit(Event::Tick(now_unix()));
    }

    /// Take the workers' answers without waiting. Returns whether anything arrived.
    pub fn poll(&mut self) -> bool {
        let mut any = false;
        while let Ok(reply) = self.replies.try_recv() {
            any = true;
            self.on_reply(reply);
        }
        self.update_reader_state();
        self.process();
        any
    }

    /// Wait up to `timeout` for an answer, then take all that arrived. Returns whether any did.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.poll() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Wait until no job of this session is open (or `timeout`). Returns whether the kiosk is idle.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.busy() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.wait(left.min(Duration::from_millis(50)));
        }
        true
    }

    fn on_reply(&mut self, reply: Reply) {
        match reply {
            Reply::Job { ticket, event, last } => {
                if !self.live.contains(&ticket) {
                    return;
                }
                if last {
                    self.live.remove(&ticket);
                    if self.face_ticket == Some(ticket) {
                        self.face_ticket = None;
                    }
                }
                self.queue.push_back(event);
            }
            Reply::Reader(event) => self.on_reader(event),
            Reply::Problem(p) => self.report(p),
        }
    }

    fn on_reader(&mut self, event: ReaderEvent) {
        let watched = |r: &str, filter: &Option<String>| filter.as_deref().is_none_or(|w| w == r);
        match event {
            ReaderEvent::CardInserted { reader, .. }
                if watched(&reader, &self.reader_filter)
                    && *self.flow.screen() == Screen::Idle
                    && !self.reader_card =>
            {
                self.reader_card = true;
                let _ = self.card.send(CardJob::Connect(reader.clone()));
                self.reader = Some(reader);
                self.queue.push_back(Event::CardInserted);
            }
            ReaderEvent::CardRemoved { reader } if self.reader.as_deref() == Some(reader.as_str()) => {
                self.card_gone();
            }
            ReaderEvent::ReaderAdded(reader) if watched(&reader, &self.reader_filter) => {
                self.readers_present.insert(reader);
            }
            ReaderEvent::ReaderRemoved(reader) => {
                if self.reader.as_deref() == Some(reader.as_str()) {
                    self.card_gone();
                }
                if self.readers_present.remove(&reader) {
                    self.report(format!("the card reader {reader} is gone; waiting for it"));
                }
            }
            ReaderEvent::ServiceDown => {
                self.card_gone();
                self.readers_present.clear();
                // Known now: no grace to wait out.
                self.reader_told.get_or_insert(true);
                self.report("the smart-card service (pcscd) stopped; waiting for it".into());
            }
            _ => {}
        }
        self.update_reader_state();
    }

    /// Tell the flow when the watched reader came or went (only when watching readers).
    fn update_reader_state(&mut self) {
        let Some(grace_until) = self.reader_grace_until else {
            return;
        };
        let available = !self.readers_present.is_empty();
        if self.reader_told == Some(available)
            || (!available && self.reader_told.is_none() && Instant::now() < grace_until)
        {
            return;
        }
        if available {
            let names: Vec<&str> = self.readers_present.iter().map(String::as_str).collect();
            eprintln!("kiosk: card reader ready: {}", names.join(", "));
        } else if self.reader_told.is_none() {
            let which = self.reader_filter.as_deref().unwrap_or("any reader");
            self.report(format!("no card reader found ({which}); waiting for it"));
        }
        self.reader_told = Some(available);
        self.queue.push_back(Event::ReaderAvailable(available));
    }

    /// The session's card went away with its reader or the service: the flow hears it as a removal.
    fn card_gone(&mut self) {
        if self.reader_card {
            self.reader_card = false;
            self.queue.push_back(Event::CardRemoved);
        }
    }

    /// A problem for staff and the log.
    fn report(&mut self, problem: String) {
        eprintln!("kiosk: {problem}");
        self.problems.push_back(problem);
        while self.problems.len() > 20 {
            self.problems.pop_front();
        }
    }

    fn ticket(&mut self) -> Ticket {
        let t = self.next_ticket;
        self.next_ticket += 1;
        self.live.insert(t);
        t
    }

    fn process(&mut self) {
        let mut guard = 0;
        while let Some(event) = self.queue.pop_front() {
            guard += 1;
            if guard > 500 {
                break;
            }
            let removed = event == Event::CardRemoved;
            if removed {
                // Nothing answered for this card may reach the next one.
                self.live.clear();
                self.face_ticket = None;
                self.typed_pin = None;
                self.typed_staff_code = None;
            }
            for effect in self.flow.handle(event) {
                self.dispatch(effect);
            }
            let kind = self.flow.screen().kind();
            if self.screens_seen.last() != Some(&kind) && self.screens_seen.len() < 10_000 {
                self.screens_seen.push(kind);
            }
            if removed {
                let _ = self.card.send(CardJob::Remove);
                let _ = self.face.send(FaceJob::Wipe);
            }
            let camera = matches!(
                self.flow.screen(),
                Screen::FaceMatching { .. } | Screen::StaffCheck { .. } | Screen::CardFace { .. }
            );
            if camera != self.camera_on {
                self.camera_on = camera;
                let _ = self.face.send(FaceJob::Preview(camera));
            }
        }
    }

    fn dispatch(&mut self, effect: Effect) {
        let now = now_unix();
        match effect {
            Effect::ReadCard => {
                let ticket = self.ticket();
                let _ = self.card.send(CardJob::Read { ticket, now });
            }
            Effect::ReadCardFace => {
                let ticket = self.ticket();
                self.card_face_ticket = Some(ticket);
                let _ = self.card.send(CardJob::ReadFace { ticket, typed: None });
            }
            Effect::ReadCardFaceTyped => {
                if let Some(code) = self.typed_check_code.take() {
                    // Staff typed the numbers: the camera stops looking for the front (its wait ends
                    // with no code and no try spent), and the typed code goes instead.
                    if let Some(t) = self.card_face_ticket.take() {
                        self.live.remove(&t);
                    }
                    let _ = self.face.send(FaceJob::Stop);
                    self.counters.check_codes_typed += 1;
                    let ticket = self.ticket();
                    self.card_face_ticket = Some(ticket);
                    let _ = self.card.send(CardJob::ReadFace {
                        ticket,
                        typed: Some(code),
                    });
                }
            }
            Effect::StartFaceMatching => {
                let ticket = self.ticket();
                self.face_ticket = Some(ticket);
                let _ = self.face.send(FaceJob::Start(ticket));
            }
            Effect::StopFaceMatching => {
                if let Some(t) = self.face_ticket.take() {
                    self.live.remove(&t);
                }
                let _ = self.face.send(FaceJob::Stop);
            }
            Effect::ClearPinPad => {
                self.typed_pin = None;
                self.pin_pad_cleared = true;
            }
            Effect::VerifyPin => {
                // Exactly one VERIFY per PIN the patient confirmed; without one, nothing is sent.
                if let Some(pin) = self.typed_pin.take() {
                    self.counters.pins_sent += 1;
                    let ticket = self.ticket();
                    let _ = self.card.send(CardJob::Verify { ticket, pin });
                }
            }
            Effect::CallStaff => {}
            Effect::CheckStaffCode => {
                let code = self.typed_staff_code.take().unwrap_or_default();
                let ticket = self.ticket();
                let _ = self.records.send(RecordsJob::StaffCode { ticket, code });
            }
            Effect::CheckEligibility {
                cert_issuer,
                cert_serial,
            } => {
                let ticket = self.ticket();
                let _ = self.records.send(RecordsJob::Eligibility {
                    ticket,
                    issuer: cert_issuer,
                    serial: cert_serial,
                    now,
                });
            }
            Effect::RegisterInsuranceUse {
                cert_issuer,
                cert_serial,
            } => {
                let _ = self.records.send(RecordsJob::Register {
                    issuer: cert_issuer,
                    serial: cert_serial,
                });
            }
            Effect::SaveRecord(record) => {
                let ticket = self.ticket();
                let _ = self.records.send(RecordsJob::Save { ticket, record });
            }
            Effect::WipeSession => {
                self.typed_pin = None;
                self.typed_check_code = None;
                self.typed_staff_code = None;
                let _ = self.card.send(CardJob::Wipe);
                let _ = self.face.send(FaceJob::Wipe);
                let _ = self.records.send(RecordsJob::Wipe);
            }
            Effect::Audit { from, to, event } => {
                let _ = self.records.send(RecordsJob::Audit { now, from, to, event });
            }
        }
    }
}

impl Drop for KioskCore {
    fn drop(&mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        let _ = self.card.send(CardJob::Stop);
        let _ = self.face.send(FaceJob::Quit);
        let _ = self.records.send(RecordsJob::Stop);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
