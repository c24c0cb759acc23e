//! What the live picture shows while the kiosk reads the card front: the card's outline where the reader
//! found it (so the patient sees the card is seen), then the face box, and during the head turn how far
//! it has come. Core and workers, no window.

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, Holder, TempDir};
use kiosk_card_sim::{Profile, SharedCard, VirtualCard};
use kiosk_face::FaceModels;
use kiosk_reception::{Method, Press, Screen};
use std::time::{Duration, Instant};

/// Width over height of an outline, in the picture's pixels.
fn aspect(outline: &[[f32; 2]; 4], width: usize, height: usize) -> f32 {
    let px = |p: [f32; 2]| (p[0] * width as f32, p[1] * height as f32);
    let d = |a: [f32; 2], b: [f32; 2]| {
        let ((ax, ay), (bx, by)) = (px(a), px(b));
        ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt()
    };
    let w = (d(outline[0], outline[1]) + d(outline[3], outline[2])) / 2.0;
    let h = (d(outline[1], outline[2]) + d(outline[0], outline[3])) / 2.0;
    w / h.max(1.0)
}

#[test]
fn the_card_front_preview_outlines_the_card_then_the_face() {
    let models: &'static FaceModels = Box::leak(Box::new(FaceModels::load_default().unwrap()));
    let work = TempDir::new("preview").unwrap();
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let profile = Profile::embedded("demo").unwrap();
    let camera = frames.camera(Some(models), DemoCamera::CardHolder, Holder::of(&profile));
    let mut parts = demo::parts(Some(models), camera, &work, std::sync::Arc::new(|| {})).unwrap();
    parts.face.frame_interval = Duration::from_millis(30);
    let mut core = KioskCore::start(parts).unwrap();
    core.insert_card(Box::new(SharedCard::new(VirtualCard::new(profile))));
    core.settle(Duration::from_secs(30));
    core.input(Press::MethodChosen(Method::Face).into());

    let (mut card_outlines, mut face_outlines, mut seen) = (0, 0, 0);
    let mut turns: Vec<f32> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && !matches!(core.screen(), Screen::ConsentStart) {
        core.poll();
        if let Some(update) = core.shared().take_preview(seen) {
            seen = update.serial;
            turns.extend(update.turn);
            if let (Some(outline), Some(frame)) = (update.outline, update.frame.as_ref()) {
                assert!(
                    outline.iter().flatten().all(|v| (-0.01..=1.01).contains(v)),
                    "inside the picture: {outline:?}"
                );
                let a = aspect(&outline, frame.width, frame.height);
                // The card is 85.6 × 54 mm (1.59); the face box is about square.
                if (1.4..1.8).contains(&a) {
                    card_outlines += 1;
                } else if (0.8..1.25).contains(&a) {
                    face_outlines += 1;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        *core.screen(),
        Screen::ConsentStart,
        "the face path reached consent"
    );
    assert!(
        card_outlines >= 1,
        "the card was outlined while its front was read"
    );
    assert!(face_outlines >= 1, "then the face was boxed");
    // While the turn is asked for, each picture says how far it has come: from nothing, never back.
    assert!(!turns.is_empty(), "the turn's progress came with the pictures");
    assert!(turns.iter().all(|t| (0.0..=1.0).contains(t)), "{turns:?}");
    assert!(turns.windows(2).all(|w| w[0] <= w[1]), "never back: {turns:?}");
    eprintln!(
        "previews with the card outlined: {card_outlines}, with the face boxed: {face_outlines}, turn progress {turns:?}"
    );
}
