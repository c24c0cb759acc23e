//! Outline cue: a picture held up to the camera has edges. The bezel of a phone or tablet, and the border
//! of a card or a print, run as long straight lines beside the face, on both sides of it and nearly
//! parallel to the face's own vertical axis: the face is drawn roughly upright on the picture, and the
//! picture and its frame move, tilt and turn together. A live head has no such frame: its outline is the curve of the cheeks and
//! ears, and a straight line behind it (a door frame, a shelf's end) is seldom on both sides, and is cut by
//! the shoulders below the chin.
//!
//! This is the cue against a replayed video of the holder turning their head as asked, where the geometry
//! of the turn cannot help and the screen's pixel grid is too fine for the camera to resolve (a phone at
//! 400–460 ppi held 10 cm from a webcam puts three screen pixels in one camera pixel).
//!
//! Method: two bands beside the face are resampled into the face's own frame (the eye line across, its
//! normal down), from [`NEAR`] to [`FAR`] eye distances sideways and from [`ABOVE`] above the eye line to
//! [`BELOW`] under it. In each band, edge pixels are those where the grey step across the face axis is at
//! least [`MIN_STEP`] levels, much stronger than the step along it, and a local maximum across; a Hough
//! vote over lines within ±[`MAX_TILT_DEG`] of the face axis, per edge polarity, finds the straightest
//! line. A band's score is the share of its rows that line passes through as an edge; the frame's score
//! is the weaker of the two bands: both sides must be framed.

use super::pose::EyeFrame;
use crate::image::RgbImage;
use crate::shape::Landmarks;

/// Nearest line looked for, sideways from the midpoint of the eye centres, in eye distances. The cheek
/// is about 1.1 eye distances out; a phone's edge 1.25–2.1 (half a 6.8 cm phone beside a 3.5–6 cm face).
pub const NEAR: f64 = 1.25;
/// Farthest line looked for (a tablet's edge beside a small face on it).
pub const FAR: f64 = 3.6;
/// Extent of the bands along the face axis: above the eye line (over the forehead and hair) ...
pub const ABOVE: f64 = 1.6;
/// ... and below it (past the chin, where a live person's neck and shoulders are).
pub const BELOW: f64 = 2.4;
/// Largest angle between a line and the face axis: the face in a photo is seldom exactly upright (the
/// head tilted, the photo taken askew), so the frame and the face axis can differ by this much.
pub const MAX_TILT_DEG: i32 = 30;
/// Smallest grey step across an edge (Sobel, in grey levels of a sharp step): about three times a
/// webcam's sensor noise.
pub const MIN_STEP: f32 = 12.0;
/// A band needs at least this many eye distances of rows inside the frame to be judged.
pub const MIN_ROWS: f64 = 2.0;

/// The outline score of the face whose landmarks are `l`: in 0–1, the share of the face's height framed
/// by straight edges on its weaker side. `None` when either band lies mostly outside the frame or the eyes
/// are degenerate.
pub fn score(img: &RgbImage, l: &Landmarks) -> Option<f64> {
    let frame = EyeFrame::from_landmarks(l, 8.0)?;
    let (centre, across, down, d) = (frame.centre, frame.along, frame.down, frame.eye_distance);
    let band = |side: f64| {
        Band::sample(img, centre, (across.0 * side, across.1 * side), down, d).and_then(|b| b.best_line(d))
    };
    Some(band(1.0)?.min(band(-1.0)?))
}

/// One side's band, resampled: `w` columns outwards from the face, `h` rows down the face axis.
struct Band {
    w: usize,
    h: usize,
    /// Grey levels; NaN outside the camera frame.
    px: Vec<f32>,
}

impl Band {
    /// Only the band's own pixels are made grey: the camera frame is several times the two bands.
    fn sample(img: &RgbImage, centre: (f64, f64), out: (f64, f64), down: (f64, f64), d: f64) -> Option<Band> {
        let w = ((FAR - NEAR) * d).round() as usize;
        let h = ((ABOVE + BELOW) * d).round() as usize;
        if w < 8 || h < 8 {
            return None;
        }
        let mut px = vec![f32::NAN; w * h];
        for (r, row) in px.chunks_exact_mut(w).enumerate() {
            let t = r as f64 - ABOVE * d;
            for (c, p) in row.iter_mut().enumerate() {
                let s = NEAR * d + c as f64;
                let x = centre.0 + s * out.0 + t * down.0;
                let y = centre.1 + s * out.1 + t * down.1;
                if x >= 0.0 && y >= 0.0 && (x as usize) < img.width && (y as usize) < img.height {
                    let at = (y as usize * img.width + x as usize) * 3;
                    let rgb = &img.data[at..at + 3];
                    *p = (f32::from(rgb[0]) + f32::from(rgb[1]) + f32::from(rgb[2])) / 3.0;
                }
            }
        }
        Some(Band { w, h, px })
    }

