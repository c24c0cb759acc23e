//! The ISO/IEC 7816-4 interindustry commands the kiosk sends, one constructor per command, named after
//! what it does. Every command APDU of the kiosk is built here or in `kiosk_mynumber::commands` (the
//! card's proprietary ones), so the bytes sent are defined in one place and each has a test.
//!
//! The choice of P1/P2 follows what the public clients of the My Number card send and what was seen on
//! real cards (docs/CARD-NOTES.md §2–§3: OpenSC's card-jpki.c, hamano's jpki/myna, soltia48's
//! myna-card, siketyan's jpki-rs).

use crate::{Command, CommandError};

/// Class bytes.
pub mod cla {
    /// Interindustry class, logical channel 0, no secure messaging: the only channel the card has
    /// (`6881` otherwise, docs/CARD-NOTES.md §1.2).
    pub const INTERINDUSTRY: u8 = 0x00;
    /// Proprietary class: the card's signing command is `80 2A` (OpenSC card-jpki.c, myna).
    pub const PROPRIETARY: u8 = 0x80;
    /// The logical-channel bits of an interindustry class byte (ISO 7816-4 §5.4.1).
    pub const CHANNEL_BITS: u8 = 0x03;
}

/// Instruction bytes.
pub mod ins {
    /// VERIFY (ISO 7816-4 §7.5.6).
    pub const VERIFY: u8 = 0x20;
    /// CHANGE REFERENCE DATA (§7.5.7): carries old and new secret.
    pub const CHANGE_REFERENCE_DATA: u8 = 0x24;
    /// RESET RETRY COUNTER (§7.5.10): carries an unblocking secret.
    pub const RESET_RETRY_COUNTER: u8 = 0x2C;
    /// PERFORM SECURITY OPERATION (ISO 7816-8), sent with the proprietary class by the My Number
    /// card's COMPUTE DIGITAL SIGNATURE (`80 2A`, docs/CARD-NOTES.md §3).
    pub const PERFORM_SECURITY_OPERATION: u8 = 0x2A;
    /// The card's proprietary CHANGE KEY (`80 32`, docs/CARD-NOTES.md §3): carries key material.
    pub const CHANGE_KEY: u8 = 0x32;
    /// GET CHALLENGE (§7.5.3).
    pub const GET_CHALLENGE: u8 = 0x84;
    /// SELECT (§7.1.1).
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY (§7.2.3).
    pub const READ_BINARY: u8 = 0xB0;
    /// GET RESPONSE (§7.6.1).
    pub const GET_RESPONSE: u8 = 0xC0;
}

/// SELECT P1: select a DF by its name (AID).
const SELECT_BY_DF_NAME: u8 = 0x04;
/// SELECT P1: select an EF under the current DF by its file id.
const SELECT_EF_UNDER_DF: u8 = 0x02;
/// SELECT P2: return no FCI. The card answers only `9000` or `6A82`, which is all the kiosk needs and
/// saves a GET RESPONSE (docs/CARD-NOTES.md §2, confirmed: OpenSC card-jpki.c and myna select so).
const SELECT_NO_FCI: u8 = 0x0C;
/// READ BINARY P1 bit 8: P1 holds a short EF identifier in bits 1–5, P2 the offset (§7.2.3).
const READ_BY_SFI: u8 = 0x80;
/// The largest offset P1-P2 can address when bit 8 of P1 is clear: 15 bits.
pub const MAX_READ_OFFSET: usize = 0x7FFF;
/// VERIFY P2: bit 8 set means "specific reference data", here the secret EF selected just before
/// (docs/CARD-NOTES.md §3: `00 20 00 80`, as OpenSC card-jpki.c and myna-card send it).
const VERIFY_SELECTED_SECRET: u8 = 0x80;

/// A short EF identifier (ISO 7816-4 §5.3.1.1): 1..=30. Reading by SFI selects the EF in the same
/// command, which saves a SELECT per file (docs/CARD-NOTES.md §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sfi(u8);

