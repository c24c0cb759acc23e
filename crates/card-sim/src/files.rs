//! The card's file system built from a profile: every EF's bytes and access rule
//! (layouts from docs/CARD-NOTES.md §4; access rules §9 item 11).

use crate::ef;
use crate::pki::{self, CardFaceAp, Issuers};
use crate::profile::{Profile, Token};
use kiosk_apdu::tlv::encode;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Df {
    Jpki,
    Text,
    Surface,
}

impl Df {
    pub fn from_aid(aid: &[u8]) -> Option<Df> {
        match aid {
            a if a == crate::aid::JPKI => Some(Df::Jpki),
            a if a == crate::aid::TEXT => Some(Df::Text),
            a if a == crate::aid::SURFACE => Some(Df::Surface),
            _ => None,
        }
    }
}

/// Who may read a binary EF or use a key: free, or after any one of the listed secrets (EF ids in the
/// same DF) was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Free,
    AnyOf(Vec<u16>),
    /// Open while the holder has confirmed on the phone itself (an iPhone's Face ID or Touch ID before it
    /// is held to the reader: GUESS, docs/CARD-NOTES.md §4.5); no VERIFY opens it.
    HolderConfirmedOnPhone,
}

pub enum Ef {
    Binary { data: Vec<u8>, gate: Gate },
    Secret { value: Vec<u8>, tries: u8, max: u8 },
    Key { key: Box<RsaPrivateKey>, gate: Gate },
}

impl std::fmt::Debug for Ef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ef::Binary { data, gate } => write!(f, "Binary({} bytes, {gate:?})", data.len()),
            Ef::Secret { tries, max, .. } => write!(f, "Secret({tries}/{max})"),
            Ef::Key { gate, .. } => write!(f, "Key({gate:?})"),
        }
    }
}

pub type Image = BTreeMap<Df, BTreeMap<u16, Ef>>;

/// Append filler bytes after a TLV object, as the card keeps fixed-size EFs (§3.4).
fn with_filler(mut data: Vec<u8>, physical: usize) -> Vec<u8> {
    if data.len() < physical {
        data.resize(physical, 0xFF);
    }
    data
}

/// A blank 1-bit greyscale PNG of the given size, standing in for the printed name/address images.
fn blank_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        let row = width.div_ceil(8) as usize;
        let pixels = vec![0xFFu8; row * height as usize];
        #[expect(
            clippy::expect_used,
            reason = "encoding into memory with matching sizes cannot fail"
        )]
        enc.write_header()
            .and_then(|mut w| w.write_image_data(&pixels))
            .expect("PNG encoding");
    }
    out
}

/// A constructed `FF 20` object whose first child `DF 21` is the offset table: the big-endian offset
/// of each following child, measured from the first byte of the file (§4.2).
fn with_offset_table(children: &[Vec<u8>]) -> Vec<u8> {
    let table_len = 3 + 2 * children.len();
    let body_len: usize = table_len + children.iter().map(Vec::len).sum::<usize>();
    let header_len = encode(&[0xFF, 0x20], &vec![0; body_len]).len() - body_len;
    let mut offsets = Vec::new();
    let mut at = header_len + table_len;
    for c in children {
        offsets.extend_from_slice(&(at as u16).to_be_bytes());
        at += c.len();
    }
    let mut body = encode(&[0xDF, 0x21], &offsets);
    for c in children {
        body.extend_from_slice(c);
    }
    encode(&[0xFF, 0x20], &body)
}

fn sign_digest_info(key: &RsaPrivateKey, digest_info: &[u8]) -> Vec<u8> {
    #[expect(
        clippy::expect_used,
        reason = "the DigestInfo is far below the 245-byte limit of a 2048-bit key"
    )]
    key.sign(Pkcs1v15Sign::new_unprefixed(), digest_info)
        .expect("signing")
}

/// DER DigestInfo prefix for SHA-256 with a 96-byte digest field, the card-face signature's shape (§4.3).
const CARD_FACE_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x60,
];

/// The per-card keys.
pub struct CardKeys {
    pub auth: RsaPrivateKey,
    pub sign: Option<RsaPrivateKey>,
    pub surface_card: RsaPrivateKey,
}

