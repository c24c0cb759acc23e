//! Frame sequences: bona fide proxies and the four attack types, deterministic from a seed.

use crate::media::{Flat, Screen, print, resize};
use crate::scene::{FOCAL, HEIGHT, Pose, Surface, WIDTH, blur, develop, room, shoot};
use kiosk_cardfront::synth::{Rng, random_front};
use kiosk_face::pad::PoseCues;
use kiosk_face::{Challenge, FaceBox, Landmarks, RgbImage};

/// Frames looking straight before the prompt, and during the turn (the kiosk's default policy waits
/// 3 frames, then up to 12 for the turn). Attack functions take the total frame count (`ATTACK_FRAMES`
/// for the corpus; the demo camera makes fewer); the attacker turns the picture from frame `BEFORE` on.
pub const BEFORE: usize = 3;
pub const ATTACK_DURING: usize = 12;
pub const ATTACK_FRAMES: usize = BEFORE + ATTACK_DURING;
/// Frames of a proxy looking straight. A patient turns only once the screen asks, and the kiosk asks
/// only after [`kiosk_face::PadPolicy::baseline_frames`] usable frames: a proxy looks straight for
/// twice that, so a blurred frame or two, and the patient's reaction time, do not put the turned photo
/// where the check still takes the resting pose.
pub const BONA_FIDE_BEFORE: usize = 2 * BEFORE;
/// Frames of a proxy's turn: as many as an attack gets, so both have the same time to be decided.
pub const BONA_FIDE_DURING: usize = ATTACK_DURING;

/// A face photo and where its face is.
#[derive(Debug, Clone)]
pub struct Source {
    pub img: RgbImage,
    pub face: FaceBox,
    /// Head pose cues of this photo (from the full-resolution landmarks).
    pub pose: PoseCues,
    /// The full-resolution landmarks (they place the head shape of [`crate::relief`]).
    pub landmarks: Landmarks,
}

impl Source {
    /// The largest face of a photo, with its pose; `None` without a face.
    pub fn from_photo(engine: &mut kiosk_face::FaceEngine<'_>, img: RgbImage) -> Option<Source> {
        let face = engine.detect_still(&img).first()?.face;
        let (_, landmarks) = engine.describe_with_landmarks(&img, face)?;
        Some(Source {
            pose: PoseCues::from_landmarks(&landmarks)?,
            landmarks,
            img,
            face,
        })
    }

    fn centre(&self) -> (f64, f64) {
        (
            (self.face.left + self.face.right) as f64 / 2.0,
            (self.face.top + self.face.bottom) as f64 / 2.0,
        )
    }
}

/// One person: the card photo (as the chip holds it: grey, small) and live photos.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    /// The card photo file (JPEG 2000 or PNG) relative to the corpus folder, and its decoded pixels.
    pub card_file: String,
    pub card_photo: RgbImage,
    /// The photos the card photo was not made from: bona fide proxies and attack material.
    pub photos: Vec<Source>,
    /// The photo the card photo was made from (attack material only: a live face is never the ID photo).
    pub card_source: Option<Source>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// The card front, its printed photo the chip's picture, held up to the camera.
    Card,
    /// A printed photo of the holder.
    Print,
    /// A phone or tablet showing a photo of the holder.
    ScreenStill,
    /// A phone or tablet replaying the holder turning their head the asked way.
    ScreenVideo,
    /// The holder looking straight, then somebody else's live head doing the turn.
    Accomplice,
    /// A print of the holder looking straight swapped for a print of the holder turned the asked way.
    PrintSwap,
}

impl Attack {
    /// In the order the corpus draws them: a new type goes last, so a seed's earlier types stay as
    /// they were.
    pub const ALL: [Attack; 6] = [
        Attack::Card,
        Attack::Print,
        Attack::ScreenStill,
        Attack::ScreenVideo,
        Attack::Accomplice,
        Attack::PrintSwap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Attack::Card => "card",
            Attack::Print => "print",
            Attack::ScreenStill => "screen-still",
            Attack::ScreenVideo => "screen-video",
            Attack::Accomplice => "accomplice",
            Attack::PrintSwap => "print-swap",
        }
    }
}

