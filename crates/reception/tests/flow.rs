//! The reception flow, case by case. Every case is data: a list of `(event, expected screen, expected
//! effects)` run through one helper. Effects are named by kind; `Audit` entries are checked separately.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::{CardKind, CertificateStatus, Date, PinOutcome, PinStatus};
use kiosk_reception::*;
use proptest::prelude::*;

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

fn facts(certificate: CertificateStatus, pin: Option<PinStatus>) -> CardFacts {
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
    Event::Worker(WorkerResult::Eligibility(Ok(EligibilityAnswer {
        qualification: q,
        registered: true,
        patient_name: "山田　太郎".into(),
    })))
}

/// A valid qualification on a card not yet registered for insurance use (利用登録).
fn unregistered() -> Event {
    Event::Worker(WorkerResult::Eligibility(Ok(EligibilityAnswer {
        qualification: Qualification::Valid,
        registered: false,
        patient_name: "山田　太郎".into(),
    })))
}

fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::ReadCard => "ReadCard",
        Effect::AwaitCardReturn => "AwaitCardReturn",
        Effect::CheckReturnedCard => "CheckReturnedCard",
        Effect::ReadCardFace => "ReadCardFace",
        Effect::ReadCardFaceTyped => "ReadCardFaceTyped",
        Effect::StartFaceMatching => "StartFaceMatching",
        Effect::CountFaceAttempt { .. } => "CountFaceAttempt",
        Effect::StopFaceMatching => "StopFaceMatching",
        Effect::VerifyPin => "VerifyPin",
        Effect::CheckStaffCode => "CheckStaffCode",
        Effect::CheckEligibility { .. } => "CheckEligibility",
        Effect::RegisterInsuranceUse { .. } => "RegisterInsuranceUse",
        Effect::SaveRecord(_) => "SaveRecord",
        Effect::CallStaff(_) => "CallStaff",
        Effect::WipeSession => "WipeSession",
        Effect::ReleaseCard => "ReleaseCard",
        Effect::Audit { .. } => "Audit",
    }
}

type Case = Vec<(Event, &'static str, &'static [&'static str])>;

/// Run `case` on a fresh flow; returns the flow and every effect for further checks. These cases do
/// the visual check on the kiosk's code pad (the opt-in fallback); tests/staff_console.rs has the
/// console's.
fn run(case: Case) -> (Flow, Vec<Effect>) {
    let config = FlowConfig {
        staff_check: StaffCheckBy::CodePad,
        ..FlowConfig::default()
    };
    let mut flow = Flow::new(config, 1_000);
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
        (
            Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(f)))),
            then,
            &[],
        ),
    ]
}

/// Staff called, and logged in as `staff_id`: the visual check, which reads the card face first.
fn staff_check(staff_id: &'static str) -> Case {
    vec![
        (
            Event::Pressed(Press::StaffHelpChosen),
            "StaffLogin",
            &["CallStaff"],
        ),
        (
            Event::Confirmed(SecretInput::StaffCode),
            "StaffLogin",
            &["CheckStaffCode"],
        ),
        (
            Event::Worker(WorkerResult::StaffCodeChecked(Some(staff_id.into()))),
            "StaffCheck",
            &["ReadCardFace"],
        ),
    ]
}

/// The face path from the method choice: the card front read, the photo ready, the face matched.
fn face_to_eligibility() -> Case {
    vec![
        (
            Event::Pressed(Press::MethodChosen(Method::Face)),
            "CardFace",
            &["ReadCardFace"],
        ),
        (
            Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
            "FaceMatching",
            &["CountFaceAttempt", "StartFaceMatching"],
        ),
        (
            Event::Worker(WorkerResult::Face(FaceEvent::Matched {
                distance_milli: 350,
                frames: 3,
            })),
            "CheckingEligibility",
            &["StopFaceMatching", "CheckEligibility"],
        ),
    ]
}

fn cat(parts: Vec<Case>) -> Case {
    parts.into_iter().flatten().collect()
}

fn consent_and_done() -> Case {
    vec![
        (Event::Pressed(Press::ConsentAll(true)), "ConsentReview", &[]),
        (Event::Pressed(Press::ConsentConfirmed), "Prescription", &[]),
        (
            Event::Pressed(Press::PrescriptionChosen(Prescription::Electronic)),
            "Saving",
            &["SaveRecord"],
        ),
        (Event::Worker(WorkerResult::RecordSaved(true)), "Done", &[]),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                Event::Worker(WorkerResult::Face(FaceEvent::Guidance(Some(
                    GuidanceKind::TooSmall,
                )))),
                "FaceMatching",
                &[],
            ),
            (
                Event::Worker(WorkerResult::Face(FaceEvent::Matched {
                    distance_milli: 365,
                    frames: 3,
                })),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            // A second press while the card is verifying sends nothing.
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &[]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Wrong { tries_left: 2 }))),
                "PinEntry",
                &[],
            ),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Wrong { tries_left: 1 }))),
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
fn a_pin_locked_at_the_kiosk_still_offers_the_face_path() {
    // The leaflets: a locked PIN leaves face recognition or the staff check.
    let lock = vec![
        (
            Event::Pressed(Press::MethodChosen(Method::Pin)),
            "PinEntry",
            &[] as &[&str],
        ),
        (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
        (
            Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Blocked))),
            "PinBlocked",
            &[],
        ),
    ];
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(1))), "MethodChoice"),
        lock.clone(),
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::PinBlocked {
            face: true,
            staff: true
        }
    );
    assert_eq!(fx.iter().filter(|e| **e == Effect::VerifyPin).count(), 1);
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(1))), "MethodChoice"),
        lock.clone(),
        face_to_eligibility(),
    ]));
    // A kiosk without the face path offers the staff check only.
    let mut flow = Flow::new(
        FlowConfig {
            face_enabled: false,
            ..FlowConfig::default()
        },
        1_000,
    );
    for (event, ..) in cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(1))), "MethodChoice"),
        lock,
    ]) {
        flow.handle(event);
    }
    assert_eq!(
        flow.screen(),
        &Screen::PinBlocked {
            face: false,
            staff: true
        }
    );
}

#[test]
fn a_card_face_of_someone_else_than_the_certificate_goes_to_the_counter() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        face_to_eligibility(),
        vec![(
            Event::Worker(WorkerResult::Eligibility(Err(EligibilityFailure::HolderMismatch))),
            "Counter",
            &["WipeSession"],
        )],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::Counter {
            reason: CounterReason::HolderMismatch
        }
    );
}

#[test]
fn lock_after_three_then_staff_visual_check() {
    let (_, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(1))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Wrong { tries_left: 0 }))),
                "PinBlocked",
                &[],
            ),
            // Nothing sends another VERIFY now.
            (Event::Confirmed(SecretInput::Pin), "PinBlocked", &[]),
            (
                Event::Pressed(Press::StaffHelpChosen),
                "StaffLogin",
                &["CallStaff"],
            ),
            (
                Event::Confirmed(SecretInput::StaffCode),
                "StaffLogin",
                &["CheckStaffCode"],
            ),
            (
                Event::Worker(WorkerResult::StaffCodeChecked(None)),
                "StaffLogin",
                &[],
            ),
            (
                Event::Confirmed(SecretInput::StaffCode),
                "StaffLogin",
                &["CheckStaffCode"],
            ),
            (
                Event::Worker(WorkerResult::StaffCodeChecked(Some("S01".into()))),
                "StaffCheck",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "StaffCheck",
                &[],
            ),
            (
                Event::Pressed(Press::StaffDecision {
                    holder_confirmed: true,
                }),
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
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        staff_check("S02"),
        vec![
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "StaffCheck",
                &[],
            ),
            (
                Event::Pressed(Press::StaffDecision {
                    holder_confirmed: false,
                }),
                "Counter",
                &["WipeSession"],
            ),
            (Event::CardRemoved, "Idle", &[]),
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (
                Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
                    valid(),
                    Some(PinStatus::TriesLeft(3)),
                ))))),
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
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::StaffHelpChosen),
                "StaffLogin",
                &["CallStaff"],
            ),
            (
                Event::Worker(WorkerResult::StaffCodeChecked(None)),
                "StaffLogin",
                &[],
            ),
            (
                Event::Worker(WorkerResult::StaffCodeChecked(None)),
                "StaffLogin",
                &[],
            ),
            (
                Event::Worker(WorkerResult::StaffCodeChecked(None)),
                "MethodChoice",
                &[],
            ),
        ],
    ]));
}

