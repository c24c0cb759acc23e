//! dlib's `get_face_chip_details` + `extract_image_chip` for a 150×150 chip with padding 0.25, exactly:
//! the similarity fit to a template, the rotated crop, dlib's 5-tap integer pyramid, the level choice and
//! bilinear sampling with truncation. (A plain bilinear warp moves descriptors by ~0.1, a quarter of the
//! typical same-person distance, so the details matter.)

use crate::geometry::{Pt, similarity};
use crate::image::RgbImage;
use crate::shape::Landmarks;

pub const SIZE: usize = 150;
const PADDING: f64 = 0.25;

/// dlib's mean face shape for the 5 landmarks (same order as [`Landmarks`]).
const TEMPLATE: [(f64, f64); 5] = [
    (0.8595674595992, 0.2134981538014),
    (0.6460604764104, 0.2289674387677),
    (0.1205750620789, 0.2137274526848),
    (0.3340850613712, 0.2290642403242),
    (0.4901123135679, 0.6277975316475),
];

/// A rectangle with real-valued, inclusive-style corners (dlib's `drectangle`).
#[derive(Debug, Clone, Copy)]
struct DRect {
    l: f64,
    t: f64,
    r: f64,
    b: f64,
}

impl DRect {
    fn area(&self) -> f64 {
        if self.r < self.l || self.b < self.t {
            0.0
        } else {
            (self.r - self.l + 1.0) * (self.b - self.t + 1.0)
        }
    }
    /// `pyramid_down<2>::rect_down`.
    fn down(&self) -> DRect {
        DRect {
            l: self.l / 2.0 - 1.25,
            t: self.t / 2.0 - 0.75,
            r: self.r / 2.0 - 1.25,
            b: self.b / 2.0 - 0.75,
        }
    }
    fn center(&self) -> Pt {
        Pt::new((self.l + self.r) / 2.0, (self.t + self.b) / 2.0)
    }
}

fn rotate(center: Pt, p: Pt, angle: f64) -> Pt {
    let (s, c) = angle.sin_cos();
    let (x, y) = (p.x - center.x, p.y - center.y);
    Pt::new(x * c - y * s + center.x, x * s + y * c + center.y)
}

/// One level of dlib's `pyramid_down<2>` on an RGB image: 1-4-6-4-1 filter, integer arithmetic.
fn pyr_down(src: &RgbImage) -> Option<RgbImage> {
    let (w, h) = (src.width, src.height);
    if w <= 8 || h <= 8 {
        return None;
    }
    let (ow, oh) = ((w - 3) / 2, (h - 3) / 2);
    // Horizontal pass on every row, undivided.
    let mut horiz = vec![0u16; h * ow * 3];
    for y in 0..h {
        let row = &src.data[y * w * 3..(y + 1) * w * 3];
        for c in 0..ow {
            for ch in 0..3 {
                let at = |i: usize| row[(2 * c + i) * 3 + ch] as u16;
                horiz[(y * ow + c) * 3 + ch] = at(0) + 4 * at(1) + 6 * at(2) + 4 * at(3) + at(4);
            }
        }
    }
    let mut data = vec![0u8; oh * ow * 3];
    for (oy, r) in (2..h - 2).step_by(2).take(oh).enumerate() {
        for i in 0..ow * 3 {
            let at = |dy: usize| horiz[(r - 2 + dy) * ow * 3 + i] as u32;
            data[oy * ow * 3 + i] = ((at(0) + 4 * at(1) + 6 * at(2) + 4 * at(3) + at(4)) / 256) as u8;
        }
    }
    RgbImage::new(ow, oh, data)
}

/// Extract the 150×150 face chip dlib's `get_face_chip(img, shape, 150, 0.25)` returns.
pub fn extract(img: &RgbImage, landmarks: &Landmarks) -> Option<RgbImage> {
    if img.width == 0 || img.height == 0 {
        return None;
    }
    let (rect, angle) = chip_rect(landmarks)?;
    let (depth, grow) = pyramid_depth(rect)?;
    let bounds = crop_bounds(img, rect, angle, grow)?;
    let crop = copy_crop(img, bounds)?;
    let levels = pyramid(&crop, depth)?;
    let (level, r) = sampling_level(rect, bounds);
    let src = if level < 0 {
        &crop
    } else {
        levels.get(level as usize)?
    };
    sample(src, r, angle)
}

