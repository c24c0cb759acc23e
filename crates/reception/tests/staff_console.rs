//! The visual check from the staff console (the default): the patient waits on 「係員が確認します」
//! while the photo is read for the console, and only a verdict for this very call moves the kiosk on.
//! Final screens return to the card invitation by themselves.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::{CardKind, CertificateStatus, Date, PinStatus};
use kiosk_reception::*;

fn facts() -> CardFacts {
    CardFacts {
        kind: CardKind::PlasticCard,
        certificate: CertificateStatus::Valid {
            expires_on: Date::new(2030, 8, 4).unwrap(),
        },
        cert_issuer: "CN=test CA".into(),
        cert_serial: "01000001".into(),
        pin: Some(PinStatus::TriesLeft(3)),
    }
}

/// A flow on the method choice, at time 1000.
fn at_method_choice() -> Flow {
    let mut flow = Flow::new(FlowConfig::default(), 1_000);
    flow.handle(Event::CardInserted);
    flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts())))));
    assert_eq!(flow.screen().kind(), "MethodChoice");
    flow
}

fn verdict(call: u64, holder_confirmed: bool) -> Event {
    Event::StaffVerdict {
        call,
        staff_id: "sato".into(),
        holder_confirmed,
    }
}

fn no_audit(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(|e| !matches!(e, Effect::Audit { .. }))
        .collect()
}

#[test]
fn the_patient_waits_while_staff_decide_from_the_console() {
    let mut flow = at_method_choice();
    assert_eq!(flow.staff_call(), None);
    let fx = no_audit(flow.handle(Event::Pressed(Press::StaffHelpChosen)));
    assert_eq!(
        fx,
        [Effect::ReadCardFace, Effect::CallStaff(StaffCall::VisualCheck)],
        "the photo is read for the console, and staff are called"
    );
    assert_eq!(*flow.screen(), Screen::StaffWaiting { photo_failed: false });
    let call = flow.staff_call().unwrap();
    // Nothing on the patient's screen decides: the kiosk's decision buttons are not there.
    for press in [
        Press::StaffDecision {
            holder_confirmed: true,
        },
        Press::AlertAcknowledged,
    ] {
        flow.handle(Event::Pressed(press));
        assert_eq!(flow.screen().kind(), "StaffWaiting");
    }
    flow.handle(Event::Worker(WorkerResult::CardFaceRead(
        CardFaceOutcome::PhotoReady,
    )));
    assert_eq!(flow.screen().kind(), "StaffWaiting");
    // A verdict for another call (an earlier patient's) does nothing.
    assert!(no_audit(flow.handle(verdict(call + 1, true))).is_empty());
    assert_eq!(flow.screen().kind(), "StaffWaiting");
    let fx = no_audit(flow.handle(verdict(call, true)));
    assert!(
        matches!(fx.as_slice(), [Effect::CheckEligibility { .. }]),
        "{fx:?}"
    );
    assert_eq!(flow.screen().kind(), "CheckingEligibility");
    assert_eq!(flow.staff_call(), None);
}

#[test]
fn not_the_holder_goes_to_the_counter() {
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let call = flow.staff_call().unwrap();
    let fx = no_audit(flow.handle(verdict(call, false)));
    assert_eq!(fx, [Effect::WipeSession]);
    assert_eq!(
        *flow.screen(),
        Screen::Counter {
            reason: CounterReason::StaffRefused
        }
    );
}

#[test]
fn a_photo_that_cannot_be_read_is_shown_as_such_and_staff_may_still_decide() {
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let call = flow.staff_call().unwrap();
    flow.handle(Event::Worker(WorkerResult::CardFaceRead(
        CardFaceOutcome::Unavailable,
    )));
    assert_eq!(*flow.screen(), Screen::StaffWaiting { photo_failed: true });
    flow.handle(verdict(call, true));
    assert_eq!(flow.screen().kind(), "CheckingEligibility");
    // A card whose photo is not genuine cannot be checked by eye.
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    flow.handle(Event::Worker(WorkerResult::CardFaceRead(
        CardFaceOutcome::NotGenuine,
    )));
    assert_eq!(flow.screen().kind(), "Counter");
}

#[test]
fn a_verdict_after_the_card_left_does_not_reach_the_next_patient() {
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let first = flow.staff_call().unwrap();
    flow.handle(Event::CardRemoved);
    assert_eq!(flow.screen().kind(), "Idle");
    // The next patient asks for the check too.
    flow.handle(Event::CardInserted);
    flow.handle(Event::Worker(WorkerResult::CardRead(Ok(CardRead::Card(facts())))));
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let second = flow.staff_call().unwrap();
    assert_ne!(first, second);
    flow.handle(verdict(first, true));
    assert_eq!(flow.screen().kind(), "StaffWaiting", "the old verdict is ignored");
}

#[test]
fn final_screens_return_to_the_invitation_by_themselves() {
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let call = flow.staff_call().unwrap();
    flow.handle(verdict(call, false));
    assert_eq!(flow.screen().kind(), "Counter");
    let final_secs = flow.config().final_secs;
    flow.handle(Event::Tick(1_000 + final_secs - 1));
    assert_eq!(flow.screen().kind(), "Counter");
    flow.handle(Event::Tick(1_000 + final_secs));
    assert_eq!(flow.screen().kind(), "Idle");

    // 「完了」 with the patient's name: wiped when it times out, card taken or not.
    let mut flow = at_method_choice();
    flow.handle(Event::Pressed(Press::StaffHelpChosen));
    let call = flow.staff_call().unwrap();
    flow.handle(verdict(call, true));
    flow.handle(Event::Worker(WorkerResult::Eligibility(Ok(EligibilityAnswer {
        qualification: Qualification::Valid,
        registered: true,
        patient_name: "山田　太郎".into(),
    }))));
    flow.handle(Event::Pressed(Press::ConsentAll(true)));
    flow.handle(Event::Pressed(Press::ConsentConfirmed));
    flow.handle(Event::Pressed(Press::PrescriptionChosen(Prescription::Paper)));
    flow.handle(Event::Worker(WorkerResult::RecordSaved(true)));
    assert!(matches!(flow.screen(), Screen::Done { name } if name == "山田　太郎"));
    let fx = no_audit(flow.handle(Event::Tick(1_000 + final_secs)));
    assert_eq!(fx, [Effect::WipeSession]);
    assert_eq!(*flow.screen(), Screen::Idle);
}
