//! Screen cue: the regular pixel lattice of a phone or tablet, and the moiré it makes with the camera's
//! own pixels, concentrate energy in a few sharp peaks at high spatial frequencies. Skin, paper and print
//! spread their fine detail over the whole band.
//!
//! The measure is taken on native camera pixels (never a resized copy, which would smooth the lattice
//! away): a square patch in the middle of the face, windowed (Hann), its 2-D DFT, and in the band between
//! [`BAND_LOW`] and the Nyquist frequency the ratio of the strongest bin to the band's mean power. White
//! noise gives about `ln(bins)` (≈ 7), a sharp lattice peak gives tens to hundreds. It runs on the grey
//! image and on a colour-difference image (red minus blue), where the sub-pixel stripes of an LCD or OLED
//! show as colour moiré. Bins on multiples of 8 cycles are left out: they hold the 8×8 block edges of
//! MJPEG, which every webcam frame can carry.

use crate::image::RgbImage;
use crate::shape::FaceBox;

/// Side of the patch (a power of two no larger than half the face).
pub const PATCH: usize = 64;
/// Lowest frequency counted, in cycles per patch (below it is the face's own shape).
pub const BAND_LOW: f64 = 12.0;

/// The screen-lattice score of the face in `face`: the larger of the grey and the colour peak ratios.
/// `None` when the face is too small for a patch of native pixels (under `2 · 32` px wide).
pub fn score(img: &RgbImage, face: FaceBox) -> Option<f64> {
    let side = if face.width() >= 2 * PATCH as i64 {
        PATCH
    } else if face.width() >= 64 {
        PATCH / 2
    } else {
        return None;
    };
    // The patch covers the nose and cheeks: between the eyes and the mouth, away from hair and background.
    let cx = (face.left + face.right) / 2;
    let cy = face.top + face.height() * 11 / 20;
    let x0 = cx - side as i64 / 2;
    let y0 = cy - side as i64 / 2;
    if x0 < 0 || y0 < 0 || x0 as usize + side > img.width || y0 as usize + side > img.height {
        return None;
    }
    let (x0, y0) = (x0 as usize, y0 as usize);
    let mut grey = Vec::with_capacity(side * side);
    let mut chroma = Vec::with_capacity(side * side);
    for y in y0..y0 + side {
        for x in x0..x0 + side {
            let i = (y * img.width + x) * 3;
            let (r, g, b) = (img.data[i] as f64, img.data[i + 1] as f64, img.data[i + 2] as f64);
            grey.push((r + g + b) / 3.0);
            chroma.push(r - b);
        }
    }
    Some(peak_ratio(&grey, side).max(peak_ratio(&chroma, side)))
}

/// Strongest band bin over the band's mean power, for a `side × side` patch.
pub fn peak_ratio(patch: &[f64], side: usize) -> f64 {
    let n = side;
    let mean = patch.iter().sum::<f64>() / (n * n) as f64;
    let hann: Vec<f64> = (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos())
        .collect();
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|k| {
            let a = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
            (a.cos(), a.sin())
        })
        .unzip();
    // Rows first: each row's DFT (real input), then each column of that (complex).
    // The windowed patch, once; the DFT's twiddle index `u·x mod n` is stepped by `u` rather than
    // divided out on every term (the division was most of the cost).
    let windowed: Vec<f64> = (0..n * n)
        .map(|i| (patch[i] - mean) * hann[i % n] * hann[i / n])
        .collect();
    let mut rows = vec![(0.0f64, 0.0f64); n * n];
    for y in 0..n {
        let line = &windowed[y * n..(y + 1) * n];
        for u in 0..n {
            let (mut re, mut im) = (0.0, 0.0);
            let mut k = 0;
            for &v in line {
                re += v * cos[k];
                im += v * sin[k];
                k += u;
                if k >= n {
                    k -= n;
                }
            }
            rows[y * n + u] = (re, im);
        }
    }
    let scale = BAND_LOW * n as f64 / PATCH as f64;
    let (mut peak, mut sum, mut count) = (0.0f64, 0.0f64, 0usize);
    for u in 0..n {
        for v in 0..n {
            let fu = if u > n / 2 { u as f64 - n as f64 } else { u as f64 };
            let fv = if v > n / 2 { v as f64 - n as f64 } else { v as f64 };
            let r = fu.hypot(fv);
            // MJPEG block edges: 8-pixel period, so multiples of n/8 cycles per patch.
            let block = n / 8;
            if r < scale || u % block == 0 || v % block == 0 {
                continue;
            }
            let (mut re, mut im) = (0.0, 0.0);
            let mut k = 0;
            for y in 0..n {
                let (a, b) = rows[y * n + u];
                re += a * cos[k] - b * sin[k];
                im += a * sin[k] + b * cos[k];
                k += v;
                if k >= n {
                    k -= n;
                }
            }
            let p = re * re + im * im;
            peak = peak.max(p);
            sum += p;
            count += 1;
        }
    }
    if count == 0 || sum <= 0.0 {
        return 0.0;
    }
    peak / (sum / count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % 256) as f64
            })
            .collect()
    }

    #[test]
    fn noise_is_flat_and_a_lattice_is_peaked() {
        let flat = noise(1, PATCH * PATCH);
        let r_noise = peak_ratio(&flat, PATCH);
        // A pixel lattice at 2.7 camera pixels a period (an LCD seen through the camera), weak against the noise.
        let lattice: Vec<f64> = flat
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = (i % PATCH) as f64;
                0.7 * v + 40.0 * (2.0 * std::f64::consts::PI * x / 2.7).cos()
            })
            .collect();
        let r_lattice = peak_ratio(&lattice, PATCH);
        assert!(r_noise < 15.0, "{r_noise}");
        assert!(r_lattice > 2.5 * r_noise, "{r_lattice} vs {r_noise}");
    }

    #[test]
    fn jpeg_block_edges_do_not_count() {
        let blocks: Vec<f64> = noise(2, PATCH * PATCH)
            .iter()
            .enumerate()
            .map(|(i, v)| v + if i % 8 == 0 { 60.0 } else { 0.0 })
            .collect();
        assert!(peak_ratio(&blocks, PATCH) < 15.0);
    }
}
