//! Parsing: the card first turns the APDU bytes into a [`CardCommand`], then executes it. Whatever can be
//! refused without looking at the card's state (a malformed APDU, a class the card does not speak, an
//! unknown instruction, wrong P1/P2) becomes a [`CardCommand::Refused`] here, with its status word; what
//! depends on the state (no current DF, a missing EF, a shut gate) is left to the card, in the order the
//! real card checks it (docs/CARD-NOTES.md §1.2, §3, §11).

use crate::files::Df;
use crate::status::Sw;
use kiosk_apdu::Command;
use zeroize::Zeroizing;

/// Instruction bytes the card knows.
mod ins {
    pub(super) const VERIFY: u8 = 0x20;
    pub(super) const CHANGE_REFERENCE_DATA: u8 = 0x24;
    /// COMPUTE DIGITAL SIGNATURE, proprietary class `80` (§3).
    pub(super) const SIGN: u8 = 0x2A;
    pub(super) const GET_CHALLENGE: u8 = 0x84;
    pub(super) const SELECT: u8 = 0xA4;
    pub(super) const READ_BINARY: u8 = 0xB0;
    pub(super) const GET_RESPONSE: u8 = 0xC0;
    pub(super) const GET_DATA: u8 = 0xCA;
}

/// The class byte's high nibble: interindustry `0x` or proprietary `8x`.
const INTERINDUSTRY: u8 = 0x00;
const PROPRIETARY: u8 = 0x80;

/// A command APDU as the card understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CardCommand {
    Select(Selection),
    /// READ BINARY; `ne` stays optional because a missing Le is refused only after the file checks.
    ReadBinary {
        address: ReadAddress,
        ne: Option<u32>,
    },
    /// VERIFY; an empty secret is the tries query (§3.2). `target` is `None` for a P2 that names no
    /// secret, refused after the DF check.
    Verify {
        target: Option<FileRef>,
        secret: Secret,
    },
    ChangeReferenceData {
        target: FileRef,
        new_value: Secret,
    },
    /// COMPUTE DIGITAL SIGNATURE. A P2 naming no key (`key: None`) and an unknown scheme
    /// (`scheme: None`) are refused only after the checks that come first on the card.
    Sign {
        key: Option<KeyRef>,
        scheme: Option<SignScheme>,
        input: Vec<u8>,
    },
    /// GET CHALLENGE of `len` random bytes.
    GetChallenge {
        len: u32,
    },
    /// Refused whatever the card's state.
    Refused {
        status: Sw,
        instruction: Instruction,
    },
}

/// A PIN or password from the command: wiped when dropped and never printed, as the reader's side does
/// with its commands.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    fn new(bytes: &[u8]) -> Secret {
        Secret(Zeroizing::new(bytes.to_vec()))
    }
}

impl std::ops::Deref for Secret {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// What SELECT names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selection {
    /// P1 = 04: an application by its full AID (§12 item 12: no prefix matching).
    Application(Df),
    /// P1 = 02: an EF of the current application by its id.
    Ef(u16),
    /// P1 = 00 without data: the MF.
    MasterFile,
}

/// What a READ BINARY addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadAddress {
    /// P1 = 80 + SFI, an 8-bit offset in P2; the EF becomes the current one.
    Sfi { fid: u16, offset: usize },
    /// The current EF, a 15-bit offset in P1 P2.
    Current { offset: usize },
}

impl ReadAddress {
    fn from_p1_p2(p1: u8, p2: u8) -> ReadAddress {
        if p1 & 0x80 != 0 {
            ReadAddress::Sfi {
                fid: u16::from(p1 & 0x1F),
                offset: usize::from(p2),
            }
        } else {
            ReadAddress::Current {
                offset: (usize::from(p1 & 0x7F) << 8) | usize::from(p2),
            }
        }
    }

    pub(crate) fn offset(self) -> usize {
        match self {
            ReadAddress::Sfi { offset, .. } | ReadAddress::Current { offset } => offset,
        }
    }
}

/// The secret or key a P2 names: `80` the current EF, `80 + SFI` that EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileRef {
    Current,
    Sfi(u16),
}

impl FileRef {
    fn from_p2(p2: u8) -> Option<FileRef> {
        match p2 {
            0x80 => Some(FileRef::Current),
            p if p & 0x80 != 0 => Some(FileRef::Sfi(u16::from(p & 0x1F))),
            _ => None,
        }
    }
}

/// The key a signature names in P2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRef {
    File(FileRef),
    /// P2 = 00: the 券面 AP's own card key (§3); refused in the other applications.
    CardKey,
}

/// The signing scheme of P1 (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignScheme {
    /// `00`: PKCS#1 v1.5 padding of what is sent (normally a DigestInfo).
    Pkcs1Padding,
    /// `01`: SHA-256 on the card, the bare hash padded.
    Pkcs1BareHash,
    /// `02`: a SHA-256 hash sent, its DigestInfo padded.
    Pkcs1Sha256OfHash,
    /// `03`: SHA-256 on the card, its DigestInfo padded.
    Pkcs1Sha256,
    /// `04`: PSS over a SHA-256 hash sent.
    PssOfHash,
    /// `05`: PSS, SHA-256 on the card.
    Pss,
}

