//! ISO 7816-4 command and response APDUs, typed status words, BER-TLV helpers and the
//! [`CardChannel`] transport trait that every card backend (PC/SC, the virtual card) implements.
//!
//! The interindustry commands the kiosk sends are built by the constructors of [`iso`], the one place
//! their bytes are written down; the status words are named in [`StatusWord`].
//!
//! This crate does no IO and never logs. Commands that carry secrets (VERIFY, CHANGE REFERENCE DATA)
//! are marked sensitive: their data is redacted in `Debug` and in transcripts, and wiped on drop.

// Card lengths go into one-byte and two-byte fields (Lc, Le, offsets, TLV lengths): a cast that cuts
// one short sends a different command than the one built, so every narrowing is checked.
#![warn(clippy::cast_possible_truncation)]

mod channel;
mod command;
pub mod iso;
mod response;
mod status;
pub mod tlv;
pub mod transcript;

pub use channel::{CardChannel, TransportError, transmit};
pub use command::{Command, CommandError};
pub use response::{Response, ResponseError};
pub use status::{Status, StatusWord};

/// Errors of the APDU layer: either the transport broke or the card's answer could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ApduError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Response(#[from] ResponseError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("the card kept asking for GET RESPONSE / a new Le beyond {0} rounds")]
    ChainingLoop(usize),
    #[error("the card answered {got} bytes to a command that allowed {allowed}")]
    Oversized { got: usize, allowed: u32 },
}

/// Hex helper shared by transcripts, tools and tests.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Parse hex with optional whitespace. Returns `None` on odd length or a non-hex character.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}
