//! What each screen says: the one table from a [`Screen`] to its spoken phrases, and the catalogue of every
//! phrase the kiosk can say with a fixed wording (what `kiosk-voice render` pre-renders).
//!
//! A phrase names a screen text ([`Text`]) and, when the text has a hole, what fills it. The words come
//! from `assets/strings/{ja,en}.toml` when the phrase is spoken or rendered, so a reworded string is
//! re-rendered by its new wording (the audio is keyed by a hash of the words, [`crate::cache`]).
//!
//! Numbers: a hole whose values are few and known (tries left, digits typed, the phone reader's place) is
//! rendered per value at set-up, like any fixed prompt. A hole whose value is not known in advance (a
//! certificate's expiry date and days left, the seconds of a configured time-out) is rendered at need, in
//! memory, by the same engine ([`crate::Voice`]); nothing about a patient is written to the cache. The
//! patient's name (`{name}` on 「完了」) is never spoken: the waiting room would hear it.

use kiosk_mynumber::Date;
use kiosk_screens::{
    Busy, CounterReason, EligibilityFailure, EligibilityIssue, FrontHold, Lang, Qualification, Revocation,
    Screen, TurnPrompt, Way,
};
use kiosk_ui::{Focused, Strings, Text};

/// Tries left that the PIN screens can show: the card's user-authentication PIN has 3 (JPKI), a phone's
/// PIN no more than 5 (GUESS, docs/CARD-NOTES.md §4.5); more would be rendered at need.
pub const TRIES: std::ops::RangeInclusive<i64> = 1..=5;
/// Digits the PIN pad holds: the PIN is 4 digits, the count goes back to 0 on 「訂正」.
pub const PIN_DIGITS: std::ops::RangeInclusive<i64> = 0..=4;

/// What fills a text's hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The text has no hole.
    None,
    /// `{n}`.
    N(i64),
    /// `{date}`.
    Date(Date),
    /// `{date}` and `{n}` (the certificate's expiry and the days left).
    DateN(Date, i64),
    /// `{where}`, itself a screen text (the phone reader's place).
    Where(Text),
}

/// One spoken sentence: a screen text and what fills its hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    pub text: Text,
    pub fill: Fill,
}

impl Phrase {
    pub const fn plain(text: Text) -> Phrase {
        Phrase {
            text,
            fill: Fill::None,
        }
    }

    pub const fn n(text: Text, n: i64) -> Phrase {
        Phrase {
            text,
            fill: Fill::N(n),
        }
    }

    /// The PIN pad's spoken feedback: how many digits it holds. It takes a count, never the digits: the
    /// pad (`kiosk_ui::KioskUi::pin_len`) hands out nothing else.
    pub const fn digits_entered(count: usize) -> Phrase {
        Phrase::n(Text::PinEntered, count as i64)
    }

    /// Whether the words are known before the kiosk runs (pre-rendered at set-up); `false`: rendered at
    /// need.
    pub fn fixed(&self) -> bool {
        match self.fill {
            Fill::None | Fill::Where(_) => true,
            Fill::N(n) => match self.text {
                Text::PinTries | Text::MethodPin => TRIES.contains(&n),
                Text::PinEntered => PIN_DIGITS.contains(&n),
                _ => false,
            },
            Fill::Date(_) | Fill::DateN(..) => false,
        }
    }

    /// The words to speak in `lang`.
    pub fn words(&self, strings: &Strings, lang: Lang) -> String {
        let template = strings.get(lang, self.text);
        let filled = match self.fill {
            Fill::None => template.to_string(),
            Fill::N(n) => template.replace("{n}", &n.to_string()),
            Fill::Date(d) => template.replace("{date}", &spoken_date(d, lang)),
            Fill::DateN(d, n) => template
                .replace("{date}", &spoken_date(d, lang))
                .replace("{n}", &n.to_string()),
            Fill::Where(place) => template.replace("{where}", strings.get(lang, place)),
        };
        speakable(&filled)
    }
}

