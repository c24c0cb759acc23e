//! The Japanese eras a living card holder can be born in, as printed on the card front.

use crate::Ymd;

/// An era (元号). Births before 大正 are out of scope (no living holder).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Era {
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub const ALL: [Era; 4] = [Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// The two kanji printed on the card.
    pub fn name(self) -> &'static str {
        match self {
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    pub fn from_name(name: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The era's first day.
    pub fn start(self) -> Ymd {
        let (y, m, d) = match self {
            Era::Taisho => (1912, 7, 30),
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        };
        Ymd { y, m, d }
    }

    /// The next era's first day (`None` for the current era).
    fn end(self) -> Option<Ymd> {
        match self {
            Era::Taisho => Some(Era::Showa.start()),
            Era::Showa => Some(Era::Heisei.start()),
            Era::Heisei => Some(Era::Reiwa.start()),
            Era::Reiwa => None,
        }
    }

    /// The Gregorian date of an era date, `None` if the era did not include it (昭和64年2月1日).
    pub fn to_gregorian(self, year: u16, month: u8, day: u8) -> Option<Ymd> {
        if year == 0 {
            return None;
        }
        let date = Ymd::new(self.start().y + year - 1, month, day)?;
        let inside = date >= self.start() && self.end().is_none_or(|end| date < end);
        inside.then_some(date)
    }

    /// The era and era year of a Gregorian date (`None` before 大正).
    pub fn of(date: Ymd) -> Option<(Era, u16)> {
        Era::ALL
            .into_iter()
            .rev()
            .find(|e| date >= e.start())
            .map(|e| (e, date.y - e.start().y + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_boundaries_round_trip() {
        let d = |y, m, d| Ymd { y, m, d };
        assert_eq!(Era::of(d(1980, 2, 17)), Some((Era::Showa, 55)));
        assert_eq!(Era::of(d(1989, 1, 7)), Some((Era::Showa, 64)));
        assert_eq!(Era::of(d(1989, 1, 8)), Some((Era::Heisei, 1)));
        assert_eq!(Era::of(d(2019, 5, 1)), Some((Era::Reiwa, 1)));
        assert_eq!(Era::Showa.to_gregorian(64, 1, 7), Some(d(1989, 1, 7)));
        assert_eq!(Era::Showa.to_gregorian(64, 1, 8), None);
        assert_eq!(Era::Heisei.to_gregorian(31, 5, 1), None);
        assert_eq!(Era::Taisho.to_gregorian(15, 12, 24), Some(d(1926, 12, 24)));
        assert_eq!(Era::Reiwa.to_gregorian(0, 1, 1), None);
    }
}
