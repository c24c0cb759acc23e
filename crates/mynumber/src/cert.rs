//! X.509 certificates of the JPKI AP (RSA-2048, sha256WithRSAEncryption, docs/CARD-NOTES.md §7.1).
//! The user-authentication certificate carries no name, address or birth date, so these values are
//! not personal data; the serial and issuer key the patient's record in the eligibility roster.

use der::asn1::{ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::name::Name;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("not a DER X.509 certificate: {0}")]
    Der(der::Error),
    #[error("the certificate's public key is not RSA: {0}")]
    Key(spki::Error),
    /// A key usage or basic constraints extension that does not decode: the checks that rely on it
    /// could not be made.
    #[error("the certificate's {extension} extension is malformed: {error}")]
    Extension {
        extension: &'static str,
        error: der::Error,
    },
}

/// A parsed certificate with the fields the reception uses.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    /// Serial number, upper-case hex without leading zero bytes.
    pub serial_hex: String,
    pub issuer: String,
    pub subject: String,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    pub public_key: RsaPublicKey,
    tbs_der: Vec<u8>,
    signature: Vec<u8>,
    signature_oid: String,
    /// The issuer and subject names as encoded, compared byte for byte to find a certificate's issuer
    /// (J-LIS encodes its names one way; a name that differs in encoding is another name).
    issuer_name_der: Vec<u8>,
    subject_name_der: Vec<u8>,
    /// The `O=` of the issuer and of the subject: which hierarchy a certificate belongs to (`JPKI` in
    /// production, `JPKI-TEST` on J-LIS's test cards, docs/CARD-NOTES.md §7.1).
    issuer_organization: Option<String>,
    subject_organization: Option<String>,
    /// The key usage extension (RFC 5280 §4.2.1.3), when present.
    key_usage: Option<KeyUsage>,
    /// basicConstraints cA (RFC 5280 §4.2.1.9), when the extension is present.
    is_ca: Option<bool>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Certificate(serial {}, issuer {:?}, {}..{})",
            self.serial_hex, self.issuer, self.not_before, self.not_after
        )
    }
}

/// sha256WithRSAEncryption.
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

impl Certificate {
    /// Parse DER. Trailing bytes (the card's filler) must already be cut off.
    pub fn from_der(der: &[u8]) -> Result<Certificate, CertificateError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(CertificateError::Der)?;
        let tbs = &cert.tbs_certificate;
        let spki_der = tbs
            .subject_public_key_info
            .to_der()
            .map_err(CertificateError::Der)?;
        let public_key = RsaPublicKey::from_public_key_der(&spki_der).map_err(CertificateError::Key)?;
        let key_usage = extension::<KeyUsage>(tbs, "key usage")?;
        let is_ca = extension::<BasicConstraints>(tbs, "basic constraints")?.map(|b| b.ca);
        let mut serial = tbs.serial_number.as_bytes();
        while serial.len() > 1 && serial[0] == 0 {
            serial = &serial[1..];
        }
        Ok(Certificate {
            der: der.to_vec(),
            serial_hex: kiosk_apdu::hex(serial),
            issuer: tbs.issuer.to_string(),
            subject: tbs.subject.to_string(),
            not_before: tbs.validity.not_before.to_unix_duration().as_secs() as i64,
            not_after: tbs.validity.not_after.to_unix_duration().as_secs() as i64,
            public_key,
            tbs_der: tbs.to_der().map_err(CertificateError::Der)?,
            signature: cert.signature.raw_bytes().to_vec(),
            signature_oid: cert.signature_algorithm.oid.to_string(),
            issuer_name_der: tbs.issuer.to_der().map_err(CertificateError::Der)?,
            subject_name_der: tbs.subject.to_der().map_err(CertificateError::Der)?,
            issuer_organization: organization(&tbs.issuer),
            subject_organization: organization(&tbs.subject),
            key_usage,
            is_ca,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn key_bits(&self) -> usize {
        self.public_key.n().bits()
    }

    /// Whether `ca`'s subject name is this certificate's issuer name. A name proves nothing (anyone can
    /// write it, and all generations of a J-LIS CA share one): it only picks the candidates whose
    /// signature is then checked.
    pub fn issuer_name_is_subject_of(&self, ca: &Certificate) -> bool {
        self.issuer_name_der == ca.subject_name_der
    }

    /// The issuer's organization (`O=`): the hierarchy the certificate claims to belong to.
    pub fn issuer_organization(&self) -> Option<&str> {
        self.issuer_organization.as_deref()
    }

    /// The subject's organization (`O=`); for a CA certificate, the hierarchy it heads.
    pub fn subject_organization(&self) -> Option<&str> {
        self.subject_organization.as_deref()
    }

    /// Whether the key may make signatures (key usage digitalSignature). The user-authentication
    /// certificate carries a critical key usage of exactly that; a certificate without the extension is
    /// not shaped like any JPKI certificate and is not taken as one.
    pub fn allows_digital_signature(&self) -> bool {
        self.key_usage.is_some_and(|k| k.digital_signature())
    }

    /// Whether the key may sign certificates: key usage keyCertSign, and basicConstraints cA when the
    /// extension is there (the J-LIS CA certificates carry both, critical).
    pub fn allows_certificate_signing(&self) -> bool {
        self.key_usage.is_some_and(|k| k.key_cert_sign()) && self.is_ca != Some(false)
    }

    /// Whether `issuer`'s key signed this certificate (sha256WithRSAEncryption only).
    pub fn is_signed_by(&self, issuer: &Certificate) -> bool {
        self.signature_oid == SHA256_WITH_RSA
            && issuer
                .public_key
                .verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(&self.tbs_der),
                    &self.signature,
                )
                .is_ok()
    }

    /// Whether `signature` is this certificate key's PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn verifies_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public_key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature)
            .is_ok()
    }

    /// The policy status at `now` (Unix seconds).
    pub fn insurance_status(&self, now: i64) -> crate::policy::CertificateStatus {
        crate::policy::evaluate(self.not_before, self.not_after, now)
    }
}

/// The extension `E` of `tbs`, decoded; `None` when absent.
fn extension<E: AssociatedOid + for<'a> Decode<'a>>(
    tbs: &x509_cert::TbsCertificate,
    name: &'static str,
) -> Result<Option<E>, CertificateError> {
    let Some(ext) = tbs.extensions.iter().flatten().find(|ext| ext.extn_id == E::OID) else {
        return Ok(None);
    };
    E::from_der(ext.extn_value.as_bytes())
        .map(Some)
        .map_err(|error| CertificateError::Extension {
            extension: name,
            error,
        })
}

/// organizationName (X.520, RFC 4519 §2.19).
const ORGANIZATION_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// The first `O=` of `name`, as PrintableString or UTF8String (the two encodings RFC 5280 §4.1.2.4
/// expects of new certificates).
fn organization(name: &Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == ORGANIZATION_NAME)
        .and_then(|atv| {
            PrintableStringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_string())
                .or_else(|_| Utf8StringRef::try_from(&atv.value).map(|s| s.as_str().to_string()))
                .ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn random_bytes_are_rejected_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
            prop_assert!(Certificate::from_der(&bytes).is_err());
        }

        #[test]
        fn der_shaped_garbage_is_rejected_without_panic(len in 0u16..2000, body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let [hi, lo] = len.to_be_bytes();
            let mut bytes = vec![0x30, 0x82, hi, lo];
            bytes.extend(body);
            let _ = Certificate::from_der(&bytes);
        }
    }
}