/// The chip's square in the image and its rotation (`get_face_chip_details`): dlib fits the padded mean
/// face to the landmarks with a similarity, and the chip is that similarity's image of the 150×150 square.
/// `None` when the fit degenerates (landmarks all at one point, or not finite).
fn chip_rect(landmarks: &Landmarks) -> Option<(DRect, f64)> {
    let size = SIZE as f64;
    let from: Vec<Pt> = TEMPLATE
        .iter()
        .map(|&(x, y)| {
            Pt::new(
                (PADDING + x) / (2.0 * PADDING + 1.0) * size,
                (PADDING + y) / (2.0 * PADDING + 1.0) * size,
            )
        })
        .collect();
    let to: Vec<Pt> = landmarks
        .iter()
        .map(|&(x, y)| Pt::new(x as f64, y as f64))
        .collect();
    let tform = similarity(&from, &to);
    let p = Pt::new(tform.m[0][0], tform.m[1][0]);
    let angle = p.y.atan2(p.x);
    let scale = (p.x * p.x + p.y * p.y).sqrt();
    let center = tform.apply(Pt::new(size / 2.0, size / 2.0));
    let w = size * scale;
    let rect = DRect {
        l: center.x - (w - 1.0) / 2.0,
        t: center.y - (w - 1.0) / 2.0,
        r: center.x + (w - 1.0) / 2.0,
        b: center.y + (w - 1.0) / 2.0,
    };
    if !(rect.l.is_finite() && rect.r.is_finite() && w > 0.0) {
        return None;
    }
    Some((rect, angle))
}

/// The area of the output chip, which a pyramid level must not exceed to be sampled from.
fn chip_area() -> f64 {
    let size = SIZE as f64;
    size * size
}

/// How deep a pyramid this chip needs, and the border that keeps its edges clean: dlib halves the chip's
/// rectangle until it is no larger than the chip, and each level's 5-tap filter eats into the border, so
/// the crop is grown by the matching amount before the pyramid is built. `None` for an absurd depth.
fn pyramid_depth(rect: DRect) -> Option<(usize, f64)> {
    let mut d = rect.down();
    let mut depth = 0usize;
    let mut grow = 2.0f64;
    while d.area() > chip_area() {
        d = d.down();
        depth += 1;
        grow = 2.0 * grow + 2.0;
        if depth > 30 {
            return None;
        }
    }
    Some((depth, grow))
}

/// Inclusive pixel bounds (left, top, right, bottom) of the part of the image the chip is cut from.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    l: i64,
    t: i64,
    r: i64,
    b: i64,
}

/// The rotated chip's bounding box, grown by `grow`, clipped to the image, rounded half away from zero:
/// only the pixels the chip can reach are copied and filtered. `None` when the box misses the image.
fn crop_bounds(img: &RgbImage, rect: DRect, angle: f64, grow: f64) -> Option<Bounds> {
    let c = rect.center();
    let corners = [
        Pt::new(rect.l, rect.t),
        Pt::new(rect.r, rect.t),
        Pt::new(rect.r, rect.b),
        Pt::new(rect.l, rect.b),
    ]
    .map(|q| rotate(c, q, angle));
    let bl = corners.iter().map(|q| q.x).fold(f64::INFINITY, f64::min) - grow;
    let bt = corners.iter().map(|q| q.y).fold(f64::INFINITY, f64::min) - grow;
    let br = corners.iter().map(|q| q.x).fold(f64::NEG_INFINITY, f64::max) + grow;
    let bb = corners.iter().map(|q| q.y).fold(f64::NEG_INFINITY, f64::max) + grow;
    let (il, it) = (bl.max(0.0).round() as i64, bt.max(0.0).round() as i64);
    let (ir, ib) = (
        br.min(img.width as f64 - 1.0).round() as i64,
        bb.min(img.height as f64 - 1.0).round() as i64,
    );
    if ir < il || ib < it {
        return None;
    }
    Some(Bounds {
        l: il,
        t: it,
        r: ir,
        b: ib,
    })
}