#[test]
fn a_blocked_pin_leaves_face_and_staff_only() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Pin)),
                "MethodChoice",
                &[],
            ),
            (Event::Confirmed(SecretInput::Pin), "MethodChoice", &[]),
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
    let (flow, _) = run(start(facts(valid(), None), "MethodChoice"));
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            // The monitor reports the card gone with the reader, then the reader.
            (Event::CardRemoved, "Idle", &["WipeSession"]),
            (Event::ReaderAvailable(false), "ReaderProblem", &[]),
            (Event::ReaderAvailable(true), "Idle", &[]),
        ],
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
    ]));
    // A final screen waiting for its card stays; taking the card shows the reader problem.
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            Event::Worker(WorkerResult::CardRead(Err(ReadFailure::Unreadable))),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::NoPhoto)),
                "NoPhotoPinOnly",
                &[],
            ),
            (Event::Pressed(Press::AlertAcknowledged), "PinEntry", &[]),
        ],
    ]));
}

#[test]
fn a_photo_less_card_with_a_blocked_pin_goes_to_the_counter() {
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::NoPhoto)),
                "Counter",
                &["WipeSession"],
            ),
        ],
    ]));
}

#[test]
fn face_fails_twice_then_the_pin_is_offered() {
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                Event::Worker(WorkerResult::Face(FaceEvent::NotMatched {
                    distance_milli: 720,
                    frames: 0,
                })),
                "FaceMatching",
                &["StopFaceMatching", "CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                Event::Worker(WorkerResult::Face(FaceEvent::NotMatched {
                    distance_milli: 700,
                    frames: 0,
                })),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
        ],
    ]));
}

#[test]
fn camera_gone_and_unreadable_card_front_fall_back() {
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(2))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                Event::Worker(WorkerResult::Face(FaceEvent::CameraUnavailable)),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
        ],
    ]));
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(2))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable)),
                "FaceFailed",
                &[],
            ),
            (
                Event::Pressed(Press::StaffHelpChosen),
                "StaffLogin",
                &["CallStaff"],
            ),
        ],
    ]));
}

#[test]
fn card_front_guidance_shows_and_a_refused_code_is_audited_and_falls_back() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFrontGuidance(Some(FrontGuidanceKind::Closer))),
                "CardFace",
                &[],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::CodeRefused)),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFrontGuidance(Some(
                    FrontGuidanceKind::AvoidGlare,
                ))),
                "CardFace",
                &[],
            ),
        ],
    ]));
    assert_eq!(
        *flow.screen(),
        Screen::CardFace {
            guidance: Some(FrontGuidanceKind::AvoidGlare),
            hold: FrontHold::Lift,
        }
    );
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::TooFewTries)),
                "FaceFailed",
                &[],
            ),
        ],
    ]));
}

#[test]
fn staff_type_the_card_front_numbers_when_the_front_cannot_be_read() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        staff_check("S01"),
        vec![
            // Not read in time: staff stay, and are told.
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable)),
                "StaffCheck",
                &[],
            ),
            (
                Event::Confirmed(SecretInput::CheckCode),
                "StaffCheck",
                &["ReadCardFaceTyped"],
            ),
            // A mistyped number is refused by the card: staff may type again.
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::CodeRefused)),
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
        start(facts(valid(), Some(PinStatus::Blocked)), "MethodChoice"),
        staff_check("S01"),
        vec![
            (
                Event::Confirmed(SecretInput::CheckCode),
                "StaffCheck",
                &["ReadCardFaceTyped"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "StaffCheck",
                &[],
            ),
            (
                Event::Pressed(Press::StaffDecision {
                    holder_confirmed: true,
                }),
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
                Some(PinStatus::TriesLeft(3)),
            ),
            "CertificateExpiring",
        ),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Pin)),
                "CertificateExpiring",
                &[],
            ),
            (Event::Pressed(Press::AlertAcknowledged), "MethodChoice", &[]),
        ],
    ]));
    // Expired beyond the grace: not usable.
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
                CertificateStatus::ExpiredBeyondGrace {
                    expired_on: d(2026, 5, 5),
                },
                Some(PinStatus::TriesLeft(3)),
            ))))),
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
                    usable_until: d(2027, 1, 31),
                },
                Some(PinStatus::TriesLeft(3)),
            ),
            "CertificateExpiredGrace",
        ),
        vec![
            (Event::Pressed(Press::AlertAcknowledged), "MethodChoice", &[]),
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "NoSharingInfo", &[]),
            (Event::Pressed(Press::ConsentAll(true)), "NoSharingInfo", &[]),
            (Event::Pressed(Press::AlertAcknowledged), "Prescription", &[]),
            (
                Event::Pressed(Press::PrescriptionChosen(Prescription::Paper)),
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
        (Ok(CardRead::PhoneNotConfirmed), "PhoneNotConfirmed"),
        (
            Ok(CardRead::PhoneLocked {
                pin: PinStatus::Blocked,
            }),
            "PhonePinBlocked",
        ),
        // A phone is told apart by the reader; one that reaches the flow as a card is not trusted.
        (
            Ok(CardRead::Card(CardFacts {
                kind: CardKind::AndroidPhone,
                ..facts(valid(), Some(PinStatus::TriesLeft(3)))
            })),
            "CardUnreadable",
        ),
        (
            Ok(CardRead::Card(CardFacts {
                kind: CardKind::JukiCard,
                ..facts(valid(), Some(PinStatus::TriesLeft(3)))
            })),
            "NotMyNumberCard",
        ),
    ] {
        run(vec![
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (
                Event::Worker(WorkerResult::CardRead(result)),
                screen,
                &["WipeSession"],
            ),
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
            start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
            vec![
                (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
                (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
                (
                    Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
                    "CheckingEligibility",
                    &["CheckEligibility"],
                ),
                (answer(q), "EligibilityProblem", &["WipeSession"]),
            ],
        ]));
        assert_eq!(
            flow.screen(),
            &Screen::EligibilityProblem(EligibilityIssue::Answer(q))
        );
    }
    for failure in [EligibilityFailure::Timeout, EligibilityFailure::Error] {
        run(cat(vec![
            start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
            vec![
                (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
                (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
                (
                    Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
                    "CheckingEligibility",
                    &["CheckEligibility"],
                ),
                (
                    Event::Worker(WorkerResult::Eligibility(Err(failure))),
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
        (
            Event::Pressed(Press::MethodChosen(Method::Pin)),
            "PinEntry",
            &[] as &[&str],
        ),
        (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
        (
            Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
            "CheckingEligibility",
            &["CheckEligibility"],
        ),
        (unregistered(), "RegistrationOffer", &[]),
    ];
    let (_, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        verified.clone(),
        vec![
            (
                Event::Pressed(Press::RegistrationAccepted(true)),
                "Registered",
                &["RegisterInsuranceUse"],
            ),
            (Event::Pressed(Press::AlertAcknowledged), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]));
    assert_eq!(saved_record(&fx).qualification, Qualification::Valid);
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        verified,
        vec![(
            Event::Pressed(Press::RegistrationAccepted(false)),
            "Counter",
            &["WipeSession"],
        )],
    ]));
}

#[test]
fn individual_consent_with_a_refusal_and_a_change_of_mind() {
    let (_, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
            (Event::Pressed(Press::ConsentAll(false)), "ConsentReview", &[]),
            (Event::Pressed(Press::ConsentChange), "ConsentStart", &[]),
            (Event::Pressed(Press::ConsentIndividually), "ConsentItems", &[]),
            (
                Event::Pressed(Press::ConsentItemChosen(ConsentItem::Surgery, true)),
                "ConsentItems",
                &[],
            ),
            // Not every item chosen yet: "next" does nothing.
            (Event::Pressed(Press::ConsentNext), "ConsentItems", &[]),
            (
                Event::Pressed(Press::ConsentItemChosen(ConsentItem::TreatmentAndMedicine, false)),
                "ConsentItems",
                &[],
            ),
            (
                Event::Pressed(Press::ConsentItemChosen(ConsentItem::HealthCheckups, true)),
                "ConsentItems",
                &[],
            ),
            (Event::Pressed(Press::ConsentNext), "ConsentReview", &[]),
            (Event::Pressed(Press::ConsentConfirmed), "Prescription", &[]),
            (
                Event::Pressed(Press::PrescriptionChosen(Prescription::Paper)),
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
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (Event::CardRemoved, "Idle", &["StopFaceMatching", "WipeSession"]),
            // A late result of the old session changes nothing.
            (
                Event::Worker(WorkerResult::Face(FaceEvent::Matched {
                    distance_milli: 300,
                    frames: 3,
                })),
                "Idle",
                &[],
            ),
            (answer(Qualification::Valid), "Idle", &[]),
        ],
    ]));
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::CardRemoved, "Idle", &["WipeSession"]),
        ],
    ]));
}

