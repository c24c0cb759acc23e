//! `kiosk-pad-corpus OUT [--per-type N] [--repeats R] [--seed S] [--assets DIR] [--types LIST]`: write
//! the attack corpus and bona fide proxies made from the project's test photos (assets/faces,
//! assets/photos) as JPEG frame folders, with `OUT/list.csv` for `kiosk-face pad-eval`. `--types` takes
//! a comma-separated subset of
//! `bona-fide,bona-fide-turn,card,print,screen-still,screen-video,accomplice,print-swap` (all by
//! default), for a quicker calibration run of one cue. `bona-fide-turn` proxies turn each live photo's
//! head in 3-D both ways by each angle of `--turn-degrees` (20, 25, 30, 35 and 40 by default), labelled
//! `bona-fide-turn-20` and so on, so `kiosk-face pad-eval` gives a BPCER for each angle.

use kiosk_cardfront::synth::Rng;
use kiosk_face::{Challenge, FaceEngine, FaceModels, RgbImage};
use kiosk_pad_corpus::scene::jpeg;
use kiosk_pad_corpus::sequence::{self, ATTACK_FRAMES, Attack, Person, Source};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: kiosk-pad-corpus OUT [--per-type N] [--repeats R] [--seed S] [--assets DIR] \
     [--types LIST] [--min-pair-change X] [--turn-degrees LIST]";

/// A proxy pair stands in for a turn only when the two photos' poses differ by this much (eye distances),
/// unless `--min-pair-change` says otherwise: with a larger value the proxies stand for patients who
/// turned clearly more than the check needs (0.21), which shows how much of the bona fide error is the
/// size of the proxies' turns (docs/PAD.md).
const MIN_PAIR_CHANGE: f64 = 0.2;

/// The label of bona fide presentations in the list (as `kiosk-face pad-eval` reads it).
const BONA_FIDE: &str = "bona-fide";
/// The type name of the 3-D turn proxies; each is labelled with its angle, `bona-fide-turn-25`.
const BONA_FIDE_TURN: &str = "bona-fide-turn";
/// Head turns of the 3-D turn proxies (degrees): from about the turn the check's 0.21 stands for to
/// what a patient following the turn screen's progress bar might reach (full rotation is about 75–80°
/// a side for young adults, a quarter less at 70–90 years: docs/PAD.md).
const TURN_DEGREES: [u32; 5] = [20, 25, 30, 35, 40];
/// Mixed into the seed for the 3-D turn proxies' random stream ("turn").
const TURN_STREAM: u64 = 0x7475_726e;

struct Options {
    out: PathBuf,
    per_type: usize,
    repeats: usize,
    seed: u64,
    assets: PathBuf,
    /// Which presentation types to write (`None`: all).
    types: Option<Vec<String>>,
    /// The pose change a proxy pair needs (eye distances).
    min_pair_change: f64,
    /// The turns of the 3-D turn proxies (degrees).
    turn_degrees: Vec<u32>,
}

