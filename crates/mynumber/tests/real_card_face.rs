//! The card-domain parsers and signature checks against files read off a real JPKI test card
//! (`tests/fixtures/test-card-face/`, source and licence in its README), with J-LIS's card-face CA keys as
//! the kiosk ships them (`assets/jlis/card-face-ca-keys.toml`). The virtual card is built from the same
//! notes as the reader, so only real bytes can show that both share a wrong assumption (issue 20).
#![expect(
    clippy::unwrap_used,
    reason = "fixed fixture files: a failure is the test's answer"
)]

use kiosk_apdu::tlv::{Constructed, header};
use kiosk_card_sim::pki::{self, Hierarchy};
use kiosk_card_sim::{Df, Profile, VirtualCard};
use kiosk_mynumber::face::{CvCertificate, parse_card_public_key};
use kiosk_mynumber::{BasicFour, CardFace, Date, TrustAnchor};
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};

const SURFACE_0002: &[u8] = include_bytes!("fixtures/test-card-face/surface-0002.bin");
const SURFACE_0004: &[u8] = include_bytes!("fixtures/test-card-face/surface-0004.bin");
const TEXT_0002: &[u8] = include_bytes!("fixtures/test-card-face/text-0002.bin");
const TEXT_0003: &[u8] = include_bytes!("fixtures/test-card-face/text-0003.bin");
const TEXT_0004: &[u8] = include_bytes!("fixtures/test-card-face/text-0004.bin");
const MF_F8: &[u8] = include_bytes!("fixtures/test-card-face/mf-do-F8.bin");
const MF_7F21: &[u8] = include_bytes!("fixtures/test-card-face/mf-do-7F21.bin");
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

/// `DF 32` is SHA-256 of the basic four after its offset table, and `DF 33` signs (`DF 31` `DF 32`) as
/// sent, PKCS#1 v1.5 SHA-256, with the key the text AP's CV certificate certifies (docs/CARD-NOTES.md §4.2;
/// the reader does not check the record, the virtual card writes it so).
#[test]
fn the_real_text_integrity_record_verifies_with_the_text_cv_certificate_key() {
    let record = Constructed::parse(TEXT_0003, &[0xFF, 0x30]).unwrap();
    let outer = header(TEXT_0002).unwrap().header_len;
    let table = header(&TEXT_0002[outer..]).unwrap().total_len();
    let after_table = &TEXT_0002[outer + table..];
    assert_eq!(
        record.require(&[0xDF, 0x32]).unwrap(),
        Sha256::digest(after_table).as_slice()
    );
    let signed = [
        record.raw(&[0xDF, 0x31]).unwrap(),
        record.raw(&[0xDF, 0x32]).unwrap(),
    ]
    .concat();
    let key = CvCertificate::parse(TEXT_0004).unwrap().subject_key;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(&signed),
        record.require(&[0xDF, 0x33]).unwrap(),
    )
    .unwrap();
}

/// An MF data object: a `4D` header list, then `5F 4E` body and `5F 37` signature (not in `7F 21`).
fn mf_certificate(bytes: &[u8]) -> (&[u8], &[u8]) {
    let list = header(bytes).unwrap();
    assert_eq!(list.tag, [0x4D]);
    let at = list.total_len();
    let body = header(&bytes[at..]).unwrap();
    assert_eq!(body.tag, [0x5F, 0x4E]);
    let sig_at = at + body.total_len();
    let sig = header(&bytes[sig_at..]).unwrap();
    assert_eq!(sig.tag, [0x5F, 0x37]);
    (
        &bytes[at + body.header_len..sig_at],
        &bytes[sig_at + sig.header_len..sig_at + sig.total_len()],
    )
}

#[test]
fn the_real_mf_chain_verifies_from_6000020() {
    let (f8_body, f8_sig) = mf_certificate(MF_F8);
    let root = jlis("6000020");
    assert_eq!(f8_body[..16], root.key_id, "issuer 6000020, its id ending in A8");
    let verify = |key: &RsaPublicKey, body: &[u8], sig: &[u8]| {
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(body), sig)
    };
    verify(&root.key, f8_body, f8_sig).unwrap();
    let (body, sig) = mf_certificate(MF_7F21);
    assert_eq!(body[..16], f8_body[16..32], "issued by F8's subject");
    verify(&parse_card_public_key(&f8_body[32..]).unwrap(), body, sig).unwrap();
}