/// A date as it is said: 2027年1月20日 / 20 January 2027 (an ISO date would be read digit by digit; the
/// 令和 year the Japanese screen adds is left out, the Western year reads more easily aloud).
pub fn spoken_date(d: Date, lang: Lang) -> String {
    lang.date(d)
}

/// Screen text as the speech engines read it best: line breaks are pauses, not words, and the
/// ellipsis of 「確認しています…」 is not read out.
fn speakable(s: &str) -> String {
    s.replace('\n', " ").replace('…', "").trim().to_string()
}

/// What the patient hears on `screen`: its title and body, the choices when they are the point of the
/// screen, never personal data. `card_return_left`: the seconds left to put the card back (one-camera
/// kiosk), as the screen shows them when it opens.
#[expect(
    clippy::too_many_lines,
    reason = "the one table from screen to prompts, one arm per screen: split, it would no longer be one place"
)]
pub fn screen_phrases(screen: &Screen, card_return_left: Option<i64>) -> Vec<Phrase> {
    use Phrase as P;
    let p = P::plain;
    match screen {
        Screen::Idle => vec![p(Text::IdleTitle), p(Text::IdleBody)],
        Screen::Reading => vec![p(Text::ReadingTitle), p(Text::ReadingBody)],
        Screen::NotMyNumberCard => vec![
            p(Text::NotMyNumberTitle),
            p(Text::NotMyNumberBody),
            p(Text::CommonTakeCard),
        ],
        Screen::CardUnreadable => vec![p(Text::UnreadableTitle), p(Text::UnreadableBody)],
        Screen::ReaderProblem => vec![p(Text::ReaderProblemTitle), p(Text::ReaderProblemBody)],
        Screen::PhoneGuide { separate_reader } => {
            let place = if *separate_reader {
                Text::PhoneGuideWherePhoneReader
            } else {
                Text::PhoneGuideWhereReader
            };
            vec![
                p(Text::PhoneGuideTitle),
                P {
                    text: Text::PhoneGuideBody,
                    fill: Fill::Where(place),
                },
                p(Text::PhoneGuideAndroid),
                p(Text::PhoneGuideIphone),
            ]
        }
        Screen::PhonePin {
            tries_left,
            wrong_before,
            verifying,
        } => {
            if *verifying {
                return vec![p(Text::PinVerifying)];
            }
            let mut v = vec![p(Text::PhonePinTitle)];
            if *wrong_before {
                v.push(p(Text::PinWrong));
            }
            v.push(P::n(Text::PinTries, i64::from(*tries_left)));
            v
        }
        Screen::PhonePinBlocked => vec![p(Text::PhonePinBlockedTitle), p(Text::PhonePinBlockedBody)],
        Screen::PhoneNotConfirmed => vec![p(Text::PhoneNotConfirmedTitle), p(Text::PhoneNotConfirmedBody)],
        Screen::PhoneRemovedEarly => vec![p(Text::PhoneRemovedTitle), p(Text::PhoneRemovedBody)],
        Screen::CertificateExpiring {
            expires_on,
            days_left,
        } => vec![
            p(Text::CertExpiringTitle),
            P {
                text: Text::CertExpiringBody,
                fill: Fill::DateN(*expires_on, *days_left),
            },
        ],
        Screen::CertificateExpiredGrace { usable_until } => vec![
            p(Text::CertGraceTitle),
            P {
                text: Text::CertGraceBody,
                fill: Fill::Date(*usable_until),
            },
        ],
        Screen::MethodChoice { face, pin, staff } => {
            let mut v = vec![p(Text::MethodTitle)];
            if *face {
                v.push(p(Text::MethodFace));
            }
            if let Some(n) = pin {
                v.push(P::n(Text::MethodPin, i64::from(*n)));
            }
            if *staff {
                v.push(p(Text::MethodStaff));
            }
            v
        }
        Screen::CardFace { hold, .. } => match hold {
            FrontHold::OnReader => vec![p(Text::CardFaceOnReaderTitle), p(Text::CardFaceOnReaderBody)],
            FrontHold::Lift => vec![p(Text::CardFaceTitle), p(Text::CardFaceBody)],
            FrontHold::Away { .. } => match card_return_left {
                Some(n) => vec![P::n(Text::CardFaceAway, n)],
                None => vec![p(Text::CardFaceStepBack)],
            },
            FrontHold::Checking => vec![p(Text::CardFaceChecking)],
            FrontHold::Back => vec![p(Text::CardFaceBack)],
        },
        // The face engine's hints change from frame to frame: the screen's own words only.
        Screen::FaceMatching { turn: None, .. } => vec![p(Text::FaceTitle)],
        Screen::FaceMatching { turn: Some(turn), .. } => {
            let title = match turn {
                TurnPrompt::Left => Text::FaceTurnLeft,
                TurnPrompt::Right => Text::FaceTurnRight,
            };
            vec![p(title), p(Text::FaceTurnBody)]
        }
        Screen::FaceFailed { .. } => vec![p(Text::FaceFailedTitle), p(Text::FaceFailedBody)],
        Screen::NoPhotoPinOnly => vec![p(Text::NoPhotoTitle), p(Text::NoPhotoBody)],
        Screen::PinEntry {
            tries_left,
            last_try,
            wrong_before,
            verifying,
        } => {
            if *verifying {
                return vec![p(Text::PinVerifying)];
            }
            let mut v = vec![p(Text::PinTitle)];
            if *wrong_before {
                v.push(p(Text::PinWrong));
            }
            v.push(P::n(Text::PinTries, i64::from(*tries_left)));
            if *last_try {
                v.push(p(Text::PinLastTry));
            }
            v.push(p(Text::PinProxy));
            v
        }
        Screen::PinBlocked { face, .. } => {
            let body = if *face {
                Text::PinBlockedBodyFace
            } else {
                Text::PinBlockedBody
            };
            vec![p(Text::PinBlockedTitle), p(body)]
        }
        Screen::StaffLogin { .. } => vec![p(Text::StaffLoginTitle)],
        Screen::StaffWaiting { .. } => vec![p(Text::StaffWaitingBody)],
        Screen::StaffCheck { .. } => vec![p(Text::StaffCheckTitle), p(Text::StaffCheckBody)],
        Screen::CheckingEligibility => vec![p(Text::EligibilityTitle), p(Text::EligibilityBody)],
        Screen::RegistrationOffer => vec![p(Text::RegistrationTitle), p(Text::RegistrationBody)],
        Screen::Registered => vec![p(Text::RegisteredTitle), p(Text::RegisteredBody)],
        Screen::EligibilityProblem(issue) => {
            let mut v = vec![p(Text::ProblemTitle)];
            v.extend(problem_text(*issue).map(p));
            v
        }
        Screen::NoSharingInfo => vec![p(Text::NoSharingTitle), p(Text::NoSharingBody)],
        Screen::ConsentStart => vec![p(Text::ConsentTitle), p(Text::ConsentBody)],
        // The title only: the answers change as the patient chooses, and each button says its own.
        Screen::ConsentItems { .. } => vec![p(Text::ConsentItemsTitle)],
        Screen::ConsentReview { .. } => vec![p(Text::ConsentReviewTitle)],
        Screen::Prescription => vec![
            p(Text::PrescriptionTitle),
            p(Text::PrescriptionPaper),
            p(Text::PrescriptionElectronic),
        ],
        Screen::Saving => vec![p(Text::SavingTitle)],
        // Not the name (`done.body`): others in the waiting room would hear it.
        Screen::Done { .. } => vec![
            p(Text::DoneTitle),
            p(Text::CommonTakeCard),
            p(Text::DonePublicExpense),
        ],
        Screen::Counter { reason } => vec![p(Text::CounterTitle), p(counter_text(*reason))],
        Screen::Stopped => vec![
            p(Text::StoppedTitle),
            p(Text::StoppedBody),
            p(Text::CommonTakeCard),
        ],
    }
}

