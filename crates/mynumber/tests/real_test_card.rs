//! The trust checks against a real card's bytes: the user-authentication certificate of a J-LIS test card
//! (`O=JPKI-TEST`) and the test CA certificates, from `tests/fixtures/jpki/` (source, licence and SHA-256
//! in its README). The virtual card's hierarchy is the kiosk's own making; these files are J-LIS's.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::trust::JLIS_USER_AUTH_CAS;
use kiosk_mynumber::{AuthTrust, Certificate, CertificateStatus, TrustError};

const TEST_CARD_CERT: &[u8] = include_bytes!("fixtures/jpki/jpki-auth-cert.der");
const TEST_CA_2023: &[u8] = include_bytes!("fixtures/jpki/authca-test-2023.cer");
const TEST_CA_2019: &[u8] = include_bytes!("fixtures/jpki/authca-test-2019.cer");

/// 2026-06-01 00:00 UTC: inside the test certificate's validity (2025-10-27 to 2030-02-17).
const NOW: i64 = 1_780_272_000;

fn test_card_cert() -> Certificate {
    Certificate::from_der(TEST_CARD_CERT).unwrap()
}

/// The production anchors, the given test CA certificates, and the test hierarchy trusted by name: what a
/// test bench configures.
fn test_bench(cas: &[&[u8]]) -> AuthTrust {
    let mut trust = AuthTrust::jlis();
    for ca in cas {
        trust.add_anchor_der(ca).unwrap();
    }
    trust.trust_test_hierarchy("JPKI-TEST").unwrap();
    trust
}

#[test]
fn the_test_cards_certificate_is_shaped_like_every_jpki_certificate() {
    let cert = test_card_cert();
    assert_eq!(cert.key_bits(), 2048);
    assert_eq!(cert.issuer_organization(), Some("JPKI-TEST"));
    assert!(cert.allows_digital_signature());
    assert!(!cert.allows_certificate_signing());
    assert_eq!(cert.serial_hex, "227B13");
    assert!(matches!(
        cert.insurance_status(NOW),
        CertificateStatus::Valid { .. }
    ));
}

#[test]
fn the_test_cards_certificate_chains_to_the_test_root_when_that_hierarchy_is_trusted() {
    let cert = test_card_cert();
    assert_eq!(test_bench(&[TEST_CA_2023]).verify(&cert, NOW), Ok(()));
    // Both test generations share one name: the 2019 one is a candidate by name, and the signature
    // decides for the 2023 one.
    let both = test_bench(&[TEST_CA_2019, TEST_CA_2023]);
    assert_eq!(both.verify(&cert, NOW), Ok(()));
    let ca_2019 = Certificate::from_der(TEST_CA_2019).unwrap();
    assert!(cert.issuer_name_is_subject_of(&ca_2019));
    assert!(!cert.is_signed_by(&ca_2019));
}

#[test]
fn with_the_production_anchors_only_the_test_card_is_refused() {
    let cert = test_card_cert();
    assert_eq!(
        AuthTrust::jlis().verify(&cert, NOW),
        Err(TrustError::UntrustedHierarchy("JPKI-TEST".into()))
    );
    // The test CA certificate as an anchor is not enough: the hierarchy must be trusted by name.
    let mut anchor_only = AuthTrust::jlis();
    anchor_only.add_anchor_der(TEST_CA_2023).unwrap();
    assert_eq!(
        anchor_only.verify(&cert, NOW),
        Err(TrustError::UntrustedHierarchy("JPKI-TEST".into()))
    );
    let message = TrustError::UntrustedHierarchy("JPKI-TEST".into()).to_string();
    assert!(!message.contains("997794E9"), "no subject in messages: {message}");
}

#[test]
fn a_production_root_does_not_verify_the_test_cards_certificate() {
    let cert = test_card_cert();
    for (name, der) in JLIS_USER_AUTH_CAS {
        let root = Certificate::from_der(der).unwrap();
        assert!(!cert.is_signed_by(&root), "{name}");
        assert!(!cert.issuer_name_is_subject_of(&root), "{name}");
    }
    // Trusting the test hierarchy by name without its CA certificate leaves no issuer to chain to.
    let mut named_only = AuthTrust::jlis();
    named_only.trust_test_hierarchy("JPKI-TEST").unwrap();
    assert_eq!(named_only.verify(&cert, NOW), Err(TrustError::UnknownIssuer));
    // Only the other test generation: right name, wrong key.
    assert_eq!(
        test_bench(&[TEST_CA_2019]).verify(&cert, NOW),
        Err(TrustError::BadSignature)
    );
}

#[test]
fn the_kiosks_date_is_checked_last_with_the_insurance_grace() {
    let cert = test_card_cert();
    let trust = test_bench(&[TEST_CA_2023]);
    // 2025-10-01: before the certificate was issued.
    let early = trust.verify(&cert, 1_759_276_800).unwrap_err();
    assert!(matches!(early, TrustError::NotYetValid { .. }), "{early:?}");
    assert!(early.is_only_time());
    // 2030-04-17 (JST): expired on 2030-02-17, within the 3-month grace: still usable.
    assert_eq!(trust.verify(&cert, 1_902_582_000), Ok(()));
    // 2030-06-01: beyond the grace.
    let late = trust.verify(&cert, 1_906_502_400).unwrap_err();
    assert_eq!(
        late.to_string(),
        "the certificate expired on 2030-02-17, and its grace (to the end of the third month after) is over"
    );
    assert!(late.is_only_time());
}

#[test]
fn a_changed_signature_byte_breaks_the_chain() {
    let mut der = TEST_CARD_CERT.to_vec();
    // The signature value is the certificate's last 256 bytes.
    let at = der.len() - 10;
    der[at] ^= 0x01;
    let cert = Certificate::from_der(&der).unwrap();
    let verdict = test_bench(&[TEST_CA_2023]).verify(&cert, NOW);
    assert_eq!(verdict, Err(TrustError::BadSignature));
}
