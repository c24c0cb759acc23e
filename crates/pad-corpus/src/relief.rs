//! One photo's head turned in 3-D: a second bona fide proxy, beside the photo pairs.
//!
//! The photo pairs ([`crate::sequence::bona_fide`]) are real second photos, but few, and their turns are
//! whatever the photographer caught. Here a single photo is laid on a rough head shape (an ellipsoid with a
//! nose on it, placed by the photo's own landmarks) and the head is turned about a vertical axis through
//! its middle by a chosen angle. That gives every live photo a turn of any size, with the parallax a head
//! has and no flat picture can have, so the proxies can say how the check fares for a patient who turns
//! 20°, 25° or 30°.
//!
//! What it cannot show, beyond what the photo pairs cannot (docs/PAD.md): the shape is a model, not the
//! person's (their nose may stand out more or less); the cheek turned away is stretched from the photo's
//! pixels instead of hidden, and the side turned towards the camera shows no new skin, ear or hair; the
//! light does not move over the face; the turn is orthographic in the photo (the camera's perspective is
//! added afterwards, as for the pairs).
//!
//! The shape, in eye distances (the distance between the eye centres, 6.3 cm on an average adult,
//! the interpupillary distance): head breadth 2.4 (15 cm), height from the eye line 1.6 up and 1.9 down
//! (to the chin, 12 cm), depth 3.1 (19.5 cm), the turning axis at the middle of that depth; the nose base
//! (the landmark the check follows) 0.32 in front of the eye centres (2.0 cm), the nose tip 0.38 proud of
//! the cheeks' curve. These are round adult figures (GUESS, as in `kiosk_face::pad::pose`), not a
//! measured head.

use kiosk_face::pad::pose::EyeFrame;
use kiosk_face::{Landmarks, RgbImage};

/// The head's half breadth, half depth, and its half height and the centre's drop below the eye line, in
/// eye distances (module docs).
const HALF_BREADTH: f64 = 1.23;
const HALF_DEPTH: f64 = 1.55;
const HALF_HEIGHT: f64 = 1.75;
const CENTRE_DROP: f64 = 0.15;

/// The nose's height over the head's curve along its ridge, from the eye line (0) to the nose base
/// landmark (1) and a little below it (eye distances); its half width is the first figure of
/// `NOSE_HALF_WIDTH` at the eye line, growing by the second towards the nose base (the nostrils' wings).
const NOSE_RIDGE: [(f64, f64); 4] = [(0.0, 0.06), (0.85, 0.55), (1.0, 0.30), (1.12, 0.0)];
const NOSE_HALF_WIDTH: (f64, f64) = (0.12, 0.16);

/// How far outside the head's outline (as a share of its size) its movement fades into the unmoving
/// background: the hair, ears and neck at the edge are smeared rather than torn.
const FADE: f64 = 0.25;

/// Samples per source pixel along a row: the warp is drawn from pairs of neighbouring samples.
const SUPERSAMPLE: usize = 2;

/// The head shape placed on a photo by its landmarks.
#[derive(Debug, Clone, Copy)]
struct Head {
    /// The face's own frame (eye distances).
    frame: EyeFrame,
    /// The nose base in that frame.
    nose: (f64, f64),
}

impl Head {
    fn place(l: &Landmarks) -> Option<Head> {
        let frame = EyeFrame::from_landmarks(l, 4.0)?;
        let nose = frame.nose(l);
        (nose.1 > 0.2).then_some(Head { frame, nose })
    }

    /// How far the surface at face point `(x, y)` stands towards the camera from the turning axis, and
    /// how much of the head's movement it takes (1 on the head, fading to 0 outside it).
    fn depth(&self, x: f64, y: f64) -> (f64, f64) {
        let q = (x / HALF_BREADTH).powi(2) + ((y - CENTRE_DROP) / HALF_HEIGHT).powi(2);
        if q >= 1.0 {
            let w = ((1.0 + FADE - q.sqrt()) / FADE).clamp(0.0, 1.0);
            return (0.0, w);
        }
        (HALF_DEPTH * (1.0 - q).sqrt() + self.nose_height(x, y), 1.0)
    }

