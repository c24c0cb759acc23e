//! The kiosk without its window: the reception flow, the three workers and the routing between them.
//! The flow's effects become jobs for the workers; their answers come back as events. The eframe window,
//! the UI tests and the headless driver all run this same core.

use crate::notify::{StaffCallNotice, StaffNotifier};
use crate::staff::StaffCodes;
use crate::workers::{
    CardJob, CardTrust, CardWorker, FaceJob, FaceSettings, FaceWorker, RecordsJob, RecordsWorker, Reply,
    ReplySender, SendChannel, Shared, SourceFactory, SpawnError, Ticket,
};
use kiosk_apdu::TransportError;
use kiosk_face::FaceModels;
use kiosk_pcsc::{Monitor, ReaderEvent};
use kiosk_reception::{
    Cameras, CardFaceOutcome, CardKey, Effect, EligibilityFailure, Event, FaceEvent, Flow, FlowConfig, Input,
    Lang, PinCheckFailed, ReadFailure, ReturnRefused, Screen, StaffCall, WorkerResult,
};
use kiosk_records::{EligibilityBackend, Journal, OutputSettings};
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Everything the core is built from.
pub struct Parts {
    pub flow: FlowConfig,
    pub language: Lang,
    pub models: Option<&'static FaceModels>,
    pub face: FaceSettings,
    pub camera: SourceFactory,
    /// A front camera looking down at the reader (`[camera.front]`): the card front is read where the
    /// card lies, and the kiosk is in the face-and-front arrangement. `None`: one camera.
    pub front_camera: Option<SourceFactory>,
    /// What a card must chain to: the card-face CA keys and the user-authentication CAs (J-LIS's, and a
    /// test hierarchy only where the configuration or the demo names it); made already, or on the card
    /// thread ([`CardTrust::later`]).
    pub trust: CardTrust,
    /// The eligibility check (the embedded roster, or the online check behind the trait).
    pub roster: Box<dyn EligibilityBackend + Send>,
    pub journal: Journal,
    /// Where and how the result files are written.
    pub output: OutputSettings,
    pub staff: StaffCodes,
    /// Where calls for staff go.
    pub notifier: Box<dyn StaffNotifier>,
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

/// Why the core could not start or watch its readers.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    #[error("cannot watch the card readers: {0}")]
    Monitor(#[from] TransportError),
}

/// The workers, by name (for the log when one has stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Worker {
    Card,
    Face,
    Records,
}

impl Worker {
    fn name(self) -> &'static str {
        match self {
            Worker::Card => "card",
            Worker::Face => "face",
            Worker::Records => "records",
        }
    }
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
    /// The PC/SC readers the kiosk watches (real mode; `None`: any reader): the card reader and, where
    /// the clinic has one, the smartphone reader (`[reader.phone]`); the watched readers present now, the
    /// reader of the current card or phone and whether it is the current session's.
    reader_filter: Option<Vec<String>>,
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
    camera_on: bool,
    notifier: Box<dyn StaffNotifier>,
    shared: Arc<Shared>,
    /// Problems for clinic IT and staff (reader, camera, records), newest last; no personal data.
    pub problems: VecDeque<String>,
    pub counters: Counters,
    /// Screens shown since last taken (names, for scripts and tests; bounded).
    screens_seen: Vec<&'static str>,
    /// The staff console this kiosk reports to, and its calls so far.
    console: Option<kiosk_console::client::Link>,
    console_calls: u64,
    /// Added to this kiosk's call and check numbers on the console: a restarted kiosk's numbers start
    /// above the last run's, so the console never takes a new call for one it has seen (or decided).
    console_base: u64,
    /// The face models: given at start, or loaded in the background ([`KioskCore::load_models`]).
    models: Option<&'static FaceModels>,
    /// Face matching is on in the configuration (it is offered once the models are there).
    face_configured: bool,
    /// The models are loading in the background.
    models_loading: bool,
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
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The day (Japan time) and the face attempts the journal kept for it before a restart: they still
/// count (the journal keeps card hashes only). An unreadable journal is reported and counts none.
fn face_attempts_kept(journal: &Journal, now: i64) -> (i64, Vec<(CardKey, u32)>) {
    let day = kiosk_reception::japan_day(now);
    let kept = journal.face_attempts_on(day).unwrap_or_else(|e| {
        eprintln!("kiosk: journal: today's face attempt counts not read: {e}");
        Vec::new()
    });
    let kept = kept
        .into_iter()
        .map(|(card, n)| (CardKey::from_bytes(card), n))
        .collect();
    (day, kept)
}

