//! The card-domain parsers and signature checks against files read off a real JPKI test card
//! (`tests/fixtures/test-card-face/`, source and licence in its README), with J-LIS's card-face CA keys as
//! the kiosk ships them (`assets/jlis/card-face-ca-keys.toml`). The virtual card is built from the same
//! notes as the reader, so only real bytes can show that both share a wrong assumption (issue 20).
#![expect(
    clippy::unwrap_used,
    reason = "fixed fixture files: a failure is the test's answer"
)]

use kiosk_card_sim::pki::{self, Hierarchy};
use kiosk_card_sim::{Df, Profile, VirtualCard};
use kiosk_mynumber::face::CvCertificate;
use kiosk_mynumber::{BasicFour, CardFace, Date, TrustAnchor};
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;

const SURFACE_0002: &[u8] = include_bytes!("fixtures/test-card-face/surface-0002.bin");
const SURFACE_0004: &[u8] = include_bytes!("fixtures/test-card-face/surface-0004.bin");
const TEXT_0002: &[u8] = include_bytes!("fixtures/test-card-face/text-0002.bin");
const TEXT_0004: &[u8] = include_bytes!("fixtures/test-card-face/text-0004.bin");
const KEYS: &str = include_str!("../../../assets/jlis/card-face-ca-keys.toml");

#[derive(Deserialize)]
struct KeyFile {
    key: Vec<Key>,
}

#[derive(Deserialize)]
struct Key {
    name: String,
    key_id_hex: String,
    exponent: u32,
    modulus_hex: String,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The shipped J-LIS key called `name` (`6000023`…), as a trust anchor.
fn jlis(name: &str) -> TrustAnchor {
    let file: KeyFile = toml::from_str(KEYS).unwrap();
    let k = file.key.into_iter().find(|k| k.name == name).unwrap();
    TrustAnchor {
        key_id: unhex(&k.key_id_hex).try_into().unwrap(),
        key: RsaPublicKey::new(
            BigUint::from_bytes_be(&unhex(&k.modulus_hex)),
            BigUint::from(k.exponent),
        )
        .unwrap(),
    }
}

/// A 16-byte key id as the real card writes it: 7 digits, `08 05`, 3 digits, `00` padding.
fn key_id(name: &[u8; 7], serial: &[u8; 3]) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..7].copy_from_slice(name);
    id[7..9].copy_from_slice(&[0x08, 0x05]);
    id[9..12].copy_from_slice(serial);
    id
}

#[test]
fn the_real_card_face_verifies_with_its_cv_certificate_which_chains_to_6000023() {
    let face = CardFace::parse(SURFACE_0002).unwrap();
    let (data_signature_valid, issuer_trusted) = face.check_signature(SURFACE_0004, &[jlis("6000023")]);
    assert!(data_signature_valid, "card face against the key in EF 0004");
    assert!(issuer_trusted, "EF 0004 against J-LIS's 6000023");
    assert_eq!(face.birth_date, Date::new(1980, 2, 17).unwrap());
    assert_eq!(face.sex, 1);
    assert_eq!(face.expiry, Date::new(2035, 2, 17).unwrap());
    assert!(face.has_photo(), "a JPEG 2000 photo");
    assert!(face.card_public_key().is_ok());
}

#[test]
fn the_real_cv_certificate_names_6000023_as_issuer_and_a_municipality_key_as_subject() {
    let cv = CvCertificate::parse(SURFACE_0004).unwrap();
    assert_eq!(cv.issuer_id, key_id(b"6000023", b"001"));
    assert_eq!(cv.subject_id, key_id(b"1322121", b"000"));
    assert_eq!(
        cv.issuer_id,
        jlis("6000023").key_id,
        "the shipped id is the card's"
    );
    let text = CvCertificate::parse(TEXT_0004).unwrap();
    assert_eq!(text.issuer_id, key_id(b"6000033", b"001"));
    assert_eq!(text.subject_id, key_id(b"1322131", b"000"));
    assert!(text.is_signed_by_any(&[jlis("6000033")]));
}

