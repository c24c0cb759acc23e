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

mod card;
pub mod cert;
pub mod commands;
pub mod date;
pub mod ef;
pub mod face;
pub mod policy;
pub mod secrets;
pub mod text;

pub use card::{App, CardKind, Identification, MyNumberCard, PinOutcome, PinStatus, TextCredential};
pub use cert::{Certificate, CertificateError};
pub use date::Date;
pub use face::{CardFace, CardFaceCheck, TrustAnchor};
pub use policy::CertificateStatus;
pub use secrets::{AuthPin, CheckCodeB, SecretFormatError, TextPin};
pub use text::BasicFour;

use kiosk_apdu::{StatusWord, TransportError};

/// The card or the transport is broken (not an expected outcome such as a wrong PIN).
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the card sent a malformed APDU: {0}")]
    Apdu(String),
    #[error("unexpected status {sw} from the card while {during}")]
    Status { during: &'static str, sw: StatusWord },
    #[error("the card's {what} is malformed: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("the card contradicts itself: {0}")]
    Contradicts(String),
    #[error("the card's {0} needs a credential that is not verified")]
    NeedsCredential(&'static str),
    #[error("the card has no {0}")]
    Missing(&'static str),
}

impl From<kiosk_apdu::ApduError> for CardError {
    fn from(e: kiosk_apdu::ApduError) -> Self {
        match e {
            kiosk_apdu::ApduError::Transport(t) => CardError::Transport(t),
            other => CardError::Apdu(other.to_string()),
        }
    }
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
