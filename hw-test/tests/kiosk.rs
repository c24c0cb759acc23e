//! The kiosk itself (core, workers, records) on a real reader: pcscd with vsmartcard's vpcd and the
//! virtual card. Cards arrive and leave through the PC/SC monitor, as at the clinic.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk_card_sim::{Hostile, SharedCard, VirtualCard};
use kiosk_hw_test::{CARD_WAIT, InsertedCard, READER, exclusive_reader, start_pcscd, stop_pcscd};
use kiosk_reception::{Method, Screen};
use std::time::Instant;

fn kiosk() -> (Reception, TempDir) {
    kiosk_hw_test::pin_kiosk("hw-kiosk", None)
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

/// The PC/SC service stops in the middle of a reception (a crash, an update restarting it), comes back
/// without the vpcd reader (the reader is gone while the service runs), and then with it. The kiosk
/// must say so on the start screen, spend no PIN try, and serve the next patient by itself.
#[test]
#[ignore = "needs root and pcscd with the vpcd reader (cargo xtask test starts it)"]
fn pcscd_stopping_mid_session_and_the_reader_going_and_coming_back_need_no_restart() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();
    assert!(idle(&mut r), "the reader is there: {:?}", r.core.screen());

    // A patient reaches the PIN pad, then pcscd stops before they type.
    let card = suzuki();
    let inserted = InsertedCard::insert(card.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })));
    let waits = Patient::new(Method::Pin, &[], DemoCamera::Nobody);
    assert!(matches!(r.serve(&waits).last, Screen::PinEntry { .. }));
    let stopped = Instant::now();
    stop_pcscd();
    assert!(
        r.wait_for(CARD_WAIT, |s| *s == Screen::ReaderProblem),
        "pcscd gone: the session ends on the reader problem, screen {:?}",
        r.core.screen()
    );
    eprintln!(
        "pcscd stopped → reader problem on screen: {:.0} ms",
        stopped.elapsed().as_secs_f64() * 1000.0
    );
    assert!(
        r.core.problems.iter().any(|p| p.contains("pcscd")),
        "reported for staff and the log: {:?}",
        r.core.problems
    );
    inserted.reader_closed();
    assert_eq!(card.lock().stats().auth_pin_verifies, 0, "no PIN try spent");

    // The service comes back without the reader: still the reader problem, not an invitation.
    let empty = TempDir::new("no-readers").unwrap();
    start_pcscd(Some(empty.path()));
    let _ = r.wait_for(std::time::Duration::from_secs(3), |s| *s != Screen::ReaderProblem);
    assert_eq!(
        *r.core.screen(),
        Screen::ReaderProblem,
        "the service alone is not a reader"
    );
    // A kiosk started now (no reader at start-up) says so too, after its short grace.
    let (mut fresh, _fresh_work) = kiosk();
    assert!(
        fresh.wait_for(std::time::Duration::from_secs(5), |s| *s == Screen::ReaderProblem),
        "started without its reader: {:?}",
        fresh.core.screen()
    );
    assert!(
        fresh
            .core
            .problems
            .iter()
            .any(|p| p.contains("no card reader found")),
        "{:?}",
        fresh.core.problems
    );
    drop(fresh);
    stop_pcscd();

    // The service and the reader come back: the start screen by itself, and the next patient is served.
    let restarted = Instant::now();
    start_pcscd(None);
    eprintln!(
        "pcscd listing the vpcd reader again after {:.0} ms",
        restarted.elapsed().as_secs_f64() * 1000.0
    );
    assert!(
        idle(&mut r),
        "reader back: the start screen, screen {:?}",
        r.core.screen()
    );
    eprintln!(
        "pcscd restarted → start screen: {:.0} ms (the monitor looks for the service every 250 ms)",
        restarted.elapsed().as_secs_f64() * 1000.0
    );
    let patient = Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody);
    let next = suzuki();
    served_to_done(&mut r, &next, &patient);
    assert_eq!(next.lock().stats().auth_pin_verifies, 1);
    assert_eq!(
        r.core.reception_count(),
        Some(1),
        "only the finished reception is journaled"
    );
}

