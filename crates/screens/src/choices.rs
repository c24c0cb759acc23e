//! The small value types the screens show and the patient chooses among.

/// A language of the screens. Japanese is the default and the reference text; English is the second
/// language on every screen; the other four are offered in the language picker for patients who read
/// neither (their texts await native review, see `assets/strings/`).
///
/// The language is the patient's choice for the screens only: nothing recorded depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Ja,
    En,
    /// Simplified Chinese (中文（简体）).
    Zh,
    Ko,
    Vi,
    Pt,
}

impl Lang {
    /// Every language, in the order the picker lists them.
    pub const ALL: [Lang; 6] = [Lang::Ja, Lang::En, Lang::Zh, Lang::Ko, Lang::Vi, Lang::Pt];

    /// The code used in `kiosk.toml` (`language = "vi"`) and for the file `assets/strings/<code>.toml`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Ko => "ko",
            Lang::Vi => "vi",
            Lang::Pt => "pt",
        }
    }

    /// The language for a [`Lang::code`], or `None` for a code the kiosk has no texts for.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's name in its own script: what the picker shows, so that every patient finds
    /// their language without reading any other.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
            Lang::Zh => "中文（简体）",
            Lang::Ko => "한국어",
            Lang::Vi => "Tiếng Việt",
            Lang::Pt => "Português",
        }
    }

    /// A date as this language writes it in running text, with the month in words or with its
    /// counter so it cannot be misread as day/month (an ISO date reads as a code, not a date).
    pub fn date(self, d: kiosk_mynumber::Date) -> String {
        const PT_MONTHS: [&str; 12] = [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ];
        const EN_MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let (y, m, day) = (d.year, d.month, d.day);
        let month = |names: &[&'static str; 12]| names[usize::from(m.clamp(1, 12) - 1)];
        match self {
            Lang::Ja | Lang::Zh => format!("{y}年{m}月{day}日"),
            Lang::Ko => format!("{y}년 {m}월 {day}일"),
            Lang::En => format!("{day} {} {y}", month(&EN_MONTHS)),
            Lang::Vi => format!("ngày {day} tháng {m} năm {y}"),
            Lang::Pt => format!("{day} de {} de {y}", month(&PT_MONTHS)),
        }
    }
}

/// How the patient proves they hold the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Face,
    Pin,
}

/// Guidance while the card front is read. Mirrors `kiosk_cardfront::FrontGuidance` so that the flow and
/// the screens do not depend on the card-front reader (image code); the app translates in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontGuidanceKind {
    ShowCard,
    Closer,
    MoreLight,
    AvoidGlare,
    HoldStill,
}

/// Mirrors `kiosk_face::Guidance` for the same reason: the flow and the screens stay free of the face
/// engine (image and network code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidanceKind {
    NoFace,
    SeveralFaces,
    TooSmall,
    TooClose,
    OffCentre,
    TooDark,
    Backlit,
    Blurred,
}

/// The head turn the face screen asks for, in the patient's own terms (mirrors `kiosk_face::Challenge`:
/// the liveness check asks for a small turn in a random direction, see docs/PAD.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnPrompt {
    Left,
    Right,
}

/// `QualificationValidity` of the eligibility answer, code list OQSCD006 (資格有効性) as transcribed in
/// hangilc/myclinic-ts `packages/onshi-lib/onshi-codes.js` (docs/RECEPTION.md, "Result file"). A
/// "6 有効（未登録）" exists in one transcription for 医療扶助 only; it is not a health-insurance answer,
/// and a card not yet registered for insurance use is `EligibilityAnswer::registered`, not a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualification {
    /// 1 有効
    Valid,
    /// 2 無効
    Invalid,
    /// 3 無効(新しい資格あり)
    InvalidNewExists,
    /// 4 該当資格なし
    NoRecord,
    /// 5 複数該当
    Multiple,
}