/// The ways out a screen offers (「戻る」, 「受付をやめる」, `Screen::ways`) and, while one is greyed, why:
/// the words the keypad's focus lands on at the bottom of the screen (`kiosk_ui::KioskUi::focused`), so
/// that they have their audio like every other choice.
pub fn ways_phrases(screen: &Screen) -> Vec<Phrase> {
    let ways = screen.ways();
    let mut v = Vec::new();
    for (way, text) in [(ways.back, Text::CommonBack), (ways.stop, Text::CommonStop)] {
        if way != Way::Absent {
            v.push(Phrase::plain(text));
        }
    }
    let busy = match (ways.back, ways.stop) {
        (Way::Busy(b), _) | (_, Way::Busy(b)) => Some(b),
        _ => None,
    };
    v.extend(busy.map(|b| {
        Phrase::plain(match b {
            Busy::Card => Text::BusyCard,
            Busy::Face => Text::BusyFace,
            Busy::Pin => Text::BusyPin,
        })
    }));
    v
}

/// What is said when the keypad's focus lands on a choice (`kiosk_ui::KioskUi::focused`): the choice's
/// text, its hole filled as `screen`'s prompt fills it (「暗証番号（残り3回）」), else with the number
/// drawn on the label. `None` for a label that is not one of the kiosk's texts, which is a pad's digit
/// key: the digit under the focus is never said, or the waiting room would hear the PIN as it is
/// chosen (the pad's spoken feedback is the count of digits, [`Phrase::digits_entered`]).
pub fn focus_phrase(screen: &Screen, focused: &Focused, strings: &Strings) -> Option<Phrase> {
    let text = focused.text?;
    if let Some(p) = screen_phrases(screen, None)
        .into_iter()
        .chain(ways_phrases(screen))
        .find(|p| p.text == text)
    {
        return Some(p);
    }
    let template = strings.get(Lang::Ja, text);
    if !template.contains('{') {
        return Some(Phrase::plain(text));
    }
    if template.replace("{n}", "").contains('{') {
        return None;
    }
    let digits: String = focused.label.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok().map(|n| Phrase::n(text, n))
}

