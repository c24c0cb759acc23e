//! The layout check: every screen, in every language (and やさしい日本語), at every supported window
//! size, drawn headless with a bare `egui::Context`; it fails on a text wider than its box, content off the screen, or a
//! line broken against the rules of [`crate::typeset`].

use crate::strings::{EN, JA};
use crate::style::Metrics;
use crate::{KioskUi, LayoutIssue, Strings, View};
use egui::{Color32, ColorImage, TextureHandle, TextureOptions, pos2, vec2};
use kiosk_mynumber::Date;
use kiosk_screens::{
    ConsentItem, Consents, CounterReason, EligibilityFailure, EligibilityIssue, FrontGuidanceKind, FrontHold,
    GuidanceKind, Lang, Qualification, Revocation, Screen, TurnPrompt,
};

/// The window sizes the kiosk supports: three landscape panels and one portrait.
pub(crate) const SIZES: [(f32, f32); 4] = [
    (1024.0, 600.0),
    (1280.0, 800.0),
    (1920.0, 1080.0),
    (800.0, 1280.0),
];

/// Fails to compile when a screen is added and not drawn here.
fn covered(screen: &Screen) {
    match screen {
        Screen::Idle
        | Screen::Reading
        | Screen::NotMyNumberCard
        | Screen::CardUnreadable
        | Screen::ReaderProblem
        | Screen::PhoneGuide { .. }
        | Screen::PhonePin { .. }
        | Screen::PhonePinBlocked
        | Screen::PhoneNotConfirmed
        | Screen::PhoneRemovedEarly
        | Screen::CertificateExpiring { .. }
        | Screen::CertificateExpiredGrace { .. }
        | Screen::MethodChoice { .. }
        | Screen::CardFace { .. }
        | Screen::FaceMatching { .. }
        | Screen::FaceFailed { .. }
        | Screen::NoPhotoPinOnly
        | Screen::PinEntry { .. }
        | Screen::PinBlocked { .. }
        | Screen::StaffLogin { .. }
        | Screen::StaffWaiting { .. }
        | Screen::StaffCheck { .. }
        | Screen::CheckingEligibility
        | Screen::RegistrationOffer
        | Screen::Registered
        | Screen::EligibilityProblem(_)
        | Screen::NoSharingInfo
        | Screen::ConsentStart
        | Screen::ConsentItems { .. }
        | Screen::ConsentReview { .. }
        | Screen::Prescription
        | Screen::Saving
        | Screen::Done { .. }
        | Screen::Counter { .. }
        | Screen::Stopped => {}
    }
}

/// Every screen, with the variants that change what it shows (the longest texts included).
#[expect(
    clippy::too_many_lines,
    reason = "one list of the screens, easier to check whole"
)]
pub(crate) fn every_screen() -> Vec<Screen> {
    let date = |year, month, day| Date { year, month, day };
    let mut some = Consents::default();
    some.set(ConsentItem::Surgery, true);
    some.set(ConsentItem::HealthCheckups, false);
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
        Screen::PhonePin {
            tries_left: 1,
            wrong_before: true,
            verifying: false,
        },
        Screen::PhonePin {
            tries_left: 3,
            wrong_before: false,
            verifying: true,
        },
        Screen::PhonePinBlocked,
        Screen::PhoneNotConfirmed,
        Screen::PhoneRemovedEarly,
        Screen::CertificateExpiring {
            expires_on: date(2027, 1, 20),
            days_left: 60,
        },
        Screen::CertificateExpiredGrace {
            usable_until: date(2027, 12, 31),
        },
        Screen::MethodChoice {
            face: true,
            pin: Some(3),
            staff: true,
        },
        Screen::MethodChoice {
            face: false,
            pin: Some(1),
            staff: false,
        },
        Screen::FaceFailed {
            pin: Some(2),
            staff: true,
        },
        Screen::NoPhotoPinOnly,
        Screen::PinEntry {
            tries_left: 1,
            last_try: true,
            wrong_before: true,
            verifying: false,
        },
        Screen::PinEntry {
            tries_left: 3,
            last_try: false,
            wrong_before: false,
            verifying: true,
        },
        Screen::PinBlocked {
            face: true,
            staff: true,
        },
        Screen::PinBlocked {
            face: false,
            staff: true,
        },
        Screen::StaffLogin { failed: 2 },
        Screen::StaffWaiting { photo_failed: true },
        Screen::StaffCheck {
            staff_id: "s1".into(),
            front_failed: true,
        },
        Screen::CheckingEligibility,
        Screen::RegistrationOffer,
        Screen::Registered,
        Screen::NoSharingInfo,
        Screen::ConsentStart,
        Screen::ConsentItems {
            consents: Consents::default(),
        },
        Screen::ConsentItems { consents: some },
        Screen::ConsentReview {
            consents: Consents::all(true),
        },
        Screen::Prescription,
        Screen::Saving,
        Screen::Done {
            name: "山田　太郎".into(),
        },
        Screen::Stopped,
    ];
    v.extend(camera_and_outcome_screens());
    v.iter().for_each(covered);
    v
}

