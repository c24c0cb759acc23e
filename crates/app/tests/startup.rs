//! Start-up (issue 17, item 6): the face models load in the background. A patient who comes before they
//! are ready is offered the PIN and the staff check, with a line saying the face is being prepared, and
//! the face choice appears in place when the models arrive; a failed load leaves the PIN path working.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::core::KioskCore;
use kiosk::demo::{self, TempDir};
use kiosk::gui::{DemoPanel, KioskApp};
use kiosk_face::FaceModels;
use kiosk_reception::Screen;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

fn models() -> &'static FaceModels {
    static M: OnceLock<FaceModels> = OnceLock::new();
    M.get_or_init(|| FaceModels::load_default().unwrap_or_else(|e| panic!("{e}")))
}

/// A demo kiosk started without models, whose loader waits for `release` and then gives `result`.
fn kiosk(
    tag: &str,
    release: Receiver<()>,
    result: Result<&'static FaceModels, String>,
) -> (Harness<'static, KioskApp>, TempDir) {
    let work = TempDir::new(&format!("startup-{tag}")).unwrap();
    let panel = DemoPanel::new(None);
    let (ctx, wake) = kiosk::gui::waker();
    let parts = demo::parts(None, panel.camera(), &work, wake).unwrap();
    let mut core = KioskCore::start(parts).unwrap();
    core.load_models(move || {
        let _ = release.recv();
        result
    })
    .unwrap();
    assert!(core.models_loading());
    let app = KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default()).unwrap();
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1100.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame(ui), app);
    (h, work)
}

fn step_until(h: &mut Harness<'static, KioskApp>, done: impl Fn(&KioskApp) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        h.step();
        if done(h.state()) {
            h.step();
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn the_face_choice_appears_when_the_models_are_loaded() {
    let (release, wait) = sync_channel(1);
    let (mut h, _work) = kiosk("late", wait, Ok(models()));
    h.step();
    assert_eq!(
        *h.state().core.screen(),
        Screen::Idle,
        "the idle screen without the models"
    );
    h.state_mut().place_card("demo").unwrap();
    assert!(step_until(&mut h, |a| matches!(
        a.core.screen(),
        Screen::MethodChoice { .. }
    )));
    assert_eq!(
        *h.state().core.screen(),
        Screen::MethodChoice {
            face: false,
            pin: Some(3),
            staff: true
        },
        "the PIN and staff while the models load"
    );
    assert!(
        h.query_by_label("顔認証は準備中です。まもなく、ここで選べるようになります。")
            .is_some()
    );
    assert!(h.query_by_label("顔認証").is_none());
    release.send(()).unwrap();
    assert!(step_until(&mut h, |a| a.core.models().is_some()));
    assert!(step_until(&mut h, |a| matches!(
        a.core.screen(),
        Screen::MethodChoice { face: true, .. }
    )));
    assert!(!h.state().core.models_loading());
    assert!(
        h.query_by_label("顔認証は準備中です。まもなく、ここで選べるようになります。")
            .is_none()
    );
    // The face path works with the models that came late (the demo camera is made again with them).
    h.get_by_label("顔認証").click();
    assert!(
        step_until(&mut h, |a| matches!(a.core.screen(), Screen::ConsentStart)),
        "face matched with the late models: {:?}",
        h.state().core.screen()
    );
}

#[test]
fn a_failed_load_is_reported_and_the_pin_path_stays() {
    let (release, wait) = sync_channel(1);
    let (mut h, _work) = kiosk("failed", wait, Err("no model files".into()));
    release.send(()).unwrap();
    assert!(step_until(&mut h, |a| !a.core.models_loading()));
    assert!(h.state().core.models().is_none());
    assert!(
        h.state()
            .core
            .problems
            .iter()
            .any(|p| p == "face matching is off: no model files"),
        "{:?}",
        h.state().core.problems
    );
    h.state_mut().place_card("demo").unwrap();
    assert!(step_until(&mut h, |a| matches!(
        a.core.screen(),
        Screen::MethodChoice { .. }
    )));
    assert!(matches!(
        h.state().core.screen(),
        Screen::MethodChoice {
            face: false,
            pin: Some(3),
            ..
        }
    ));
    assert!(
        h.query_by_label("顔認証は準備中です。まもなく、ここで選べるようになります。")
            .is_none(),
        "nothing promises a face choice that will not come"
    );
}

/// A demo kiosk with its models given, whose card trust (the virtual CAs) is made on the card thread
/// only once `release` says so, then as `make` gives it.
fn kiosk_with_late_trust(
    tag: &str,
    release: Receiver<()>,
    make: impl FnOnce() -> Result<(Vec<kiosk_mynumber::TrustAnchor>, kiosk_mynumber::AuthTrust), String>
    + Send
    + 'static,
) -> (Harness<'static, KioskApp>, TempDir) {
    let work = TempDir::new(&format!("startup-{tag}")).unwrap();
    let panel = DemoPanel::new(Some(models()));
    let (ctx, wake) = kiosk::gui::waker();
    let mut parts = demo::parts(Some(models()), panel.camera(), &work, wake).unwrap();
    parts.trust = kiosk::workers::CardTrust::later(move || {
        let _ = release.recv();
        make()
    });
    let core = KioskCore::start(parts).unwrap();
    let app = KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default()).unwrap();
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1100.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame(ui), app);
    (h, work)
}

