//! The core's typed boundary: inputs carry their secrets, the flow hears only that one was confirmed, a
//! secret goes to its worker once or is dropped, and calls for staff reach the notifier port. No face
//! models are needed: the face path is off in these kiosks.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DEMO_STAFF, TempDir};
use kiosk::notify::RecordingNotifier;
use kiosk_camera::CameraError;
use kiosk_card_sim::{Profile, SharedCard, VirtualCard};
use kiosk_mynumber::AuthPin;
use kiosk_reception::{Input, Method, Press, Screen, StaffCall, StaffCode};
use std::sync::Arc;
use std::time::Duration;

struct Kiosk {
    core: KioskCore,
    card: SharedCard,
    staff: RecordingNotifier,
    _work: TempDir,
}

/// A kiosk with the demo card placed and read, on the method choice.
fn kiosk(tag: &str) -> Kiosk {
    let work = TempDir::new(&format!("boundary-{tag}")).unwrap();
    let camera = Box::new(|| Err(CameraError::NotFound("no camera in this test".into())));
    let mut parts = demo::parts(None, camera, &work, Arc::new(|| {})).unwrap();
    let staff = RecordingNotifier::default();
    parts.notifier = Box::new(staff.clone());
    let mut core = KioskCore::start(parts).unwrap();
    let card = SharedCard::new(VirtualCard::new(Profile::embedded("demo").unwrap()));
    core.insert_card(Box::new(card.clone()));
    core.settle(Duration::from_secs(30));
    assert!(
        matches!(core.screen(), Screen::MethodChoice { .. }),
        "{:?}",
        core.screen()
    );
    Kiosk {
        core,
        card,
        staff,
        _work: work,
    }
}

impl Kiosk {
    fn input(&mut self, input: impl Into<Input>) {
        self.core.input(input.into());
        self.core.settle(Duration::from_secs(30));
    }
    fn verifies(&self) -> u64 {
        self.card.lock().stats().auth_pin_verifies
    }
}

fn pin(digits: &str) -> Input {
    Input::Pin(AuthPin::new(digits).unwrap())
}

#[test]
fn a_pin_goes_to_the_card_once_with_the_input_that_carries_it() {
    let mut k = kiosk("pin");
    k.input(Press::MethodChosen(Method::Pin));
    assert!(matches!(k.core.screen(), Screen::PinEntry { .. }));
    k.input(pin("1234"));
    assert_eq!((k.core.counters.pins_sent, k.verifies()), (1, 1));
    assert_eq!(k.core.screen().kind(), "ConsentStart");
}

#[test]
fn a_pin_on_a_screen_that_does_not_take_one_is_dropped_unsent() {
    let mut k = kiosk("stray-pin");
    // On the method choice, and twice on the PIN pad while the first is being verified: only the one
    // the PIN pad took reaches the card.
    k.input(pin("1234"));
    assert_eq!((k.core.counters.pins_sent, k.verifies()), (0, 0));
    k.input(Press::MethodChosen(Method::Pin));
    k.core.input(pin("9999"));
    k.core.input(pin("9999"));
    k.core.settle(Duration::from_secs(30));
    assert_eq!((k.core.counters.pins_sent, k.verifies()), (1, 1));
    assert_eq!(
        k.core.screen().kind(),
        "PinEntry",
        "one wrong PIN, the pad is back"
    );
    // A staff code or card-front numbers where none is asked for reach no worker either.
    k.input(Input::StaffCode(StaffCode::new(DEMO_STAFF.1).unwrap()));
    k.input(Input::CheckCode(
        kiosk_mynumber::CheckCodeB::new("12345678901234").unwrap(),
    ));
    assert_eq!(k.core.counters.check_codes_typed, 0);
    assert_eq!(k.core.screen().kind(), "PinEntry");
    assert_eq!(k.card.lock().stats().check_b_verifies, 0);
}

#[test]
fn calls_for_staff_reach_the_notifier() {
    let mut k = kiosk("staff");
    k.input(Press::HelpPressed);
    k.input(Press::HelpPressed);
    let calls = k.staff.calls();
    assert_eq!(calls.len(), 1, "one call per request, not per press");
    assert_eq!(
        (calls[0].call, calls[0].screen),
        (StaffCall::Help, "MethodChoice")
    );
    k.input(Press::HelpDismissed);
    k.input(Press::StaffHelpChosen);
    let calls = k.staff.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].call, StaffCall::VisualCheck);
    assert!(calls.iter().all(|c| !c.describe().contains(DEMO_STAFF.1)));
    // The staff code logs staff in; the card photo is read for the visual check (no camera: staff
    // stay on their screen and may type the numbers).
    k.input(Input::StaffCode(StaffCode::new(DEMO_STAFF.1).unwrap()));
    assert_eq!(k.core.screen().kind(), "StaffCheck");
    assert_eq!(k.verifies(), 0);
}

/// 「戻る」 from the PIN pad sends nothing to the card; 「受付をやめる」 after a verified PIN ends the
/// reception unrecorded with no job left open, the card thread lets go of the card (`ReleaseCard`), and
/// the next card is read as a new reception once this one is taken.
#[test]
fn back_sends_nothing_and_stop_lets_go_of_the_card() {
    let mut k = kiosk("back-stop");
    k.input(Press::MethodChosen(Method::Pin));
    k.input(Press::Back);
    assert!(matches!(k.core.screen(), Screen::MethodChoice { .. }));
    assert_eq!((k.core.counters.pins_sent, k.verifies()), (0, 0));
    k.input(Press::MethodChosen(Method::Pin));
    k.input(pin("1234"));
    assert_eq!(k.core.screen().kind(), "ConsentStart");
    k.input(Press::Stop);
    assert_eq!(k.core.screen(), &Screen::Stopped);
    assert!(!k.core.busy(), "nothing left open for the stopped reception");
    assert_eq!(k.core.reception_count(), Some(0), "nothing recorded");
    k.core.remove_card();
    assert_eq!(k.core.screen(), &Screen::Idle);
    assert_eq!(k.verifies(), 1, "one VERIFY, for the PIN typed");
    let next = SharedCard::new(VirtualCard::new(Profile::embedded("demo").unwrap()));
    k.core.insert_card(Box::new(next));
    k.core.settle(Duration::from_secs(30));
    assert!(
        matches!(k.core.screen(), Screen::MethodChoice { .. }),
        "{:?}",
        k.core.screen()
    );
}
