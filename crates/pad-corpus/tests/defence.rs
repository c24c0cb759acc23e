//! The defence against its attacks: generated attack sequences run through the kiosk's face decision
//! (`kiosk_face::FaceCheck`) must be refused, and a bona fide proxy of the same person accepted. Needs
//! the models (`cargo xtask models`).
#![expect(clippy::unwrap_used, reason = "test set-up stops the test when broken")]

use kiosk_face::pad::pad_frame;
use kiosk_face::{
    Challenge, FaceCheck, FaceEngine, FaceModels, FaceOutcome, MatchPolicy, PadPolicy, RgbImage, Stage,
};
use kiosk_pad_corpus::Source;
use kiosk_pad_corpus::sequence;

fn photo(name: &str) -> RgbImage {
    let path = format!("{}/../../assets/{name}", env!("CARGO_MANIFEST_DIR"));
    RgbImage::decode(&std::fs::read(path).unwrap()).unwrap()
}

fn decide(engine: &mut FaceEngine<'_>, challenge: Challenge, frames: &[RgbImage]) -> Stage {
    let card = engine
        .card_photo_descriptor(
            &std::fs::read(format!(
                "{}/../../assets/photos/obama.jp2",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
    let mut check = FaceCheck::new(MatchPolicy::default(), PadPolicy::default(), challenge);
    for f in frames {
        let a = engine.analyse(f);
        check.push(pad_frame(f, &a, &card).as_ref());
    }
    check.stage()
}

#[test]
fn prints_and_the_card_photo_are_refused_and_the_proxy_turn_is_accepted() {
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let mut engine = FaceEngine::new(&models);
    let obama2 = Source::from_photo(&mut engine, photo("faces/obama2.png")).unwrap();
    let obama3 = Source::from_photo(&mut engine, photo("faces/obama3.png")).unwrap();
    let card_source = Source::from_photo(&mut engine, photo("faces/obama.png")).unwrap();

    // Bona fide proxy: obama3 looking one way, then obama2 turned the other (the pair the corpus uses).
    let challenge = sequence::pair_challenge(&obama3, &obama2, 0.2).expect("the two photos differ in pose");
    let live = sequence::bona_fide(&obama3, &obama2, 11);
    assert_eq!(
        decide(&mut engine, challenge, &live),
        Stage::Done(FaceOutcome::Accepted)
    );

    // The same person's photo printed and turned the asked way by the attacker.
    let attack = sequence::printed(&obama2, challenge, 12, sequence::ATTACK_FRAMES);
    assert!(
        !matches!(
            decide(&mut engine, challenge, &attack),
            Stage::Done(FaceOutcome::Accepted)
        ),
        "a print turned by hand must not pass"
    );

    // A print of the very photo the card photo was made from: a near-copy of the card photo.
    let copy = sequence::printed(&card_source, Challenge::Left, 13, sequence::ATTACK_FRAMES);
    let stage = decide(&mut engine, Challenge::Left, &copy);
    assert!(!matches!(stage, Stage::Done(FaceOutcome::Accepted)), "{stage:?}");
}
