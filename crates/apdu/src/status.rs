//! Status words (SW1 SW2) and their meaning on the My Number card: the one table of status words in
//! the kiosk. Everything else names them ([`StatusWord::NOT_FOUND`]) or matches on [`Status`].
//!
//! The mapping follows the card's observed behaviour (docs/CARD-NOTES.md §"Status words"):
//! `63Cx` is "x tries left" both for a wrong PIN and for the empty VERIFY query, `6984` is
//! "blocked" on every VERIFY after the lock, and `6983` was never observed on this card.

/// A raw two-byte status word.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `9000`: normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// `6300`: verification failed, no counter given (ISO 7816-4; not seen from the My Number card).
    pub const VERIFICATION_FAILED: StatusWord = StatusWord(0x6300);
    /// `63C0`: the last try was used; with the low nibble, x tries left (see
    /// [`StatusWord::remaining_retries`]). The card answers `63Cx` to a wrong secret and to the empty
    /// VERIFY (docs/CARD-NOTES.md §3.2, OpenSC card-jpki.c).
    pub const NO_RETRIES_LEFT: StatusWord = StatusWord(0x63C0);
    /// `6282`: end of file reached before Ne bytes.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// `6700`: wrong length (Lc or Le).
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// `6881`: logical channel not supported (the card has channel 0 only, §1.2).
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: StatusWord = StatusWord(0x6881);
    /// `6882`: secure messaging not supported (§1.2).
    pub const SECURE_MESSAGING_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);
    /// `6981`: command incompatible with the file structure (READ BINARY on a key or PIN EF, §3.4).
    pub const INCOMPATIBLE_FILE_STRUCTURE: StatusWord = StatusWord(0x6981);
    /// `6982`: security status not satisfied (a protected EF or key without its PIN, §3.4).
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// `6983`: authentication method blocked (ISO 7816-4; never seen from this card, §3.2).
    pub const AUTHENTICATION_BLOCKED: StatusWord = StatusWord(0x6983);
    /// `6984`: reference data not usable; this card's answer to every VERIFY once the PIN is blocked
    /// (§3.2, confirmed by OpenSC and myna-card).
    pub const BLOCKED: StatusWord = StatusWord(0x6984);
    /// `6985`: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// `6986`: command not allowed, no current EF.
    pub const NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
    /// `6A81`: function not supported; one of the answers of a card that does not read by short EF
    /// identifier (§3.5).
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    /// `6A82`: file or application not found (how a card without the JPKI AP answers, §2).
    pub const NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// `6A86`: incorrect P1-P2 (e.g. an unknown signing scheme, §3.1).
    pub const INCORRECT_P1P2: StatusWord = StatusWord(0x6A86);
    /// `6A88`: referenced data not found.
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// `6B00`: offset at or past the end of the EF (§3.4).
    pub const OFFSET_OUT_OF_RANGE: StatusWord = StatusWord(0x6B00);
    /// `6D00`: instruction not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// `6E00`: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// `6F00`: no precise diagnosis.
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);

    /// `63Cx`: x tries left on the secret (x is 0..=15; larger values are cut to the low nibble, which
    /// is all the status word can carry).
    pub const fn remaining_retries(tries: u8) -> StatusWord {
        StatusWord(0x63C0 | (tries & 0x0F) as u16)
    }
    /// `61xx`: xx more bytes are waiting for GET RESPONSE (`00` means 256).
    pub const fn more_data(available: u8) -> StatusWord {
        StatusWord(0x6100 | available as u16)
    }
    /// `6Cxx`: wrong Le, the card has xx bytes (`00` means 256).
    pub const fn wrong_le(exact: u8) -> StatusWord {
        StatusWord(0x6C00 | exact as u16)
    }

    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }
    pub const fn sw1(self) -> u8 {
        self.to_bytes()[0]
    }
    pub const fn sw2(self) -> u8 {
        self.to_bytes()[1]
    }
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
    pub fn is_ok(self) -> bool {
        self == StatusWord::OK
    }
    /// The typed meaning of this status word.
    pub fn status(self) -> Status {
        const SW1_MORE_DATA: u8 = StatusWord::more_data(0).sw1();
        const SW1_WRONG_LE: u8 = StatusWord::wrong_le(0).sw1();
        const SW1_RETRIES: u8 = StatusWord::NO_RETRIES_LEFT.sw1();
        match self {
            StatusWord::OK => Status::Ok,
            StatusWord::VERIFICATION_FAILED => Status::VerificationFailed,
            StatusWord::END_OF_FILE => Status::EndOfFile,
            StatusWord::WRONG_LENGTH => Status::WrongLength,
            StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED => Status::LogicalChannelNotSupported,
            StatusWord::SECURE_MESSAGING_NOT_SUPPORTED => Status::SecureMessagingNotSupported,
            StatusWord::INCOMPATIBLE_FILE_STRUCTURE => Status::IncompatibleFileStructure,
            StatusWord::SECURITY_NOT_SATISFIED => Status::SecurityNotSatisfied,
            StatusWord::AUTHENTICATION_BLOCKED | StatusWord::BLOCKED => Status::Blocked,
            StatusWord::CONDITIONS_NOT_SATISFIED => Status::ConditionsNotSatisfied,
            StatusWord::NO_CURRENT_EF => Status::NoCurrentEf,
            StatusWord::FUNCTION_NOT_SUPPORTED => Status::FunctionNotSupported,
            StatusWord::NOT_FOUND => Status::NotFound,
            StatusWord::INCORRECT_P1P2 => Status::IncorrectP1P2,
            StatusWord::REFERENCED_DATA_NOT_FOUND => Status::ReferencedDataNotFound,
            StatusWord::OFFSET_OUT_OF_RANGE => Status::OffsetOutOfRange,
            StatusWord::INS_NOT_SUPPORTED => Status::InsNotSupported,
            StatusWord::CLA_NOT_SUPPORTED => Status::ClaNotSupported,
            StatusWord::NO_PRECISE_DIAGNOSIS => Status::NoPreciseDiagnosis,
            _ => match self.to_bytes() {
                [SW1_MORE_DATA, n] => Status::MoreData(n),
                [SW1_WRONG_LE, n] => Status::WrongLe(n),
                [SW1_RETRIES, x] if x & 0xF0 == 0xC0 => Status::RemainingRetries(x & 0x0F),
                _ => Status::Other(self),
            },
        }
    }
}

