//! A virtual My Number card for tests, demos and CI.
//!
//! The card follows the behaviour collected in `docs/CARD-NOTES.md` (exact status words, retry counters,
//! the empty-VERIFY query that still answers `63Cx` after a successful VERIFY, `6984` once blocked,
//! filler after TLV objects, short and extended READ BINARY, SFI forms). It is built from a profile
//! (`assets/cards/*.toml`), with keys and certificates generated from a seed by a private test PKI:
//! nothing comes from a real card.
//!
//! The same card runs in-process (it implements [`kiosk_apdu::CardChannel`]) and behind real pcscd as
//! a vpcd client ([`vpcd::serve`]). It deliberately does not use `kiosk-mynumber`: the card must not
//! share the reader's assumptions. Its printed front (for the kiosk's card-front reader) is drawn with
//! `kiosk-cardfront`'s renderer, from fields the card works out itself ([`front`]).

pub mod card;
mod command;
pub mod ef;
pub mod era;
mod files;
pub mod front;
pub mod hostile;
pub mod pki;
pub mod profile;
mod status;
pub mod vpcd;

pub use card::{CardStats, Faults, SharedCard, VirtualCard};
pub use files::Df;
pub use hostile::Hostile;
pub use profile::{Profile, ProfileError, Token};

/// The contact ATR of the My Number card: T=1, no historical bytes (docs/CARD-NOTES.md §1.1).
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// Application identifiers (DF names), docs/CARD-NOTES.md §2.
pub mod aid {
    pub const JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    pub const TEXT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
    pub const SURFACE: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
}