impl Sfi {
    /// `None` outside 1..=30 (0 means "the current EF" and 31 is reserved, ISO 7816-4 §5.3.1.1).
    pub const fn new(sfi: u8) -> Option<Sfi> {
        if sfi >= 1 && sfi <= 30 {
            Some(Sfi(sfi))
        } else {
            None
        }
    }
    pub const fn get(self) -> u8 {
        self.0
    }
}

/// SELECT an application by its full AID, without FCI: `00 A4 04 0C Lc <AID>`.
///
/// The My Number card is recognised by selecting its JPKI application this way, not by its ATR, which
/// differs between card generations and readers (docs/CARD-NOTES.md §1.1–§2, confirmed: OpenSC
/// card-jpki.c, myna, myna-card all select by full AID).
pub fn select_df(aid: &[u8]) -> Command {
    Command::new(cla::INTERINDUSTRY, ins::SELECT, SELECT_BY_DF_NAME, SELECT_NO_FCI).with_data(aid)
}

/// SELECT an EF of the current application by its 2-byte file id, without FCI: `00 A4 02 0C 02 <FID>`
/// (docs/CARD-NOTES.md §2; OpenSC card-jpki.c, jpki-rs). Needed before VERIFY, which works on the
/// selected secret EF.
pub fn select_ef(fid: u16) -> Command {
    Command::new(cla::INTERINDUSTRY, ins::SELECT, SELECT_EF_UNDER_DF, SELECT_NO_FCI)
        .with_data(fid.to_be_bytes())
}

/// READ BINARY from offset 0 of the EF with short identifier `sfi`: `00 B0 <80+SFI> 00 <Le>`.
///
/// Selects the EF in the same command, so the first chunk of a file costs one APDU instead of two
/// (docs/CARD-NOTES.md §3.5; myna-card and jsapdu read by SFI).
pub fn read_binary_sfi(sfi: Sfi, ne: u32) -> Command {
    Command::new(cla::INTERINDUSTRY, ins::READ_BINARY, READ_BY_SFI | sfi.get(), 0).with_ne(ne)
}

/// READ BINARY of the current EF from `offset`: `00 B0 <offset, 15 bits> <Le>`.
///
/// An offset above [`MAX_READ_OFFSET`] is refused: its 16th bit would land in P1's bit 8 and turn the
/// command into a read by short EF identifier of some other file (docs/CARD-NOTES.md §3).
pub fn read_binary_offset(offset: usize, ne: u32) -> Result<Command, CommandError> {
    let p1p2 = u16::try_from(offset)
        .ok()
        .filter(|o| usize::from(*o) <= MAX_READ_OFFSET)
        .ok_or(CommandError::OffsetTooLarge(offset))?;
    let [p1, p2] = p1p2.to_be_bytes();
    Ok(Command::new(cla::INTERINDUSTRY, ins::READ_BINARY, p1, p2).with_ne(ne))
}

/// VERIFY `secret` against the secret EF selected just before: `00 20 00 80 Lc <secret>`.
///
/// The secret goes as the ASCII digits the patient typed, without padding (docs/CARD-NOTES.md §5;
/// OpenSC card-jpki.c, myna). The command is marked sensitive by its instruction, so it is redacted
/// in logs and transcripts, never resent by [`crate::transmit`], and its bytes are wiped on drop.
pub fn verify(secret: &[u8]) -> Command {
    verify_status().with_data(secret)
}

/// The empty VERIFY, `00 20 00 80`: asks how many tries are left on the selected secret EF and spends
/// none. The card answers `63Cx` even right after a successful VERIFY (docs/CARD-NOTES.md §3.2,
/// confirmed: OpenSC PR 959 with a trace, myna-card).
pub fn verify_status() -> Command {
    Command::new(cla::INTERINDUSTRY, ins::VERIFY, 0, VERIFY_SELECTED_SECRET)
}

