//! A private test PKI for virtual cards: seeded RSA-2048 keys, X.509 certificates shaped like the JPKI
//! ones (RSA-2048, e = 65537, sha256WithRSAEncryption, DN under `O=JPKI-TEST`, docs/CARD-NOTES.md §7),
//! and the card-verifiable certificates of the 券面 APs. Same seed, same keys: runs are reproducible.
//!
//! Key generation is the slow part (a few hundred ms per key), so keys are made once per process and
//! shared through a cache.

use crate::profile::Ymd;
use der::{Decode, Encode, asn1::UtcTime};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, traits::PublicKeyParts};
use sha2::{Digest, Sha256};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use x509_cert::builder::{Builder, CertificateBuilder, Profile as CertProfile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Issuer DN of the test user-authentication CA (production: `O=JPKI`, §7.1).
pub const AUTH_CA_DN: &str =
    "CN=JPKI-TEST CA for user authentication,OU=JPKI for user authentication,O=JPKI-TEST,C=JP";
pub const SIGN_CA_DN: &str =
    "CN=JPKI-TEST CA for digital signature,OU=JPKI for digital signature,O=JPKI-TEST,C=JP";

/// Which J-LIS hierarchy a virtual card's 券面 APs claim: the issuer key ids of their card-verifiable
/// certificates are J-LIS's, as on real cards (docs/CARD-NOTES.md §4.3; real test card: issuer 6000023).
/// The keys behind those ids are the virtual card's own ([`card_face_ca`]): J-LIS's private keys are
/// nobody else's, so a reader trusts a virtual card only when it is told to trust the virtual CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hierarchy {
    /// Production cards: CA key ids 5000023 (card face) and 5000033 (text).
    Production,
    /// JPKI test cards: CA key ids 6000023 and 6000033. The virtual cards are test cards.
    #[default]
    Test,
}

/// The two 券面 applications, each with its own CA key and municipality key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFaceAp {
    /// 券面事項確認AP: signs the card face (EF 0002).
    Surface,
    /// 券面事項入力補助AP: signs the integrity record (EF 0003).
    Text,
}

impl Hierarchy {
    /// The CA key's 7-digit name: 5000023/6000023 (surface), 5000033/6000033 (text), as J-LIS's keys in
    /// `assets/jlis/card-face-ca-keys.toml` and the real test card's EF 0004s.
    pub fn ca_name(self, ap: CardFaceAp) -> &'static [u8; 7] {
        match (self, ap) {
            (Hierarchy::Production, CardFaceAp::Surface) => b"5000023",
            (Hierarchy::Production, CardFaceAp::Text) => b"5000033",
            (Hierarchy::Test, CardFaceAp::Surface) => b"6000023",
            (Hierarchy::Test, CardFaceAp::Text) => b"6000033",
        }
    }
}

/// The CA key id a virtual card's CV certificate names as its issuer (serial `001`, as on the real card).
pub fn card_face_ca_id(hierarchy: Hierarchy, ap: CardFaceAp) -> [u8; 16] {
    key_id(hierarchy.ca_name(ap), b"001")
}

/// The virtual CA key behind [`card_face_ca_id`]; made once per process.
pub fn card_face_ca_key(hierarchy: Hierarchy, ap: CardFaceAp) -> RsaPrivateKey {
    let name = String::from_utf8_lossy(hierarchy.ca_name(ap)).into_owned();
    seeded_key(&format!("virtual card-face CA {name}"))
}

/// The key id of a municipality's key, the subject of an AP's CV certificate: the 5-digit municipality
/// code, 2 digits for the AP (`21` card face, `31` text, as `1322121`/`1322131` on the real test card
/// from municipality 13221; the reading of the digits is an inference from that one card), serial `000`.
pub fn municipality_key_id(municipality: &str, ap: CardFaceAp) -> [u8; 16] {
    let mut name = [b'0'; 7];
    for (to, from) in name.iter_mut().zip(municipality.bytes().take(5)) {
        *to = from;
    }
    name[5..].copy_from_slice(match ap {
        CardFaceAp::Surface => b"21",
        CardFaceAp::Text => b"31",
    });
    key_id(&name, b"000")
}

/// The municipality's key that signs an AP's data (the card face, the text integrity record).
pub fn municipality_key(municipality: &str, ap: CardFaceAp) -> RsaPrivateKey {
    seeded_key(&format!("municipality {municipality} {ap:?}"))
}

