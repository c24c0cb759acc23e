//! The kiosk's named worker threads: `kiosk-card` (the card reader), `kiosk-face` (camera and face
//! matching) and `kiosk-records` (roster, journal, staff codes). Each owns a blocking resource: PC/SC calls
//! block, a camera belongs to the thread that opened it, SQLite connections are used from one thread. The
//! UI thread sends them jobs over tokio channels and gets [`Reply`]s back, so the screen keeps drawing while
//! a card computes a signature or the face engine works through a frame.
//!
//! Every job that answers carries a [`Ticket`]; the kiosk core drops answers whose ticket it has
//! cancelled (the card was taken, face matching was stopped), so a late answer never reaches the next
//! patient's session.

mod card;
mod face;
mod preview;
mod records;
mod translate;

pub use card::{CardJob, CardTrust, CardWorker, MIN_CHECK_B_TRIES, SendChannel, read_card};
pub use face::{FaceJob, FaceSettings, FaceWorker, SourceFactory};
pub use preview::{CameraHealth, Outline, PreviewUpdate, Shared, card_outline, face_outline};
pub use records::{HolderOnCard, RecordsJob, RecordsWorker};
pub use translate::ReadRefusal;

use kiosk_pcsc::ReaderEvent;
use kiosk_reception::WorkerResult;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Identifies one job's answer.
pub type Ticket = u64;

/// What comes back to the UI thread.
#[derive(Debug)]
pub enum Reply {
    /// An answer to a job. `last`: the job is finished (face matching sends guidance before its verdict).
    Job {
        ticket: Ticket,
        result: WorkerResult,
        last: bool,
    },
    /// A reader or card changed (real readers, through the PC/SC monitor).
    Reader(ReaderEvent),
    /// Something clinic IT must hear about (written to the log and shown to staff); never personal data.
    Problem(String),
    /// Staff's verdict on a visual check, from the staff console.
    Verdict(kiosk_console::protocol::Verdict),
    /// The staff console became reachable (`true`) or not.
    Console(bool),
    /// The face models, loaded in the background after start-up ([`crate::core::KioskCore::load_models`]).
    Models(Result<&'static kiosk_face::FaceModels, String>),
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

    /// Send a reply. The receiver is gone only once the kiosk core has been dropped and is joining the
    /// workers: nobody is left to act on the answer then, which is said on the log.
    pub fn send(&self, reply: Reply) {
        if let Err(lost) = self.tx.send(reply) {
            eprintln!(
                "kiosk: a worker answered after the kiosk stopped: {}",
                lost.0.kind()
            );
        }
        (self.wake)();
    }

    /// A job's final answer.
    fn answer(&self, ticket: Ticket, result: WorkerResult) {
        self.send(Reply::Job {
            ticket,
            result,
            last: true,
        });
    }

    /// A job's answer before its final one (guidance while face matching or reading the card front).
    fn progress(&self, ticket: Ticket, result: WorkerResult) {
        self.send(Reply::Job {
            ticket,
            result,
            last: false,
        });
    }

    /// Something for staff and the log.
    fn problem(&self, problem: String) {
        self.send(Reply::Problem(problem));
    }
}

impl Reply {
    /// What kind of reply this is, for the log (no data).
    fn kind(&self) -> &'static str {
        match self {
            Reply::Job { .. } => "job answer",
            Reply::Reader(_) => "reader event",
            Reply::Problem(_) => "problem report",
            Reply::Verdict(_) => "staff verdict",
            Reply::Console(_) => "console connection",
            Reply::Models(_) => "face models",
        }
    }
}

/// A worker thread could not be started.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the {name} thread: {source}")]
pub struct SpawnError {
    pub name: String,
    #[source]
    pub source: std::io::Error,
}

/// A named thread (names show in `top -H`, debuggers and panic messages).
pub(crate) fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, SpawnError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(body)
        .map_err(|source| SpawnError {
            name: name.into(),
            source,
        })
}
