//! `kiosk-face` as clinic IT uses it. Needs the models (`cargo xtask models`).
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk-face"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn eval_prints_every_pair_and_the_error_counts() {
    let (code, out, err) = run(&["eval", "assets/faces/pairs.csv"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().filter(|l| l.matches(',').count() == 3).collect();
    assert_eq!(rows.len(), 18);
    assert!(
        rows.iter()
            .all(|r| r.rsplit(',').next().unwrap().parse::<f32>().is_ok()),
        "{out}"
    );
    assert!(out.contains("false accepts 0/8, false rejects 0/10"), "{out}");
    // A strict threshold turns same-person pairs into false rejects.
    let (_, strict, _) = run(&["eval", "assets/faces/pairs.csv", "--threshold", "0.3"]);
    assert!(
        strict.contains("false accepts 0/8") && !strict.contains("false rejects 0/10"),
        "{strict}"
    );
}

#[test]
fn compare_says_same_or_different_in_its_exit_code() {
    let (code, out, _) = run(&["compare", "assets/photos/obama.jp2", "assets/faces/obama3.png"]);
    assert_eq!(code, 0);
    assert!(out.contains("same person"), "{out}");
    let (code, out, _) = run(&["compare", "assets/photos/obama.jp2", "assets/faces/biden.png"]);
    assert_eq!(code, 1);
    assert!(out.contains("different people"), "{out}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let (code, _, err) = run(&["compare", "assets/faces/README.md", "assets/faces/biden.png"]);
    assert_eq!(code, 2);
    assert!(err.contains("README.md"), "{err}");
    let (code, _, err) = run(&["compare", "a.png", "b.png", "--models", "/nonexistent"]);
    assert_eq!(code, 2);
    assert!(err.contains("cargo xtask models"), "{err}");
    let (code, _, err) = run(&["eval", "assets/faces/pairs.csv", "--threshold", "abc"]);
    assert_eq!(code, 2);
    assert!(err.contains("threshold"), "{err}");
}

/// Kiosk-like 640×480 frames of a photo (face centred, 40 % of the width), written as PNG into `dir`;
/// returns their paths.
fn kiosk_frames(dir: &std::path::Path, photo: &str, n: usize, first: usize) -> Vec<String> {
    use kiosk_face::{FaceEngine, FaceModels, RgbImage};
    let models = FaceModels::load_default().unwrap();
    let mut engine = FaceEngine::new(&models);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/faces/");
    let src = RgbImage::decode(&std::fs::read(format!("{root}{photo}")).unwrap()).unwrap();
    let face = engine.detect_still(&src)[0].face;
    let (cx, cy) = (
        (face.left + face.right) as f64 / 2.0,
        (face.top + face.bottom) as f64 / 2.0,
    );
    let scale = 0.4 * 640.0 / face.width() as f64;
    (0..n)
        .map(|i| {
            let mut data = vec![120u8; 640 * 480 * 3];
            for y in 0..480 {
                for x in 0..640 {
                    let ux = ((x as f64 - 320.0 - i as f64) / scale + cx).round();
                    let uy = ((y as f64 - 240.0) / scale + cy).round();
                    if ux >= 0.0 && uy >= 0.0 && (ux as usize) < src.width && (uy as usize) < src.height {
                        let s = (uy as usize * src.width + ux as usize) * 3;
                        data[(y * 640 + x) * 3..(y * 640 + x) * 3 + 3].copy_from_slice(&src.data[s..s + 3]);
                    }
                }
            }
            let path = dir.join(format!("{:02}.png", first + i));
            image::save_buffer(&path, &data, 640, 480, image::ExtendedColorType::Rgb8).unwrap();
            path.display().to_string()
        })
        .collect()
}

#[test]
fn pad_accepts_the_asked_turn_and_refuses_a_still_picture() {
    let dir = std::env::temp_dir().join(format!("kiosk-face-pad-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // obama3 faces the image's right a little, obama2 the image's left: from one to the other the head
    // turns to the patient's right.
    let mut turn = kiosk_frames(&dir, "obama3.png", 3, 0);
    turn.extend(kiosk_frames(&dir, "obama2.png", 3, 3));
    let card = "assets/photos/obama.jp2";
    let args = |challenge: &'static str, frames: &[String]| {
        let mut a = vec![
            "pad".to_string(),
            "--photo".into(),
            card.into(),
            "--challenge".into(),
            challenge.into(),
        ];
        a.extend(frames.iter().cloned());
        a
    };
    let as_str = |v: &[String]| v.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
    let (code, out, err) = run(&args("right", &turn)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}{err} ({})", as_str(&turn));
    assert!(out.starts_with("accept"), "{out}");
    // The same frames when the other way was asked: the head turned the wrong way.
    let (code, out, _) = run(&args("left", &turn).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(out.contains("wrong-way"), "{out}");
    // A still picture (the same photo in every frame, as a print held still): no turn.
    let still = kiosk_frames(&dir, "obama3.png", 15, 10);
    let (code, out, _) = run(&args("left", &still)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(out.contains("no-turn"), "{out}");
    // Without --photo, or with a bad direction: a clear error.
    let (code, _, err) = run(&["pad", "a.png"]);
    assert_eq!((code, err.contains("--photo")), (2, true), "{err}");
    let (code, _, err) = run(&["pad", "--photo", card, "--challenge", "up", "a.png"]);
    assert_eq!((code, err.contains("left or right")), (2, true), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