/// GET RESPONSE for `ne` waiting bytes after a `61xx` answer: `<CLA> C0 00 00 <Le>`, on the logical
/// channel of the command being answered (`cla` is that command's class byte).
pub fn get_response(cla: u8, ne: u32) -> Command {
    Command::new(cla & cla::CHANNEL_BITS, ins::GET_RESPONSE, 0, 0).with_ne(ne)
}

/// GET CHALLENGE: `00 84 00 00 <Le>`, `ne` random bytes from the card (the virtual card answers it,
/// docs/CARD-NOTES.md §9).
pub fn get_challenge(ne: u32) -> Command {
    Command::new(cla::INTERINDUSTRY, ins::GET_CHALLENGE, 0, 0).with_ne(ne)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(command: &Command) -> Vec<u8> {
        command.to_bytes().unwrap()
    }

    #[test]
    fn select_df_sends_the_full_aid_without_fci() {
        let aid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(
            bytes(&select_df(&aid)),
            [
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01
            ]
        );
    }

    #[test]
    fn select_ef_sends_the_file_id() {
        assert_eq!(
            bytes(&select_ef(0x0018)),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]
        );
    }

    #[test]
    fn read_binary_sfi_puts_the_sfi_in_p1() {
        let sfi = Sfi::new(0x0A).unwrap();
        assert_eq!(bytes(&read_binary_sfi(sfi, 256)), [0x00, 0xB0, 0x8A, 0x00, 0x00]);
        let token = Sfi::new(0x06).unwrap();
        assert_eq!(bytes(&read_binary_sfi(token, 32)), [0x00, 0xB0, 0x86, 0x00, 0x20]);
        assert_eq!(Sfi::new(0), None);
        assert_eq!(Sfi::new(31), None);
        assert_eq!(Sfi::new(30).map(Sfi::get), Some(30));
    }

    #[test]
    fn read_binary_offset_uses_fifteen_bits() {
        assert_eq!(
            bytes(&read_binary_offset(0x0100, 256).unwrap()),
            [0x00, 0xB0, 0x01, 0x00, 0x00]
        );
        assert_eq!(
            bytes(&read_binary_offset(0x7FFF, 0x4A).unwrap()),
            [0x00, 0xB0, 0x7F, 0xFF, 0x4A]
        );
        assert_eq!(
            read_binary_offset(0x8000, 256),
            Err(CommandError::OffsetTooLarge(0x8000))
        );
        assert_eq!(
            read_binary_offset(0x1_0000, 256),
            Err(CommandError::OffsetTooLarge(0x1_0000))
        );
    }

    #[test]
    fn verify_sends_the_secret_and_is_sensitive() {
        let command = verify(b"1234");
        assert_eq!(
            bytes(&command),
            [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
        );
        assert!(command.is_sensitive());
        assert!(!format!("{command:?}").contains("31323334"));
    }

    #[test]
    fn verify_status_is_empty_and_not_sensitive() {
        assert_eq!(bytes(&verify_status()), [0x00, 0x20, 0x00, 0x80]);
        assert!(!verify_status().is_sensitive());
    }

    #[test]
    fn get_response_keeps_the_logical_channel() {
        assert_eq!(bytes(&get_response(0x00, 0x10)), [0x00, 0xC0, 0x00, 0x00, 0x10]);
        assert_eq!(bytes(&get_response(0x80, 256)), [0x00, 0xC0, 0x00, 0x00, 0x00]);
        assert_eq!(bytes(&get_response(0x01, 2)), [0x01, 0xC0, 0x00, 0x00, 0x02]);
    }

    #[test]
    fn get_challenge_asks_for_ne_bytes() {
        assert_eq!(bytes(&get_challenge(8)), [0x00, 0x84, 0x00, 0x00, 0x08]);
    }
}
