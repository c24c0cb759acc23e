//! 券面事項確認AP: the card face (EF 0002), its signature and the card-verifiable certificate (EF 0004)
//! that certifies the signing key (docs/CARD-NOTES.md §4.3).
//!
//! EF 0002 = `FF 20` { `DF 21` offsets, `DF 22` birth, `DF 23` sex, `DF 24` card public key, `DF 25` name
//! image, `DF 26` address image, `DF 27` face photo (greyscale JPEG 2000), `DF 28` signature, `DF 29`
//! expiry, `DF 2A` security-code image }. The signature is PKCS#1 v1.5 over a DigestInfo holding three
//! SHA-256 digests: (DF22 DF23 DF24), (DF25 DF26), (DF27), each over the objects as sent. Expiry and
//! security code are not covered. Both this and the CV certificate's scheme are confirmed on a real test
//! card (docs/CARD-NOTES.md §4.4; `tests/real_test_card.rs`).

use crate::date::Date;
use kiosk_apdu::tlv::{Constructed, TlvError};
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A key the kiosk trusts to certify 券面 AP signing keys, by its 16-byte key id (証明者鍵ID: 7 digits,
/// `08 05`, 3 digits, `00` padding). Several anchors may share an id (a key J-LIS renews; a test CA under
/// J-LIS's id): the certificate is trusted when any of them verifies it.
#[derive(Clone)]
pub struct TrustAnchor {
    pub key_id: [u8; 16],
    pub key: RsaPublicKey,
}

impl std::fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustAnchor({})", String::from_utf8_lossy(&self.key_id[..7]))
    }
}

/// The card face read with 照合番号B. Personal data: redacted in `Debug`, wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CardFace {
    #[zeroize(skip)]
    pub birth_date: Date,
    pub sex: u8,
    #[zeroize(skip)]
    pub expiry: Date,
    /// The face photo, JPEG 2000 in the JP2 container; empty on a photo-less card (under 1 year).
    pub photo_jp2: Vec<u8>,
    pub name_png: Vec<u8>,
    pub address_png: Vec<u8>,
    pub security_code_png: Vec<u8>,
    signed_digests: Vec<u8>,
    signature: Vec<u8>,
    card_key: Vec<u8>,
}

impl std::fmt::Debug for CardFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardFace(<redacted>, photo {} bytes)", self.photo_jp2.len())
    }
}

/// What the kiosk could establish about the card face. All three must hold to trust the photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardFaceCheck {
    /// The card-face data matches its signature under the key certified in EF 0004.
    pub data_signature_valid: bool,
    /// EF 0004 is signed by one of the trust anchors.
    pub issuer_trusted: bool,
    /// The card proved it holds the private half of the signed card key (a copied chip cannot).
    pub card_key_proven: bool,
}

impl CardFaceCheck {
    pub fn is_genuine(self) -> bool {
        self.data_signature_valid && self.issuer_trusted && self.card_key_proven
    }
}

/// JPEG 2000 signature box: the first 12 bytes of a JP2 file.
pub const JP2_MAGIC: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];
/// DigestInfo prefix for SHA-256 with a 96-byte digest field.
const DIGEST_INFO_96: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x60,
];

/// Why a 券面 AP public key (`90 <e> 91 <n>`) cannot be used. Names tags and sizes, never key bytes.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardKeyError {
    #[error(transparent)]
    Tlv(#[from] TlvError),
    #[error("public key: exponent tag 90 missing")]
    ExponentTagMissing,
    #[error("public key: exponent truncated")]
    ExponentTruncated,
    #[error("public key: modulus tag 91 missing")]
    ModulusTagMissing,
    #[error("public key: modulus truncated")]
    ModulusTruncated,
    #[error("public key: implausible sizes")]
    ImplausibleSizes,
    #[error("public key: {0}")]
    Rsa(rsa::Error),
}

/// Why the card face (EF 0002 of the 券面事項確認AP) cannot be used. The messages name the item that
/// is wrong, never its value: the card face is personal data.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardFaceError {
    #[error(transparent)]
    Tlv(#[from] TlvError),
    #[error("the face photo is not a JPEG 2000 (JP2) file")]
    PhotoNotJp2,
    #[error("birth date is not a valid YYYYMMDD")]
    BirthDate,
    #[error("sex code is not 0, 1, 2 or 9")]
    Sex,
    #[error("card expiry is not a valid YYYYMMDD")]
    Expiry,
    #[error(transparent)]
    CardKey(#[from] CardKeyError),
}

/// Why a card-verifiable certificate (EF 0004) cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CvCertificateError {
    #[error(transparent)]
    Tlv(#[from] TlvError),
    #[error("CV certificate body too short")]
    BodyTooShort,
    #[error(transparent)]
    Key(#[from] CardKeyError),
}

/// Parse the `90 <e> 91 <n>` public-key encoding of the 券面 APs.
pub fn parse_card_public_key(bytes: &[u8]) -> Result<RsaPublicKey, CardKeyError> {
    let e_h = kiosk_apdu::tlv::header(bytes)?;
    if e_h.tag != [0x90] {
        return Err(CardKeyError::ExponentTagMissing);
    }
    let e = bytes
        .get(e_h.header_len..e_h.total_len())
        .ok_or(CardKeyError::ExponentTruncated)?;
    let rest = &bytes[e_h.total_len()..];
    let n_h = kiosk_apdu::tlv::header(rest)?;
    if n_h.tag != [0x91] {
        return Err(CardKeyError::ModulusTagMissing);
    }
    let n = rest
        .get(n_h.header_len..n_h.total_len())
        .ok_or(CardKeyError::ModulusTruncated)?;
    if n.len() > 512 || e.len() > 8 {
        return Err(CardKeyError::ImplausibleSizes);
    }
    RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)).map_err(CardKeyError::Rsa)
}