/// The camera screens in each of their states, and each way eligibility or the reception can end.
fn camera_and_outcome_screens() -> Vec<Screen> {
    let mut v = Vec::new();
    for hold in [
        FrontHold::OnReader,
        FrontHold::Lift,
        FrontHold::Away { back_by: 14 },
        FrontHold::Checking,
        FrontHold::Back,
    ] {
        v.push(Screen::CardFace {
            guidance: Some(FrontGuidanceKind::AvoidGlare),
            hold,
        });
    }
    for guidance in [
        None,
        Some(GuidanceKind::SeveralFaces),
        Some(GuidanceKind::OffCentre),
    ] {
        v.push(Screen::FaceMatching {
            attempt: 2,
            guidance,
            turn: None,
        });
    }
    v.push(Screen::FaceMatching {
        attempt: 1,
        guidance: None,
        turn: Some(TurnPrompt::Right),
    });
    for q in [
        Qualification::Invalid,
        Qualification::InvalidNewExists,
        Qualification::NoRecord,
        Qualification::Multiple,
    ] {
        v.push(Screen::EligibilityProblem(EligibilityIssue::Answer(q)));
    }
    for f in [
        EligibilityFailure::Timeout,
        EligibilityFailure::CertificateRevoked(Revocation::MovedOut),
        EligibilityFailure::CertificateRevoked(Revocation::MovedAbroad),
        EligibilityFailure::CertificateRevoked(Revocation::Other),
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

/// Draw `screen` until its layout settles (fonts load on the first frame; a screen that does not fit
/// shrinks over a few) and return what is wrong with the last frame.
pub(crate) fn check(
    kiosk: &mut KioskUi,
    ctx: &egui::Context,
    screen: &Screen,
    lang: Lang,
    size: (f32, f32),
    overlays: (bool, bool),
    picture: &TextureHandle,
) -> Vec<LayoutIssue> {
    let camera = matches!(
        screen,
        Screen::FaceMatching { .. } | Screen::CardFace { .. } | Screen::StaffCheck { .. }
    );
    let view = View {
        screen,
        lang,
        timeout_left: overlays.0.then_some(20),
        more_time_available: true,
        card_return_left: Some(14),
        help_requested: overlays.1,
        preview: camera.then_some(picture),
        outline: Some([pos2(0.3, 0.2), pos2(0.7, 0.2), pos2(0.7, 0.8), pos2(0.3, 0.8)]),
        staff_photo: None,
        // The turn screen with its progress bar, as the patient sees it while turning.
        turn_progress: Some(0.5),
    };
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(pos2(0.0, 0.0), vec2(size.0, size.1))),
        ..Default::default()
    };
    for _ in 0..12 {
        let mut output = ctx.run_ui(input.clone(), |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let _ = kiosk.show(ui, &view);
            });
        });
        // Nothing is painted: the textures are dropped unused.
        output.textures_delta.clear();
    }
    kiosk.layout_issues()
}

fn context() -> (egui::Context, TextureHandle) {
    let ctx = egui::Context::default();
    crate::install_fonts(&ctx);
    let picture = ctx.load_texture(
        "camera",
        ColorImage::filled([640, 480], Color32::from_gray(0x80)),
        TextureOptions::LINEAR,
    );
    (ctx, picture)
}

