//! Helpers for tests that run the whole card stack through real pcscd with the virtual card attached to
//! vsmartcard's vpcd reader. `cargo xtask test` starts pcscd and runs these tests; run alone they are
//! `#[ignore]`d because they need the daemon.
//!
//! The card is served from a thread inside the test process, so it cannot outlive the test (a stale card
//! process would shadow the next one in the reader slot; see docs/TESTING.md).

use kiosk_card_sim::SharedCard;
use kiosk_card_sim::vpcd::{self, ServeEnd};
use kiosk_pcsc::Pcsc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The vpcd reader slot the virtual card uses, and its TCP port.
pub const READER: &str = "Virtual PCD 00 00";
pub const VPCD_ADDR: &str = vpcd::DEFAULT_ADDR;

/// vpcd's second slot, which the Debian package also configures: the smartphone reader of the tests
/// (issue 16, `[reader.phone]`), beside [`READER`].
pub const PHONE_READER: &str = "Virtual PCD 00 01";
pub const PHONE_VPCD_ADDR: &str = "127.0.0.1:35964";

/// How long pcscd may take to notice a card arriving or leaving. After a card vanished in the middle of a
/// command, vpcd needs a few seconds before it accepts the next card (measured: up to ~3 s).
pub const CARD_WAIT: Duration = Duration::from_secs(15);

/// One test at a time may use the reader slot.
pub fn exclusive_reader() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A virtual card sitting in the vpcd reader until [`InsertedCard::remove`] or drop.
#[derive(Debug)]
pub struct InsertedCard {
    card: SharedCard,
    reader: &'static str,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<std::io::Result<ServeEnd>>>,
}

impl InsertedCard {
    /// Insert `card` and wait until pcscd reports it present.
    pub fn insert(card: SharedCard) -> InsertedCard {
        InsertedCard::insert_into(card, READER, VPCD_ADDR)
    }

    /// Place a virtual phone on the phone reader ([`PHONE_READER`]) and wait until pcscd reports it.
    pub fn place_phone(phone: SharedCard) -> InsertedCard {
        InsertedCard::insert_into(phone, PHONE_READER, PHONE_VPCD_ADDR)
    }

    fn insert_into(card: SharedCard, reader: &'static str, addr: &'static str) -> InsertedCard {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (card, stop) = (card.clone(), stop.clone());
            std::thread::Builder::new()
                .name("vpcd-card".into())
                .spawn(move || vpcd::serve(&card, addr, &stop))
                .ok()
        };
        let inserted = InsertedCard {
            card,
            reader,
            stop,
            thread,
        };
        let start = Instant::now();
        assert!(
            wait_for_card_in(reader, true, CARD_WAIT),
            "pcscd did not see the virtual card in {reader} within {CARD_WAIT:?}"
        );
        eprintln!("card present after {:?}", start.elapsed());
        inserted
    }

    pub fn card(&self) -> &SharedCard {
        &self.card
    }

    /// Take the card out and wait until pcscd reports the reader empty.
    pub fn remove(mut self) -> Option<ServeEnd> {
        let end = self.stop_thread();
        assert!(
            wait_for_card_in(self.reader, false, CARD_WAIT),
            "pcscd still sees a card in {}",
            self.reader
        );
        end
    }

    /// The serving thread ended by itself because pcscd closed the vpcd connection (pcscd stopped):
    /// collect how it ended without asking pcscd anything.
    pub fn reader_closed(mut self) -> Option<ServeEnd> {
        self.join()
    }

    /// Wait for the serving thread to end by itself (e.g. a pull fault fired).
    pub fn wait_pulled(mut self) -> Option<ServeEnd> {
        let end = self.join();
        assert!(
            wait_for_card_in(self.reader, false, CARD_WAIT),
            "pcscd still sees a card in {}",
            self.reader
        );
        end
    }

    fn stop_thread(&mut self) -> Option<ServeEnd> {
        self.stop.store(true, Ordering::SeqCst);
        self.join()
    }

    /// Wait for the serving thread to end; how it ended.
    fn join(&mut self) -> Option<ServeEnd> {
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .and_then(Result::ok)
    }
}