#[test]
fn a_record_that_cannot_be_saved_sends_the_patient_to_the_counter() {
    let mut case = cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified))),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]);
    case.truncate(case.len() - 2);
    case.push((
        Event::Worker(WorkerResult::RecordSaved(false)),
        "Counter",
        &["WipeSession"],
    ));
    run(case);
}

#[test]
fn time_out_warning_more_time_and_expiry() {
    let mut case = start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice");
    case.extend(vec![
        (Event::Tick(1_059), "MethodChoice", &[] as &[&str]),
        (Event::Tick(1_060), "MethodChoice", &[]),
        (Event::Pressed(Press::MoreTime), "MethodChoice", &[]),
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
fn only_inputs_reset_the_inactivity_timer() {
    // The flow starts at 1_000; the card front's guidance changes as the patient moves the card, but
    // only a press counts as the patient doing something.
    let guidance = |g| Event::Worker(WorkerResult::CardFrontGuidance(Some(g)));
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (Event::Tick(1_030), "CardFace", &[]),
            (guidance(FrontGuidanceKind::Closer), "CardFace", &[]),
            (Event::Tick(1_059), "CardFace", &[]),
            (guidance(FrontGuidanceKind::HoldStill), "CardFace", &[]),
            (Event::Worker(WorkerResult::RecordSaved(true)), "CardFace", &[]),
            (Event::Tick(1_060), "CardFace", &[]),
        ],
    ]));
    assert_eq!(
        flow.timeout_warning(),
        Some(30),
        "worker answers do not count as input"
    );
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Tick(1_059), "MethodChoice", &[]),
            (Event::Pressed(Press::Language(Lang::En)), "MethodChoice", &[]),
            (Event::Tick(1_060), "MethodChoice", &[]),
        ],
    ]));
    assert_eq!(flow.timeout_warning(), None, "a press does");
}

#[test]
fn a_secret_confirmed_where_none_is_asked_for_asks_for_nothing() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (Event::Confirmed(SecretInput::Pin), "MethodChoice", &[]),
            (Event::Confirmed(SecretInput::StaffCode), "MethodChoice", &[]),
            (Event::Confirmed(SecretInput::CheckCode), "MethodChoice", &[]),
            (Event::Pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            // A second confirm while the first is at the card asks for nothing.
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &[]),
        ],
    ]));
    assert_eq!(fx.iter().filter(|e| **e == Effect::VerifyPin).count(), 1);
    assert!(matches!(flow.screen(), Screen::PinEntry { verifying: true, .. }));
}

#[test]
fn more_time_is_limited_but_generous() {
    let mut flow = Flow::new(FlowConfig::default(), 0);
    flow.handle(Event::CardInserted);
    flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
        valid(),
        Some(PinStatus::TriesLeft(3)),
    ))))));
    let mut now = 0;
    for _ in 0..10 {
        now += 60;
        flow.handle(Event::Tick(now));
        assert!(flow.timeout_warning().is_some());
        flow.handle(Event::Pressed(Press::MoreTime));
        assert!(flow.timeout_warning().is_none(), "extended");
    }
    now += 60;
    flow.handle(Event::Tick(now));
    assert!(!flow.more_time_available());
    flow.handle(Event::Pressed(Press::MoreTime));
    assert!(
        flow.timeout_warning().is_some(),
        "after 10 extensions the warning stays"
    );
}

#[test]
fn a_clock_jumping_back_does_not_freeze_the_warning() {
    let mut flow = Flow::new(FlowConfig::default(), 10_000);
    flow.handle(Event::CardInserted);
    flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
        valid(),
        Some(PinStatus::TriesLeft(3)),
    ))))));
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
    flow.handle(Event::Pressed(Press::Language(Lang::En)));
    assert_eq!((flow.lang(), flow.screen().kind()), (Lang::En, "Reading"));
    assert_eq!(
        flow.handle(Event::Pressed(Press::HelpPressed)),
        vec![Effect::CallStaff(StaffCall::Help)]
    );
    assert!(
        flow.handle(Event::Pressed(Press::HelpPressed)).is_empty(),
        "staff are called once"
    );
    assert!(flow.help_requested());
    flow.handle(Event::Pressed(Press::HelpDismissed));
    assert!(!flow.help_requested());
}

/// The language a patient chose is theirs: back to the card invitation, the next patient meets the
/// kiosk's own language (the configured one, here English); going back from the phone guide is the
/// same patient and keeps it.
#[test]
fn the_next_patient_starts_in_the_kiosks_language() {
    let config = FlowConfig {
        language: Lang::En,
        ..FlowConfig::default()
    };
    let mut flow = Flow::new(config, 0);
    assert_eq!(flow.lang(), Lang::En);
    flow.handle(Event::Pressed(Press::Language(Lang::Vi)));
    flow.handle(Event::Pressed(Press::PhoneChosen));
    assert_eq!(flow.screen().kind(), "PhoneGuide");
    flow.handle(Event::Pressed(Press::Back));
    assert_eq!(
        (flow.screen().kind(), flow.lang()),
        ("Idle", Lang::Vi),
        "same patient"
    );
    flow.handle(Event::CardInserted);
    assert_eq!(flow.lang(), Lang::Vi);
    flow.handle(Event::CardRemoved);
    assert_eq!(
        (flow.screen().kind(), flow.lang()),
        ("Idle", Lang::En),
        "next patient"
    );
}

fn any_pin() -> impl Strategy<Value = Option<PinStatus>> {
    prop_oneof![
        Just(Some(PinStatus::TriesLeft(3))),
        Just(Some(PinStatus::TriesLeft(1))),
        Just(Some(PinStatus::Blocked)),
        Just(None)
    ]
}

fn any_certificate() -> impl Strategy<Value = CertificateStatus> {
    prop_oneof![
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
    ]
}

