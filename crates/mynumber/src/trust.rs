//! Trust in the user-authentication certificate, rooted in J-LIS and not in the card (issue 20,
//! docs/CARD-NOTES.md §7.3).
//!
//! A card serves its certificate (JPKI EF 000A) and the CA certificate that issued it (EF 000B). Checking
//! one against the other proves only that the card is consistent: a forged card (a programmable card or
//! a phone emulator) can serve a certificate that copies a victim's issuer name and serial, both readable
//! without a PIN, signed by a CA of its own making, and pass the PIN path as the victim. So the kiosk
//! checks the certificate against CA certificates it holds itself: the J-LIS 利用者証明用 CA certificates
//! (authca01–03, `assets/jpki/`, from https://www.jpki.go.jp/ca/index.html) built in, plus those the
//! configuration adds (J-LIS starts a new generation every few years). EF 000B is informational.
//!
//! The checks, in the order [`AuthTrust::verify`] makes them:
//! 1. the hierarchy: the issuer's `O=` is `JPKI` (production), or a test hierarchy the configuration
//!    trusts by name (J-LIS's test cards say `JPKI-TEST`);
//! 2. the certificate's key has at least 2048 bits and a key usage that allows signatures;
//! 3. the issuer: trusted CA certificates with the certificate's issuer name are the candidates (all
//!    generations of a J-LIS CA share one name), and one of them must have signed it;
//! 4. that CA was valid when the certificate was issued (its notBefore): a certificate issued by
//!    generation 1 stays good after generation 1 expired, as J-LIS's CA page says of its generations;
//! 5. the certificate itself is usable at the kiosk's time by the insurance rule ([`crate::policy`]:
//!    not before its notBefore, and up to the end of the third month after its notAfter).
//!
//! Anchors are checked when added: a CA key usage and at least 2048 bits.

use crate::cert::{Certificate, CertificateError};
use crate::date::Date;

/// The `O=` of J-LIS's production hierarchy (docs/CARD-NOTES.md §7.1).
pub const PRODUCTION_HIERARCHY: &str = "JPKI";

/// The smallest RSA key the kiosk accepts, in a certificate or an anchor. Every JPKI key is 2048 bits
/// (docs/CARD-NOTES.md §7.1); a shorter one is not J-LIS's.
pub const MIN_KEY_BITS: usize = 2048;

/// The built-in anchors: the three generations of J-LIS's user-authentication CA certificate, byte for
/// byte as J-LIS publishes them (`assets/jpki/README.md` has their source and SHA-256).
pub const JLIS_USER_AUTH_CAS: [(&str, &[u8]); 3] = [
    (
        "authca01.cer",
        include_bytes!("../../../assets/jpki/authca01.cer"),
    ),
    (
        "authca02.cer",
        include_bytes!("../../../assets/jpki/authca02.cer"),
    ),
    (
        "authca03.cer",
        include_bytes!("../../../assets/jpki/authca03.cer"),
    ),
];

/// Why a CA certificate or a hierarchy name cannot be trusted. Checked when the configuration is read,
/// so clinic IT hears about a wrong file before a patient does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error("not a CA certificate: its key usage does not allow signing certificates")]
    NotCa,
    #[error("its key has {bits} bits, fewer than {MIN_KEY_BITS}")]
    WeakKey { bits: usize },
    #[error("a test hierarchy is named by the O= of its CA; the name is empty")]
    EmptyHierarchyName,
    /// `JPKI` is trusted through its CA certificates; naming it as a test hierarchy is a mistake.
    #[error("\"{PRODUCTION_HIERARCHY}\" is J-LIS's production hierarchy, not a test hierarchy")]
    ProductionIsNotATestHierarchy,
}