    /// The nose's height over the head's curve at face point `(x, y)`.
    fn nose_height(&self, x: f64, y: f64) -> f64 {
        let t = y / self.nose.1;
        let Some(k) = NOSE_RIDGE.windows(2).position(|w| t >= w[0].0 && t < w[1].0) else {
            return 0.0;
        };
        let ((t0, h0), (t1, h1)) = (NOSE_RIDGE[k], NOSE_RIDGE[k + 1]);
        let ridge = h0 + (h1 - h0) * (t - t0) / (t1 - t0);
        // The ridge runs from the eyes' midpoint to the nose base landmark.
        let centre = self.nose.0 * t.min(1.0);
        let half = NOSE_HALF_WIDTH.0 + NOSE_HALF_WIDTH.1 * t.min(1.0);
        ridge * (1.0 - ((x - centre) / half).powi(2)).max(0.0)
    }
}

/// `photo` with its head turned by `yaw` radians about the vertical axis: positive moves the nose
/// towards the image's right (the patient's own left, for a camera that does not mirror). `None` when
/// the landmarks do not place a head (eyes on one point, the nose not below them).
pub fn turn(photo: &RgbImage, landmarks: &Landmarks, yaw: f64) -> Option<RgbImage> {
    let head = Head::place(landmarks)?;
    let (s, c) = yaw.sin_cos();
    let (w, h) = (photo.width, photo.height);
    let mut out = photo.clone();
    let n = (w - 1) * SUPERSAMPLE + 1;
    let mut dest = vec![0f64; n];
    let mut depth = vec![0f64; n];
    let mut zbuf = vec![f64::NEG_INFINITY; w];
    for v in 0..h {
        // Where each sample of the row lands and how near the camera it is after the turn. The movement
        // is taken along the row (the eye line is close to level on the sources).
        for (k, (d, z)) in dest.iter_mut().zip(depth.iter_mut()).enumerate() {
            let u = k as f64 / SUPERSAMPLE as f64;
            let (x, y) = head.frame.to_face((u, v as f64));
            let (zf, weight) = head.depth(x, y);
            let moved = x * c + zf * s;
            *d = u + weight * (moved - x) * head.frame.eye_distance * head.frame.along.0;
            // Off the head, the background stays behind everything the head turns over it.
            *z = if weight < 1.0 {
                -10.0 + weight
            } else {
                -x * s + zf * c
            };
        }
        zbuf.fill(f64::NEG_INFINITY);
        let row = &photo.data[v * w * 3..(v + 1) * w * 3];
        let colour = |k: usize, ch: usize| {
            let u = k as f64 / SUPERSAMPLE as f64;
            let x0 = (u.floor() as usize).min(w - 1);
            let x1 = (x0 + 1).min(w - 1);
            let f = u - x0 as f64;
            f64::from(row[x0 * 3 + ch]) * (1.0 - f) + f64::from(row[x1 * 3 + ch]) * f
        };
        let orow = &mut out.data[v * w * 3..(v + 1) * w * 3];
        for k in 0..n - 1 {
            let (a, b) = (dest[k], dest[k + 1]);
            let (lo, hi) = (a.min(b), a.max(b));
            let first = lo.ceil().max(0.0) as usize;
            let last = hi.floor().min((w - 1) as f64);
            if last < 0.0 {
                continue;
            }
            for p in first..=last as usize {
                let t = if hi - lo > 1e-9 {
                    (p as f64 - a) / (b - a)
                } else {
                    0.0
                };
                let z = depth[k] + (depth[k + 1] - depth[k]) * t;
                if z > zbuf[p] {
                    zbuf[p] = z;
                    for ch in 0..3 {
                        let v = colour(k, ch) * (1.0 - t) + colour(k + 1, ch) * t;
                        orow[p * 3 + ch] = v.round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Landmarks of a frontal face: eye centres 100 px apart at y = 200, nose base 75 px below.
    const FRONT: Landmarks = [(222, 200), (178, 200), (122, 200), (78, 200), (150, 275)];

    /// A point's depth in front of the eye centres, in cm (eye distance 6.3 cm).
    fn in_front_of_eyes(head: &Head, x: f64, y: f64) -> f64 {
        (head.depth(x, y).0 - head.depth(0.5, 0.0).0) * 6.3
    }

    #[test]
    fn the_nose_stands_in_front_of_the_eyes_as_on_the_reference_heads() {
        let head = Head::place(&FRONT).unwrap();
        let base = in_front_of_eyes(&head, head.nose.0, head.nose.1);
        assert!((2.1..=2.3).contains(&base), "nose base {base} cm");
        let tip = (0..=100)
            .map(|k| in_front_of_eyes(&head, 0.0, head.nose.1 * k as f64 / 100.0))
            .fold(0.0, f64::max);
        assert!((3.5..=4.2).contains(&tip), "nose tip {tip} cm");
    }

    #[test]
    fn a_turn_moves_the_nose_against_the_eyes_and_leaves_the_background() {
        // Bright bands 5 px wide: through the eye centres (above the nose), under the nose base (below
        // the eyes), and far out in the background (all rows).
        let mut img = RgbImage::filled(400, 400, [0, 0, 0]);
        let bands: [(usize, std::ops::Range<usize>); 4] =
            [(100, 150..230), (200, 150..230), (150, 250..300), (390, 0..400)];
        for (centre, rows) in bands {
            for v in rows {
                for u in centre - 2..=centre + 2 {
                    img.data[(v * 400 + u) * 3..(v * 400 + u) * 3 + 3].copy_from_slice(&[255; 3]);
                }
            }
        }
        // Where the brightness of row `v` between `range` lies (its centroid).
        let centroid = |img: &RgbImage, v: usize, range: std::ops::Range<usize>| {
            let (mut sum, mut mass) = (0.0, 0.0);
            for u in range {
                let b = f64::from(img.data[(v * 400 + u) * 3]);
                sum += b * u as f64;
                mass += b;
            }
            sum / mass
        };
        // The nose base's offset from the eye centres' midpoint, in eye distances.
        let nose_offset = |img: &RgbImage| {
            let mid = centroid(img, 200, 0..300);
            let eyes = (centroid(img, 200, 0..mid as usize) + centroid(img, 200, mid as usize..300)) / 2.0;
            (centroid(img, 275, 0..300) - eyes) / 100.0
        };
        assert!(nose_offset(&img).abs() < 0.01);
        for degrees in [20.0f64, -20.0] {
            let turned = turn(&img, &FRONT, degrees.to_radians()).unwrap();
            // About the nose base's depth times the sine of the turn (0.35 · sin 20° = 0.12).
            let moved = nose_offset(&turned) * degrees.signum();
            assert!(
                (0.09..0.16).contains(&moved),
                "{degrees}°: the nose moved {moved}"
            );
            // The whole head moves the turned way: it turns about an axis behind the face.
            let eyes = (centroid(&turned, 200, 0..300) - 150.0) * degrees.signum();
            assert!(eyes > 30.0, "{degrees}°: the eyes moved {eyes} px");
            let far = centroid(&turned, 100, 300..400);
            assert!((far - 390.0).abs() < 0.01, "the background moved to {far}");
        }
    }

    #[test]
    fn no_turn_is_no_change() {
        let mut img = RgbImage::filled(300, 400, [0, 0, 0]);
        for (i, b) in img.data.iter_mut().enumerate() {
            *b = (i * 7 % 251) as u8;
        }
        assert_eq!(turn(&img, &FRONT, 0.0).unwrap().data, img.data);
    }

    #[test]
    fn landmarks_that_place_no_head_give_nothing() {
        let img = RgbImage::filled(10, 10, [0, 0, 0]);
        assert!(turn(&img, &[(5, 5); 5], 0.3).is_none());
    }
}