/// The staff-call notice, spoken when the patient presses 「係員を呼ぶ」.
pub fn help_phrases() -> Vec<Phrase> {
    vec![Phrase::plain(Text::HelpTitle), Phrase::plain(Text::HelpBody)]
}

/// The time-out warning, with the seconds left when it appears.
pub fn timeout_phrases(seconds_left: i64) -> Vec<Phrase> {
    vec![
        Phrase::plain(Text::TimeoutTitle),
        Phrase::n(Text::TimeoutBody, seconds_left),
    ]
}

/// The eligibility problem's reason, as the screen shows it (`kiosk_ui`'s table, which is private to
/// the screens). A valid answer never reaches this screen and has no reason.
fn problem_text(issue: EligibilityIssue) -> Option<Text> {
    match issue {
        EligibilityIssue::Answer(Qualification::Invalid) => Some(Text::ProblemInvalid),
        EligibilityIssue::Answer(Qualification::InvalidNewExists) => Some(Text::ProblemInvalidNewExists),
        EligibilityIssue::Answer(Qualification::NoRecord) => Some(Text::ProblemNoRecord),
        EligibilityIssue::Answer(Qualification::Multiple) => Some(Text::ProblemMultiple),
        EligibilityIssue::Answer(Qualification::Valid) => None,
        EligibilityIssue::Failed(
            EligibilityFailure::Timeout | EligibilityFailure::Error | EligibilityFailure::HolderMismatch,
        ) => Some(Text::ProblemFailure),
        EligibilityIssue::Failed(EligibilityFailure::CertificateRevoked(r)) => Some(match r {
            Revocation::MovedOut => Text::ProblemRevokedMovedOut,
            Revocation::MovedAbroad => Text::ProblemRevokedMovedAbroad,
            Revocation::Other => Text::ProblemRevokedOther,
        }),
    }
}

