//! Status words (SW1 SW2) and their meaning on the My Number card.
//!
//! The mapping follows the card's observed behaviour (docs/CARD-NOTES.md §"Status words"):
//! `63Cx` is "x tries left" both for a wrong PIN and for the empty VERIFY query, `6984` is
//! "blocked" on every VERIFY after the lock, and `6983` was never observed on this card.

/// A raw two-byte status word.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: StatusWord = StatusWord(0x9000);

    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    pub fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
    pub fn is_ok(self) -> bool {
        self.0 == 0x9000
    }
    /// The typed meaning of this status word.
    pub fn status(self) -> Status {
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => Status::Ok,
            (0x61, n) => Status::MoreData(n),
            (0x63, x) if x & 0xF0 == 0xC0 => Status::RemainingRetries(x & 0x0F),
            (0x63, 0x00) => Status::VerificationFailed,
            (0x62, 0x82) => Status::EndOfFile,
            (0x67, 0x00) => Status::WrongLength,
            (0x68, 0x81) => Status::LogicalChannelNotSupported,
            (0x68, 0x82) => Status::SecureMessagingNotSupported,
            (0x69, 0x81) => Status::IncompatibleFileStructure,
            (0x69, 0x82) => Status::SecurityNotSatisfied,
            (0x69, 0x83) | (0x69, 0x84) => Status::Blocked,
            (0x69, 0x85) => Status::ConditionsNotSatisfied,
            (0x69, 0x86) => Status::NoCurrentEf,
            (0x6A, 0x82) => Status::NotFound,
            (0x6A, 0x86) => Status::IncorrectP1P2,
            (0x6A, 0x88) => Status::ReferencedDataNotFound,
            (0x6B, 0x00) => Status::OffsetOutOfRange,
            (0x6C, n) => Status::WrongLe(n),
            (0x6D, 0x00) => Status::InsNotSupported,
            (0x6E, 0x00) => Status::ClaNotSupported,
            (0x6F, 0x00) => Status::NoPreciseDiagnosis,
            _ => Status::Other(self),
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
        assert_eq!(StatusWord(0x1234).status(), Status::Other(StatusWord(0x1234)));
    }
}
