//! What the flow is told (results of the card, camera, records and staff) and what it shows.

use kiosk_mynumber::{CardKind, CertificateStatus, PinStatus};
use kiosk_screens::{
    Consents, EligibilityFailure, FrontGuidanceKind, GuidanceKind, Prescription, Qualification, TurnPrompt,
};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Who confirmed the holder, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedBy {
    Face {
        distance_milli: u32,
        frames: u32,
    },
    Pin,
    /// The holder confirmed on their own iPhone (Face ID or Touch ID) before holding it to the reader,
    /// which then signed the kiosk's challenge (GUESS, docs/CARD-NOTES.md §4.5).
    PhoneBiometric,
    /// Staff visual check (目視確認), with the staff member's id (not patient data).
    Staff {
        staff_id: String,
    },
}

/// What the card read found. Certificate issuer and serial key the eligibility roster; they identify a
/// certificate, not a name, but are kept only for the session.
#[derive(Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub kind: CardKind,
    pub certificate: CertificateStatus,
    pub cert_issuer: String,
    pub cert_serial: String,
    /// Tries left on the user-authentication PIN, read without spending one; `None` for a card with no
    /// PIN set (顔認証マイナンバーカード: face or staff check only).
    pub pin: Option<PinStatus>,
}

impl std::fmt::Debug for CardFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CardFacts({:?}, {:?}, {:?})",
            self.kind, self.certificate, self.pin
        )
    }
}

/// Which smartphone: the token label in JPKI EF 0006 says (docs/CARD-NOTES.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phone {
    /// `JPKIAPGPSETOKEN`: the certificate is read only after the phone's own PIN, typed at the kiosk.
    Android,
    /// `JPKIAPIOSTOKEN` (GUESS): the holder confirms with Face ID or Touch ID on the phone itself.
    Iphone,
}

/// What a card read found: a card with its facts, or a smartphone's JPKI token (issue 16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardRead {
    Card(CardFacts),
    /// An Android phone whose certificate is behind its PIN: the tries, read without spending one.
    PhoneLocked {
        pin: PinStatus,
    },
    /// An iPhone whose certificate did not open: its holder has not confirmed on the phone (GUESS).
    PhoneNotConfirmed,
    /// A phone whose holder is confirmed (Android: its PIN, verified at this kiosk; iPhone: on the phone),
    /// whose certificate chains to J-LIS and whose key signed the kiosk's fresh challenge.
    PhoneConfirmed {
        phone: Phone,
        facts: CardFacts,
    },
}

/// Why the card could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    NotMyNumberCard,
    /// The card answered nonsense or not at all; reinserting may help.
    Unreadable,
    /// The reader or the smart-card service is down.
    ReaderProblem,
}

/// Why a card put back on the one-camera card-face step does not continue the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnRefused {
    /// Its user-authentication certificate is not byte for byte the one read before (another card, or a
    /// phone or a card with no such certificate).
    OtherCard,
    /// It could not be read again.
    Read(ReadFailure),
}

/// The outcome of reading the card face with 照合番号B (card front → code → photo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFaceOutcome {
    /// The photo is read and checked genuine; matching can start.
    PhotoReady,
    /// The card has no photo (under 1 year): PIN only.
    NoPhoto,
    /// The card front could not be read (nothing confident within the time allowed, or the camera is
    /// gone); no try was spent.
    Unavailable,
    /// The card refused the 照合番号B read from the front: one try spent (audited, without the digits).
    CodeRefused,
    /// Too few 照合番号B tries remain to risk one; none was spent.
    TooFewTries,
    /// The card-face data failed its signature or card-key check.
    NotGenuine,
}

/// The card failed during VERIFY (not a wrong PIN): the try may or may not be spent, so the patient goes
/// to the counter rather than being asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinCheckFailed;

/// Face matching results from the camera worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceEvent {
    /// Guidance for the patient (`None` = the frame is fine).
    Guidance(Option<GuidanceKind>),
    Matched {
        distance_milli: u32,
        frames: u32,
    },
    NotMatched {
        distance_milli: u32,
        frames: u32,
    },
    /// The liveness check asks for this head turn now.
    Turn(TurnPrompt),
    /// The liveness check refused (no turn, a turn the wrong way, a near-copy of the card photo, a
    /// screen): the face is not accepted, whatever it matched.
    NotLive,
    CameraUnavailable,
}

/// The eligibility answer. The name is shown on the done screen only; wiped with the session.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct EligibilityAnswer {
    #[zeroize(skip)]
    pub qualification: Qualification,
    /// Whether the card is registered for health-insurance use (利用登録). A valid qualification on an
    /// unregistered card leads to the registration offer (the reader "switches automatically to the
    /// 利用登録 screen": SCSK健保 Q&A, /work/shared/docs/reception-rules.md §1.2).
    pub registered: bool,
    pub patient_name: String,
}

impl std::fmt::Debug for EligibilityAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EligibilityAnswer({:?}, registered {}, <redacted>)",
            self.qualification, self.registered
        )
    }
}

/// What is recorded when a reception completes: no name, no address, no birth date, no photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionRecord {
    pub reception_id: u64,
    pub started_at: i64,
    pub finished_at: i64,
    pub verified_by: VerifiedBy,
    pub qualification: Qualification,
    pub cert_issuer: String,
    pub cert_serial: String,
    /// `None` when information sharing is not allowed (expired certificate in its grace period).
    pub consents: Option<Consents>,
    pub consent_time: Option<i64>,
    pub prescription: Option<Prescription>,
}

/// What the workers answer (card, camera, records). Only the kiosk core feeds these to the flow; the
/// screens cannot build them (the UI crate does not depend on this crate).
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerResult {
    CardRead(Result<CardRead, ReadFailure>),
    /// The card put back after showing its front (one-camera kiosk): the same certificate, byte for
    /// byte, and what was read again from it; or why not.
    CardReturned(Result<CardFacts, ReturnRefused>),
    CardFaceRead(CardFaceOutcome),
    /// Guidance from the card-front reader (`None`: the front is readable, hold on).
    CardFrontGuidance(Option<FrontGuidanceKind>),
    Face(FaceEvent),
    PinVerified(Result<kiosk_mynumber::PinOutcome, PinCheckFailed>),
    /// The staff code matched this staff member (`None`: it matched nobody).
    StaffCodeChecked(Option<String>),
    Eligibility(Result<EligibilityAnswer, EligibilityFailure>),
    RecordSaved(bool),
}