/// Copy the pixels inside `bounds` (which [`crop_bounds`] has clipped to the image) into their own image.
fn copy_crop(img: &RgbImage, bounds: Bounds) -> Option<RgbImage> {
    let Bounds {
        l: il,
        t: it,
        r: ir,
        b: ib,
    } = bounds;
    let (cw, ch) = ((ir - il + 1) as usize, (ib - it + 1) as usize);
    let mut crop = Vec::with_capacity(cw * ch * 3);
    for y in it as usize..=ib as usize {
        crop.extend_from_slice(
            &img.data[(y * img.width + il as usize) * 3..(y * img.width + ir as usize + 1) * 3],
        );
    }
    RgbImage::new(cw, ch, crop)
}

/// The `depth` pyramid levels below the crop, each [`pyr_down`] of the one before.
fn pyramid(crop: &RgbImage, depth: usize) -> Option<Vec<RgbImage>> {
    let mut levels: Vec<RgbImage> = Vec::with_capacity(depth);
    for i in 0..depth {
        let next = pyr_down(if i == 0 { crop } else { &levels[i - 1] })?;
        levels.push(next);
    }
    Some(levels)
}

/// Which level to sample from (-1: the crop itself, else an index into the pyramid) and the chip's
/// rectangle in that level's coordinates. As dlib, descend while the next level's rectangle is still
/// larger than the chip, so the bilinear sampling shrinks by at most about two.
fn sampling_level(rect: DRect, bounds: Bounds) -> (isize, DRect) {
    let mut r = DRect {
        l: rect.l - bounds.l as f64,
        t: rect.t - bounds.t as f64,
        r: rect.r - bounds.l as f64,
        b: rect.b - bounds.t as f64,
    };
    let mut level: isize = -1;
    while r.down().area() > chip_area() {
        level += 1;
        r = r.down();
    }
    (level, r)
}

/// Sample the chip from `src`: the affine map from chip pixels to source pixels through three rotated
/// corners of `r`, then bilinear interpolation truncated to `u8` as dlib's `interpolate_bilinear` does.
/// Chip pixels whose neighbourhood leaves the source stay black.
fn sample(src: &RgbImage, r: DRect, angle: f64) -> Option<RgbImage> {
    let size = SIZE as f64;
    let rc = r.center();
    let p0 = rotate(rc, Pt::new(r.l, r.t), angle);
    let p1 = rotate(rc, Pt::new(r.r, r.t), angle);
    let p2 = rotate(rc, Pt::new(r.l, r.b), angle);
    let last = size - 1.0;
    let (ux, uy) = ((p1.x - p0.x) / last, (p1.y - p0.y) / last);
    let (vx, vy) = ((p2.x - p0.x) / last, (p2.y - p0.y) / last);
    let mut out = vec![0u8; SIZE * SIZE * 3];
    for row in 0..SIZE {
        for col in 0..SIZE {
            let (cx, cy) = (col as f64, row as f64);
            let qx = p0.x + cx * ux + cy * vx;
            let qy = p0.y + cx * uy + cy * vy;
            let (x0, y0) = (qx.floor(), qy.floor());
            if x0 < 0.0 || y0 < 0.0 || x0 + 1.0 >= src.width as f64 || y0 + 1.0 >= src.height as f64 {
                continue;
            }
            let (x0, y0) = (x0 as usize, y0 as usize);
            let (fx, fy) = (qx - x0 as f64, qy - y0 as f64);
            let px = |x: usize, y: usize, c: usize| src.data[(y * src.width + x) * 3 + c] as f64;
            for c in 0..3 {
                let v = (1.0 - fy) * ((1.0 - fx) * px(x0, y0, c) + fx * px(x0 + 1, y0, c))
                    + fy * ((1.0 - fx) * px(x0, y0 + 1, c) + fx * px(x0 + 1, y0 + 1, c));
                out[(row * SIZE + col) * 3 + c] = v as u8;
            }
        }
    }
    RgbImage::new(SIZE, SIZE, out)
}
