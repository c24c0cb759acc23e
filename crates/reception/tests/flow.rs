//! The reception flow, case by case. Every case is data: a list of `(event, expected screen, expected
//! effects)` run through one helper. Effects are named by kind; `Audit` entries are checked separately.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::{CardKind, CertificateStatus, Date};
use kiosk_reception::*;
use proptest::prelude::*;

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

fn facts(certificate: CertificateStatus, pin: PinState) -> CardFacts {
    CardFacts {
        kind: CardKind::PlasticCard,
        certificate,
        cert_issuer: "CN=test CA".into(),
        cert_serial: "01000001".into(),
        pin,
    }
}

fn valid() -> CertificateStatus {
    CertificateStatus::Valid {
        expires_on: d(2030, 8, 4),
    }
}

fn answer(q: Qualification) -> Event {
    Event::Eligibility(Ok(EligibilityAnswer {
        qualification: q,
        patient_name: "山田　太郎".into(),
    }))
}

fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::ReadCard => "ReadCard",
        Effect::ReadCardFace => "ReadCardFace",
        Effect::ReadCardFaceTyped => "ReadCardFaceTyped",
        Effect::StartFaceMatching => "StartFaceMatching",
        Effect::StopFaceMatching => "StopFaceMatching",
        Effect::VerifyPin => "VerifyPin",
        Effect::ClearPinPad => "ClearPinPad",
        Effect::CheckStaffCode => "CheckStaffCode",
        Effect::CheckEligibility { .. } => "CheckEligibility",
        Effect::RegisterInsuranceUse { .. } => "RegisterInsuranceUse",
        Effect::SaveRecord(_) => "SaveRecord",
        Effect::CallStaff => "CallStaff",
        Effect::WipeSession => "WipeSession",
        Effect::Audit { .. } => "Audit",
    }
}

type Case = Vec<(Event, &'static str, &'static [&'static str])>;

/// Run `case` on a fresh flow; returns the flow and every effect for further checks.
fn run(case: Case) -> (Flow, Vec<Effect>) {
    let mut flow = Flow::new(FlowConfig::default(), 1_000);
    let mut all = Vec::new();
    for (i, (event, screen, effects)) in case.into_iter().enumerate() {
        let shown = format!("{event:?}");
        let fx = flow.handle(event);
        let names: Vec<&str> = fx.iter().map(effect_name).filter(|n| *n != "Audit").collect();
        assert_eq!(flow.screen().kind(), screen, "step {i} ({shown}): screen");
        assert_eq!(names, effects, "step {i} ({shown}): effects");
        all.extend(fx);
    }
    (flow, all)
}

/// Card in, read as `facts`.
fn start(f: CardFacts, then: &'static str) -> Case {
    vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (Event::CardRead(Ok(f)), then, &[]),
    ]
}

/// Staff called, and logged in as `staff_id`: the visual check, which reads the card face first.
fn staff_check(staff_id: &'static str) -> Case {
    vec![
        (Event::StaffHelpChosen, "StaffLogin", &["CallStaff"]),
        (Event::StaffCodeSubmitted, "StaffLogin", &["CheckStaffCode"]),
        (
            Event::StaffCodeChecked(Some(staff_id.into())),
            "StaffCheck",
            &["ReadCardFace"],
        ),
    ]
}

fn cat(parts: Vec<Case>) -> Case {
    parts.into_iter().flatten().collect()
}

fn consent_and_done() -> Case {
    vec![
        (Event::ConsentAll(true), "ConsentReview", &[]),
        (Event::ConsentConfirmed, "Prescription", &[]),
        (
            Event::PrescriptionChosen(Prescription::Electronic),
            "Saving",
            &["SaveRecord"],
        ),
        (Event::RecordSaved(true), "Done", &[]),
        (Event::CardRemoved, "Idle", &["WipeSession"]),
    ]
}

fn saved_record(effects: &[Effect]) -> ReceptionRecord {
    effects
        .iter()
        .find_map(|e| {
            if let Effect::SaveRecord(r) = e {
                Some(r.clone())
            } else {
                None
            }
        })
        .unwrap()
}

#[test]
fn face_path_to_done() {
    let (_, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "FaceMatching",
                &["StartFaceMatching"],
            ),
            (
                Event::Face(FaceEvent::Guidance(Some(GuidanceKind::TooSmall))),
                "FaceMatching",
                &[],
            ),
            (
                Event::Face(FaceEvent::Matched {
                    distance_milli: 365,
                    frames: 3,
                }),
                "CheckingEligibility",
                &["StopFaceMatching", "CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]));
    let record = saved_record(&fx);
    assert_eq!(
        record.verified_by,
        VerifiedBy::Face {
            distance_milli: 365,
            frames: 3
        }
    );
    assert_eq!(record.consents, Some(Consents::all(true)));
    assert_eq!(record.prescription, Some(Prescription::Electronic));
}

#[test]
fn the_done_screen_names_the_patient_from_the_eligibility_answer() {
    let mut case = cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]);
    case.pop(); // stay on Done
    let (flow, _) = run(case);
    assert_eq!(
        flow.screen(),
        &Screen::Done {
            name: "山田　太郎".into()
        }
    );
}

#[test]
fn pin_path_wrong_then_right() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            // A second press while the card is verifying sends nothing.
            (Event::PinSubmitted, "PinEntry", &[]),
            (
                Event::PinVerified(PinResult::Wrong { tries_left: 2 }),
                "PinEntry",
                &[],
            ),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
        ],
    ]));
    assert_eq!(fx.iter().filter(|e| **e == Effect::VerifyPin).count(), 2);
    let _ = flow;
}