/// The hostile card's ways of lying through the real PC/SC stack (pcscd + vpcd carry a one-byte answer,
/// an oversized one, an endless 61xx chain just as they are): each refused, back to the start, and the
/// next patient served. (The card-face case needs the face path: `faults.rs`.)
#[test]
#[ignore = "needs pcscd with the vpcd reader (cargo xtask test starts it)"]
fn hostile_cards_through_pcscd_are_refused_and_the_next_patient_is_served() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();
    let patient = Patient::new(Method::Pin, &["0000", "1234"], DemoCamera::Nobody);
    let (mut typed, mut verifies) = (0u64, 0u64);
    for way in Hostile::ALL {
        // The card face needs the face path (deep-tlv through pcscd: its own test below); the honest way
        // (sfi-refused) is served, in its own test.
        if matches!(way, Hostile::CardFaceAltered | Hostile::DeepTlv) || way.is_honest() {
            continue;
        }
        let card = SharedCard::new(VirtualCard::embedded("hostile").unwrap());
        card.lock().faults.hostile = Some(way);
        let inserted = InsertedCard::insert(card.clone());
        let _ = r.wait_for(CARD_WAIT, |s| *s != Screen::Idle);
        let outcome = r.serve(&patient);
        assert!(
            !matches!(outcome.last, Screen::Done { .. }),
            "{way}: refused, not done: {outcome:?}"
        );
        assert!(
            card.lock().stats().auth_pin_verifies <= outcome.pins_typed as u64,
            "{way}: no VERIFY the patient did not type"
        );
        typed += outcome.pins_typed as u64;
        verifies += card.lock().stats().auth_pin_verifies;
        eprintln!("{way} through pcscd: {}", outcome.screens.join(" → "));
        inserted.remove();
        assert!(
            idle(&mut r),
            "{way}: back to the start, screen {:?}",
            r.core.screen()
        );
    }
    assert_eq!(verifies, typed, "every VERIFY was a PIN the patient typed");
    eprintln!("hostile cards through pcscd: {typed} PINs typed, {verifies} VERIFYs reached the cards");
    served_to_done(
        &mut r,
        &suzuki(),
        &Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody),
    );
    assert_eq!(r.core.reception_count(), Some(1));
}

/// Cards as real ones may be, through the real PC/SC stack: one that does not read by short EF identifier
/// (the honest `sfi-refused` way) and answers `6F00` to the first command after each power-up
/// (docs/CARD-NOTES.md §1.2, §3.5). Both are served to done, twice in a row, with only the typed PINs.
#[test]
#[ignore = "needs pcscd with the vpcd reader (cargo xtask test starts it)"]
fn an_honest_card_refusing_sfi_and_stumbling_after_power_up_is_served_through_pcscd() {
    let _reader = exclusive_reader();
    let (mut r, _work) = kiosk();
    let patient = Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody);
    for n in 1..=2 {
        let card = suzuki();
        card.lock().faults.hostile = Some(Hostile::SfiRefused);
        card.lock().faults.no_diagnosis_after_power_up = true;
        served_to_done(&mut r, &card, &patient);
        assert_eq!(card.lock().stats().auth_pin_verifies, 1, "patient {n}");
    }
    assert_eq!(r.core.reception_count(), Some(2));
}

/// A one-camera kiosk with the face models on the vpcd reader; its camera shows `holder`'s face and,
/// when the kiosk looks for it, the front of `holder`'s card. It waits `return_secs` for a lifted card.
fn one_camera_kiosk(holder: &demo::Holder, return_secs: i64) -> (Reception, TempDir) {
    static MODELS: std::sync::OnceLock<kiosk_face::FaceModels> = std::sync::OnceLock::new();
    let models: &'static kiosk_face::FaceModels =
        MODELS.get_or_init(|| kiosk_face::FaceModels::load_default().unwrap());
    let work = TempDir::new("hw-one-camera").unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let camera = frames.camera(Some(models), DemoCamera::CardHolder, holder.clone());
    let mut parts = demo::parts(Some(models), camera, &work, std::sync::Arc::new(|| {})).unwrap();
    parts.flow.cameras = kiosk_reception::Cameras::FaceOnly {
        card_return_secs: return_secs,
    };
    let mut core = KioskCore::start(parts).unwrap();
    core.watch_readers(Some(READER.into())).unwrap();
    (Reception::new(core, Some(models), frames), work)
}

