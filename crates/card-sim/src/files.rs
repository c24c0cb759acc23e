//! The card's file system built from a profile: every EF's bytes and access rule
//! (layouts from docs/CARD-NOTES.md §4; access rules §9 item 11).

use crate::ef;
use crate::pki::{self, Issuers};
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
pub fn auth_subject(p: &Profile) -> String {
    format!(
        "CN={:08X}AGCIEG{}003A,OU=Test City,OU=Test Prefecture,O=JPKI-TEST,C=JP",
        p.seed as u32, p.municipality
    )
}

pub fn build(p: &Profile, keys: &CardKeys, iss: &Issuers) -> Image {
    let mut image = Image::new();

    // --- JPKI AP ---
    let mut jpki = BTreeMap::new();
    let mut token = format!("{:<32}", p.token.label()).into_bytes();
    token.extend_from_slice(
        format!(
            "{:<32}{:<16}{:<16}",
            "J-LIS TEST", "VIRTUAL CARD", "0000000000000000"
        )
        .as_bytes(),
    );
    token.resize(160, 0);
    jpki.insert(
        ef::jpki::TOKEN_INFO,
        Ef::Binary {
            data: token,
            gate: Gate::Free,
        },
    );
    let has_sign = keys.sign.is_some();
    jpki.insert(
        ef::jpki::CERT_AVAILABILITY,
        Ef::Binary {
            data: vec![if has_sign { 0x8F } else { 0 }, 0x8F, 0x00],
            gate: Gate::Free,
        },
    );
    let auth_cert = pki::build_cert(
        &auth_subject(p),
        Some(pki::AUTH_CA_DN),
        &keys.auth,
        &iss.auth_ca,
        0x0100_0000 + p.seed,
        p.cert_not_before,
        p.cert_not_after,
    );
    // A phone's auth certificate is readable only after the auth PIN (§4.1, JPKIAPGPSETOKEN).
    let auth_gate = if p.token == Token::Android {
        Gate::AnyOf(vec![ef::jpki::AUTH_PIN])
    } else {
        Gate::Free
    };
    let phys = |n: usize| n.div_ceil(256) * 256 + 256;
    jpki.insert(
        ef::jpki::AUTH_CERT,
        Ef::Binary {
            data: with_filler(auth_cert.clone(), phys(auth_cert.len())),
            gate: auth_gate,
        },
    );
    jpki.insert(
        ef::jpki::AUTH_CA_CERT,
        Ef::Binary {
            data: with_filler(iss.auth_ca_cert.clone(), phys(iss.auth_ca_cert.len())),
            gate: Gate::Free,
        },
    );
    jpki.insert(
        ef::jpki::AUTH_KEY,
        Ef::Key {
            key: Box::new(keys.auth.clone()),
            gate: Gate::AnyOf(vec![ef::jpki::AUTH_PIN]),
        },
    );
    jpki.insert(
        ef::jpki::AUTH_PIN,
        Ef::Secret {
            value: p.auth_pin.as_bytes().to_vec(),
            tries: p.auth_tries,
            max: 3,
        },
    );
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
            ef::jpki::SIGN_CERT,
            Ef::Binary {
                data: with_filler(sign_cert.clone(), phys(sign_cert.len())),
                gate: Gate::AnyOf(vec![ef::jpki::SIGN_PASSWORD]),
            },
        );
        jpki.insert(
            ef::jpki::SIGN_KEY,
            Ef::Key {
                key: Box::new(sign.clone()),
                gate: Gate::AnyOf(vec![ef::jpki::SIGN_PASSWORD]),
            },
        );
    }
    jpki.insert(
        ef::jpki::SIGN_CA_CERT,
        Ef::Binary {
            data: with_filler(iss.sign_ca_cert.clone(), phys(iss.sign_ca_cert.len())),
            gate: Gate::Free,
        },
    );
    jpki.insert(
        ef::jpki::SIGN_PASSWORD,
        Ef::Secret {
            value: p.sign_password.as_bytes().to_vec(),
            tries: p.sign_tries,
            max: 5,
        },
    );
    image.insert(Df::Jpki, jpki);

    let check_b = p.check_code_b().into_bytes();
    let root_id = pki::key_id(pki::ROOT_ID, b"001");

    // --- 券面事項入力補助AP (text) ---
    let mut text = BTreeMap::new();
    let mut my_number = encode(&[0xFF, 0x10], p.my_number.as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    let basic = with_offset_table(&[
        encode(&[0xDF, 0x22], p.holder_name.as_bytes()),
        encode(&[0xDF, 0x23], p.address.as_bytes()),
        encode(&[0xDF, 0x24], p.birth_date.compact().as_bytes()),
        encode(&[0xDF, 0x25], &[b'0' + p.sex]),
    ]);
    // Integrity record: SHA-256 of the whole physical EF 0001 and of EF 0002's value after DF21 (§4.2).
    let value_start = kiosk_apdu::tlv::header(&basic).map(|h| h.header_len).unwrap_or(0);
    let table_len = kiosk_apdu::tlv::header(&basic[value_start..])
        .map(|h| h.total_len())
        .unwrap_or(0);
    let mut signed = encode(&[0xDF, 0x31], &Sha256::digest(&my_number));
    signed.extend(encode(
        &[0xDF, 0x32],
        &Sha256::digest(&basic[value_start + table_len..]),
    ));
    #[expect(
        clippy::expect_used,
        reason = "signing a digest with a 2048-bit key cannot fail"
    )]
    let sig = iss
        .text_issuer
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&signed))
        .expect("signing");
    let mut integrity_body = signed.clone();
    integrity_body.extend(encode(&[0xDF, 0x33], &sig));
    let text_issuer_id = pki::key_id(pki::TEXT_ISSUER_ID, b"001");
    text.insert(
        ef::text::MY_NUMBER,
        Ef::Binary {
            data: my_number,
            gate: Gate::AnyOf(vec![ef::text::PIN, ef::text::CHECK_A]),
        },
    );
    text.insert(
        ef::text::BASIC_FOUR,
        Ef::Binary {
            data: with_filler(basic, 256),
            gate: Gate::AnyOf(vec![ef::text::PIN, ef::text::CHECK_B]),
        },
    );
    text.insert(
        ef::text::INTEGRITY,
        Ef::Binary {
            data: encode(&[0xFF, 0x30], &integrity_body),
            gate: Gate::AnyOf(vec![ef::text::PIN, ef::text::CHECK_A, ef::text::CHECK_B]),
        },
    );
    text.insert(
        ef::text::CV_CERT,
        Ef::Binary {
            data: pki::cv_certificate(
                &iss.card_data_root,
                root_id,
                text_issuer_id,
                &iss.text_issuer.to_public_key(),
            ),
            gate: Gate::Free,
        },
    );
    text.insert(
        ef::text::PIN,
        Ef::Secret {
            value: p.text_pin.as_bytes().to_vec(),
            tries: p.text_tries,
            max: 3,
        },
    );
    text.insert(
        ef::text::BLOCKED_REFERENCE,
        Ef::Secret {
            value: b"--------".to_vec(),
            tries: 0,
            max: 3,
        },
    );
    text.insert(
        ef::text::CHECK_A,
        Ef::Secret {
            value: p.my_number.as_bytes().to_vec(),
            tries: p.check_a_tries,
            max: 10,
        },
    );
    text.insert(
        ef::text::CHECK_B,
        Ef::Secret {
            value: check_b.clone(),
            tries: p.check_b_tries,
            max: 10,
        },
    );
    image.insert(Df::Text, text);

    // --- 券面事項確認AP (surface) ---
    let mut surface = BTreeMap::new();
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
    // The signature covers three separately hashed groups (§4.3); expiry and code are not covered.
    let mut digest_info = CARD_FACE_DIGEST_INFO_PREFIX.to_vec();
    for group in [&group1[..], &group2[..], &group3[..]] {
        digest_info.extend_from_slice(&Sha256::digest(group.concat()));
    }
    let face_sig = sign_digest_info(&iss.surface_issuer, &digest_info);
    let mut children: Vec<Vec<u8>> = group1.into_iter().chain(group2).chain(group3).collect();
    children.push(encode(&[0xDF, 0x28], &face_sig));
    children.push(encode(&[0xDF, 0x29], p.card_expiry.compact().as_bytes()));
    children.push(encode(&[0xDF, 0x2A], &blank_png(24, 12)));
    let face = with_offset_table(&children);
    let face_len = face.len();
    surface.insert(
        ef::surface::CARD_FACE,
        Ef::Binary {
            data: with_filler(face, face_len + 64),
            gate: Gate::AnyOf(vec![ef::surface::CHECK_B, ef::surface::CHECK_A]),
        },
    );
    let mut basic_data = encode(&[0xDF, 0x31], &[0x06, 0x03, 0x0E, 0x01]);
    basic_data.extend(encode(&[0xDF, 0x32], &pki::key_id(b"7000024", b"001")));
    basic_data.extend(encode(&[0xDF, 0x33], &[0x01]));
    basic_data.extend(encode(&[0xDF, 0x34], p.municipality.as_bytes()));
    surface.insert(
        ef::surface::BASIC_DATA,
        Ef::Binary {
            data: encode(&[0xFF, 0x30], &basic_data),
            gate: Gate::Free,
        },
    );
    let surface_issuer_id = pki::key_id(pki::SURFACE_ISSUER_ID, b"001");
    surface.insert(
        ef::surface::CV_CERT,
        Ef::Binary {
            data: pki::cv_certificate(
                &iss.card_data_root,
                root_id,
                surface_issuer_id,
                &iss.surface_issuer.to_public_key(),
            ),
            gate: Gate::Free,
        },
    );
    let b = p.birth_date;
    let birth_key = crate::era::birth_digits(b.y, b.m, b.d, p.japanese_national).into_bytes();
    surface.insert(
        ef::surface::BIRTH_DATE,
        Ef::Secret {
            value: birth_key,
            tries: 10,
            max: 10,
        },
    );
    surface.insert(
        ef::surface::CHECK_B,
        Ef::Secret {
            value: check_b,
            tries: p.check_b_tries,
            max: 10,
        },
    );
    surface.insert(
        ef::surface::CHECK_A,
        Ef::Secret {
            value: p.my_number.as_bytes().to_vec(),
            tries: p.check_a_tries,
            max: 10,
        },
    );
    surface.insert(
        ef::surface::CARD_KEY,
        Ef::Key {
            key: Box::new(keys.surface_card.clone()),
            gate: Gate::Free,
        },
    );
    image.insert(Df::Surface, surface);
    image
}