#[test]
fn the_last_try_is_announced_before_it_is_spent() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Wrong { tries_left: 1 }),
                "PinEntry",
                &[],
            ),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::PinEntry {
            tries_left: 1,
            last_try: true,
            wrong_before: true,
            verifying: false
        }
    );
}

#[test]
fn lock_after_three_then_staff_visual_check() {
    let (_, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(1)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Wrong { tries_left: 0 }),
                "PinBlocked",
                &[],
            ),
            // Nothing sends another VERIFY now.
            (Event::PinSubmitted, "PinBlocked", &[]),
            (Event::StaffHelpChosen, "StaffLogin", &["CallStaff"]),
            (Event::StaffCodeSubmitted, "StaffLogin", &["CheckStaffCode"]),
            (Event::StaffCodeChecked(None), "StaffLogin", &[]),
            (Event::StaffCodeSubmitted, "StaffLogin", &["CheckStaffCode"]),
            (
                Event::StaffCodeChecked(Some("S01".into())),
                "StaffCheck",
                &["ReadCardFace"],
            ),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "StaffCheck",
                &[],
            ),
            (
                Event::StaffDecision {
                    holder_confirmed: true,
                },
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]));
    assert_eq!(
        saved_record(&fx).verified_by,
        VerifiedBy::Staff {
            staff_id: "S01".into()
        }
    );
}

#[test]
fn staff_refusal_goes_to_the_counter_and_the_next_patient_starts_in_automatic_mode() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        staff_check("S02"),
        vec![
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "StaffCheck",
                &[],
            ),
            (
                Event::StaffDecision {
                    holder_confirmed: false,
                },
                "Counter",
                &["WipeSession"],
            ),
            (Event::CardRemoved, "Idle", &[]),
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (
                Event::CardRead(Ok(facts(valid(), PinState::TriesLeft(3)))),
                "MethodChoice",
                &[],
            ),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: true,
            pin: Some(3),
            staff: true
        }
    );
}

#[test]
fn three_wrong_staff_codes_return_to_the_choice() {
    run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        vec![
            (Event::StaffHelpChosen, "StaffLogin", &["CallStaff"]),
            (Event::StaffCodeChecked(None), "StaffLogin", &[]),
            (Event::StaffCodeChecked(None), "StaffLogin", &[]),
            (Event::StaffCodeChecked(None), "MethodChoice", &[]),
        ],
    ]));
}

#[test]
fn a_blocked_pin_leaves_face_and_staff_only() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "MethodChoice", &[]),
            (Event::PinSubmitted, "MethodChoice", &[]),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: true,
            pin: None,
            staff: true
        }
    );
    assert!(!fx.contains(&Effect::VerifyPin));
}