impl CardFace {
    pub fn parse(ef: &[u8]) -> Result<CardFace, CardFaceError> {
        let obj = Constructed::parse(ef, &[0xFF, 0x20])?;
        let get = |t: u8| obj.require(&[0xDF, t]);
        let raw = |t: u8| obj.raw(&[0xDF, t]);
        let photo = get(0x27)?;
        if !photo.is_empty() && !photo.starts_with(&JP2_MAGIC) {
            return Err(CardFaceError::PhotoNotJp2);
        }
        let mut digests = Vec::with_capacity(96);
        digests.extend_from_slice(&Sha256::digest([raw(0x22)?, raw(0x23)?, raw(0x24)?].concat()));
        digests.extend_from_slice(&Sha256::digest([raw(0x25)?, raw(0x26)?].concat()));
        digests.extend_from_slice(&Sha256::digest(raw(0x27)?));
        let card_key = get(0x24)?.to_vec();
        parse_card_public_key(&card_key)?;
        Ok(CardFace {
            birth_date: Date::from_yyyymmdd(get(0x22)?).ok_or(CardFaceError::BirthDate)?,
            sex: crate::text::parse_sex(get(0x23)?).ok_or(CardFaceError::Sex)?,
            expiry: Date::from_yyyymmdd(get(0x29)?).ok_or(CardFaceError::Expiry)?,
            photo_jp2: photo.to_vec(),
            name_png: get(0x25)?.to_vec(),
            address_png: get(0x26)?.to_vec(),
            security_code_png: obj.get(&[0xDF, 0x2A])?.unwrap_or_default().to_vec(),
            signed_digests: digests,
            signature: get(0x28)?.to_vec(),
            card_key,
        })
    }

    pub fn has_photo(&self) -> bool {
        !self.photo_jp2.is_empty()
    }

    /// The card key the face data vouches for (the card must prove it holds the private half).
    pub fn card_public_key(&self) -> Result<RsaPublicKey, CardKeyError> {
        parse_card_public_key(&self.card_key)
    }

    /// Check the data signature against the key certified in `cv_certificate` (EF 0004), and the
    /// certificate against `anchors`. Returns (data signature valid, issuer trusted).
    pub fn check_signature(&self, cv_certificate: &[u8], anchors: &[TrustAnchor]) -> (bool, bool) {
        let Ok(cv) = CvCertificate::parse(cv_certificate) else {
            return (false, false);
        };
        let mut digest_info = DIGEST_INFO_96.to_vec();
        digest_info.extend_from_slice(&self.signed_digests);
        let data_ok = cv
            .subject_key
            .verify(Pkcs1v15Sign::new_unprefixed(), &digest_info, &self.signature)
            .is_ok();
        (data_ok, cv.is_signed_by_any(anchors))
    }
}

/// A card-verifiable certificate `7F 21` { `5F 4E` body, `5F 37` signature }; body = issuer key id (16),
/// subject key id (16), public key. Signed with PKCS#1 v1.5 SHA-256 over the body's value: the real test
/// card's EF 0004 verifies so against J-LIS's 6000023 key (docs/CARD-NOTES.md §4.4). On real cards the
/// issuer is J-LIS's CA (5000023, test 6000023) and the subject a municipality's key.
#[derive(Debug, Clone)]
pub struct CvCertificate {
    pub issuer_id: [u8; 16],
    pub subject_id: [u8; 16],
    pub subject_key: RsaPublicKey,
    body: Vec<u8>,
    signature: Vec<u8>,
}

impl CvCertificate {
    pub fn parse(ef: &[u8]) -> Result<CvCertificate, CvCertificateError> {
        let obj = Constructed::parse(ef, &[0x7F, 0x21])?;
        let body = obj.require(&[0x5F, 0x4E])?;
        let signature = obj.require(&[0x5F, 0x37])?;
        if body.len() < 33 {
            return Err(CvCertificateError::BodyTooShort);
        }
        let mut issuer_id = [0u8; 16];
        let mut subject_id = [0u8; 16];
        issuer_id.copy_from_slice(&body[..16]);
        subject_id.copy_from_slice(&body[16..32]);
        Ok(CvCertificate {
            issuer_id,
            subject_id,
            subject_key: parse_card_public_key(&body[32..])?,
            body: body.to_vec(),
            signature: signature.to_vec(),
        })
    }

    pub fn is_signed_by_any(&self, anchors: &[TrustAnchor]) -> bool {
        let digest = Sha256::digest(&self.body);
        anchors.iter().filter(|a| a.key_id == self.issuer_id).any(|a| {
            a.key
                .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &self.signature)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn hostile_card_face_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..800)) {
            let _ = CardFace::parse(&bytes);
            let _ = CvCertificate::parse(&bytes);
            let _ = parse_card_public_key(&bytes);
        }
    }
}