/// Why a user-authentication certificate is not trusted. The messages say what failed, never a
/// subject name or serial; the hierarchy name (`O=` of a CA) is not personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("the certificate is from the hierarchy O={0}, which this kiosk does not trust")]
    UntrustedHierarchy(String),
    #[error("the certificate's issuer names no organization (O=), so it is not from J-LIS")]
    NoHierarchy,
    #[error("the certificate's key has {bits} bits, fewer than {MIN_KEY_BITS}")]
    WeakKey { bits: usize },
    #[error("the certificate's key usage does not allow signatures")]
    KeyUsage,
    #[error("the certificate is not issued by a trusted J-LIS CA: no trusted CA has its issuer's name")]
    UnknownIssuer,
    #[error(
        "the certificate is not issued by a trusted J-LIS CA: no trusted CA of its issuer's name signed it"
    )]
    BadSignature,
    #[error("the certificate was issued when the CA that signed it was not valid")]
    IssuerNotValidAtIssue,
    #[error("the certificate is not valid before {valid_from} (check the kiosk's clock)")]
    NotYetValid { valid_from: Date },
    #[error(
        "the certificate expired on {expired_on}, and its grace (to the end of the third month after) is over"
    )]
    Expired { expired_on: Date },
}

impl TrustError {
    /// True when the chain is sound and only the kiosk's date is outside what the certificate allows:
    /// a genuine card, which the reception turns away with its own screen (expired, renew it), not as
    /// a forgery.
    pub fn is_only_time(&self) -> bool {
        matches!(self, TrustError::NotYetValid { .. } | TrustError::Expired { .. })
    }
}

/// The CA certificates and hierarchies the kiosk trusts for user-authentication certificates.
#[derive(Debug, Clone)]
pub struct AuthTrust {
    anchors: Vec<Certificate>,
    test_hierarchies: Vec<String>,
}