#[test]
fn a_pin_less_card_offers_face_and_staff() {
    let (flow, _) = run(start(facts(valid(), PinState::NotSet), "MethodChoice"));
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: true,
            pin: None,
            staff: true
        }
    );
}

#[test]
fn the_start_screen_says_when_the_reader_is_away_and_comes_back_by_itself() {
    run(vec![
        // pcscd stops (or the reader is unplugged) between patients: no invitation to place a card.
        (Event::ReaderAvailable(false), "ReaderProblem", &[]),
        // Nothing to read with: a stray card event changes nothing.
        (Event::CardInserted, "ReaderProblem", &[]),
        (Event::ReaderAvailable(true), "Idle", &[]),
        (Event::CardInserted, "Reading", &["ReadCard"]),
    ]);
}

#[test]
fn a_reader_gone_mid_session_ends_it_and_the_next_patient_starts_when_it_is_back() {
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            // The monitor reports the card gone with the reader, then the reader.
            (Event::CardRemoved, "Idle", &["ClearPinPad", "WipeSession"]),
            (Event::ReaderAvailable(false), "ReaderProblem", &[]),
            (Event::ReaderAvailable(true), "Idle", &[]),
        ],
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
    ]));
    // A final screen waiting for its card stays; taking the card shows the reader problem.
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            Event::CardRead(Err(ReadFailure::Unreadable)),
            "CardUnreadable",
            &["WipeSession"],
        ),
        (Event::ReaderAvailable(false), "CardUnreadable", &[]),
        (Event::CardRemoved, "ReaderProblem", &[]),
        (Event::ReaderAvailable(true), "Idle", &[]),
    ]);
}

#[test]
fn a_photo_less_card_goes_pin_only() {
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::NoPhoto),
                "NoPhotoPinOnly",
                &[],
            ),
            (Event::AlertAcknowledged, "PinEntry", &[]),
        ],
    ]));
}

#[test]
fn a_photo_less_card_with_a_blocked_pin_goes_to_the_counter() {
    run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::NoPhoto),
                "Counter",
                &["WipeSession"],
            ),
        ],
    ]));
}

#[test]
fn face_fails_twice_then_the_pin_is_offered() {
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "FaceMatching",
                &["StartFaceMatching"],
            ),
            (
                Event::Face(FaceEvent::NotMatched {
                    distance_milli: 720,
                    frames: 0,
                }),
                "FaceMatching",
                &["StopFaceMatching", "StartFaceMatching"],
            ),
            (
                Event::Face(FaceEvent::NotMatched {
                    distance_milli: 700,
                    frames: 0,
                }),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
        ],
    ]));
}

#[test]
fn camera_gone_and_unreadable_card_front_fall_back() {
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(2)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "FaceMatching",
                &["StartFaceMatching"],
            ),
            (
                Event::Face(FaceEvent::CameraUnavailable),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
            (
                Event::MethodChosen(Method::Face),
                "FaceMatching",
                &["StartFaceMatching"],
            ),
        ],
    ]));
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(2)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::Unavailable),
                "FaceFailed",
                &[],
            ),
            (Event::StaffHelpChosen, "StaffLogin", &["CallStaff"]),
        ],
    ]));
}

#[test]
fn card_front_guidance_shows_and_a_refused_code_is_audited_and_falls_back() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFrontGuidance(Some(FrontGuidanceKind::Closer)),
                "CardFace",
                &[],
            ),
            (
                Event::CardFaceRead(CardFaceOutcome::CodeRefused),
                "FaceFailed",
                &[],
            ),
        ],
    ]));
    assert_eq!(
        *flow.screen(),
        Screen::FaceFailed {
            pin: Some(3),
            staff: true
        }
    );
    // The spent try has its own audit entry (no digits anywhere in it).
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Audit {
            event: "CardFaceCodeRefused",
            ..
        }
    )));
    let (flow, _) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFrontGuidance(Some(FrontGuidanceKind::AvoidGlare)),
                "CardFace",
                &[],
            ),
        ],
    ]));
    assert_eq!(
        *flow.screen(),
        Screen::CardFace {
            guidance: Some(FrontGuidanceKind::AvoidGlare)
        }
    );
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::TooFewTries),
                "FaceFailed",
                &[],
            ),
        ],
    ]));
}

