//! The defence against its attacks: generated attack sequences run through the kiosk's face decision
//! (`kiosk_face::FaceCheck`) must be refused, and a bona fide proxy of the same person accepted. Needs
//! the models (`cargo xtask models`).
#![expect(clippy::unwrap_used, reason = "test set-up stops the test when broken")]

use kiosk_face::pad::pad_frame;
use kiosk_face::{
    Challenge, FaceCheck, FaceEngine, FaceModels, FaceOutcome, MatchPolicy, PadPolicy, PadRefusal, RgbImage,
    Stage,
};
use kiosk_pad_corpus::Source;
use kiosk_pad_corpus::sequence;

/// Replays tried by the screen test (seeds of the corpus generator): with these, one is caught by the
/// lattice and one by the outline (seeds 23 and 24 by the outline too; left out for time).
const SEEDS: [u64; 2] = [21, 22];

fn photo(name: &str) -> RgbImage {
    let path = format!("{}/../../assets/{name}", env!("CARGO_MANIFEST_DIR"));
    RgbImage::decode(&std::fs::read(path).unwrap()).unwrap()
}

fn decide(engine: &mut FaceEngine<'_>, challenge: Challenge, frames: &[RgbImage]) -> Stage {
    decide_with(engine, PadPolicy::default(), challenge, frames)
}

