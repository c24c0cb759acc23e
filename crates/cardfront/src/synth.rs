//! Photographs of a card front, made up: the card placed on a dark tray, turned, in perspective, blurred,
//! with a reflection, in dim light, or partly under a thumb. Deterministic from a seed, so the accuracy
//! table and the tests are reproducible. Also random card fronts covering every era.

use crate::geometry::{Homography, sample_rgb};
use crate::layout::{CARD_H, CARD_W};
use crate::{Era, FrontFields, PrintedBirth, PrintedFront, RgbImage, Ymd};

/// How a photograph differs from a clean one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variation {
    Clean,
    Rotation,
    Perspective,
    Blur,
    Glare,
    LowLight,
    Occlusion,
    /// A little of everything at once.
    Mixed,
}

impl Variation {
    pub const ALL: [Variation; 8] = [
        Variation::Clean,
        Variation::Rotation,
        Variation::Perspective,
        Variation::Blur,
        Variation::Glare,
        Variation::LowLight,
        Variation::Occlusion,
        Variation::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variation::Clean => "clean",
            Variation::Rotation => "rotation ±18°",
            Variation::Perspective => "perspective",
            Variation::Blur => "blur",
            Variation::Glare => "glare",
            Variation::LowLight => "low light + noise",
            Variation::Occlusion => "thumb over the card",
            Variation::Mixed => "mixed",
        }
    }
}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.range(1e-12, 1.0);
        let v = self.range(0.0, 1.0);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A photograph of `card` (a [`crate::render`] output) in a `width × height` frame.
pub fn photograph(card: &RgbImage, variation: Variation, seed: u64, width: usize, height: usize) -> RgbImage {
    use Variation as V;
    let mut rng = Rng::new(seed);
    let corners = place_card(variation, width as f64, height as f64, &mut rng);
    let mut out = tray_with_card(card, &corners, width, height);
    if variation == V::Occlusion || (variation == V::Mixed && rng.below(3) == 0) {
        thumb(&mut out, &corners, &mut rng);
    }
    soften(&mut out, variation, &mut rng);
    if variation == V::Glare || (variation == V::Mixed && rng.below(2) == 0) {
        let strength = if variation == V::Glare {
            rng.range(120.0, 230.0)
        } else {
            rng.range(60.0, 120.0)
        };
        glare(&mut out, &corners, strength, &mut rng);
    }
    expose(&mut out, variation, &mut rng);
    out
}

/// Where the card lies in a `w × h` frame: its corners (top-left, top-right, bottom-right, bottom-left of
/// the card) in frame pixels. The card fills a random share of the width, sits near the centre, is turned
/// a little (much for [`Variation::Rotation`]) and its corners are jittered to give perspective.
fn place_card(variation: Variation, w: f64, h: f64, rng: &mut Rng) -> [(f64, f64); 4] {
    use Variation as V;
    let share = match variation {
        V::Clean => 0.75,
        _ => rng.range(0.6, 0.85),
    };
    let angle = match variation {
        V::Rotation => rng.range(-18.0, 18.0),
        V::Mixed => rng.range(-10.0, 10.0),
        V::Clean => 0.0,
        _ => rng.range(-3.0, 3.0),
    }
    .to_radians();
    let jitter = match variation {
        V::Perspective => 0.07,
        V::Mixed => 0.04,
        V::Clean => 0.0,
        _ => 0.01,
    };
    let (cw, ch) = (w * share, w * share * CARD_H as f64 / CARD_W as f64);
    let centre = (
        w / 2.0 + rng.range(-0.5, 0.5) * (w - cw * 1.1).max(0.0) * 0.5,
        h / 2.0 + rng.range(-0.5, 0.5) * (h - ch * 1.3).max(0.0) * 0.5,
    );
    let (sin, cos) = angle.sin_cos();
    [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(u, v)| {
        let (x, y) = (
            u * cw + rng.range(-jitter, jitter) * cw,
            v * ch + rng.range(-jitter, jitter) * cw,
        );
        (centre.0 + x * cos - y * sin, centre.1 + x * sin + y * cos)
    })
}