/// The status word that means `status`: the inverse of [`StatusWord::status`], for cards that answer
/// (the virtual card) and for tests.
impl From<Status> for StatusWord {
    fn from(status: Status) -> StatusWord {
        match status {
            Status::Ok => StatusWord::OK,
            Status::MoreData(n) => StatusWord::more_data(n),
            Status::RemainingRetries(n) => StatusWord::remaining_retries(n),
            Status::VerificationFailed => StatusWord::VERIFICATION_FAILED,
            Status::EndOfFile => StatusWord::END_OF_FILE,
            Status::WrongLength => StatusWord::WRONG_LENGTH,
            Status::LogicalChannelNotSupported => StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED,
            Status::SecureMessagingNotSupported => StatusWord::SECURE_MESSAGING_NOT_SUPPORTED,
            Status::IncompatibleFileStructure => StatusWord::INCOMPATIBLE_FILE_STRUCTURE,
            Status::SecurityNotSatisfied => StatusWord::SECURITY_NOT_SATISFIED,
            Status::Blocked => StatusWord::BLOCKED,
            Status::ConditionsNotSatisfied => StatusWord::CONDITIONS_NOT_SATISFIED,
            Status::NoCurrentEf => StatusWord::NO_CURRENT_EF,
            Status::FunctionNotSupported => StatusWord::FUNCTION_NOT_SUPPORTED,
            Status::NotFound => StatusWord::NOT_FOUND,
            Status::IncorrectP1P2 => StatusWord::INCORRECT_P1P2,
            Status::ReferencedDataNotFound => StatusWord::REFERENCED_DATA_NOT_FOUND,
            Status::OffsetOutOfRange => StatusWord::OFFSET_OUT_OF_RANGE,
            Status::WrongLe(n) => StatusWord::wrong_le(n),
            Status::InsNotSupported => StatusWord::INS_NOT_SUPPORTED,
            Status::ClaNotSupported => StatusWord::CLA_NOT_SUPPORTED,
            Status::NoPreciseDiagnosis => StatusWord::NO_PRECISE_DIAGNOSIS,
            Status::Other(sw) => sw,
        }
    }
}