/// Any event, including nonsense for the current screen.
fn any_event() -> impl Strategy<Value = Event> {
    let (cert, pin) = (any_certificate(), any_pin());
    prop_oneof![
        Just(Event::CardInserted),
        Just(Event::CardRemoved),
        Just(Event::Worker(WorkerResult::CardReturned(Ok(facts(
            valid(),
            Some(PinStatus::TriesLeft(3))
        ))))),
        Just(Event::Worker(WorkerResult::CardReturned(Err(
            ReturnRefused::OtherCard
        )))),
        (cert, pin).prop_map(|(c, p)| Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(c, p)))))),
        Just(Event::Worker(WorkerResult::CardRead(Err(
            ReadFailure::Unreadable
        )))),
        Just(Event::Pressed(Press::AlertAcknowledged)),
        Just(Event::Pressed(Press::MethodChosen(Method::Face))),
        Just(Event::Pressed(Press::MethodChosen(Method::Pin))),
        Just(Event::Pressed(Press::StaffHelpChosen)),
        Just(Event::Worker(WorkerResult::CardFaceRead(
            CardFaceOutcome::PhotoReady
        ))),
        Just(Event::Worker(WorkerResult::CardFaceRead(
            CardFaceOutcome::NoPhoto
        ))),
        Just(Event::Worker(WorkerResult::Face(FaceEvent::Matched {
            distance_milli: 400,
            frames: 3
        }))),
        Just(Event::Worker(WorkerResult::Face(FaceEvent::NotMatched {
            distance_milli: 800,
            frames: 0
        }))),
        Just(Event::Confirmed(SecretInput::Pin)),
        Just(Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Verified)))),
        Just(Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Wrong {
            tries_left: 1
        })))),
        Just(Event::Worker(WorkerResult::PinVerified(Ok(PinOutcome::Blocked)))),
        Just(Event::Confirmed(SecretInput::StaffCode)),
        Just(Event::Worker(WorkerResult::StaffCodeChecked(Some("S".into())))),
        Just(Event::Pressed(Press::StaffDecision {
            holder_confirmed: true
        })),
        Just(answer(Qualification::Valid)),
        Just(unregistered()),
        Just(Event::Pressed(Press::RegistrationAccepted(true))),
        Just(Event::Pressed(Press::ConsentAll(true))),
        Just(Event::Pressed(Press::ConsentIndividually)),
        Just(Event::Pressed(Press::ConsentItemChosen(
            ConsentItem::Surgery,
            false
        ))),
        Just(Event::Pressed(Press::ConsentNext)),
        Just(Event::Pressed(Press::ConsentConfirmed)),
        Just(Event::Pressed(Press::PrescriptionChosen(Prescription::Paper))),
        Just(Event::Worker(WorkerResult::RecordSaved(true))),
        Just(Event::Worker(WorkerResult::RecordSaved(false))),
        (0i64..100_000).prop_map(Event::Tick),
        Just(Event::Pressed(Press::MoreTime)),
        Just(Event::ReaderAvailable(false)),
        Just(Event::ReaderAvailable(true)),
        Just(Event::Pressed(Press::HelpPressed)),
        Just(Event::Pressed(Press::Language(Lang::En))),
        Just(Event::Pressed(Press::Back)),
        Just(Event::Pressed(Press::Stop)),
        Just(Event::Worker(WorkerResult::Face(FaceEvent::Turn(
            TurnPrompt::Left
        )))),
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
            if e == Event::Confirmed(SecretInput::Pin) {
                submitted += 1;
            }
            if let Event::ReaderAvailable(available) = e {
                reader_away = !available;
            }
            let removed = e == Event::CardRemoved;
            let lifted = matches!(flow.screen(), Screen::CardFace { hold: FrontHold::Lift, .. });
            let ways = flow.screen().ways();
            let (back, stop) = (e == Event::Pressed(Press::Back), e == Event::Pressed(Press::Stop));
            let before = flow.screen().clone();
            let fx = flow.handle(e);
            verifies += fx.iter().filter(|f| **f == Effect::VerifyPin).count();
            prop_assert!(verifies <= submitted, "a VERIFY nobody submitted");
            if back || stop {
                // A way out asks nothing of the card, the records or the eligibility check.
                let names: Vec<&str> = fx.iter().map(effect_name).collect();
                prop_assert!(
                    names.iter().all(|n| ["StopFaceMatching", "WipeSession", "ReleaseCard", "Audit"].contains(n)),
                    "{names:?} from {before:?}"
                );
            }
            let taken = if back { ways.back } else { ways.stop };
            if (back || stop) && taken != Way::Open {
                // Greyed or absent: the press does nothing at all.
                prop_assert_eq!(flow.screen(), &before);
                prop_assert!(fx.is_empty(), "{:?}", fx);
            }
            if stop && taken == Way::Open {
                prop_assert_eq!(flow.screen(), &Screen::Stopped);
            }
            if removed && lifted {
                // The one removal a session survives: the card lifted on the one-camera card-face step.
                prop_assert!(flow.card_return_left().is_some(), "{:?}", flow.screen());
            } else if removed {
                let start = if reader_away { Screen::ReaderProblem } else { Screen::Idle };
                prop_assert_eq!(flow.screen(), &start);
            }
        }
        // Whatever happened, once the reader is there, taking the card out and waiting out the return
        // time returns to idle and a new card is read.
        flow.handle(Event::ReaderAvailable(true));
        flow.handle(Event::CardRemoved);
        flow.handle(Event::Tick(1_000_000));
        prop_assert_eq!(flow.screen(), &Screen::Idle);
        let fx = flow.handle(Event::CardInserted);
        prop_assert_eq!(fx.first(), Some(&Effect::ReadCard));
    }
}

// ---- Smartphones (issue 16) ----

fn phone_facts(kind: CardKind, certificate: CertificateStatus) -> CardFacts {
    CardFacts {
        kind,
        cert_serial: "01000009".into(),
        ..facts(certificate, None)
    }
}

fn phone_read(read: CardRead) -> Event {
    Event::Worker(WorkerResult::CardRead(Ok(read)))
}

fn pin_answer(outcome: PinOutcome) -> Event {
    Event::Worker(WorkerResult::PinVerified(Ok(outcome)))
}

/// An Android phone: the PIN first (its certificate is locked), a wrong one, the right one, then the phone
/// read again with its certificate open, eligibility, consent, done; the record says "PIN".
#[test]
fn an_android_phone_is_read_after_its_pin_and_reaches_done() {
    let (_, fx) = run(cat(vec![
        vec![
            (Event::Pressed(Press::PhoneChosen), "PhoneGuide", &[]),
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (
                phone_read(CardRead::PhoneLocked {
                    pin: PinStatus::TriesLeft(3),
                }),
                "PhonePin",
                &[],
            ),
            (Event::Confirmed(SecretInput::Pin), "PhonePin", &["VerifyPin"]),
            // A second confirm while the first is checked sends nothing.
            (Event::Confirmed(SecretInput::Pin), "PhonePin", &[]),
            (pin_answer(PinOutcome::Wrong { tries_left: 2 }), "PhonePin", &[]),
            (Event::Confirmed(SecretInput::Pin), "PhonePin", &["VerifyPin"]),
            (pin_answer(PinOutcome::Verified), "Reading", &["ReadCard"]),
            (
                phone_read(CardRead::PhoneConfirmed {
                    phone: Phone::Android,
                    facts: phone_facts(CardKind::AndroidPhone, valid()),
                }),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]));
    assert_eq!(saved_record(&fx).verified_by, VerifiedBy::Pin);
    assert_eq!(
        fx.iter().filter(|e| matches!(e, Effect::VerifyPin)).count(),
        2,
        "one VERIFY per PIN the patient confirmed"
    );
}

/// An iPhone whose holder confirmed with Face ID on the phone: no PIN at the kiosk, straight to
/// eligibility; the record says so.
#[test]
fn an_iphone_confirmed_on_the_phone_needs_no_pin_and_reaches_done() {
    let (_, fx) = run(cat(vec![
        vec![
            (Event::CardInserted, "Reading", &["ReadCard"]),
            (
                phone_read(CardRead::PhoneConfirmed {
                    phone: Phone::Iphone,
                    facts: phone_facts(CardKind::Iphone, valid()),
                }),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
        consent_and_done(),
    ]));
    assert_eq!(saved_record(&fx).verified_by, VerifiedBy::PhoneBiometric);
    assert!(!fx.iter().any(|e| matches!(e, Effect::VerifyPin)));
}

#[test]
fn phone_dead_ends_each_have_a_screen_and_a_way_on() {
    // Taken away during the PIN: told so; "OK" or the next phone goes on.
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(3),
            }),
            "PhonePin",
            &[],
        ),
        (Event::CardRemoved, "PhoneRemovedEarly", &["WipeSession"]),
        (Event::Pressed(Press::AlertAcknowledged), "Idle", &[]),
        (Event::Pressed(Press::PhoneChosen), "PhoneGuide", &[]),
        (Event::Pressed(Press::Back), "Idle", &[]),
    ]);
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(1),
            }),
            "PhonePin",
            &[],
        ),
        (Event::Confirmed(SecretInput::Pin), "PhonePin", &["VerifyPin"]),
        (
            pin_answer(PinOutcome::Wrong { tries_left: 0 }),
            "PhonePinBlocked",
            &["WipeSession"],
        ),
        (Event::CardRemoved, "Idle", &[]),
        // Taken away before its token was read: nothing says it was a phone; the start, as for a card.
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (Event::CardRemoved, "Idle", &["WipeSession"]),
    ]);
}