/// The sharp scene before any camera effect: a dark tray with a soft light fall-off and a little texture
/// (so the card's edge is not the only structure in the frame), and the card warped onto `corners`.
fn tray_with_card(card: &RgbImage, corners: &[(f64, f64); 4], width: usize, height: usize) -> RgbImage {
    let (w, h) = (width as f64, height as f64);
    let (kw, kh) = (card.width as f64, card.height as f64);
    let to_card = Homography::from_points(*corners, [(0.0, 0.0), (kw, 0.0), (kw, kh), (0.0, kh)]);
    let mut out = RgbImage::filled(width, height, [0, 0, 0]);
    for y in 0..height {
        for x in 0..width {
            let fall = 1.0 - 0.25 * (((x as f64 - w / 2.0) / w).powi(2) + ((y as f64 - h / 2.0) / h).powi(2));
            let tex = ((x as f64 * 0.31).sin() * (y as f64 * 0.17).cos()) * 4.0;
            let base = [78.0, 72.0, 70.0].map(|c: f64| (c * fall + tex).clamp(0.0, 255.0) as u8);
            let i = (y * width + x) * 3;
            out.data[i..i + 3].copy_from_slice(&base);
            if let Some(hm) = to_card {
                let (u, v) = hm.apply(x as f64 + 0.5, y as f64 + 0.5);
                if u >= 0.0 && v >= 0.0 && u < kw && v < kh {
                    let px = sample_rgb(card, u as f32 - 0.5, v as f32 - 0.5);
                    out.data[i..i + 3].copy_from_slice(&px);
                }
            }
        }
    }
    out
}

/// Every camera is a little soft, so every frame gets a light blur; [`Variation::Blur`] frames get a wider
/// one, applied twice, and mixed frames one a little wider.
pub(crate) fn soften(out: &mut RgbImage, variation: Variation, rng: &mut Rng) {
    let radius = match variation {
        Variation::Blur => 2 + rng.below(2) as usize,
        Variation::Mixed => 1 + rng.below(2) as usize,
        _ => 1,
    };
    box_blur(out, radius);
    if variation == Variation::Blur {
        box_blur(out, radius);
    }
}

/// The exposure: a gain (dim for [`Variation::LowLight`]) and sensor noise, rounded back to bytes.
pub(crate) fn expose(out: &mut RgbImage, variation: Variation, rng: &mut Rng) {
    let (gain, noise) = match variation {
        Variation::LowLight => (rng.range(0.22, 0.4), rng.range(3.0, 6.0)),
        Variation::Mixed => (rng.range(0.5, 0.9), 3.0),
        _ => (1.0, 2.0),
    };
    for v in out.data.iter_mut() {
        *v = (f64::from(*v) * gain + rng.normal() * noise)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
}

/// A thumb: a skin-coloured ellipse from one of the card's edges inwards.
fn thumb(out: &mut RgbImage, corners: &[(f64, f64); 4], rng: &mut Rng) {
    let edge = rng.below(4) as usize;
    let (a, b) = (corners[edge], corners[(edge + 1) % 4]);
    let t = rng.range(0.15, 0.85);
    let (cx, cy) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    let r = rng.range(0.05, 0.09) * out.width as f64;
    let (rx, ry) = (r, r * 1.3);
    for y in 0..out.height {
        for x in 0..out.width {
            let (dx, dy) = ((x as f64 - cx) / rx, (y as f64 - cy) / ry);
            let d = dx * dx + dy * dy;
            if d < 1.0 {
                let shade = 1.0 - 0.25 * d;
                let i = (y * out.width + x) * 3;
                for (k, c) in [196.0, 150.0, 126.0].iter().enumerate() {
                    out.data[i + k] = (c * shade) as u8;
                }
            }
        }
    }
}

/// A reflection: a bright soft spot somewhere on the card.
pub(crate) fn glare(out: &mut RgbImage, corners: &[(f64, f64); 4], strength: f64, rng: &mut Rng) {
    let (u, v) = (rng.range(0.1, 0.9), rng.range(0.1, 0.9));
    let top = (
        corners[0].0 + (corners[1].0 - corners[0].0) * u,
        corners[0].1 + (corners[1].1 - corners[0].1) * u,
    );
    let bottom = (
        corners[3].0 + (corners[2].0 - corners[3].0) * u,
        corners[3].1 + (corners[2].1 - corners[3].1) * u,
    );
    let (cx, cy) = (top.0 + (bottom.0 - top.0) * v, top.1 + (bottom.1 - top.1) * v);
    let r = rng.range(0.06, 0.16) * out.width as f64;
    for y in 0..out.height {
        for x in 0..out.width {
            let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)) / (r * r);
            if d < 1.0 {
                let add = strength * (1.0 - d).powi(2);
                let i = (y * out.width + x) * 3;
                for k in 0..3 {
                    out.data[i + k] = (f64::from(out.data[i + k]) + add).min(255.0) as u8;
                }
            }
        }
    }
}

