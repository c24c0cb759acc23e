//! Glyphs from the embedded typeface (BIZ UD PGothic, SIL OFL 1.1, the one the kiosk's screens use):
//! coverage maps for fixed-pitch cells (printing and the reader's templates) and proportional runs
//! (the rest of the card's text).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/BIZUDPGothic-Regular.ttf");

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// Ink coverage (0 = paper, 1 = ink), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub w: usize,
    pub h: usize,
    pub ink: Vec<f32>,
}

impl Coverage {
    fn blank(w: usize, h: usize) -> Coverage {
        Coverage {
            w,
            h,
            ink: vec![0.0; w * h],
        }
    }
}

/// One character centred in a `w × h` cell at font size `px`, baseline placed so the em box is centred
/// vertically. A blank (or a character the font lacks) is an empty cell.
pub fn cell(ch: char, px: f32, w: usize, h: usize) -> Coverage {
    type Key = (char, u32, usize, usize);
    static CACHE: OnceLock<Mutex<HashMap<Key, Coverage>>> = OnceLock::new();
    let key = (ch, px.to_bits(), w, h);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return c;
    }
    let made = draw_cell(ch, px, w, h);
    if let Ok(mut m) = cache.lock() {
        m.insert(key, made.clone());
    }
    made
}

fn draw_cell(ch: char, px: f32, w: usize, h: usize) -> Coverage {
    let mut out = Coverage::blank(w, h);
    let Some(font) = font() else { return out };
    if ch == ' ' {
        return out;
    }
    let scale = PxScale::from(px);
    let scaled = font.as_scaled(scale);
    let baseline = (h as f32 - (scaled.ascent() - scaled.descent())) / 2.0 + scaled.ascent();
    let glyph = scaled.scaled_glyph(ch);
    let Some(outline) = font.outline_glyph(glyph) else {
        return out;
    };
    let bounds = outline.px_bounds();
    let dx = ((w as f32 - bounds.width()) / 2.0 - bounds.min.x).round();
    let glyph = font
        .glyph_id(ch)
        .with_scale_and_position(scale, point(dx, baseline.round()));
    if let Some(outline) = font.outline_glyph(glyph) {
        let b = outline.px_bounds();
        outline.draw(|x, y, c| {
            let (px, py) = (b.min.x as i64 + i64::from(x), b.min.y as i64 + i64::from(y));
            if px >= 0 && py >= 0 && (px as usize) < w && (py as usize) < h {
                let i = py as usize * w + px as usize;
                out.ink[i] = (out.ink[i] + c).min(1.0);
            }
        });
    }
    out
}

/// A proportional run of text, `px` high, its em box's top-left at (x, y): coverage is handed to `put`
/// as (x, y, ink).
pub fn run(text: &str, px: f32, x: f32, y: f32, mut put: impl FnMut(i64, i64, f32)) -> f32 {
    let Some(font) = font() else { return x };
    let scaled = font.as_scaled(PxScale::from(px));
    let baseline = y + scaled.ascent();
    let mut pen = x;
    for ch in text.chars() {
        let glyph = font
            .glyph_id(ch)
            .with_scale_and_position(PxScale::from(px), point(pen, baseline));
        pen += scaled.h_advance(glyph.id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, c| put(b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy), c));
        }
    }
    pen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_have_ink_and_differ() {
        let one = cell('1', 34.0, 21, 42);
        let seven = cell('7', 34.0, 21, 42);
        let ink: f32 = one.ink.iter().sum();
        assert!(ink > 20.0, "the font draws digits ({ink})");
        assert_ne!(one, seven);
        assert!(cell(' ', 34.0, 21, 42).ink.iter().all(|&v| v == 0.0));
        assert!(cell('昭', 34.0, 36, 42).ink.iter().sum::<f32>() > 50.0);
    }
}
