//! Card-read benchmark through real pcscd + vpcd with the virtual card (run with `cargo xtask bench`).
//!
//! Measures, on the same card in the same run: (a) reading the user-authentication certificate with the
//! kiosk's reader and with OpenSC's `pkcs15-tool --read-certificate 1`; (b) the full face-path read
//! (certificate, 照合番号B tries, VERIFY 照合番号B, card face, CV certificate, card-key proof). APDU counts and
//! bytes are counted by the card itself, so both clients are measured the same way. It prints figures; it
//! asserts nothing about time.

#![expect(
    clippy::expect_used,
    reason = "a benchmark stops on a broken set-up; it is not product code"
)]

use kiosk_card_sim::{CardStats, SharedCard, VirtualCard, pki};
use kiosk_hw_test::{InsertedCard, READER};
use kiosk_mynumber::{CheckCodeB, MyNumberCard, TrustAnchor};
use kiosk_pcsc::Pcsc;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

struct Figures {
    apdus: u64,
    bytes: u64,
    times: Vec<Duration>,
}

impl Figures {
    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[t.len() / 2]
    }
    fn p90(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[(t.len() * 9 / 10).min(t.len() - 1)]
    }
}

fn measure(card: &SharedCard, mut once: impl FnMut()) -> Figures {
    once(); // warm-up
    let before: CardStats = card.lock().stats().clone();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        once();
        times.push(start.elapsed());
    }
    let after = card.lock().stats().clone();
    Figures {
        apdus: (after.commands - before.commands) / RUNS as u64,
        bytes: (after.bytes_in + after.bytes_out - before.bytes_in - before.bytes_out) / RUNS as u64,
        times,
    }
}

fn row(name: &str, f: &Figures) {
    println!(
        "| {name} | {} | {} | {:.2} | {:.2} |",
        f.apdus,
        f.bytes,
        f.median().as_secs_f64() * 1000.0,
        f.p90().as_secs_f64() * 1000.0
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; there is nothing to list.
    }
    let card = SharedCard::new(VirtualCard::embedded("demo").expect("demo profile"));
    let code = CheckCodeB::new(&card.lock().profile().check_code_b()).expect("check code");
    let anchors = vec![TrustAnchor {
        key_id: pki::card_data_trust_anchor_id(),
        key: pki::card_data_trust_anchor(),
    }];
    let _inserted = InsertedCard::insert(card.clone());
    let pcsc = Pcsc::establish().expect("pcscd is running");

    let kiosk_cert = measure(&card, || {
        let mut reader = MyNumberCard::new(pcsc.connect(READER).expect("connect"));
        reader.read_auth_certificate().expect("certificate");
    });
    let opensc_cert = measure(&card, || {
        let out = Command::new("pkcs15-tool")
            .args(["--read-certificate", "1"])
            .output()
            .expect("pkcs15-tool (opensc)");
        assert!(
            out.status.success(),
            "pkcs15-tool failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let kiosk_face = measure(&card, || {
        let mut reader = MyNumberCard::new(pcsc.connect(READER).expect("connect"));
        reader.read_auth_certificate().expect("certificate");
        reader.check_b_status().expect("tries");
        let (_, read) = reader
            .read_card_face(&code, &anchors, b"benchmark challenge")
            .expect("face");
        assert!(read.expect("verified").1.is_genuine());
    });

    println!(
        "\nCard reads through pcscd + vpcd, virtual card \"demo\", {RUNS} runs each after one warm-up\n"
    );
    println!("| read | APDUs | bytes on the wire | median ms | p90 ms |");
    println!("|---|---:|---:|---:|---:|");
    row("kiosk: auth certificate (connect + read)", &kiosk_cert);
    row("OpenSC `pkcs15-tool --read-certificate 1`", &opensc_cert);
    row(
        "kiosk: face path (cert + 照合番号B + card face + proofs)",
        &kiosk_face,
    );
    println!(
        "\nkiosk/OpenSC for the certificate: {:.2}x the APDUs, {:.2}x the median wall time",
        kiosk_cert.apdus as f64 / opensc_cert.apdus as f64,
        kiosk_cert.median().as_secs_f64() / opensc_cert.median().as_secs_f64()
    );
}
