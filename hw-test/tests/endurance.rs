//! Endurance and privacy: many consecutive receptions through the kiosk core (flow, workers, records) with
//! in-process virtual cards and demo cameras, sampling resident memory and open file descriptors, then a
//! search of every file the run left for the patients' secrets and card data.
//!
//! `cargo test` runs 100 receptions; `KIOSK_ENDURANCE=1000 cargo test --release -p kiosk-hw-test --test
//! endurance -- --nocapture` (or `cargo xtask endurance`) runs the full form. Figures: docs/reliability.md.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, Holder, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk::process::{memory_kb, open_fds};
use kiosk_card_sim::{Profile, SharedCard, VirtualCard};
use kiosk_face::FaceModels;
use kiosk_reception::{Method, Screen};
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                files_under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// Whether `needle` occurs in `hay`; a number (UTF-8 or UTF-16) counts only as a whole number, not as part
/// of a longer one: the journal's timestamps and ids contain every 4-digit run sooner or later (a reception
/// at 14:12:34 holds "1234"), which is not the PIN leaking.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let step = if needle.len() >= 2 && needle[1] == 0 { 2 } else { 1 };
    let digit_at = |i: usize| {
        i + step <= hay.len() && hay[i].is_ascii_digit() && hay[i + 1..i + step].iter().all(|&b| b == 0)
    };
    let first_digit = needle.first().is_some_and(u8::is_ascii_digit);
    let last_digit = needle.len() >= step && needle[needle.len() - step].is_ascii_digit();
    !needle.is_empty()
        && hay.windows(needle.len()).enumerate().any(|(i, w)| {
            w == needle
                && !(first_digit && i >= step && digit_at(i - step))
                && !(last_digit && digit_at(i + needle.len()))
        })
}

struct Visitor {
    profile: &'static str,
    card: SharedCard,
    holder: Holder,
    patient: Patient,
    /// Whether the reception ends with a result (done).
    completes: bool,
}

/// The patients who come, in turn: a face (or PIN) reception, a wrong then right PIN, an expiring
/// certificate, and an expired one that cannot complete.
fn visitors(face_models: bool) -> [Visitor; 4] {
    let visitor = |profile: &'static str, patient: Patient, completes: bool| {
        let p = Profile::embedded(profile).unwrap();
        let holder = Holder::of(&p);
        Visitor {
            profile,
            card: SharedCard::new(VirtualCard::new(p)),
            holder,
            patient,
            completes,
        }
    };
    let face = if face_models { Method::Face } else { Method::Pin };
    [
        visitor(
            "demo",
            Patient::new(face, &["1234"], DemoCamera::CardHolder),
            true,
        ),
        visitor(
            "suzuki",
            Patient::new(Method::Pin, &["1111", "4321"], DemoCamera::Nobody),
            true,
        ),
        visitor(
            "expiring",
            Patient::new(Method::Pin, &["1234"], DemoCamera::Nobody),
            true,
        ),
        visitor(
            "expired",
            Patient::new(Method::Pin, &[], DemoCamera::Nobody),
            false,
        ),
    ]
}

/// Tries audit: the cards saw exactly the PINs the patients typed, and one 照合番号B VERIFY per agreed
/// card-front read.
fn audit_tries(r: &Reception, visitors: &[Visitor], typed: u64, face_models: bool, n: usize) {
    // The cards saw exactly the PINs the patients typed.
    let verifies: u64 = visitors
        .iter()
        .map(|v| v.card.lock().stats().auth_pin_verifies)
        .sum();
    assert_eq!(verifies, typed, "VERIFYs on the cards = PINs typed");
    eprintln!("PINs: {typed} typed, {verifies} VERIFYs on the cards");
    // And 照合番号B: the cards saw one VERIFY per agreed card-front read, nothing else.
    let check_b: u64 = visitors
        .iter()
        .map(|v| v.card.lock().stats().check_b_verifies)
        .sum();
    let shared = r.core.shared();
    let front_reads = shared
        .confident_front_reads
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        check_b, front_reads,
        "照合番号B VERIFYs on the cards = confident card-front reads"
    );
    assert_eq!(
        shared.check_codes_sent.load(std::sync::atomic::Ordering::SeqCst),
        front_reads
    );
    if face_models {
        assert!(
            front_reads >= (n / visitors.len()) as u64,
            "every face reception read the card front"
        );
    }
    eprintln!("照合番号B: {front_reads} confident card-front reads, {check_b} VERIFYs on the cards");
}

/// Every file the run left: the work folder, and anything new in the temporary folder.
fn files_written(work: &Path, temp_before: &std::collections::BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    files_under(work, &mut files);
    for p in std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
    {
        if !temp_before.contains(&p) && p != work {
            files_under(&p, &mut files);
            if p.is_file() {
                files.push(p);
            }
        }
    }
    files
}

