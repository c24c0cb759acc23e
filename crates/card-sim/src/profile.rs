//! Card profiles: who the virtual card belongs to and how its counters stand (TOML in `assets/cards/`).

use serde::Deserialize;
use std::path::Path;

/// Which token the JPKI AP reports in EF 0006 (docs/CARD-NOTES.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Token {
    /// `JPKIAPICCTOKEN2`: a plastic My Number card.
    Card,
    /// `JPKIAPICCTOKEN`: a 住基カード (Juki card), the card before the My Number card; not a My Number card.
    JukiCard,
    /// `JPKIAPGPSETOKEN`: an Android phone's スマホ用電子証明書 (auth cert behind the PIN).
    Android,
    /// `JPKIAPIOSTOKEN`: an iPhone.
    Iphone,
}

impl Token {
    /// A smartphone's JPKI token rather than a plastic card.
    pub fn is_phone(self) -> bool {
        matches!(self, Token::Android | Token::Iphone)
    }

    pub fn label(self) -> &'static str {
        match self {
            Token::Card => "JPKIAPICCTOKEN2",
            Token::JukiCard => "JPKIAPICCTOKEN",
            Token::Android => "JPKIAPGPSETOKEN",
            Token::Iphone => "JPKIAPIOSTOKEN",
        }
    }
}

/// A calendar date. Profiles write `YYYY-MM-DD`, or `today`, `today+N` / `today-N` (days) so that
/// expiry scenarios stay true as the calendar moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd {
    pub y: u16,
    pub m: u8,
    pub d: u8,
}

impl Ymd {
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.y, self.m, self.d)
    }
    fn days_from_civil(self) -> i64 {
        let (y, m, d) = (self.y as i64, self.m as i64, self.d as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }
    fn from_days(z: i64) -> Ymd {
        let z = z + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as u16;
        Ymd { y, m, d }
    }
    pub fn add_days(self, n: i64) -> Ymd {
        Ymd::from_days(self.days_from_civil() + n)
    }
    /// Today (UTC) from the system clock: the card is a test tool, so it may read the clock.
    pub fn today() -> Ymd {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Ymd::from_days(secs.div_euclid(86400))
    }
    pub fn parse(text: &str, today: Ymd) -> Result<Ymd, DateError> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("today") {
            if rest.is_empty() {
                return Ok(today);
            }
            let n: i64 = rest.parse().map_err(|_| DateError::BadRelative(t.into()))?;
            return Ok(today.add_days(n));
        }
        let parts: Vec<&str> = t.split('-').collect();
        let bad = || DateError::Malformed(t.into());
        if parts.len() != 3 {
            return Err(bad());
        }
        let y: u16 = parts[0].parse().map_err(|_| bad())?;
        let m: u8 = parts[1].parse().map_err(|_| bad())?;
        let d: u8 = parts[2].parse().map_err(|_| bad())?;
        let ymd = Ymd { y, m, d };
        if !(1868..=2099).contains(&y) || !(1..=12).contains(&m) || d == 0 || ymd.add_days(0) != ymd {
            return Err(DateError::Impossible(t.into()));
        }
        Ok(ymd)
    }
}

/// A profile date that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("bad relative date {0:?} (use today+N or today-N)")]
    BadRelative(String),
    #[error("bad date {0:?} (use YYYY-MM-DD)")]
    Malformed(String),
    /// Outside the eras the card knows (1868–2099), or a day the month does not have.
    #[error("impossible date {0:?}")]
    Impossible(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    description: String,
    #[serde(default = "default_token")]
    token: Token,
    holder: RawHolder,
    card: RawCard,
    auth_cert: RawValidity,
    pins: RawPins,
    #[serde(default)]
    seed: u64,
    /// A hostile card (crate::hostile): one way it breaks its answers.
    #[serde(default)]
    hostile: Option<crate::hostile::Hostile>,
    /// Answers `6F00` to the first command after each power-up, as measured on a real card.
    #[serde(default)]
    no_diagnosis_after_power_up: bool,
    /// A phone's state when it is held to the reader.
    #[serde(default)]
    phone: RawPhone,
}

/// `[phone]`: how a virtual phone comes to the reader.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhone {
    /// An iPhone whose holder confirmed with Face ID or Touch ID first (GUESS, docs/CARD-NOTES.md §4.5).
    #[serde(default)]
    confirmed: bool,
}