fn counter_text(r: CounterReason) -> Text {
    match r {
        CounterReason::CertificateNotUsable => Text::CounterCertificateNotUsable,
        CounterReason::NoMethodLeft => Text::CounterNoMethodLeft,
        CounterReason::StaffRefused => Text::CounterStaffRefused,
        CounterReason::PinCardError => Text::CounterPinCardError,
        CounterReason::RegistrationDeclined => Text::CounterRegistrationDeclined,
        CounterReason::RecordNotSaved => Text::CounterRecordNotSaved,
        CounterReason::TimedOut => Text::CounterTimedOut,
        CounterReason::HolderMismatch => Text::CounterHolderMismatch,
        CounterReason::OtherCardReturned => Text::CounterOtherCardReturned,
    }
}

/// One screen of every kind, in every state that changes what it says (the catalogue's source and the
/// tests' list). [`variant_index`] makes a new screen variant fail to compile until it is added.
#[expect(
    clippy::too_many_lines,
    reason = "a list of every screen state that changes what is said; read as one list"
)]
pub fn every_screen() -> Vec<Screen> {
    use kiosk_screens::{Consents, EligibilityFailure as F, Qualification as Q};
    let date = Date {
        year: 2027,
        month: 1,
        day: 20,
    };
    let mut v = vec![
        Screen::Idle,
        Screen::Reading,
        Screen::NotMyNumberCard,
        Screen::CardUnreadable,
        Screen::ReaderProblem,
        Screen::PhoneGuide {
            separate_reader: false,
        },
        Screen::PhoneGuide {
            separate_reader: true,
        },
        Screen::PhonePinBlocked,
        Screen::PhoneNotConfirmed,
        Screen::PhoneRemovedEarly,
        Screen::CertificateExpiring {
            expires_on: date,
            days_left: 30,
        },
        Screen::CertificateExpiredGrace { usable_until: date },
        Screen::FaceMatching {
            attempt: 1,
            guidance: None,
            turn: None,
        },
        Screen::FaceFailed {
            pin: Some(3),
            staff: true,
        },
        Screen::NoPhotoPinOnly,
        Screen::StaffLogin { failed: 0 },
        Screen::StaffWaiting { photo_failed: false },
        Screen::StaffCheck {
            staff_id: "S001".into(),
            front_failed: false,
        },
        Screen::CheckingEligibility,
        Screen::RegistrationOffer,
        Screen::Registered,
        Screen::NoSharingInfo,
        Screen::ConsentStart,
        Screen::ConsentItems {
            consents: Consents::default(),
        },
        Screen::ConsentReview {
            consents: Consents::default(),
        },
        Screen::Prescription,
        Screen::Saving,
        Screen::Done {
            name: "山田　太郎".into(),
        },
        Screen::Stopped,
    ];
    for turn in [TurnPrompt::Left, TurnPrompt::Right] {
        v.push(Screen::FaceMatching {
            attempt: 1,
            guidance: None,
            turn: Some(turn),
        });
    }
    for hold in [
        FrontHold::OnReader,
        FrontHold::Lift,
        FrontHold::Away { back_by: 0 },
        FrontHold::Checking,
        FrontHold::Back,
    ] {
        v.push(Screen::CardFace { guidance: None, hold });
    }
    for face in [false, true] {
        for staff in [false, true] {
            v.push(Screen::PinBlocked { face, staff });
            for pin in [None].into_iter().chain(TRIES.map(|n| Some(n as u8))) {
                v.push(Screen::MethodChoice { face, pin, staff });
            }
        }
    }
    for tries_left in TRIES.map(|n| n as u8) {
        for wrong_before in [false, true] {
            for verifying in [false, true] {
                v.push(Screen::PhonePin {
                    tries_left,
                    wrong_before,
                    verifying,
                });
                v.push(Screen::PinEntry {
                    tries_left,
                    last_try: tries_left == 1,
                    wrong_before,
                    verifying,
                });
            }
        }
    }
    for q in [
        Q::Valid,
        Q::Invalid,
        Q::InvalidNewExists,
        Q::NoRecord,
        Q::Multiple,
    ] {
        v.push(Screen::EligibilityProblem(EligibilityIssue::Answer(q)));
    }
    for f in [
        F::Timeout,
        F::Error,
        F::HolderMismatch,
        F::CertificateRevoked(Revocation::MovedOut),
        F::CertificateRevoked(Revocation::MovedAbroad),
        F::CertificateRevoked(Revocation::Other),
    ] {
        v.push(Screen::EligibilityProblem(EligibilityIssue::Failed(f)));
    }
    for reason in [
        CounterReason::CertificateNotUsable,
        CounterReason::NoMethodLeft,
        CounterReason::StaffRefused,
        CounterReason::PinCardError,
        CounterReason::RegistrationDeclined,
        CounterReason::RecordNotSaved,
        CounterReason::TimedOut,
        CounterReason::HolderMismatch,
        CounterReason::OtherCardReturned,
    ] {
        v.push(Screen::Counter { reason });
    }
    v
}