/// Hand motion of a held picture: slow sway and tremor, and when asked to turn, the picture turned by
/// `turn` radians the asked way (ramping over 3 frames).
fn hand_pose(base: &Pose, frame: usize, turn: f64, rng: &mut Rng) -> Pose {
    let t = frame as f64;
    let ramp = if frame < BEFORE {
        0.0
    } else {
        ((frame - BEFORE + 1) as f64 / 3.0).min(1.0)
    };
    let sway = base.z * 0.02;
    Pose {
        x: base.x + sway * (t * 0.7).sin() + rng.normal() * sway * 0.2 + ramp * turn.signum() * base.z * 0.03,
        y: base.y + sway * (t * 0.5).cos() + rng.normal() * sway * 0.2,
        z: base.z * (1.0 + 0.03 * (t * 0.4).sin()),
        yaw: base.yaw + ramp * turn + rng.normal() * 0.02,
        pitch: base.pitch + 0.04 * (t * 0.6).sin() + rng.normal() * 0.01,
        roll: base.roll + 0.03 * (t * 0.9).sin() + rng.normal() * 0.01,
    }
}

/// The yaw sign that turns a flat picture's face the way a head turning `challenge` would: turning left
/// (the image's right) recedes the picture's image-left edge.
fn turn_sign(challenge: Challenge) -> f64 {
    -challenge.image_sign()
}

fn finish(mut raw: Vec<f32>, blur_sigma: f64, gain: f32, noise: f64, rng: &mut Rng) -> RgbImage {
    blur(&mut raw, WIDTH, HEIGHT, blur_sigma);
    develop(&raw, gain, noise, rng)
}

/// Where to put a face `face_cm` wide so it is `face_px` wide in the frame, near the middle.
fn base_pose(face_cm: f64, face_px: f64, rng: &mut Rng) -> Pose {
    let z = FOCAL * face_cm / face_px;
    Pose {
        x: rng.range(-0.06, 0.06) * z,
        y: rng.range(-0.05, 0.05) * z,
        z,
        yaw: rng.range(-0.12, 0.12),
        pitch: rng.range(-0.12, 0.12),
        roll: rng.range(-0.08, 0.08),
    }
}

fn glare(rng: &mut Rng, size_cm: f64, strength: (f64, f64)) -> Option<(f64, f64, f64, f32)> {
    (rng.below(100) < 60).then(|| {
        (
            rng.range(-size_cm, size_cm),
            rng.range(-size_cm, size_cm),
            rng.range(0.2, 0.5) * size_cm,
            rng.range(strength.0, strength.1) as f32,
        )
    })
}

/// Frames of a live photo filling the view, gently moving (a bona fide proxy frame).
fn live_frames(src: &Source, n: usize, frame0: usize, face_px: f64, rng: &mut Rng) -> Vec<RgbImage> {
    let (fx, fy) = src.centre();
    let cm = 15.0 / src.face.width() as f64;
    let surface = Flat {
        tex: src.img.clone(),
        fx,
        fy,
        cm,
        clamp: true,
        glare: None,
    };
    let z = FOCAL * 15.0 / face_px;
    let background = RgbImage::filled(WIDTH, HEIGHT, [0, 0, 0]);
    (frame0..frame0 + n)
        .map(|f| {
            let t = f as f64;
            let pose = Pose {
                x: z * 0.02 * (t * 0.8).sin() + rng.normal() * 0.3,
                y: z * 0.015 * (t * 0.6).cos() + rng.normal() * 0.3,
                z: z * (1.0 + 0.02 * (t * 0.5).sin()),
                yaw: 0.0,
                pitch: 0.0,
                roll: 0.02 * (t * 0.7).sin(),
            };
            let raw = shoot(&surface, &pose, &background, 2);
            finish(
                raw,
                rng.range(0.3, 0.7),
                rng.range(0.9, 1.1) as f32,
                rng.range(1.5, 3.5),
                rng,
            )
        })
        .collect()
}