/// Derive a deterministic RSA-2048 key from a label.
pub fn seeded_key(label: &str) -> RsaPrivateKey {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<RsaPrivateKey>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(k) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(label) {
        return (**k).clone();
    }
    let seed: [u8; 32] = Sha256::digest(format!("kiosk-card-sim test key: {label}")).into();
    let mut rng = ChaCha20Rng::from_seed(seed);
    #[expect(
        clippy::expect_used,
        reason = "2048-bit generation with a working RNG cannot fail"
    )]
    let key = RsaPrivateKey::new(&mut rng, 2048).expect("RSA key generation");
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(label.into(), Arc::new(key.clone()));
    key
}

/// One generation of the virtual user-authentication CA.
///
/// J-LIS starts a new generation of its user-authentication CA every few years, each valid for ten years
/// and all under one name (`authca01` from 2015-10-20, `authca02` from 2019-09-14, `authca03` from
/// 2023-07-16 to 2033-07-15: assets/jpki/README.md). A card's certificate is issued by the generation
/// current on its issue day, so a card of 2022 chains to generation 2, not 3. The virtual hierarchy keeps
/// that calendar (generation 3 keeps the serial of `authca03`) and goes on every four years after it, so
/// every virtual card, whatever its dates, is issued by a generation valid when it was issued, as a
/// reader that checks this (kiosk-mynumber's trust) demands.
pub struct AuthCaGeneration {
    /// 1, 2, 3, …: the `authca0N` it stands for.
    pub number: u8,
    pub valid_from: Ymd,
    pub valid_to: Ymd,
    key: RsaPrivateKey,
    /// The self-signed CA certificate (DER) a card of this generation serves as JPKI EF 000B.
    pub certificate: Vec<u8>,
}

impl std::fmt::Debug for AuthCaGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthCaGeneration({})", self.number)
    }
}

/// Start day and serial of each virtual generation: J-LIS's three (their days and, for the third, its
/// serial), then every four years.
const AUTH_CA_CALENDAR: [(Ymd, u64); 5] = [
    (
        Ymd {
            y: 2015,
            m: 10,
            d: 20,
        },
        0x01,
    ),
    (Ymd { y: 2019, m: 9, d: 15 }, 0x0133_C349),
    (Ymd { y: 2023, m: 7, d: 16 }, 0x06D1_8006),
    (Ymd { y: 2027, m: 7, d: 16 }, 0x0A00_0004),
    (Ymd { y: 2031, m: 7, d: 16 }, 0x0A00_0005),
];

/// Generation `index` (0-based), made on first use: each costs a key.
fn auth_ca_generation(index: usize) -> &'static AuthCaGeneration {
    static GENERATIONS: [OnceLock<AuthCaGeneration>; AUTH_CA_CALENDAR.len()] =
        [const { OnceLock::new() }; AUTH_CA_CALENDAR.len()];
    let index = index.min(AUTH_CA_CALENDAR.len() - 1);
    GENERATIONS[index].get_or_init(|| {
        let (valid_from, serial) = AUTH_CA_CALENDAR[index];
        let number = u8::try_from(index + 1).unwrap_or(u8::MAX);
        // Generation 3 keeps the key the single virtual CA had, so cards made before generations existed
        // still chain.
        let key = if number == 3 {
            seeded_key("auth-ca")
        } else {
            seeded_key(&format!("auth-ca generation {number}"))
        };
        let valid_to = Ymd {
            y: valid_from.y + 10,
            ..valid_from
        }
        .add_days(-1);
        let certificate = build_cert(AUTH_CA_DN, None, &key, &key, serial, valid_from, valid_to);
        AuthCaGeneration {
            number,
            valid_from,
            valid_to,
            key,
            certificate,
        }
    })
}

/// The generation that issues a certificate on `issued`: the newest one started by then (the first for
/// a day before the calendar).
pub fn auth_ca_issuing(issued: Ymd) -> &'static AuthCaGeneration {
    let index = AUTH_CA_CALENDAR
        .iter()
        .rposition(|(from, _)| *from <= issued)
        .unwrap_or(0);
    auth_ca_generation(index)
}

/// Every virtual generation: what a reader trusts to accept any virtual card (the demo does, by the
/// hierarchy's name `JPKI-TEST`).
pub fn auth_ca_generations() -> Vec<&'static AuthCaGeneration> {
    (0..AUTH_CA_CALENDAR.len()).map(auth_ca_generation).collect()
}