impl AuthTrust {
    /// The J-LIS CA certificates built in, and no test hierarchy: what a clinic's kiosk trusts.
    pub fn jlis() -> AuthTrust {
        let mut trust = AuthTrust::nothing();
        for (_, der) in JLIS_USER_AUTH_CAS {
            #[expect(
                clippy::expect_used,
                reason = "embedded J-LIS files, each parsed and checked by this module's tests"
            )]
            trust
                .add_anchor_der(der)
                .expect("a built-in J-LIS CA certificate");
        }
        trust
    }

    /// No anchor at all: every certificate is refused. A start for tests that choose each anchor.
    pub fn nothing() -> AuthTrust {
        AuthTrust {
            anchors: Vec::new(),
            test_hierarchies: Vec::new(),
        }
    }

    /// Trust one more CA certificate (DER), after checking that it is one: a CA key usage and at least
    /// [`MIN_KEY_BITS`]. A certificate already trusted is not added twice. An anchor of a test hierarchy
    /// is used only once that hierarchy is trusted by name ([`AuthTrust::trust_test_hierarchy`]).
    pub fn add_anchor_der(&mut self, der: &[u8]) -> Result<(), AnchorError> {
        let ca = Certificate::from_der(der)?;
        if !ca.allows_certificate_signing() {
            return Err(AnchorError::NotCa);
        }
        if ca.key_bits() < MIN_KEY_BITS {
            return Err(AnchorError::WeakKey { bits: ca.key_bits() });
        }
        if !self.anchors.iter().any(|a| a.der() == ca.der()) {
            self.anchors.push(ca);
        }
        Ok(())
    }

    /// Trust certificates of the test hierarchy `organization` (the `O=` of its CA, e.g. `JPKI-TEST`)
    /// that chain to an anchor. For test benches and the virtual cards: a clinic's kiosk trusts none.
    pub fn trust_test_hierarchy(&mut self, organization: &str) -> Result<(), AnchorError> {
        if organization.trim().is_empty() {
            return Err(AnchorError::EmptyHierarchyName);
        }
        if organization == PRODUCTION_HIERARCHY {
            return Err(AnchorError::ProductionIsNotATestHierarchy);
        }
        if !self.test_hierarchies.iter().any(|h| h == organization) {
            self.test_hierarchies.push(organization.to_string());
        }
        Ok(())
    }

    /// The trusted CA certificates, built-in first.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The test hierarchies trusted by name.
    pub fn test_hierarchies(&self) -> &[String] {
        &self.test_hierarchies
    }

    /// Whether `certificate` is a user-authentication certificate issued by a trusted J-LIS CA and
    /// usable at `now` (Unix seconds). The checks and their order are in the module documentation; a
    /// [`TrustError::is_only_time`] error comes only after every other check passed.
    pub fn verify(&self, certificate: &Certificate, now: i64) -> Result<(), TrustError> {
        match certificate.issuer_organization() {
            None => return Err(TrustError::NoHierarchy),
            Some(PRODUCTION_HIERARCHY) => {}
            Some(test) if self.test_hierarchies.iter().any(|h| h == test) => {}
            Some(other) => return Err(TrustError::UntrustedHierarchy(other.to_string())),
        }
        if certificate.key_bits() < MIN_KEY_BITS {
            return Err(TrustError::WeakKey {
                bits: certificate.key_bits(),
            });
        }
        if !certificate.allows_digital_signature() {
            return Err(TrustError::KeyUsage);
        }
        let named: Vec<&Certificate> = self
            .anchors
            .iter()
            .filter(|ca| certificate.issuer_name_is_subject_of(ca))
            .collect();
        if named.is_empty() {
            return Err(TrustError::UnknownIssuer);
        }
        let signers: Vec<&Certificate> = named
            .into_iter()
            .filter(|ca| certificate.is_signed_by(ca))
            .collect();
        if signers.is_empty() {
            return Err(TrustError::BadSignature);
        }
        let issued = certificate.not_before;
        if !signers
            .iter()
            .any(|ca| ca.not_before <= issued && issued <= ca.not_after)
        {
            return Err(TrustError::IssuerNotValidAtIssue);
        }
        let status = certificate.insurance_status(now);
        if status.usable_for_eligibility() {
            return Ok(());
        }
        Err(match status {
            crate::CertificateStatus::NotYetValid { valid_from } => TrustError::NotYetValid { valid_from },
            _ => TrustError::Expired {
                expired_on: Date::from_unix_jst(certificate.not_after),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_anchors_are_the_three_jlis_generations() {
        let trust = AuthTrust::jlis();
        assert_eq!(trust.anchors().len(), 3);
        assert!(trust.test_hierarchies().is_empty());
        let first = &trust.anchors()[0];
        for ca in trust.anchors() {
            assert_eq!(ca.subject_organization(), Some(PRODUCTION_HIERARCHY));
            assert_eq!(ca.key_bits(), 2048);
            assert!(ca.allows_certificate_signing());
            assert!(!ca.allows_digital_signature());
            // One name for all generations, each self-signed with its own key.
            assert!(ca.issuer_name_is_subject_of(first));
            assert!(ca.is_signed_by(ca));
        }
        assert!(!trust.anchors()[1].is_signed_by(first));
        let serials: Vec<&str> = trust.anchors().iter().map(|c| c.serial_hex.as_str()).collect();
        assert_eq!(serials, ["01", "0133C349", "06D18006"]);
    }

    #[test]
    fn hierarchy_names_are_checked() {
        let mut trust = AuthTrust::jlis();
        assert_eq!(
            trust.trust_test_hierarchy("JPKI"),
            Err(AnchorError::ProductionIsNotATestHierarchy)
        );
        assert_eq!(
            trust.trust_test_hierarchy(" "),
            Err(AnchorError::EmptyHierarchyName)
        );
        trust
            .trust_test_hierarchy("JPKI-TEST")
            .unwrap_or_else(|e| panic!("{e}"));
        trust
            .trust_test_hierarchy("JPKI-TEST")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(trust.test_hierarchies(), ["JPKI-TEST"]);
        // Adding a built-in anchor again changes nothing.
        trust
            .add_anchor_der(JLIS_USER_AUTH_CAS[2].1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(trust.anchors().len(), 3);
    }

    #[test]
    fn a_file_that_is_not_a_ca_certificate_is_refused_as_an_anchor() {
        let mut trust = AuthTrust::nothing();
        assert!(matches!(
            trust.add_anchor_der(b"-----BEGIN CERTIFICATE-----"),
            Err(AnchorError::Certificate(_))
        ));
        assert!(trust.anchors().is_empty());
    }
}
