//! What a front camera above the reader sees (issue 14): the card lying face-up on the card reader, seen
//! from above and a little in front, so the far edge is narrower. Made up, like [`crate::synth`], and
//! deterministic from a seed, for the accuracy table (docs/CARD-FRONT.md) and the demo's front camera.
//!
//! The scene: a desk, the reader's dark housing (a contactless reader is a little larger than a card,
//! about 100 × 70 mm) and the card on it, turned a few degrees as a patient leaves it. Variations: room
//! light with a reflection of a ceiling light, the card partly off the reader (and partly out of view),
//! the card face-down (its back: nothing to read, and nothing may be read), and a hand over it.

use crate::RgbImage;
use crate::geometry::{Homography, sample_rgb};
use crate::layout::{CARD_H, CARD_W};
use crate::synth::{Rng, Variation, box_blur, expose, glare};

/// How the card lies under the front camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrayView {
    /// Face-up on the reader, turned a little.
    OnReader,
    /// Face-up, with the room's light reflected on it.
    Glare,
    /// Slid partly off the reader, sometimes partly out of the picture.
    PartlyOff,
    /// Face-down: the camera sees the back of the card.
    FaceDown,
    /// A hand over the card (placing it, or resting on it).
    Hand,
}

impl TrayView {
    pub const ALL: [TrayView; 5] = [
        TrayView::OnReader,
        TrayView::Glare,
        TrayView::PartlyOff,
        TrayView::FaceDown,
        TrayView::Hand,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TrayView::OnReader => "on the reader",
            TrayView::Glare => "on the reader, room light glare",
            TrayView::PartlyOff => "partly off the reader",
            TrayView::FaceDown => "face-down",
            TrayView::Hand => "hand over the card",
        }
    }
}

const DESK: [f64; 3] = [104.0, 86.0, 66.0];
const HOUSING: [f64; 3] = [38.0, 40.0, 44.0];

/// A front camera's frame (`width × height`) of `card` (a [`crate::render`] output) lying on the reader.
pub fn on_reader(card: &RgbImage, view: TrayView, seed: u64, width: usize, height: usize) -> RgbImage {
    let mut rng = Rng::new(seed ^ 0x7A4E);
    let (w, h) = (width as f64, height as f64);
    // The reader's top in the desk plane (mm, centred on the reader), then the card on it.
    let housing = rect_mm(100.0, 70.0, 0.0, (0.0, 0.0));
    let slide = match view {
        TrayView::PartlyOff => {
            let side = if rng.below(2) == 0 { -1.0 } else { 1.0 };
            (side * rng.range(30.0, 62.0), rng.range(-6.0, 6.0))
        }
        _ => (rng.range(-5.0, 5.0), rng.range(-4.0, 4.0)),
    };
    let card_mm = rect_mm(85.6, 54.0, rng.range(-8.0, 8.0).to_radians(), slide);
    // The camera: above and in front, so the plane is foreshortened and the far edge narrower.
    let camera = View::new(&mut rng, w, h);
    let face = if view == TrayView::FaceDown {
        card_back(card.width, card.height)
    } else {
        card.clone()
    };
    let mut out = scene(&face, &camera, &housing, &card_mm, width, height);
    let corners = card_mm.map(|p| camera.project(p));
    if view == TrayView::Hand {
        hand(&mut out, &corners, &mut rng);
    }
    box_blur(&mut out, 1);
    if view == TrayView::Glare {
        let strength = rng.range(120.0, 220.0);
        glare(&mut out, &corners, strength, &mut rng);
    }
    expose(&mut out, Variation::Clean, &mut rng);
    out
}