impl Drop for InsertedCard {
    fn drop(&mut self) {
        self.stop_thread();
        wait_for_card_in(self.reader, false, CARD_WAIT);
    }
}

/// Wait until a card is (or is not) present in [`READER`].
pub fn wait_for_card(present: bool, timeout: Duration) -> bool {
    wait_for_card_in(READER, present, timeout)
}

/// Wait until a card is (or is not) present in `reader`.
pub fn wait_for_card_in(reader: &str, present: bool, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        // Only a definite answer counts: an error (service busy, reader state unknown) is neither.
        if let Ok(pcsc) = Pcsc::establish()
            && let Ok(atr) = pcsc.card_atr(reader)
            && atr.is_some() == present
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Stop every pcscd (as a crash or `systemctl stop` would) and wait until none runs. Needs root; the
/// tests that use it run under `cargo xtask test`, which stops whatever pcscd is left at its end.
pub fn stop_pcscd() {
    let _ = std::process::Command::new("pkill").args(["-x", "pcscd"]).status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if !pcscd_running() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("pcscd did not stop within 10 s");
}

/// Whether a live pcscd process exists. A stopped pcscd that `cargo xtask test` started as its child
/// stays a zombie until xtask reaps it at the end: that one no longer counts.
fn pcscd_running() -> bool {
    let Ok(out) = std::process::Command::new("pgrep").args(["-x", "pcscd"]).output() else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout).lines().any(|pid| {
        // /proc/PID/stat: "PID (comm) STATE …"; Z is a zombie, X dead.
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .ok()
            .and_then(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.trim_start().chars().next())
            })
            .is_some_and(|state| state != 'Z' && state != 'X')
    })
}

/// Start pcscd (it daemonizes itself) and wait until it answers. `reader_conf`: a reader.conf.d folder
/// instead of the system's (an empty one starts pcscd without the vpcd reader: the reader is gone
/// while the service runs). With the system's configuration, also wait for [`READER`].
pub fn start_pcscd(reader_conf: Option<&std::path::Path>) {
    // A socket left by a killed daemon stops the next one from starting.
    let _ = std::fs::remove_dir_all("/run/pcscd");
    let mut cmd = std::process::Command::new("pcscd");
    if let Some(dir) = reader_conf {
        cmd.arg("--config").arg(dir);
    }
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot start pcscd: {e}"));
    assert!(status.success(), "pcscd: {status}");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(pcsc) = Pcsc::establish()
            && (reader_conf.is_some() || pcsc.readers().is_ok_and(|r| r.iter().any(|r| r == READER)))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("pcscd did not come up within 15 s");
}

/// Decode the base64 body of a PEM block (for comparing OpenSC's output byte for byte).
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A kiosk on the vpcd card reader (and, when `phone` names one, the vpcd phone reader): the demo roster
/// and a journal in a temporary folder (`tag`), no face models, so the PIN path. The face path is covered
/// in-process (`tests/faults.rs`) and with a front camera in `tests/kiosk.rs`.
pub fn pin_kiosk(tag: &str, phone: Option<&str>) -> (kiosk::driver::Reception, kiosk::demo::TempDir) {
    use kiosk::demo::{self, DemoCamera};
    let work = demo::TempDir::new(tag).unwrap_or_else(|e| panic!("{e}"));
    let frames = Arc::new(demo::DemoFrames::default());
    let parts = demo::parts(
        None,
        frames.camera(None, DemoCamera::Nobody, demo::Holder::default()),
        &work,
        Arc::new(|| {}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut core = kiosk::core::KioskCore::start(parts).unwrap_or_else(|e| panic!("{e}"));
    core.watch_card_and_phone_readers(Some(READER.into()), phone.map(String::from))
        .unwrap_or_else(|e| panic!("{e}"));
    // The demo's card trust (its virtual CAs' keys) is made on the card thread after start: wait for it,
    // so the card timings measured here are the card's, not the keys'.
    let deadline = Instant::now() + Duration::from_secs(60);
    while core.shared().card_trust_made.get().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    (kiosk::driver::Reception::new(core, None, frames), work)
}