/// Nothing is taken on trust: an Android phone that reads as confirmed without a PIN verified here, and
/// a phone that still says locked after its PIN was verified, go to the counter; an expired phone
/// certificate has no grace period (the plastic card's alone).
#[test]
fn a_phone_that_contradicts_its_pin_or_has_expired_goes_to_the_counter() {
    let (flow, _) = run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneConfirmed {
                phone: Phone::Android,
                facts: phone_facts(CardKind::AndroidPhone, valid()),
            }),
            "Counter",
            &["WipeSession"],
        ),
    ]);
    assert_eq!(
        *flow.screen(),
        Screen::Counter {
            reason: CounterReason::PinCardError
        }
    );
    run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(3),
            }),
            "PhonePin",
            &[],
        ),
        (Event::Confirmed(SecretInput::Pin), "PhonePin", &["VerifyPin"]),
        (pin_answer(PinOutcome::Verified), "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(3),
            }),
            "Counter",
            &["WipeSession"],
        ),
    ]);
    let grace = CertificateStatus::ExpiredInGrace {
        expired_on: d(2026, 10, 1),
        usable_until: d(2027, 1, 31),
    };
    let (flow, _) = run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneConfirmed {
                phone: Phone::Iphone,
                facts: phone_facts(CardKind::Iphone, grace),
            }),
            "Counter",
            &["WipeSession"],
        ),
    ]);
    assert_eq!(
        *flow.screen(),
        Screen::Counter {
            reason: CounterReason::CertificateNotUsable
        }
    );
}

/// The face path to the card-face step on a kiosk with `cameras`.
fn to_card_face(cameras: Cameras, pin: PinStatus) -> (Flow, Vec<Effect>) {
    let mut flow = Flow::new(
        FlowConfig {
            cameras,
            ..FlowConfig::default()
        },
        1_000,
    );
    let mut fx = flow.handle(Event::CardInserted);
    fx.extend(
        flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
            valid(),
            Some(pin),
        )))))),
    );
    fx.extend(flow.handle(Event::Pressed(Press::MethodChosen(Method::Face))));
    (flow, fx)
}

/// Effect names (no audit entries) of one step.
fn step(flow: &mut Flow, event: Event, all: &mut Vec<Effect>) -> Vec<&'static str> {
    let fx = flow.handle(event);
    let names = fx.iter().map(effect_name).filter(|n| *n != "Audit").collect();
    all.extend(fx);
    names
}

fn hold(flow: &Flow) -> Option<FrontHold> {
    match flow.screen() {
        Screen::CardFace { hold, .. } => Some(*hold),
        _ => None,
    }
}

const ONE_CAMERA: Cameras = Cameras::FaceOnly { card_return_secs: 20 };

#[test]
fn one_camera_the_card_lifted_and_put_back_goes_on_with_what_was_read_again() {
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    assert_eq!(
        hold(&flow),
        Some(FrontHold::Lift),
        "the patient is asked to lift the card"
    );
    assert_eq!(step(&mut flow, Event::CardRemoved, &mut all), ["AwaitCardReturn"]);
    assert_eq!(hold(&flow), Some(FrontHold::Away { back_by: 1_020 }));
    assert_eq!(flow.card_return_left(), Some(20));
    // Guidance for the front goes on while the card is out; the clock counts down.
    let guidance = Event::Worker(WorkerResult::CardFrontGuidance(Some(FrontGuidanceKind::Closer)));
    assert!(step(&mut flow, guidance, &mut all).is_empty());
    assert!(step(&mut flow, Event::Tick(1_019), &mut all).is_empty());
    assert_eq!(flow.card_return_left(), Some(1));
    assert_eq!(
        step(&mut flow, Event::CardInserted, &mut all),
        ["CheckReturnedCard"]
    );
    assert_eq!(hold(&flow), Some(FrontHold::Checking));
    assert_eq!(flow.card_return_left(), None);
    // Read again: the PIN tries changed meanwhile (another kiosk, say): the new count is what counts.
    let again = facts(valid(), Some(PinStatus::TriesLeft(1)));
    let returned = Event::Worker(WorkerResult::CardReturned(Ok(again)));
    assert!(step(&mut flow, returned, &mut all).is_empty());
    assert_eq!(
        *flow.screen(),
        Screen::CardFace {
            guidance: Some(FrontGuidanceKind::Closer),
            hold: FrontHold::Back
        }
    );
    let unread = Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable));
    assert!(step(&mut flow, unread, &mut all).is_empty());
    assert_eq!(
        *flow.screen(),
        Screen::FaceFailed {
            pin: Some(1),
            staff: true
        },
        "the PIN count read again, not the one read before"
    );
    assert!(!all.contains(&Effect::VerifyPin), "no try spent by any of it");
    assert!(!all.contains(&Effect::WipeSession));
}

#[test]
fn one_camera_the_face_path_with_the_card_lifted_reaches_done() {
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    step(&mut flow, Event::CardInserted, &mut all);
    let same = facts(valid(), Some(PinStatus::TriesLeft(3)));
    step(
        &mut flow,
        Event::Worker(WorkerResult::CardReturned(Ok(same))),
        &mut all,
    );
    let photo = Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady));
    assert_eq!(
        step(&mut flow, photo, &mut all),
        ["CountFaceAttempt", "StartFaceMatching"]
    );
    let matched = Event::Worker(WorkerResult::Face(FaceEvent::Matched {
        distance_milli: 350,
        frames: 3,
    }));
    step(&mut flow, matched, &mut all);
    step(&mut flow, answer(Qualification::Valid), &mut all);
    for (event, _, _) in consent_and_done() {
        step(&mut flow, event, &mut all);
    }
    assert_eq!(*flow.screen(), Screen::Idle);
    assert!(all.iter().any(|e| matches!(e, Effect::SaveRecord(_))));
    assert!(!all.contains(&Effect::VerifyPin));
}

#[test]
fn one_camera_no_card_put_back_in_time_ends_the_session_as_a_removal_does() {
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    // No "more time" warning instead: the return deadline is the only clock while the card is out.
    assert!(step(&mut flow, Event::Tick(1_019), &mut all).is_empty());
    assert_eq!(flow.timeout_warning(), None);
    assert_eq!(step(&mut flow, Event::Tick(1_020), &mut all), ["WipeSession"]);
    assert_eq!(*flow.screen(), Screen::Idle);
    // A card placed now is a new patient's.
    assert_eq!(step(&mut flow, Event::CardInserted, &mut all), ["ReadCard"]);
    assert!(!all.contains(&Effect::VerifyPin));
}