/// How many variants [`Screen`] has; [`variant_index`] numbers them 0..VARIANTS.
pub const VARIANTS: usize = 35;

/// The variant's number. No wildcard: a new screen stops this from compiling, which points here and to
/// [`every_screen`] and [`screen_phrases`].
pub fn variant_index(s: &Screen) -> usize {
    match s {
        Screen::Idle => 0,
        Screen::Reading => 1,
        Screen::NotMyNumberCard => 2,
        Screen::CardUnreadable => 3,
        Screen::ReaderProblem => 4,
        Screen::PhoneGuide { .. } => 5,
        Screen::PhonePin { .. } => 6,
        Screen::PhonePinBlocked => 7,
        Screen::PhoneNotConfirmed => 8,
        Screen::PhoneRemovedEarly => 9,
        Screen::CertificateExpiring { .. } => 10,
        Screen::CertificateExpiredGrace { .. } => 11,
        Screen::MethodChoice { .. } => 12,
        Screen::CardFace { .. } => 13,
        Screen::FaceMatching { .. } => 14,
        Screen::FaceFailed { .. } => 15,
        Screen::NoPhotoPinOnly => 16,
        Screen::PinEntry { .. } => 17,
        Screen::PinBlocked { .. } => 18,
        Screen::StaffLogin { .. } => 19,
        Screen::StaffWaiting { .. } => 20,
        Screen::StaffCheck { .. } => 21,
        Screen::CheckingEligibility => 22,
        Screen::RegistrationOffer => 23,
        Screen::Registered => 24,
        Screen::EligibilityProblem(_) => 25,
        Screen::NoSharingInfo => 26,
        Screen::ConsentStart => 27,
        Screen::ConsentItems { .. } => 28,
        Screen::ConsentReview { .. } => 29,
        Screen::Prescription => 30,
        Screen::Saving => 31,
        Screen::Done { .. } => 32,
        Screen::Counter { .. } => 33,
        Screen::Stopped => 34,
    }
}

/// A phrase in one language, in words: what is rendered and played.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Utterance {
    pub lang: LangCode,
    pub words: String,
}

/// A language as the cache and the engines name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LangCode {
    Ja,
    En,
}

impl LangCode {
    /// The voice of a screen language; `None` for Chinese, Korean, Vietnamese and Portuguese, which have
    /// screens but no rendered prompts yet (espeak-ng could speak them; the wording awaits native
    /// review first): their screens are silent rather than spoken in another language.
    pub fn of(lang: Lang) -> Option<LangCode> {
        match lang {
            Lang::Ja => Some(LangCode::Ja),
            Lang::En => Some(LangCode::En),
            Lang::Zh | Lang::Ko | Lang::Vi | Lang::Pt => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LangCode::Ja => "ja",
            LangCode::En => "en",
        }
    }

