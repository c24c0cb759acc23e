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