#[test]
fn staff_type_the_card_front_numbers_when_the_front_cannot_be_read() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        staff_check("S01"),
        vec![
            // Not read in time: staff stay, and are told.
            (
                Event::CardFaceRead(CardFaceOutcome::Unavailable),
                "StaffCheck",
                &[],
            ),
            (Event::CheckCodeTyped, "StaffCheck", &["ReadCardFaceTyped"]),
            // A mistyped number is refused by the card: staff may type again.
            (
                Event::CardFaceRead(CardFaceOutcome::CodeRefused),
                "StaffCheck",
                &[],
            ),
        ],
    ]));
    assert!(matches!(
        flow.screen(),
        Screen::StaffCheck {
            front_failed: true,
            ..
        }
    ));
    run(cat(vec![
        start(facts(valid(), PinState::Blocked), "MethodChoice"),
        staff_check("S01"),
        vec![
            (Event::CheckCodeTyped, "StaffCheck", &["ReadCardFaceTyped"]),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "StaffCheck",
                &[],
            ),
            (
                Event::StaffDecision {
                    holder_confirmed: true,
                },
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
        ],
    ]));
}

#[test]
fn certificate_policy() {
    // Expiring within 3 months: an alert the patient acknowledges.
    run(cat(vec![
        start(
            facts(
                CertificateStatus::ExpiringSoon {
                    expires_on: d(2027, 1, 5),
                    days_left: 45,
                },
                PinState::TriesLeft(3),
            ),
            "CertificateExpiring",
        ),
        vec![
            (Event::MethodChosen(Method::Pin), "CertificateExpiring", &[]),
            (Event::AlertAcknowledged, "MethodChoice", &[]),
        ],
    ]));
    // Expired beyond the grace: not usable.
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            Event::CardRead(Ok(facts(
                CertificateStatus::ExpiredBeyondGrace {
                    expired_on: d(2026, 5, 5),
                },
                PinState::TriesLeft(3),
            ))),
            "Counter",
            &["WipeSession"],
        ),
    ]);
}

#[test]
fn expired_in_grace_is_eligibility_only_without_consent_screens() {
    let (_, fx) = run(cat(vec![
        start(
            facts(
                CertificateStatus::ExpiredInGrace {
                    expired_on: d(2026, 10, 22),
                    usable_until: d(2027, 1, 22),
                },
                PinState::TriesLeft(3),
            ),
            "CertificateExpiredGrace",
        ),
        vec![
            (Event::AlertAcknowledged, "MethodChoice", &[]),
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "NoSharingInfo", &[]),
            (Event::ConsentAll(true), "NoSharingInfo", &[]),
            (Event::AlertAcknowledged, "Prescription", &[]),
            (
                Event::PrescriptionChosen(Prescription::Paper),
                "Saving",
                &["SaveRecord"],
            ),
        ],
    ]));
    assert_eq!(
        saved_record(&fx).consents,
        None,
        "no consent is recorded when sharing is not allowed"
    );
}

#[test]
fn cards_that_cannot_be_used_get_their_own_guidance() {
    for (result, screen) in [
        (Err(ReadFailure::NotMyNumberCard), "NotMyNumberCard"),
        (Err(ReadFailure::Unreadable), "CardUnreadable"),
        (Err(ReadFailure::ReaderProblem), "ReaderProblem"),
        (
            Ok(CardFacts {
                kind: CardKind::AndroidPhone,
                ..facts(valid(), PinState::TriesLeft(3))
            }),
            "PhoneToken",
        ),
        (
            Ok(CardFacts {
                kind: CardKind::OldCard,
                ..facts(valid(), PinState::TriesLeft(3))
            }),
            "NotMyNumberCard",
        ),
    ] {
        run(vec![
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (Event::CardRead(result), screen, &["WipeSession"]),
            (Event::CardRemoved, "Idle", &[]),
        ]);
    }
}