pub fn card_keys(p: &Profile) -> CardKeys {
    let adult_enough = p.birth_date.add_days(15 * 365 + 4) <= crate::profile::Ymd::today();
    CardKeys {
        auth: pki::seeded_key(&format!("auth-{}-{}", p.name, p.seed)),
        sign: adult_enough.then(|| pki::seeded_key(&format!("sign-{}-{}", p.name, p.seed))),
        surface_card: pki::seeded_key(&format!("surface-{}-{}", p.name, p.seed)),
    }
}

/// The user-authentication certificate's subject: opaque, no personal data (§7.1).
/// The serial number of the card's user-authentication certificate.
pub fn auth_serial(p: &Profile) -> u64 {
    0x0100_0000 + p.seed
}

pub fn auth_subject(p: &Profile) -> String {
    format!(
        "CN={:08X}AGCIEG{}003A,OU=Test City,OU=Test Prefecture,O=JPKI-TEST,C=JP",
        p.seed as u32, p.municipality
    )
}

/// The card's whole file system.
pub fn build(p: &Profile, keys: &CardKeys, iss: &Issuers) -> Image {
    let mut image = Image::new();
    image.insert(Df::Jpki, jpki(p, keys, iss));
    // A smartphone carries the two JPKI certificates only: no 券面事項確認AP and no 券面事項入力補助AP
    // (docs/CARD-NOTES.md §4.5; jpki/myna skips them for the phone token).
    if !p.token.is_phone() {
        image.insert(Df::Text, text(p));
        image.insert(Df::Surface, surface(p, keys));
    }
    image
}

/// The files of one application, by EF id.
type Files = BTreeMap<u16, Ef>;

fn binary(data: Vec<u8>, gate: Gate) -> Ef {
    Ef::Binary { data, gate }
}

fn secret(value: &[u8], tries: u8, max: u8) -> Ef {
    Ef::Secret {
        value: value.to_vec(),
        tries,
        max,
    }
}

fn key(key: &RsaPrivateKey, gate: Gate) -> Ef {
    Ef::Key {
        key: Box::new(key.clone()),
        gate,
    }
}

/// The physical size of a certificate EF: whole 256-byte blocks and one more, as filler room.
fn cert_ef(cert: &[u8]) -> Vec<u8> {
    with_filler(cert.to_vec(), cert.len().div_ceil(256) * 256 + 256)
}

/// 公的個人認証AP (§4.1).
fn jpki(p: &Profile, keys: &CardKeys, iss: &Issuers) -> Files {
    use ef::jpki::{
        AUTH_CA_CERT, AUTH_CERT, AUTH_KEY, AUTH_PIN, CERT_AVAILABILITY, SIGN_CA_CERT, SIGN_CERT, SIGN_KEY,
        SIGN_PASSWORD, TOKEN_INFO,
    };
    let mut jpki = Files::new();
    jpki.insert(TOKEN_INFO, binary(token_info(p), Gate::Free));
    let availability = vec![if keys.sign.is_some() { 0x8F } else { 0 }, 0x8F, 0x00];
    jpki.insert(CERT_AVAILABILITY, binary(availability, Gate::Free));
    // Issued by the CA generation current on the certificate's first day, as J-LIS issues (pki.rs).
    let generation = pki::auth_ca_issuing(p.cert_not_before);
    let auth_cert = generation.issue(
        &auth_subject(p),
        &keys.auth,
        auth_serial(p),
        p.cert_not_before,
        p.cert_not_after,
    );
    // An Android phone's auth certificate is readable only after the auth PIN (§4.5, JPKIAPGPSETOKEN);
    // an iPhone's, and its key, only after the holder confirmed on the phone (GUESS, §4.5).
    let (auth_gate, key_gate) = match p.token {
        Token::Android => (Gate::AnyOf(vec![AUTH_PIN]), Gate::AnyOf(vec![AUTH_PIN])),
        Token::Iphone => (Gate::HolderConfirmedOnPhone, Gate::HolderConfirmedOnPhone),
        Token::Card | Token::JukiCard => (Gate::Free, Gate::AnyOf(vec![AUTH_PIN])),
    };
    jpki.insert(AUTH_CERT, binary(cert_ef(&auth_cert), auth_gate));
    jpki.insert(AUTH_CA_CERT, binary(cert_ef(&generation.certificate), Gate::Free));
    jpki.insert(AUTH_KEY, key(&keys.auth, key_gate));
    jpki.insert(AUTH_PIN, secret(p.auth_pin.as_bytes(), p.auth_tries, 3));
    if let Some(sign) = &keys.sign {
        let sign_cert = pki::build_cert(
            &format!(
                "CN=TEST SIGN {:08X},L=Test City,ST=Test Prefecture,C=JP",
                p.seed as u32
            ),
            Some(pki::SIGN_CA_DN),
            sign,
            &iss.sign_ca,
            0x0200_0000 + p.seed,
            p.cert_not_before,
            p.cert_not_after,
        );
        jpki.insert(
            SIGN_CERT,
            binary(cert_ef(&sign_cert), Gate::AnyOf(vec![SIGN_PASSWORD])),
        );
        jpki.insert(SIGN_KEY, key(sign, Gate::AnyOf(vec![SIGN_PASSWORD])));
    }
    jpki.insert(SIGN_CA_CERT, binary(cert_ef(&iss.sign_ca_cert), Gate::Free));
    jpki.insert(SIGN_PASSWORD, secret(p.sign_password.as_bytes(), p.sign_tries, 5));
    jpki
}

