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
    /// The patient pressed 「受付をやめる」: the reception ended as if the card had been taken away;
    /// the screen asks for the card (or phone) and returns to the start when it is taken.
    Stopped,
}

/// What a screen is waiting for while a way out of it is greyed: a card command, the face check or the
/// PIN check under way. Going back then would leave an answer in flight for a screen the patient has
/// left (a 照合番号B try on a card front already read, a face match about to decide, a VERIFY's tries
/// left), so the button waits, and says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The card front and the photo are being read (a 照合番号B try may be about to be spent).
    Card,
    /// The liveness check asked for the head turn: the face match is deciding.
    Face,
    /// The card is checking the PIN typed (one VERIFY, answered within a moment).
    Pin,
}

/// Whether a way out is on the screen and whether it can be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Not on this screen: there is no step to go back to, or nothing to stop.
    Absent,
    /// Drawn and pressable.
    Open,
    /// Drawn greyed, with the reason.
    Busy(Busy),
}

/// The two ways out the frame draws at the bottom of a screen: 「戻る」 and 「受付をやめる」. The flow
/// takes [`Press::Back`](crate::Press::Back) and [`Press::Stop`](crate::Press::Stop) only where these
/// are [`Way::Open`], so what the patient sees and what the flow does are one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ways {
    pub back: Way,
    pub stop: Way,
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
            Screen::Stopped => "Stopped",
        }
    }

    /// Whether the card (or phone) is on the reader in a reception under way, so that taking it away, or
    /// 「受付をやめる」, ends the reception (the footer says so). Not on the start screen and the phone
    /// guide (no card yet), nor where the screen already asks for the card back, nor on the staff screens.
    pub fn card_in_use(&self) -> bool {
        !matches!(
            self,
            Screen::Idle
                | Screen::PhoneGuide { .. }
                | Screen::NotMyNumberCard
                | Screen::CardUnreadable
                | Screen::ReaderProblem
                | Screen::PhonePinBlocked
                | Screen::PhoneNotConfirmed
                | Screen::PhoneRemovedEarly
                | Screen::EligibilityProblem(_)
                | Screen::Done { .. }
                | Screen::Counter { .. }
                | Screen::Stopped
                | Screen::StaffLogin { .. }
                | Screen::StaffCheck { .. }
        )
    }

    /// What the screen is waiting for that a way out must not overtake (see [`Busy`]).
    pub fn busy(&self) -> Option<Busy> {
        match self {
            Screen::CardFace { .. } => Some(Busy::Card),
            Screen::FaceMatching { turn: Some(_), .. } => Some(Busy::Face),
            Screen::PinEntry { verifying: true, .. } | Screen::PhonePin { verifying: true, .. } => {
                Some(Busy::Pin)
            }
            _ => None,
        }
    }

    /// 「戻る」 and 「受付をやめる」 on this screen.
    ///
    /// Back is offered where the step before can be shown again without undoing anything the card or
    /// the records hold: from the PIN pad and the face camera to the choice of method, within consent
    /// to the previous consent step, from the prescription to the consent review, from the smartphone
    /// guide to the start. Not from the choice screens and notices (the step before them is the card
    /// read or the eligibility check, which are not asked again), nor from screens waiting on a worker.
    ///
    /// Stop is offered wherever the card is in use, except while the PIN is being checked (the answer
    /// is a moment away, and it says how many tries are left), the eligibility check runs and the
    /// record is saved (both write what the receipt computer reads: a stop then would contradict it).
    pub fn ways(&self) -> Ways {
        let busy = self.busy();
        let back = match self {
            Screen::PhoneGuide { .. }
            | Screen::CardFace { .. }
            | Screen::FaceMatching { .. }
            | Screen::PinEntry { .. }
            | Screen::ConsentItems { .. }
            | Screen::ConsentReview { .. }
            | Screen::Prescription => busy.map_or(Way::Open, Way::Busy),
            _ => Way::Absent,
        };
        let records = matches!(self, Screen::CheckingEligibility | Screen::Saving);
        let stop = match busy {
            Some(Busy::Pin) => Way::Busy(Busy::Pin),
            _ if self.card_in_use() && !records => Way::Open,
            _ => Way::Absent,
        };
        Ways { back, stop }
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
                | Screen::Stopped
        ) || matches!(self, Screen::CardFace { hold, .. } if hold.card_out())
    }
}
