//! Face-engine benchmark (`cargo xtask bench`): detection at 320×240 and 640×480, landmarks, chip,
//! descriptor, a whole 640×480 kiosk frame, the frame as the kiosk runs it (tracked between detections),
//! the liveness check's own cost, and peak memory. When `DLIB_PYTHON` names a Python with
//! dlib-bin installed, dlib's own binding is timed on the same frames in the same run
//! (`benches/dlib_bench.py`). It prints figures and asserts nothing about time.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops on a broken set-up; it is not product code"
)]

use kiosk_face::{FaceEngine, FaceModels, RgbImage, chip};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f(); // warm-up
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(f());
            s.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

/// Mean of `runs` calls after a warm-up: for work whose cost cycles (a detection every few tracked
/// frames), the mean is the cost per frame.
fn time_mean<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f();
    let s = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    s.elapsed() / runs as u32
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// A kiosk-like frame: obama2.png scaled so the face is about 40% of the width, centred.
fn frame(src: &RgbImage, w: usize, h: usize) -> RgbImage {
    let scale = 0.9 * w as f64 / 640.0;
    let mut data = vec![128u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let ux = ((x as f64 - w as f64 / 2.0) / scale + 304.0).round() as i64;
            let uy = ((y as f64 - h as f64 / 2.0) / scale + 424.0).round() as i64;
            if ux >= 0 && uy >= 0 && (ux as usize) < src.width && (uy as usize) < src.height {
                let i = (uy as usize * src.width + ux as usize) * 3;
                data[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&src.data[i..i + 3]);
            }
        }
    }
    RgbImage::new(w, h, data).expect("frame size")
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let src = RgbImage::decode(&std::fs::read(root.join("assets/faces/obama2.png")).expect("photo"))
        .expect("decode");
    let models = FaceModels::load_default().expect("models: run `cargo xtask models`");
    let f640 = frame(&src, 640, 480);
    let f320 = frame(&src, 320, 240);
    let runs = 20;
    let timings = measure(&models, &f320, &f640, runs);
    print_table(&timings, runs);
    if let Some(python) = std::env::var_os("DLIB_PYTHON") {
        if let Some(dlib_whole) = time_dlib(&python, &[("f320.png", &f320), ("f640.png", &f640)], runs) {
            let ours = (timings.tracked + timings.liveness).as_secs_f64() * 1000.0;
            println!(
                "\nkiosk frame with the liveness check {ours:.1} ms against dlib-bin's whole frame {dlib_whole:.1} ms: {:.1}x faster, {:.0} frames/s",
                dlib_whole / ours,
                1000.0 / ours
            );
        }
    } else {
        println!(
            "\n(set DLIB_PYTHON to a Python with dlib-bin to time dlib beside it; `cargo xtask bench` does)"
        );
    }
}

/// Median times of each step of the face engine, one field per row of the printed table.
struct Timings {
    detect_320: Duration,
    detect_640: Duration,
    detect_640_kiosk: Duration,
    landmarks: Duration,
    chip: Duration,
    descriptor: Duration,
    whole: Duration,
    tracked: Duration,
    lattice: Duration,
    outline: Duration,
    liveness: Duration,
}