impl SignScheme {
    fn from_p1(p1: u8) -> Option<SignScheme> {
        Some(match p1 {
            0x00 => SignScheme::Pkcs1Padding,
            0x01 => SignScheme::Pkcs1BareHash,
            0x02 => SignScheme::Pkcs1Sha256OfHash,
            0x03 => SignScheme::Pkcs1Sha256,
            0x04 => SignScheme::PssOfHash,
            0x05 => SignScheme::Pss,
            _ => return None,
        })
    }

    /// Whether the input length fits the scheme (`6700` otherwise).
    pub(crate) fn accepts(self, len: usize) -> bool {
        match self {
            SignScheme::Pkcs1Padding => (1..=245).contains(&len),
            SignScheme::Pkcs1Sha256OfHash | SignScheme::PssOfHash => len == 32,
            SignScheme::Pkcs1BareHash | SignScheme::Pkcs1Sha256 | SignScheme::Pss => len <= 255,
        }
    }
}

/// The instruction a command carries, kept on a refusal too: a hostile card bends the answers to READ
/// BINARY and GET RESPONSE whatever their class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Instruction {
    ReadBinary(ReadAddress),
    GetResponse,
    /// Any other instruction, or an APDU too malformed to tell.
    Other,
}

impl Instruction {
    fn of(apdu: &Command) -> Instruction {
        match apdu.ins {
            ins::READ_BINARY => Instruction::ReadBinary(ReadAddress::from_p1_p2(apdu.p1, apdu.p2)),
            ins::GET_RESPONSE => Instruction::GetResponse,
            _ => Instruction::Other,
        }
    }
}

impl CardCommand {
    /// Parse a command APDU.
    pub(crate) fn parse(bytes: &[u8]) -> CardCommand {
        let Ok(apdu) = Command::parse(bytes) else {
            return CardCommand::Refused {
                status: Sw::WRONG_LENGTH,
                instruction: Instruction::Other,
            };
        };
        // Extended length is visible only in the encoding (a zero byte where a short Lc/Le would be).
        let extended = bytes.len() > 5 && bytes[4] == 0;
        let refuse = |status| CardCommand::Refused {
            status,
            instruction: Instruction::of(&apdu),
        };
        if let Some(status) = class_refusal(&apdu) {
            return refuse(status);
        }
        match (apdu.cla & 0xF0, apdu.ins) {
            (INTERINDUSTRY, ins::SELECT) => select(&apdu).unwrap_or_else(refuse),
            (INTERINDUSTRY, ins::READ_BINARY) => CardCommand::ReadBinary {
                address: ReadAddress::from_p1_p2(apdu.p1, apdu.p2),
                ne: apdu.ne(),
            },
            (INTERINDUSTRY, ins::VERIFY) => verify(&apdu).unwrap_or_else(refuse),
            (INTERINDUSTRY, ins::CHANGE_REFERENCE_DATA) => {
                change_reference_data(&apdu).unwrap_or_else(refuse)
            }
            (PROPRIETARY, ins::SIGN) => CardCommand::Sign {
                key: match apdu.p2 {
                    0x00 => Some(KeyRef::CardKey),
                    p2 => FileRef::from_p2(p2).map(KeyRef::File),
                },
                scheme: SignScheme::from_p1(apdu.p1),
                input: apdu.data().to_vec(),
            },
            (INTERINDUSTRY, ins::GET_CHALLENGE) => get_challenge(&apdu, extended).unwrap_or_else(refuse),
            (INTERINDUSTRY, ins::GET_DATA) => refuse(Sw::DATA_NOT_FOUND),
            (INTERINDUSTRY | PROPRIETARY, _) => refuse(Sw::INS_NOT_SUPPORTED),
            _ => refuse(Sw::CLASS_NOT_SUPPORTED),
        }
    }

    /// The instruction this command carries.
    pub(crate) fn instruction(&self) -> Instruction {
        match self {
            CardCommand::ReadBinary { address, .. } => Instruction::ReadBinary(*address),
            CardCommand::Refused { instruction, .. } => *instruction,
            _ => Instruction::Other,
        }
    }
}

/// Only logical channel 0, and no secure messaging at card level (§1.2).
fn class_refusal(apdu: &Command) -> Option<Sw> {
    if apdu.cla & 0x03 != 0 {
        Some(Sw::CHANNEL_NOT_SUPPORTED)
    } else if apdu.cla & 0x0C == 0 {
        None
    } else if apdu.ins == ins::SELECT {
        Some(Sw::SECURE_MESSAGING_NOT_SUPPORTED)
    } else {
        Some(Sw::SM_DATA_MISSING)
    }
}

