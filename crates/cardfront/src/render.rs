//! Drawing a card front for the virtual card: the real card's arrangement (title, name, address, birth
//! date and sex, photo with the security code under it, the expiry box), the three 照合番号B lines in
//! their fixed-pitch cells (see [`crate::layout`]), on a pale patterned ground.

use crate::layout::{self, CARD_H, CARD_W, Cell, Line};
use crate::{PrintedFront, RgbImage, glyphs};

const INK: [f32; 3] = [38.0, 36.0, 40.0];

/// The card front, `CARD_W × CARD_H`. `photo` is scaled into the photo box (a blank box without one).
pub fn render(front: &PrintedFront, photo: Option<&RgbImage>) -> RgbImage {
    let mut card = ground();
    let ink = |card: &mut RgbImage, x: i64, y: i64, c: f32| blend(card, x, y, c, INK);
    glyphs::run("個人番号カード", 26.0, 36.0, 22.0, |x, y, c| {
        ink(&mut card, x, y, c)
    });
    for (label, y) in [("氏名", 96.0), ("住所", 166.0), ("性別", 256.0)] {
        let x = if label == "性別" { 440.0 } else { 44.0 };
        glyphs::run(label, 18.0, x, y, |x, y, c| {
            blend(&mut card, x, y, c, [90.0, 70.0, 80.0])
        });
    }
    glyphs::run(&front.name, 36.0, 100.0, 84.0, |x, y, c| ink(&mut card, x, y, c));
    let address: Vec<char> = front.address.chars().collect();
    for (row, part) in address.chunks(19).take(2).enumerate() {
        let text: String = part.iter().collect();
        glyphs::run(&text, 24.0, 100.0, 160.0 + row as f32 * 32.0, |x, y, c| {
            ink(&mut card, x, y, c)
        });
    }
    let sex = if front.sex == 2 { "女" } else { "男" };
    glyphs::run(sex, 34.0, 500.0, 250.0, |x, y, c| ink(&mut card, x, y, c));

    let birth_era = front.fields.birth.era.is_some();
    cells(
        &mut card,
        &layout::BIRTH,
        &layout::birth_cells(birth_era),
        &layout::birth_text(&front.fields.birth),
    );
    // The expiry box, its label and line.
    frame(&mut card, 40, 430, 520, 92, [150.0, 120.0, 135.0]);
    glyphs::run("有効期限の満了日", 16.0, 56.0, 438.0, |x, y, c| {
        blend(&mut card, x, y, c, [90.0, 70.0, 80.0])
    });
    cells(
        &mut card,
        &layout::EXPIRY,
        &layout::expiry_cells(),
        &layout::expiry_text(&front.fields),
    );
    cells(
        &mut card,
        &layout::CODE,
        &layout::code_cells(),
        &layout::code_text(&front.fields),
    );

    let (px, py, pw, ph) = layout::PHOTO;
    match photo {
        Some(p) if p.width > 0 && p.height > 0 => paste_scaled(&mut card, p, px, py, pw, ph),
        _ => frame(&mut card, px, py, pw, ph, [170.0, 160.0, 165.0]),
    }
    card
}

/// A pale pink ground with fine guilloche-like waves (real cards are patterned, which the reader must
/// tolerate).
fn ground() -> RgbImage {
    let mut card = RgbImage::filled(CARD_W, CARD_H, [0, 0, 0]);
    for y in 0..CARD_H {
        for x in 0..CARD_W {
            let (fx, fy) = (x as f32, y as f32);
            let wave = ((fx * 0.045 + (fy * 0.02).sin() * 3.0).sin()
                * (fy * 0.031 + (fx * 0.013).sin() * 2.0).cos())
            .abs();
            let tint = 1.0 - 0.05 * wave - 0.03 * (fy / CARD_H as f32);
            let i = (y * CARD_W + x) * 3;
            card.data[i] = (250.0 * tint) as u8;
            card.data[i + 1] = (238.0 * tint) as u8;
            card.data[i + 2] = (242.0 * tint) as u8;
        }
    }
    card
}

fn blend(card: &mut RgbImage, x: i64, y: i64, c: f32, colour: [f32; 3]) {
    if x < 0 || y < 0 || x as usize >= card.width || y as usize >= card.height {
        return;
    }
    let i = (y as usize * card.width + x as usize) * 3;
    let c = c.clamp(0.0, 1.0);
    for (px, ink) in card.data[i..i + 3].iter_mut().zip(colour) {
        *px = (f32::from(*px) * (1.0 - c) + ink * c).round() as u8;
    }
}

/// Print `text` into the line's cells (one character per cell).
fn cells(card: &mut RgbImage, line: &Line, kinds: &[Cell], text: &[char]) {
    for ((off, w), ch) in layout::cell_spans(line, kinds).into_iter().zip(text) {
        let glyph = glyphs::cell(*ch, line.px, w, line.height);
        for gy in 0..glyph.h {
            for gx in 0..glyph.w {
                let c = glyph.ink[gy * glyph.w + gx];
                if c > 0.0 {
                    let (x, y) = ((line.x + off + gx) as i64, (line.y + gy) as i64);
                    blend(card, x, y, c, INK);
                }
            }
        }
    }
}

fn frame(card: &mut RgbImage, x: usize, y: usize, w: usize, h: usize, colour: [f32; 3]) {
    for t in 0..2 {
        for i in x..x + w {
            blend(card, i as i64, (y + t) as i64, 1.0, colour);
            blend(card, i as i64, (y + h - 1 - t) as i64, 1.0, colour);
        }
        for j in y..y + h {
            blend(card, (x + t) as i64, j as i64, 1.0, colour);
            blend(card, (x + w - 1 - t) as i64, j as i64, 1.0, colour);
        }
    }
}

/// Scale `photo` to cover the box (centre crop), bilinear.
fn paste_scaled(card: &mut RgbImage, photo: &RgbImage, x: usize, y: usize, w: usize, h: usize) {
    let s = (photo.width as f32 / w as f32).min(photo.height as f32 / h as f32);
    let (ox, oy) = (
        (photo.width as f32 - w as f32 * s) / 2.0,
        (photo.height as f32 - h as f32 * s) / 2.0,
    );
    for j in 0..h {
        for i in 0..w {
            let (sx, sy) = (ox + (i as f32 + 0.5) * s - 0.5, oy + (j as f32 + 0.5) * s - 0.5);
            let px = crate::geometry::sample_rgb(photo, sx, sy);
            let o = ((y + j) * card.width + x + i) * 3;
            card.data[o..o + 3].copy_from_slice(&px);
        }
    }
}
