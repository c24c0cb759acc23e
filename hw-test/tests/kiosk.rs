//! The kiosk itself (core, workers, records) on a real reader: pcscd with vsmartcard's vpcd and the
//! virtual card. Cards arrive and leave through the PC/SC monitor, as at the clinic.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk_card_sim::{SharedCard, VirtualCard};
use kiosk_hw_test::{CARD_WAIT, InsertedCard, READER, exclusive_reader};
use kiosk_reception::{Method, Screen};
use std::time::Instant;

/// A kiosk on the vpcd reader: the demo roster and a journal in a temporary folder, no face models (the
/// PIN path; the face path is covered in-process).
fn kiosk() -> (Reception, TempDir) {
    let work = TempDir::new("hw-kiosk").unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let parts = demo::parts(
        None,
        frames.camera(None, DemoCamera::Nobody, demo::Holder::default()),
        &work,
        std::sync::Arc::new(|| {}),
    )
    .unwrap();
    let mut core = KioskCore::start(parts).unwrap();
    core.watch_readers(Some(READER.into())).unwrap();
    (Reception::new(core, None, frames), work)
}

fn suzuki() -> SharedCard {
    SharedCard::new(VirtualCard::embedded("suzuki").unwrap())
}

fn idle(r: &mut Reception) -> bool {
    r.wait_for(CARD_WAIT, |s| *s == Screen::Idle)
}

#[test]
#[ignore = "needs pcscd with the vpcd reader (cargo xtask test starts it)"]
fn patients_are_served_through_pcscd_and_only_their_pins_reach_the_card() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();
    let patient = Patient::new(Method::Pin, &["1111", "4321"], DemoCamera::Nobody);
    let mut card_to_method = Vec::new();
    for n in 1..=3 {
        let card = suzuki();
        let placed = Instant::now();
        let inserted = InsertedCard::insert(card.clone());
        assert!(
            r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })),
            "patient {n}: no method choice, screen {:?}",
            r.core.screen()
        );
        card_to_method.push(placed.elapsed().as_secs_f64() * 1000.0);
        let outcome = r.serve(&patient);
        assert!(
            matches!(outcome.last, Screen::Done { .. }),
            "patient {n}: {outcome:?}"
        );
        assert_eq!(outcome.pins_sent, 2);
        assert_eq!(
            card.lock().stats().auth_pin_verifies,
            2,
            "the card saw exactly the two PINs the patient typed"
        );
        inserted.remove();
        assert!(idle(&mut r), "patient {n}: taking the card returns to the start");
    }
    assert_eq!(
        r.core.reception_count(),
        Some(3),
        "every reception journaled once"
    );
    card_to_method.sort_by(f64::total_cmp);
    eprintln!(
        "card placed → method choice through pcscd: {:.0} / {:.0} / {:.0} ms (min / median / max)",
        card_to_method[0], card_to_method[1], card_to_method[2]
    );
}

/// Place `card` on the reader, serve `patient` to done, take the card away: back to the idle screen.
fn served_to_done(r: &mut Reception, card: &SharedCard, patient: &Patient) {
    let inserted = InsertedCard::insert(card.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })));
    assert!(matches!(r.serve(patient).last, Screen::Done { .. }));
    inserted.remove();
    assert!(idle(r));
}

#[test]
#[ignore = "needs pcscd with the vpcd reader (cargo xtask test starts it)"]
fn a_card_pulled_at_any_command_of_a_reception_leaves_the_kiosk_ready_for_the_next() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();
    let patient = Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody);
    // A clean reception first: how many commands it takes.
    let card = suzuki();
    served_to_done(&mut r, &card, &patient);
    let commands = card.lock().stats().commands;
    assert!(commands > 5, "{commands}");
    let (mut typed, mut verifies, mut done) = (0, 0, 0);
    for pull_at in 1..=commands {
        let card = suzuki();
        card.lock().faults.pull_at_command = Some(pull_at);
        let inserted = InsertedCard::insert(card.clone());
        // Whatever the patient meets (an error, the PIN pad, done), they act on it; then the card is gone.
        let _ = r.wait_for(CARD_WAIT, |s| *s != Screen::Idle);
        let outcome = r.serve(&patient);
        typed += outcome.pins_typed as u64;
        verifies += card.lock().stats().auth_pin_verifies;
        if matches!(outcome.last, Screen::Done { .. }) {
            done += 1;
        }
        inserted.wait_pulled();
        assert!(
            idle(&mut r),
            "pulled at command {pull_at}: back to the start, screen {:?}",
            r.core.screen()
        );
    }
    assert!(
        verifies <= typed,
        "no VERIFY the patients did not type ({verifies} > {typed})"
    );
    eprintln!(
        "card pulled at each of {commands} commands: all back to idle; {done} completed before the pull; \
         {verifies} VERIFYs reached cards for {typed} PINs typed"
    );
    // And the next patient is served as if nothing happened.
    served_to_done(&mut r, &suzuki(), &patient);
}
