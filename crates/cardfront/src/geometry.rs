//! Plane geometry: the homography between the straightened card and the frame, and bilinear sampling.

use crate::RgbImage;

/// A projective map, (x, y) ↦ ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography([f64; 8]);

impl Homography {
    /// The map taking each `from[i]` to `to[i]`; `None` when three points are collinear.
    pub fn from_points(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Homography> {
        let mut m = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let ((x, y), (u, v)) = (from[i], to[i]);
            m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..8 {
            let pivot = (col..8).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
            if m[pivot][col].abs() < 1e-9 {
                return None;
            }
            m.swap(col, pivot);
            for row in 0..8 {
                if row != col {
                    let f = m[row][col] / m[col][col];
                    let pivot_row = m[col];
                    for (v, p) in m[row].iter_mut().zip(pivot_row).skip(col) {
                        *v -= f * p;
                    }
                }
            }
        }
        let mut h = [0.0; 8];
        for (i, v) in h.iter_mut().enumerate() {
            *v = m[i][8] / m[i][i];
        }
        h.iter().all(|v| v.is_finite()).then_some(Homography(h))
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + 1.0;
        ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
    }
}

/// Bilinear RGB at (x, y), edges clamped.
pub fn sample_rgb(p: &RgbImage, x: f32, y: f32) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        *o = bilinear(p.width, p.height, x, y, |i| f32::from(p.data[i * 3 + k])).round() as u8;
    }
    out
}

/// Bilinear interpolation of a `w × h` grid read through `at(index)`, edges clamped.
pub fn bilinear(w: usize, h: usize, x: f32, y: f32, at: impl Fn(usize) -> f32) -> f32 {
    if w == 0 || h == 0 {
        return 0.0;
    }
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let top = at(y0 * w + x0) * (1.0 - fx) + at(y0 * w + x1) * fx;
    let bottom = at(y1 * w + x0) * (1.0 - fx) + at(y1 * w + x1) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_the_corners() {
        let from = [(0.0, 0.0), (856.0, 0.0), (856.0, 540.0), (0.0, 540.0)];
        let to = [(100.0, 80.0), (700.0, 120.0), (680.0, 500.0), (90.0, 450.0)];
        let h = Homography::from_points(from, to).expect("a quadrilateral");
        for (a, b) in from.iter().zip(to) {
            let (x, y) = h.apply(a.0, a.1);
            assert!((x - b.0).abs() < 1e-6 && (y - b.1).abs() < 1e-6);
        }
        assert!(Homography::from_points(from, [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]).is_none());
    }
}
