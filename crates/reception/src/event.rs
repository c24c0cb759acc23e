//! What the flow hears and what it asks of the workers.

use crate::attempts::CardKey;
use crate::types::{CardFaceOutcome, ReceptionRecord, WorkerResult};
use kiosk_screens::{Input, Press, SecretInput};

/// Everything the flow reacts to. Built by the kiosk core: inputs through [`Event::of_input`], worker
/// answers as they arrive, card and reader presence from the reader monitor, ticks from the clock.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A button without a secret.
    Pressed(Press),
    /// A secret was confirmed (PIN, staff code, typed 照合番号B). The secret itself stays with the core,
    /// which sends it with the effect this event causes, or drops it.
    Confirmed(SecretInput),
    Worker(WorkerResult),
    CardInserted,
    CardRemoved,
    /// The reader the kiosk watches came (back) or went away: the smart-card service (pcscd) stopped
    /// or started, or the reader was unplugged or plugged in. While it is away the start screen says
    /// so, instead of inviting a card nothing would read.
    ReaderAvailable(bool),
    /// Staff's verdict on the visual check, from the staff console: `call` is the number of the
    /// visual-check call it answers ([`Flow::staff_call`](crate::Flow::staff_call)), so a verdict
    /// for an earlier patient is ignored. Only the core makes this event (from the console link);
    /// nothing on the kiosk's screen can.
    StaffVerdict {
        call: u64,
        staff_id: String,
        holder_confirmed: bool,
    },
    Tick(i64),
    /// The face models finished loading after start-up: they load in the background, so the idle
    /// screen shows at once (issue 17), and face matching is offered from now on when the configuration
    /// allows it. Only the core makes this event.
    FaceAvailable,
}

impl Event {
    /// What the flow hears of `input`: the press, or only which secret was confirmed.
    pub fn of_input(input: &Input) -> Event {
        match input {
            Input::Press(p) => Event::Pressed(*p),
            Input::Pin(_) => Event::Confirmed(SecretInput::Pin),
            Input::StaffCode(_) => Event::Confirmed(SecretInput::StaffCode),
            Input::CheckCode(_) => Event::Confirmed(SecretInput::CheckCode),
        }
    }

    /// Whether a person did this: only these reset the inactivity timer.
    pub fn is_input(&self) -> bool {
        matches!(self, Event::Pressed(_) | Event::Confirmed(_))
    }

    /// The event's name for the audit log (no data).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Pressed(p) => press_kind(*p),
            Event::Confirmed(SecretInput::Pin) => "PinSubmitted",
            Event::Confirmed(SecretInput::StaffCode) => "StaffCodeSubmitted",
            Event::Confirmed(SecretInput::CheckCode) => "CheckCodeTyped",
            Event::Worker(w) => worker_kind(w),
            Event::CardInserted => "CardInserted",
            Event::CardRemoved => "CardRemoved",
            Event::ReaderAvailable(_) => "ReaderAvailable",
            Event::StaffVerdict { .. } => "StaffVerdict",
            Event::Tick(_) => "Tick",
            Event::FaceAvailable => "FaceAvailable",
        }
    }
}

fn press_kind(press: Press) -> &'static str {
    match press {
        Press::AlertAcknowledged => "AlertAcknowledged",
        Press::Back => "Back",
        Press::Stop => "Stop",
        Press::MethodChosen(_) => "MethodChosen",
        Press::StaffHelpChosen => "StaffHelpChosen",
        Press::StaffDecision { .. } => "StaffDecision",
        Press::RegistrationAccepted(_) => "RegistrationAccepted",
        Press::ConsentAll(_) => "ConsentAll",
        Press::ConsentIndividually => "ConsentIndividually",
        Press::ConsentItemChosen(..) => "ConsentItemChosen",
        Press::ConsentNext => "ConsentNext",
        Press::ConsentConfirmed => "ConsentConfirmed",
        Press::ConsentChange => "ConsentChange",
        Press::PrescriptionChosen(_) => "PrescriptionChosen",
        Press::Language(_) => "Language",
        Press::HelpPressed => "HelpPressed",
        Press::HelpDismissed => "HelpDismissed",
        Press::MoreTime => "MoreTime",
        Press::PhoneChosen => "PhoneChosen",
    }
}

fn worker_kind(result: &WorkerResult) -> &'static str {
    match result {
        WorkerResult::CardRead(_) => "CardRead",
        WorkerResult::CardReturned(Ok(_)) => "CardReturned",
        WorkerResult::CardReturned(Err(_)) => "CardReturnRefused",
        // A refused 照合番号B spent one of the card's tries: it has its own audit entry.
        WorkerResult::CardFaceRead(CardFaceOutcome::CodeRefused) => "CardFaceCodeRefused",
        WorkerResult::CardFaceRead(CardFaceOutcome::TooFewTries) => "CardFaceTooFewTries",
        WorkerResult::CardFaceRead(_) => "CardFaceRead",
        WorkerResult::CardFrontGuidance(_) => "CardFrontGuidance",
        WorkerResult::Face(_) => "Face",
        WorkerResult::PinVerified(_) => "PinVerified",
        WorkerResult::StaffCodeChecked(_) => "StaffCodeChecked",
        WorkerResult::Eligibility(_) => "Eligibility",
        WorkerResult::RecordSaved(_) => "RecordSaved",
    }
}

/// Why staff are called (the staff console shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffCall {
    /// 「係員を呼ぶ」 in the top bar: the patient wants help; the reception goes on.
    Help,
    /// The patient chose the staff visual check (目視確認).
    VisualCheck,
}

/// Work for the app's workers.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ReadCard,
    /// The card left on the one-camera card-face step and the session waits for it: drop the channel,
    /// keep what identifies the card (its certificate) and the pending card-face read.
    AwaitCardReturn,
    /// A card was put back: check it is the same (its certificate, byte for byte) and read everything
    /// again; nothing read before is trusted for it.
    CheckReturnedCard,
    /// Read the card front, 照合番号B and the photo (face path and staff check).
    ReadCardFace,
    /// Read the photo with the 照合番号B staff typed (the core sends the digits that came with the
    /// input).
    ReadCardFaceTyped,
    StartFaceMatching,
    StopFaceMatching,
    /// Send exactly one VERIFY with the PIN that came with the input.
    VerifyPin,
    /// Check the staff code that came with the input.
    CheckStaffCode,
    CheckEligibility {
        cert_issuer: String,
        cert_serial: String,
    },
    RegisterInsuranceUse {
        cert_issuer: String,
        cert_serial: String,
    },
    SaveRecord(ReceptionRecord),
    /// Keep one more face attempt of `card` on `day` (Japan time) in the journal, so a restart does not
    /// give the card its attempts back. Only the certificate's hash is kept.
    CountFaceAttempt {
        card: CardKey,
        day: i64,
    },
    /// Tell staff (the core hands this to its `StaffNotifier`).
    CallStaff(StaffCall),
    /// Drop everything personal the workers hold (photo, descriptors, names).
    WipeSession,
    /// The patient stopped the reception (「受付をやめる」) with the card still on the reader: let go of
    /// it as when it is taken away. Drop the channel (which powers the card off, so nothing verified
    /// stays open), end a card-front read still waiting for its code without spending a try, and drop
    /// whatever a worker still answers for this reception.
    ReleaseCard,
    /// A transition for the audit log: screen and event names only.
    Audit {
        from: &'static str,
        to: &'static str,
        event: &'static str,
    },
}
