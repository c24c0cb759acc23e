//! The card stack through real pcscd + vpcd with the virtual card. Run by `cargo xtask test`.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_apdu::TransportError;
use kiosk_card_sim::{Df, SharedCard, VirtualCard, pki};
use kiosk_hw_test::{InsertedCard, READER, exclusive_reader};
use kiosk_mynumber::{
    AuthPin, CardError, CheckCodeB, Identification, MyNumberCard, PinOutcome, PinStatus, TrustAnchor,
};
use kiosk_pcsc::{Monitor, Pcsc, ReaderEvent};
use std::time::Duration;

const NEEDS: &str = "needs pcscd with the vpcd reader: run `cargo xtask test`";

fn sim(name: &str) -> SharedCard {
    SharedCard::new(VirtualCard::embedded(name).unwrap())
}

fn anchors() -> Vec<TrustAnchor> {
    vec![TrustAnchor {
        key_id: pki::card_data_trust_anchor_id(),
        key: pki::card_data_trust_anchor(),
    }]
}

fn reader() -> MyNumberCard<kiosk_pcsc::PcscChannel> {
    MyNumberCard::new(Pcsc::establish().unwrap().connect(READER).unwrap())
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn the_vpcd_reader_is_listed() {
    let _ = NEEDS;
    let readers = Pcsc::establish().expect("pcscd is running").readers().unwrap();
    assert!(readers.iter().any(|r| r == READER), "{readers:?}");
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn insert_and_remove_are_events() {
    let _guard = exclusive_reader();
    let monitor = Monitor::start().unwrap();
    let next = |want: &dyn Fn(&ReaderEvent) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(e) = monitor.events().recv_timeout(Duration::from_millis(100))
                && want(&e)
            {
                return Some(e);
            }
        }
        None
    };
    assert!(
        next(&|e| *e == ReaderEvent::ReaderAdded(READER.into())).is_some(),
        "initial reader event"
    );
    let card = InsertedCard::insert(sim("demo"));
    let inserted = next(&|e| matches!(e, ReaderEvent::CardInserted { .. })).expect("CardInserted");
    assert_eq!(
        inserted,
        ReaderEvent::CardInserted {
            reader: READER.into(),
            atr: kiosk_card_sim::ATR.to_vec()
        }
    );
    card.remove();
    assert_eq!(
        next(&|e| matches!(e, ReaderEvent::CardRemoved { .. })),
        Some(ReaderEvent::CardRemoved {
            reader: READER.into()
        })
    );
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn full_read_through_pcscd() {
    let _guard = exclusive_reader();
    let inserted = InsertedCard::insert(sim("demo"));
    let mut card = reader();
    assert!(matches!(card.identify().unwrap(), Identification::MyNumber(_)));
    let cert = card.read_auth_certificate().unwrap();
    assert_eq!(cert.der(), inserted.card().lock().auth_certificate_der());
    assert_eq!(card.auth_pin_status().unwrap(), PinStatus::TriesLeft(3));
    assert_eq!(card.check_b_status().unwrap(), PinStatus::TriesLeft(10));
    let b = CheckCodeB::new(&inserted.card().lock().profile().check_code_b()).unwrap();
    let (outcome, read) = card.read_card_face(&b, &anchors(), b"challenge").unwrap();
    assert_eq!(outcome, PinOutcome::Verified);
    let (face, check) = read.unwrap();
    assert!(check.is_genuine(), "{check:?}");
    assert!(face.has_photo());
    assert_eq!(
        card.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap(),
        PinOutcome::Verified
    );
    assert!(card.prove_auth_key(&cert, b"fresh").unwrap());
    assert_eq!(inserted.card().lock().stats().auth_pin_verifies, 1);
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn wrong_pins_lower_the_tries_and_lock_after_three() {
    let _guard = exclusive_reader();
    let inserted = InsertedCard::insert(sim("demo"));
    let mut card = reader();
    let wrong = AuthPin::new("0000").unwrap();
    assert_eq!(
        card.verify_auth_pin(&wrong).unwrap(),
        PinOutcome::Wrong { tries_left: 2 }
    );
    assert_eq!(card.auth_pin_status().unwrap(), PinStatus::TriesLeft(2));
    assert_eq!(
        card.verify_auth_pin(&wrong).unwrap(),
        PinOutcome::Wrong { tries_left: 1 }
    );
    assert_eq!(card.verify_auth_pin(&wrong).unwrap(), PinOutcome::Blocked);
    assert_eq!(card.auth_pin_status().unwrap(), PinStatus::Blocked);
    assert_eq!(inserted.card().lock().tries_left(Df::Jpki, 0x0018), Some(0));
    assert_eq!(
        inserted.card().lock().stats().auth_pin_verifies,
        3,
        "exactly the three the test typed"
    );
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn a_blocked_card_is_reported_without_any_verify() {
    let _guard = exclusive_reader();
    let inserted = InsertedCard::insert(sim("pin-blocked"));
    assert_eq!(reader().auth_pin_status().unwrap(), PinStatus::Blocked);
    assert_eq!(inserted.card().lock().stats().auth_pin_verifies, 0);
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn a_card_pulled_mid_read_is_clear_and_the_next_card_reads() {
    let _guard = exclusive_reader();
    // SELECT (1), the first READ BINARY (2), later chunks (3..).
    for pull_at in [1, 2, 3, 5] {
        let card = sim("demo");
        card.lock().faults.pull_at_command = Some(pull_at);
        let inserted = InsertedCard::insert(card);
        let err = reader().read_auth_certificate().unwrap_err();
        assert!(
            matches!(
                err,
                CardError::Transport(
                    TransportError::CardRemoved
                        | TransportError::NoCard
                        | TransportError::CardUnresponsive
                        | TransportError::CardReset
                )
            ),
            "pull at {pull_at}: {err:?}"
        );
        inserted.wait_pulled();
        // The next card (a different patient) reads fine.
        let next = InsertedCard::insert(sim("suzuki"));
        let cert = reader().read_auth_certificate().unwrap();
        assert_eq!(cert.der(), next.card().lock().auth_certificate_der());
        next.remove();
    }
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn the_reader_is_exclusive_while_the_kiosk_holds_the_card() {
    let _guard = exclusive_reader();
    let _inserted = InsertedCard::insert(sim("demo"));
    let pcsc = Pcsc::establish().unwrap();
    let held = pcsc.connect(READER).unwrap();
    assert_eq!(
        pcsc.connect(READER).unwrap_err(),
        TransportError::SharingViolation
    );
    held.close().unwrap();
    assert!(pcsc.connect(READER).is_ok());
}

/// Wait up to 5 s for `done` (the virtual card hears pcscd's power commands on its own thread).
fn eventually(done: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Letting go of a card still in the reader powers it off, so the PIN the patient verified is not left
/// verified for whoever holds the card next: on the real card a warm reset would leave it
/// (docs/CARD-NOTES.md §1.2). The card also answers `6F00` to the first command after each power-up, as
/// real cards were measured to; every connection still reads.
#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn letting_go_powers_the_card_off_and_clears_its_verified_pin() {
    let _guard = exclusive_reader();
    let sim = sim("demo");
    sim.lock().faults.no_diagnosis_after_power_up = true;
    let _inserted = InsertedCard::insert(sim.clone());
    let mut card = reader();
    let cert = card.read_auth_certificate().unwrap();
    assert_eq!(
        card.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap(),
        PinOutcome::Verified
    );
    assert!(card.prove_auth_key(&cert, b"while verified").unwrap());
    assert!(sim.lock().is_verified(Df::Jpki, 0x0018));
    drop(card);
    assert!(
        eventually(|| !sim.lock().is_verified(Df::Jpki, 0x0018)),
        "the kiosk let go without powering the card off: the PIN is still verified"
    );
    let mut next = reader();
    assert!(
        matches!(
            next.prove_auth_key(&cert, b"next holder"),
            Err(CardError::NeedsCredential(_))
        ),
        "the key needs the PIN again"
    );
    assert_eq!(sim.lock().stats().auth_pin_verifies, 1, "the one PIN typed");
}
