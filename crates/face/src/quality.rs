//! Guidance for the patient in front of the camera, as values the screen turns into words.
//!
//! The thresholds are starting points measured on the test photos (see `tests/quality.rs`); a clinic
//! can tune them in the kiosk configuration.

use crate::detect::Detection;
use crate::image::RgbImage;

/// What the patient should do, or `Ok` when the frame is good enough to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guidance {
    Ok,
    /// No face in view.
    NoFace,
    /// More than one face: only the patient should be in view.
    SeveralFaces,
    /// The face is small: come closer.
    TooSmall,
    /// The face fills the frame or touches its edges: step back.
    TooClose,
    /// The face is far from the middle of the frame.
    OffCentre,
    /// The face is too dark.
    TooDark,
    /// Bright light behind the patient: the face is much darker than the background.
    Backlit,
    /// The face is blurred (moving, or out of focus).
    Blurred,
}

/// Tunable limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityLimits {
    /// Face width as a fraction of the frame width.
    pub min_face_fraction: f64,
    pub max_face_fraction: f64,
    /// Largest distance of the face centre from the frame centre, as a fraction of the frame size.
    pub max_offset_fraction: f64,
    /// A second face counts when it is at least this fraction of the largest one's width.
    pub second_face_fraction: f64,
    /// Mean face brightness below this is too dark (0–255).
    pub min_brightness: f64,
    /// Backlit: background brighter than the face by this much, with the face below `backlit_face_max`.
    pub backlit_margin: f64,
    pub backlit_face_max: f64,
    /// Blurred: variance of the Laplacian on the face (resampled to 100 cells across) below this.
    /// Measured on 640×480 frames of obama2 (`tests/quality.rs`), face 270–330 px wide: sharp 757; box
    /// blur of radius 2: 246, radius 3: 140, radius 6: 38; face 190–200 px: sharp 876, radius 1: 264,
    /// radius 2: 119, radius 3: 52 (the same blur relative to the face size measures alike).
    pub min_sharpness: f64,
}

impl Default for QualityLimits {
    fn default() -> Self {
        QualityLimits {
            min_face_fraction: 0.2,
            max_face_fraction: 0.75,
            max_offset_fraction: 0.25,
            second_face_fraction: 0.5,
            min_brightness: 50.0,
            backlit_margin: 70.0,
            backlit_face_max: 110.0,
            min_sharpness: 100.0,
        }
    }
}

fn mean(grey: &[u8], w: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> Option<f64> {
    let n = (x1.saturating_sub(x0)) * (y1.saturating_sub(y0));
    if n == 0 {
        return None;
    }
    let s: u64 = (y0..y1)
        .map(|y| {
            grey[y * w + x0..y * w + x1]
                .iter()
                .map(|&v| v as u64)
                .sum::<u64>()
        })
        .sum();
    Some(s as f64 / n as f64)
}

/// The face is measured on a grid of this many cells across, whatever its size in the frame (a face
/// under this many pixels wide, smaller than the guidance lets through at 640×480, per pixel).
const SHARPNESS_CELLS: usize = 100;

/// Variance of the 4-neighbour Laplacian over the face, on the face resampled to about
/// [`SHARPNESS_CELLS`] cells across (each cell the mean of the pixels it covers), so the measure does
/// not depend on how large the face is in the frame. (It used to step over whole pixels, so a face
/// 199 px wide was measured on every pixel and one 200 px wide on every other: the same face, a little
/// nearer, counted several times sharper, and patients a little further away were told to hold still.)
fn sharpness(grey: &[u8], w: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> f64 {
    let (fw, fh) = (x1.saturating_sub(x0), y1.saturating_sub(y0));
    let cell = (fw as f64 / SHARPNESS_CELLS as f64).max(1.0);
    let (nx, ny) = ((fw as f64 / cell) as usize, (fh as f64 / cell) as usize);
    if nx < 3 || ny < 3 {
        return 0.0;
    }
    // Integral image of the face box: sums over any cell in four lookups.
    let iw = fw + 1;
    let mut integral = vec![0u64; iw * (fh + 1)];
    for y in 0..fh {
        let mut row = 0u64;
        for x in 0..fw {
            row += u64::from(grey[(y0 + y) * w + x0 + x]);
            integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + row;
        }
    }
    let edge = |i: usize| (i as f64 * cell).round() as usize;
    let cells: Vec<f64> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| (i, j)))
        .map(|(i, j)| {
            let (a, b) = (edge(i).min(fw), edge(i + 1).min(fw));
            let (c, d) = (edge(j).min(fh), edge(j + 1).min(fh));
            let sum =
                integral[d * iw + b] + integral[c * iw + a] - integral[c * iw + b] - integral[d * iw + a];
            sum as f64 / ((b - a) * (d - c)).max(1) as f64
        })
        .collect();
    let at = |i: usize, j: usize| cells[j * nx + i];
    let mut vals = Vec::with_capacity(nx * ny);
    for j in 1..ny - 1 {
        for i in 1..nx - 1 {
            vals.push(4.0 * at(i, j) - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1));
        }
    }
    let m = vals.iter().sum::<f64>() / vals.len() as f64;
    vals.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / vals.len() as f64
}