#[test]
fn one_camera_another_card_put_back_ends_the_session_until_it_is_taken() {
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    step(&mut flow, Event::CardInserted, &mut all);
    let other = Event::Worker(WorkerResult::CardReturned(Err(ReturnRefused::OtherCard)));
    assert_eq!(step(&mut flow, other, &mut all), ["WipeSession"]);
    assert_eq!(
        *flow.screen(),
        Screen::Counter {
            reason: CounterReason::OtherCardReturned
        }
    );
    // A card-face answer of the old session arriving late changes nothing.
    let late = Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady));
    assert!(step(&mut flow, late, &mut all).is_empty());
    assert!(step(&mut flow, Event::CardRemoved, &mut all).is_empty());
    assert_eq!(*flow.screen(), Screen::Idle);
    assert!(!all.contains(&Effect::VerifyPin));
    // One that cannot be read again ends on the screen a first read would have shown.
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    step(&mut flow, Event::CardInserted, &mut all);
    let unreadable = ReturnRefused::Read(ReadFailure::Unreadable);
    step(
        &mut flow,
        Event::Worker(WorkerResult::CardReturned(Err(unreadable))),
        &mut all,
    );
    assert_eq!(*flow.screen(), Screen::CardUnreadable);
}

#[test]
fn one_camera_a_card_face_answer_while_the_card_is_out_waits_for_it() {
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    let few = Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::TooFewTries));
    assert!(step(&mut flow, few, &mut all).is_empty());
    assert!(matches!(hold(&flow), Some(FrontHold::Away { .. })));
    step(&mut flow, Event::CardInserted, &mut all);
    let same = facts(valid(), Some(PinStatus::TriesLeft(3)));
    step(
        &mut flow,
        Event::Worker(WorkerResult::CardReturned(Ok(same))),
        &mut all,
    );
    assert_eq!(
        *flow.screen(),
        Screen::FaceFailed {
            pin: Some(3),
            staff: true
        }
    );
}

#[test]
fn the_phone_guide_gives_way_to_the_start_when_left_alone() {
    run(vec![
        (Event::Pressed(Press::PhoneChosen), "PhoneGuide", &[]),
        (Event::Tick(1_059), "PhoneGuide", &[]),
        (Event::Tick(1_060), "Idle", &[]),
    ]);
}

#[test]
fn the_session_survives_only_the_one_lift_of_the_one_camera_card_face_step() {
    // The card put back once must then stay.
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    step(&mut flow, Event::CardInserted, &mut all);
    let same = facts(valid(), Some(PinStatus::TriesLeft(3)));
    step(
        &mut flow,
        Event::Worker(WorkerResult::CardReturned(Ok(same))),
        &mut all,
    );
    assert_eq!(step(&mut flow, Event::CardRemoved, &mut all), ["WipeSession"]);
    assert_eq!(*flow.screen(), Screen::Idle);
    // Lifted again while it is being checked: the session ends.
    let (mut flow, mut all) = to_card_face(ONE_CAMERA, PinStatus::TriesLeft(3));
    step(&mut flow, Event::CardRemoved, &mut all);
    step(&mut flow, Event::CardInserted, &mut all);
    assert_eq!(step(&mut flow, Event::CardRemoved, &mut all), ["WipeSession"]);
    // With a front camera the card stays on the reader: a removal ends the session there too.
    let (mut flow, mut all) = to_card_face(Cameras::FaceAndFront, PinStatus::TriesLeft(3));
    assert_eq!(hold(&flow), Some(FrontHold::OnReader));
    assert_eq!(step(&mut flow, Event::CardRemoved, &mut all), ["WipeSession"]);
    assert_eq!(*flow.screen(), Screen::Idle);
    // And on any other screen of a one-camera kiosk (the method choice here).
    let mut flow = Flow::new(FlowConfig::default(), 0);
    flow.handle(Event::CardInserted);
    let read = facts(valid(), Some(PinStatus::TriesLeft(3)));
    flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(read)))));
    assert_eq!(step(&mut flow, Event::CardRemoved, &mut all), ["WipeSession"]);
    assert!(!all.contains(&Effect::VerifyPin));
}

fn face_event(e: FaceEvent) -> Event {
    Event::Worker(WorkerResult::Face(e))
}

#[test]
fn a_failed_liveness_check_is_retried_then_leaves_the_pin_and_staff() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                Event::Pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (face_event(FaceEvent::Turn(TurnPrompt::Left)), "FaceMatching", &[]),
            (
                face_event(FaceEvent::NotLive),
                "FaceMatching",
                &["StopFaceMatching", "CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                face_event(FaceEvent::NotLive),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::FaceFailed {
            pin: Some(3),
            staff: true
        },
        "never a dead end: the PIN and the staff check remain"
    );
}

#[test]
fn the_turn_prompt_stays_on_screen_with_guidance() {
    let mut flow = Flow::new(FlowConfig::default(), 1_000);
    for e in start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice") {
        flow.handle(e.0);
    }
    flow.handle(Event::Pressed(Press::MethodChosen(Method::Face)));
    flow.handle(Event::Worker(WorkerResult::CardFaceRead(
        CardFaceOutcome::PhotoReady,
    )));
    flow.handle(face_event(FaceEvent::Turn(TurnPrompt::Right)));
    flow.handle(face_event(FaceEvent::Guidance(Some(GuidanceKind::TooClose))));
    assert_eq!(
        flow.screen(),
        &Screen::FaceMatching {
            attempt: 1,
            guidance: Some(GuidanceKind::TooClose),
            turn: Some(TurnPrompt::Right)
        }
    );
}

#[test]
fn a_card_that_spent_its_face_attempts_today_is_offered_pin_and_staff_only() {
    let config = FlowConfig {
        face_attempts_per_card_per_day: 3,
        ..FlowConfig::default()
    };
    let mut flow = Flow::new(config, 1_000);
    let reception = |flow: &mut Flow| -> Screen {
        flow.handle(Event::CardInserted);
        flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts(
            valid(),
            Some(PinStatus::TriesLeft(3)),
        ))))));
        let offered = flow.screen().clone();
        if matches!(offered, Screen::MethodChoice { face: true, .. }) {
            flow.handle(Event::Pressed(Press::MethodChosen(Method::Face)));
            flow.handle(Event::Worker(WorkerResult::CardFaceRead(
                CardFaceOutcome::PhotoReady,
            )));
            flow.handle(face_event(FaceEvent::NotLive));
            flow.handle(face_event(FaceEvent::NotLive));
        }
        flow.handle(Event::CardRemoved);
        offered
    };
    // 2 attempts in the first reception, 1 left for the second (which then fails over to the PIN)...
    assert!(matches!(
        reception(&mut flow),
        Screen::MethodChoice { face: true, .. }
    ));
    assert!(matches!(
        reception(&mut flow),
        Screen::MethodChoice { face: true, .. }
    ));
    // ...and none in the third: face is not offered, the PIN and staff are.
    assert_eq!(
        reception(&mut flow),
        Screen::MethodChoice {
            face: false,
            pin: Some(3),
            staff: true
        }
    );
    // The next day (Japan time) the card has its attempts back.
    flow.handle(Event::Tick(1_000 + 86_400));
    assert!(matches!(
        reception(&mut flow),
        Screen::MethodChoice { face: true, .. }
    ));
}