    pub const ALL: [LangCode; 2] = [LangCode::Ja, LangCode::En];

    fn lang(self) -> Lang {
        match self {
            LangCode::Ja => Lang::Ja,
            LangCode::En => Lang::En,
        }
    }
}

impl Utterance {
    /// What `phrase` says in `lang`; `None` when that language has no voice ([`LangCode::of`]).
    pub fn new(phrase: &Phrase, strings: &Strings, lang: Lang) -> Option<Utterance> {
        Some(Utterance {
            lang: LangCode::of(lang)?,
            words: phrase.words(strings, lang),
        })
    }
}

/// Every fixed phrase of every screen and its ways out, the help notice, the PIN pad's counts and every
/// text without a hole (any of them can be a choice the keypad's focus lands on, [`focus_phrase`]), in
/// both languages, each once, sorted: what `kiosk-voice render` pre-renders and what the tests and
/// `kiosk doctor` check.
pub fn catalog(strings: &Strings) -> Vec<Utterance> {
    let whole_texts = Text::ALL
        .iter()
        .filter(|&&t| {
            [Lang::Ja, Lang::En].iter().all(|&l| {
                let words = strings.get(l, t);
                !words.contains('{') && !words.trim().is_empty()
            })
        })
        .map(|&t| Phrase::plain(t));
    let mut phrases: Vec<Phrase> = every_screen()
        .iter()
        .flat_map(|s| screen_phrases(s, None).into_iter().chain(ways_phrases(s)))
        .chain(help_phrases())
        .chain(PIN_DIGITS.map(|n| Phrase::digits_entered(n as usize)))
        .chain(whole_texts)
        .filter(Phrase::fixed)
        .collect();
    phrases.push(Phrase::plain(Text::TimeoutTitle));
    let mut all: Vec<Utterance> = LangCode::ALL
        .iter()
        .flat_map(|l| {
            phrases
                .iter()
                .filter_map(|p| Utterance::new(p, strings, l.lang()))
        })
        .collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn strings() -> Strings {
        Strings::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_screen_variant_has_its_prompts() {
        let screens = every_screen();
        let covered: BTreeSet<usize> = screens.iter().map(variant_index).collect();
        assert_eq!(covered, (0..VARIANTS).collect(), "a screen variant is missing");
        for s in &screens {
            assert!(
                !screen_phrases(s, Some(20)).is_empty(),
                "{} says nothing",
                s.kind()
            );
        }
    }

    #[test]
    fn every_spoken_phrase_has_words_without_holes() {
        let s = strings();
        let mut all = help_phrases();
        all.extend(timeout_phrases(30));
        for screen in every_screen() {
            all.extend(screen_phrases(&screen, Some(20)));
        }
        for p in all {
            for lang in [Lang::Ja, Lang::En] {
                let words = p.words(&s, lang);
                assert!(!words.is_empty(), "{p:?}");
                assert!(!words.contains('{') && !words.contains('}'), "{p:?}: {words}");
            }
        }
    }

    /// 「戻る」 and 「受付をやめる」 and the reasons they are greyed are in the catalogue.
    #[test]
    fn the_ways_out_have_their_prompts() {
        let s = strings();
        let c = catalog(&s);
        for text in [
            Text::CommonBack,
            Text::CommonStop,
            Text::BusyCard,
            Text::BusyFace,
            Text::BusyPin,
            Text::StoppedTitle,
            Text::StoppedBody,
        ] {
            for lang in [Lang::Ja, Lang::En] {
                let u = Utterance::new(&Phrase::plain(text), &s, lang)
                    .unwrap_or_else(|| panic!("{lang:?} has a voice"));
                assert!(c.contains(&u), "{text:?} in {lang:?}");
            }
        }
    }

    /// The keypad's focus says the choice as the screen shows it, and never a pad's digit.
    #[test]
    fn the_focus_says_the_choice_and_never_a_digit() {
        let s = strings();
        let screen = Screen::MethodChoice {
            face: true,
            pin: Some(2),
            staff: true,
        };
        let focus = |text: Option<Text>, label: &str| {
            focus_phrase(
                &screen,
                &Focused {
                    text,
                    label: label.into(),
                },
                &s,
            )
        };
        assert_eq!(
            focus(Some(Text::MethodPin), "暗証番号（残り2回）"),
            Some(Phrase::n(Text::MethodPin, 2))
        );
        assert_eq!(
            focus(Some(Text::CommonBack), "戻る"),
            Some(Phrase::plain(Text::CommonBack))
        );
        // A text with a hole the screen's prompt does not fill takes the number drawn on it.
        assert_eq!(
            focus(Some(Text::FaceAttempt), "2回目"),
            Some(Phrase::n(Text::FaceAttempt, 2))
        );
        assert_eq!(focus(None, "7"), None, "a pad's digit key");
        // Every plain text has its pre-rendered prompt, so a focused choice is never rendered at need.
        let c = catalog(&s);
        for lang in [Lang::Ja, Lang::En] {
            let u = Utterance::new(&Phrase::plain(Text::HelpClose), &s, lang)
                .unwrap_or_else(|| panic!("{lang:?} has a voice"));
            assert!(c.contains(&u), "{lang:?}");
        }
    }

    #[test]
    fn the_name_is_never_spoken() {
        let s = strings();
        let done = Screen::Done {
            name: "山田　太郎".into(),
        };
        for p in screen_phrases(&done, None) {
            for lang in [Lang::Ja, Lang::En] {
                assert!(!p.words(&s, lang).contains("山田"), "{p:?}");
            }
        }
        assert!(
            !screen_phrases(&done, None)
                .iter()
                .any(|p| p.text == Text::DoneBody),
            "done.body holds the name"
        );
    }

    #[test]
    fn dates_are_said_as_words() {
        let d = Date {
            year: 2027,
            month: 1,
            day: 20,
        };
        assert_eq!(spoken_date(d, Lang::Ja), "2027年1月20日");
        assert_eq!(spoken_date(d, Lang::En), "20 January 2027");
        let p = Phrase {
            text: Text::CertExpiringBody,
            fill: Fill::DateN(d, 30),
        };
        let words = p.words(&strings(), Lang::Ja);
        assert!(words.contains("2027年1月20日") && words.contains("30"), "{words}");
        assert!(!p.fixed(), "a date is rendered at need, not cached");
    }

    #[test]
    fn the_catalog_holds_the_fixed_phrases_in_both_languages() {
        let s = strings();
        let c = catalog(&s);
        let ja = c.iter().filter(|u| u.lang == LangCode::Ja).count();
        let en = c.iter().filter(|u| u.lang == LangCode::En).count();
        assert!(ja > 100 && en > 100, "{ja} / {en}");
        let idle = Utterance::new(&Phrase::plain(Text::IdleTitle), &s, Lang::Ja)
            .unwrap_or_else(|| panic!("Japanese has a voice"));
        assert!(c.contains(&idle));
        for n in 0..=4 {
            let u = Utterance::new(&Phrase::digits_entered(n), &s, Lang::Ja)
                .unwrap_or_else(|| panic!("Japanese has a voice"));
            assert!(c.contains(&u), "{n} digits");
        }
        // Nothing at need is in it (no certificate date).
        assert!(
            !c.iter().any(|u| u.words.contains("2027年")),
            "a date in the catalogue"
        );
    }

    /// The PIN pad's feedback is a count: for every count the pad can hold, the words carry that count
    /// and no other digit, so no PIN digit can be said whatever the PIN.
    #[test]
    fn pin_feedback_holds_the_count_and_no_other_digit() {
        let s = strings();
        for count in 0..=4usize {
            for lang in [Lang::Ja, Lang::En] {
                let words = Phrase::digits_entered(count).words(&s, lang);
                let digits: String = words.chars().filter(char::is_ascii_digit).collect();
                assert_eq!(digits, count.to_string(), "{words}");
            }
        }
    }
}