fn select(apdu: &Command) -> Result<CardCommand, Sw> {
    let selection = match (apdu.p1, apdu.data()) {
        (0x04, aid) => Selection::Application(Df::from_aid(aid).ok_or(Sw::FILE_NOT_FOUND)?),
        (0x02, [hi, lo]) => Selection::Ef(u16::from_be_bytes([*hi, *lo])),
        (0x00, []) => Selection::MasterFile,
        (0x00 | 0x02, _) => return Err(Sw::FILE_NOT_FOUND),
        _ => return Err(Sw::WRONG_P1_P2),
    };
    Ok(CardCommand::Select(selection))
}

fn verify(apdu: &Command) -> Result<CardCommand, Sw> {
    if apdu.p1 != 0 {
        return Err(Sw::WRONG_P1_P2);
    }
    Ok(CardCommand::Verify {
        target: FileRef::from_p2(apdu.p2),
        secret: Secret::new(apdu.data()),
    })
}

fn change_reference_data(apdu: &Command) -> Result<CardCommand, Sw> {
    match (apdu.p1, FileRef::from_p2(apdu.p2)) {
        (0x01, Some(target)) => Ok(CardCommand::ChangeReferenceData {
            target,
            new_value: Secret::new(apdu.data()),
        }),
        _ => Err(Sw::WRONG_P1_P2),
    }
}

/// GET CHALLENGE: the extended form is refused with `6985` (§3).
fn get_challenge(apdu: &Command, extended: bool) -> Result<CardCommand, Sw> {
    match apdu.ne() {
        _ if extended => Err(Sw::CONDITIONS_NOT_SATISFIED),
        Some(len) => Ok(CardCommand::GetChallenge { len }),
        None => Err(Sw::WRONG_LENGTH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(hex: &str) -> CardCommand {
        CardCommand::parse(&kiosk_apdu::unhex(hex).unwrap_or_default())
    }

    fn refused(status: Sw, instruction: Instruction) -> CardCommand {
        CardCommand::Refused { status, instruction }
    }

    #[test]
    fn commands_parse_into_their_typed_form() {
        assert_eq!(
            parse("00A4040C0AD392F000260100000001"),
            CardCommand::Select(Selection::Application(Df::Jpki))
        );
        assert_eq!(
            parse("00A4020C02000A"),
            CardCommand::Select(Selection::Ef(0x000A))
        );
        assert_eq!(
            parse("00B0860020"),
            CardCommand::ReadBinary {
                address: ReadAddress::Sfi { fid: 6, offset: 0 },
                ne: Some(32),
            }
        );
        assert_eq!(
            parse("00B0010000"),
            CardCommand::ReadBinary {
                address: ReadAddress::Current { offset: 256 },
                ne: Some(256),
            }
        );
        assert_eq!(
            parse("802A0097043031323300"),
            CardCommand::Sign {
                key: Some(KeyRef::File(FileRef::Sfi(0x17))),
                scheme: Some(SignScheme::Pkcs1Padding),
                input: b"0123".to_vec(),
            }
        );
        assert_eq!(parse("0084000008"), CardCommand::GetChallenge { len: 8 });
    }

    #[test]
    fn refusals_carry_their_status_word() {
        let other = Instruction::Other;
        assert_eq!(parse("00B0"), refused(Sw::WRONG_LENGTH, other));
        assert_eq!(parse("00A4040C05A000000001"), refused(Sw::FILE_NOT_FOUND, other));
        assert_eq!(parse("00A4000C023F00"), refused(Sw::FILE_NOT_FOUND, other));
        assert_eq!(parse("00A4080C023F00"), refused(Sw::WRONG_P1_P2, other));
        assert_eq!(parse("00200180"), refused(Sw::WRONG_P1_P2, other));
        assert_eq!(parse("002401000431323334"), refused(Sw::WRONG_P1_P2, other));
        assert_eq!(
            parse("00840000000008"),
            refused(Sw::CONDITIONS_NOT_SATISFIED, other)
        );
        assert_eq!(parse("00840000"), refused(Sw::WRONG_LENGTH, other));
        assert_eq!(parse("00CA010000"), refused(Sw::DATA_NOT_FOUND, other));
        assert_eq!(parse("00FF0000"), refused(Sw::INS_NOT_SUPPORTED, other));
        assert_eq!(parse("A0A4040C00"), refused(Sw::CLASS_NOT_SUPPORTED, other));
        assert_eq!(
            parse("0CA4040C00"),
            refused(Sw::SECURE_MESSAGING_NOT_SUPPORTED, other)
        );
    }

    #[test]
    fn a_refused_read_or_get_response_keeps_its_instruction() {
        let read = Instruction::ReadBinary(ReadAddress::Current { offset: 0x0102 });
        assert_eq!(parse("0CB0010200"), refused(Sw::SM_DATA_MISSING, read));
        assert_eq!(parse("01B0010200"), refused(Sw::CHANNEL_NOT_SUPPORTED, read));
        assert_eq!(
            parse("80C0000010"),
            refused(Sw::INS_NOT_SUPPORTED, Instruction::GetResponse)
        );
        assert_eq!(parse("00C0000010").instruction(), Instruction::GetResponse);
    }
}
