//! The one-camera kiosk's card-face step through the kiosk core, its workers and the virtual cards
//! (issue 14): the patient lifts the card to show its front to the face camera and puts it back. The
//! same card goes on to done; another card, or none in time, ends the session. No try is spent by any of
//! it. (Through pcscd and vpcd, with the card really leaving the reader: hw-test's kiosk.rs.)
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, Holder, TempDir};
use kiosk::driver::{Patient, Reception};
use kiosk_card_sim::{SharedCard, VirtualCard};
use kiosk_face::FaceModels;
use kiosk_reception::{Cameras, CounterReason, FrontHold, Method, Press, Screen};
use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn models() -> &'static FaceModels {
    static M: OnceLock<FaceModels> = OnceLock::new();
    M.get_or_init(|| FaceModels::load_default().unwrap_or_else(|e| panic!("{e}")))
}

/// A one-camera kiosk that waits `return_secs` for the card, its camera showing `holder`'s card.
fn kiosk(tag: &str, return_secs: i64, holder: &Holder) -> (Reception, TempDir) {
    let work = TempDir::new(tag).unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let camera = frames.camera(Some(models()), DemoCamera::CardHolder, holder.clone());
    let mut parts = demo::parts(Some(models()), camera, &work, std::sync::Arc::new(|| {})).unwrap();
    parts.flow.cameras = Cameras::FaceOnly {
        card_return_secs: return_secs,
    };
    parts.face.frame_interval = Duration::from_millis(1);
    let core = KioskCore::start(parts).unwrap();
    (Reception::new(core, Some(models()), frames), work)
}

fn card(profile: &str) -> (SharedCard, Holder) {
    let (card, holder) = demo::card(profile).unwrap();
    (SharedCard::new(card), holder)
}

fn wait_for(r: &mut Reception, pred: impl Fn(&Screen) -> bool) -> bool {
    r.wait_for(Duration::from_secs(30), pred)
}

/// Place `card`, choose the face path, lift the card and wait until the camera has read its front.
fn lifted_and_read(r: &mut Reception, card: &SharedCard) {
    r.core.insert_card(Box::new(card.clone()));
    assert!(wait_for(r, |s| matches!(s, Screen::MethodChoice { .. })));
    r.core.input(Press::MethodChosen(Method::Face).into());
    assert!(matches!(
        r.core.screen(),
        Screen::CardFace {
            hold: FrontHold::Lift,
            ..
        }
    ));
    r.core.remove_card();
    assert!(
        r.core.flow().card_return_left().is_some(),
        "the session waits for the card: {:?}",
        r.core.screen()
    );
    let reads = |r: &Reception| r.core.shared().confident_front_reads.load(Ordering::SeqCst);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while reads(r) == 0 && std::time::Instant::now() < deadline {
        r.core.wait(Duration::from_millis(20));
    }
    assert_eq!(
        reads(r),
        1,
        "the front was read while the card was off the reader"
    );
    assert_eq!(
        card.lock().stats().check_b_verifies,
        0,
        "no 照合番号B sent while the card is out"
    );
}

#[test]
fn the_same_card_put_back_goes_on_to_done_with_one_code_and_no_pin() {
    let (card, holder) = card("demo");
    let (mut r, _work) = kiosk("one-camera-same", 20, &holder);
    let patient = Patient::new(Method::Face, &[], DemoCamera::CardHolder);
    let outcome = r.run_lifting(card.clone(), holder, &patient);
    assert!(
        outcome.screens.contains(&"CardFace") && matches!(outcome.last, Screen::Done { .. }),
        "{outcome:?}"
    );
    let stats = card.lock().stats().clone();
    assert_eq!(stats.auth_pin_verifies, 0);
    assert_eq!(
        stats.check_b_verifies, 1,
        "one 照合番号B, sent once the card was back"
    );
    assert_eq!(r.core.reception_count(), Some(1));
}

#[test]
fn the_same_card_put_back_by_hand_is_checked_and_read_again() {
    let (card, holder) = card("demo");
    let (mut r, _work) = kiosk("one-camera-hand", 20, &holder);
    lifted_and_read(&mut r, &card);
    let commands = card.lock().stats().commands;
    r.core.insert_card(Box::new(card.clone()));
    assert!(
        wait_for(&mut r, |s| matches!(
            s,
            Screen::FaceMatching { .. } | Screen::CheckingEligibility | Screen::ConsentStart
        )),
        "{:?}",
        r.core.screen()
    );
    let stats = card.lock().stats().clone();
    assert!(
        stats.commands > commands + 4,
        "the card put back was read again ({} commands after its return)",
        stats.commands - commands
    );
    assert_eq!(stats.check_b_verifies, 1);
    assert_eq!(stats.auth_pin_verifies, 0);
}

#[test]
fn another_card_put_back_ends_the_session_with_no_try_spent_on_either() {
    let (card, holder) = card("demo");
    let (mut r, _work) = kiosk("one-camera-other", 20, &holder);
    lifted_and_read(&mut r, &card);
    let other = SharedCard::new(VirtualCard::embedded("suzuki").unwrap());
    r.core.insert_card(Box::new(other.clone()));
    assert!(wait_for(&mut r, |s| *s
        == Screen::Counter {
            reason: CounterReason::OtherCardReturned
        }));
    assert!(r.core.settle(Duration::from_secs(30)));
    for c in [&card, &other] {
        let stats = c.lock().stats().clone();
        assert_eq!((stats.auth_pin_verifies, stats.check_b_verifies), (0, 0));
    }
    assert!(
        r.core.problems.iter().any(|p| p.contains("not the one lifted")),
        "{:?}",
        r.core.problems
    );
    r.core.remove_card();
    assert!(wait_for(&mut r, |s| *s == Screen::Idle));
    assert_eq!(r.core.reception_count(), Some(0));
}

#[test]
fn no_card_put_back_in_time_ends_the_session_with_no_try_spent() {
    let (lifted, holder) = card("demo");
    let (mut r, _work) = kiosk("one-camera-none", 1, &holder);
    lifted_and_read(&mut r, &lifted);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while *r.core.screen() != Screen::Idle && std::time::Instant::now() < deadline {
        r.core.tick();
        r.core.wait(Duration::from_millis(100));
    }
    assert_eq!(*r.core.screen(), Screen::Idle);
    assert!(r.core.settle(Duration::from_secs(30)), "no job left waiting");
    let stats = lifted.lock().stats().clone();
    assert_eq!((stats.auth_pin_verifies, stats.check_b_verifies), (0, 0));
    // The next patient is served.
    let (next, holder) = card("suzuki");
    let patient = Patient::new(Method::Pin, &["4321"], DemoCamera::CardHolder);
    let outcome = r.run(Box::new(next), holder, &patient);
    assert!(matches!(outcome.last, Screen::Done { .. }), "{outcome:?}");
}