/// Token info: the 32-byte label, then maker, model and serial, zero-padded to 160 bytes.
fn token_info(p: &Profile) -> Vec<u8> {
    let mut token = format!("{:<32}", p.token.label()).into_bytes();
    token.extend_from_slice(
        format!(
            "{:<32}{:<16}{:<16}",
            "J-LIS TEST", "VIRTUAL CARD", "0000000000000000"
        )
        .as_bytes(),
    );
    token.resize(160, 0);
    token
}

/// 券面事項入力補助AP (§4.2).
fn text(p: &Profile) -> Files {
    use ef::text::{BASIC_FOUR, BLOCKED_REFERENCE, CHECK_A, CHECK_B, CV_CERT, INTEGRITY, MY_NUMBER, PIN};
    let mut my_number = encode(&[0xFF, 0x10], p.my_number.as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    let basic = with_offset_table(&[
        encode(&[0xDF, 0x22], p.holder_name.as_bytes()),
        encode(&[0xDF, 0x23], p.address.as_bytes()),
        encode(&[0xDF, 0x24], p.birth_date.compact().as_bytes()),
        encode(&[0xDF, 0x25], &[b'0' + p.sex]),
    ]);
    let signer = pki::municipality_key(&p.municipality, CardFaceAp::Text);
    let integrity = integrity_record(&my_number, &basic, &signer);
    let cv_cert = municipality_cv_certificate(p, CardFaceAp::Text, &signer);
    let mut text = Files::new();
    text.insert(MY_NUMBER, binary(my_number, Gate::AnyOf(vec![PIN, CHECK_A])));
    text.insert(
        BASIC_FOUR,
        binary(with_filler(basic, 256), Gate::AnyOf(vec![PIN, CHECK_B])),
    );
    text.insert(
        INTEGRITY,
        binary(integrity, Gate::AnyOf(vec![PIN, CHECK_A, CHECK_B])),
    );
    text.insert(CV_CERT, binary(cv_cert, Gate::Free));
    text.insert(PIN, secret(p.text_pin.as_bytes(), p.text_tries, 3));
    text.insert(BLOCKED_REFERENCE, secret(b"--------", 0, 3));
    text.insert(CHECK_A, secret(p.my_number.as_bytes(), p.check_a_tries, 10));
    text.insert(CHECK_B, secret(p.check_code_b().as_bytes(), p.check_b_tries, 10));
    text
}

/// An AP's card-verifiable certificate as on real cards (§4.3): J-LIS's CA id of the profile's
/// hierarchy as issuer (signed with the virtual CA key behind it), the municipality's key as subject.
fn municipality_cv_certificate(p: &Profile, ap: CardFaceAp, municipality_key: &RsaPrivateKey) -> Vec<u8> {
    pki::cv_certificate(
        &pki::card_face_ca_key(p.hierarchy, ap),
        pki::card_face_ca_id(p.hierarchy, ap),
        pki::municipality_key_id(&p.municipality, ap),
        &municipality_key.to_public_key(),
    )
}

/// The text AP's integrity record: SHA-256 of the whole physical EF 0001 and of EF 0002's value after
/// DF21, signed by the municipality's text key (§4.2; the real test card's DF32 and signature check out
/// so).
fn integrity_record(my_number: &[u8], basic: &[u8], signer: &RsaPrivateKey) -> Vec<u8> {
    let value_start = kiosk_apdu::tlv::header(basic).map(|h| h.header_len).unwrap_or(0);
    let table_len = kiosk_apdu::tlv::header(&basic[value_start..])
        .map(|h| h.total_len())
        .unwrap_or(0);
    let mut signed = encode(&[0xDF, 0x31], &Sha256::digest(my_number));
    signed.extend(encode(
        &[0xDF, 0x32],
        &Sha256::digest(&basic[value_start + table_len..]),
    ));
    #[expect(
        clippy::expect_used,
        reason = "signing a digest with a 2048-bit key cannot fail"
    )]
    let sig = signer
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&signed))
        .expect("signing");
    let mut body = signed;
    body.extend(encode(&[0xDF, 0x33], &sig));
    encode(&[0xFF, 0x30], &body)
}