#[test]
fn face_attempts_counted_before_a_restart_still_count() {
    let config = FlowConfig {
        face_attempts_per_card_per_day: 2,
        ..FlowConfig::default()
    };
    let mut flow = Flow::new(config, 1_000);
    let mut counted = Vec::new();
    for (event, ..) in start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice") {
        flow.handle(event);
    }
    for e in [
        Event::Pressed(Press::MethodChosen(Method::Face)),
        Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
        face_event(FaceEvent::NotLive),
    ] {
        for fx in flow.handle(e) {
            if let Effect::CountFaceAttempt { card, day } = fx {
                counted.push((card, day));
            }
        }
    }
    assert_eq!(counted.len(), 2, "each attempt is kept: {counted:?}");
    let day = counted[0].1;
    assert_eq!(day, japan_day(1_000));
    // The kiosk restarts and takes back what its journal kept: this card has no face attempt left.
    let mut restarted = Flow::new(config, 1_000);
    // (The journal adds up the counts per card: both were for this card.)
    assert_eq!(counted[0].0, counted[1].0);
    restarted.restore_face_attempts(day, [(counted[0].0, 2)]);
    for (event, ..) in start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice") {
        restarted.handle(event);
    }
    assert!(matches!(
        restarted.screen(),
        Screen::MethodChoice { face: false, .. }
    ));
}

/// The face models load in the background (issue 17): a patient who comes before they are ready is
/// offered the PIN and the staff check, and the face choice appears in place when they are; without the
/// event it never appears.
#[test]
fn the_face_choice_appears_when_the_models_are_ready() {
    let mut flow = Flow::new(
        FlowConfig {
            face_enabled: false,
            ..FlowConfig::default()
        },
        1_000,
    );
    for (event, ..) in start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice") {
        flow.handle(event);
    }
    let before = Screen::MethodChoice {
        face: false,
        pin: Some(3),
        staff: true,
    };
    assert_eq!(flow.screen(), &before, "no face choice while the models load");
    flow.handle(Event::Tick(1_005));
    assert_eq!(flow.screen(), &before);
    let fx = flow.handle(Event::FaceAvailable);
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: true,
            pin: Some(3),
            staff: true
        }
    );
    assert!(fx.is_empty(), "the same screen, nothing to do: {fx:?}");
    assert!(
        flow.config().face_enabled,
        "the next patients are offered the face too"
    );
}

// ---- 「戻る」 and 「受付をやめる」 (issue 17, item 1) ----

fn pressed(p: Press) -> Event {
    Event::Pressed(p)
}

/// To the consent question by the PIN.
fn to_consent() -> Case {
    cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                pin_answer(PinOutcome::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "ConsentStart", &[]),
        ],
    ])
}

#[test]
fn back_from_the_pin_pad_does_not_touch_the_card_and_spent_tries_stay_spent() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            // Back before typing: the choice again, nothing sent.
            (pressed(Press::Back), "MethodChoice", &[]),
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (pin_answer(PinOutcome::Wrong { tries_left: 2 }), "PinEntry", &[]),
            // Back after a wrong PIN: still nothing sent, and the choice says 2 tries, not 3.
            (pressed(Press::Back), "MethodChoice", &[]),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: true,
            pin: Some(2),
            staff: true
        }
    );
    assert_eq!(fx.iter().filter(|e| **e == Effect::VerifyPin).count(), 1);
}

#[test]
fn back_is_not_offered_while_the_pin_is_being_checked() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            // The VERIFY is in flight: back and stop are greyed, and pressing them does nothing.
            (pressed(Press::Back), "PinEntry", &[]),
            (pressed(Press::Stop), "PinEntry", &[]),
            (pin_answer(PinOutcome::Wrong { tries_left: 2 }), "PinEntry", &[]),
        ],
    ]));
    assert_eq!(fx.iter().filter(|e| **e == Effect::VerifyPin).count(), 1);
    assert_eq!(flow.screen().ways().back, Way::Open, "open again once answered");
    let verifying = Screen::PinEntry {
        tries_left: 2,
        last_try: false,
        wrong_before: true,
        verifying: true,
    };
    assert_eq!(
        verifying.ways(),
        Ways {
            back: Way::Busy(Busy::Pin),
            stop: Way::Busy(Busy::Pin)
        }
    );
}

#[test]
fn back_from_the_face_camera_stops_it_and_the_attempt_stays_used() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            // The card front and photo are being read: back waits (a 照合番号B try may be under way).
            (pressed(Press::Back), "CardFace", &[]),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (pressed(Press::Back), "MethodChoice", &["StopFaceMatching"]),
            // A late answer of the stopped match is not taken.
            (
                face_event(FaceEvent::Matched {
                    distance_milli: 300,
                    frames: 3,
                }),
                "MethodChoice",
                &[],
            ),
            // Face again: the photo is read already, so matching starts at once, as the second attempt.
            (
                pressed(Press::MethodChosen(Method::Face)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            // Deciding (the head turn asked): back waits.
            (
                face_event(FaceEvent::Turn(TurnPrompt::Right)),
                "FaceMatching",
                &[],
            ),
            (pressed(Press::Back), "FaceMatching", &[]),
            // The second attempt was the last of this reception.
            (
                face_event(FaceEvent::NotLive),
                "FaceFailed",
                &["StopFaceMatching"],
            ),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::FaceFailed {
            pin: Some(3),
            staff: true
        }
    );
}

#[test]
fn back_after_the_last_face_attempt_no_longer_offers_face() {
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                face_event(FaceEvent::NotMatched {
                    distance_milli: 800,
                    frames: 3,
                }),
                "FaceMatching",
                &["StopFaceMatching", "CountFaceAttempt", "StartFaceMatching"],
            ),
            (pressed(Press::Back), "MethodChoice", &["StopFaceMatching"]),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::MethodChoice {
            face: false,
            pin: Some(3),
            staff: true
        },
        "two attempts per reception, back or not"
    );
}

#[test]
fn back_from_the_pin_returns_to_the_screen_it_was_chosen_on() {
    // Chosen after face failed: back to that screen, drawn again.
    let (flow, _) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::Unavailable)),
                "FaceFailed",
                &[],
            ),
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (pressed(Press::Back), "FaceFailed", &[]),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::FaceFailed {
            pin: Some(3),
            staff: true
        }
    );
    // A card without a photo: the PIN was the only way, and back shows that notice again.
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::NoPhoto)),
                "NoPhotoPinOnly",
                &[],
            ),
            (pressed(Press::AlertAcknowledged), "PinEntry", &[]),
            (pressed(Press::Back), "NoPhotoPinOnly", &[]),
        ],
    ]));
}

#[test]
fn back_within_consent_keeps_the_answers_given() {
    let mut surgery_only = Consents::default();
    surgery_only.set(ConsentItem::Surgery, true);
    let mut all_three = surgery_only;
    all_three.set(ConsentItem::TreatmentAndMedicine, false);
    all_three.set(ConsentItem::HealthCheckups, true);
    let (flow, fx) = run(cat(vec![
        to_consent(),
        vec![
            (pressed(Press::ConsentIndividually), "ConsentItems", &[]),
            (
                pressed(Press::ConsentItemChosen(ConsentItem::Surgery, true)),
                "ConsentItems",
                &[],
            ),
            (pressed(Press::Back), "ConsentStart", &[]),
            (pressed(Press::ConsentIndividually), "ConsentItems", &[]),
        ],
    ]));
    assert_eq!(
        flow.screen(),
        &Screen::ConsentItems {
            consents: surgery_only
        },
        "the answer given before going back stands"
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveRecord(_))));

    let (_, fx) = run(cat(vec![
        to_consent(),
        vec![
            (pressed(Press::ConsentIndividually), "ConsentItems", &[]),
            (
                pressed(Press::ConsentItemChosen(ConsentItem::Surgery, true)),
                "ConsentItems",
                &[],
            ),
            (
                pressed(Press::ConsentItemChosen(ConsentItem::TreatmentAndMedicine, false)),
                "ConsentItems",
                &[],
            ),
            (
                pressed(Press::ConsentItemChosen(ConsentItem::HealthCheckups, true)),
                "ConsentItems",
                &[],
            ),
            (pressed(Press::ConsentNext), "ConsentReview", &[]),
            // From the review back to the items, as answered.
            (pressed(Press::Back), "ConsentItems", &[]),
            (pressed(Press::ConsentNext), "ConsentReview", &[]),
            (pressed(Press::ConsentConfirmed), "Prescription", &[]),
            // From the prescription back to the review; nothing is recorded before the prescription.
            (pressed(Press::Back), "ConsentReview", &[]),
            (pressed(Press::ConsentConfirmed), "Prescription", &[]),
            (
                pressed(Press::PrescriptionChosen(Prescription::Paper)),
                "Saving",
                &["SaveRecord"],
            ),
        ],
    ]));
    assert_eq!(saved_record(&fx).consents, Some(all_three));

    // 全て同意する: back from the review is the question again.
    run(cat(vec![
        to_consent(),
        vec![
            (pressed(Press::ConsentAll(true)), "ConsentReview", &[]),
            (pressed(Press::Back), "ConsentStart", &[]),
            // Neither the question nor the waits offer back.
            (pressed(Press::Back), "ConsentStart", &[]),
        ],
    ]));
}

