//! The card's elementary file ids, per application (docs/CARD-NOTES.md §4), named once for the file
//! system, the command handlers, the hostile layer and tests. Every id is below `0x20`, so it doubles as
//! the short EF identifier (SFI) of READ BINARY `P1 = 80 + SFI` and of VERIFY/sign `P2 = 80 + SFI`.

/// The JPKI application (公的個人認証AP).
pub mod jpki {
    /// The signing certificate, readable after the signing password.
    pub const SIGN_CERT: u16 = 0x0001;
    /// The signing certificate's CA certificate.
    pub const SIGN_CA_CERT: u16 = 0x0002;
    /// Token info, 160 bytes; the first 32 are the label.
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Which certificates exist (`8F 8F 00`).
    pub const CERT_AVAILABILITY: u16 = 0x0008;
    /// The user-authentication certificate.
    pub const AUTH_CERT: u16 = 0x000A;
    /// Its CA certificate.
    pub const AUTH_CA_CERT: u16 = 0x000B;
    /// The user-authentication key.
    pub const AUTH_KEY: u16 = 0x0017;
    /// The user-authentication PIN (4 digits, 3 tries).
    pub const AUTH_PIN: u16 = 0x0018;
    /// The signing key.
    pub const SIGN_KEY: u16 = 0x001A;
    /// The signing password (6–16 characters, 5 tries).
    pub const SIGN_PASSWORD: u16 = 0x001B;
}

/// The text application (券面事項入力補助AP).
pub mod text {
    /// The My Number.
    pub const MY_NUMBER: u16 = 0x0001;
    /// The basic four: name, address, birth date, sex.
    pub const BASIC_FOUR: u16 = 0x0002;
    /// The integrity record (digests and the issuer's signature).
    pub const INTEGRITY: u16 = 0x0003;
    /// The application's card-verifiable certificate.
    pub const CV_CERT: u16 = 0x0004;
    /// The text PIN (4 digits, 3 tries).
    pub const PIN: u16 = 0x0011;
    /// A blocked key reference the text AP also answers for (the card's 0012).
    pub const BLOCKED_REFERENCE: u16 = 0x0012;
    /// 照合番号A (the My Number).
    pub const CHECK_A: u16 = 0x0014;
    /// 照合番号B.
    pub const CHECK_B: u16 = 0x0015;
}

/// The surface application (券面事項確認AP).
pub mod surface {
    /// The card face, photo included.
    pub const CARD_FACE: u16 = 0x0002;
    /// Basic data: the key ids and the municipality.
    pub const BASIC_DATA: u16 = 0x0003;
    /// The card-verifiable certificate of the key that signs the card face.
    pub const CV_CERT: u16 = 0x0004;
    /// The birth-date key.
    pub const BIRTH_DATE: u16 = 0x0011;
    /// 照合番号B.
    pub const CHECK_B: u16 = 0x0012;
    /// 照合番号A (the My Number).
    pub const CHECK_A: u16 = 0x0013;
    /// The card's own key, signing a challenge to prove the chip is not a copy (P2 = 00 addresses it).
    pub const CARD_KEY: u16 = 0x001A;
}
