//! The status words the virtual card answers, in one table (docs/CARD-NOTES.md §11): the handlers name
//! what they mean, and a changed code is changed here only.

/// A status word (SW1 SW2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sw(pub(crate) u16);

impl Sw {
    pub(crate) const OK: Sw = Sw(0x9000);
    /// `6282`: end of file reached before Le bytes (a hostile card's truncated certificate).
    pub(crate) const END_OF_FILE: Sw = Sw(0x6282);
    pub(crate) const WRONG_LENGTH: Sw = Sw(0x6700);
    /// Only logical channel 0 (§1.2).
    pub(crate) const CHANNEL_NOT_SUPPORTED: Sw = Sw(0x6881);
    /// No secure messaging at card level, as SELECT answers it (§1.2).
    pub(crate) const SECURE_MESSAGING_NOT_SUPPORTED: Sw = Sw(0x6882);
    /// A key or PIN EF is not a readable file.
    pub(crate) const INCOMPATIBLE_FILE: Sw = Sw(0x6981);
    pub(crate) const SECURITY_NOT_SATISFIED: Sw = Sw(0x6982);
    /// The secret is blocked (no tries left).
    pub(crate) const BLOCKED: Sw = Sw(0x6984);
    pub(crate) const CONDITIONS_NOT_SATISFIED: Sw = Sw(0x6985);
    /// No current DF or EF to act on.
    pub(crate) const NO_CURRENT_FILE: Sw = Sw(0x6986);
    /// Secure messaging refused by the other commands (§1.2).
    pub(crate) const SM_DATA_MISSING: Sw = Sw(0x69FC);
    pub(crate) const FILE_NOT_FOUND: Sw = Sw(0x6A82);
    pub(crate) const WRONG_P1_P2: Sw = Sw(0x6A86);
    pub(crate) const DATA_NOT_FOUND: Sw = Sw(0x6A88);
    pub(crate) const OFFSET_PAST_END: Sw = Sw(0x6B00);
    pub(crate) const INS_NOT_SUPPORTED: Sw = Sw(0x6D00);
    pub(crate) const CLASS_NOT_SUPPORTED: Sw = Sw(0x6E00);
    /// No precise diagnosis: the real card's answer to the first command after power-up (§1.2).
    pub(crate) const NO_PRECISE_DIAGNOSIS: Sw = Sw(0x6F00);
    /// Not an ISO 7816-4 status word at all (SW1 neither 6x nor 9x): a hostile card's.
    pub(crate) const INVALID: Sw = Sw(0x1234);

    /// `63Cx`: x tries left, the answer to a wrong secret and to the tries query (§3.2).
    pub(crate) fn tries_left(tries: u8) -> Sw {
        Sw(0x63C0 | u16::from(tries))
    }

    /// Whether this is a `63Cx` tries count.
    pub(crate) fn is_tries_left(self) -> bool {
        self.0 & 0xFFF0 == 0x63C0
    }

    /// `61xx`: xx more bytes wait for GET RESPONSE.
    pub(crate) fn more_data(bytes: u8) -> Sw {
        Sw(0x6100 | u16::from(bytes))
    }
}