fn demo_trust() -> Result<(Vec<kiosk_mynumber::TrustAnchor>, kiosk_mynumber::AuthTrust), String> {
    Ok((demo::anchors(), demo::auth_trust().map_err(|e| e.to_string())?))
}

/// Issue 17: the demo's card trust (its virtual CAs' keys, seconds to generate) is made on the card
/// thread, so the idle screen shows at once. A card placed before it is there waits and is read once it
/// is: nothing is lost, nothing is read against a trust half made, and the window thread makes no key
/// (the card itself is made by the card thread when it first speaks to it).
#[test]
fn a_card_placed_before_the_card_trust_is_made_is_read_once_it_is() {
    let (release, wait) = sync_channel(1);
    let (mut h, _work) = kiosk_with_late_trust("trust-late", wait, demo_trust);
    h.step();
    assert_eq!(
        *h.state().core.screen(),
        Screen::Idle,
        "the idle screen before the trust"
    );
    assert!(h.state().core.shared().card_trust_made.get().is_none());
    h.state_mut().place_card("demo").unwrap();
    for _ in 0..10 {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        *h.state().core.screen(),
        Screen::Reading,
        "the card waits for the trust"
    );
    // The card's keys are made beside the trust, not on the window thread (the steps above went on), and
    // nothing is sent to the card before the trust is there.
    let card = h.state().demo.as_ref().and_then(|d| d.placed()).cloned().unwrap();
    assert!(
        step_until(&mut h, |_| card.is_made()),
        "the card made while the trust waits"
    );
    assert_eq!(*h.state().core.screen(), Screen::Reading);
    assert_eq!(card.lock().stats().commands, 0, "no command before the trust");
    release.send(()).unwrap();
    assert!(
        step_until(&mut h, |a| matches!(a.core.screen(), Screen::MethodChoice { .. })),
        "read once the trust is made: {:?}",
        h.state().core.screen()
    );
    assert_eq!(
        *h.state().core.screen(),
        Screen::MethodChoice {
            face: true,
            pin: Some(3),
            staff: true
        }
    );
    assert!(h.state().core.shared().card_trust_made.get().is_some());
    assert!(card.is_made());
    assert_eq!(card.lock().stats().auth_pin_verifies, 0, "no try spent");
    assert!(
        h.state().core.problems.is_empty(),
        "{:?}",
        h.state().core.problems
    );
}

/// A card trust that cannot be made leaves J-LIS's production CAs only: the virtual (test) cards are
/// refused, never accepted on a trust that is not there, and staff read why.
#[test]
fn a_card_trust_that_cannot_be_made_refuses_the_test_cards_and_says_why() {
    let (release, wait) = sync_channel(1);
    let (mut h, _work) = kiosk_with_late_trust("trust-failed", wait, || Err("no CA files".into()));
    release.send(()).unwrap();
    h.state_mut().place_card("demo").unwrap();
    assert!(step_until(&mut h, |a| !matches!(
        a.core.screen(),
        Screen::Idle | Screen::Reading
    )));
    assert!(
        !matches!(h.state().core.screen(), Screen::MethodChoice { .. }),
        "{:?}",
        h.state().core.screen()
    );
    let problems = &h.state().core.problems;
    assert!(
        problems
            .iter()
            .any(|p| p == "the card trust could not be made (no CA files): only J-LIS's cards are accepted"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("O=JPKI-TEST, which this kiosk does not trust")),
        "{problems:?}"
    );
}
