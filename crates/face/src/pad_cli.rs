//! `kiosk-face pad` and `kiosk-face pad-eval`: the kiosk's face decision over recorded frames, and its
//! error rates over a labelled corpus in ISO/IEC 30107-3 terms.

use kiosk_face::pad::{self, PadFrame};
use kiosk_face::{Challenge, FaceCheck, FaceEngine, FaceOutcome, MatchPolicy, PadPolicy, RgbImage, Stage};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The label of bona fide presentations in a list; a label that starts with it and a `-` is a kind of
/// bona fide presentation too (`bona-fide-turn-25`: a 3-D turn proxy of 25°), with a BPCER of its own.
pub const BONA_FIDE: &str = "bona-fide";

fn is_bona_fide(kind: &str) -> bool {
    kind.strip_prefix(BONA_FIDE)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The result of one presentation.
pub struct Presentation {
    pub check: FaceCheck,
    /// Per frame: the cues, `None` for a frame without a usable face.
    pub frames: Vec<Option<PadFrame>>,
    /// Per frame: what the quality guidance said (why a frame had no usable face).
    pub guidance: Vec<kiosk_face::Guidance>,
}

impl Presentation {
    pub fn accepted(&self) -> bool {
        self.check.stage() == Stage::Done(FaceOutcome::Accepted)
    }

    /// `accept`, or `reject (why)`.
    pub fn verdict(&self) -> String {
        match self.check.stage() {
            Stage::Done(FaceOutcome::Accepted) => "accept".into(),
            Stage::Done(FaceOutcome::NoMatch) => "reject (no match)".into(),
            Stage::Done(FaceOutcome::Refused(r)) => format!("reject ({})", r.name()),
            Stage::LookStraight | Stage::Turn(_) => "reject (undecided: the frames ran out)".into(),
        }
    }

    pub fn reason(&self) -> &'static str {
        match self.check.stage() {
            Stage::Done(FaceOutcome::Accepted) => "accepted",
            Stage::Done(FaceOutcome::NoMatch) => "no-match",
            Stage::Done(FaceOutcome::Refused(r)) => r.name(),
            Stage::LookStraight | Stage::Turn(_) => "undecided",
        }
    }

    pub fn scores_line(&self) -> String {
        let s = self.check.scores();
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        format!(
            "match distance {} ({}/{} frames agreed), straight distance {}, turn {}, lattice {}, outline {}, frames {}",
            f(s.matching.distance.map(f64::from)),
            s.matching.frames_agreed,
            s.matching.frames_seen,
            f(s.straight_distance.map(f64::from)),
            f(s.turn),
            f(s.lattice),
            f(s.outline),
            s.frames
        )
    }
}

fn read_image(path: &Path) -> Result<RgbImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    RgbImage::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Run the kiosk's face decision over `frames` in order. Every frame is analysed (for the trace); the
/// decision uses them until it is made.
pub fn present(
    engine: &mut FaceEngine<'_>,
    photo: &Path,
    challenge: Challenge,
    frames: &[PathBuf],
    threshold: f32,
) -> Result<Presentation, String> {
    let jp2 = std::fs::read(photo).map_err(|e| format!("{}: {e}", photo.display()))?;
    let card = engine
        .card_photo_descriptor(&jp2)
        .map_err(|e| format!("{}: {e}", photo.display()))?;
    let policy = MatchPolicy {
        threshold,
        ..MatchPolicy::default()
    };
    let mut check = FaceCheck::new(policy, PadPolicy::default(), challenge);
    let mut cues = Vec::with_capacity(frames.len());
    let mut guidance = Vec::with_capacity(frames.len());
    // As the kiosk does: the frames of one attempt are consecutive, so the face is tracked between
    // detections.
    engine.reset_tracking();
    for path in frames {
        let img = read_image(path)?;
        let analysis = engine.track(&img);
        let f = pad::pad_frame(&img, &analysis, &card);
        check.push(f.as_ref());
        cues.push(f);
        guidance.push(analysis.guidance);
    }
    Ok(Presentation {
        check,
        frames: cues,
        guidance,
    })
}

/// `kiosk-face pad`: prints the decision and the scores; true when accepted.
pub fn pad(
    engine: &mut FaceEngine<'_>,
    photo: &Path,
    challenge: Challenge,
    frames: &[PathBuf],
    threshold: f32,
) -> Result<bool, String> {
    let p = present(engine, photo, challenge, frames, threshold)?;
    println!("{} (turn asked: {})", p.verdict(), challenge.name());
    println!("{}", p.scores_line());
    Ok(p.accepted())
}

/// The frames of a presentation: the image files in `dir`, in name order.
fn frames_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "png" | "jpg" | "jpeg"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no frames (png or jpg)", dir.display()));
    }
    Ok(files)
}

