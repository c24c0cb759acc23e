//! The kiosk's side: a thread that reports the kiosk's state to its console about twice a second (at
//! once when it changes), resends its calls until the console has them, uploads the chip photo of a
//! pending visual check, and hands the verdicts it gets back to the kiosk.
//!
//! Plain HTTP: the embedded console is on the same computer (127.0.0.1); a kiosk on another computer
//! reaches a central console through the clinic's tunnel or proxy (docs/USER-GUIDE.md, "Staff console").

use crate::protocol::{Call, KioskState, Report, ReportAnswer, Verdict};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// Calls kept while the console cannot be reached.
pub const MAX_WAITING_CALLS: usize = 50;

/// How often the state is reported when nothing changes.
pub const REPORT_EVERY: Duration = Duration::from_millis(500);

#[derive(Default)]
struct Outbox {
    state: KioskState,
    calls: Vec<Call>,
    /// The chip photo for the pending check: (call, PNG).
    photo: Option<(u64, Zeroizing<Vec<u8>>)>,
    photo_sent: Option<u64>,
    changed: bool,
    stop: bool,
    connected: Option<bool>,
}

/// The link to the console; dropping it stops the thread.
pub struct Link {
    outbox: Arc<(Mutex<Outbox>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Link")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the link reports.
#[derive(Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:8440` (no trailing slash).
    pub base: String,
    pub token: Zeroizing<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Endpoint({}, token <redacted>)", self.base)
    }
}

impl Link {
    /// Start reporting to `endpoint`; each verdict goes to `on_verdict` (from the link's thread), and
    /// each change of connection to `on_connection` (for the kiosk's log and problems).
    pub fn start(
        endpoint: Endpoint,
        on_verdict: Box<dyn Fn(Verdict) + Send>,
        on_connection: Box<dyn Fn(bool) + Send>,
    ) -> std::io::Result<Link> {
        let outbox: Arc<(Mutex<Outbox>, Condvar)> = Arc::default();
        let shared = outbox.clone();
        let thread = std::thread::Builder::new()
            .name("kiosk-console-link".into())
            .spawn(move || run(&endpoint, &shared, &*on_verdict, &*on_connection))?;
        Ok(Link {
            outbox,
            thread: Some(thread),
        })
    }

    /// The kiosk's state now (sent at once when it differs from the last).
    pub fn set_state(&self, state: KioskState) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        if o.state != state {
            if state.check.as_ref().map(|c| c.call) != o.photo.as_ref().map(|p| p.0) {
                o.photo = None;
            }
            o.state = state;
            o.changed = true;
            cv.notify_one();
        }
    }

    /// A call for staff (resent until the console has it; while the console cannot be reached, the
    /// newest [`MAX_WAITING_CALLS`] wait).
    pub fn call(&self, call: Call) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        o.calls.push(call);
        if o.calls.len() > MAX_WAITING_CALLS {
            o.calls.remove(0);
        }
        o.changed = true;
        cv.notify_one();
    }

    /// The chip photo (PNG) of visual check `call`.
    pub fn photo(&self, call: u64, png: Zeroizing<Vec<u8>>) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        o.photo = Some((call, png));
        o.changed = true;
        cv.notify_one();
    }

    /// Whether the photo of `call` is with the link already.
    pub fn has_photo(&self, call: u64) -> bool {
        lock(&self.outbox.0).photo.as_ref().is_some_and(|p| p.0 == call)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let (m, cv) = &*self.outbox;
        lock(m).stop = true;
        cv.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    endpoint: &Endpoint,
    outbox: &(Mutex<Outbox>, Condvar),
    on_verdict: &dyn Fn(Verdict),
    on_connection: &dyn Fn(bool),
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let auth = Zeroizing::new(format!("Bearer {}", endpoint.token.as_str()));
    let (m, cv) = outbox;
    loop {
        let (report, photo) = {
            let mut o = lock(m);
            if !o.changed && !o.stop {
                o = cv
                    .wait_timeout(o, REPORT_EVERY)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            if o.stop {
                return;
            }
            o.changed = false;
            let photo = o
                .photo
                .as_ref()
                .filter(|(call, _)| o.photo_sent != Some(*call))
                .map(|(call, png)| (*call, png.clone()));
            (
                Report {
                    state: o.state.clone(),
                    calls: o.calls.clone(),
                },
                photo,
            )
        };
        let answer = agent
            .post(format!("{}/api/kiosk/report", endpoint.base))
            .header("Authorization", auth.as_str())
            .send_json(&report)
            .and_then(|mut r| r.body_mut().read_json::<ReportAnswer>());
        let ok = answer.is_ok();
        if let Ok(answer) = answer {
            lock(m).calls.retain(|c| !answer.calls_received.contains(&c.id));
            for v in answer.verdicts {
                on_verdict(v);
            }
            if let Some((call, png)) = photo {
                let sent = agent
                    .post(format!("{}/api/kiosk/photo?call={call}", endpoint.base))
                    .header("Authorization", auth.as_str())
                    .header("Content-Type", "image/png")
                    .send(&png[..]);
                if sent.is_ok() {
                    lock(m).photo_sent = Some(call);
                }
            }
        }
        let changed = {
            let mut o = lock(m);
            let changed = o.connected != Some(ok);
            o.connected = Some(ok);
            changed
        };
        if changed {
            on_connection(ok);
        }
        if !ok {
            // Not reachable: try again after the usual pause, not in a tight loop.
            std::thread::sleep(REPORT_EVERY);
        }
    }
}