/// The reader with no card on it, as the front camera sees it between patients.
pub fn empty_reader(seed: u64, width: usize, height: usize) -> RgbImage {
    let mut rng = Rng::new(seed ^ 0x7A4E);
    let camera = View::new(&mut rng, width as f64, height as f64);
    let housing = rect_mm(100.0, 70.0, 0.0, (0.0, 0.0));
    // No card: one placed far outside the picture.
    let away = rect_mm(85.6, 54.0, 0.0, (10_000.0, 10_000.0));
    let blank = RgbImage::filled(CARD_W, CARD_H, [255, 255, 255]);
    let mut out = scene(&blank, &camera, &housing, &away, width, height);
    box_blur(&mut out, 1);
    expose(&mut out, Variation::Clean, &mut rng);
    out
}

/// A `w × h` mm rectangle turned by `angle` and moved by `at`: corners clockwise from the top left.
fn rect_mm(w: f64, h: f64, angle: f64, at: (f64, f64)) -> [(f64, f64); 4] {
    let (sin, cos) = angle.sin_cos();
    [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(u, v)| {
        let (x, y) = (u * w, v * h);
        (at.0 + x * cos - y * sin, at.1 + x * sin + y * cos)
    })
}

/// The camera's mapping from the desk plane (mm) to the frame: a square of desk mapped to a trapezoid.
struct View {
    /// `None` only if the four points were degenerate (they are not): the plane is then the frame.
    to_frame: Option<Homography>,
}

impl View {
    fn new(rng: &mut Rng, w: f64, h: f64) -> View {
        // 150 × 112 mm of desk fill the frame; the far edge is 12–22 % narrower (camera tilt).
        let (dw, dh) = (150.0, 112.0);
        let narrow = rng.range(0.12, 0.22) * w / 2.0;
        let shift = rng.range(-0.04, 0.04) * w;
        let desk = [
            (-dw / 2.0, -dh / 2.0),
            (dw / 2.0, -dh / 2.0),
            (dw / 2.0, dh / 2.0),
            (-dw / 2.0, dh / 2.0),
        ];
        let frame = [
            (narrow + shift, 0.0),
            (w - narrow + shift, 0.0),
            (w + shift * 0.3, h),
            (shift * 0.3, h),
        ];
        View {
            to_frame: Homography::from_points(desk, frame),
        }
    }

    fn project(&self, p: (f64, f64)) -> (f64, f64) {
        self.to_frame.as_ref().map_or(p, |hm| hm.apply(p.0, p.1))
    }
}

/// The sharp scene: the desk with a soft light fall-off, the housing, and the card warped onto its place.
fn scene(
    card: &RgbImage,
    camera: &View,
    housing: &[(f64, f64); 4],
    card_mm: &[(f64, f64); 4],
    width: usize,
    height: usize,
) -> RgbImage {
    let (w, h) = (width as f64, height as f64);
    let (kw, kh) = (card.width as f64, card.height as f64);
    let frame_of = |q: &[(f64, f64); 4]| q.map(|p| camera.project(p));
    let to_card = Homography::from_points(frame_of(card_mm), [(0.0, 0.0), (kw, 0.0), (kw, kh), (0.0, kh)]);
    let to_housing = Homography::from_points(
        frame_of(housing),
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
    );
    let mut out = RgbImage::filled(width, height, [0, 0, 0]);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
            let fall = 1.0 - 0.3 * (((fx - w / 2.0) / w).powi(2) + ((fy - h * 0.3) / h).powi(2));
            let grain = ((fx * 0.05 + (fy * 0.013).sin() * 3.0).sin()) * 6.0;
            let mut px = DESK.map(|c| (c * fall + grain).clamp(0.0, 255.0) as u8);
            if let Some((u, v)) = to_housing.as_ref().map(|hm| hm.apply(fx, fy))
                && (0.0..1.0).contains(&u)
                && (0.0..1.0).contains(&v)
            {
                // A lighter rim and the reader's mark, so the housing is not a flat hole.
                let rim = !(0.04..=0.96).contains(&u) || !(0.05..=0.95).contains(&v);
                let lift = if rim { 22.0 } else { 0.0 };
                px = HOUSING.map(|c| ((c + lift) * fall).clamp(0.0, 255.0) as u8);
            }
            if let Some((u, v)) = to_card.as_ref().map(|hm| hm.apply(fx, fy))
                && u >= 0.0
                && v >= 0.0
                && u < kw
                && v < kh
            {
                let c = sample_rgb(card, u as f32 - 0.5, v as f32 - 0.5);
                px = c.map(|c| (f64::from(c) * fall.max(0.85)) as u8);
            }
            let i = (y * width + x) * 3;
            out.data[i..i + 3].copy_from_slice(&px);
        }
    }
    out
}

