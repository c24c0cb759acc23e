//! The `kiosk-face` thread: owns the camera (a `FrameSource` cannot move between threads) and the face
//! engine; matches faces, reads the card front, and publishes the live picture.

use super::preview::{CameraHealth, Outline, card_outline, face_outline};
use super::translate::{face_verdict, front_guidance_kind, guidance_kind};
use super::{ReplySender, Shared, SpawnError, Ticket, spawn};
use kiosk_camera::{Aim, CameraError, Frame, FrameSource};
use kiosk_cardfront::{Agreement, FrontReader};
use kiosk_face::pad::pad_frame;
use kiosk_face::{
    Challenge, Descriptor, FaceCheck, FaceEngine, FaceModels, FaceOutcome, MatchPolicy, PadPolicy, RgbImage,
    Stage,
};
use kiosk_mynumber::CheckCodeB;
use kiosk_reception::{FaceEvent, FrontGuidanceKind, GuidanceKind, TurnPrompt, WorkerResult};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, error::TryRecvError};

/// Makes a frame source on the face thread (a real camera cannot move between threads).
pub type SourceFactory = Box<dyn FnOnce() -> Result<Box<dyn FrameSource>, CameraError> + Send>;

/// Jobs for the `kiosk-face` thread.
pub enum FaceJob {
    /// Use this camera from now on.
    Camera(SourceFactory),
    /// The face models, loaded after start-up: face matching can run from now on.
    Models(&'static FaceModels),
    /// Read the card front with this camera from now on: a front camera looking down at the reader,
    /// so the card stays where it lies (issue 14). Without one the face camera reads the front held up.
    FrontCamera(SourceFactory),
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
            FaceJob::Models(_) => f.write_str("Models"),
            FaceJob::FrontCamera(_) => f.write_str("FrontCamera"),
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
    /// The liveness check's thresholds (docs/PAD.md).
    pub pad: PadPolicy,
    /// Time allowed for the head turn once it is asked for; then the liveness check fails (PIN or staff).
    pub turn_time_limit: Duration,
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
            // The kiosk gives the turn a time (a person needs a moment to read the prompt and move),
            // not a frame count: the frame limit is set out of reach and `turn_time_limit` decides.
            pad: PadPolicy {
                turn_frames: 1_000,
                ..PadPolicy::default()
            },
            turn_time_limit: Duration::from_secs(6),
            give_up_after: Duration::from_secs(14),
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
    /// Match and liveness, with the head turn chosen at random for this attempt.
    check: FaceCheck,
    started: Instant,
    /// When the head turn was asked for.
    turn_asked: Option<Instant>,
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

/// The face thread's state between jobs and frames.
struct FaceThread {
    worker: FaceWorker,
    engine: Option<FaceEngine<'static>>,
    source: Option<Box<dyn FrameSource>>,
    /// The front camera above the reader, when the kiosk has one.
    front_source: Option<Box<dyn FrameSource>>,
    /// The card photo's descriptor (wiped with the session).
    card: Option<Descriptor>,
    preview: bool,
    matching: Option<Matching>,
    front: Option<FrontScan>,
    reader: FrontReader,
    /// The camera problem was reported and has not cleared since (report once, not every frame).
    camera_problem_told: bool,
}

impl FaceWorker {
    pub fn spawn(self, mut jobs: UnboundedReceiver<FaceJob>) -> Result<JoinHandle<()>, SpawnError> {
        spawn("kiosk-face", move || {
            let mut t = FaceThread {
                engine: self.models.map(FaceEngine::new),
                worker: self,
                source: None,
                front_source: None,
                card: None,
                preview: false,
                matching: None,
                front: None,
                reader: FrontReader::default(),
                camera_problem_told: false,
            };
            loop {
                // Idle: sleep until a job comes. Busy: take the jobs waiting, then work on a frame.
                let job = if t.busy() {
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
                match job {
                    Some(FaceJob::Quit) => break,
                    Some(job) => t.on_job(job),
                    None => t.on_frame(),
                }
            }
        })
    }
}

impl FaceThread {
    fn busy(&self) -> bool {
        self.preview || self.matching.is_some() || self.front.is_some()
    }

    fn on_job(&mut self, job: FaceJob) {
        match job {
            FaceJob::Quit => {}
            FaceJob::Camera(make) => self.use_camera(make),
            FaceJob::Models(models) => self.engine = Some(FaceEngine::new(models)),
            FaceJob::FrontCamera(make) => match make() {
                Ok(s) => self.front_source = Some(s),
                Err(e) => self.worker.replies.problem(format!("front camera: {e}")),
            },
            FaceJob::CardPhoto(d) => self.card = Some(*d),
            FaceJob::Preview(on) => {
                self.preview = on;
                if !on {
                    self.worker.shared.set_preview(None, None, None);
                }
            }
            FaceJob::Start(ticket) => {
                let s = &self.worker.settings;
                if let Some(e) = self.engine.as_mut() {
                    e.reset_tracking();
                }
                self.matching = Some(Matching {
                    ticket,
                    check: FaceCheck::new(s.policy, s.pad, Challenge::random()),
                    started: Instant::now(),
                    turn_asked: None,
                    guidance: None,
                })
            }
            FaceJob::ReadFront { ticket, answer } => {
                if self.front_source.is_none()
                    && let Some(s) = self.source.as_mut()
                {
                    s.aim(Aim::CardFront);
                }
                self.front = Some(FrontScan {
                    ticket,
                    answer,
                    agreement: Agreement::new(self.worker.settings.front_frames_agree),
                    started: Instant::now(),
                    guidance: None,
                    outline: None,
                });
            }
            FaceJob::Stop => {
                self.end_matching();
                self.end_front();
            }
            FaceJob::Wipe => {
                self.card = None;
                self.end_matching();
                self.end_front();
            }
        }
    }

    fn use_camera(&mut self, make: SourceFactory) {
        self.source = None;
        match make() {
            Ok(mut s) => {
                if self.front.is_some() {
                    s.aim(Aim::CardFront);
                }
                self.worker.shared.set_camera(CameraHealth::Unknown);
                self.source = Some(s)
            }
            Err(e) => {
                let health = if matches!(e, CameraError::NotConfigured) {
                    CameraHealth::Off
                } else {
                    CameraHealth::Missing
                };
                self.worker.shared.set_camera(health);
                self.worker.replies.problem(format!("camera: {e}"));
            }
        }
        self.worker.shared.set_preview(None, None, None);
    }

    /// Stop matching and point the camera back at a face looking straight.
    fn end_matching(&mut self) {
        if self.matching.take().is_some_and(|m| m.turn_asked.is_some())
            && let Some(s) = self.source.as_mut()
        {
            s.aim(Aim::Face);
        }
    }

    /// Stop reading the card front (dropping its answer channel tells the card thread there is no code)
    /// and point the camera back at faces.
    fn end_front(&mut self) {
        if self.front.take().is_some()
            && self.front_source.is_none()
            && let Some(s) = self.source.as_mut()
        {
            s.aim(Aim::Face);
        }
    }

    /// One frame: match, read the card front, publish the preview, then wait out the frame interval.
    fn on_frame(&mut self) {
        let started = Instant::now();
        if self.front.is_some() && self.front_source.is_some() {
            return self.on_front_frame(started);
        }
        let Some(frame) = self.next_frame() else {
            std::thread::sleep(Duration::from_millis(250));
            return;
        };
        let mut outline = self.match_frame(&frame);
        let turn = self
            .matching
            .as_ref()
            .and_then(|m| m.check.turn_progress())
            .map(|t| t as f32);
        if let Some(found) = self.scan_front(&frame) {
            outline = outline.or(Some(found));
        }
        if self.preview {
            self.worker.shared.set_preview(Some(frame), outline, turn);
        }
        if let Some(rest) = self.worker.settings.frame_interval.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }

    /// One frame of the front camera while the card front is read where it lies; the preview shows it.
    fn on_front_frame(&mut self, started: Instant) {
        let next = self.front_source.as_mut().map(|s| s.next_frame());
        let frame = match next {
            Some(Ok(frame)) => {
                self.camera_problem_told = false;
                frame
            }
            Some(Err(e)) => {
                // No front camera picture: the scan ends with no code (no try spent); PIN or staff follow.
                self.front = None;
                self.worker.shared.set_preview(None, None, None);
                if !self.camera_problem_told {
                    self.camera_problem_told = true;
                    self.worker.replies.problem(format!("front camera: {e}"));
                }
                return std::thread::sleep(Duration::from_millis(250));
            }
            None => return,
        };
        let outline = self.scan_front(&frame);
        if self.preview {
            self.worker.shared.set_preview(Some(frame), outline, None);
        }
        if let Some(rest) = self.worker.settings.frame_interval.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }

    /// The next camera frame; without one, matching ends with "camera unavailable", the card front scan
    /// ends with no code (the card thread answers), and the problem is reported once.
    fn next_frame(&mut self) -> Option<Frame> {
        let why = match self.source.as_mut().map(|s| s.next_frame()) {
            Some(Ok(frame)) => {
                self.camera_problem_told = false;
                self.worker.shared.set_camera(CameraHealth::Ok);
                return Some(frame);
            }
            Some(Err(e)) => {
                self.worker.shared.set_camera(CameraHealth::Missing);
                e.to_string()
            }
            None => "no camera is configured".into(),
        };
        if let Some(m) = self.matching.take() {
            let unavailable = WorkerResult::Face(FaceEvent::CameraUnavailable);
            self.worker.replies.answer(m.ticket, unavailable);
        }
        self.front = None;
        self.worker.shared.set_preview(None, None, None);
        if !self.camera_problem_told {
            self.camera_problem_told = true;
            self.worker.replies.problem(format!("camera: {why}"));
        }
        None
    }

    /// Face matching on one frame: guidance when it changes, the verdict when the policy decides or time
    /// runs out. Returns the face box for the preview.
    fn match_frame(&mut self, frame: &Frame) -> Option<Outline> {
        let m = self.matching.as_mut()?;
        let (Some(engine), Some(card), Some(img)) =
            (self.engine.as_mut(), self.card.as_ref(), to_image(frame))
        else {
            // No engine or no card photo: the face path cannot decide.
            let unavailable = WorkerResult::Face(FaceEvent::CameraUnavailable);
            self.worker.replies.answer(m.ticket, unavailable);
            self.matching = None;
            return None;
        };
        let analysis = engine.track(&img);
        let outline = analysis.face.map(|b| face_outline(&b, img.width, img.height));
        let kind = guidance_kind(analysis.guidance);
        if m.guidance != Some(kind) {
            m.guidance = Some(kind);
            let guidance = WorkerResult::Face(FaceEvent::Guidance(kind));
            self.worker.replies.progress(m.ticket, guidance);
        }
        let stage = m.check.push(pad_frame(&img, &analysis, card).as_ref());
        if let (Stage::Turn(c), None) = (stage, m.turn_asked) {
            m.turn_asked = Some(Instant::now());
            let prompt = match c {
                Challenge::Left => TurnPrompt::Left,
                Challenge::Right => TurnPrompt::Right,
            };
            self.worker
                .replies
                .progress(m.ticket, WorkerResult::Face(FaceEvent::Turn(prompt)));
            if let Some(s) = self.source.as_mut() {
                s.aim(match c {
                    Challenge::Left => Aim::FaceTurnLeft,
                    Challenge::Right => Aim::FaceTurnRight,
                });
            }
        }
        let settings = &self.worker.settings;
        let turn_late = m
            .turn_asked
            .is_some_and(|t| t.elapsed() >= settings.turn_time_limit);
        let timed_out = m.started.elapsed() >= settings.give_up_after;
        let event = match stage {
            Stage::Done(FaceOutcome::Accepted) => Some(face_verdict(&m.check.scores().matching)),
            Stage::Done(FaceOutcome::NoMatch) => Some(not_matched(&m.check)),
            Stage::Done(FaceOutcome::Refused(why)) => {
                // The reason and the cue scores only: no face data.
                let s = m.check.scores();
                eprintln!(
                    "kiosk: face liveness refused ({}): turn {:?}, straight distance {:?}, lattice {:?}, outline {:?}",
                    why.name(),
                    s.turn.map(|t| (t * 1000.0).round() / 1000.0),
                    s.straight_distance.map(|d| (d * 1000.0).round() / 1000.0),
                    s.lattice.map(f64::round),
                    s.outline.map(|o| (o * 100.0).round() / 100.0)
                );
                Some(FaceEvent::NotLive)
            }
            Stage::Turn(_) if turn_late || timed_out => {
                eprintln!("kiosk: face liveness refused (no turn in time)");
                Some(FaceEvent::NotLive)
            }
            Stage::LookStraight if timed_out => Some(not_matched(&m.check)),
            Stage::LookStraight | Stage::Turn(_) => None,
        };
        if let Some(event) = event {
            self.worker.replies.answer(m.ticket, WorkerResult::Face(event));
            self.end_matching();
        }
        outline
    }

    /// The card-front scan on one frame: hands an agreed code to the card thread, or gives up after the
    /// configured time. Returns the card's outline for the preview.
    fn scan_front(&mut self, frame: &Frame) -> Option<Outline> {
        let scan = self.front.as_mut()?;
        let read = self.worker.read_front(&self.reader, scan, frame);
        let outline = scan.outline;
        if let Some(code) = read {
            self.worker
                .shared
                .confident_front_reads
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if scan.answer.send(code).is_err() {
                // The card thread stopped waiting (the card left): the code is dropped, no try spent.
                eprintln!("kiosk: a card-front code arrived after the card left; dropped, no try spent");
            }
            self.end_front();
        } else if scan.started.elapsed() >= self.worker.settings.front_give_up_after {
            self.end_front();
        }
        outline
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
            self.replies
                .progress(scan.ticket, WorkerResult::CardFrontGuidance(guidance));
        }
        match scan.agreement.push(read.result.as_ref().ok()) {
            kiosk_cardfront::Verdict::Agreed(fields) => CheckCodeB::new(&fields.check_code_b()).ok(),
            kiosk_cardfront::Verdict::Pending { .. } => None,
        }
    }
}

/// "Not matched" with the figures so far (a stranger, or too few good frames in the time).
fn not_matched(check: &FaceCheck) -> FaceEvent {
    let d = check.scores().matching;
    let distance_milli = d.distance.map_or(0, |d| (d * 1000.0) as u32);
    FaceEvent::NotMatched {
        distance_milli,
        frames: d.frames_agreed,
    }
}

fn to_image(frame: &Frame) -> Option<RgbImage> {
    RgbImage::new(frame.width, frame.height, frame.rgb.clone())
}