impl KioskCore {
    /// Start the workers.
    pub fn start(parts: Parts) -> Result<KioskCore, CoreError> {
        let (reply_tx, replies) = ReplySender::new(parts.wake.clone());
        let shared = Arc::new(Shared::default());
        let (card, card_rx) = unbounded_channel();
        let (face, face_rx) = unbounded_channel();
        let (records, records_rx) = unbounded_channel();
        let now = now_unix();
        let (day, attempts_today) = face_attempts_kept(&parts.journal, now);
        let threads = vec![
            CardWorker {
                trust: parts.trust,
                models: parts.models,
                face: face.clone(),
                records: records.clone(),
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
                output: parts.output,
                staff: parts.staff,
                replies: reply_tx.clone(),
            }
            .spawn(records_rx)?,
        ];
        let flow_config = FlowConfig {
            face_enabled: parts.models.is_some() && parts.flow.face_enabled,
            cameras: arrangement(parts.front_camera.is_some(), parts.flow.cameras),
            language: parts.language,
            ..parts.flow
        };
        let mut flow = Flow::new(flow_config, now);
        flow.restore_face_attempts(day, attempts_today);
        let mut core = KioskCore {
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
            camera_on: false,
            notifier: parts.notifier,
            shared,
            problems: VecDeque::new(),
            counters: Counters::default(),
            screens_seen: Vec::new(),
            console: None,
            console_calls: 0,
            console_base: 0,
            models: parts.models,
            face_configured: parts.flow.face_enabled,
            models_loading: false,
        };
        core.send_face(FaceJob::Camera(parts.camera));
        if let Some(front) = parts.front_camera {
            core.send_face(FaceJob::FrontCamera(front));
        }
        Ok(core)
    }

    /// Load the face models on a thread of their own, so the idle screen shows at once (issue 17:
    /// loading and checking the 32 MB of model files took most of the second start-up needed). Until
    /// they are there the method screen offers the PIN and the staff check (and says the face is being
    /// prepared); when they are, the workers get them and the face choice appears
    /// ([`Event::FaceAvailable`]). `load` gives the models or why there are none (then face matching
    /// stays off, which is reported like any problem). Nothing happens when face matching is off in the
    /// configuration or the models were given at start.
    pub fn load_models(
        &mut self,
        load: impl FnOnce() -> Result<&'static FaceModels, String> + Send + 'static,
    ) -> Result<(), CoreError> {
        if !self.face_configured || self.models.is_some() || self.models_loading {
            return Ok(());
        }
        let replies = self.reply_tx.clone();
        let handle = crate::workers::spawn("kiosk-models", move || replies.send(Reply::Models(load())))?;
        self.threads.push(handle);
        self.models_loading = true;
        Ok(())
    }