/// 券面事項確認AP (§4.3).
fn surface(p: &Profile, keys: &CardKeys) -> Files {
    use ef::surface::{BASIC_DATA, BIRTH_DATE, CARD_FACE, CARD_KEY, CHECK_A, CHECK_B, CV_CERT};
    let signer = pki::municipality_key(&p.municipality, CardFaceAp::Surface);
    let face = card_face(p, keys, &signer);
    let face_len = face.len();
    let mut basic_data = encode(&[0xDF, 0x31], &[0x06, 0x03, 0x0E, 0x01]);
    basic_data.extend(encode(&[0xDF, 0x32], &pki::key_id(b"7000024", b"001")));
    basic_data.extend(encode(&[0xDF, 0x33], &[0x01]));
    basic_data.extend(encode(&[0xDF, 0x34], p.municipality.as_bytes()));
    let cv_cert = municipality_cv_certificate(p, CardFaceAp::Surface, &signer);
    let b = p.birth_date;
    let birth_key = crate::era::birth_digits(b.y, b.m, b.d, p.japanese_national);
    let mut surface = Files::new();
    let face_gate = Gate::AnyOf(vec![CHECK_B, CHECK_A]);
    surface.insert(CARD_FACE, binary(with_filler(face, face_len + 64), face_gate));
    surface.insert(BASIC_DATA, binary(encode(&[0xFF, 0x30], &basic_data), Gate::Free));
    surface.insert(CV_CERT, binary(cv_cert, Gate::Free));
    surface.insert(BIRTH_DATE, secret(birth_key.as_bytes(), 10, 10));
    surface.insert(CHECK_B, secret(p.check_code_b().as_bytes(), p.check_b_tries, 10));
    surface.insert(CHECK_A, secret(p.my_number.as_bytes(), p.check_a_tries, 10));
    surface.insert(CARD_KEY, key(&keys.surface_card, Gate::Free));
    surface
}

/// The card face: birth date, sex, card key, the printed images, the photo, the issuer's signature over
/// three separately hashed groups, then expiry and code, which the signature does not cover (§4.3).
/// `signer` is the municipality's key that the AP's CV certificate certifies.
fn card_face(p: &Profile, keys: &CardKeys, signer: &RsaPrivateKey) -> Vec<u8> {
    let group1 = [
        encode(&[0xDF, 0x22], p.birth_date.compact().as_bytes()),
        encode(&[0xDF, 0x23], &[b'0' + p.sex]),
        encode(
            &[0xDF, 0x24],
            &pki::card_public_key_bytes(&keys.surface_card.to_public_key()),
        ),
    ];
    let group2 = [
        encode(&[0xDF, 0x25], &blank_png(512, 48)),
        encode(&[0xDF, 0x26], &blank_png(512, 96)),
    ];
    let group3 = [encode(&[0xDF, 0x27], p.photo_jp2.as_deref().unwrap_or_default())];
    let mut digest_info = CARD_FACE_DIGEST_INFO_PREFIX.to_vec();
    for group in [&group1[..], &group2[..], &group3[..]] {
        digest_info.extend_from_slice(&Sha256::digest(group.concat()));
    }
    let face_sig = sign_digest_info(signer, &digest_info);
    let mut children: Vec<Vec<u8>> = group1.into_iter().chain(group2).chain(group3).collect();
    children.push(encode(&[0xDF, 0x28], &face_sig));
    children.push(encode(&[0xDF, 0x29], p.card_expiry.compact().as_bytes()));
    children.push(encode(&[0xDF, 0x2A], &blank_png(24, 12)));
    with_offset_table(&children)
}
