//! Command APDUs (ISO 7816-4 §5.1), short and extended length.

use zeroize::Zeroize;

/// A command APDU. `ne` is the number of response bytes expected (1..=65536), `None` for none.
///
/// The data field is wiped when the command is dropped, and commands whose instruction carries a
/// secret (see [`Command::is_sensitive`]) print their data as `<redacted>` in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    data: Vec<u8>,
    ne: Option<u32>,
}

/// A command that cannot be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("command data of {0} bytes exceeds the extended-length limit of 65535")]
    DataTooLong(usize),
    #[error("expected response length {0} is outside 1..=65536")]
    BadNe(u32),
    #[error("a command APDU needs at least 4 bytes, got {0}")]
    TooShort(usize),
    #[error("malformed command APDU body ({0} bytes after the header)")]
    MalformedBody(usize),
    #[error("READ BINARY offset {0} does not fit the 15 bits of P1-P2")]
    OffsetTooLarge(usize),
}

/// Instructions whose data field is a secret: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER,
/// and the card's proprietary CHANGE KEY (`80 32`, docs/CARD-NOTES.md §3).
const SECRET_INS: [u8; 4] = [
    crate::iso::ins::VERIFY,
    crate::iso::ins::CHANGE_REFERENCE_DATA,
    crate::iso::ins::RESET_RETRY_COUNTER,
    crate::iso::ins::CHANGE_KEY,
];

/// The largest data field (Lc) of an extended APDU.
const MAX_DATA: usize = 65535;
/// The largest Ne: `00 00` in an extended Le means 65536.
const MAX_NE: u32 = 65536;
/// The largest Ne of a short APDU: `00` in a short Le means 256.
const MAX_SHORT_NE: u32 = 256;

impl Command {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            ne: None,
        }
    }
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data.zeroize();
        self.data = data.into();
        self
    }
    /// Expect `ne` response bytes (256 is encoded as a short `Le = 00`).
    pub fn with_ne(mut self, ne: u32) -> Self {
        self.ne = Some(ne);
        self
    }
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    pub fn ne(&self) -> Option<u32> {
        self.ne
    }
    /// True when the data field is a secret that must never be logged or recorded.
    pub fn is_sensitive(&self) -> bool {
        SECRET_INS.contains(&self.ins) && !self.data.is_empty()
    }
    /// True when this command needs the extended-length form.
    pub fn is_extended(&self) -> bool {
        self.data.len() > 255 || self.ne.is_some_and(|n| n > 256)
    }

    /// Encode, choosing the short form whenever both Lc and Le fit it.
    ///
    /// Lc and Le are converted with checks: a length that does not fit its field is an error, never
    /// a silently wrapped byte (a wrapped Lc would send a different command than the one built).
    pub fn to_bytes(&self) -> Result<Vec<u8>, CommandError> {
        let too_long = || CommandError::DataTooLong(self.data.len());
        if self.data.len() > MAX_DATA {
            return Err(too_long());
        }
        if let Some(ne) = self.ne
            && !(1..=MAX_NE).contains(&ne)
        {
            return Err(CommandError::BadNe(ne));
        }
        let mut out = Vec::with_capacity(9 + self.data.len());
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let extended = self.is_extended();
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                let lc = u16::try_from(self.data.len()).map_err(|_| too_long())?;
                out.extend_from_slice(&lc.to_be_bytes());
            } else {
                out.push(u8::try_from(self.data.len()).map_err(|_| too_long())?);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(ne) = self.ne {
            let bad_ne = || CommandError::BadNe(ne);
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                // Ne = 65536 is encoded as 00 00.
                let le = if ne == MAX_NE {
                    0
                } else {
                    u16::try_from(ne).map_err(|_| bad_ne())?
                };
                out.extend_from_slice(&le.to_be_bytes());
            } else {
                // Ne = 256 is encoded as 00.
                let le = if ne == MAX_SHORT_NE {
                    0
                } else {
                    u8::try_from(ne).map_err(|_| bad_ne())?
                };
                out.push(le);
            }
        }
        Ok(out)
    }

    /// Decode a command APDU (used by the virtual card). Accepts the four ISO cases in short and
    /// extended form.
    pub fn parse(bytes: &[u8]) -> Result<Command, CommandError> {
        if bytes.len() < 4 {
            return Err(CommandError::TooShort(bytes.len()));
        }
        let mut cmd = Command::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        let body = &bytes[4..];
        let bad = || CommandError::MalformedBody(body.len());
        match body.len() {
            0 => {}
            1 => {
                cmd.ne = Some(if body[0] == 0 {
                    MAX_SHORT_NE
                } else {
                    u32::from(body[0])
                })
            }
            _ if body[0] != 0 => {
                // Short Lc.
                let lc = usize::from(body[0]);
                let rest = &body[1..];
                if rest.len() == lc {
                    cmd.data = rest.to_vec();
                } else if rest.len() == lc + 1 {
                    cmd.data = rest[..lc].to_vec();
                    let le = rest[lc];
                    cmd.ne = Some(if le == 0 { MAX_SHORT_NE } else { u32::from(le) });
                } else {
                    return Err(bad());
                }
            }
            3 => {
                // Extended case 2: 00 Le1 Le2.
                let le = u32::from(u16::from_be_bytes([body[1], body[2]]));
                cmd.ne = Some(if le == 0 { MAX_NE } else { le });
            }
            n if n > 3 => {
                let lc = usize::from(u16::from_be_bytes([body[1], body[2]]));
                let rest = &body[3..];
                if lc == 0 {
                    return Err(bad());
                }
                if rest.len() == lc {
                    cmd.data = rest.to_vec();
                } else if rest.len() == lc + 2 {
                    cmd.data = rest[..lc].to_vec();
                    let le = u32::from(u16::from_be_bytes([rest[lc], rest[lc + 1]]));
                    cmd.ne = Some(if le == 0 { MAX_NE } else { le });
                } else {
                    return Err(bad());
                }
            }
            _ => return Err(bad()),
        }
        Ok(cmd)
    }

    /// The header and lengths as hex with the data redacted when sensitive: safe for logs.
    pub fn redacted_hex(&self) -> String {
        let head = crate::hex(&[self.cla, self.ins, self.p1, self.p2]);
        let data = if self.data.is_empty() {
            String::new()
        } else if self.is_sensitive() {
            format!(" Lc={} <redacted>", self.data.len())
        } else {
            format!(" {}", crate::hex(&self.data))
        };
        let le = self.ne.map(|n| format!(" Ne={n}")).unwrap_or_default();
        format!("{head}{data}{le}")
    }
}