/// The back of a card, drawn like the front's size: a pale ground, print lines and a dark 2D-code block
/// (the real back carries the My Number and a code; nothing of it is a front's fields).
pub fn card_back(width: usize, height: usize) -> RgbImage {
    let mut p = RgbImage::filled(width, height, [236, 228, 232]);
    let (w, h) = (width as f64 / CARD_W as f64, height as f64 / CARD_H as f64);
    let mut fill = |x0: f64, y0: f64, x1: f64, y1: f64, c: [u8; 3]| {
        for y in (y0 * h) as usize..((y1 * h) as usize).min(height) {
            for x in (x0 * w) as usize..((x1 * w) as usize).min(width) {
                let i = (y * width + x) * 3;
                p.data[i..i + 3].copy_from_slice(&c);
            }
        }
    };
    fill(40.0, 40.0, 560.0, 70.0, [90, 90, 100]);
    for line in 0..4 {
        let y = 120.0 + 70.0 * f64::from(line);
        fill(40.0, y, 520.0, y + 22.0, [120, 120, 130]);
    }
    for cell in 0..64u32 {
        let (cx, cy) = (f64::from(cell % 8), f64::from(cell / 8));
        if (cell * 37 + 11) % 3 != 0 {
            let (x, y) = (620.0 + cx * 24.0, 230.0 + cy * 24.0);
            fill(x, y, x + 24.0, y + 24.0, [30, 30, 35]);
        }
    }
    p
}

/// A hand over the card: a palm and four fingers reaching in from the near edge.
fn hand(out: &mut RgbImage, corners: &[(f64, f64); 4], rng: &mut Rng) {
    let near = (
        (corners[2].0 + corners[3].0) / 2.0,
        (corners[2].1 + corners[3].1) / 2.0,
    );
    let far = (
        (corners[0].0 + corners[1].0) / 2.0,
        (corners[0].1 + corners[1].1) / 2.0,
    );
    let reach = rng.range(0.3, 0.75);
    let tip = (
        near.0 + (far.0 - near.0) * reach,
        near.1 + (far.1 - near.1) * reach,
    );
    let span = (corners[1].0 - corners[0].0).abs().max(1.0);
    let palm = (near.0 + rng.range(-0.2, 0.2) * span, near.1 + span * 0.25);
    let mut blobs = vec![(palm, span * 0.32, span * 0.26)];
    for f in 0..4 {
        let dx = (f as f64 - 1.5) * span * 0.09;
        let (cx, cy) = ((palm.0 + tip.0) / 2.0 + dx, (palm.1 + tip.1) / 2.0);
        let len = ((tip.1 - palm.1).abs() / 2.0).max(span * 0.1);
        blobs.push(((cx, cy), span * 0.045, len));
    }
    for y in 0..out.height {
        for x in 0..out.width {
            for &((cx, cy), rx, ry) in &blobs {
                let (dx, dy) = ((x as f64 - cx) / rx, (y as f64 - cy) / ry);
                let d = dx * dx + dy * dy;
                if d < 1.0 {
                    let shade = 1.0 - 0.3 * d;
                    let i = (y * out.width + x) * 3;
                    for (k, c) in [190.0, 146.0, 122.0].iter().enumerate() {
                        out.data[i + k] = (c * shade) as u8;
                    }
                    break;
                }
            }
        }
    }
}