impl RawProfile {
    /// The values a card could not hold: digit counts, the password's alphabet, tries, sex.
    fn check(&self, invalid: &dyn Fn(String) -> ProfileError) -> Result<(), ProfileError> {
        let digits = |field: &str, v: &str, n: std::ops::RangeInclusive<usize>| {
            if n.contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{field} must be {}..{} digits",
                    n.start(),
                    n.end()
                )))
            }
        };
        digits("holder.my_number", &self.holder.my_number, 12..=12)?;
        digits("card.security_code", &self.card.security_code, 4..=4)?;
        digits("card.municipality", &self.card.municipality, 5..=5)?;
        digits("pins.auth_pin", &self.pins.auth_pin, 4..=4)?;
        digits("pins.text_pin", &self.pins.text_pin, 4..=4)?;
        let sp = &self.pins.sign_password;
        if !(6..=16).contains(&sp.len()) || !sp.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(invalid("pins.sign_password must be 6-16 of A-Z 0-9".into()));
        }
        if self.pins.auth_tries > 3 || self.pins.text_tries > 3 || self.pins.sign_tries > 5 {
            return Err(invalid(
                "tries exceed the card's maximum (PIN 3, password 5)".into(),
            ));
        }
        if self.pins.check_b_tries > 15 || self.pins.check_a_tries > 15 {
            return Err(invalid("check-code tries must be at most 15".into()));
        }
        if ![1, 2, 9].contains(&self.holder.sex) {
            return Err(invalid("holder.sex must be 1, 2 or 9".into()));
        }
        Ok(())
    }
}