/// Time each step on its own, feeding each the previous step's real output, then the whole kiosk frame,
/// so a regression can be placed in one step.
fn measure(models: &FaceModels, f320: &RgbImage, f640: &RgbImage, runs: usize) -> Timings {
    let mut engine = FaceEngine::new(models);
    let grey640 = f640.grey();
    let grey320 = f320.grey();
    let mut det = kiosk_face::Detector::new_default_for_bench(models);
    let detect_320 = time(runs, || det.detect_grey(&grey320, 320, 240, 320));
    let detect_640 = time(runs, || det.detect_grey(&grey640, 640, 480, 640));
    let detect_640_kiosk = time(runs, || engine.detect(f640));
    let face = engine
        .detect(f640)
        .first()
        .expect("a face in the benchmark frame")
        .face;
    let landmarks = time(runs, || models.predictor().predict(f640, face));
    let points = models.predictor().predict(f640, face);
    let chip = time(runs, || chip::extract(f640, &points));
    let chip_img = chip::extract(f640, &points).expect("chip");
    let descriptor = time(runs, || models.net().descriptor(&chip_img.data));
    let whole = time(runs, || engine.analyse(f640));
    // The kiosk's loop: tracked frames with a detection every REDETECT_EVERY frames (mean per frame,
    // over whole cycles).
    engine.reset_tracking();
    let cycle = kiosk_face::engine::REDETECT_EVERY as usize;
    let tracked = time_mean(cycle * runs.div_ceil(cycle), || engine.track(f640));
    // The liveness check's own work per frame: pose cues, the screen-lattice and outline scores, the
    // decision step.
    let mut check = kiosk_face::FaceCheck::new(
        kiosk_face::MatchPolicy::default(),
        kiosk_face::PadPolicy::default(),
        kiosk_face::Challenge::Left,
    );
    // Its two picture cues on their own, so a change in either shows where it is.
    let lattice = time(runs, || kiosk_face::pad::lattice::score(f640, face));
    let outline = time(runs, || kiosk_face::pad::outline::score(f640, &points));
    let liveness = time(runs, || {
        let pose = kiosk_face::pad::PoseCues::from_landmarks(&points).expect("pose");
        let frame = kiosk_face::PadFrame {
            pose,
            distance: 0.4,
            descriptor: kiosk_face::Descriptor([0.0; 128]),
            lattice: kiosk_face::pad::lattice::score(f640, face),
            outline: kiosk_face::pad::outline::score(f640, &points),
        };
        check.push(Some(&frame))
    });
    Timings {
        detect_320,
        detect_640,
        detect_640_kiosk,
        landmarks,
        chip,
        descriptor,
        whole,
        tracked,
        lattice,
        outline,
        liveness,
    }
}

/// The Markdown table docs/benchmarks.md takes, and the peak memory with the models loaded.
fn print_table(t: &Timings, runs: usize) {
    println!("\nFace engine (kiosk-face, release build), median of {runs} runs after a warm-up\n");
    println!("| step | kiosk-face ms |");
    println!("|---|---:|");
    println!("| detection 320×240 (full size) | {} |", ms(t.detect_320));
    println!("| detection 640×480 (full size) | {} |", ms(t.detect_640));
    println!(
        "| detection 640×480 as the kiosk runs it (shrunk to 320) | {} |",
        ms(t.detect_640_kiosk)
    );
    println!("| 5-point landmarks | {} |", ms(t.landmarks));
    println!("| face chip 150×150 | {} |", ms(t.chip));
    println!("| descriptor (ResNet) | {} |", ms(t.descriptor));
    println!(
        "| whole 640×480 frame (detect, guidance, landmarks, chip, descriptor) | {} |",
        ms(t.whole)
    );
    println!(
        "| kiosk frame: tracked, a detection every {} frames (mean) | {} |",
        kiosk_face::engine::REDETECT_EVERY,
        ms(t.tracked)
    );
    println!(
        "| liveness check per frame (pose cues, screen lattice, outline, decision) | {} |",
        ms(t.liveness)
    );
    println!("| of which the screen-lattice cue | {} |", ms(t.lattice));
    println!("| of which the outline cue | {} |", ms(t.outline));
    println!(
        "| kiosk frame with the liveness check | {} |",
        ms(t.tracked + t.liveness)
    );
    println!(
        "\npeak resident memory: {:.0} MB (models loaded, all of the above)",
        peak_rss_mb()
    );
}

/// Time dlib's own Python binding on the same frames (`benches/dlib_bench.py`), so the comparison is made
/// on one machine in one run rather than against figures from elsewhere.
fn time_dlib(python: &OsStr, frames: &[(&str, &RgbImage)], runs: usize) -> Option<f64> {
    let dir = std::env::temp_dir().join(format!("kiosk-face-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for &(name, f) in frames {
        image::save_buffer(
            dir.join(name),
            &f.data,
            f.width as u32,
            f.height as u32,
            image::ColorType::Rgb8,
        )
        .expect("png");
    }
    let out = std::process::Command::new(python)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/dlib_bench.py"))
        .arg(&dir)
        .arg(kiosk_face::models::default_dir())
        .arg(runs.to_string())
        .output()
        .expect("run dlib_bench.py");
    println!(
        "\ndlib-bin on the same frames (same run):\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    if !out.status.success() {
        eprintln!("dlib_bench.py failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(dir);
    // The "whole 640x480 frame" row, for the comparison.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("| whole 640x480 frame |"))
        .and_then(|l| l.split('|').nth(2)?.trim().parse().ok())
}