#[test]
fn every_screen_fits_and_breaks_well_at_every_size() {
    let (ctx, picture) = context();
    let mut kiosk = KioskUi::new(Metrics::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut drawn = 0;
    for size in SIZES {
        for (lang, easy) in [
            (Lang::Ja, false),
            (Lang::Ja, true),
            (Lang::En, false),
            (Lang::Zh, false),
            (Lang::Ko, false),
            (Lang::Vi, false),
            (Lang::Pt, false),
        ] {
            kiosk.set_easy_japanese(easy);
            for screen in every_screen() {
                for issue in check(&mut kiosk, &ctx, &screen, lang, size, (false, false), &picture) {
                    failures.push(format!(
                        "{size:?} {lang:?} easy={easy} {}: {issue}",
                        screen.kind()
                    ));
                }
                drawn += 1;
            }
            // The notices drawn above a screen: the time-out warning and the staff call.
            for screen in [
                Screen::PinEntry {
                    tries_left: 3,
                    last_try: false,
                    wrong_before: false,
                    verifying: false,
                },
                Screen::ConsentStart,
            ] {
                for issue in check(&mut kiosk, &ctx, &screen, lang, size, (true, true), &picture) {
                    failures.push(format!("{size:?} {lang:?} {} + notices: {issue}", screen.kind()));
                }
                drawn += 1;
            }
        }
    }
    assert!(drawn > 600, "{drawn} screens drawn");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The check fails on a deliberately bad text: a word too long for its button, and a text too long for
/// the screen.
#[test]
fn the_check_fails_on_bad_strings() {
    let (ctx, picture) = context();
    let mut kiosk = KioskUi::new(Metrics::default()).unwrap_or_else(|e| panic!("{e}"));
    let good = check(
        &mut kiosk,
        &ctx,
        &Screen::ConsentStart,
        Lang::Ja,
        (1024.0, 600.0),
        (false, false),
        &picture,
    );
    assert!(good.is_empty(), "{good:?}");

    // One unbreakable word, far wider than any button.
    let long_word = JA.replace(
        "\"consent.all\" = \"全て同意する\"",
        &format!("\"consent.all\" = \"{}\"", "全部同意".repeat(20)),
    );
    assert_ne!(long_word, JA);
    kiosk.strings = Strings::from_toml(&long_word, EN).unwrap_or_else(|e| panic!("{e}"));
    let issues = check(
        &mut kiosk,
        &ctx,
        &Screen::ConsentStart,
        Lang::Ja,
        (1024.0, 600.0),
        (false, false),
        &picture,
    );
    assert!(
        issues
            .iter()
            .any(|i| matches!(i, LayoutIssue::BadBreak { text, .. } if text.starts_with("全部同意"))),
        "{issues:?}"
    );

    // A body text far too long for the screen.
    let long_body = JA.replace(
        "\"consent.body\" = \"",
        &format!(
            "\"consent.body\" = \"{}",
            "同意しなくても診療は受けられます。".repeat(200)
        ),
    );
    kiosk.strings = Strings::from_toml(&long_body, EN).unwrap_or_else(|e| panic!("{e}"));
    let issues = check(
        &mut kiosk,
        &ctx,
        &Screen::ConsentStart,
        Lang::Ja,
        (1024.0, 600.0),
        (false, false),
        &picture,
    );
    assert!(
        issues.iter().any(|i| matches!(i, LayoutIssue::OffScreen { .. })),
        "{issues:?}"
    );
}

/// No half-width space next to a number in Japanese (「残り3回」, not 「残り 3 回」); in やさしい日本語 the
/// spaces between phrases (分かち書き) are meant, but never beside a number either.
#[test]
fn no_spaces_around_numbers_in_japanese() {
    let strings = Strings::embedded().unwrap_or_else(|e| panic!("{e}"));
    let easy = crate::easy::EasyJapanese::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut bad = Vec::new();
    for &t in crate::Text::ALL {
        for text in [Some(strings.get(Lang::Ja, t)), easy.get(t)]
            .into_iter()
            .flatten()
        {
            let spaced = text.replace("{n}", "0").replace("{date}", "0");
            let chars: Vec<char> = spaced.chars().collect();
            let digit_beside_space = chars
                .windows(2)
                .any(|w| (w[0] == ' ' && w[1].is_ascii_digit()) || (w[0].is_ascii_digit() && w[1] == ' '));
            if digit_beside_space {
                bad.push(format!("{}: {text}", t.key()));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The check itself sees the old spacing.
    let old = "残り 3 回".chars().collect::<Vec<char>>();
    assert!(old.windows(2).any(|w| w[0] == ' ' && w[1].is_ascii_digit()));
}