/// Judge a frame from its detections (largest first).
pub fn assess(frame: &RgbImage, faces: &[Detection], limits: &QualityLimits) -> Guidance {
    let Some(main) = faces.first() else {
        return Guidance::NoFace;
    };
    let (w, h) = (frame.width as f64, frame.height as f64);
    let fw = main.face.width() as f64;
    if faces
        .iter()
        .skip(1)
        .any(|d| d.face.width() as f64 >= limits.second_face_fraction * fw)
    {
        return Guidance::SeveralFaces;
    }
    let b = main.face;
    let touches =
        b.left <= 0 || b.top <= 0 || b.right >= frame.width as i64 - 1 || b.bottom >= frame.height as i64 - 1;
    if fw / w > limits.max_face_fraction || (touches && fw / w > 0.5) {
        return Guidance::TooClose;
    }
    if fw / w < limits.min_face_fraction {
        return Guidance::TooSmall;
    }
    let (cx, cy) = ((b.left + b.right) as f64 / 2.0, (b.top + b.bottom) as f64 / 2.0);
    if ((cx - w / 2.0) / w).abs() > limits.max_offset_fraction
        || ((cy - h / 2.0) / h).abs() > limits.max_offset_fraction
    {
        return Guidance::OffCentre;
    }
    let grey = frame.grey();
    let clip = |v: i64, max: usize| v.clamp(0, max as i64) as usize;
    let (x0, y0, x1, y1) = (
        clip(b.left, frame.width),
        clip(b.top, frame.height),
        clip(b.right + 1, frame.width),
        clip(b.bottom + 1, frame.height),
    );
    let Some(face_mean) = mean(&grey, frame.width, x0, y0, x1, y1) else {
        return Guidance::NoFace;
    };
    let all_mean = mean(&grey, frame.width, 0, 0, frame.width, frame.height).unwrap_or(face_mean);
    let face_area = ((x1 - x0) * (y1 - y0)) as f64;
    let frame_area = (frame.width * frame.height) as f64;
    let background = if frame_area > face_area {
        (all_mean * frame_area - face_mean * face_area) / (frame_area - face_area)
    } else {
        face_mean
    };
    if face_mean < limits.backlit_face_max && background - face_mean > limits.backlit_margin {
        return Guidance::Backlit;
    }
    if face_mean < limits.min_brightness {
        return Guidance::TooDark;
    }
    if sharpness(&grey, frame.width, (x0, y0, x1, y1)) < limits.min_sharpness {
        return Guidance::Blurred;
    }
    Guidance::Ok
}

#[cfg(test)]
mod tests {
    use super::sharpness;

    /// A face-sized patch of detail (up to 23 cycles across the face), drawn `px` pixels wide.
    fn patch(px: usize) -> Vec<u8> {
        let tau = std::f64::consts::TAU;
        (0..px * px)
            .map(|k| {
                let (u, v) = ((k % px) as f64 / px as f64, (k / px) as f64 / px as f64);
                let g = 128.0
                    + 40.0 * (tau * 7.0 * u).sin() * (tau * 5.0 * v).cos()
                    + 20.0 * (tau * (23.0 * u + 17.0 * v)).sin();
                g.round() as u8
            })
            .collect()
    }

    #[test]
    fn the_same_face_measures_alike_a_little_nearer_or_further() {
        let at = |px: usize| sharpness(&patch(px), px, (0, 0, px, px));
        let sizes = [150, 190, 199, 200, 210, 260];
        let measures: Vec<f64> = sizes.iter().map(|&px| at(px)).collect();
        let (lo, hi) = measures
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), &m| (lo.min(m), hi.max(m)));
        assert!(hi / lo < 1.3, "{sizes:?} px: {measures:?}");
    }
}