fn decide_with(
    engine: &mut FaceEngine<'_>,
    policy: PadPolicy,
    challenge: Challenge,
    frames: &[RgbImage],
) -> Stage {
    let card = engine
        .card_photo_descriptor(
            &std::fs::read(format!(
                "{}/../../assets/photos/obama.jp2",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
    let mut check = FaceCheck::new(MatchPolicy::default(), policy, challenge);
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

/// A phone replaying a video of the holder turning the asked way passes the geometry (the face in the
/// video does turn) and the match: only the picture cues, the screen's lattice and its outline, stop it.
/// The test shows the attack succeeding without them, so it cannot pass by the attack being weak.
#[test]
fn a_phone_replaying_the_turn_passes_the_geometry_and_is_stopped_by_the_picture_cues() {
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let mut engine = FaceEngine::new(&models);
    let obama2 = Source::from_photo(&mut engine, photo("faces/obama2.png")).unwrap();
    let obama3 = Source::from_photo(&mut engine, photo("faces/obama3.png")).unwrap();
    let challenge = sequence::pair_challenge(&obama3, &obama2, 0.2).unwrap();
    let blind = PadPolicy {
        max_lattice: f64::INFINITY,
        max_outline: f64::INFINITY,
        ..PadPolicy::default()
    };
    let mut beaten = 0;
    for seed in SEEDS {
        let replay = sequence::screen_video(&obama3, &obama2, challenge, seed, sequence::ATTACK_FRAMES);
        let without = decide_with(&mut engine, blind, challenge, &replay);
        let with = decide(&mut engine, challenge, &replay);
        eprintln!("seed {seed}: without the picture cues {without:?}, with them {with:?}");
        assert!(
            !matches!(with, Stage::Done(FaceOutcome::Accepted)),
            "seed {seed}: {with:?}"
        );
        beaten += usize::from(without == Stage::Done(FaceOutcome::Accepted));
    }
    assert!(
        beaten > 0,
        "no replay got past the geometry: the test would show nothing"
    );
}

/// The 3-D turn proxy ([`kiosk_pad_corpus::relief`]): one photo's head turned the asked way by 30° is
/// accepted; the same photo not turned, or turned the other way, is not. So the check follows the head's
/// parallax in the warped frames, and the proxy's figures in docs/PAD.md say something about the turn.
#[test]
fn one_photo_turned_in_3d_passes_only_when_it_turns_the_asked_way() {
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let mut engine = FaceEngine::new(&models);
    let obama2 = Source::from_photo(&mut engine, photo("faces/obama2.png")).unwrap();
    for challenge in [Challenge::Left, Challenge::Right] {
        let turned = sequence::bona_fide_turn(&obama2, challenge, 30.0, 31).unwrap();
        let stage = decide(&mut engine, challenge, &turned);
        assert_eq!(stage, Stage::Done(FaceOutcome::Accepted), "{challenge:?}");
    }
    let still = sequence::bona_fide_turn(&obama2, Challenge::Left, 0.0, 32).unwrap();
    let stage = decide(&mut engine, Challenge::Left, &still);
    assert!(
        !matches!(stage, Stage::Done(FaceOutcome::Accepted)),
        "not turned: {stage:?}"
    );
    let wrong = sequence::bona_fide_turn(&obama2, Challenge::Right, 30.0, 33).unwrap();
    let stage = decide(&mut engine, Challenge::Left, &wrong);
    assert!(
        !matches!(stage, Stage::Done(FaceOutcome::Accepted)),
        "the wrong way: {stage:?}"
    );
}

/// An accomplice swapped in for the turn: the holder looks straight, somebody else turns their real head.
/// The turn itself is a real one (measured below), so only the check of whose face turns refuses it.
#[test]
fn an_accomplice_turning_for_the_holder_is_refused() {
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let mut engine = FaceEngine::new(&models);
    let holder = Source::from_photo(&mut engine, photo("faces/obama3.png")).unwrap();
    let stranger = Source::from_photo(&mut engine, photo("faces/biden.png")).unwrap();
    let frames = sequence::accomplice(&holder, &stranger, Challenge::Left, 30.0, 41).unwrap();
    // The stranger's head, turned the same way on its own, turns by more than the check needs.
    let mut yaw = |f: &RgbImage| {
        let a = engine.analyse(f);
        a.landmarks
            .and_then(|l| kiosk_face::pad::PoseCues::from_landmarks(&l))
            .map(|p| p.yaw())
    };
    let own = sequence::bona_fide_turn(&stranger, Challenge::Left, 30.0, 41).unwrap();
    let rest = yaw(&own[0]).unwrap();
    let turned = own[sequence::BONA_FIDE_BEFORE + 4..]
        .iter()
        .filter_map(&mut yaw)
        .map(|y| (y - rest) * Challenge::Left.image_sign())
        .fold(f64::MIN, f64::max);
    assert!(turned > 0.21, "the stranger turned only {turned}");
    let stage = decide(&mut engine, Challenge::Left, &frames);
    assert!(!matches!(stage, Stage::Done(FaceOutcome::Accepted)), "{stage:?}");
}

/// Two prints swapped at the prompt (the holder straight, then the same photo turned 30° in 3-D): the
/// turn is real in the pictures and the face is the holder's, so the geometry and the match pass it;
/// only the outline cue (the print's border, where the camera sees it on both sides) stops it. The test
/// shows the attack succeeding without the picture cues, so it cannot pass by the attack being weak.
/// docs/PAD.md counts the swaps whose border the camera does not see, which get through.
#[test]
fn two_prints_swapped_at_the_prompt_pass_the_geometry_and_are_stopped_by_their_border() {
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let mut engine = FaceEngine::new(&models);
    let obama2 = Source::from_photo(&mut engine, photo("faces/obama2.png")).unwrap();
    let blind = PadPolicy {
        max_lattice: f64::INFINITY,
        max_outline: f64::INFINITY,
        ..PadPolicy::default()
    };
    // Seeds 40–51 all went this way (border in view, accepted without the picture cues): two kept for
    // time, one for each direction.
    for (seed, challenge) in [(40, Challenge::Left), (41, Challenge::Right)] {
        let swap = sequence::print_swap(&obama2, challenge, 30.0, seed, sequence::ATTACK_FRAMES).unwrap();
        let without = decide_with(&mut engine, blind, challenge, &swap);
        assert_eq!(
            without,
            Stage::Done(FaceOutcome::Accepted),
            "seed {seed}: the swap must get past the geometry and the match, or the test shows nothing"
        );
        let with = decide(&mut engine, challenge, &swap);
        assert_eq!(
            with,
            Stage::Done(FaceOutcome::Refused(PadRefusal::PictureOutline)),
            "seed {seed}"
        );
    }
}
