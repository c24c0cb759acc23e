//! Every screen of the kiosk with example contents, for `kiosk --demo --screenshots DIR` (the pictures in
//! docs/screenshots) and for tests that draw each one. The data is the demo's test data.

use kiosk_mynumber::Date;
use kiosk_reception::{
    ConsentItem, Consents, CounterReason, EligibilityFailure, EligibilityIssue, FrontGuidanceKind, FrontHold,
    GuidanceKind, Lang, Qualification, Revocation, Screen, TurnPrompt,
};

/// One picture: file name (without extension), screen, language, and whether the time-out warning, the
/// help message or the language picker shows on top.
#[derive(Debug, Clone)]
pub struct Shot {
    pub name: &'static str,
    pub screen: Screen,
    pub lang: Lang,
    pub timeout_left: Option<i64>,
    pub help: bool,
    /// やさしい日本語 (easy Japanese) on.
    pub easy: bool,
    /// The language picker is open over the screen.
    pub picker: bool,
}

impl Shot {
    /// Seconds left to put the card back, on the one-camera waiting screen (the gallery's clock stands
    /// at 0, so the deadline is the seconds left).
    pub fn card_return_left(&self) -> Option<i64> {
        match self.screen {
            Screen::CardFace {
                hold: FrontHold::Away { back_by },
                ..
            } => Some(back_by),
            _ => None,
        }
    }
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date {
        year: y,
        month: m,
        day: d,
    }
}

/// The screens, in the order a patient meets them, then the failure screens, then overlays and English.
pub fn shots() -> Vec<Shot> {
    let mut v = identity_shots();
    v.extend(pin_and_staff_shots());
    v.extend(eligibility_and_consent_shots());
    v.extend(failure_shots());
    v.extend(overlay_shots());
    v.extend(phone_shots());
    v.extend(card_front_shots());
    v.extend(easy_shots());
    v.extend(language_shots());
    v
}