fn default_token() -> Token {
    Token::Card
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolder {
    name: String,
    kana: String,
    address: String,
    birth_date: String,
    sex: u8,
    my_number: String,
    #[serde(default = "yes")]
    japanese_national: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    expiry: String,
    security_code: String,
    /// A JPEG 2000 file in `assets/photos/`; omitted for a photo-less card (under 1 year).
    photo: Option<String>,
    municipality: String,
    /// Whose card-face CA ids the card names: "test" (6000023/6000033, the default: virtual cards are
    /// test cards) or "production" (5000023/5000033), docs/CARD-NOTES.md §4.3.
    #[serde(default)]
    hierarchy: crate::pki::Hierarchy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidity {
    not_before: String,
    not_after: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPins {
    auth_pin: String,
    auth_tries: u8,
    #[serde(default = "default_sign")]
    sign_password: String,
    #[serde(default = "five")]
    sign_tries: u8,
    text_pin: String,
    #[serde(default = "three")]
    text_tries: u8,
    #[serde(default = "ten")]
    check_b_tries: u8,
    #[serde(default = "ten")]
    check_a_tries: u8,
}

fn default_sign() -> String {
    "TESTSIGN1".into()
}
fn three() -> u8 {
    3
}
fn five() -> u8 {
    5
}
fn ten() -> u8 {
    10
}

/// A validated card profile.
#[derive(Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub token: Token,
    pub holder_name: String,
    pub holder_kana: String,
    pub address: String,
    pub birth_date: Ymd,
    /// 1 male, 2 female, 9 not applicable (ISO 5218 as on the card).
    pub sex: u8,
    pub my_number: String,
    pub japanese_national: bool,
    pub card_expiry: Ymd,
    pub security_code: String,
    pub photo_jp2: Option<Vec<u8>>,
    pub municipality: String,
    /// The J-LIS hierarchy the card's 券面 APs name as CV-certificate issuer.
    pub hierarchy: crate::pki::Hierarchy,
    pub cert_not_before: Ymd,
    pub cert_not_after: Ymd,
    pub auth_pin: String,
    pub auth_tries: u8,
    pub sign_password: String,
    pub sign_tries: u8,
    pub text_pin: String,
    pub text_tries: u8,
    pub check_b_tries: u8,
    pub check_a_tries: u8,
    pub seed: u64,
    pub hostile: Option<crate::hostile::Hostile>,
    /// Answers `6F00` to the first command after each power-up (docs/CARD-NOTES.md §1.2).
    pub no_diagnosis_after_power_up: bool,
    /// A virtual iPhone comes with its holder confirmed on the phone (`[phone] confirmed`).
    pub phone_confirmed: bool,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Test data, but keep the habit: a profile prints no personal data or secrets.
        write!(f, "Profile({:?})", self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("card profile {name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("card profile {name}: {field}: {source}")]
    Date {
        name: String,
        field: &'static str,
        source: DateError,
    },
    #[error("card profile {0}: no such profile")]
    Unknown(String),
    #[error("card profile file {path}: {reason}")]
    Io { path: String, reason: String },
}

/// Profiles embedded in the binary, so the virtual card works with no files around it.
const EMBEDDED: &[(&str, &str)] = &[
    ("demo", include_str!("../../../assets/cards/demo.toml")),
    ("suzuki", include_str!("../../../assets/cards/suzuki.toml")),
    ("last-try", include_str!("../../../assets/cards/last-try.toml")),
    (
        "pin-blocked",
        include_str!("../../../assets/cards/pin-blocked.toml"),
    ),
    ("expiring", include_str!("../../../assets/cards/expiring.toml")),
    (
        "expired-grace",
        include_str!("../../../assets/cards/expired-grace.toml"),
    ),
    ("expired", include_str!("../../../assets/cards/expired.toml")),
    ("infant", include_str!("../../../assets/cards/infant.toml")),
    ("android", include_str!("../../../assets/cards/android.toml")),
    ("hostile", include_str!("../../../assets/cards/hostile.toml")),
    ("iphone", include_str!("../../../assets/cards/iphone.toml")),
    // One card per eligibility outcome that ends the reception (docs/RECEPTION.md, "Result file").
    ("moved", include_str!("../../../assets/cards/moved.toml")),
    (
        "new-insurer",
        include_str!("../../../assets/cards/new-insurer.toml"),
    ),
    (
        "not-enrolled",
        include_str!("../../../assets/cards/not-enrolled.toml"),
    ),
    ("several", include_str!("../../../assets/cards/several.toml")),
    (
        "service-down",
        include_str!("../../../assets/cards/service-down.toml"),
    ),
];

/// Card photos embedded for the embedded profiles (public-domain portraits, see assets/photos/README.md).
const PHOTOS: &[(&str, &[u8])] = &[
    ("obama.jp2", include_bytes!("../../../assets/photos/obama.jp2")),
    ("obama2.jp2", include_bytes!("../../../assets/photos/obama2.jp2")),
    ("biden.jp2", include_bytes!("../../../assets/photos/biden.jp2")),
];

impl Profile {
    /// Names of the embedded profiles, in display order.
    pub fn embedded_names() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(n, _)| *n).collect()
    }

    /// Load an embedded profile by name.
    pub fn embedded(name: &str) -> Result<Profile, ProfileError> {
        let (_, text) = EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ProfileError::Unknown(name.into()))?;
        Profile::from_toml(name, text, Ymd::today(), &|file| {
            PHOTOS.iter().find(|(n, _)| *n == file).map(|(_, b)| b.to_vec())
        })
    }

    /// Load a profile from a TOML file; photos are looked up beside it and in `../photos/`.
    pub fn from_file(path: &Path) -> Result<Profile, ProfileError> {
        let io = |reason: String| ProfileError::Io {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("profile")
            .to_string();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Profile::from_toml(&name, &text, Ymd::today(), &|file| {
            std::fs::read(dir.join(file))
                .or_else(|_| std::fs::read(dir.join("../photos").join(file)))
                .ok()
                .or_else(|| PHOTOS.iter().find(|(n, _)| *n == file).map(|(_, b)| b.to_vec()))
        })
    }

    /// Parse and validate a profile. `photo` resolves a photo file name to its bytes.
    pub fn from_toml(
        name: &str,
        text: &str,
        today: Ymd,
        photo: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> Result<Profile, ProfileError> {
        let invalid = |reason: String| ProfileError::Invalid {
            name: name.into(),
            reason,
        };
        let raw: RawProfile = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let date = |field: &'static str, v: &str| {
            Ymd::parse(v, today).map_err(|source| ProfileError::Date {
                name: name.into(),
                field,
                source,
            })
        };
        raw.check(&invalid)?;
        let photo_jp2 = match &raw.card.photo {
            None => None,
            Some(file) => Some(photo(file).ok_or_else(|| invalid(format!("photo {file:?} not found")))?),
        };
        let cert_not_before = date("auth_cert.not_before", &raw.auth_cert.not_before)?;
        let cert_not_after = date("auth_cert.not_after", &raw.auth_cert.not_after)?;
        if cert_not_after <= cert_not_before {
            return Err(invalid("auth_cert.not_after must be after not_before".into()));
        }
        Ok(Profile {
            name: name.into(),
            description: raw.description,
            token: raw.token,
            holder_name: raw.holder.name,
            holder_kana: raw.holder.kana,
            address: raw.holder.address,
            birth_date: date("holder.birth_date", &raw.holder.birth_date)?,
            sex: raw.holder.sex,
            my_number: raw.holder.my_number,
            japanese_national: raw.holder.japanese_national,
            card_expiry: date("card.expiry", &raw.card.expiry)?,
            security_code: raw.card.security_code,
            photo_jp2,
            municipality: raw.card.municipality,
            hierarchy: raw.card.hierarchy,
            cert_not_before,
            cert_not_after,
            auth_pin: raw.pins.auth_pin,
            auth_tries: raw.pins.auth_tries,
            sign_password: raw.pins.sign_password,
            sign_tries: raw.pins.sign_tries,
            text_pin: raw.pins.text_pin,
            text_tries: raw.pins.text_tries,
            check_b_tries: raw.pins.check_b_tries,
            check_a_tries: raw.pins.check_a_tries,
            seed: raw.seed,
            hostile: raw.hostile,
            no_diagnosis_after_power_up: raw.no_diagnosis_after_power_up,
            phone_confirmed: raw.phone.confirmed,
        })
    }

    /// 照合番号B: birth YYMMDD (era year for Japanese nationals) + expiry year + security code.
    pub fn check_code_b(&self) -> String {
        let b = self.birth_date;
        format!(
            "{}{:04}{}",
            crate::era::birth_digits(b.y, b.m, b.d, self.japanese_national),
            self.card_expiry.y,
            self.security_code
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_profile_loads() {
        for name in Profile::embedded_names() {
            let p = Profile::embedded(name).unwrap();
            assert_eq!(p.check_code_b().len(), 14, "{name}");
        }
        assert!(Profile::embedded("nobody").is_err());
    }

    #[test]
    fn dates_and_relative_dates() {
        let t = Ymd {
            y: 2026,
            m: 11,
            d: 21,
        };
        assert_eq!(Ymd::parse("today+45", t).unwrap(), Ymd { y: 2027, m: 1, d: 5 });
        assert_eq!(
            Ymd::parse("today-21", t).unwrap(),
            Ymd {
                y: 2026,
                m: 10,
                d: 31
            }
        );
        assert_eq!(Ymd::parse("2024-02-29", t).unwrap(), Ymd { y: 2024, m: 2, d: 29 });
        assert_eq!(
            Ymd::parse("2023-02-29", t),
            Err(DateError::Impossible("2023-02-29".into()))
        );
        assert_eq!(
            Ymd::parse("2023-13-01", t),
            Err(DateError::Impossible("2023-13-01".into()))
        );
        assert_eq!(
            Ymd::parse("yesterday", t),
            Err(DateError::Malformed("yesterday".into()))
        );
        assert_eq!(
            Ymd::parse("today+x", t),
            Err(DateError::BadRelative("today+x".into()))
        );
    }

    #[test]
    fn bad_profiles_are_clear_errors() {
        let demo = include_str!("../../../assets/cards/demo.toml");
        let t = Ymd {
            y: 2026,
            m: 11,
            d: 21,
        };
        let none = |_: &str| None;
        let bad_pin = demo.replace("auth_pin = \"1234\"", "auth_pin = \"12a4\"");
        let e = Profile::from_toml("x", &bad_pin, t, &|f| none(f))
            .unwrap_err()
            .to_string();
        assert!(e.contains("auth_pin"), "{e}");
        let bad_date = demo.replace("birth_date = \"1961-08-04\"", "birth_date = \"1961-02-30\"");
        let e = Profile::from_toml("x", &bad_date, t, &|_| Some(Vec::new()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "card profile x: holder.birth_date: impossible date \"1961-02-30\""
        );
        let quirky = format!("no_diagnosis_after_power_up = true\n{demo}");
        let p = Profile::from_toml("x", &quirky, t, &|_| Some(Vec::new())).unwrap();
        assert!(p.no_diagnosis_after_power_up);
        let e = Profile::from_toml("x", "garbage = [", t, &|f| none(f))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("card profile x:"), "{e}");
    }
}
