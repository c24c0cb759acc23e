//! Calendar dates in Japan Standard Time. The card and its certificates speak UTC; reception rules speak
//! Japanese calendar days ("3か月間", docs/CARD-NOTES.md §7.2), so everything is converted once here.

/// A civil date (proleptic Gregorian).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Debug for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const JST_OFFSET_SECS: i64 = 9 * 3600;

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// A valid date, or `None` (e.g. 2023-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Parse the card's 8-digit `YYYYMMDD`.
    pub fn from_yyyymmdd(text: &[u8]) -> Option<Date> {
        if text.len() != 8 || !text.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| text[r].iter().fold(0i32, |a, b| a * 10 + i32::from(b - b'0'));
        Date::new(n(0..4), u8::try_from(n(4..6)).ok()?, u8::try_from(n(6..8)).ok()?)
    }

    fn days_from_civil(self) -> i64 {
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468
    }

    /// The civil date of day `z` since 1970-01-01 (H. Hinnant's days-to-civil algorithm). A year beyond
    /// the range of `i32` (days far outside any certificate's validity) saturates.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the algorithm yields day 1..=31 and month 1..=12, which fit u8"
    )]
    fn from_days(z: i64) -> Date {
        let z = z + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month,
            day,
        }
    }

    /// The JST calendar date of a Unix time (seconds).
    pub fn from_unix_jst(secs: i64) -> Date {
        Date::from_days((secs + JST_OFFSET_SECS).div_euclid(86400))
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days_from_civil() + n)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_from_civil() - self.days_from_civil()
    }

    /// Calendar-month arithmetic with the day clamped to the month's end (11-30 + 3 months = 02-28/29).
    pub fn add_months(self, months: i32) -> Date {
        let start = self.month_start(months);
        Date {
            day: self.day.min(days_in_month(start.year, start.month)),
            ..start
        }
    }

    /// The last day of the month `months` after this date's month (02-10 + 3 → 05-31).
    pub fn end_of_month_after(self, months: i32) -> Date {
        let start = self.month_start(months);
        Date {
            day: days_in_month(start.year, start.month),
            ..start
        }
    }

    /// The first day of the month `months` after this date's month.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "rem_euclid(12) + 1 is a month, 1..=12, which fits u8"
    )]
    fn month_start(self, months: i32) -> Date {
        let index = self.year * 12 + (self.month as i32 - 1) + months;
        let year = index.div_euclid(12);
        let month = (index.rem_euclid(12) + 1) as u8;
        Date { year, month, day: 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic() {
        let d = Date::new(2025, 11, 10).unwrap();
        assert_eq!(d.add_months(3), Date::new(2026, 2, 10).unwrap());
        assert_eq!(
            Date::new(2025, 11, 30).unwrap().add_months(3),
            Date::new(2026, 2, 28).unwrap()
        );
        assert_eq!(
            Date::new(2026, 1, 31).unwrap().add_months(-3),
            Date::new(2025, 10, 31).unwrap()
        );
        assert_eq!(
            Date::new(2024, 2, 29).unwrap().add_months(12),
            Date::new(2025, 2, 28).unwrap()
        );
    }

    #[test]
    fn jst_day_boundary() {
        // 2030-08-04T14:59:59Z is 23:59:59 JST on 08-04; one second later is 08-05 in Japan.
        assert_eq!(Date::from_unix_jst(1_912_085_999), Date::new(2030, 8, 4).unwrap());
        assert_eq!(Date::from_unix_jst(1_912_086_000), Date::new(2030, 8, 5).unwrap());
    }

    #[test]
    fn a_year_beyond_i32_saturates_instead_of_wrapping() {
        assert_eq!(Date::from_unix_jst(i64::MAX / 2).year, i32::MAX);
        assert_eq!(Date::from_unix_jst(i64::MIN / 2).year, i32::MIN);
    }

    #[test]
    fn card_dates() {
        assert_eq!(Date::from_yyyymmdd(b"19610804"), Date::new(1961, 8, 4));
        assert_eq!(Date::from_yyyymmdd(b"20230229"), None);
        assert_eq!(Date::from_yyyymmdd(b"2023022"), None);
        assert_eq!(Date::from_yyyymmdd(b"2023-2-1"), None);
    }
}
