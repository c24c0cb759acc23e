//! The My Number card's own commands, one constructor each; the interindustry ones (SELECT, READ
//! BINARY, VERIFY) are in [`kiosk_apdu::iso`]. Nothing else in the kiosk writes command bytes.
//!
//! COMPUTE DIGITAL SIGNATURE is `80 2A <scheme> <key>` with the proprietary class (docs/CARD-NOTES.md
//! §3, §3.1: OpenSC card-jpki.c, myna, jpki-rs and myna-card all send it so).

use crate::ef::Ef;
use kiosk_apdu::Command;
use kiosk_apdu::iso::{cla, ins};

/// Signing scheme (P1) `00`: the card applies PKCS#1 v1.5 padding to exactly what is sent, here a DER
/// DigestInfo (§3.1; the scheme OpenSC and every other public client uses).
const SCHEME_PKCS1_V15: u8 = 0x00;
/// P2 bit 8: the key is named by its short EF identifier in bits 1–5 (§3).
const KEY_BY_SFI: u8 = 0x80;
/// P2 `00` in the 券面 APs: the application's own card key, usable without a credential (§3,
/// myna-card).
const APPLICATION_CARD_KEY: u8 = 0x00;
/// A signature is as long as the RSA-2048 modulus (§7.1).
const SIGNATURE_LEN: u32 = 256;

/// COMPUTE DIGITAL SIGNATURE of `digest_info` with the private key in EF `key`:
/// `80 2A 00 <80+SFI> Lc <DigestInfo> 00`.
///
/// The user-authentication key (JPKI EF 0017) signs only after its PIN was verified; otherwise the
/// card answers `6982` (§3.1).
pub fn sign(key: Ef, digest_info: &[u8]) -> Command {
    Command::new(
        cla::PROPRIETARY,
        ins::PERFORM_SECURITY_OPERATION,
        SCHEME_PKCS1_V15,
        KEY_BY_SFI | key.sfi().get(),
    )
    .with_data(digest_info)
    .with_ne(SIGNATURE_LEN)
}

/// COMPUTE DIGITAL SIGNATURE of `digest_info` with the selected 券面 application's own card key:
/// `80 2A 00 00 Lc <DigestInfo> 00`. A copied chip cannot answer it, which is how the kiosk tells the
/// card face comes from the card it was issued on (§3, §4.3; myna-card).
pub fn sign_with_card_key(digest_info: &[u8]) -> Command {
    Command::new(
        cla::PROPRIETARY,
        ins::PERFORM_SECURITY_OPERATION,
        SCHEME_PKCS1_V15,
        APPLICATION_CARD_KEY,
    )
    .with_data(digest_info)
    .with_ne(SIGNATURE_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ef::jpki;

    #[test]
    fn sign_names_the_key_by_its_short_id() {
        let bytes = sign(jpki::AUTH_KEY, &[0xAB; 51]).to_bytes().unwrap();
        assert_eq!(bytes[..5], [0x80, 0x2A, 0x00, 0x97, 51]);
        assert_eq!(bytes[5..56], [0xAB; 51]);
        assert_eq!(bytes[56..], [0x00]);
    }

    #[test]
    fn sign_with_card_key_uses_p2_zero() {
        let bytes = sign_with_card_key(&[0xCD; 51]).to_bytes().unwrap();
        assert_eq!(bytes[..5], [0x80, 0x2A, 0x00, 0x00, 51]);
        assert_eq!(bytes[5..56], [0xCD; 51]);
        assert_eq!(bytes[56..], [0x00]);
    }
}