/// The shared issuers of the test hierarchy's digital-signature side (one CA: the kiosk never checks a
/// signing certificate).
#[derive(Clone)]
pub struct Issuers {
    pub sign_ca: RsaPrivateKey,
    pub sign_ca_cert: Vec<u8>,
}

impl std::fmt::Debug for Issuers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Issuers(test hierarchy)")
    }
}

/// The test hierarchy's signing CA, made once per process.
pub fn issuers() -> &'static Issuers {
    static ISSUERS: OnceLock<Issuers> = OnceLock::new();
    ISSUERS.get_or_init(|| {
        let sign_ca = seeded_key("sign-ca");
        let start = Ymd { y: 2023, m: 7, d: 16 };
        let end = Ymd { y: 2033, m: 7, d: 15 };
        let sign_ca_cert = build_cert(SIGN_CA_DN, None, &sign_ca, &sign_ca, 0x067C_6A21, start, end);
        Issuers {
            sign_ca,
            sign_ca_cert,
        }
    })
}

impl AuthCaGeneration {
    /// Sign a user-authentication certificate for a card of this generation.
    pub(crate) fn issue(
        &self,
        subject_dn: &str,
        subject: &RsaPrivateKey,
        serial: u64,
        from: Ymd,
        to: Ymd,
    ) -> Vec<u8> {
        build_cert(subject_dn, Some(AUTH_CA_DN), subject, &self.key, serial, from, to)
    }
}

/// The key id under which readers should trust [`card_data_trust_anchor`]: `6000023`, the card-face CA
/// id of the test hierarchy the virtual cards claim by default.
pub fn card_data_trust_anchor_id() -> [u8; 16] {
    card_face_ca_id(Hierarchy::Test, CardFaceAp::Surface)
}

/// The public key a reader must trust, explicitly, to accept the default virtual cards' card faces.
pub fn card_data_trust_anchor() -> RsaPublicKey {
    card_face_ca_key(Hierarchy::Test, CardFaceAp::Surface).to_public_key()
}

/// The virtual card-face CA of one hierarchy as (key id, public key): what a reader must be told to trust
/// to accept a virtual card of that hierarchy.
pub fn card_face_ca(hierarchy: Hierarchy) -> ([u8; 16], RsaPublicKey) {
    (
        card_face_ca_id(hierarchy, CardFaceAp::Surface),
        card_face_ca_key(hierarchy, CardFaceAp::Surface).to_public_key(),
    )
}

fn time(d: Ymd, end_of_day: bool) -> Time {
    let (h, m, s) = if end_of_day { (14, 59, 59) } else { (15, 0, 0) };
    // JPKI certificates run from/to midnight JST, i.e. 15:00 UTC the day before; keep it simple and
    // use 15:00:00 UTC of the previous day for notBefore and 14:59:59 UTC of the day for notAfter.
    let date = if end_of_day { d } else { d.add_days(-1) };
    #[expect(
        clippy::expect_used,
        reason = "profile dates are validated to 1868..2099; UTCTime covers 1950..2049"
    )]
    let dt = der::DateTime::new(date.y.clamp(1950, 2049), date.m, date.d, h, m, s).expect("valid date");
    #[expect(clippy::expect_used, reason = "clamped to UTCTime's range above")]
    Time::UtcTime(UtcTime::from_date_time(dt).expect("UTCTime range"))
}

/// Build and sign an X.509 v3 certificate. `issuer_dn = None` makes a self-signed CA.
pub fn build_cert(
    subject_dn: &str,
    issuer_dn: Option<&str>,
    subject_key: &RsaPrivateKey,
    issuer_key: &RsaPrivateKey,
    serial: u64,
    not_before: Ymd,
    not_after: Ymd,
) -> Vec<u8> {
    let build = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let subject = Name::from_str(subject_dn)?;
        let profile = match issuer_dn {
            None => CertProfile::Root,
            Some(dn) => CertProfile::Leaf {
                issuer: Name::from_str(dn)?,
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
        };
        let spki_der = subject_key.to_public_key().to_public_key_der()?;
        let spki = SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())?;
        let validity = Validity {
            not_before: time(not_before, false),
            not_after: time(not_after, true),
        };
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(issuer_key.clone());
        let serial = SerialNumber::new(&serial.to_be_bytes()[serial.leading_zeros() as usize / 8..])?;
        let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, &signer)?;
        let cert = builder.build::<rsa::pkcs1v15::Signature>()?;
        Ok(cert.to_der()?)
    };
    #[expect(
        clippy::expect_used,
        reason = "fixed, well-formed inputs; a failure is a bug in this module"
    )]
    let der = build().expect("certificate building");
    der
}

