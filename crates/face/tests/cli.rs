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