#[derive(Default)]
struct Tally {
    presentations: usize,
    accepted: usize,
    reasons: BTreeMap<&'static str, usize>,
}

/// `kiosk-face pad-eval`.
pub fn pad_eval(
    engine: &mut FaceEngine<'_>,
    csv: &Path,
    threshold: f32,
    trace: Option<&Path>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let base = csv.parent().unwrap_or(Path::new("."));
    let mut trace = match trace {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    println!(
        "type,frames_dir,challenge,decision,reason,straight_distance,match_distance,turn,lattice,outline"
    );
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("type,") {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [kind, photo, challenge, dir] = fields.as_slice() else {
            return Err(format!(
                "{} line {}: expected type,photo,challenge,frames_dir",
                csv.display(),
                n + 1
            ));
        };
        let challenge = Challenge::parse(challenge).ok_or(format!(
            "{} line {}: challenge must be left or right, not {challenge:?}",
            csv.display(),
            n + 1
        ))?;
        let frames = frames_in(&base.join(dir))?;
        let p = present(engine, &base.join(photo), challenge, &frames, threshold)?;
        let s = p.check.scores();
        let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
        println!(
            "{kind},{dir},{},{},{},{},{},{},{},{}",
            challenge.name(),
            if p.accepted() { "accept" } else { "reject" },
            p.reason(),
            f(s.straight_distance.map(f64::from)),
            f(s.matching.distance.map(f64::from)),
            f(s.turn),
            f(s.lattice),
            f(s.outline)
        );
        if let Some(t) = trace.as_mut() {
            for (i, fr) in p.frames.iter().enumerate() {
                let row = match fr {
                    Some(fr) => format!(
                        "{:.4},{:.4},{:.4},{:.4},{},{}",
                        fr.pose.nose_offset,
                        fr.pose.eye_width_log_ratio,
                        fr.pose.nose_drop,
                        fr.distance,
                        f(fr.lattice),
                        f(fr.outline)
                    ),
                    None => format!(",,,,,,{:?}", p.guidance[i]),
                };
                writeln!(t, "{kind},{dir},{},{i},{row}", challenge.name()).map_err(|e| e.to_string())?;
            }
        }
        let tally = tallies.entry(kind.to_string()).or_default();
        tally.presentations += 1;
        tally.accepted += usize::from(p.accepted());
        *tally.reasons.entry(p.reason()).or_default() += 1;
    }
    print_table(&tallies);
    Ok(())
}

fn print_table(tallies: &BTreeMap<String, Tally>) {
    let pct = |a: usize, n: usize| {
        if n == 0 {
            "-".to_string()
        } else {
            format!("{:.1} %", 100.0 * a as f64 / n as f64)
        }
    };
    let reasons = |t: &Tally| {
        t.reasons
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!();
    println!("| presentations | count | accepted | rejected | rate | outcomes |");
    println!("|---|---:|---:|---:|---|---|");
    for (kind, t) in tallies.iter().filter(|(k, _)| !is_bona_fide(k)) {
        println!(
            "| attack: {kind} | {} | {} | {} | APCER {} | {} |",
            t.presentations,
            t.accepted,
            t.presentations - t.accepted,
            pct(t.accepted, t.presentations),
            reasons(t)
        );
    }
    for (kind, t) in tallies.iter().filter(|(k, _)| is_bona_fide(k)) {
        let what = match kind.strip_prefix(BONA_FIDE).and_then(|r| r.strip_prefix('-')) {
            Some(variant) => format!("bona fide: {variant}"),
            None => "bona fide".to_string(),
        };
        println!(
            "| {what} | {} | {} | {} | BPCER {} | {} |",
            t.presentations,
            t.accepted,
            t.presentations - t.accepted,
            pct(t.presentations - t.accepted, t.presentations),
            reasons(t)
        );
    }
    let worst = tallies
        .iter()
        .filter(|(k, t)| !is_bona_fide(k) && t.presentations > 0)
        .map(|(k, t)| (t.accepted as f64 / t.presentations as f64, k))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((rate, kind)) = worst {
        println!("\nworst attack type: {kind}, APCER {:.1} %", 100.0 * rate);
    }
}

#[cfg(test)]
mod tests {
    use super::is_bona_fide;

    #[test]
    fn bona_fide_kinds_are_told_from_attacks_by_their_label() {
        assert!(is_bona_fide("bona-fide"));
        assert!(is_bona_fide("bona-fide-turn-25"));
        assert!(!is_bona_fide("bona-fidelity"));
        assert!(!is_bona_fide("print"));
        assert!(!is_bona_fide("screen-video"));
    }
}