/// The language picker, then four screens in each of the other languages (issue 17; 70–86): a choice,
/// the PIN pad, a date in running text, and the consent items (the longest buttons).
fn language_shots() -> Vec<Shot> {
    let mut some = Consents::default();
    some.set(ConsentItem::Surgery, true);
    let screens = [
        Screen::MethodChoice {
            face: true,
            pin: Some(3),
            staff: true,
        },
        Screen::PinEntry {
            tries_left: 2,
            last_try: false,
            wrong_before: true,
            verifying: false,
        },
        Screen::CertificateExpiring {
            expires_on: date(2027, 1, 20),
            days_left: 60,
        },
        Screen::ConsentItems { consents: some },
    ];
    let names: [(Lang, [&'static str; 4]); 4] = [
        (
            Lang::Zh,
            [
                "71-zh-method-choice",
                "72-zh-pin-entry",
                "73-zh-certificate-expiring",
                "74-zh-consent-items",
            ],
        ),
        (
            Lang::Ko,
            [
                "75-ko-method-choice",
                "76-ko-pin-entry",
                "77-ko-certificate-expiring",
                "78-ko-consent-items",
            ],
        ),
        (
            Lang::Vi,
            [
                "79-vi-method-choice",
                "80-vi-pin-entry",
                "81-vi-certificate-expiring",
                "82-vi-consent-items",
            ],
        ),
        (
            Lang::Pt,
            [
                "83-pt-method-choice",
                "84-pt-pin-entry",
                "85-pt-certificate-expiring",
                "86-pt-consent-items",
            ],
        ),
    ];
    let mut v = vec![Shot {
        picker: true,
        ..s("70-language-picker", Screen::Idle)
    }];
    for (lang, names) in names {
        v.extend(names.into_iter().zip(screens.clone()).map(|(name, screen)| Shot {
            lang,
            ..s(name, screen)
        }));
    }
    v
}

/// The main patient screens in やさしい日本語 (70–74; issue 17).
fn easy_shots() -> Vec<Shot> {
    let mut some = Consents::default();
    some.set(ConsentItem::Surgery, true);
    [
        ("70-easy-idle", Screen::Idle),
        (
            "71-easy-method-choice",
            Screen::MethodChoice {
                face: true,
                pin: Some(3),
                staff: true,
            },
        ),
        (
            "72-easy-pin-entry",
            Screen::PinEntry {
                tries_left: 3,
                last_try: false,
                wrong_before: false,
                verifying: false,
            },
        ),
        ("73-easy-consent-items", Screen::ConsentItems { consents: some }),
        (
            "74-easy-done",
            Screen::Done {
                name: "山田　太郎".into(),
            },
        ),
    ]
    .into_iter()
    .map(|(name, screen)| Shot {
        easy: true,
        ..s(name, screen)
    })
    .collect()
}

fn card_face(hold: FrontHold) -> Screen {
    Screen::CardFace { guidance: None, hold }
}

/// The card-face step in both camera arrangements, Japanese then English (37–44; issue 14).
fn card_front_shots() -> Vec<Shot> {
    let other = Screen::Counter {
        reason: CounterReason::OtherCardReturned,
    };
    let away = card_face(FrontHold::Away { back_by: 14 });
    let mut v = vec![
        s("37-card-face-away", away.clone()),
        s("38-card-face-checking", card_face(FrontHold::Checking)),
        s("39-card-face-on-reader", card_face(FrontHold::OnReader)),
        s("40-counter-other-card", other.clone()),
    ];
    let english = [
        ("41-english-card-face", card_face(FrontHold::Lift)),
        ("42-english-card-face-away", away),
        ("43-english-card-face-on-reader", card_face(FrontHold::OnReader)),
        ("44-english-counter-other-card", other),
    ];
    v.extend(english.into_iter().map(|(name, screen)| Shot {
        lang: Lang::En,
        ..s(name, screen)
    }));
    v
}

/// A Japanese shot with no overlay.
fn s(name: &'static str, screen: Screen) -> Shot {
    Shot {
        name,
        screen,
        lang: Lang::Ja,
        timeout_left: None,
        help: false,
        easy: false,
        picker: false,
    }
}

/// From the card placed to the face path (01–10).
fn identity_shots() -> Vec<Shot> {
    vec![
        s("01-idle", Screen::Idle),
        s("02-reading", Screen::Reading),
        s(
            "03-certificate-expiring",
            Screen::CertificateExpiring {
                expires_on: date(2027, 1, 20),
                days_left: 60,
            },
        ),
        s(
            "04-certificate-expired-grace",
            Screen::CertificateExpiredGrace {
                usable_until: date(2027, 2, 10),
            },
        ),
        s(
            "05-method-choice",
            Screen::MethodChoice {
                face: true,
                pin: Some(3),
                staff: true,
            },
        ),
        s(
            "06-card-face",
            Screen::CardFace {
                guidance: Some(FrontGuidanceKind::AvoidGlare),
                hold: FrontHold::Lift,
            },
        ),
        s(
            "07-face-matching",
            Screen::FaceMatching {
                attempt: 1,
                guidance: None,
                turn: None,
            },
        ),
        s(
            "08-face-guidance",
            Screen::FaceMatching {
                attempt: 1,
                guidance: Some(GuidanceKind::TooSmall),
                turn: None,
            },
        ),
        s(
            "08b-face-turn",
            Screen::FaceMatching {
                attempt: 1,
                guidance: None,
                turn: Some(TurnPrompt::Left),
            },
        ),
        s(
            "09-face-failed",
            Screen::FaceFailed {
                pin: Some(3),
                staff: true,
            },
        ),
        s("10-no-photo-pin-only", Screen::NoPhotoPinOnly),
    ]
}

/// The PIN, the lock and the staff check (11–15).
fn pin_and_staff_shots() -> Vec<Shot> {
    vec![
        s(
            "11-pin-entry",
            Screen::PinEntry {
                tries_left: 3,
                last_try: false,
                wrong_before: false,
                verifying: false,
            },
        ),
        s(
            "12-pin-wrong-last-try",
            Screen::PinEntry {
                tries_left: 1,
                last_try: true,
                wrong_before: true,
                verifying: false,
            },
        ),
        s(
            "13-pin-blocked",
            Screen::PinBlocked {
                face: true,
                staff: true,
            },
        ),
        s("14-staff-login", Screen::StaffLogin { failed: 0 }),
        s("14b-staff-waiting", Screen::StaffWaiting { photo_failed: false }),
        s(
            "15-staff-check",
            Screen::StaffCheck {
                staff_id: "S001".into(),
                front_failed: false,
            },
        ),
    ]
}

/// Eligibility, consent and done (16–24).
fn eligibility_and_consent_shots() -> Vec<Shot> {
    let mut some = Consents::default();
    some.set(ConsentItem::Surgery, true);
    let mut chosen = Consents::all(true);
    chosen.set(ConsentItem::TreatmentAndMedicine, false);
    vec![
        s("16-checking-eligibility", Screen::CheckingEligibility),
        s("17-registration-offer", Screen::RegistrationOffer),
        s("17b-registered", Screen::Registered),
        s("18-consent-start", Screen::ConsentStart),
        s("19-consent-items", Screen::ConsentItems { consents: some }),
        s("20-consent-review", Screen::ConsentReview { consents: chosen }),
        s("21-no-sharing-info", Screen::NoSharingInfo),
        s("22-prescription", Screen::Prescription),
        s("23-saving", Screen::Saving),
        s(
            "24-done",
            Screen::Done {
                name: "山田　太郎".into(),
            },
        ),
    ]
}

/// Where a reception ends early (25–32).
fn failure_shots() -> Vec<Shot> {
    vec![
        s(
            "25-eligibility-invalid",
            Screen::EligibilityProblem(EligibilityIssue::Answer(Qualification::Invalid)),
        ),
        s(
            "26-eligibility-error",
            Screen::EligibilityProblem(EligibilityIssue::Failed(EligibilityFailure::Timeout)),
        ),
        s(
            "26b-eligibility-revoked-moved-out",
            Screen::EligibilityProblem(EligibilityIssue::Failed(EligibilityFailure::CertificateRevoked(
                Revocation::MovedOut,
            ))),
        ),
        s("27-not-my-number-card", Screen::NotMyNumberCard),
        s("28-card-unreadable", Screen::CardUnreadable),
        s("29-reader-problem", Screen::ReaderProblem),
        s("30-stopped", Screen::Stopped),
        s(
            "31-counter-certificate",
            Screen::Counter {
                reason: CounterReason::CertificateNotUsable,
            },
        ),
        s(
            "32b-counter-registration-declined",
            Screen::Counter {
                reason: CounterReason::RegistrationDeclined,
            },
        ),
        s(
            "32-counter-timed-out",
            Screen::Counter {
                reason: CounterReason::TimedOut,
            },
        ),
    ]
}

/// The time-out warning, the help overlay and English (33–36).
fn overlay_shots() -> Vec<Shot> {
    vec![
        Shot {
            timeout_left: Some(25),
            ..s(
                "33-timeout-warning",
                Screen::MethodChoice {
                    face: true,
                    pin: Some(3),
                    staff: true,
                },
            )
        },
        Shot {
            help: true,
            ..s("34-help", Screen::ConsentStart)
        },
        Shot {
            lang: Lang::En,
            ..s(
                "35-english-method-choice",
                Screen::MethodChoice {
                    face: true,
                    pin: Some(3),
                    staff: true,
                },
            )
        },
        Shot {
            lang: Lang::En,
            ..s(
                "36-english-pin-entry",
                Screen::PinEntry {
                    tries_left: 2,
                    last_try: false,
                    wrong_before: true,
                    verifying: false,
                },
            )
        },
    ]
}

/// The smartphone screens (issue 16; 60–67), in Japanese and English.
fn phone_shots() -> Vec<Shot> {
    let pin = Screen::PhonePin {
        tries_left: 2,
        wrong_before: true,
        verifying: false,
    };
    vec![
        s(
            "60-phone-guide",
            Screen::PhoneGuide {
                separate_reader: true,
            },
        ),
        s("61-phone-pin", pin.clone()),
        s("62-phone-pin-blocked", Screen::PhonePinBlocked),
        s("63-phone-not-confirmed", Screen::PhoneNotConfirmed),
        s("64-phone-removed-early", Screen::PhoneRemovedEarly),
        Shot {
            lang: Lang::En,
            ..s(
                "65-english-phone-guide",
                Screen::PhoneGuide {
                    separate_reader: false,
                },
            )
        },
        Shot {
            lang: Lang::En,
            ..s("66-english-phone-pin", pin)
        },
    ]
}

/// Whether `shots` covers every kind of screen (tests keep the gallery complete).
pub fn kinds() -> std::collections::BTreeSet<&'static str> {
    shots().iter().map(|s| s.screen.kind()).collect()
}