    /// The face models, once loaded (`None` while they load, or when face matching is off).
    pub fn models(&self) -> Option<&'static FaceModels> {
        self.models
    }

    /// The face models are still loading in the background.
    pub fn models_loading(&self) -> bool {
        self.models_loading
    }

    /// Watch the PC/SC readers: a card placed on `reader` (or on any reader when `None`) starts a
    /// reception. The monitor's events arrive through the reply channel, so they wake the window.
    pub fn watch_readers(&mut self, reader: Option<String>) -> Result<(), CoreError> {
        self.watch_card_and_phone_readers(reader, None)
    }

    /// Watch the card reader `card` (`None`: any reader) and, when the clinic has a separate one for
    /// smartphones, the phone reader `phone`: a card or a phone placed on either starts a reception.
    pub fn watch_card_and_phone_readers(
        &mut self,
        card: Option<String>,
        phone: Option<String>,
    ) -> Result<(), CoreError> {
        let monitor = Monitor::start()?;
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
        self.reader = card.clone();
        self.reader_filter = card.map(|card| std::iter::once(card).chain(phone).collect());
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

    /// A card was placed (virtual card, or a channel the caller opened): a new patient's, or the card put
    /// back after showing its front to the one camera.
    pub fn insert_card(&mut self, channel: SendChannel) {
        if !self.flow.accepts_card() {
            return;
        }
        self.send_card(CardJob::Insert(channel));
        self.push(Event::CardInserted);
    }

    /// The card was taken away.
    pub fn remove_card(&mut self) {
        self.push(Event::CardRemoved);
    }

    /// What a patient or staff member did. The flow hears the input without its secret; when it answers
    /// with the effect that uses the secret (one VERIFY for a PIN, one staff-code check, one typed
    /// 照合番号B), the secret goes to its worker in this same call. Otherwise it is dropped here, which
    /// wipes it.
    pub fn input(&mut self, input: Input) {
        self.process();
        let event = Event::of_input(&input);
        let mut secret = Some(input);
        self.handle(event, &mut secret);
        drop(secret);
        self.process();
    }

    /// Use another camera (the demo panel switches between clips).
    pub fn set_camera(&mut self, camera: SourceFactory) {
        self.send_face(FaceJob::Camera(camera));
    }

    /// Use another front camera (the demo's, showing the card now placed). The arrangement stays the one
    /// the kiosk started in.
    pub fn set_front_camera(&mut self, camera: SourceFactory) {
        self.send_face(FaceJob::FrontCamera(camera));
    }

    /// The journal's reception count (asks the records thread, waits for its answer).
    pub fn reception_count(&self) -> Option<u64> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.records.send(RecordsJob::Count(tx)).ok()?;
        rx.recv_timeout(Duration::from_secs(10)).ok()
    }

    /// An event from the reader or the clock, after those already waiting.
    fn push(&mut self, event: Event) {
        self.queue.push_back(event);
        self.process();
    }

    /// Advance the clock (time-outs).
    pub fn tick(&mut self) {
        self.push(Event::Tick(now_unix()));
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
            Reply::Job { ticket, result, last } => {
                if !self.live.contains(&ticket) {
                    return;
                }
                if last {
                    self.live.remove(&ticket);
                    if self.face_ticket == Some(ticket) {
                        self.face_ticket = None;
                    }
                }
                self.queue.push_back(Event::Worker(result));
            }
            Reply::Reader(event) => self.on_reader(event),
            Reply::Problem(p) => self.report(p),
            Reply::Verdict(v) => {
                if let Some(call) = v.call.checked_sub(self.console_base) {
                    self.queue.push_back(Event::StaffVerdict {
                        call,
                        staff_id: v.staff,
                        holder_confirmed: v.holder_confirmed,
                    });
                }
            }
            Reply::Models(Ok(models)) => {
                self.models_loading = false;
                self.models = Some(models);
                self.send_card(CardJob::Models(models));
                self.send_face(FaceJob::Models(models));
                self.queue.push_back(Event::FaceAvailable);
            }
            Reply::Models(Err(why)) => {
                self.models_loading = false;
                self.report(format!("face matching is off: {why}"));
            }
            Reply::Console(true) => eprintln!("kiosk: connected to the staff console"),
            Reply::Console(false) => {
                self.report("the staff console cannot be reached; staff calls wait until it can".into())
            }
        }
    }

    fn on_reader(&mut self, event: ReaderEvent) {
        let watched = |r: &str, filter: &Option<Vec<String>>| {
            filter.as_ref().is_none_or(|names| names.iter().any(|w| w == r))
        };
        match event {
            ReaderEvent::CardInserted { reader, .. }
                if watched(&reader, &self.reader_filter) && self.flow.accepts_card() && !self.reader_card =>
            {
                self.reader_card = true;
                self.send_card(CardJob::Connect(reader.clone()));
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
            let which = self
                .reader_filter
                .as_ref()
                .map_or_else(|| "any reader".to_string(), |names| names.join(" or "));
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

    /// Handle the events waiting, in order, until none is left (handling one can queue no other).
    fn process(&mut self) {
        while let Some(event) = self.queue.pop_front() {
            self.handle(event, &mut None);
        }
        self.publish();
    }

    /// Report to the staff console: what it sees of this kiosk ([`crate::console::state`]).
    pub fn connect_console(&mut self, endpoint: kiosk_console::client::Endpoint) -> std::io::Result<()> {
        let verdicts = self.reply_tx.clone();
        let connection = self.reply_tx.clone();
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
        // A million numbers per millisecond of start time: far more calls than a run makes.
        self.console_base = millis.saturating_mul(1_000_000);
        let link = kiosk_console::client::Link::start(
            endpoint,
            Box::new(move |v| verdicts.send(Reply::Verdict(v))),
            Box::new(move |up| connection.send(Reply::Console(up))),
        )?;
        self.console = Some(link);
        self.publish();
        Ok(())
    }

    /// The state for the console, and the chip photo of a pending visual check (once per call).
    fn publish(&mut self) {
        let Some(link) = &self.console else {
            return;
        };
        let reader = match (self.reader_grace_until, self.reader_told) {
            // Not watching readers (demo, tests), or not told yet.
            (None, _) | (Some(_), None) => kiosk_console::protocol::Health::Unknown,
            (Some(_), Some(true)) => kiosk_console::protocol::Health::Ok,
            (Some(_), Some(false)) => kiosk_console::protocol::Health::Missing,
        };
        let call = self.flow.staff_call();
        let photo = call.is_some_and(|c| link.has_photo(c + self.console_base))
            || (call.is_some() && self.shared.with_card_photo(|p| p.is_some()));
        let mut state = crate::console::state(&self.flow, self.console_base, reader, &self.problems, photo);
        state.camera = crate::console::camera(self.shared.camera());
        link.set_state(state);
        if let Some(call) = call
            .map(|c| c + self.console_base)
            .filter(|c| !link.has_photo(*c))
            && let Some(png) = self.shared.with_card_photo(|p| p.map(crate::console::png))
        {
            link.photo(call, png);
        }
    }

    /// One event through the flow; `secret` is the input that brought it, if any.
    fn handle(&mut self, event: Event, secret: &mut Option<Input>) {
        let removed = event == Event::CardRemoved;
        for effect in self.flow.handle(event) {
            self.dispatch(effect, secret);
        }
        // A card lifted to show its front to the one camera: the session and its jobs wait for it.
        let removed = removed && self.flow.card_return_left().is_none();
        if removed {
            // Nothing answered for this card may reach the next one.
            self.live.clear();
            self.face_ticket = None;
        }
        let kind = self.flow.screen().kind();
        if self.screens_seen.last() != Some(&kind) && self.screens_seen.len() < 10_000 {
            self.screens_seen.push(kind);
        }
        if removed {
            self.send_card(CardJob::Remove);
            self.send_face(FaceJob::Wipe);
        }
        let camera = matches!(
            self.flow.screen(),
            Screen::FaceMatching { .. } | Screen::StaffCheck { .. } | Screen::CardFace { .. }
        );
        if camera != self.camera_on {
            self.camera_on = camera;
            self.send_face(FaceJob::Preview(camera));
        }
    }

    fn send_card(&mut self, job: CardJob) -> bool {
        let sent = self.card.send(job).is_ok();
        self.sent_or_report(sent, Worker::Card)
    }

    fn send_face(&mut self, job: FaceJob) -> bool {
        let sent = self.face.send(job).is_ok();
        self.sent_or_report(sent, Worker::Face)
    }

    fn send_records(&mut self, job: RecordsJob) -> bool {
        let sent = self.records.send(job).is_ok();
        self.sent_or_report(sent, Worker::Records)
    }

    fn sent_or_report(&mut self, sent: bool, worker: Worker) -> bool {
        if !sent {
            self.report(format!(
                "the {} thread has stopped; restart the kiosk",
                worker.name()
            ));
        }
        sent
    }

    /// A job that answers: its ticket, and if the worker could not take it, its failure at once, so that
    /// the flow never waits for an answer that cannot come.
    fn ask(&mut self, job: impl FnOnce(Ticket) -> Job, failure: WorkerResult) -> Ticket {
        let ticket = self.ticket();
        let sent = match job(ticket) {
            Job::Card(j) => self.send_card(j),
            Job::Face(j) => self.send_face(j),
            Job::Records(j) => self.send_records(j),
        };
        if !sent {
            self.live.remove(&ticket);
            self.queue.push_back(Event::Worker(failure));
        }
        ticket
    }

    fn dispatch(&mut self, effect: Effect, secret: &mut Option<Input>) {
        let now = now_unix();
        match effect {
            Effect::ReadCard => {
                let failure = WorkerResult::CardRead(Err(ReadFailure::Unreadable));
                self.ask(|ticket| Job::Card(CardJob::Read { ticket, now }), failure);
            }
            Effect::AwaitCardReturn => {
                self.send_card(CardJob::Away);
            }
            Effect::CheckReturnedCard => {
                let failure = WorkerResult::CardReturned(Err(ReturnRefused::Read(ReadFailure::Unreadable)));
                self.ask(|ticket| Job::Card(CardJob::CheckReturn { ticket, now }), failure);
            }
            Effect::ReadCardFace => {
                let failure = WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable);
                let job = |ticket| Job::Card(CardJob::ReadFace { ticket, typed: None });
                self.card_face_ticket = Some(self.ask(job, failure));
            }
            Effect::ReadCardFaceTyped => self.read_card_face_typed(secret),
            Effect::StartFaceMatching => {
                let failure = WorkerResult::Face(FaceEvent::CameraUnavailable);
                self.face_ticket = Some(self.ask(|t| Job::Face(FaceJob::Start(t)), failure));
            }
            Effect::StopFaceMatching => {
                if let Some(t) = self.face_ticket.take() {
                    self.live.remove(&t);
                }
                self.send_face(FaceJob::Stop);
            }
            Effect::VerifyPin => self.verify_pin(secret),
            Effect::CheckStaffCode => self.check_staff_code(secret),
            Effect::CallStaff(call) => self.call_staff(call, now),
            Effect::CheckEligibility {
                cert_issuer,
                cert_serial,
            } => self.check_eligibility(cert_issuer, cert_serial, now),
            Effect::RegisterInsuranceUse {
                cert_issuer,
                cert_serial,
            } => {
                self.send_records(RecordsJob::Register {
                    issuer: cert_issuer,
                    serial: cert_serial,
                });
            }
            Effect::SaveRecord(record) => {
                let job = |ticket| Job::Records(RecordsJob::Save { ticket, record });
                self.ask(job, WorkerResult::RecordSaved(false));
            }
            Effect::WipeSession => {
                self.send_card(CardJob::Wipe);
                self.send_face(FaceJob::Wipe);
                self.send_records(RecordsJob::Wipe);
            }
            // As when the card is taken away: nothing still answered for this reception reaches the
            // flow, and the card thread drops the channel (powering the card off) and any card-front
            // read still waiting for its code, so no 照合番号B try is spent after the patient stopped.
            Effect::ReleaseCard => {
                self.live.clear();
                self.face_ticket = None;
                self.send_card(CardJob::Remove);
                self.send_face(FaceJob::Wipe);
            }
            Effect::CountFaceAttempt { card, day } => {
                self.send_records(RecordsJob::CountFaceAttempt {
                    day,
                    card: card.to_bytes(),
                });
            }
            Effect::Audit { from, to, event } => {
                self.send_records(RecordsJob::Audit { now, from, to, event });
            }
        }
    }

    /// Staff are called: the notifier and, when connected, the staff console hear it.
    fn call_staff(&mut self, call: StaffCall, now: i64) {
        let notice = StaffCallNotice {
            call,
            screen: self.flow.screen().kind(),
            at: now,
        };
        self.notifier.call(notice);
        if let Some(link) = &self.console {
            self.console_calls += 1;
            link.call(crate::console::call(
                self.console_base + self.console_calls,
                call,
                now,
            ));
        }
    }

    fn check_eligibility(&mut self, issuer: String, serial: String, now: i64) {
        let failure = WorkerResult::Eligibility(Err(EligibilityFailure::Error));
        let job = |ticket| {
            Job::Records(RecordsJob::Eligibility {
                ticket,
                issuer,
                serial,
                now,
            })
        };
        self.ask(job, failure);
    }

    /// The flow asked for a VERIFY: exactly one, with the PIN that came with this input.
    fn verify_pin(&mut self, secret: &mut Option<Input>) {
        let failure = WorkerResult::PinVerified(Err(PinCheckFailed));
        match secret.take() {
            Some(Input::Pin(pin)) => {
                self.counters.pins_sent += 1;
                self.ask(|ticket| Job::Card(CardJob::Verify { ticket, pin }), failure);
            }
            other => {
                *secret = other;
                self.secret_missing("VerifyPin", failure);
            }
        }
    }

    fn check_staff_code(&mut self, secret: &mut Option<Input>) {
        let failure = WorkerResult::StaffCodeChecked(None);
        match secret.take() {
            Some(Input::StaffCode(code)) => {
                let job = |ticket| Job::Records(RecordsJob::StaffCode { ticket, code });
                self.ask(job, failure);
            }
            other => {
                *secret = other;
                self.secret_missing("CheckStaffCode", failure);
            }
        }
    }

    /// Staff typed the card front's numbers: the camera stops looking for the front (its wait ends with no
    /// code and no try spent), and the typed code goes instead.
    fn read_card_face_typed(&mut self, secret: &mut Option<Input>) {
        let failure = WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable);
        match secret.take() {
            Some(Input::CheckCode(code)) => {
                if let Some(t) = self.card_face_ticket.take() {
                    self.live.remove(&t);
                }
                self.send_face(FaceJob::Stop);
                self.counters.check_codes_typed += 1;
                let job = |ticket| {
                    Job::Card(CardJob::ReadFace {
                        ticket,
                        typed: Some(code),
                    })
                };
                self.card_face_ticket = Some(self.ask(job, failure));
            }
            other => {
                *secret = other;
                self.secret_missing("ReadCardFaceTyped", failure);
            }
        }
    }

    /// The flow asked for an effect whose secret did not come with the event. The flow only asks after
    /// the input that carries it, so this is a bug: say so, and answer the flow at once so it does not
    /// wait.
    fn secret_missing(&mut self, effect: &str, failure: WorkerResult) {
        self.report(format!(
            "internal error: {effect} without its secret; nothing was sent"
        ));
        self.queue.push_back(Event::Worker(failure));
    }
}

/// The camera arrangement the flow works by: the cameras there are decide it (a front camera means the
/// card stays on the reader), whatever the flow settings said.
fn arrangement(front_camera: bool, configured: Cameras) -> Cameras {
    match (front_camera, configured) {
        (true, _) => Cameras::FaceAndFront,
        (false, Cameras::FaceOnly { card_return_secs }) => Cameras::FaceOnly { card_return_secs },
        (false, Cameras::FaceAndFront) => Cameras::FaceOnly {
            card_return_secs: kiosk_reception::CARD_RETURN_SECS,
        },
    }
}

/// A job for one of the workers.
enum Job {
    Card(CardJob),
    Face(FaceJob),
    Records(RecordsJob),
}

impl Drop for KioskCore {
    fn drop(&mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        // A worker that already stopped needs no stop job; the ones that did not are joined.
        self.card.send(CardJob::Stop).ok();
        self.face.send(FaceJob::Quit).ok();
        self.records.send(RecordsJob::Stop).ok();
        for t in self.threads.drain(..) {
            if t.join().is_err() {
                eprintln!("kiosk: a worker thread had panicked");
            }
        }
    }
}