impl Options {
    fn wants(&self, kind: &str) -> bool {
        self.types.as_ref().is_none_or(|t| t.iter().any(|k| k == kind))
    }
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        out: PathBuf::new(),
        per_type: 60,
        repeats: 3,
        seed: 1,
        assets: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets"),
        types: None,
        min_pair_change: MIN_PAIR_CHANGE,
        turn_degrees: TURN_DEGREES.to_vec(),
    };
    let mut it = std::env::args().skip(1);
    let num = |v: Option<String>, what: &str| -> Result<u64, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or(format!("{what} needs a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--per-type" => o.per_type = num(it.next(), "--per-type")? as usize,
            "--repeats" => o.repeats = num(it.next(), "--repeats")? as usize,
            "--seed" => o.seed = num(it.next(), "--seed")?,
            "--assets" => o.assets = PathBuf::from(it.next().ok_or("--assets needs a folder")?),
            "--types" => {
                let list = it.next().ok_or("--types needs a list")?;
                let known = |k: &str| {
                    k == BONA_FIDE || k == BONA_FIDE_TURN || Attack::ALL.iter().any(|a| a.name() == k)
                };
                let types: Vec<String> = list.split(',').map(|k| k.trim().to_string()).collect();
                if let Some(bad) = types.iter().find(|k| !known(k)) {
                    return Err(format!("--types: unknown type {bad:?}\n{USAGE}"));
                }
                o.types = Some(types);
            }
            "--min-pair-change" => {
                o.min_pair_change = it
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or(format!("--min-pair-change needs a number from 0 to 1\n{USAGE}"))?;
            }
            "--turn-degrees" => {
                let list = it.next().unwrap_or_default();
                o.turn_degrees = list
                    .split(',')
                    .map(|d| d.trim().parse::<u32>().ok().filter(|d| (1..=60).contains(d)))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(format!(
                        "--turn-degrees needs whole degrees from 1 to 60, comma-separated, not {list:?}\n{USAGE}"
                    ))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if o.out.as_os_str().is_empty() => o.out = PathBuf::from(a),
            _ => return Err(USAGE.into()),
        }
    }
    if o.out.as_os_str().is_empty() {
        return Err(USAGE.into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    match options().and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-pad-corpus: {e}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<RgbImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    RgbImage::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn source(engine: &mut FaceEngine<'_>, img: RgbImage) -> Option<Source> {
    Source::from_photo(engine, img)
}

/// A tile edge is a straight run of sharp steps at least this share of the face's size long.
const SEAM_RUN: f64 = 0.35;
/// Grey step across a tile edge (levels, over 3 pixels).
const SEAM_STEP: i32 = 14;

/// Whether `steps` (one flag a pixel along a candidate seam) hold a run of at least `min` set flags,
/// allowing gaps of two pixels (JPEG and similar colours on both sides break a seam here and there).
fn has_run(steps: impl Iterator<Item = bool>, min: usize) -> bool {
    let (mut run, mut gap) = (0usize, 0usize);
    for s in steps {
        if s {
            run += 1 + gap;
            gap = 0;
        } else if run > 0 && gap < 2 {
            gap += 1;
        } else {
            run = 0;
            gap = 0;
        }
        if run >= min {
            return true;
        }
    }
    false
}

/// The collage tile holding `face`, as `(x0, y0, x1, y1)`. bald_guys.png is a collage of abutting
/// photos: a crop across a tile's edge would frame the face with straight edges no live head has (and
/// which the outline cue looks for). Each side of the tile is the nearest column (row) outside the face
/// where the picture steps sharply along a straight run of at least [`SEAM_RUN`] of the face's size,
/// near the face; the image's edge otherwise. Natural edges (hair, shoulders) are curved and do not
/// hold such a run on one column.
fn tile_around(img: &RgbImage, face: kiosk_face::FaceBox) -> (usize, usize, usize, usize) {
    let grey = |x: usize, y: usize| {
        let i = (y * img.width + x) * 3;
        (i32::from(img.data[i]) + i32::from(img.data[i + 1]) + i32::from(img.data[i + 2])) / 3
    };
    let (fw, fh) = (face.width(), face.height());
    let clampx = |v: i64| v.clamp(2, img.width as i64 - 2) as usize;
    let clampy = |v: i64| v.clamp(2, img.height as i64 - 2) as usize;
    // Seams are looked for along the face and half a face beyond it.
    let (sx0, sx1) = (clampx(face.left - fw / 2), clampx(face.right + fw / 2));
    let (sy0, sy1) = (clampy(face.top - fh / 2), clampy(face.bottom + fh / 2));
    let min_v = (SEAM_RUN * fh as f64) as usize;
    let min_h = (SEAM_RUN * fw as f64) as usize;
    let column_seam = |x: usize| {
        has_run(
            (sy0..sy1).map(|y| (grey(x + 1, y) - grey(x - 2, y)).abs() >= SEAM_STEP),
            min_v,
        )
    };
    let row_seam = |y: usize| {
        has_run(
            (sx0..sx1).map(|x| (grey(x, y + 1) - grey(x, y - 2)).abs() >= SEAM_STEP),
            min_h,
        )
    };
    let margin = (fw / 10).max(2);
    let left = (2..clampx(face.left - margin))
        .rev()
        .find(|&x| column_seam(x))
        .unwrap_or(0);
    let right = (clampx(face.right + margin)..img.width - 2)
        .find(|&x| column_seam(x))
        .unwrap_or(img.width);
    let top = (2..clampy(face.top - margin))
        .rev()
        .find(|&y| row_seam(y))
        .unwrap_or(0);
    let bottom = (clampy(face.bottom + margin)..img.height - 2)
        .find(|&y| row_seam(y))
        .unwrap_or(img.height);
    (left, top, right, bottom)
}

/// A crop of `img` around `face`, `k` face widths wide but inside `tile`, and the face box inside it.
fn crop(
    img: &RgbImage,
    face: kiosk_face::FaceBox,
    k: f64,
    (tx0, ty0, tx1, ty1): (usize, usize, usize, usize),
) -> (RgbImage, kiosk_face::FaceBox) {
    let w = face.width() as f64 * k;
    let cx = (face.left + face.right) as f64 / 2.0;
    let cy = (face.top + face.bottom) as f64 / 2.0;
    let x0 = ((cx - w / 2.0).max(0.0) as usize).max(tx0);
    let y0 = ((cy - w / 2.0).max(0.0) as usize).max(ty0);
    let x1 = ((cx + w / 2.0) as usize).min(img.width).min(tx1);
    let y1 = ((cy + w / 2.0) as usize).min(img.height).min(ty1);
    let mut data = Vec::with_capacity((x1 - x0) * (y1 - y0) * 3);
    for y in y0..y1 {
        data.extend_from_slice(&img.data[(y * img.width + x0) * 3..(y * img.width + x1) * 3]);
    }
    let out = RgbImage {
        width: x1 - x0,
        height: y1 - y0,
        data,
    };
    let b = kiosk_face::FaceBox {
        left: face.left - x0 as i64,
        top: face.top - y0 as i64,
        right: face.right - x0 as i64,
        bottom: face.bottom - y0 as i64,
    };
    (out, b)
}

/// A chip-like card photo of `src`: grey, 240×320, the face about half the width.
fn card_photo(src: &Source) -> RgbImage {
    let fw = src.face.width() as f64;
    let (cx, cy) = (
        (src.face.left + src.face.right) as f64 / 2.0,
        (src.face.top + src.face.bottom) as f64 / 2.0,
    );
    let scale = 120.0 / fw;
    let mut grey = vec![0u8; 240 * 320];
    for y in 0..320 {
        for x in 0..240 {
            let u = (cx + (x as f64 - 120.0) / scale)
                .round()
                .clamp(0.0, src.img.width as f64 - 1.0) as usize;
            let v = (cy + (y as f64 - 150.0) / scale)
                .round()
                .clamp(0.0, src.img.height as f64 - 1.0) as usize;
            let i = (v * src.img.width + u) * 3;
            let p = &src.img.data[i..i + 3];
            grey[y * 240 + x] = ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8;
        }
    }
    RgbImage::from_grey(240, 320, &grey).unwrap_or_else(|| RgbImage::filled(240, 320, [128; 3]))
}

/// The people of the corpus: Obama and Biden with the project's card photos, and the 4 people of
/// bald_guys.png (grouped by face distance), each with a card photo made from their largest face.
fn people(engine: &mut FaceEngine<'_>, assets: &Path, out: &Path) -> Result<Vec<Person>, String> {
    let mut people = Vec::new();
    let faces = assets.join("faces");
    for (name, card_src, live) in [
        ("obama", "obama.png", &["obama2.png", "obama3.png"][..]),
        ("biden", "biden.png", &[][..]),
    ] {
        let card_file = format!("{name}.jp2");
        std::fs::copy(assets.join("photos").join(&card_file), out.join(&card_file))
            .map_err(|e| format!("{card_file}: {e}"))?;
        let photos = live
            .iter()
            .map(|f| read(&faces.join(f)).map(|img| source(engine, img)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        people.push(Person {
            name: name.into(),
            card_photo: read(&out.join(&card_file))?,
            card_file,
            photos,
            card_source: source(engine, read(&faces.join(card_src))?),
        });
    }
    let group = read(&faces.join("bald_guys.png"))?;
    let mut found = Vec::new();
    for d in engine.detect_still(&group) {
        if let Some((desc, _)) = engine.describe_with_landmarks(&group, d.face) {
            let tile = tile_around(&group, d.face);
            let (img, _) = crop(&group, d.face, 3.0, tile);
            if let Some(s) = source(engine, img) {
                // The crops, to see what the proxies and attacks are made of.
                let dir = out.join("sources");
                std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                write_png(&s.img, &dir.join(format!("bald_guys_face{}.png", found.len())))?;
                found.push((desc, s));
            }
        }
    }
    // Group by distance (connected components at dlib's 0.6).
    let n = found.len();
    let mut label: Vec<usize> = (0..n).collect();
    for i in 0..n {
        for j in 0..n {
            if found[i].0.distance(&found[j].0) < 0.6 {
                let (a, b) = (label[i], label[j]);
                label.iter_mut().filter(|l| **l == b).for_each(|l| *l = a);
            }
        }
    }
    let mut groups: Vec<usize> = label.clone();
    groups.sort_unstable();
    groups.dedup();
    for (k, g) in groups.iter().enumerate() {
        let mut members: Vec<Source> = (0..n)
            .filter(|&i| label[i] == *g)
            .map(|i| found[i].1.clone())
            .collect();
        members.sort_by_key(|s| std::cmp::Reverse(s.face.width()));
        if members.len() < 2 {
            continue;
        }
        let card_source = members.remove(0);
        let card_photo = card_photo(&card_source);
        let card_file = format!("bald_guys_{k}.png");
        write_png(&card_photo, &out.join(&card_file))?;
        people.push(Person {
            name: format!("bald_guys_{k}"),
            card_file,
            card_photo,
            photos: members,
            card_source: Some(card_source),
        });
    }
    Ok(people)
}

fn write_png(img: &RgbImage, path: &Path) -> Result<(), String> {
    image::save_buffer(
        path,
        &img.data,
        img.width as u32,
        img.height as u32,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| format!("{}: {e}", path.display()))
}

fn write_sequence(out: &Path, dir: &str, frames: &[RgbImage]) -> Result<(), String> {
    let d = out.join(dir);
    std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    for (i, f) in frames.iter().enumerate() {
        let bytes = jpeg(f).map_err(|e| e.to_string())?;
        std::fs::write(d.join(format!("{i:02}.jpg")), bytes).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    Ok(())
}

/// A bona fide proxy pair: person, photo before, photo during, and the turn it answers.
type Pair = (usize, usize, usize, Challenge);

/// Proxy pairs: the same person, poses far enough apart to stand in for a turn.
fn proxy_pairs(people: &[Person], min_change: f64) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (pi, p) in people.iter().enumerate() {
        for (a, before) in p.photos.iter().enumerate() {
            for (b, during) in p.photos.iter().enumerate() {
                if a != b
                    && let Some(c) = sequence::pair_challenge(before, during, min_change)
                {
                    pairs.push((pi, a, b, c));
                }
            }
        }
    }
    pairs
}

/// The `i`-th presentation of `attack`: whose card it targets, its frames, and the turn asked.
fn attack_frames(
    engine: &mut FaceEngine<'_>,
    people: &[Person],
    pairs: &[Pair],
    (attack, i): (Attack, usize),
    (seed, challenge): (u64, Challenge),
    rng: &mut Rng,
) -> Result<(usize, Vec<RgbImage>, Challenge), String> {
    let pi = i % people.len();
    let p = &people[pi];
    Ok(match attack {
        Attack::Card => {
            let tex = sequence::card_front(&p.card_photo, seed);
            let Some(face) = engine.detect_still(&tex).first().map(|d| d.face) else {
                return Err(format!("no face found on the drawn card of {}", p.name));
            };
            let frames = sequence::card(&tex, face, challenge, seed, ATTACK_FRAMES);
            (pi, frames, challenge)
        }
        Attack::Print | Attack::ScreenStill => {
            let all: Vec<&Source> = p.photos.iter().chain(p.card_source.as_ref()).collect();
            let src = all[rng.below(all.len() as u64) as usize];
            let frames = if attack == Attack::Print {
                sequence::printed(src, challenge, seed, ATTACK_FRAMES)
            } else {
                sequence::screen_still(src, challenge, seed, ATTACK_FRAMES)
            };
            (pi, frames, challenge)
        }
        Attack::ScreenVideo => {
            let &(pi, a, b, c) = pairs
                .get(i % pairs.len().max(1))
                .ok_or("no proxy pair to replay: the photos have no two poses of one person")?;
            let p = &people[pi];
            let frames = sequence::screen_video(&p.photos[a], &p.photos[b], c, seed, ATTACK_FRAMES);
            (pi, frames, c)
        }
        Attack::Accomplice => {
            // The holder: a live photo that can stand for a patient looking straight; the accomplice:
            // the next such photo of somebody else.
            let live = straight_photos(people);
            let (pi, holder) = *live
                .get(i % live.len().max(1))
                .ok_or("no photo to stand for a holder looking straight")?;
            let &(_, stranger) = live
                .iter()
                .cycle()
                .skip(i % live.len() + 1)
                .take(live.len())
                .find(|(other, _)| *other != pi)
                .ok_or("no second person to play the accomplice")?;
            let degrees = rng.range(25.0, 40.0);
            let frames = sequence::accomplice(holder, stranger, challenge, degrees, seed)
                .ok_or("no head to turn in the accomplice's photo")?;
            (pi, frames, challenge)
        }
        Attack::PrintSwap => {
            // The attacker's best material: a sharp photo of the holder looking straight (not the card
            // photo, which the copy cue refuses), and the same photo turned, as software can make it.
            let live = straight_photos(people);
            let (pi, src) = *live
                .get(i % live.len().max(1))
                .ok_or("no photo of a holder looking straight to print")?;
            let degrees = rng.range(25.0, 40.0);
            let frames = sequence::print_swap(src, challenge, degrees, seed, ATTACK_FRAMES)
                .ok_or("no head to turn in the printed photo")?;
            (pi, frames, challenge)
        }
    })
}

/// Every live photo that can stand for somebody looking straight at the kiosk ([`sequence::turnable`]),
/// with its person's index.
fn straight_photos(people: &[Person]) -> Vec<(usize, &Source)> {
    people
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.photos
                .iter()
                .filter(|s| sequence::turnable(s))
                .map(move |s| (pi, s))
        })
        .collect()
}

/// The 3-D turn proxies: each [`sequence::turnable`] live photo turned both ways by each angle, added
/// to `list`.
fn write_turn_proxies(o: &Options, people: &[Person], list: &mut String) -> Result<(), String> {
    // Their own random stream: adding them leaves the other presentations of a seed as they were.
    let mut rng = Rng::new(o.seed ^ TURN_STREAM);
    let (mut turns, mut unturnable) = (0, 0);
    for p in people {
        for (k, src) in p.photos.iter().enumerate() {
            if !sequence::turnable(src) {
                unturnable += 1;
                continue;
            }
            for &degrees in &o.turn_degrees {
                for challenge in [Challenge::Left, Challenge::Right] {
                    let kind = format!("{BONA_FIDE_TURN}-{degrees}");
                    let dir = format!("{kind}/{}-{k}-{}", p.name, challenge.name());
                    let frames = sequence::bona_fide_turn(src, challenge, f64::from(degrees), rng.next_u64())
                        .ok_or(format!("{}: photo {k} has no head to turn", p.name))?;
                    write_sequence(&o.out, &dir, &frames)?;
                    writeln!(list, "{kind},{},{},{dir}", p.card_file, challenge.name())
                        .map_err(|e| e.to_string())?;
                    turns += 1;
                }
            }
        }
    }
    eprintln!("{BONA_FIDE_TURN}: {turns} sequences ({unturnable} photos left out: turned, or too small)");
    Ok(())
}

fn run(o: &Options) -> Result<(), String> {
    std::fs::create_dir_all(&o.out).map_err(|e| format!("{}: {e}", o.out.display()))?;
    let models = FaceModels::load_default().map_err(|e| e.to_string())?;
    let mut engine = FaceEngine::new(&models);
    let people = people(&mut engine, &o.assets, &o.out)?;
    if people.is_empty() {
        return Err("no people found in the photos".into());
    }
    let mut rng = Rng::new(o.seed);
    let mut list = String::from("type,photo,challenge,frames_dir\n");
    let pairs = proxy_pairs(&people, o.min_pair_change);
    eprintln!(
        "{} people, {} photos, {} proxy pairs",
        people.len(),
        people.iter().map(|p| p.photos.len()).sum::<usize>(),
        pairs.len()
    );
    for p in &people {
        let widths: Vec<String> = p.photos.iter().map(|s| s.face.width().to_string()).collect();
        eprintln!("{}: live photos' face widths {} px", p.name, widths.join(", "));
    }
    let mut n = 0;
    for &(pi, a, b, c) in pairs.iter().filter(|_| o.wants(BONA_FIDE)) {
        for _ in 0..o.repeats {
            let p = &people[pi];
            let dir = format!("bona-fide/{n:03}");
            let frames = sequence::bona_fide(&p.photos[a], &p.photos[b], rng.next_u64());
            write_sequence(&o.out, &dir, &frames)?;
            writeln!(list, "bona-fide,{},{},{dir}", p.card_file, c.name()).map_err(|e| e.to_string())?;
            n += 1;
        }
    }
    if o.wants(BONA_FIDE_TURN) {
        write_turn_proxies(o, &people, &mut list)?;
    }
    for attack in Attack::ALL.into_iter().filter(|a| o.wants(a.name())) {
        for i in 0..o.per_type {
            let seed = rng.next_u64();
            let challenge = if rng.below(2) == 0 {
                Challenge::Left
            } else {
                Challenge::Right
            };
            let dir = format!("{}/{i:03}", attack.name());
            let (pi, frames, challenge) = attack_frames(
                &mut engine,
                &people,
                &pairs,
                (attack, i),
                (seed, challenge),
                &mut rng,
            )?;
            write_sequence(&o.out, &dir, &frames)?;
            let card = &people[pi].card_file;
            writeln!(list, "{},{card},{},{dir}", attack.name(), challenge.name())
                .map_err(|e| e.to_string())?;
        }
        eprintln!("{}: {} sequences", attack.name(), o.per_type);
    }
    std::fs::write(o.out.join("list.csv"), list).map_err(|e| e.to_string())?;
    eprintln!(
        "{n} bona fide pair sequences; list in {}",
        o.out.join("list.csv").display()
    );
    Ok(())
}