    /// The edge pixels, as (column, row, polarity): a strong step across the face axis, weak along it,
    /// the strongest of its row neighbours; and per column, the rows whose 3×3 neighbourhood is inside
    /// the frame. The steps are Sobel's, in grey levels of a sharp step; a row's are worked out into a
    /// buffer first (NaN where the neighbourhood leaves the frame, and at the band's first and last
    /// column, which have no neighbourhood), so the loops stay simple enough for the compiler.
    fn edges(&self) -> (Vec<(usize, usize, usize)>, Vec<usize>) {
        let (w, h) = (self.w, self.h);
        let mut edges = Vec::new();
        let mut rows_inside = vec![0usize; w];
        let mut across = vec![f32::NAN; w];
        let mut along = vec![f32::NAN; w];
        for r in 1..h - 1 {
            let up = &self.px[(r - 1) * w..r * w];
            let mid = &self.px[r * w..(r + 1) * w];
            let below = &self.px[(r + 1) * w..(r + 2) * w];
            for c in 1..w - 1 {
                let (a, b, e) = (up[c - 1], up[c], up[c + 1]);
                let (f, g) = (mid[c - 1], mid[c + 1]);
                let (k, m, n) = (below[c - 1], below[c], below[c + 1]);
                let x = ((e + 2.0 * g + n) - (a + 2.0 * f + k)) / 4.0;
                let y = ((k + 2.0 * m + n) - (a + 2.0 * b + e)) / 4.0;
                let inside = x.is_finite() && y.is_finite();
                across[c] = if inside { x } else { f32::NAN };
                along[c] = if inside { y } else { f32::NAN };
            }
            for c in 1..w - 1 {
                let g = across[c];
                if g.is_nan() {
                    continue;
                }
                rows_inside[c] += 1;
                let mag = g.abs();
                let (before, after) = (across[c - 1], across[c + 1]);
                let peak = (before.is_nan() || before.abs() <= mag) && (after.is_nan() || after.abs() < mag);
                if mag >= MIN_STEP && mag >= 2.0 * along[c].abs() && peak {
                    edges.push((c, r, usize::from(g > 0.0)));
                }
            }
        }
        (edges, rows_inside)
    }