/// How wide a live face is in the kiosk camera's frame (pixels): a patient at the kiosk.
pub const KIOSK_FACE_PX: (f64, f64) = (190.0, 270.0);

/// A proxy's face is drawn at most this many times as wide as in its source photo. Enlarging a photo
/// blurs it as no live face in front of the camera is blurred, and the kiosk's blur guidance rightly
/// refuses such frames; until the cap, a quarter of the proxies failed for that alone (docs/PAD.md).
pub const MAX_PROXY_ENLARGEMENT: f64 = 1.4;

/// How wide a proxy draws its face: a kiosk face's size, or less where the smaller of its two sources
/// would need enlarging more than [`MAX_PROXY_ENLARGEMENT`].
fn proxy_face_px(before: &Source, during: &Source, rng: &mut Rng) -> f64 {
    let smaller = before.face.width().min(during.face.width()) as f64;
    rng.range(KIOSK_FACE_PX.0, KIOSK_FACE_PX.1)
        .min(MAX_PROXY_ENLARGEMENT * smaller)
}

/// A bona fide proxy: `before` for the frames looking straight, `during` for the frames of the turn.
/// The face is 190–270 px wide (a patient at the kiosk), or less where the sources are smaller
/// ([`MAX_PROXY_ENLARGEMENT`]).
pub fn bona_fide(before: &Source, during: &Source, seed: u64) -> Vec<RgbImage> {
    let mut rng = Rng::new(seed);
    let face_px = proxy_face_px(before, during, &mut rng);
    let mut frames = live_frames(before, BONA_FIDE_BEFORE, 0, face_px, &mut rng);
    frames.extend(live_frames(
        during,
        BONA_FIDE_DURING,
        BONA_FIDE_BEFORE,
        face_px,
        &mut rng,
    ));
    frames
}

/// Turn proxies ([`bona_fide_turn`]) reach their full turn over this many frames.
const TURN_RAMP: usize = 4;

/// The largest head pose (the yaw cue, eye distances) of a photo a turn proxy is made from. The head
/// shape is placed as if the photo looked straight at the camera, as a patient does before the screen
/// asks for the turn; on a photo already turned (one source is at 0.36) the turn back warps the face
/// beyond what the landmarks find.
pub const MAX_TURN_SOURCE_YAW: f64 = 0.15;

/// Whether a photo can stand for a patient at the kiosk turning their head: looking about straight
/// ([`MAX_TURN_SOURCE_YAW`]) and sharp enough to be drawn at a kiosk face's size
/// ([`KIOSK_FACE_PX`]) without enlarging it more than [`MAX_PROXY_ENLARGEMENT`].
pub fn turnable(src: &Source) -> bool {
    src.pose.yaw().abs() <= MAX_TURN_SOURCE_YAW
        && MAX_PROXY_ENLARGEMENT * src.face.width() as f64 >= KIOSK_FACE_PX.0
}

/// A bona fide proxy from one photo: the photo looking straight, then its head turned `degrees` in 3-D
/// the way `challenge` asks ([`crate::relief`]), reaching the full turn over the first frames of the turn
/// and wavering a little about it (1° of noise a frame). The face is sized as in [`bona_fide`]. `None`
/// when the photo's landmarks place no head. The corpus makes these only from [`turnable`] photos.
pub fn bona_fide_turn(src: &Source, challenge: Challenge, degrees: f64, seed: u64) -> Option<Vec<RgbImage>> {
    turn_sequence(src, src, challenge, degrees, seed)
}

