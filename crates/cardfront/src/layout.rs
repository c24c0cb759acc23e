//! Where the card front prints what, in the straightened card's pixels.
//!
//! The card is ID-1 (85.60 × 53.98 mm); straightened, it is [`CARD_W`] × [`CARD_H`] pixels, about 10 per
//! millimetre. The three lines that make 照合番号B are printed in fixed-pitch cells: a full-width cell
//! for each kanji, a half-width cell for each digit, and numbers padded with a blank to two digits
//! (`昭和55年 2月17日生`, `2035年 2月17日まで有効`). Cell pitch, sizes and positions are a GUESS modelled
//! on published photographs of the card; they are parameters here, to be measured on real cards.

use crate::{Era, FrontFields, PrintedBirth};

/// The straightened card's size in pixels.
pub const CARD_W: usize = 856;
pub const CARD_H: usize = 540;

/// One printed line of fixed-pitch cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// Top-left corner of the first cell.
    pub x: usize,
    pub y: usize,
    /// Font size (em) in pixels.
    pub px: f32,
    pub kanji_w: usize,
    pub digit_w: usize,
    pub height: usize,
}

/// The birth date: `昭和55年 2月17日生` or, Gregorian, `1980年 2月17日生`.
pub const BIRTH: Line = Line {
    x: 44,
    y: 250,
    px: 34.0,
    kanji_w: 36,
    digit_w: 21,
    height: 42,
};

/// The expiry date, inside the box at the bottom: `2035年 2月17日まで有効`.
pub const EXPIRY: Line = Line {
    x: 56,
    y: 462,
    px: 28.0,
    kanji_w: 30,
    digit_w: 17,
    height: 36,
};

/// The security code, under the photo.
pub const CODE: Line = Line {
    x: 656,
    y: 336,
    px: 34.0,
    kanji_w: 36,
    digit_w: 26,
    height: 42,
};

/// The photo's place (x, y, width, height).
pub const PHOTO: (usize, usize, usize, usize) = (610, 70, 200, 250);

/// What a cell may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A digit; `blank` when padding may leave it empty.
    Digit { blank: bool },
    /// Always this character (年, 月, 日, 生, ま, で, 有, 効): where it is tells the reader the line is
    /// where it thinks.
    Fixed(char),
    /// The first or second kanji of the era name.
    Era(usize),
}

impl Cell {
    pub fn width(self, line: &Line) -> usize {
        match self {
            Cell::Digit { .. } => line.digit_w,
            Cell::Fixed(_) | Cell::Era(_) => line.kanji_w,
        }
    }
}

const D: Cell = Cell::Digit { blank: false };
const B: Cell = Cell::Digit { blank: true };

/// The birth line's cells: era form for Japanese nationals, Gregorian otherwise.
pub fn birth_cells(era: bool) -> Vec<Cell> {
    let mut cells = if era {
        vec![Cell::Era(0), Cell::Era(1), B, D]
    } else {
        vec![D, D, D, D]
    };
    cells.extend([
        Cell::Fixed('年'),
        B,
        D,
        Cell::Fixed('月'),
        B,
        D,
        Cell::Fixed('日'),
        Cell::Fixed('生'),
    ]);
    cells
}

pub fn expiry_cells() -> Vec<Cell> {
    vec![
        D,
        D,
        D,
        D,
        Cell::Fixed('年'),
        B,
        D,
        Cell::Fixed('月'),
        B,
        D,
        Cell::Fixed('日'),
        Cell::Fixed('ま'),
        Cell::Fixed('で'),
        Cell::Fixed('有'),
        Cell::Fixed('効'),
    ]
}

pub fn code_cells() -> Vec<Cell> {
    vec![D; 4]
}

/// The x offset (from the line's start) and width of each cell.
pub fn cell_spans(line: &Line, cells: &[Cell]) -> Vec<(usize, usize)> {
    let mut x = 0;
    cells
        .iter()
        .map(|c| {
            let span = (x, c.width(line));
            x += span.1;
            span
        })
        .collect()
}

/// A number as fixed-width cells: right-aligned, blank-padded (`' '`).
fn padded(n: u16, width: usize) -> Vec<char> {
    let digits: Vec<char> = n.to_string().chars().collect();
    let mut out = vec![' '; width.saturating_sub(digits.len())];
    out.extend(digits.iter().skip(digits.len().saturating_sub(width)));
    out
}

/// The characters printed in each birth cell (`' '` = blank).
pub fn birth_text(b: &PrintedBirth) -> Vec<char> {
    let mut out: Vec<char> = match b.era {
        Some(era) => {
            let mut v: Vec<char> = era.name().chars().collect();
            v.extend(padded(b.year, 2));
            v
        }
        None => padded(b.year, 4),
    };
    out.push('年');
    out.extend(padded(u16::from(b.month), 2));
    out.push('月');
    out.extend(padded(u16::from(b.day), 2));
    out.extend(['日', '生']);
    out
}

pub fn expiry_text(f: &FrontFields) -> Vec<char> {
    let mut out = padded(f.expiry.y, 4);
    out.push('年');
    out.extend(padded(u16::from(f.expiry.m), 2));
    out.push('月');
    out.extend(padded(u16::from(f.expiry.d), 2));
    out.extend("日まで有効".chars());
    out
}

pub fn code_text(f: &FrontFields) -> Vec<char> {
    f.security_code
        .iter()
        .map(|d| char::from(b'0' + d % 10))
        .collect()
}

/// The kanji of each era name, by cell.
pub fn era_chars(era: Era) -> [char; 2] {
    let mut it = era.name().chars();
    [it.next().unwrap_or(' '), it.next().unwrap_or(' ')]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_fill_their_cells() {
        let f = FrontFields {
            birth: PrintedBirth {
                era: Some(Era::Heisei),
                year: 1,
                month: 2,
                day: 17,
            },
            expiry: crate::Ymd { y: 2035, m: 12, d: 3 },
            security_code: [0, 4, 2, 9],
        };
        assert_eq!(
            birth_text(&f.birth).iter().collect::<String>(),
            "平成 1年 2月17日生"
        );
        assert_eq!(birth_text(&f.birth).len(), birth_cells(true).len());
        assert_eq!(
            expiry_text(&f).iter().collect::<String>(),
            "2035年12月 3日まで有効"
        );
        assert_eq!(expiry_text(&f).len(), expiry_cells().len());
        assert_eq!(code_text(&f).iter().collect::<String>(), "0429");
    }
}