#[test]
fn every_eligibility_answer() {
    for q in [
        Qualification::Invalid,
        Qualification::InvalidNewExists,
        Qualification::NoRecord,
        Qualification::Multiple,
    ] {
        let (flow, _) = run(cat(vec![
            start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
            vec![
                (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
                (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
                (
                    Event::PinVerified(PinResult::Verified),
                    "CheckingEligibility",
                    &["CheckEligibility"],
                ),
                (answer(q), "EligibilityProblem", &["WipeSession"]),
            ],
        ]));
        assert_eq!(
            flow.screen(),
            &Screen::EligibilityProblem {
                qualification: Some(q),
                failure: None
            }
        );
    }
    for failure in [EligibilityFailure::Timeout, EligibilityFailure::Error] {
        run(cat(vec![
            start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
            vec![
                (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
                (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
                (
                    Event::PinVerified(PinResult::Verified),
                    "CheckingEligibility",
                    &["CheckEligibility"],
                ),
                (
                    Event::Eligibility(Err(failure)),
                    "EligibilityProblem",
                    &["WipeSession"],
                ),
            ],
        ]));
    }
}

#[test]
fn an_unregistered_card_is_offered_registration() {
    let verified = vec![
        (Event::MethodChosen(Method::Pin), "PinEntry", &[] as &[&str]),
        (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
        (
            Event::PinVerified(PinResult::Verified),
            "CheckingEligibility",
            &["CheckEligibility"],
        ),
        (answer(Qualification::ValidUnregistered), "RegistrationOffer", &[]),
    ];
    let (_, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        verified.clone(),
        vec![(
            Event::RegistrationAccepted(true),
            "ConsentStart",
            &["RegisterInsuranceUse"],
        )],
        consent_and_done(),
    ]));
    assert_eq!(saved_record(&fx).qualification, Qualification::Valid);
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        verified,
        vec![(Event::RegistrationAccepted(false), "Counter", &["WipeSession"])],
    ]));
}

#[test]
fn individual_consent_with_a_refusal_and_a_change_of_mind() {
    let (_, fx) = run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
            (Event::ConsentAll(false), "ConsentReview", &[]),
            (Event::ConsentChange, "ConsentStart", &[]),
            (Event::ConsentIndividually, "ConsentItems", &[]),
            (
                Event::ConsentItemChosen(ConsentItem::Surgery, true),
                "ConsentItems",
                &[],
            ),
            // Not every item chosen yet: "next" does nothing.
            (Event::ConsentNext, "ConsentItems", &[]),
            (
                Event::ConsentItemChosen(ConsentItem::TreatmentAndMedicine, false),
                "ConsentItems",
                &[],
            ),
            (
                Event::ConsentItemChosen(ConsentItem::HealthCheckups, true),
                "ConsentItems",
                &[],
            ),
            (Event::ConsentNext, "ConsentReview", &[]),
            (Event::ConsentConfirmed, "Prescription", &[]),
            (
                Event::PrescriptionChosen(Prescription::Paper),
                "Saving",
                &["SaveRecord"],
            ),
        ],
    ]));
    let r = saved_record(&fx);
    assert_eq!(
        r.consents,
        Some(Consents {
            surgery: Some(true),
            treatment_and_medicine: Some(false),
            health_checkups: Some(true)
        })
    );
    assert_eq!(r.consent_time, Some(1_000));
}

#[test]
fn card_removed_in_the_middle_wipes_everything() {
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Face), "CardFace", &["ReadCardFace"]),
            (
                Event::CardFaceRead(CardFaceOutcome::PhotoReady),
                "FaceMatching",
                &["StartFaceMatching"],
            ),
            (Event::CardRemoved, "Idle", &["StopFaceMatching", "WipeSession"]),
            // A late result of the old session changes nothing.
            (
                Event::Face(FaceEvent::Matched {
                    distance_milli: 300,
                    frames: 3,
                }),
                "Idle",
                &[],
            ),
            (answer(Qualification::Valid), "Idle", &[]),
        ],
    ]));
    run(cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::CardRemoved, "Idle", &["ClearPinPad", "WipeSession"]),
        ],
    ]));
}