/// Separable box blur of the given radius.
pub(crate) fn box_blur(p: &mut RgbImage, radius: usize) {
    if radius == 0 {
        return;
    }
    let (w, h) = (p.width, p.height);
    let mut tmp = vec![0u8; p.data.len()];
    for pass in 0..2 {
        let (src, dst): (&[u8], &mut [u8]) = if pass == 0 {
            (&p.data, &mut tmp)
        } else {
            (&tmp, &mut p.data)
        };
        for y in 0..h {
            for x in 0..w {
                for k in 0..3 {
                    let mut sum = 0u32;
                    let mut n = 0u32;
                    for o in 0..=2 * radius {
                        let (sx, sy) = if pass == 0 {
                            ((x + o).checked_sub(radius), Some(y))
                        } else {
                            (Some(x), (y + o).checked_sub(radius))
                        };
                        if let (Some(sx), Some(sy)) = (sx, sy)
                            && sx < w
                            && sy < h
                        {
                            sum += u32::from(src[(sy * w + sx) * 3 + k]);
                            n += 1;
                        }
                    }
                    dst[(y * w + x) * 3 + k] = (sum / n.max(1)) as u8;
                }
            }
        }
    }
}

/// A random card front: a birth date between 1920 and 2024 (Japanese national 85 % of the time), an
/// expiry 5 or 10 years on, a random security code, a made-up name.
pub fn random_front(seed: u64) -> PrintedFront {
    let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(7));
    let born = loop {
        let y = 1920 + rng.below(105) as u16;
        if let Some(d) = Ymd::new(y, 1 + rng.below(12) as u8, 1 + rng.below(31) as u8) {
            break d;
        }
    };
    let japanese = rng.below(100) < 85;
    let birth = match (japanese, Era::of(born)) {
        (true, Some((era, year))) => PrintedBirth {
            era: Some(era),
            year,
            month: born.m,
            day: born.d,
        },
        _ => PrintedBirth {
            era: None,
            year: born.y,
            month: born.m,
            day: born.d,
        },
    };
    let expiry_year = 2026 + rng.below(10) as u16;
    let expiry = Ymd::new(expiry_year, born.m, born.d.min(28)).unwrap_or(Ymd {
        y: expiry_year,
        m: 1,
        d: 1,
    });
    let security_code = std::array::from_fn(|_| rng.below(10) as u8);
    const NAMES: [&str; 4] = ["番号　花子", "山田　太郎", "佐藤　美咲", "JOHNSON EMILY"];
    PrintedFront {
        name: NAMES[rng.below(4) as usize].to_string(),
        address: "東京都千代田区霞が関二丁目１番２号".to_string(),
        sex: 1 + rng.below(2) as u8,
        fields: FrontFields {
            birth,
            expiry,
            security_code,
        },
    }
}

/// A stand-in photo (a face-like oval on a plain ground) for fronts drawn without a real one.
pub fn placeholder_photo() -> RgbImage {
    let (w, h) = (160, 200);
    let mut p = RgbImage::filled(w, h, [200, 210, 225]);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = ((x as f64 - 80.0) / 50.0, (y as f64 - 90.0) / 65.0);
            let body = ((x as f64 - 80.0) / 75.0).powi(2) + ((y as f64 - 230.0) / 70.0).powi(2);
            let i = (y * w + x) * 3;
            if dx * dx + dy * dy < 1.0 {
                p.data[i..i + 3].copy_from_slice(&[214, 176, 150]);
            } else if body < 1.0 {
                p.data[i..i + 3].copy_from_slice(&[50, 55, 70]);
            }
        }
    }
    p
}
