//! Bad input gives errors, never panics: random and mutated images, truncated and corrupted model files,
//! absurd landmarks and tiny frames.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_face::{FaceEngine, FaceModels, FaceNet, ModelError, RgbImage, ShapePredictor, chip, models};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn asset(rel: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)).unwrap()
}

fn model_bytes(file: &str) -> &'static [u8] {
    static SP: OnceLock<Vec<u8>> = OnceLock::new();
    static NET: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = if file == models::RESNET_FILE { &NET } else { &SP };
    cell.get_or_init(|| models::read_checked(&models::default_dir(), file).unwrap_or_else(|e| panic!("{e}")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn random_bytes_are_not_images(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        // (A JPEG start marker followed by random bytes could in principle decode; skip that sliver.)
        prop_assume!(!bytes.starts_with(&[0xFF, 0xD8]));
        prop_assert!(RgbImage::decode(&bytes).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn mutated_and_truncated_card_photos_never_panic(cut in 0usize..4000, at in 0usize..4000, value: u8) {
        let mut jp2 = asset("assets/photos/obama.jp2");
        let n = jp2.len();
        jp2[at % n] = value;
        jp2.truncate(cut.max(1));
        let _ = RgbImage::decode(&jp2);
    }

    #[test]
    fn mutated_png_headers_never_panic(at in 0usize..64, value: u8, cut in 8usize..400) {
        let mut png = asset("assets/faces/obama2.png");
        png.truncate(cut);
        png[at % cut] = value;
        let _ = RgbImage::decode(&png);
    }

    #[test]
    fn absurd_landmarks_never_panic(points in proptest::array::uniform5((-100_000i64..100_000, -100_000i64..100_000))) {
        let img = RgbImage::new(64, 48, vec![100; 64 * 48 * 3]).unwrap();
        let _ = chip::extract(&img, &points);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn truncated_models_are_errors(cut_sp in 0usize..9_150_489, cut_net in 0usize..22_466_066) {
        prop_assert!(ShapePredictor::from_bytes(&model_bytes(models::SHAPE_PREDICTOR_FILE)[..cut_sp]).is_err());
        prop_assert!(FaceNet::from_bytes(&model_bytes(models::RESNET_FILE)[..cut_net]).is_err());
    }

    #[test]
    fn corrupted_model_headers_never_panic(at in 0usize..4096, value: u8) {
        let mut sp = model_bytes(models::SHAPE_PREDICTOR_FILE).to_vec();
        sp[at] = value;
        let _ = ShapePredictor::from_bytes(&sp);
        let mut net = model_bytes(models::RESNET_FILE).to_vec();
        net[at] = value;
        let _ = FaceNet::from_bytes(&net);
    }
}

#[test]
fn huge_declared_image_sizes_are_refused() {
    // A PNG header declaring 100000×100000 pixels.
    let mut png = asset("assets/faces/obama2.png");
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(RgbImage::decode(&png).is_err());
}

#[test]
fn missing_and_corrupt_model_files_name_the_file_and_the_fix() {
    let dir = std::env::temp_dir().join(format!("kiosk-face-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = FaceModels::load(&dir).unwrap_err();
    assert!(
        matches!(&err, ModelError::Missing { file, .. } if file == models::SHAPE_PREDICTOR_FILE),
        "{err}"
    );
    assert!(err.to_string().contains("cargo xtask models"), "{err}");
    std::fs::write(dir.join(models::SHAPE_PREDICTOR_FILE), b"not a model").unwrap();
    let err = FaceModels::load(&dir).unwrap_err();
    assert!(
        matches!(&err, ModelError::Corrupt { file, .. } if file == models::SHAPE_PREDICTOR_FILE),
        "{err}"
    );
    assert!(err.to_string().contains("PIN path still works"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The dlib files are parsed as they are read (no second copy of a whole file in memory), and checked
/// against the manifest over every byte: a file that is not the manifest's is refused as corrupt,
/// whatever the parser made of it, and the fix is named.
#[test]
fn a_model_file_unlike_the_manifests_is_refused_though_it_is_parsed_as_read() {
    let dir = std::env::temp_dir().join(format!("kiosk-face-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let real = model_bytes(models::SHAPE_PREDICTOR_FILE);
    let path = dir.join(models::SHAPE_PREDICTOR_FILE);
    let parse = |dir: &std::path::Path| {
        models::parse_checked(dir, models::SHAPE_PREDICTOR_FILE, ShapePredictor::read).map(|_| ())
    };
    std::fs::write(&path, real).unwrap();
    assert!(parse(&dir).is_ok(), "the real file, read as it is parsed");
    for (what, bytes) in [
        ("one byte more", [real, b"\0".as_slice()].concat()),
        ("cut short", real[..real.len() / 2].to_vec()),
    ] {
        std::fs::write(&path, bytes).unwrap();
        let err = parse(&dir).unwrap_err();
        assert!(
            err.to_string()
                .contains("its SHA-256 does not match the manifest")
                && err.to_string().contains("cargo xtask models"),
            "{what}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tiny_frames_and_wrong_chip_sizes_are_handled() {
    let models = FaceModels::load_default().unwrap_or_else(|e| panic!("{e}"));
    let mut engine = FaceEngine::new(&models);
    for (w, h) in [(1, 1), (39, 39), (40, 40), (41, 7), (2000, 1)] {
        let img = RgbImage::new(w, h, vec![90; w * h * 3]).unwrap();
        let a = engine.analyse(&img);
        assert_eq!(a.guidance, kiosk_face::Guidance::NoFace, "{w}x{h}");
    }
    assert!(models.net().descriptor(&[0; 10]).is_none());
}
