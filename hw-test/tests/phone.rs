//! Smartphones through pcscd + vpcd (issue 16): the kiosk watches the card reader and a phone reader of
//! its own (vpcd's second slot, as `[reader.phone]` names one in a clinic); virtual phones are placed on
//! it. Run by `cargo xtask test`.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::demo::{DemoCamera, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk_card_sim::{SharedCard, VirtualCard};
use kiosk_hw_test::{CARD_WAIT, InsertedCard, PHONE_READER, exclusive_reader};
use kiosk_reception::{Method, Screen};

/// A kiosk on the vpcd card reader and the vpcd phone reader, with the demo roster.
fn kiosk() -> (Reception, TempDir) {
    kiosk_hw_test::pin_kiosk("hw-phone", Some(PHONE_READER))
}

fn phone(profile: &str) -> SharedCard {
    SharedCard::new(VirtualCard::embedded(profile).unwrap())
}

fn result_files(work: &TempDir) -> usize {
    std::fs::read_dir(work.path().join("out"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "xml"))
        })
        .count()
}

#[test]
#[ignore = "needs pcscd with the vpcd readers (cargo xtask test starts it)"]
fn phones_on_their_own_reader_reach_done_with_a_result_file_as_cards_do() {
    let _reader = exclusive_reader();
    let (mut r, work) = kiosk();

    // Android: its own PIN, typed at the kiosk while the phone lies on the phone reader; one VERIFY.
    let android = phone("android");
    let placed = InsertedCard::place_phone(android.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::PhonePin { .. })));
    let outcome = r.serve(&Patient::new(Method::Pin, &["2468"], DemoCamera::Nobody));
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
    assert_eq!(android.lock().stats().auth_pin_verifies, 1);
    placed.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::Idle));

    // iPhone, confirmed on the phone: no PIN at the kiosk, no VERIFY.
    let iphone = phone("iphone");
    let placed = InsertedCard::place_phone(iphone.clone());
    assert!(r.wait_for(CARD_WAIT, |s| *s != Screen::Idle));
    let outcome = r.serve(&Patient::new(Method::Pin, &[], DemoCamera::Nobody));
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
    assert_eq!(iphone.lock().stats().auth_pin_verifies, 0);
    placed.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::Idle));

    // A card on the card reader, as before.
    let card = phone("suzuki");
    let inserted = InsertedCard::insert(card.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })));
    let outcome = r.serve(&Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody));
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
    inserted.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::Idle));

    assert_eq!(r.core.reception_count(), Some(3));
    assert_eq!(result_files(&work), 3, "a result file for each, phone or card");
}

#[test]
#[ignore = "needs pcscd with the vpcd readers (cargo xtask test starts it)"]
fn a_phone_taken_away_early_or_not_confirmed_is_told_so_and_spends_nothing() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();

    // Taken away while the PIN pad shows: told so, no VERIFY.
    let android = phone("android");
    let placed = InsertedCard::place_phone(android.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::PhonePin { .. })));
    placed.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::PhoneRemovedEarly));
    assert_eq!(android.lock().stats().auth_pin_verifies, 0);

    // Placed again from that screen: a new reception.
    let placed = InsertedCard::place_phone(android.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::PhonePin { .. })));
    placed.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::PhoneRemovedEarly));

    // An iPhone held up before Face ID: told to confirm on the phone; nothing is read.
    let iphone = phone("iphone");
    iphone.lock().holder_confirmed_on_phone = false;
    let placed = InsertedCard::place_phone(iphone.clone());
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::PhoneNotConfirmed));
    assert_eq!(iphone.lock().stats().auth_pin_verifies, 0);
    placed.remove();
    assert!(r.wait_for(CARD_WAIT, |s| *s == Screen::Idle));
    assert_eq!(r.core.reception_count(), Some(0));
}
