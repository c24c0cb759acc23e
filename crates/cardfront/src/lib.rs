//! The printed front of the My Number card (券面): drawing it, and reading the three fields that make
//! 照合番号B from a camera frame, so the kiosk can open the chip's photo without the patient's PIN.
//!
//! 照合番号B is 14 digits: birth date YYMMDD (the era year for Japanese nationals, whose card prints the
//! date in 和暦), the card's expiry year, and the 4-digit security code printed under the photo
//! (docs/CARD-NOTES.md §6). A wrong code spends one of the card's few tries, so the reader here is built
//! to refuse rather than guess: every glyph must beat its runner-up by a calibrated margin, the fixed
//! characters around the digits (年, 月, 日, 生, まで有効) must be where the layout puts them, the dates must
//! be real dates, and [`Agreement`] wants several frames that read the same digits.
//!
//! The recogniser is our own: the fields use about twenty glyphs at known places, so after the card is
//! found ([`find`]) and straightened, each character cell is compared with glyph templates drawn from the
//! same typeface by normalised cross-correlation ([`read`]). docs/CARD-FRONT.md has the measured accuracy
//! and speed that justify this over a general OCR engine. The layout ([`layout`]) is a parameter: the
//! real card's cell pitch and typeface are a GUESS until measured on real cards.
//!
//! Everything read here is personal data: frames, straightened crops and the derived digits live in
//! memory only, are wiped on drop, and print only as sizes or `<redacted>`.

pub mod era;
pub mod find;
mod geometry;
mod glyphs;
pub mod layout;
pub mod read;
pub mod render;
pub mod synth;
pub mod tray;
mod vote;

pub use era::Era;
pub use read::{FrontGuidance, FrontRead, FrontReader, Refusal};
pub use render::render;
pub use vote::{Agreement, Verdict};
use zeroize::{Zeroize, Zeroizing};

/// Card fronts, frames and photos are the face engine's RGB image: wiped on drop, `Debug` shows only the
/// size.
pub use kiosk_face::RgbImage;

/// Luma (BT.601) of packed RGB.
pub fn grey_of(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 + 500) / 1000) as u8)
        .collect()
}

/// A calendar date.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Zeroize)]
pub struct Ymd {
    pub y: u16,
    pub m: u8,
    pub d: u8,
}

impl std::fmt::Debug for Ymd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ymd(<redacted>)")
    }
}

impl Ymd {
    /// `None` unless it is a real Gregorian date.
    pub fn new(y: u16, m: u8, d: u8) -> Option<Ymd> {
        (1..=12).contains(&m).then_some(())?;
        (d >= 1 && d <= days_in_month(y, m)).then_some(Ymd { y, m, d })
    }
}

pub(crate) fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

/// The birth date as the card prints it: an era and its year (Japanese nationals) or a Gregorian year
/// (foreign residents).
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
pub struct PrintedBirth {
    /// `None` for a Gregorian date.
    #[zeroize(skip)]
    pub era: Option<Era>,
    /// The era year, or the Gregorian year.
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Debug for PrintedBirth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrintedBirth(<redacted>)")
    }
}

impl PrintedBirth {
    /// The Gregorian date, `None` when the printed date does not exist (an era year past the era's end,
    /// 2月30日, …).
    pub fn gregorian(&self) -> Option<Ymd> {
        match self.era {
            None => Ymd::new(self.year, self.month, self.day),
            Some(era) => era.to_gregorian(self.year, self.month, self.day),
        }
    }
}

/// The three fields of 照合番号B, as read from (or printed on) the card front. Wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct FrontFields {
    pub birth: PrintedBirth,
    pub expiry: Ymd,
    pub security_code: [u8; 4],
}

impl std::fmt::Debug for FrontFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrontFields(<redacted>)")
    }
}

impl FrontFields {
    /// 照合番号B: YYMMDD of the printed birth date (era year or Gregorian, last two digits), the expiry
    /// year, the security code (docs/CARD-NOTES.md §6; card sample: 昭和55年2月17日, 2035, 2285 →
    /// `55021720352285`).
    pub fn check_code_b(&self) -> Zeroizing<String> {
        let b = &self.birth;
        let mut s = Zeroizing::new(String::with_capacity(14));
        for n in [b.year % 100, u16::from(b.month), u16::from(b.day)] {
            push_two(&mut s, n);
        }
        for n in [self.expiry.y / 100, self.expiry.y % 100] {
            push_two(&mut s, n);
        }
        for d in self.security_code {
            s.push(char::from(b'0' + d % 10));
        }
        s
    }
}

fn push_two(s: &mut String, n: u16) {
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// What the card front shows, for drawing it: the three fields plus the text around them.
#[derive(Clone)]
pub struct PrintedFront {
    pub name: String,
    pub address: String,
    /// 1 male, 2 female (the card prints 男/女).
    pub sex: u8,
    pub fields: FrontFields,
}

impl std::fmt::Debug for PrintedFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrintedFront(<redacted>)")
    }
}

impl Drop for PrintedFront {
    fn drop(&mut self) {
        self.name.zeroize();
        self.address.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_code_b_matches_the_card_sample() {
        let f = FrontFields {
            birth: PrintedBirth {
                era: Some(Era::Showa),
                year: 55,
                month: 2,
                day: 17,
            },
            expiry: Ymd { y: 2035, m: 2, d: 17 },
            security_code: [2, 2, 8, 5],
        };
        assert_eq!(f.check_code_b().as_str(), "55021720352285");
        assert_eq!(format!("{f:?}"), "FrontFields(<redacted>)");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Ymd::new(2023, 2, 29).is_none());
        assert!(Ymd::new(2024, 2, 29).is_some());
        assert!(Ymd::new(2024, 13, 1).is_none());
    }
}
