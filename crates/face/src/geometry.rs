//! Small geometry shared by the shape predictor and the chip extraction: points and dlib's similarity
//! fit (Umeyama's least squares, as `find_similarity_transform`).

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    pub fn new(x: f64, y: f64) -> Pt {
        Pt { x, y }
    }
}

/// A similarity transform `p ↦ M·p + t`, with `M = c·R`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub m: [[f64; 2]; 2],
    pub t: Pt,
}

impl Similarity {
    pub fn apply(&self, p: Pt) -> Pt {
        Pt::new(
            self.m[0][0] * p.x + self.m[0][1] * p.y + self.t.x,
            self.m[1][0] * p.x + self.m[1][1] * p.y + self.t.y,
        )
    }
}

/// Least-squares similarity mapping `from` onto `to` (Umeyama 1991, reflections excluded).
///
/// For 2-D points the SVD has a closed form: with the cross-covariance `cov = [[a, b], [c, d]]`, the best
/// rotation angle is `atan2(c − b, a + d)` and `trace(D·S)` is `√((a+d)² + (c−b)²)`, also when
/// `det(cov) < 0` (the reflection guard flips the smaller singular value, which this expression already
/// accounts for).
pub fn similarity(from: &[Pt], to: &[Pt]) -> Similarity {
    let n = from.len().min(to.len()).max(1) as f64;
    let mean = |ps: &[Pt]| {
        Pt::new(
            ps.iter().map(|p| p.x).sum::<f64>() / n,
            ps.iter().map(|p| p.y).sum::<f64>() / n,
        )
    };
    let (mf, mt) = (mean(from), mean(to));
    let (mut a, mut b, mut c, mut d, mut sigma) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (f, t) in from.iter().zip(to) {
        let (fx, fy, tx, ty) = (f.x - mf.x, f.y - mf.y, t.x - mt.x, t.y - mt.y);
        sigma += fx * fx + fy * fy;
        a += tx * fx;
        b += tx * fy;
        c += ty * fx;
        d += ty * fy;
    }
    let (a, b, c, d, sigma) = (a / n, b / n, c / n, d / n, sigma / n);
    let (e, h) = ((a + d) / 2.0, (c - b) / 2.0);
    let q = (e * e + h * h).sqrt();
    let angle = h.atan2(e);
    let scale = if sigma > 0.0 { 2.0 * q / sigma } else { 0.0 };
    let (sin, cos) = angle.sin_cos();
    let m = [[scale * cos, -scale * sin], [scale * sin, scale * cos]];
    let t = Pt::new(
        mt.x - (m[0][0] * mf.x + m[0][1] * mf.y),
        mt.y - (m[1][0] * mf.x + m[1][1] * mf.y),
    );
    Similarity { m, t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_similarity() {
        let from = [
            Pt::new(0.0, 0.0),
            Pt::new(1.0, 0.0),
            Pt::new(0.0, 2.0),
            Pt::new(3.0, 1.0),
        ];
        let (s, th) = (1.7f64, 0.4f64);
        let to: Vec<Pt> = from
            .iter()
            .map(|p| {
                Pt::new(
                    s * (th.cos() * p.x - th.sin() * p.y) + 5.0,
                    s * (th.sin() * p.x + th.cos() * p.y) - 2.0,
                )
            })
            .collect();
        let t = similarity(&from, &to);
        for (f, want) in from.iter().zip(&to) {
            let got = t.apply(*f);
            assert!((got.x - want.x).abs() < 1e-9 && (got.y - want.y).abs() < 1e-9);
        }
    }
}
