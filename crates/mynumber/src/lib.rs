//! The My Number card as the reception sees it: values, not IO.
//!
//! [`MyNumberCard`] drives a [`kiosk_apdu::CardChannel`] through the card's applications
//! (JPKI AP, 券面事項入力補助AP, 券面事項確認AP; see `docs/CARD-NOTES.md`). Expected card results (a wrong
//! PIN, a blocked PIN, a non-My-Number card) are values; `Err` means the card or transport is broken.
//!
//! PIN safety: the only methods that send a VERIFY with data are [`MyNumberCard::verify_auth_pin`],
//! [`MyNumberCard::read_basic_four`] and [`MyNumberCard::read_card_face`], each exactly once per call, with
//! the secret the caller passed. Tries are read with the empty VERIFY, which spends none. Nothing here
//! retries a VERIFY.

// Card lengths, offsets and dates go into narrow fields: a cast that cuts one short reads the wrong
// bytes or the wrong day, so every narrowing is checked (or says why it cannot cut).
#![warn(clippy::cast_possible_truncation)]

mod card;
pub mod cert;
pub mod commands;
pub mod date;
pub mod ef;
pub mod face;
pub mod policy;
pub mod secrets;
pub mod text;
pub mod trust;

pub use card::{App, CardKind, Identification, MyNumberCard, PinOutcome, PinStatus, TextCredential};
pub use cert::{Certificate, CertificateError};
pub use date::Date;
pub use face::{CardFace, CardFaceCheck, CardFaceError, CardKeyError, CvCertificateError, TrustAnchor};
pub use policy::CertificateStatus;
pub use secrets::{AuthPin, CheckCodeB, SecretFormatError, TextPin};
pub use text::{BasicFour, BasicFourError};
pub use trust::{AnchorError, AuthTrust, TrustError};

use kiosk_apdu::tlv::TlvError;
use kiosk_apdu::{ApduError, StatusWord, TransportError};

/// The card or the transport is broken (not an expected outcome such as a wrong PIN).
///
/// The messages end up on staff screens and in logs: they name files, items, lengths and status
/// words, never a PIN or personal data. Each variant keeps the typed cause; the message already
/// includes it, so it is not repeated as [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The APDU exchange failed. Never holds [`ApduError::Transport`]: a transport failure is always
    /// [`CardError::Transport`], so "the card was taken away" has one place to be matched.
    #[error("{}", apdu_problem(.0))]
    Apdu(ApduError),
    #[error("unexpected status {sw} from the card while {during}")]
    Status { during: &'static str, sw: StatusWord },
    #[error("the card's {what} is malformed: {detail}")]
    Malformed { what: &'static str, detail: DataError },
    #[error("the card contradicts itself: {0}")]
    Contradicts(Contradiction),
    #[error("the card's {0} needs a credential that is not verified")]
    NeedsCredential(&'static str),
    #[error("the card has no {0}")]
    Missing(&'static str),
}

/// The message of [`CardError::Apdu`]: an unusable answer is the card's doing, an unencodable command
/// the kiosk's, and staff should not be sent looking at the wrong one.
fn apdu_problem(e: &ApduError) -> String {
    match e {
        ApduError::Command(c) => format!("the kiosk built an invalid command APDU: {c}"),
        other => format!("the card sent a malformed APDU: {other}"),
    }
}

/// Transport failures become [`CardError::Transport`]; every other APDU failure keeps its type in
/// [`CardError::Apdu`].
impl From<ApduError> for CardError {
    fn from(e: ApduError) -> Self {
        match e {
            ApduError::Transport(t) => CardError::Transport(t),
            other => CardError::Apdu(other),
        }
    }
}

/// What is wrong with a file read from the card ([`CardError::Malformed`]).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// The TLV header or structure of the file.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// The file declares more bytes than a READ BINARY offset can reach (15 bits): reading on would
    /// need an offset the command cannot carry.
    #[error("declares {declared} bytes, more than a READ BINARY offset reaches")]
    TooLarge { declared: usize },
    /// The card stopped answering data before the length the file declares.
    #[error("ends at {at} of {total} bytes")]
    EndsEarly { at: usize, total: usize },
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error(transparent)]
    BasicFour(#[from] BasicFourError),
    #[error(transparent)]
    CardFace(#[from] CardFaceError),
}

/// The card said something it cannot mean ([`CardError::Contradicts`]): a hostile or broken card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Contradiction {
    /// More tries left than the PIN has (docs/CARD-NOTES.md §5).
    #[error("{left} tries left on a PIN that has {max}")]
    TriesAboveMaximum { left: u8, max: u8 },
    /// A wrong entry did not lower the count: such a card would allow endless guessing.
    #[error("a wrong entry left {left} tries where {before} were left before")]
    TriesDidNotDrop { left: u8, before: u8 },
}

impl CardError {
    /// True when the card left the reader (the flow goes back to idle rather than showing a fault).
    pub fn is_card_gone(&self) -> bool {
        matches!(
            self,
            CardError::Transport(TransportError::CardRemoved | TransportError::NoCard)
        )
    }
}