/// VERIFYs of any kind (PIN or 照合番号B) that reached `card`.
fn verifies(card: &SharedCard) -> u64 {
    let stats = card.lock().stats().clone();
    stats.auth_pin_verifies + stats.check_b_verifies + stats.other_verifies
}

/// The demo card on the vpcd reader, the face path chosen, the card really taken out of the reader
/// (the virtual card disconnects from vpcd) and its front read by the one camera meanwhile.
fn lifted_from_the_reader(r: &mut Reception, card: &SharedCard) {
    let inserted = InsertedCard::insert(card.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })));
    r.core
        .input(kiosk_reception::Press::MethodChosen(Method::Face).into());
    assert!(
        matches!(
            r.core.screen(),
            Screen::CardFace {
                hold: kiosk_reception::FrontHold::Lift,
                ..
            }
        ),
        "{:?}",
        r.core.screen()
    );
    inserted.remove();
    assert!(
        r.wait_for(CARD_WAIT, |s| matches!(
            s,
            Screen::CardFace {
                hold: kiosk_reception::FrontHold::Away { .. },
                ..
            }
        )),
        "pcscd reported the card gone and the session waits for it: {:?}",
        r.core.screen()
    );
    let read = |r: &Reception| {
        r.core
            .shared()
            .confident_front_reads
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let deadline = Instant::now() + CARD_WAIT;
    while read(r) == 0 && Instant::now() < deadline {
        r.core.wait(std::time::Duration::from_millis(20));
    }
    assert_eq!(read(r), 1, "the front was read while the card was out");
    assert_eq!(verifies(card), 0, "nothing sent while the card is out");
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and the face models (cargo xtask test)"]
fn one_camera_the_card_taken_out_of_the_reader_and_put_back_reaches_done() {
    let _reader = exclusive_reader();
    let (card, holder) = demo::card("demo").unwrap();
    let card = SharedCard::new(card);
    let (mut r, _work) = one_camera_kiosk(&holder, 20);
    lifted_from_the_reader(&mut r, &card);
    let back = InsertedCard::insert(card.clone());
    let outcome = r.serve(&Patient::new(Method::Face, &[], DemoCamera::CardHolder));
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
    assert_eq!(outcome.pins_sent, 0);
    let stats = card.lock().stats().clone();
    assert_eq!(
        (stats.auth_pin_verifies, stats.check_b_verifies),
        (0, 1),
        "one 照合番号B, sent to the card put back once it was known to be the same"
    );
    eprintln!(
        "one camera, card out and back through pcscd: {}",
        outcome.screens.join(" → ")
    );
    back.remove();
    assert!(idle(&mut r));
    assert_eq!(r.core.reception_count(), Some(1));
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and the face models (cargo xtask test)"]
fn one_camera_another_card_put_back_ends_the_session_with_no_verify() {
    let _reader = exclusive_reader();
    let (card, holder) = demo::card("demo").unwrap();
    let card = SharedCard::new(card);
    let (mut r, _work) = one_camera_kiosk(&holder, 20);
    lifted_from_the_reader(&mut r, &card);
    let other = suzuki();
    let swapped = InsertedCard::insert(other.clone());
    assert!(
        r.wait_for(CARD_WAIT, |s| *s
            == Screen::Counter {
                reason: kiosk_reception::CounterReason::OtherCardReturned
            }),
        "{:?}",
        r.core.screen()
    );
    assert!(r.core.settle(CARD_WAIT));
    assert_eq!(
        (verifies(&card), verifies(&other)),
        (0, 0),
        "no try spent on either card"
    );
    swapped.remove();
    assert!(idle(&mut r));
    assert_eq!(r.core.reception_count(), Some(0));
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and the face models (cargo xtask test)"]
fn one_camera_no_card_put_back_in_time_ends_the_session_with_no_verify() {
    let _reader = exclusive_reader();
    let (card, holder) = demo::card("demo").unwrap();
    let card = SharedCard::new(card);
    let (mut r, _work) = one_camera_kiosk(&holder, 5);
    lifted_from_the_reader(&mut r, &card);
    let deadline = Instant::now() + CARD_WAIT;
    while *r.core.screen() != Screen::Idle && Instant::now() < deadline {
        r.core.tick();
        r.core.wait(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        *r.core.screen(),
        Screen::Idle,
        "the session ended when time ran out"
    );
    assert!(r.core.settle(CARD_WAIT), "no job left waiting");
    assert_eq!(verifies(&card), 0, "no try spent");
    // The next patient is served.
    served_to_done(
        &mut r,
        &suzuki(),
        &Patient::new(Method::Pin, &["4321"], DemoCamera::Nobody),
    );
}

/// A kiosk with the face models and a demo front camera above the vpcd reader, showing `holder`'s card
/// lying there as `view` says (the face-and-front arrangement).
fn front_camera_kiosk(holder: &demo::Holder, view: demo::FrontView) -> (Reception, TempDir) {
    static MODELS: std::sync::OnceLock<kiosk_face::FaceModels> = std::sync::OnceLock::new();
    let models: &'static kiosk_face::FaceModels =
        MODELS.get_or_init(|| kiosk_face::FaceModels::load_default().unwrap());
    let work = TempDir::new("hw-front-camera").unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let camera = frames.camera(Some(models), DemoCamera::CardHolder, holder.clone());
    let mut parts = demo::parts(Some(models), camera, &work, std::sync::Arc::new(|| {})).unwrap();
    let view = std::sync::Arc::new(std::sync::Mutex::new(view));
    parts.front_camera = Some(demo::DemoFrames::front_camera(view, holder.clone()));
    parts.face.front_give_up_after = std::time::Duration::from_secs(4);
    let mut core = KioskCore::start(parts).unwrap();
    core.watch_readers(Some(READER.into())).unwrap();
    (Reception::new(core, Some(models), frames), work)
}

/// Place `card` on the vpcd reader and choose the face path: the card-face step reads it where it lies.
fn face_chosen_on_the_reader(r: &mut Reception, card: &SharedCard) -> InsertedCard {
    let inserted = InsertedCard::insert(card.clone());
    assert!(r.wait_for(CARD_WAIT, |s| matches!(s, Screen::MethodChoice { .. })));
    r.core
        .input(kiosk_reception::Press::MethodChosen(Method::Face).into());
    assert!(
        matches!(
            r.core.screen(),
            Screen::CardFace {
                hold: kiosk_reception::FrontHold::OnReader,
                ..
            }
        ),
        "the card stays on the reader: {:?}",
        r.core.screen()
    );
    inserted
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and the face models (cargo xtask test)"]
fn front_camera_a_face_reception_reaches_done_with_the_card_left_on_the_reader() {
    let _reader = exclusive_reader();
    let (card, holder) = demo::card("demo").unwrap();
    let card = SharedCard::new(card);
    let (mut r, _work) = front_camera_kiosk(&holder, demo::FrontView::OnReader);
    let inserted = face_chosen_on_the_reader(&mut r, &card);
    let outcome = r.serve(&Patient::new(Method::Face, &[], DemoCamera::CardHolder));
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
    // No removal event: pcscd still sees the card, and the session never waited for one.
    assert!(kiosk_hw_test::wait_for_card(
        true,
        std::time::Duration::from_secs(1)
    ));
    let stats = card.lock().stats().clone();
    assert_eq!((stats.auth_pin_verifies, stats.check_b_verifies), (0, 1));
    eprintln!("front camera through pcscd: {}", outcome.screens.join(" → "));
    inserted.remove();
    assert!(idle(&mut r));
    assert_eq!(r.core.reception_count(), Some(1));
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and the face models (cargo xtask test)"]
fn front_camera_a_card_lying_face_down_is_not_read_and_costs_no_try() {
    let _reader = exclusive_reader();
    let (card, holder) = demo::card("demo").unwrap();
    let card = SharedCard::new(card);
    let (mut r, _work) = front_camera_kiosk(&holder, demo::FrontView::FaceDown);
    let inserted = face_chosen_on_the_reader(&mut r, &card);
    assert!(
        r.wait_for(CARD_WAIT, |s| matches!(s, Screen::FaceFailed { .. })),
        "{:?}",
        r.core.screen()
    );
    assert_eq!(verifies(&card), 0, "nothing read, nothing sent");
    inserted.remove();
    assert!(idle(&mut r));
}