/// The `90 03 <e> 91 82 01 00 <n>` public-key encoding the 券面 APs use (docs/CARD-NOTES.md §4.2).
pub fn card_public_key_bytes(key: &RsaPublicKey) -> Vec<u8> {
    let e = key.e().to_bytes_be();
    let mut n = key.n().to_bytes_be();
    while n.len() < 256 {
        n.insert(0, 0);
    }
    let mut out = kiosk_apdu::tlv::encode(&[0x90], &e);
    out.extend(kiosk_apdu::tlv::encode(&[0x91], &n));
    out
}

/// A 16-byte key id: 7 ASCII digits, `08 05`, 3 ASCII digits, 4 bytes of `00` padding, as every key id
/// on the real test card (docs/CARD-NOTES.md §4.3; the MF's card-level chain alone ends some in another
/// byte, `…00 00 00 A8`, which the 券面 APs do not use).
pub fn key_id(issuer: &[u8; 7], serial: &[u8; 3]) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..7].copy_from_slice(issuer);
    id[7..9].copy_from_slice(&[0x08, 0x05]);
    id[9..12].copy_from_slice(serial);
    id
}

/// A card-verifiable certificate (`7F 21`): body `5F 4E` (issuer key id, subject key id, public key),
/// signature `5F 37` by `signer` over the body value, PKCS#1 v1.5 with SHA-256: the real test card's EF
/// 0004 verifies exactly so against J-LIS's 6000023 key (docs/CARD-NOTES.md §4.3).
pub fn cv_certificate(
    signer: &RsaPrivateKey,
    signer_id: [u8; 16],
    subject_id: [u8; 16],
    subject: &RsaPublicKey,
) -> Vec<u8> {
    let mut body = signer_id.to_vec();
    body.extend_from_slice(&subject_id);
    body.extend(card_public_key_bytes(subject));
    let digest = Sha256::digest(&body);
    #[expect(clippy::expect_used, reason = "a 2048-bit key signs a 32-byte digest")]
    let sig = signer
        .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .expect("signing");
    let mut inner = kiosk_apdu::tlv::encode(&[0x5F, 0x4E], &body);
    inner.extend(kiosk_apdu::tlv::encode(&[0x5F, 0x37], &sig));
    kiosk_apdu::tlv::encode(&[0x7F, 0x21], &inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    /// As J-LIS issues: every card's certificate comes from a generation that had begun on its issue day
    /// and lasts past the certificate's end, so a reader checking "the CA was valid when it issued"
    /// accepts every virtual card (the last-try and pin-blocked cards of 2022–23 from generation 2).
    #[test]
    fn every_card_is_issued_by_a_generation_valid_for_its_whole_certificate() {
        for name in Profile::embedded_names() {
            let p = Profile::embedded(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            let generation = auth_ca_issuing(p.cert_not_before);
            assert!(
                generation.valid_from <= p.cert_not_before && p.cert_not_after <= generation.valid_to,
                "{name}: {:?}..{:?} outside generation {} ({:?}..{:?})",
                p.cert_not_before,
                p.cert_not_after,
                generation.number,
                generation.valid_from,
                generation.valid_to
            );
        }
        assert_eq!(auth_ca_issuing(Ymd { y: 2023, m: 4, d: 20 }).number, 2);
        assert_eq!(auth_ca_issuing(Ymd { y: 2023, m: 7, d: 16 }).number, 3);
    }

    /// Generation 3 keeps J-LIS's authca03 calendar (2023-07-16 to 2033-07-15, assets/jpki/README.md).
    #[test]
    fn the_third_generation_has_the_real_third_generations_dates() {
        let third = auth_ca_issuing(Ymd { y: 2025, m: 1, d: 1 });
        assert_eq!(third.number, 3);
        assert_eq!(third.valid_from, Ymd { y: 2023, m: 7, d: 16 });
        assert_eq!(third.valid_to, Ymd { y: 2033, m: 7, d: 15 });
        let numbers: Vec<u8> = auth_ca_generations().iter().map(|g| g.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
    }
}
