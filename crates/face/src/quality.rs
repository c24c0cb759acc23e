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
    /// Blurred: variance of the Laplacian on the face (scaled to 100 px) below this. Measured on a 640×480
    /// frame of obama2: sharp 1109; box blur of radius 2: 304, radius 3: 144, radius 6: 42.
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

/// Variance of the 4-neighbour Laplacian over the face, after scaling the face to about 100 px wide so
/// the measure does not depend on the face's size.
fn sharpness(grey: &[u8], w: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
    let fw = x1 - x0;
    let step = (fw / 100).max(1);
    let mut vals = Vec::new();
    let mut y = y0 + step;
    while y + step < y1 {
        let mut x = x0 + step;
        while x + step < x1 {
            let at = |xx: usize, yy: usize| grey[yy * w + xx] as f64;
            vals.push(4.0 * at(x, y) - at(x - step, y) - at(x + step, y) - at(x, y - step) - at(x, y + step));
            x += step;
        }
        y += step;
    }
    if vals.is_empty() {
        return 0.0;
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
    if sharpness(&grey, frame.width, x0, y0, x1, y1) < limits.min_sharpness {
        return Guidance::Blurred;
    }
    Guidance::Ok
}
