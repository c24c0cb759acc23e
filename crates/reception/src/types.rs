//! What the flow is told (results of the card, camera, records and staff) and what it shows.

use kiosk_mynumber::{CardKind, CertificateStatus};
use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

/// How the patient proves they hold the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Face,
    Pin,
}

/// Who confirmed the holder, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedBy {
    Face {
        distance_milli: u32,
        frames: u32,
    },
    Pin,
    /// Staff visual check (目視確認), with the staff member's id (not patient data).
    Staff {
        staff_id: String,
    },
}

/// The user-authentication PIN as read without spending a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinState {
    TriesLeft(u8),
    Blocked,
    /// A PIN-less card (顔認証マイナンバーカード): face or staff check only.
    NotSet,
}

/// What the card read found. Certificate issuer and serial key the eligibility roster; they identify a
/// certificate, not a name, but are kept only for the session.
#[derive(Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub kind: CardKind,
    pub certificate: CertificateStatus,
    pub cert_issuer: String,
    pub cert_serial: String,
    pub pin: PinState,
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

/// Why the card could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    NotMyNumberCard,
    /// The card answered nonsense or not at all; reinserting may help.
    Unreadable,
    /// The reader or the smart-card service is down.
    ReaderProblem,
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
    CameraUnavailable,
}

/// Guidance while the card front is read; mirrors `kiosk_cardfront::FrontGuidance` without depending on
/// the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontGuidanceKind {
    ShowCard,
    Closer,
    MoreLight,
    AvoidGlare,
    HoldStill,
}

/// Mirrors `kiosk_face::Guidance` without depending on the face engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidanceKind {
    NoFace,
    SeveralFaces,
    TooSmall,
    TooClose,
    OffCentre,
    TooDark,
    Backlit,
    Blurred,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinResult {
    Verified,
    Wrong {
        tries_left: u8,
    },
    Blocked,
    /// The card failed during VERIFY (not a wrong PIN): the try may or may not be spent.
    CardError,
}

/// `QualificationValidity` of the eligibility answer (docs/RECEPTION.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualification {
    /// 1 有効
    Valid,
    /// 2 無効
    Invalid,
    /// 3 無効(新しい資格あり)
    InvalidNewExists,
    /// 4 該当資格なし
    NoRecord,
    /// 5 複数該当
    Multiple,
    /// 6 有効(未登録): valid, but the card is not registered for health-insurance use yet.
    ValidUnregistered,
}

impl Qualification {
    pub fn code(self) -> u8 {
        match self {
            Qualification::Valid => 1,
            Qualification::Invalid => 2,
            Qualification::InvalidNewExists => 3,
            Qualification::NoRecord => 4,
            Qualification::Multiple => 5,
            Qualification::ValidUnregistered => 6,
        }
    }
    pub fn from_code(c: u8) -> Option<Qualification> {
        Some(match c {
            1 => Qualification::Valid,
            2 => Qualification::Invalid,
            3 => Qualification::InvalidNewExists,
            4 => Qualification::NoRecord,
            5 => Qualification::Multiple,
            6 => Qualification::ValidUnregistered,
            _ => return None,
        })
    }
}

/// The eligibility answer. The name is shown on the done screen only; wiped with the session.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct EligibilityAnswer {
    #[zeroize(skip)]
    pub qualification: Qualification,
    pub patient_name: String,
}

impl std::fmt::Debug for EligibilityAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EligibilityAnswer({:?}, <redacted>)", self.qualification)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligibilityFailure {
    Timeout,
    Error,
}

/// Consent items on the screen (docs/RECEPTION.md: 手術, 診療・薬, 健診).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentItem {
    Surgery,
    TreatmentAndMedicine,
    HealthCheckups,
}

pub const CONSENT_ITEMS: [ConsentItem; 3] = [
    ConsentItem::Surgery,
    ConsentItem::TreatmentAndMedicine,
    ConsentItem::HealthCheckups,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prescription {
    Paper,
    Electronic,
}

/// The consent choices, one per item (`None` = not chosen yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Consents {
    pub surgery: Option<bool>,
    pub treatment_and_medicine: Option<bool>,
    pub health_checkups: Option<bool>,
}

impl Consents {
    pub fn all(agree: bool) -> Consents {
        Consents {
            surgery: Some(agree),
            treatment_and_medicine: Some(agree),
            health_checkups: Some(agree),
        }
    }
    pub fn get(&self, item: ConsentItem) -> Option<bool> {
        match item {
            ConsentItem::Surgery => self.surgery,
            ConsentItem::TreatmentAndMedicine => self.treatment_and_medicine,
            ConsentItem::HealthCheckups => self.health_checkups,
        }
    }
    pub fn set(&mut self, item: ConsentItem, agree: bool) {
        let slot = match item {
            ConsentItem::Surgery => &mut self.surgery,
            ConsentItem::TreatmentAndMedicine => &mut self.treatment_and_medicine,
            ConsentItem::HealthCheckups => &mut self.health_checkups,
        };
        *slot = Some(agree);
    }
    pub fn complete(&self) -> bool {
        CONSENT_ITEMS.iter().all(|i| self.get(*i).is_some())
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
