//! The screens, one variant each, with what each shows.

use crate::choices::{
    Consents, EligibilityFailure, FrontGuidanceKind, GuidanceKind, Qualification, TurnPrompt,
};
use kiosk_mynumber::Date;

/// Why eligibility ended the reception: an answer that is not "valid", or no answer at all. One of the
/// two, never both and never neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligibilityIssue {
    /// The check answered, and the qualification is not usable here.
    Answer(Qualification),
    /// The check did not answer.
    Failed(EligibilityFailure),
}

/// Why the patient is sent to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterReason {
    CertificateNotUsable,
    NoMethodLeft,
    StaffRefused,
    PinCardError,
    RegistrationDeclined,
    RecordNotSaved,
    TimedOut,
    /// The card's photo side and its certificate are not one person's (see
    /// `EligibilityFailure::HolderMismatch`).
    HolderMismatch,
    /// A different card was put back while the card front was shown to the camera (one-camera kiosk).
    OtherCardReturned,
}

/// Where the card is while its front is read, by the kiosk's camera arrangement (issue 14).
///
/// A kiosk with a front camera looking down at the reader reads the front where the card lies; it never
/// leaves the reader. A kiosk with only the face camera asks the patient to lift the card, show its front,
/// and put it back: the one removal the session survives, for a limited time, and only for the same
/// card (the flow's rules, `kiosk_reception::Flow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontHold {
    /// A front camera reads the card where it lies on the reader.
    OnReader,
    /// One camera: the card is on the reader; the patient is asked to lift it, show its front to the
    /// camera and put it back.
    Lift,
    /// Lifted: the session waits for the same card until `back_by` (the flow's clock, seconds).
    Away { back_by: i64 },
    /// Put back: the kiosk checks it is the same card and reads it again.
    Checking,
    /// The same card is back and read again; the photo is read with the code from its front.
    Back,
}

impl FrontHold {
    /// Whether the card is off the reader or not yet known to be the same one: nothing may be asked of
    /// it, and the inactivity time-out gives way to the return deadline.
    pub fn card_out(self) -> bool {
        matches!(self, FrontHold::Away { .. } | FrontHold::Checking)
    }
}

/// What the screen shows. Each variant is one screen of the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Idle,
    Reading,
    NotMyNumberCard,
    CardUnreadable,
    ReaderProblem,
    /// How to use a smartphone (スマホ用電子証明書): Android, unlock and put it on the phone reader;
    /// iPhone, confirm with Face ID or Touch ID first. Waits for the phone; "back" returns to the start.
    /// `separate_reader`: phones go to a reader of their own beside the card reader.
    PhoneGuide {
        separate_reader: bool,
    },
    /// An Android phone lies on the reader: the patient types the phone's own 4-digit PIN (its
    /// certificate is read only after it, docs/CARD-NOTES.md §4.5).
    PhonePin {
        tries_left: u8,
        wrong_before: bool,
        verifying: bool,
    },
    /// The phone's PIN is locked: the patient unlocks it in the マイナポータル app (with the card);
    /// today the card or the counter.
    PhonePinBlocked,
    /// An iPhone whose certificate did not open: the holder has not confirmed with Face ID or Touch ID
    /// on the phone, or waited too long (GUESS).
    PhoneNotConfirmed,
    /// The phone left the reader before 「完了」: hold it again from the start.
    PhoneRemovedEarly,
    /// Renewal alert: the patient acknowledges it.
    CertificateExpiring {
        expires_on: Date,
        days_left: i64,
    },
    /// Expired within 3 months: eligibility only, no information sharing; acknowledged.
    CertificateExpiredGrace {
        usable_until: Date,
    },
    MethodChoice {
        face: bool,
        pin: Option<u8>,
        staff: bool,
    },
    /// Reading the card front for 照合番号B, then the photo; `guidance` while the front is not yet
    /// readable; `hold`: where the card is meanwhile (on the reader under a front camera, or lifted to
    /// the one camera and put back).
    CardFace {
        guidance: Option<FrontGuidanceKind>,
        hold: FrontHold,
    },
    /// Face matching; `turn` once the liveness check asks for the head turn.
    FaceMatching {
        attempt: u32,
        guidance: Option<GuidanceKind>,
        turn: Option<TurnPrompt>,
    },
    /// Face could not confirm the holder: offer the PIN and/or staff.
    FaceFailed {
        pin: Option<u8>,
        staff: bool,
    },
    /// The card has no photo: the PIN is the only way.
    NoPhotoPinOnly,
    PinEntry {
        tries_left: u8,
        last_try: bool,
        wrong_before: bool,
        verifying: bool,
    },
    /// The PIN is locked: unlocking is for the municipality; today the face path (when the camera and the
    /// photo allow it) or the staff check remain (the leaflets: a locked PIN → face or staff).
    PinBlocked {
        face: bool,
        staff: bool,
    },
    StaffLogin {
        failed: u32,
    },
    /// The patient waits while staff do the visual check from the staff console (「係員が確認します。
    /// そのままお待ちください。」). The card photo goes to the console, never to this screen.
    /// `photo_failed`: the photo could not be read (staff decide with another photo ID).
    StaffWaiting {
        photo_failed: bool,
    },
    /// Staff compare the card photo with the patient; shown only to staff. `front_failed`: the photo
    /// could not be read through the card front (not read in time, typed numbers refused, few tries
    /// left); staff can type the numbers (again) or decide with another photo ID.
    StaffCheck {
        staff_id: String,
        front_failed: bool,
    },
    CheckingEligibility,
    RegistrationOffer,
    /// The card is now registered for health-insurance use (利用登録); the patient acknowledges and the
    /// reception goes on.
    Registered,
    EligibilityProblem(EligibilityIssue),
    /// Information sharing is not allowed (expired certificate in grace); the patient acknowledges.
    NoSharingInfo,
    ConsentStart,
    ConsentItems {
        consents: Consents,
    },
    ConsentReview {
        consents: Consents,
    },
    Prescription,
    Saving,
    Done {
        name: String,
    },
    Counter {
        reason: CounterReason,
    },
}