/// An accomplice swapped in for the turn (attack): the holder looking straight, as their own live
/// photo (the attacker's best case: a perfect picture of the holder, or the holder in person), then
/// `stranger`'s live head turning `degrees` the asked way in 3-D. Only the check of whose face turns
/// stands against it: the turn itself is a real one.
pub fn accomplice(
    holder: &Source,
    stranger: &Source,
    challenge: Challenge,
    degrees: f64,
    seed: u64,
) -> Option<Vec<RgbImage>> {
    turn_sequence(holder, stranger, challenge, degrees, seed)
}

/// `before` looking straight, then `during`'s head turned in 3-D ([`bona_fide_turn`]).
fn turn_sequence(
    before: &Source,
    during: &Source,
    challenge: Challenge,
    degrees: f64,
    seed: u64,
) -> Option<Vec<RgbImage>> {
    let mut rng = Rng::new(seed);
    let face_px = proxy_face_px(before, during, &mut rng);
    let mut frames = live_frames(before, BONA_FIDE_BEFORE, 0, face_px, &mut rng);
    for k in 0..BONA_FIDE_DURING {
        let reached = ((k + 1) as f64 / TURN_RAMP as f64).min(1.0);
        let yaw = challenge.image_sign() * (degrees * reached + rng.normal()).to_radians();
        let turned = Source {
            img: crate::relief::turn(&during.img, &during.landmarks, yaw)?,
            face: during.face,
            pose: during.pose,
            landmarks: during.landmarks,
        };
        frames.extend(live_frames(&turned, 1, BONA_FIDE_BEFORE + k, face_px, &mut rng));
    }
    Some(frames)
}

/// The direction a proxy pair turns, as the prompt it answers (`None`: the photos' poses are too close
/// to stand in for a turn).
pub fn pair_challenge(before: &Source, during: &Source, min_change: f64) -> Option<Challenge> {
    let d = during.pose.yaw() - before.pose.yaw();
    if d.abs() < min_change {
        None
    } else if d > 0.0 {
        Some(Challenge::Left)
    } else {
        Some(Challenge::Right)
    }
}

/// How far (radians) an attacker turns a held picture the asked way: a single picture as far as it
/// goes while its face is still found, hoping for the turn cue; the second of two swapped prints
/// ([`print_swap`]) only a little, since its face is already turned.
const TILT_SINGLE: (f64, f64) = (0.25, 0.6);
const TILT_SWAPPED: (f64, f64) = (0.0, 0.35);

/// Flat pictures held up: `surfaces[0]` before frame `switch_at`, the last of them from then on (one
/// surface: the same picture throughout).
#[expect(
    clippy::too_many_arguments,
    reason = "the scene of one held picture: grouping them would only rename them"
)]
fn flat_attack(
    surfaces: &[&dyn Surface],
    switch_at: usize,
    base: Pose,
    challenge: Challenge,
    tilt: (f64, f64),
    blur_sigma: (f64, f64),
    seed: u64,
    frames: usize,
) -> Vec<RgbImage> {
    let mut rng = Rng::new(seed ^ 0xA77A);
    let background = room(&mut rng);
    let turn = turn_sign(challenge) * rng.range(tilt.0, tilt.1);
    let sigma = rng.range(blur_sigma.0, blur_sigma.1);
    let gain = rng.range(0.8, 1.15) as f32;
    (0..frames)
        .map(|f| {
            let pose = hand_pose(&base, f, turn, &mut rng);
            // Light from above-left: a turned picture catches more or less of it.
            let shade = (0.85 + 0.25 * (pose.yaw * 0.8 - pose.pitch * 0.5).sin()) as f32;
            let surface = if f < switch_at {
                surfaces[0]
            } else {
                surfaces[surfaces.len() - 1]
            };
            let raw = shoot(surface, &pose, &background, 2);
            finish(raw, sigma, gain * shade, rng.range(1.5, 4.0), &mut rng)
        })
        .collect()
}

