//! The pictures an attacker holds up, as surfaces for [`crate::scene::shoot`]: a print, the card front, a
//! phone or tablet screen; and a live photo (for the bona fide proxies), which fills the view.

use crate::scene::Surface;
use kiosk_cardfront::synth::Rng;
use kiosk_face::RgbImage;

fn bilinear(img: &RgbImage, u: f64, v: f64) -> [f32; 3] {
    let x0 = (u.floor() as i64).clamp(0, img.width as i64 - 1) as usize;
    let y0 = (v.floor() as i64).clamp(0, img.height as i64 - 1) as usize;
    let x1 = (x0 + 1).min(img.width - 1);
    let y1 = (y0 + 1).min(img.height - 1);
    let (fx, fy) = (
        (u - u.floor()).clamp(0.0, 1.0) as f32,
        (v - v.floor()).clamp(0.0, 1.0) as f32,
    );
    let px = |x: usize, y: usize, ch: usize| f32::from(img.data[(y * img.width + x) * 3 + ch]);
    std::array::from_fn(|ch| {
        let top = px(x0, y0, ch) * (1.0 - fx) + px(x1, y0, ch) * fx;
        let bottom = px(x0, y1, ch) * (1.0 - fx) + px(x1, y1, ch) * fx;
        top * (1.0 - fy) + bottom * fy
    })
}

/// A picture on a rigid flat medium: `tex` with the face centre at `(fx, fy)` texture pixels, `cm` cm a
/// texture pixel. `clamp` extends the edge pixels for ever (a live photo that fills the view).
#[derive(Debug)]
pub struct Flat {
    pub tex: RgbImage,
    pub fx: f64,
    pub fy: f64,
    pub cm: f64,
    pub clamp: bool,
    /// Laminate or glossy-paper glare: centre (cm from the face centre), radius (cm), strength (levels).
    pub glare: Option<(f64, f64, f64, f32)>,
}

impl Surface for Flat {
    fn at(&self, s: f64, t: f64, _foot: f64) -> Option<[f32; 3]> {
        let (u, v) = (self.fx + s / self.cm, self.fy + t / self.cm);
        let inside = u >= 0.0 && v >= 0.0 && u < self.tex.width as f64 && v < self.tex.height as f64;
        if !inside && !self.clamp {
            return None;
        }
        let mut c = bilinear(&self.tex, u, v);
        if let Some((gx, gy, r, k)) = self.glare {
            let d2 = ((s - gx).powi(2) + (t - gy).powi(2)) / (r * r);
            let g = k * (-d2).exp() as f32;
            c = c.map(|v| v + g);
        }
        Some(c)
    }
}

