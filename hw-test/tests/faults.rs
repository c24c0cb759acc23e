//! Faults through the kiosk core (flow, workers, records) with in-process virtual cards: a slow card, a second
//! card while one is in use, and hostile cards whose files are malformed, truncated, oversized or
//! contradictory. Each must end in a clear screen, never a panic, and leave the kiosk ready for the next
//! patient. (Card pulls and pcscd faults: `kiosk.rs`; endurance and privacy: `endurance.rs`.)

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, Holder, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk_card_sim::{Df, SharedCard, VirtualCard};
use kiosk_reception::{Method, Screen};
use std::time::{Duration, Instant};

fn kiosk(tag: &str) -> (Reception, TempDir) {
    kiosk_with(tag, |_, _| {})
}

/// A kiosk whose parts `edit` may change first (a broken output folder, …).
fn kiosk_with(tag: &str, edit: impl FnOnce(&mut kiosk::core::Parts, &TempDir)) -> (Reception, TempDir) {
    let work = TempDir::new(tag).unwrap_or_else(|e| panic!("{e}"));
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let mut parts = demo::parts(
        None,
        frames.camera(None, DemoCamera::Nobody, Holder::default()),
        &work,
        std::sync::Arc::new(|| {}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    edit(&mut parts, &work);
    (
        Reception::new(
            KioskCore::start(parts).unwrap_or_else(|e| panic!("{e}")),
            None,
            frames,
        ),
        work,
    )
}

fn card(profile: &str) -> SharedCard {
    SharedCard::new(VirtualCard::embedded(profile).unwrap_or_else(|e| panic!("{e}")))
}

fn pin_patient() -> Patient {
    Patient::new(Method::Pin, &["1234"], DemoCamera::Nobody)
}

#[test]
fn a_slow_card_never_blocks_the_screen() {
    let (mut r, _work) = kiosk("slow");
    let slow = card("demo");
    slow.lock().faults.delay = Duration::from_millis(150);
    r.core.insert_card(Box::new(slow.clone()));
    // While the card thread waits on the card, the UI thread's calls return at once.
    let mut longest = Duration::ZERO;
    let start = Instant::now();
    while r.core.busy() && start.elapsed() < Duration::from_secs(30) {
        let t = Instant::now();
        r.core.poll();
        r.core.tick();
        longest = longest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        matches!(r.core.screen(), Screen::MethodChoice { .. }),
        "{:?}",
        r.core.screen()
    );
    assert!(
        longest < Duration::from_millis(100),
        "a UI-thread call took {longest:?} while a 150 ms/command card was read"
    );
    assert!(
        start.elapsed() > Duration::from_millis(600),
        "the card really was slow"
    );
    let outcome = r.walk(&pin_patient());
    assert!(outcome.screens.contains(&"Done"), "{outcome:?}");
}

#[test]
fn a_second_card_while_one_is_in_use_is_ignored() {
    let (mut r, _work) = kiosk("second");
    let first = card("demo");
    let second = card("suzuki");
    r.core.insert_card(Box::new(first.clone()));
    r.core.settle(Duration::from_secs(30));
    r.core.insert_card(Box::new(second.clone()));
    let outcome = r.walk(&pin_patient());
    assert!(
        matches!(outcome.last, Screen::Done { ref name } if name == "山田　太郎"),
        "{outcome:?}"
    );
    assert_eq!(
        second.lock().stats().commands,
        0,
        "the second card was never talked to"
    );
    assert_eq!(r.core.reception_count(), Some(1));
}

/// A change to a file's bytes.
type EfEdit = fn(&mut Vec<u8>);

/// Ways a hostile card can lie in its user-authentication certificate file. (Bytes after the certificate's
/// DER are not a fault: real EFs are padded, and the reader reads only the length the TLV header gives.)
fn hostile(edit: EfEdit) -> SharedCard {
    let c = card("demo");
    assert!(
        c.lock().tamper_ef(Df::Jpki, 0x000A, edit),
        "the certificate EF exists"
    );
    c
}

#[test]
fn hostile_cards_are_refused_clearly_and_the_next_patient_is_served() {
    let cases: [(&str, EfEdit); 6] = [
        ("truncated certificate", |d| d.truncate(d.len() / 2)),
        ("empty certificate", |d| d.clear()),
        ("length says 64 KiB", |d| {
            if d.len() > 4 {
                d[1] = 0x83;
                d[2] = 0xFF;
                d[3] = 0xFF;
            }
        }),
        ("oversized: a 60 KiB certificate", |d| {
            *d = vec![0x30, 0x82, 0xF0, 0x00];
            d.extend(std::iter::repeat_n(0xA5, 0xF000));
        }),
        ("garbage", |d| {
            d.iter_mut().enumerate().for_each(|(i, b)| *b = (i * 37) as u8)
        }),
        ("contradictory: a certificate its CA did not sign", |d| {
            // The DER's end (30 82 LL LL …), inside the signature value; the EF may be padded after it.
            let end = 4 + ((d[2] as usize) << 8 | d[3] as usize);
            d[end - 10] ^= 0xFF;
        }),
    ];
    let (mut r, _work) = kiosk("hostile");
    for (what, edit) in cases {
        let outcome = r.run(Box::new(hostile(edit)), Holder::default(), &pin_patient());
        assert!(
            !outcome.screens.contains(&"Done"),
            "{what}: a card with a broken certificate must not be accepted: {outcome:?}"
        );
        assert!(
            outcome
                .screens
                .iter()
                .any(|s| ["CardUnreadable", "Counter", "EligibilityProblem"].contains(s)),
            "{what}: a clear screen: {outcome:?}"
        );
        assert_eq!(*r.core.screen(), Screen::Idle, "{what}: back to the start");
        let next = r.run(Box::new(card("demo")), Holder::default(), &pin_patient());
        assert!(
            next.screens.contains(&"Done"),
            "{what}: the next patient: {next:?}"
        );
    }
}

#[test]
fn an_unusable_output_folder_is_a_clear_failure_and_fixing_it_needs_no_restart() {
    // A file where the output folder should be: writing fails even for root (CI runs as root, so
    // permissions alone would not stop it).
    let (mut r, work) = kiosk_with("output", |parts, work| {
        let out = work.path().join("results");
        std::fs::write(&out, b"not a folder").unwrap_or_else(|e| panic!("{e}"));
        parts.output_dir = out;
    });
    let out = work.path().join("results");

    let failed = r.run(Box::new(card("demo")), Holder::default(), &pin_patient());
    assert_eq!(
        failed.last,
        Screen::Counter {
            reason: kiosk_reception::CounterReason::RecordNotSaved
        },
        "the patient is sent to the counter, not shown done: {failed:?}"
    );
    assert!(
        r.core.problems.iter().any(|p| p.contains("journal")),
        "the failure is reported for staff and the log: {:?}",
        r.core.problems
    );
    assert_eq!(
        r.core.reception_count(),
        Some(0),
        "nothing half-written in the journal"
    );
    assert_eq!(std::fs::read(&out).ok().as_deref(), Some(&b"not a folder"[..]));

    // Clinic IT fixes the folder; the running kiosk serves the next patient.
    std::fs::remove_file(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    let next = r.run(Box::new(card("demo")), Holder::default(), &pin_patient());
    assert!(next.screens.contains(&"Done"), "{next:?}");
    assert_eq!(r.core.reception_count(), Some(1));
    assert_eq!(
        std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0),
        1,
        "one result file"
    );
}