impl Drop for Command {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Command({})", self.redacted_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso;
    use proptest::prelude::*;

    #[test]
    fn short_forms() {
        let select = iso::select_df(&[1, 2, 3]);
        assert_eq!(select.to_bytes().unwrap(), [0, 0xA4, 4, 0x0C, 3, 1, 2, 3]);
        let read = iso::read_binary_offset(0, 256).unwrap();
        assert_eq!(read.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0]);
        let query = iso::verify_status();
        assert_eq!(query.to_bytes().unwrap(), [0, 0x20, 0, 0x80]);
        let sign = Command::new(
            iso::cla::PROPRIETARY,
            iso::ins::PERFORM_SECURITY_OPERATION,
            0,
            0x80,
        )
        .with_data([9; 51])
        .with_ne(256);
        let b = sign.to_bytes().unwrap();
        assert_eq!(b.len(), 4 + 1 + 51 + 1);
        assert_eq!(*b.last().unwrap(), 0);
    }

    #[test]
    fn extended_forms() {
        let read = iso::read_binary_sfi(iso::Sfi::new(2).unwrap(), 65536);
        assert_eq!(read.to_bytes().unwrap(), [0, 0xB0, 0x82, 0, 0, 0, 0]);
        let big = Command::new(iso::cla::PROPRIETARY, iso::ins::PERFORM_SECURITY_OPERATION, 0, 0)
            .with_data(vec![7; 256])
            .with_ne(300);
        let b = big.to_bytes().unwrap();
        assert_eq!(&b[4..7], &[0, 1, 0]);
        assert_eq!(&b[b.len() - 2..], &[1, 44]);
        assert_eq!(Command::parse(&b).unwrap(), big);
    }

    #[test]
    fn lengths_that_do_not_fit_are_errors() {
        let read = iso::read_binary_offset(0, 65537).unwrap();
        assert_eq!(read.to_bytes(), Err(CommandError::BadNe(65537)));
        let long = iso::select_df(&[0; 65536]);
        assert_eq!(long.to_bytes(), Err(CommandError::DataTooLong(65536)));
    }

    #[test]
    fn verify_data_is_redacted() {
        let verify = iso::verify(b"1234");
        let shown = format!("{verify:?}");
        assert!(!shown.contains("31323334"), "{shown}");
        assert!(shown.contains("<redacted>"));
        // The empty query carries no secret and is shown as is.
        assert!(!iso::verify_status().is_sensitive());
    }

    proptest! {
        #[test]
        fn encode_parse_round_trip(cla: u8, ins: u8, p1: u8, p2: u8,
                                   data in proptest::collection::vec(any::<u8>(), 0..600),
                                   ne in proptest::option::of(1u32..=65536)) {
            let mut cmd = Command::new(cla, ins, p1, p2).with_data(data);
            if let Some(ne) = ne { cmd = cmd.with_ne(ne); }
            let bytes = cmd.to_bytes().unwrap();
            prop_assert_eq!(Command::parse(&bytes).unwrap(), cmd);
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Command::parse(&bytes);
        }
    }
}