/// A photo printed on paper with a white margin: a print's smaller tonal range, a colour cast, paper grain.
pub fn print(photo: &RgbImage, margin: usize, rng: &mut Rng) -> RgbImage {
    let (w, h) = (photo.width + 2 * margin, photo.height + 2 * margin);
    let cast = [rng.range(0.95, 1.03), rng.range(0.95, 1.02), rng.range(0.9, 1.0)];
    let (black, white) = (rng.range(18.0, 35.0), rng.range(225.0, 245.0));
    let mut out = RgbImage::filled(w, h, [0, 0, 0]);
    let mut grain = Rng::new(rng.next_u64());
    for y in 0..h {
        for x in 0..w {
            let inside = x >= margin && y >= margin && x < margin + photo.width && y < margin + photo.height;
            let g = 1.0 + 0.035 * grain.normal();
            let i = (y * w + x) * 3;
            for (ch, k) in cast.iter().enumerate() {
                let v = if inside {
                    let p = f64::from(photo.data[((y - margin) * photo.width + x - margin) * 3 + ch]);
                    black + (white - black) * p / 255.0
                } else {
                    white
                };
                out.data[i + ch] = (v * k * g).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// A phone or tablet showing `photo`: the photo on the screen's pixel grid (red, green and blue stripes
/// with black gaps), inside a dark bezel. The camera pixel's footprint is integrated over the stripes,
/// so the grid aliases into moiré as much as a real sensor's pixel area lets it.
#[derive(Debug)]
pub struct Screen {
    /// The picture at the screen's own resolution (one texel a screen pixel).
    pub pixels: RgbImage,
    /// Face centre, in screen pixels.
    pub fx: f64,
    pub fy: f64,
    /// Screen pixel pitch, cm.
    pub pitch: f64,
    /// Bezel width, cm.
    pub bezel: f64,
    /// Display brightness (1 = the photo's own levels).
    pub brightness: f32,
    pub glare: Option<(f64, f64, f64, f32)>,
}

/// Lit parts of a screen pixel, in pixel units: the three sub-pixel stripes, and the lit rows.
const STRIPES: [(f64, f64); 3] = [(0.03, 0.30), (0.36, 0.63), (0.70, 0.97)];
const ROW: (f64, f64) = (0.05, 0.95);

/// Length of `[a, b]` inside the lit span `(lo, hi)` repeated every pixel.
fn lit(a: f64, b: f64, (lo, hi): (f64, f64)) -> f64 {
    let mut total = 0.0;
    let mut p = a.floor();
    while p < b {
        let (l, h) = ((p + lo).max(a), (p + hi).min(b));
        total += (h - l).max(0.0);
        p += 1.0;
    }
    total
}

impl Surface for Screen {
    fn at(&self, s: f64, t: f64, foot: f64) -> Option<[f32; 3]> {
        let (u, v) = (self.fx + s / self.pitch, self.fy + t / self.pitch);
        let (w, h) = (self.pixels.width as f64, self.pixels.height as f64);
        let b = self.bezel / self.pitch;
        if u < -b || v < -b || u >= w + b || v >= h + b {
            return None;
        }
        let mut c = if u < 0.0 || v < 0.0 || u >= w || v >= h {
            [22.0, 22.0, 25.0]
        } else {
            let half = (foot / self.pitch / 2.0).max(0.02);
            let (u0, u1, v0, v1) = (u - half, u + half, v - half, v + half);
            let area = (u1 - u0) * (v1 - v0);
            let mut acc = [0f32; 3];
            let mut y = v0.floor();
            while y < v1 {
                let ry = lit(y.max(v0), (y + 1.0).min(v1), ROW);
                let mut x = u0.floor();
                while x < u1 {
                    let (xa, xb) = (x.max(u0), (x + 1.0).min(u1));
                    let (px, py) = (
                        (x as i64).clamp(0, self.pixels.width as i64 - 1) as usize,
                        (y as i64).clamp(0, self.pixels.height as i64 - 1) as usize,
                    );
                    let i = (py * self.pixels.width + px) * 3;
                    for (ch, stripe) in STRIPES.iter().enumerate() {
                        acc[ch] += (f64::from(self.pixels.data[i + ch]) * lit(xa, xb, *stripe) * ry) as f32;
                    }
                    x += 1.0;
                }
                y += 1.0;
            }
            // Each channel lights 0.27 × 0.9 of a pixel: scale back to the photo's levels.
            let k = self.brightness / (area * 0.27 * 0.9) as f32;
            acc.map(|a| a * k)
        };
        if let Some((gx, gy, r, k)) = self.glare {
            let d2 = ((s - gx).powi(2) + (t - gy).powi(2)) / (r * r);
            let g = k * (-d2).exp() as f32;
            c = c.map(|v| v + g);
        }
        Some(c)
    }
}

/// Area-average resize of `img` by `scale` (< 1 shrinks), for putting a photo on a screen's pixel grid.
pub fn resize(img: &RgbImage, scale: f64) -> RgbImage {
    let w = ((img.width as f64 * scale).round() as usize).max(1);
    let h = ((img.height as f64 * scale).round() as usize).max(1);
    let mut out = RgbImage::filled(w, h, [0, 0, 0]);
    for y in 0..h {
        for x in 0..w {
            let (sx0, sx1) = (x as f64 / scale, (x + 1) as f64 / scale);
            let (sy0, sy1) = (y as f64 / scale, (y + 1) as f64 / scale);
            if scale >= 1.0 {
                let c = bilinear(img, (sx0 + sx1) / 2.0 - 0.5, (sy0 + sy1) / 2.0 - 0.5);
                for (ch, v) in c.iter().enumerate() {
                    out.data[(y * w + x) * 3 + ch] = v.round() as u8;
                }
                continue;
            }
            let mut acc = [0f64; 3];
            let mut n = 0.0f64;
            for yy in sy0.floor() as usize..(sy1.ceil() as usize).min(img.height) {
                for xx in sx0.floor() as usize..(sx1.ceil() as usize).min(img.width) {
                    for (ch, a) in acc.iter_mut().enumerate() {
                        *a += f64::from(img.data[(yy * img.width + xx) * 3 + ch]);
                    }
                    n += 1.0;
                }
            }
            for (ch, a) in acc.iter().enumerate() {
                out.data[(y * w + x) * 3 + ch] = (a / n.max(1.0)).round() as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_shows_the_photos_levels_on_average() {
        let screen = Screen {
            pixels: RgbImage::filled(100, 100, [200, 100, 50]),
            fx: 50.0,
            fy: 50.0,
            pitch: 0.01,
            bezel: 0.5,
            brightness: 1.0,
            glare: None,
        };
        let c = screen.at(0.0, 0.0, 0.1).unwrap();
        assert!((c[0] - 200.0).abs() < 8.0 && (c[1] - 100.0).abs() < 5.0, "{c:?}");
        assert_eq!(screen.at(0.6, 0.0, 0.1), Some([22.0, 22.0, 25.0]), "the bezel");
        assert_eq!(screen.at(2.0, 0.0, 0.1), None, "off the phone");
    }
}
