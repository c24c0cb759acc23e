//! `kiosk-face`: check and tune the face matcher.
//!
//! * `kiosk-face compare A B`: distance between the largest faces of two images, and the decision.
//! * `kiosk-face eval PAIRS.csv`: lines `image_a,image_b,same` (same = 1 or 0, paths relative to the
//!   CSV); prints `image_a,image_b,same,distance` per pair, then false accepts and false rejects.
//!
//! * `kiosk-face pad --photo CARD [--challenge left|right] FRAME…`: the kiosk's face decision (match and
//!   liveness, [`kiosk_face::FaceCheck`]) over the frames in order; prints accept or reject with the
//!   scores; exit 0 accept, 1 reject. Without `--challenge` the turn asked for is `left`.
//! * `kiosk-face pad-eval LIST.csv`: lines `type,photo,challenge,frames_dir` (type `bona-fide` or an
//!   attack type; frames are the files of the folder in name order; paths relative to the CSV); prints a
//!   line per presentation, then APCER per attack type and BPCER (ISO/IEC 30107-3) with counts.
//!   `--trace FILE` writes every frame's cues (for calibrating the thresholds).
//!
//! Images: PNG, JPEG or JPEG 2000 (a card photo). Options: `--threshold T` (default 0.6, never above
//! 0.6 for `pad`), `--models DIR` (default: the kiosk's model folder).

mod pad_cli;

use kiosk_face::{Descriptor, FaceEngine, FaceModels, MatchPolicy, RgbImage, models};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  kiosk-face compare IMAGE_A IMAGE_B [--threshold T] [--models DIR]
  kiosk-face eval PAIRS.csv [--threshold T] [--models DIR]
      PAIRS.csv lines: image_a,image_b,same   (same = 1 or 0; paths relative to the CSV file)
  kiosk-face pad --photo CARD [--challenge left|right] FRAME... [--threshold T] [--models DIR]
  kiosk-face pad-eval LIST.csv [--trace FILE] [--threshold T] [--models DIR]
      LIST.csv lines: type,photo,challenge,frames_dir   (type = bona-fide, bona-fide-KIND, or an attack type)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kiosk-face: {message}");
            ExitCode::from(2)
        }
    }
}

struct Options {
    threshold: f32,
    models: PathBuf,
    photo: Option<PathBuf>,
    challenge: Option<String>,
    trace: Option<PathBuf>,
    positional: Vec<String>,
}

fn options(args: Vec<String>) -> Result<Options, String> {
    let mut o = Options {
        threshold: MatchPolicy::default().threshold,
        models: models::default_dir(),
        photo: None,
        challenge: None,
        trace: None,
        positional: Vec::new(),
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--threshold" => {
                let v = it.next().ok_or("--threshold needs a value")?;
                o.threshold = v
                    .parse()
                    .ok()
                    .filter(|t: &f32| t.is_finite() && *t > 0.0)
                    .ok_or(format!("bad threshold {v:?}"))?;
            }
            "--models" => o.models = PathBuf::from(it.next().ok_or("--models needs a folder")?),
            "--photo" => o.photo = Some(PathBuf::from(it.next().ok_or("--photo needs a file")?)),
            "--challenge" => o.challenge = Some(it.next().ok_or("--challenge needs left or right")?),
            "--trace" => o.trace = Some(PathBuf::from(it.next().ok_or("--trace needs a file")?)),
            "-h" | "--help" => return Err(USAGE.into()),
            _ => o.positional.push(a),
        }
    }
    Ok(o)
}

/// The descriptor of the largest face in an image file.
fn describe(engine: &mut FaceEngine<'_>, path: &Path) -> Result<Descriptor, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let img = RgbImage::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let faces = engine.detect_still(&img);
    let face = faces
        .first()
        .ok_or_else(|| format!("{}: no face found", path.display()))?;
    engine
        .describe(&img, face.face)
        .ok_or_else(|| format!("{}: the face could not be aligned", path.display()))
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let command = args.first().cloned().ok_or(USAGE)?;
    let o = options(args[1..].to_vec())?;
    let load = || FaceModels::load(&o.models).map_err(|e| e.to_string());
    match (command.as_str(), o.positional.as_slice()) {
        ("compare", [a, b]) => {
            let models = load()?;
            let mut engine = FaceEngine::new(&models);
            let d = describe(&mut engine, Path::new(a))?.distance(&describe(&mut engine, Path::new(b))?);
            let same = d <= o.threshold;
            println!(
                "distance {d:.4}: {} (threshold {:.2})",
                if same { "same person" } else { "different people" },
                o.threshold
            );
            Ok(if same {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ("eval", [csv]) => {
            let models = load()?;
            let mut engine = FaceEngine::new(&models);
            eval(&mut engine, Path::new(csv), o.threshold)?;
            Ok(ExitCode::SUCCESS)
        }
        ("pad", frames) if !frames.is_empty() => {
            let photo = o.photo.as_deref().ok_or("pad needs --photo CARD")?;
            let challenge = match o.challenge.as_deref() {
                None => kiosk_face::Challenge::Left,
                Some(c) => kiosk_face::Challenge::parse(c)
                    .ok_or(format!("--challenge must be left or right, not {c:?}"))?,
            };
            let models = load()?;
            let mut engine = FaceEngine::new(&models);
            let frames: Vec<PathBuf> = frames.iter().map(PathBuf::from).collect();
            let accepted = pad_cli::pad(&mut engine, photo, challenge, &frames, o.threshold)?;
            Ok(if accepted {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ("pad-eval", [csv]) => {
            let models = load()?;
            let mut engine = FaceEngine::new(&models);
            pad_cli::pad_eval(&mut engine, Path::new(csv), o.threshold, o.trace.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.into()),
    }
}

fn eval(engine: &mut FaceEngine<'_>, csv: &Path, threshold: f32) -> Result<(), String> {
    let text = std::fs::read_to_string(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let base = csv.parent().unwrap_or(Path::new("."));
    let mut cache: HashMap<String, Result<Descriptor, String>> = HashMap::new();
    let (mut same_n, mut diff_n, mut false_accepts, mut false_rejects, mut unusable) = (0, 0, 0, 0, 0);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("image_a") {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [a, b, same] = fields.as_slice() else {
            return Err(format!(
                "{} line {}: expected image_a,image_b,same",
                csv.display(),
                n + 1
            ));
        };
        let same = match *same {
            "1" => true,
            "0" => false,
            other => {
                return Err(format!(
                    "{} line {}: same must be 1 or 0, not {other:?}",
                    csv.display(),
                    n + 1
                ));
            }
        };
        for img in [a, b] {
            if !cache.contains_key(*img) {
                let d = describe(engine, &base.join(img));
                cache.insert(img.to_string(), d);
            }
        }
        let distance = match (&cache[*a], &cache[*b]) {
            (Ok(da), Ok(db)) => da.distance(db),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("kiosk-face: {e}");
                unusable += 1;
                println!("{a},{b},{},nan", u8::from(same));
                continue;
            }
        };
        println!("{a},{b},{},{distance:.4}", u8::from(same));
        if same {
            same_n += 1;
            false_rejects += usize::from(distance > threshold);
        } else {
            diff_n += 1;
            false_accepts += usize::from(distance <= threshold);
        }
    }
    println!(
        "threshold {threshold:.2}: false accepts {false_accepts}/{diff_n}, false rejects {false_rejects}/{same_n}, pairs without a usable face {unusable}"
    );
    Ok(())
}
