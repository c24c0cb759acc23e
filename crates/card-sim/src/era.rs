//! Japanese era years, as printed on the card front and used in 照合番号B (docs/CARD-NOTES.md §6).

/// First day of each era (Gregorian), newest first, with the Gregorian year of its year 1.
const ERAS: [((u16, u8, u8), u16, &str); 5] = [
    ((2019, 5, 1), 2018, "令和"),
    ((1989, 1, 8), 1988, "平成"),
    ((1926, 12, 25), 1925, "昭和"),
    ((1912, 7, 30), 1911, "大正"),
    ((1868, 10, 23), 1867, "明治"),
];

/// The era name and era year of a Gregorian date, or `None` before Meiji.
pub fn era_of(y: u16, m: u8, d: u8) -> Option<(&'static str, u16)> {
    ERAS.iter()
        .find(|(start, _, _)| (y, m, d) >= *start)
        .map(|(_, base, name)| (*name, y - base))
}

/// The 6-digit birth part of 照合番号B. Japanese nationals: era year (confirmed on a card: born
/// 1980-02-17 → `550217`). Foreign residents: last two Gregorian digits (GUESS, §12.5).
pub fn birth_digits(y: u16, m: u8, d: u8, japanese: bool) -> String {
    let yy = if japanese {
        era_of(y, m, d).map(|(_, ey)| ey).unwrap_or(y) % 100
    } else {
        y % 100
    };
    format!("{yy:02}{m:02}{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_boundaries() {
        assert_eq!(era_of(1980, 2, 17), Some(("昭和", 55)));
        assert_eq!(era_of(1989, 1, 7), Some(("昭和", 64)));
        assert_eq!(era_of(1989, 1, 8), Some(("平成", 1)));
        assert_eq!(era_of(2019, 4, 30), Some(("平成", 31)));
        assert_eq!(era_of(2019, 5, 1), Some(("令和", 1)));
        assert_eq!(era_of(1920, 1, 1), Some(("大正", 9)));
        assert_eq!(era_of(1800, 1, 1), None);
    }

    #[test]
    fn check_code_birth_part_matches_the_card_sample() {
        assert_eq!(birth_digits(1980, 2, 17, true), "550217");
        assert_eq!(birth_digits(1980, 2, 17, false), "800217");
    }
}