impl Screen {
    /// The screen's name for the audit log (no data).
    pub fn kind(&self) -> &'static str {
        match self {
            Screen::Idle => "Idle",
            Screen::Reading => "Reading",
            Screen::NotMyNumberCard => "NotMyNumberCard",
            Screen::CardUnreadable => "CardUnreadable",
            Screen::ReaderProblem => "ReaderProblem",
            Screen::PhoneGuide { .. } => "PhoneGuide",
            Screen::PhonePin { .. } => "PhonePin",
            Screen::PhonePinBlocked => "PhonePinBlocked",
            Screen::PhoneNotConfirmed => "PhoneNotConfirmed",
            Screen::PhoneRemovedEarly => "PhoneRemovedEarly",
            Screen::CertificateExpiring { .. } => "CertificateExpiring",
            Screen::CertificateExpiredGrace { .. } => "CertificateExpiredGrace",
            Screen::MethodChoice { .. } => "MethodChoice",
            Screen::CardFace { .. } => "CardFace",
            Screen::FaceMatching { .. } => "FaceMatching",
            Screen::FaceFailed { .. } => "FaceFailed",
            Screen::NoPhotoPinOnly => "NoPhotoPinOnly",
            Screen::PinEntry { .. } => "PinEntry",
            Screen::PinBlocked { .. } => "PinBlocked",
            Screen::StaffLogin { .. } => "StaffLogin",
            Screen::StaffWaiting { .. } => "StaffWaiting",
            Screen::StaffCheck { .. } => "StaffCheck",
            Screen::CheckingEligibility => "CheckingEligibility",
            Screen::RegistrationOffer => "RegistrationOffer",
            Screen::Registered => "Registered",
            Screen::EligibilityProblem(_) => "EligibilityProblem",
            Screen::NoSharingInfo => "NoSharingInfo",
            Screen::ConsentStart => "ConsentStart",
            Screen::ConsentItems { .. } => "ConsentItems",
            Screen::ConsentReview { .. } => "ConsentReview",
            Screen::Prescription => "Prescription",
            Screen::Saving => "Saving",
            Screen::Done { .. } => "Done",
            Screen::Counter { .. } => "Counter",
        }
    }

    /// Screens that wait on a worker rather than the patient, and the final screens that wait for the
    /// card to be taken: no inactivity time-out there.
    pub fn exempt_from_timeout(&self) -> bool {
        matches!(
            self,
            Screen::Idle
                | Screen::Reading
                | Screen::Saving
                | Screen::CheckingEligibility
                | Screen::Done { .. }
                | Screen::Counter { .. }
        ) || matches!(self, Screen::CardFace { hold, .. } if hold.card_out())
    }
}