/// The card front held up: `card_tex` drawn with the card photo, `face` its face in card pixels.
pub fn card(
    card_tex: &RgbImage,
    face: FaceBox,
    challenge: Challenge,
    seed: u64,
    frames: usize,
) -> Vec<RgbImage> {
    let mut rng = Rng::new(seed);
    // The card is drawn at 10 px a millimetre (85.6 mm wide).
    let cm = 8.56 / card_tex.width as f64;
    let surface = Flat {
        tex: card_tex.clone(),
        fx: (face.left + face.right) as f64 / 2.0,
        fy: (face.top + face.bottom) as f64 / 2.0,
        cm,
        clamp: false,
        glare: glare(&mut rng, 2.0, (20.0, 90.0)),
    };
    // The photo's face is about 1.2 cm wide: filling a fifth of the frame puts the card 5–6 cm from the
    // lens, where a fixed-focus webcam blurs.
    let base = base_pose(face.width() as f64 * cm, rng.range(130.0, 190.0), &mut rng);
    flat_attack(
        &[&surface],
        0,
        base,
        challenge,
        TILT_SINGLE,
        (0.8, 1.8),
        rng.next_u64(),
        frames,
    )
}

/// A printed photo held up.
pub fn printed(src: &Source, challenge: Challenge, seed: u64, frames: usize) -> Vec<RgbImage> {
    let mut rng = Rng::new(seed);
    let margin = (src.img.width / 12).max(4);
    let tex = print(&src.img, margin, &mut rng);
    let (fx, fy) = src.centre();
    let face_cm = rng.range(6.0, 16.0);
    let surface = Flat {
        tex,
        fx: fx + margin as f64,
        fy: fy + margin as f64,
        cm: face_cm / src.face.width() as f64,
        clamp: false,
        glare: glare(&mut rng, face_cm, (10.0, 50.0)),
    };
    let base = base_pose(face_cm, rng.range(180.0, 280.0), &mut rng);
    flat_attack(
        &[&surface],
        0,
        base,
        challenge,
        TILT_SINGLE,
        (0.3, 0.9),
        rng.next_u64(),
        frames,
    )
}

/// Two prints of the holder, swapped by hand when the turn is asked for (attack): `src` looking
/// straight, then the same photo with its head turned `degrees` the asked way in 3-D ([`crate::relief`],
/// what face-editing software makes of one photo), printed alike on the same printer. The swap lands
/// 0–2 frames after the prompt, in one frame (the attacker's best case: no hand crossing the face), and
/// the second print is tilted the asked way a little. `None` when the photo's landmarks place no head.
pub fn print_swap(
    src: &Source,
    challenge: Challenge,
    degrees: f64,
    seed: u64,
    frames: usize,
) -> Option<Vec<RgbImage>> {
    let mut rng = Rng::new(seed);
    let turned = crate::relief::turn(
        &src.img,
        &src.landmarks,
        challenge.image_sign() * degrees.to_radians(),
    )?;
    let margin = (src.img.width / 12).max(4);
    let mut printer = Rng::new(rng.next_u64());
    let mut same_printer = printer.clone();
    let (fx, fy) = src.centre();
    let face_cm = rng.range(6.0, 16.0);
    let glare_spot = glare(&mut rng, face_cm, (10.0, 50.0));
    let sheet = |tex| Flat {
        tex,
        fx: fx + margin as f64,
        fy: fy + margin as f64,
        cm: face_cm / src.face.width() as f64,
        clamp: false,
        glare: glare_spot,
    };
    let straight = sheet(print(&src.img, margin, &mut printer));
    let swapped = sheet(print(&turned, margin, &mut same_printer));
    let base = base_pose(face_cm, rng.range(180.0, 280.0), &mut rng);
    let switch_at = BEFORE + rng.below(3) as usize;
    Some(flat_attack(
        &[&straight, &swapped],
        switch_at,
        base,
        challenge,
        TILT_SWAPPED,
        (0.3, 0.9),
        rng.next_u64(),
        frames,
    ))
}