#[test]
fn the_real_card_face_is_refused_under_any_other_key_or_when_altered() {
    let face = CardFace::parse(SURFACE_0002).unwrap();
    // Production keys, and the test keys of the other applications, do not vouch for a test card face.
    let others: Vec<TrustAnchor> = ["5000020", "5000023", "5000033", "6000020", "6000033"]
        .iter()
        .map(|n| jlis(n))
        .collect();
    assert_eq!(face.check_signature(SURFACE_0004, &others), (true, false));
    // The right id with another key (a forger's CA under J-LIS's id) is refused too.
    let forged = TrustAnchor {
        key_id: jlis("6000023").key_id,
        key: jlis("6000033").key,
    };
    assert_eq!(face.check_signature(SURFACE_0004, &[forged]), (true, false));
    // One bit of the photo changed: the data signature fails; one bit of the certificate body: the chain.
    let mut photo = SURFACE_0002.to_vec();
    photo[0x0400] ^= 1;
    let altered = CardFace::parse(&photo).unwrap();
    assert_eq!(
        altered.check_signature(SURFACE_0004, &[jlis("6000023")]),
        (false, true)
    );
    let mut cert = SURFACE_0004.to_vec();
    cert[0x0100] ^= 1;
    assert!(!face.check_signature(&cert, &[jlis("6000023")]).1);
}

#[test]
fn the_real_basic_four_parses() {
    let four = BasicFour::parse(TEXT_0002).unwrap();
    assert_eq!(four.birth_date, Date::new(1980, 2, 17).unwrap());
    assert_eq!(four.sex, 1);
    assert!(
        four.name.contains('\u{3000}'),
        "family and given name split by U+3000"
    );
    assert!(!four.address.is_empty());
}

/// The virtual card's EF 0004 of the card-face AP.
fn virtual_cv_certificate(hierarchy: Hierarchy) -> Vec<u8> {
    let mut profile = Profile::embedded("demo").unwrap();
    profile.hierarchy = hierarchy;
    VirtualCard::new(profile).ef_bytes(Df::Surface, 0x0004).unwrap()
}

#[test]
fn the_virtual_cards_cv_certificate_is_shaped_as_the_real_one() {
    let real = CvCertificate::parse(SURFACE_0004).unwrap();
    let bytes = virtual_cv_certificate(Hierarchy::Test);
    assert_eq!(bytes.len(), SURFACE_0004.len(), "same sizes: RSA-2048 both");
    assert_eq!(
        bytes[..10],
        SURFACE_0004[..10],
        "7F21 82 0233 5F4E 82 0129 as on the card"
    );
    let virt = CvCertificate::parse(&bytes).unwrap();
    assert_eq!(
        virt.issuer_id, real.issuer_id,
        "issuer 6000023 08 05 001, 00 padding"
    );
    assert_eq!(
        virt.subject_id[5..],
        real.subject_id[5..],
        "a municipality's 21 key, serial 000"
    );
    // Signed by the virtual CA under J-LIS's id, which a reader trusts only when told to.
    let (id, key) = pki::card_face_ca(Hierarchy::Test);
    assert!(virt.is_signed_by_any(&[TrustAnchor { key_id: id, key }]));
    assert!(!virt.is_signed_by_any(&[jlis("6000023")]));
}

#[test]
fn a_production_style_virtual_card_names_5000023_and_is_not_trusted_by_the_jlis_keys() {
    let virt = CvCertificate::parse(&virtual_cv_certificate(Hierarchy::Production)).unwrap();
    assert_eq!(virt.issuer_id, jlis("5000023").key_id);
    assert!(
        !virt.is_signed_by_any(&[jlis("5000023")]),
        "its CA is not J-LIS's"
    );
    let (id, key) = pki::card_face_ca(Hierarchy::Production);
    assert_eq!(id, virt.issuer_id);
    assert!(virt.is_signed_by_any(&[TrustAnchor { key_id: id, key }]));
}