impl Qualification {
    pub fn code(self) -> u8 {
        match self {
            Qualification::Valid => 1,
            Qualification::Invalid => 2,
            Qualification::InvalidNewExists => 3,
            Qualification::NoRecord => 4,
            Qualification::Multiple => 5,
        }
    }
    /// Every code, in code order (tests and the roster's validation walk it).
    pub const ALL: [Qualification; 5] = [
        Qualification::Valid,
        Qualification::Invalid,
        Qualification::InvalidNewExists,
        Qualification::NoRecord,
        Qualification::Multiple,
    ];
    pub fn from_code(c: u8) -> Option<Qualification> {
        Some(match c {
            1 => Qualification::Valid,
            2 => Qualification::Invalid,
            3 => Qualification::InvalidNewExists,
            4 => Qualification::NoRecord,
            5 => Qualification::Multiple,
            _ => return None,
        })
    }
}

/// Why the card's user-authentication certificate was revoked (失効), as the check reports it, so the
/// screen can explain it as the municipalities' leaflets do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// After moving (転出), the continued-use procedure was not done in time at the new municipality
    /// (転入届 within 14 days of moving and 30 days of the planned date, 継続利用 within 90 days).
    MovedOut,
    /// Moved abroad (国外転出) without the continued-use procedure: the card lapsed.
    MovedAbroad,
    /// Anything else (reported lost, card returned, …).
    Other,
}

/// Why the eligibility check gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligibilityFailure {
    Timeout,
    Error,
    /// The card's certificate is revoked: the card cannot be used until the municipality reissues it.
    CertificateRevoked(Revocation),
    /// The card face read through 照合番号B (birth date, sex) is not the person the eligibility record
    /// of the card's certificate describes: a composite or relayed card. The patient goes to the counter.
    HolderMismatch,
}

/// Consent items on the screen (docs/RECEPTION.md: 手術, 診療・薬, 健診).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentItem {
    Surgery,
    TreatmentAndMedicine,
    HealthCheckups,
}

pub const CONSENT_ITEMS: [ConsentItem; 3] = [
    ConsentItem::Surgery,
    ConsentItem::TreatmentAndMedicine,
    ConsentItem::HealthCheckups,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prescription {
    Paper,
    Electronic,
}

/// The consent choices, one per item (`None` = not chosen yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Consents {
    pub surgery: Option<bool>,
    pub treatment_and_medicine: Option<bool>,
    pub health_checkups: Option<bool>,
}

impl Consents {
    pub fn all(agree: bool) -> Consents {
        Consents {
            surgery: Some(agree),
            treatment_and_medicine: Some(agree),
            health_checkups: Some(agree),
        }
    }
    pub fn get(&self, item: ConsentItem) -> Option<bool> {
        match item {
            ConsentItem::Surgery => self.surgery,
            ConsentItem::TreatmentAndMedicine => self.treatment_and_medicine,
            ConsentItem::HealthCheckups => self.health_checkups,
        }
    }
    pub fn set(&mut self, item: ConsentItem, agree: bool) {
        let slot = match item {
            ConsentItem::Surgery => &mut self.surgery,
            ConsentItem::TreatmentAndMedicine => &mut self.treatment_and_medicine,
            ConsentItem::HealthCheckups => &mut self.health_checkups,
        };
        *slot = Some(agree);
    }
    pub fn complete(&self) -> bool {
        CONSENT_ITEMS.iter().all(|i| self.get(*i).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_mynumber::Date;

    #[test]
    fn codes_round_trip_and_names_are_distinct() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(l));
        }
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code("JA"), None);
        let names: std::collections::HashSet<&str> = Lang::ALL.iter().map(|l| l.native_name()).collect();
        assert_eq!(names.len(), Lang::ALL.len());
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let d = Date::new(2027, 1, 20).unwrap();
        let shown: Vec<String> = Lang::ALL.iter().map(|l| l.date(d)).collect();
        assert_eq!(
            shown,
            [
                "2027年1月20日",
                "20 January 2027",
                "2027年1月20日",
                "2027년 1월 20일",
                "ngày 20 tháng 1 năm 2027",
                "20 de janeiro de 2027",
            ]
        );
        assert_eq!(
            Lang::Pt.date(Date::new(2026, 3, 1).unwrap()),
            "1 de março de 2026"
        );
        assert_eq!(
            Lang::En.date(Date::new(2026, 12, 31).unwrap()),
            "31 December 2026"
        );
    }
}