/// A phone or tablet screen showing `shown[frame]` (one picture for a still, the proxy's frames for a
/// video), turned the asked way by the attacker too.
fn screen(
    shown: &[&Source],
    switch_at: usize,
    challenge: Challenge,
    seed: u64,
    frames: usize,
) -> Vec<RgbImage> {
    let mut rng = Rng::new(seed);
    let phone = rng.below(2) == 0;
    // Face size on the screen (cm) and pixel pitch (cm): a phone at 400–460 ppi, a tablet at 220–264 ppi.
    let (face_cm, pitch, size_cm) = if phone {
        (rng.range(3.5, 6.0), 2.54 / rng.range(400.0, 460.0), (6.8, 14.5))
    } else {
        (rng.range(7.0, 13.0), 2.54 / rng.range(220.0, 264.0), (16.0, 22.0))
    };
    let brightness = rng.range(0.9, 1.2) as f32;
    let glare_spot = glare(&mut rng, face_cm, (20.0, 80.0));
    let bezel = rng.range(0.3, 1.0);
    let screens: Vec<Screen> = shown
        .iter()
        .map(|src| {
            // Photo scaled onto the screen's pixels, cropped to the screen's size, face centred.
            let scale = face_cm / pitch / src.face.width() as f64;
            let on_screen = resize(&src.img, scale);
            let (cx, cy) = src.centre();
            let (cx, cy) = (cx * scale, cy * scale);
            let (sw, sh) = ((size_cm.0 / pitch) as usize, (size_cm.1 / pitch) as usize);
            let mut pixels = RgbImage::filled(sw, sh, [0, 0, 0]);
            let (ox, oy) = (cx - sw as f64 / 2.0, cy - sh as f64 / 2.0);
            for y in 0..sh {
                for x in 0..sw {
                    let (u, v) = ((x as f64 + ox) as i64, (y as f64 + oy) as i64);
                    if u >= 0 && v >= 0 && (u as usize) < on_screen.width && (v as usize) < on_screen.height {
                        let i = (v as usize * on_screen.width + u as usize) * 3;
                        pixels.data[(y * sw + x) * 3..(y * sw + x) * 3 + 3]
                            .copy_from_slice(&on_screen.data[i..i + 3]);
                    }
                }
            }
            Screen {
                pixels,
                fx: sw as f64 / 2.0,
                fy: sh as f64 / 2.0,
                pitch,
                bezel,
                brightness,
                glare: glare_spot,
            }
        })
        .collect();
    let base = base_pose(face_cm, rng.range(180.0, 280.0), &mut rng);
    let background = room(&mut rng);
    let turn = turn_sign(challenge) * rng.range(0.0, 0.5);
    let sigma = rng.range(0.4, 0.9);
    let gain = rng.range(0.85, 1.1) as f32;
    (0..frames)
        .map(|f| {
            let pose = hand_pose(&base, f, turn, &mut rng);
            let s = &screens[if f < switch_at { 0 } else { screens.len() - 1 }];
            let raw = shoot(s, &pose, &background, 2);
            finish(raw, sigma, gain, rng.range(1.5, 4.0), &mut rng)
        })
        .collect()
}

/// A phone or tablet showing a photo.
pub fn screen_still(src: &Source, challenge: Challenge, seed: u64, frames: usize) -> Vec<RgbImage> {
    screen(&[src], 0, challenge, seed, frames)
}

/// A phone or tablet replaying the holder turning the asked way (`before`, then `during` from the
/// prompt on, as a video that follows the prompt would).
pub fn screen_video(
    before: &Source,
    during: &Source,
    challenge: Challenge,
    seed: u64,
    frames: usize,
) -> Vec<RgbImage> {
    screen(&[before, during], BEFORE, challenge, seed, frames)
}

/// The card front with `photo` printed on it (a made-up holder's fields).
pub fn card_front(photo: &RgbImage, seed: u64) -> RgbImage {
    kiosk_cardfront::render(&random_front(seed), Some(photo))
}
