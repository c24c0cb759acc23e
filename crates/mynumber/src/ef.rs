//! The card's elementary files, by application (docs/CARD-NOTES.md §4). The same file id means a
//! different file in each application (0002 is the basic four in the text AP and the card face in the
//! surface AP), so the ids live in one module per application.
//!
//! File ids on this card run from 0001 to 001E, so every EF also has a short EF identifier equal to
//! its id (§2; myna-card and jsapdu read by SFI): [`Ef`] holds that invariant, checked when the
//! constants are compiled.

use kiosk_apdu::iso::Sfi;

/// An elementary file of one of the card's applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ef(Sfi);

impl Ef {
    /// Only the constants below are EFs: a file id outside 0001–001E fails to compile.
    const fn new(fid: u8) -> Ef {
        match Sfi::new(fid) {
            Some(sfi) => Ef(sfi),
            None => panic!("the card's EF ids run from 0001 to 001E"),
        }
    }
    /// The 2-byte file id for SELECT EF.
    pub fn fid(self) -> u16 {
        u16::from(self.0.get())
    }
    /// The short EF identifier for READ BINARY and for keys addressed in P2.
    pub const fn sfi(self) -> Sfi {
        self.0
    }
}

/// 公的個人認証AP (JPKI), §4.1 (OpenSC card-jpki.c, myna, jsapdu).
pub mod jpki {
    use super::Ef;
    /// 署名用電子証明書: the signing certificate (behind the signing password).
    pub const SIGN_CERT: Ef = Ef::new(0x01);
    /// The signing certificate's CA certificate.
    pub const SIGN_CA_CERT: Ef = Ef::new(0x02);
    /// Token information; its first 32 bytes are the label that tells a plastic card from a phone.
    pub const TOKEN: Ef = Ef::new(0x06);
    /// Which certificates exist on the card.
    pub const CERTIFICATES_PRESENT: Ef = Ef::new(0x08);
    /// 利用者証明用電子証明書: the user-authentication certificate.
    pub const AUTH_CERT: Ef = Ef::new(0x0A);
    /// The user-authentication certificate's CA certificate.
    pub const AUTH_CA_CERT: Ef = Ef::new(0x0B);
    /// The user-authentication private key (used by COMPUTE DIGITAL SIGNATURE, never read).
    pub const AUTH_KEY: Ef = Ef::new(0x17);
    /// The 4-digit user-authentication PIN, 3 tries.
    pub const AUTH_PIN: Ef = Ef::new(0x18);
    /// The signing private key.
    pub const SIGN_KEY: Ef = Ef::new(0x1A);
    /// The signing password (6–16 characters, 5 tries).
    pub const SIGN_PASSWORD: Ef = Ef::new(0x1B);
}

/// 券面事項入力補助AP (text), §4.2.
pub mod text {
    use super::Ef;
    /// The My Number itself (PIN or 照合番号A; the kiosk never reads it).
    pub const MY_NUMBER: Ef = Ef::new(0x01);
    /// 基本4情報: name, address, birth date, sex.
    pub const BASIC_FOUR: Ef = Ef::new(0x02);
    /// Integrity record: digests and an issuer signature.
    pub const INTEGRITY: Ef = Ef::new(0x03);
    /// The AP's card-verifiable certificate.
    pub const CV_CERT: Ef = Ef::new(0x04);
    /// The 4-digit 券面事項入力補助用 PIN, 3 tries.
    pub const PIN: Ef = Ef::new(0x11);
    /// 照合番号A.
    pub const CHECK_A: Ef = Ef::new(0x14);
    /// 照合番号B.
    pub const CHECK_B: Ef = Ef::new(0x15);
}

/// 券面事項確認AP (surface), §4.3.
pub mod surface {
    use super::Ef;
    /// The card face: photo, name and address images, birth date, sex, signature.
    pub const FACE: Ef = Ef::new(0x02);
    /// The card-verifiable certificate of the key that signs the card face.
    pub const CV_CERT: Ef = Ef::new(0x04);
    /// 照合番号B, which opens the card face.
    pub const CHECK_B: Ef = Ef::new(0x12);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_and_short_ids_agree() {
        assert_eq!(jpki::AUTH_CERT.fid(), 0x000A);
        assert_eq!(jpki::AUTH_CERT.sfi().get(), 0x0A);
        assert_eq!(jpki::AUTH_PIN.fid(), 0x0018);
        assert_eq!(text::PIN.fid(), 0x0011);
        assert_eq!(surface::CHECK_B.fid(), 0x0012);
    }
}
