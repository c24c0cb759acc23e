//! Face detection with rustface (SeetaFace's funnel-structured cascade; its model ships inside the
//! crate and is copied into the model folder by `cargo xtask models`).
//!
//! rustface's smallest face is its 40×40 window and its cost grows with the frame, so a live frame is
//! shrunk to at most [`DETECT_WIDTH`] pixels wide (faces of ≥ 80 px in VGA stay ≥ 40 px) and the boxes are
//! mapped back to full-frame coordinates.

use crate::image::RgbImage;
use crate::shape::FaceBox;

/// Frames wider than this are shrunk before detection.
pub const DETECT_WIDTH: usize = 320;
/// rustface cannot see anything smaller than its window.
const MIN_SIDE: usize = 40;

/// A detected face in full-frame coordinates, with the detector's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub face: FaceBox,
    pub score: f64,
}

/// A detector; not `Send` (rustface's is not), so make one per worker thread from a shared model.
pub struct Detector {
    inner: Box<dyn rustface::Detector>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Detector")
    }
}

/// Box-filter shrink of a grey image by an integer-free factor (area average of the covered pixels).
pub fn shrink_grey(grey: &[u8], w: usize, h: usize, new_w: usize) -> (Vec<u8>, usize, usize) {
    if new_w >= w {
        return (grey.to_vec(), w, h);
    }
    let new_h = (h * new_w / w).max(1);
    let mut out = Vec::with_capacity(new_w * new_h);
    for oy in 0..new_h {
        let (y0, y1) = (oy * h / new_h, ((oy + 1) * h / new_h).max(oy * h / new_h + 1));
        for ox in 0..new_w {
            let (x0, x1) = (ox * w / new_w, ((ox + 1) * w / new_w).max(ox * w / new_w + 1));
            let mut sum = 0u32;
            for y in y0..y1 {
                sum += grey[y * w + x0..y * w + x1]
                    .iter()
                    .map(|&v| v as u32)
                    .sum::<u32>();
            }
            out.push((sum / ((y1 - y0) * (x1 - x0)) as u32) as u8);
        }
    }
    (out, new_w, new_h)
}

impl Detector {
    pub fn new(model: &rustface::Model) -> Detector {
        let mut inner = rustface::create_detector_with_model(model.clone());
        inner.set_score_thresh(2.0);
        inner.set_pyramid_scale_factor(0.8);
        inner.set_slide_window_step(4, 4);
        Detector { inner }
    }

    /// A detector for benchmarks and tools that hold only the loaded models.
    pub fn new_default_for_bench(models: &crate::FaceModels) -> Detector {
        Detector::new(models.detector_model())
    }

    /// Faces in `img`, largest first.
    pub fn detect(&mut self, img: &RgbImage) -> Vec<Detection> {
        self.detect_grey(&img.grey(), img.width, img.height, DETECT_WIDTH)
    }

    /// Faces in a grey image, shrinking it to `max_width` first.
    pub fn detect_grey(&mut self, grey: &[u8], w: usize, h: usize, max_width: usize) -> Vec<Detection> {
        if w < MIN_SIDE || h < MIN_SIDE || grey.len() != w * h {
            return Vec::new();
        }
        let (small, sw, sh) = shrink_grey(grey, w, h, max_width.max(MIN_SIDE));
        if sw < MIN_SIDE || sh < MIN_SIDE {
            return Vec::new();
        }
        let scale = w as f64 / sw as f64;
        let image = rustface::ImageData::new(&small, sw as u32, sh as u32);
        let mut faces: Vec<Detection> = self
            .inner
            .detect(&image)
            .iter()
            .map(|f| {
                let b = f.bbox();
                let (x, y, bw, bh) = (b.x() as f64, b.y() as f64, b.width() as f64, b.height() as f64);
                let clamp_x = |v: f64| v.round().clamp(0.0, w as f64 - 1.0) as i64;
                let clamp_y = |v: f64| v.round().clamp(0.0, h as f64 - 1.0) as i64;
                Detection {
                    face: FaceBox {
                        left: clamp_x(x * scale),
                        top: clamp_y(y * scale),
                        right: clamp_x((x + bw) * scale - 1.0),
                        bottom: clamp_y((y + bh) * scale - 1.0),
                    },
                    score: f.score(),
                }
            })
            .collect();
        faces.sort_by_key(|d| std::cmp::Reverse(d.face.width() * d.face.height()));
        faces
    }
}