/// Card data and secrets found in `files` (none expected); the scanner checks itself first.
fn scan_for_secrets(files: &[PathBuf], visitors: &[Visitor]) -> Vec<String> {
    // The scanner's own check: a number inside a longer one is not a hit, a whole one is.
    assert!(!contains(b"at 20261121141234;", b"1234"));
    assert!(contains(b"pin=1234;", b"1234") && contains(b"1234", b"1234"));
    assert!(!contains(&utf16("t141234"), &utf16("1234")) && contains(&utf16("x1234y"), &utf16("1234")));
    let mut hits = Vec::new();
    for v in visitors {
        let p = v.card.lock().profile().clone();
        // Data only the card holds: never written anywhere (result files included).
        let mut card_only: Vec<(String, Vec<u8>)> = vec![
            ("check code B".into(), p.check_code_b().into_bytes()),
            ("my number".into(), p.my_number.clone().into_bytes()),
            ("address".into(), p.address.clone().into_bytes()),
            ("address utf-16".into(), utf16(&p.address)),
        ];
        if let Some(photo) = &p.photo_jp2 {
            // Any 48 bytes from the middle of the photo's code stream.
            let mid = photo.len() / 2;
            card_only.push(("card photo".into(), photo[mid..mid + 48].to_vec()));
        }
        // The PIN and the name: not in the journal, logs or temp files (the result file, the clinic's
        // interface, carries the roster's name by design, and its numbers can contain any 4 digits).
        let secrets = [
            ("PIN".to_string(), p.auth_pin.clone().into_bytes()),
            ("PIN utf-16".into(), utf16(&p.auth_pin)),
            ("name".into(), p.holder_name.clone().into_bytes()),
            ("name utf-16".into(), utf16(&p.holder_name)),
        ];
        for f in files {
            let bytes = std::fs::read(f).unwrap_or_default();
            let is_result = f.extension().is_some_and(|e| e == "xml");
            for (what, needle) in card_only
                .iter()
                .chain(if is_result { [].iter() } else { secrets.iter() })
            {
                if contains(&bytes, needle) {
                    hits.push(format!("{} of {} in {}", what, v.profile, f.display()));
                }
            }
        }
    }
    // The scanner finds what is there: the roster's name is in the result files, by design.
    let name = visitors[0].card.lock().profile().holder_name.clone();
    assert!(
        files
            .iter()
            .any(|f| contains(&std::fs::read(f).unwrap_or_default(), name.as_bytes())),
        "the scan must see the result files' names"
    );
    hits
}

#[test]
fn receptions_run_on_with_flat_memory_and_leave_no_secret_behind() {
    let n: usize = std::env::var("KIOSK_ENDURANCE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let models: Option<&'static FaceModels> =
        FaceModels::load_default().ok().map(|m| &*Box::leak(Box::new(m)));
    let temp_before: std::collections::BTreeSet<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let work = TempDir::new("endurance").unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let mut parts = demo::parts(
        models,
        frames.camera(models, DemoCamera::CardHolder, Holder::default()),
        &work,
        std::sync::Arc::new(|| {}),
    )
    .unwrap();
    parts.face.frame_interval = std::time::Duration::from_millis(1);
    // The same few virtual cards come back hundreds of times in one day here; the kiosk's per-card daily
    // limit on face attempts (docs/PAD.md) would rightly stop offering them the face path.
    parts.flow.face_attempts_per_card_per_day = u32::MAX;
    let mut r = Reception::new(KioskCore::start(parts).unwrap(), models, frames);
    let visitors = visitors(models.is_some());
    let (mut completed, mut typed) = (0u64, 0u64);
    let mut samples: Vec<(usize, u64, usize)> = Vec::new();
    for i in 0..n {
        let v = &visitors[i % visitors.len()];
        let outcome = r.run(Box::new(v.card.clone()), v.holder.clone(), &v.patient);
        assert_eq!(
            matches!(outcome.last, Screen::Done { .. }),
            v.completes,
            "reception {i} ({}): {outcome:?}",
            v.profile
        );
        assert_eq!(*r.core.screen(), Screen::Idle, "reception {i}: back to the start");
        completed += u64::from(v.completes);
        typed += outcome.pins_typed as u64;
        if i % (n / 10).max(1) == 0 || i + 1 == n {
            samples.push((i + 1, memory_kb().0, open_fds()));
        }
    }
    // Every completed reception is in the journal exactly once, with one result file.
    assert_eq!(r.core.reception_count(), Some(completed));
    let results = std::fs::read_dir(work.path().join("out")).unwrap().count() as u64;
    assert_eq!(results, completed, "one result file per completed reception");
    audit_tries(&r, &visitors, typed, models.is_some(), n);
    // Memory and descriptors: flat after warm-up (the second sample onwards).
    let base = samples[1.min(samples.len() - 1)];
    let last = *samples.last().unwrap();
    eprintln!("{n} receptions, {completed} completed; samples (reception, RSS kB, fds): {samples:?}");
    assert!(last.2 <= base.2 + 2, "file descriptors grow: {samples:?}");
    assert!(last.1 <= base.1 + 30 * 1024, "resident memory grows: {samples:?}");

    // Privacy: nothing from the cards' secrets or chips anywhere the kiosk wrote, in UTF-8 or UTF-16,
    // nor in its log (the problem lines `kiosk` prints to stderr), kept here as a file for the scan.
    let log: Vec<String> = r.core.problems.iter().cloned().collect();
    std::fs::write(work.path().join("kiosk-log.txt"), log.join("\n")).unwrap();
    drop(r);
    let files = files_written(work.path(), &temp_before);
    let hits = scan_for_secrets(&files, &visitors);
    eprintln!(
        "privacy scan: {} files searched, {} hits",
        files.len(),
        hits.len()
    );
    assert!(
        files.len() as u64 > completed,
        "the scan saw the journal and the result files"
    );
    assert!(hits.is_empty(), "{hits:#?}");
}