#[test]
fn a_record_that_cannot_be_saved_sends_the_patient_to_the_counter() {
    let mut case = cat(vec![
        start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice"),
        vec![
            (Event::MethodChosen(Method::Pin), "PinEntry", &[]),
            (Event::PinSubmitted, "PinEntry", &["VerifyPin", "ClearPinPad"]),
            (
                Event::PinVerified(PinResult::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]);
    case.truncate(case.len() - 2);
    case.push((Event::RecordSaved(false), "Counter", &["WipeSession"]));
    run(case);
}

#[test]
fn time_out_warning_more_time_and_expiry() {
    let mut case = start(facts(valid(), PinState::TriesLeft(3)), "MethodChoice");
    case.extend(vec![
        (Event::Tick(1_059), "MethodChoice", &[] as &[&str]),
        (Event::Tick(1_060), "MethodChoice", &[]),
        (Event::MoreTime, "MethodChoice", &[]),
        (Event::Tick(1_119), "MethodChoice", &[]),
        (Event::Tick(1_120), "MethodChoice", &[]),
        (Event::Tick(1_149), "MethodChoice", &[]),
        (Event::Tick(1_150), "Counter", &["WipeSession"]),
    ]);
    let mut flow = Flow::new(FlowConfig::default(), 1_000);
    let mut warnings = Vec::new();
    for (event, screen, effects) in case {
        let fx = flow.handle(event);
        assert_eq!(flow.screen().kind(), screen);
        let names: Vec<&str> = fx.iter().map(effect_name).filter(|n| *n != "Audit").collect();
        assert_eq!(names, effects);
        warnings.push(flow.timeout_warning());
    }
    // Warning shown at 60 s of inactivity (30 s to go), cleared by "more time", shown again, then expiry.
    assert_eq!(
        warnings[2..],
        [None, Some(30), None, None, Some(30), Some(1), None]
    );
    assert_eq!(
        flow.screen(),
        &Screen::Counter {
            reason: CounterReason::TimedOut
        }
    );
}

#[test]
fn more_time_is_limited_but_generous() {
    let mut flow = Flow::new(FlowConfig::default(), 0);
    flow.handle(Event::CardInserted);
    flow.handle(Event::CardRead(Ok(facts(valid(), PinState::TriesLeft(3)))));
    let mut now = 0;
    for _ in 0..10 {
        now += 60;
        flow.handle(Event::Tick(now));
        assert!(flow.timeout_warning().is_some());
        flow.handle(Event::MoreTime);
        assert!(flow.timeout_warning().is_none(), "extended");
    }
    now += 60;
    flow.handle(Event::Tick(now));
    assert!(!flow.more_time_available());
    flow.handle(Event::MoreTime);
    assert!(
        flow.timeout_warning().is_some(),
        "after 10 extensions the warning stays"
    );
}

#[test]
fn a_clock_jumping_back_does_not_freeze_the_warning() {
    let mut flow = Flow::new(FlowConfig::default(), 10_000);
    flow.handle(Event::CardInserted);
    flow.handle(Event::CardRead(Ok(facts(valid(), PinState::TriesLeft(3)))));
    flow.handle(Event::Tick(10_060));
    assert_eq!(flow.timeout_warning(), Some(30));
    flow.handle(Event::Tick(5_000)); // the clock was set back by more than an hour
    flow.handle(Event::Tick(5_030));
    assert_eq!(flow.screen().kind(), "Counter");
}

#[test]
fn language_help_and_audit() {
    let mut flow = Flow::new(FlowConfig::default(), 0);
    let fx = flow.handle(Event::CardInserted);
    assert!(fx.contains(&Effect::Audit {
        from: "Idle",
        to: "Reading",
        event: "CardInserted"
    }));
    flow.handle(Event::Language(Lang::En));
    assert_eq!((flow.lang(), flow.screen().kind()), (Lang::En, "Reading"));
    assert_eq!(flow.handle(Event::HelpPressed), vec![Effect::CallStaff]);
    assert!(
        flow.handle(Event::HelpPressed).is_empty(),
        "staff are called once"
    );
    assert!(flow.help_requested());
    flow.handle(Event::HelpDismissed);
    assert!(!flow.help_requested());
}

/// Any event, including nonsense for the current screen.
fn any_event() -> impl Strategy<Value = Event> {
    let pin = prop_oneof![
        Just(PinState::TriesLeft(3)),
        Just(PinState::TriesLeft(1)),
        Just(PinState::Blocked),
        Just(PinState::NotSet)
    ];
    let cert = prop_oneof![
        Just(valid()),
        Just(CertificateStatus::ExpiringSoon {
            expires_on: d(2027, 1, 5),
            days_left: 40
        }),
        Just(CertificateStatus::ExpiredInGrace {
            expired_on: d(2026, 10, 1),
            usable_until: d(2027, 1, 1)
        }),
        Just(CertificateStatus::ExpiredBeyondGrace {
            expired_on: d(2026, 1, 1)
        }),
    ];
    prop_oneof![
        Just(Event::CardInserted),
        Just(Event::CardRemoved),
        (cert, pin).prop_map(|(c, p)| Event::CardRead(Ok(facts(c, p)))),
        Just(Event::CardRead(Err(ReadFailure::Unreadable))),
        Just(Event::AlertAcknowledged),
        Just(Event::MethodChosen(Method::Face)),
        Just(Event::MethodChosen(Method::Pin)),
        Just(Event::StaffHelpChosen),
        Just(Event::CardFaceRead(CardFaceOutcome::PhotoReady)),
        Just(Event::CardFaceRead(CardFaceOutcome::NoPhoto)),
        Just(Event::Face(FaceEvent::Matched {
            distance_milli: 400,
            frames: 3
        })),
        Just(Event::Face(FaceEvent::NotMatched {
            distance_milli: 800,
            frames: 0
        })),
        Just(Event::PinSubmitted),
        Just(Event::PinVerified(PinResult::Verified)),
        Just(Event::PinVerified(PinResult::Wrong { tries_left: 1 })),
        Just(Event::PinVerified(PinResult::Blocked)),
        Just(Event::StaffCodeSubmitted),
        Just(Event::StaffCodeChecked(Some("S".into()))),
        Just(Event::StaffDecision {
            holder_confirmed: true
        }),
        Just(answer(Qualification::Valid)),
        Just(answer(Qualification::ValidUnregistered)),
        Just(Event::RegistrationAccepted(true)),
        Just(Event::ConsentAll(true)),
        Just(Event::ConsentIndividually),
        Just(Event::ConsentItemChosen(ConsentItem::Surgery, false)),
        Just(Event::ConsentNext),
        Just(Event::ConsentConfirmed),
        Just(Event::PrescriptionChosen(Prescription::Paper)),
        Just(Event::RecordSaved(true)),
        Just(Event::RecordSaved(false)),
        (0i64..100_000).prop_map(Event::Tick),
        Just(Event::MoreTime),
        Just(Event::ReaderAvailable(false)),
        Just(Event::ReaderAvailable(true)),
        Just(Event::HelpPressed),
        Just(Event::Language(Lang::En)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn random_event_sequences_never_panic_or_stick_and_never_spend_an_unasked_pin(events in proptest::collection::vec(any_event(), 0..60)) {
        let mut flow = Flow::new(FlowConfig::default(), 0);
        let (mut submitted, mut verifies) = (0, 0);
        let mut reader_away = false;
        for e in events {
            if e == Event::PinSubmitted {
                submitted += 1;
            }
            if let Event::ReaderAvailable(available) = e {
                reader_away = !available;
            }
            let removed = e == Event::CardRemoved;
            let fx = flow.handle(e);
            verifies += fx.iter().filter(|f| **f == Effect::VerifyPin).count();
            prop_assert!(verifies <= submitted, "a VERIFY nobody submitted");
            if removed {
                let start = if reader_away { Screen::ReaderProblem } else { Screen::Idle };
                prop_assert_eq!(flow.screen(), &start);
            }
        }
        // Whatever happened, once the reader is there, taking the card out returns to idle and a new
        // card is read.
        flow.handle(Event::ReaderAvailable(true));
        flow.handle(Event::CardRemoved);
        prop_assert_eq!(flow.screen(), &Screen::Idle);
        let fx = flow.handle(Event::CardInserted);
        prop_assert_eq!(fx.first(), Some(&Effect::ReadCard));
    }
}