#[test]
fn back_from_the_prescription_without_sharing_shows_the_notice_again() {
    let grace = CertificateStatus::ExpiredInGrace {
        expired_on: d(2026, 1, 31),
        usable_until: d(2026, 4, 30),
    };
    run(cat(vec![
        start(
            facts(grace, Some(PinStatus::TriesLeft(3))),
            "CertificateExpiredGrace",
        ),
        vec![
            (pressed(Press::AlertAcknowledged), "MethodChoice", &[]),
            (pressed(Press::MethodChosen(Method::Pin)), "PinEntry", &[]),
            (Event::Confirmed(SecretInput::Pin), "PinEntry", &["VerifyPin"]),
            (
                pin_answer(PinOutcome::Verified),
                "CheckingEligibility",
                &["CheckEligibility"],
            ),
            (answer(Qualification::Valid), "NoSharingInfo", &[]),
            (pressed(Press::AlertAcknowledged), "Prescription", &[]),
            (pressed(Press::Back), "NoSharingInfo", &[]),
        ],
    ]));
}

#[test]
fn stop_ends_the_reception_as_taking_the_card_does_and_asks_for_the_card() {
    let (flow, fx) = run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (pressed(Press::Language(Lang::En)), "MethodChoice", &[]),
            (pressed(Press::Stop), "Stopped", &["WipeSession", "ReleaseCard"]),
            // Nothing more to stop or go back to; a late answer is not taken.
            (pressed(Press::Stop), "Stopped", &[]),
            (pressed(Press::Back), "Stopped", &[]),
            (answer(Qualification::Valid), "Stopped", &[]),
            // The card taken: the start, in the kiosk's language.
            (Event::CardRemoved, "Idle", &[]),
            (Event::CardInserted, "Reading", &["ReadCard"]),
        ],
    ]));
    assert_eq!(flow.lang(), Lang::Ja);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveRecord(_))));
    assert!(fx.contains(&Effect::Audit {
        from: "MethodChoice",
        to: "Stopped",
        event: "Stop",
    }));
}

#[test]
fn stop_during_face_matching_stops_the_camera_and_a_late_match_is_not_taken() {
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "FaceMatching",
                &["CountFaceAttempt", "StartFaceMatching"],
            ),
            (
                pressed(Press::Stop),
                "Stopped",
                &["StopFaceMatching", "WipeSession", "ReleaseCard"],
            ),
            (
                face_event(FaceEvent::Matched {
                    distance_milli: 300,
                    frames: 3,
                }),
                "Stopped",
                &[],
            ),
        ],
    ]));
    // While the card front is read (a card command in flight): stop lets go of the card, which ends
    // that read without spending a try (the core, ReleaseCard).
    run(cat(vec![
        start(facts(valid(), Some(PinStatus::TriesLeft(3))), "MethodChoice"),
        vec![
            (
                pressed(Press::MethodChosen(Method::Face)),
                "CardFace",
                &["ReadCardFace"],
            ),
            (pressed(Press::Stop), "Stopped", &["WipeSession", "ReleaseCard"]),
            (
                Event::Worker(WorkerResult::CardFaceRead(CardFaceOutcome::PhotoReady)),
                "Stopped",
                &[],
            ),
        ],
    ]));
}

#[test]
fn stop_is_not_offered_while_eligibility_is_checked_or_the_record_saved() {
    let mut case = to_consent();
    case.pop();
    run(cat(vec![
        case,
        vec![
            (pressed(Press::Stop), "CheckingEligibility", &[]),
            (answer(Qualification::Valid), "ConsentStart", &[]),
            (pressed(Press::ConsentAll(true)), "ConsentReview", &[]),
            (pressed(Press::ConsentConfirmed), "Prescription", &[]),
            (
                pressed(Press::PrescriptionChosen(Prescription::Paper)),
                "Saving",
                &["SaveRecord"],
            ),
            (pressed(Press::Stop), "Saving", &[]),
            (Event::Worker(WorkerResult::RecordSaved(true)), "Done", &[]),
            // 「完了」: the reception is over, nothing to stop.
            (pressed(Press::Stop), "Done", &[]),
        ],
    ]));
}

#[test]
fn stop_on_a_phone_asks_for_the_phone_and_the_stopped_screen_times_out() {
    let (mut flow, _) = run(vec![
        (Event::CardInserted, "Reading", &["ReadCard"]),
        (
            phone_read(CardRead::PhoneLocked {
                pin: PinStatus::TriesLeft(3),
            }),
            "PhonePin",
            &[],
        ),
        (pressed(Press::Back), "PhonePin", &[]),
        (pressed(Press::Stop), "Stopped", &["WipeSession", "ReleaseCard"]),
    ]);
    // Left on the reader: back to the start after the final screens' time, like 「完了」.
    flow.handle(Event::Tick(1_000 + FlowConfig::default().final_secs));
    assert_eq!(flow.screen(), &Screen::Idle);
}

#[test]
fn the_phone_guide_goes_back_to_the_start() {
    run(vec![
        (pressed(Press::PhoneChosen), "PhoneGuide", &[]),
        // "OK" is not its button any more: 「戻る」 is.
        (pressed(Press::AlertAcknowledged), "PhoneGuide", &[]),
        (pressed(Press::Stop), "PhoneGuide", &[]),
        (pressed(Press::Back), "Idle", &[]),
    ]);
}

/// The table the screens and the flow share: back is never open while something is in flight, and
/// stop is offered exactly where the card is in use (less the two waits that write records).
#[test]
fn the_ways_out_never_overtake_a_command_in_flight() {
    let screens = [
        Screen::CardFace {
            guidance: None,
            hold: FrontHold::Lift,
        },
        Screen::CardFace {
            guidance: None,
            hold: FrontHold::Away { back_by: 0 },
        },
        Screen::FaceMatching {
            attempt: 1,
            guidance: None,
            turn: Some(TurnPrompt::Left),
        },
        Screen::PinEntry {
            tries_left: 3,
            last_try: false,
            wrong_before: false,
            verifying: true,
        },
        Screen::PhonePin {
            tries_left: 3,
            wrong_before: false,
            verifying: true,
        },
    ];
    for s in screens {
        assert!(s.busy().is_some(), "{s:?}");
        assert_ne!(s.ways().back, Way::Open, "{s:?}");
    }
    for s in [Screen::Reading, Screen::CheckingEligibility, Screen::Saving] {
        assert_eq!(s.ways().back, Way::Absent, "{s:?}");
    }
    for s in [
        Screen::Idle,
        Screen::Done { name: String::new() },
        Screen::Counter {
            reason: CounterReason::TimedOut,
        },
        Screen::Stopped,
        Screen::StaffCheck {
            staff_id: "S".into(),
            front_failed: false,
        },
    ] {
        assert_eq!(s.ways().stop, Way::Absent, "{s:?}");
    }
}