impl std::fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// What a status word means, as a value the caller can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// `61xx`: more response data, fetch with GET RESPONSE (handled by [`crate::transmit`]).
    MoreData(u8),
    /// `63Cx`: wrong secret (or the empty-VERIFY query): x tries left.
    RemainingRetries(u8),
    /// `6300`: verification failed without a counter.
    VerificationFailed,
    /// `6282`: end of file reached before Le bytes.
    EndOfFile,
    /// `6700`.
    WrongLength,
    /// `6881`: only logical channel 0 works on this card.
    LogicalChannelNotSupported,
    /// `6882`.
    SecureMessagingNotSupported,
    /// `6981`: e.g. READ BINARY on an internal key EF.
    IncompatibleFileStructure,
    /// `6982`: the file or key needs a credential that is not verified.
    SecurityNotSatisfied,
    /// `6984` (and ISO `6983`): the credential is blocked.
    Blocked,
    /// `6985`.
    ConditionsNotSatisfied,
    /// `6986`.
    NoCurrentEf,
    /// `6A81`.
    FunctionNotSupported,
    /// `6A82`: file or application not found.
    NotFound,
    /// `6A86`.
    IncorrectP1P2,
    /// `6A88`.
    ReferencedDataNotFound,
    /// `6B00`: offset at or past the end of the EF.
    OffsetOutOfRange,
    /// `6Cxx`: wrong Le, resend with xx (handled by [`crate::transmit`]).
    WrongLe(u8),
    /// `6D00`.
    InsNotSupported,
    /// `6E00`.
    ClaNotSupported,
    /// `6F00`.
    NoPreciseDiagnosis,
    Other(StatusWord),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_and_blocked_are_typed() {
        assert_eq!(StatusWord(0x63C2).status(), Status::RemainingRetries(2));
        assert_eq!(StatusWord(0x63C0).status(), Status::RemainingRetries(0));
        assert_eq!(StatusWord(0x6984).status(), Status::Blocked);
        assert_eq!(StatusWord(0x6A82).status(), Status::NotFound);
        assert_eq!(StatusWord(0x6A81).status(), Status::FunctionNotSupported);
        assert_eq!(StatusWord(0x1234).status(), Status::Other(StatusWord(0x1234)));
        assert_eq!(StatusWord(0x6183).status(), Status::MoreData(0x83));
        assert_eq!(StatusWord(0x6C10).status(), Status::WrongLe(0x10));
        assert_eq!(StatusWord(0x6310).status(), Status::Other(StatusWord(0x6310)));
    }

    #[test]
    fn named_status_words_have_their_iso_values() {
        assert_eq!(StatusWord::OK.to_bytes(), [0x90, 0x00]);
        assert_eq!(StatusWord::NOT_FOUND.to_bytes(), [0x6A, 0x82]);
        assert_eq!(StatusWord::BLOCKED.to_bytes(), [0x69, 0x84]);
        assert_eq!(StatusWord::NO_RETRIES_LEFT.to_bytes(), [0x63, 0xC0]);
        assert_eq!(StatusWord::remaining_retries(3).to_bytes(), [0x63, 0xC3]);
        assert_eq!(StatusWord::more_data(0).to_bytes(), [0x61, 0x00]);
        assert_eq!(StatusWord::wrong_le(4).to_bytes(), [0x6C, 0x04]);
    }

    #[test]
    fn every_status_round_trips_through_its_status_word() {
        for sw in 0..=u16::MAX {
            let sw = StatusWord(sw);
            let status = sw.status();
            assert_eq!(StatusWord::from(status).status(), status, "{sw:?}");
            if sw != StatusWord::AUTHENTICATION_BLOCKED {
                assert_eq!(StatusWord::from(status), sw);
            }
        }
    }
}