    /// The share of rows (inside the frame) crossed by the best straight edge line, or `None` when too
    /// few rows of the band are inside the frame.
    fn best_line(&self, d: f64) -> Option<f64> {
        let (w, h) = (self.w, self.h);
        let (edges, rows_inside) = self.edges();
        let tilts: Vec<f64> = (-MAX_TILT_DEG..=MAX_TILT_DEG)
            .step_by(2)
            .map(|deg| f64::from(deg).to_radians().tan())
            .collect();
        // Offsets can move by up to tan(MAX_TILT_DEG)·h/2 either way from the band's own columns.
        let margin = (f64::from(MAX_TILT_DEG).to_radians().tan() * h as f64 / 2.0).ceil() as usize + 2;
        let bins = w + 2 * margin;
        let mut votes = vec![0u32; 2 * tilts.len() * bins];
        let mid_row = h as f64 / 2.0;
        // How far each tilt's line has moved sideways at each row, worked out once, not per edge.
        let shift: Vec<f64> = tilts
            .iter()
            .flat_map(|t| (0..h).map(move |r| (r as f64 - mid_row) * t))
            .collect();
        for &(c, r, polarity) in &edges {
            for ti in 0..tilts.len() {
                let offset = c as f64 - shift[ti * h + r] + margin as f64;
                let bin = offset.round() as usize;
                votes[(polarity * tilts.len() + ti) * bins + bin] += 1;
            }
        }
        let min_rows = (MIN_ROWS * d) as usize;
        let mut best: Option<f64> = None;
        for line in votes.chunks_exact(bins) {
            for bin in 1..bins - 1 {
                let col = bin as i64 - margin as i64;
                if col < 1 || col as usize >= w - 1 {
                    continue;
                }
                let inside = rows_inside[col as usize];
                if inside < min_rows {
                    continue;
                }
                // A line drawn on a pixel grid wanders by one column: count the neighbours' votes too.
                let v = line[bin - 1] + line[bin] + line[bin + 1];
                let share = (f64::from(v) / inside as f64).min(1.0);
                best = Some(best.map_or(share, |b| b.max(share)));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Landmarks of an upright face whose eye centres are `d` px apart around `(cx, cy)`.
    fn eyes(cx: i64, cy: i64, d: i64) -> Landmarks {
        let h = d / 2;
        [
            (cx + h + 8, cy),
            (cx + h - 8, cy),
            (cx - h - 8, cy),
            (cx - h + 8, cy),
            (cx, cy + d * 3 / 4),
        ]
    }

    fn noise_image(w: usize, h: usize, seed: u64) -> RgbImage {
        let mut s = seed;
        let mut img = RgbImage::filled(w, h, [0, 0, 0]);
        for v in img.data.chunks_exact_mut(3) {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = 120 + ((s >> 33) % 9) as u8;
            v.copy_from_slice(&[n, n, n]);
        }
        img
    }

    /// A dark frame (a bezel) around the rectangle `x0..x1`, `y0..y1`, rolled by `roll` radians about
    /// `(cx, cy)`: the picture held up.
    fn framed(img: &mut RgbImage, (cx, cy): (f64, f64), half_w: f64, half_h: f64, roll: f64) {
        let (s, c) = roll.sin_cos();
        for y in 0..img.height {
            for x in 0..img.width {
                let (dx, dy) = (x as f64 - cx, y as f64 - cy);
                let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
                let inside = u.abs() < half_w && v.abs() < half_h;
                let bezel = u.abs() < half_w + 12.0 && v.abs() < half_h + 12.0;
                if bezel && !inside {
                    let i = (y * img.width + x) * 3;
                    img.data[i..i + 3].copy_from_slice(&[25, 25, 28]);
                }
            }
        }
    }

    #[test]
    fn a_face_in_a_frame_scores_high_and_an_open_view_low() {
        let open = noise_image(640, 480, 1);
        let l = eyes(320, 200, 80);
        let free = score(&open, &l).unwrap();
        assert!(free < 0.2, "{free}");
        let mut phone = open.clone();
        framed(&mut phone, (320.0, 230.0), 140.0, 300.0, 0.0);
        let held = score(&phone, &l).unwrap();
        assert!(held > 0.8, "{held}");
    }

    #[test]
    fn the_frame_follows_the_faces_roll() {
        // Picture and face rolled together by 12°: the lines are still along the face axis.
        let mut img = noise_image(640, 480, 2);
        let roll: f64 = 12f64.to_radians();
        framed(&mut img, (320.0, 230.0), 140.0, 300.0, roll);
        let (s, c) = roll.sin_cos();
        let rot = |x: f64, y: f64| {
            let (dx, dy) = (x - 320.0, y - 230.0);
            (
                (320.0 + c * dx - s * dy).round() as i64,
                (230.0 + s * dx + c * dy).round() as i64,
            )
        };
        let l = eyes(320, 200, 80).map(|(x, y)| rot(x as f64, y as f64));
        let held = score(&img, &l).unwrap();
        // Lower than upright: the drawn frame's edges are unsmoothed staircases here.
        assert!(held > 0.7, "{held}");
    }

    #[test]
    fn one_straight_line_beside_a_face_is_not_a_frame() {
        // A door frame on one side only.
        let mut img = noise_image(640, 480, 3);
        for y in 0..480 {
            for x in 470..482 {
                let i = (y * 640 + x) * 3;
                img.data[i..i + 3].copy_from_slice(&[40, 35, 30]);
            }
        }
        let s = score(&img, &eyes(320, 200, 80)).unwrap();
        assert!(s < 0.2, "{s}");
    }

    #[test]
    fn a_band_outside_the_frame_is_not_judged() {
        let img = noise_image(640, 480, 4);
        assert_eq!(score(&img, &eyes(60, 200, 80)), None);
    }
}
