//! The reader against the in-process virtual card: every outcome the reception relies on.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_apdu::transcript::{Recorder, Replayer};
use kiosk_apdu::{CardChannel, StatusWord, TransportError, iso};
use kiosk_card_sim::{Df, Profile, SharedCard, VirtualCard, pki};
use kiosk_mynumber::ef;
use kiosk_mynumber::{
    AuthPin, AuthTrust, CardError, CardKind, Certificate, CertificateStatus, CheckCodeB, Identification,
    MyNumberCard, PinOutcome, PinStatus, TextCredential, TextPin, TrustAnchor, TrustError,
};

fn card(name: &str) -> SharedCard {
    SharedCard::new(VirtualCard::embedded(name).unwrap())
}

fn anchors() -> Vec<TrustAnchor> {
    vec![TrustAnchor {
        key_id: pki::card_data_trust_anchor_id(),
        key: pki::card_data_trust_anchor(),
    }]
}

fn check_b(sim: &SharedCard) -> CheckCodeB {
    CheckCodeB::new(&sim.lock().profile().check_code_b()).unwrap()
}

#[test]
fn identifies_plastic_cards_phones_and_other_cards() {
    let mut reader = MyNumberCard::new(card("demo"));
    assert_eq!(
        reader.identify().unwrap(),
        Identification::MyNumber(CardKind::PlasticCard)
    );
    let mut reader = MyNumberCard::new(card("android"));
    let Identification::MyNumber(kind) = reader.identify().unwrap() else {
        panic!("android is a My Number token")
    };
    assert!(kind.is_phone());
    // The 住基カード's label, `JPKIAPICCTOKEN`: not an older My Number card (docs/CARD-NOTES.md §4.1).
    let mut juki = Profile::embedded("demo").unwrap();
    juki.token = kiosk_card_sim::Token::JukiCard;
    assert_eq!(
        MyNumberCard::new(VirtualCard::new(juki)).identify().unwrap(),
        Identification::MyNumber(CardKind::JukiCard)
    );

    /// A card without the JPKI application answers 6A82 to its SELECT.
    struct BankCard;
    impl CardChannel for BankCard {
        fn transmit_raw(&mut self, _c: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(StatusWord::NOT_FOUND.to_bytes().to_vec())
        }
    }
    assert_eq!(
        MyNumberCard::new(BankCard).identify().unwrap(),
        Identification::NotMyNumberCard
    );
}

#[test]
fn reads_the_auth_certificate_byte_for_byte_and_checks_its_issuer() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    let cert = reader.read_auth_certificate().unwrap();
    let ca = reader.read_auth_ca_certificate().unwrap();
    assert_eq!(cert.der(), sim.lock().auth_certificate_der());
    assert_eq!(cert.key_bits(), 2048);
    assert!(cert.is_signed_by(&ca));
    assert!(!ca.is_signed_by(&cert));
    assert!(cert.issuer.contains("JPKI-TEST"), "{}", cert.issuer);
    // SELECT AP + one read per 256 bytes, nothing more.
    let reads = cert.der().len().div_ceil(256) as u64;
    assert_eq!(
        reader.apdu_count(),
        1 + reads + ca.der().len().div_ceil(256) as u64
    );
}

#[test]
fn the_pin_status_query_spends_nothing() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    for _ in 0..5 {
        assert_eq!(reader.auth_pin_status().unwrap(), PinStatus::TriesLeft(3));
    }
    assert_eq!(sim.lock().stats().auth_pin_verifies, 0);
    assert_eq!(sim.lock().tries_left(Df::Jpki, ef::jpki::AUTH_PIN.fid()), Some(3));
}

#[test]
fn wrong_then_right_pin_and_the_counter_resets() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    assert_eq!(
        reader.verify_auth_pin(&AuthPin::new("0000").unwrap()).unwrap(),
        PinOutcome::Wrong { tries_left: 2 }
    );
    assert_eq!(reader.auth_pin_status().unwrap(), PinStatus::TriesLeft(2));
    assert_eq!(
        reader.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap(),
        PinOutcome::Verified
    );
    // The query still answers 63C3 after a successful VERIFY (OSC-959).
    assert_eq!(reader.auth_pin_status().unwrap(), PinStatus::TriesLeft(3));
    assert_eq!(
        sim.lock().stats().auth_pin_verifies,
        2,
        "one VERIFY per call, never more"
    );
}

#[test]
fn three_wrong_pins_lock_the_card() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    let wrong = AuthPin::new("9999").unwrap();
    assert_eq!(
        reader.verify_auth_pin(&wrong).unwrap(),
        PinOutcome::Wrong { tries_left: 2 }
    );
    assert_eq!(
        reader.verify_auth_pin(&wrong).unwrap(),
        PinOutcome::Wrong { tries_left: 1 }
    );
    assert_eq!(
        reader.verify_auth_pin(&wrong).unwrap(),
        PinOutcome::Blocked,
        "63C0 on the last wrong try"
    );
    assert_eq!(reader.auth_pin_status().unwrap(), PinStatus::Blocked);
    // Even the right PIN is refused now (6984).
    assert_eq!(
        reader.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap(),
        PinOutcome::Blocked
    );
    let status = sim
        .lock()
        .process(&iso::verify(b"1234").to_bytes().unwrap())
        .unwrap();
    assert_eq!(status, StatusWord::BLOCKED.to_bytes());
}

#[test]
fn a_blocked_card_is_reported_without_any_verify() {
    let sim = card("pin-blocked");
    let mut reader = MyNumberCard::new(sim.clone());
    assert_eq!(reader.auth_pin_status().unwrap(), PinStatus::Blocked);
    assert_eq!(sim.lock().stats().auth_pin_verifies, 0);
}

#[test]
fn signing_proves_the_card_holds_the_auth_key() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    let cert = reader.read_auth_certificate().unwrap();
    let challenge = [7u8; 32];
    assert!(matches!(
        reader.prove_auth_key(&cert, &challenge),
        Err(CardError::NeedsCredential(_))
    ));
    reader.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap();
    assert!(reader.prove_auth_key(&cert, &challenge).unwrap());
    // Another card's certificate does not match this card's key.
    let other = MyNumberCard::new(card("suzuki")).read_auth_certificate().unwrap();
    assert!(!reader.prove_auth_key(&other, &challenge).unwrap());
}

#[test]
fn card_face_with_check_code_b_is_genuine_and_carries_the_photo() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    assert_eq!(reader.check_b_status().unwrap(), PinStatus::TriesLeft(10));
    let (outcome, read) = reader
        .read_card_face(&check_b(&sim), &anchors(), b"fresh challenge")
        .unwrap();
    assert_eq!(outcome, PinOutcome::Verified);
    let (face, check) = read.unwrap();
    assert!(check.is_genuine(), "{check:?}");
    assert_eq!(face.photo_jp2, sim.lock().profile().photo_jp2.clone().unwrap());
    assert_eq!(face.birth_date.to_string(), "1961-08-04");
    assert_eq!(face.expiry.year, 2034);
    assert!(!format!("{face:?}").contains("1961"));
    // Without the anchor the data still matches its key, but the issuer is not trusted.
    let (_, read) = MyNumberCard::new(card("demo"))
        .read_card_face(&check_b(&sim), &[], b"c")
        .unwrap();
    assert!(!read.unwrap().1.issuer_trusted);
}

#[test]
fn a_wrong_check_code_spends_one_try_and_reads_nothing() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(sim.clone());
    let wrong = CheckCodeB::new("00000000000000").unwrap();
    let (outcome, read) = reader.read_card_face(&wrong, &anchors(), b"c").unwrap();
    assert_eq!(outcome, PinOutcome::Wrong { tries_left: 9 });
    assert!(read.is_none());
    assert_eq!(sim.lock().stats().check_b_verifies, 1);
    assert_eq!(reader.check_b_status().unwrap(), PinStatus::TriesLeft(9));
}

#[test]
fn an_altered_card_face_fails_the_signature() {
    let sim = card("demo");
    // Change one byte of the photo.
    sim.lock().tamper_ef(Df::Surface, ef::surface::FACE.fid(), |d| {
        let at = d
            .windows(4)
            .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])
            .unwrap_or(600);
        d[at + 40] ^= 0x01;
    });
    let (_, read) = MyNumberCard::new(sim.clone())
        .read_card_face(&check_b(&sim), &anchors(), b"c")
        .unwrap();
    let (_, check) = read.unwrap();
    assert!(!check.data_signature_valid);
    assert!(!check.is_genuine());
}

#[test]
fn a_cloned_card_face_fails_the_card_key_proof() {
    let original = card("demo");
    let face = original
        .lock()
        .ef_bytes(Df::Surface, ef::surface::FACE.fid())
        .unwrap();
    // Same holder data on another chip (other seed, so other keys), with the face EF copied over.
    let mut profile = Profile::embedded("demo").unwrap();
    profile.seed = 4242;
    let mut clone = VirtualCard::new(profile);
    clone.tamper_ef(Df::Surface, ef::surface::FACE.fid(), |d| *d = face);
    let clone = SharedCard::new(clone);
    let (_, read) = MyNumberCard::new(clone.clone())
        .read_card_face(&check_b(&clone), &anchors(), b"c")
        .unwrap();
    let (_, check) = read.unwrap();
    assert!(
        check.data_signature_valid && check.issuer_trusted,
        "the copied data itself is intact"
    );
    assert!(
        !check.card_key_proven,
        "but the chip cannot sign with the original card key"
    );
}

#[test]
fn basic_four_with_pin_or_check_code_b() {
    let sim = card("demo");
    let (outcome, items) = MyNumberCard::new(sim.clone())
        .read_basic_four(TextCredential::Pin(&TextPin::new("1234").unwrap()))
        .unwrap();
    assert_eq!(outcome, PinOutcome::Verified);
    let items = items.unwrap();
    assert_eq!(items.name, "山田　太郎");
    assert_eq!(items.sex, 1);
    let b = check_b(&sim);
    let (_, items) = MyNumberCard::new(card("demo"))
        .read_basic_four(TextCredential::CheckCodeB(&b))
        .unwrap();
    assert_eq!(items.unwrap().address, "東京都千代田区霞が関１丁目２番２号");
    let (outcome, items) = MyNumberCard::new(sim)
        .read_basic_four(TextCredential::Pin(&TextPin::new("0000").unwrap()))
        .unwrap();
    assert_eq!(outcome, PinOutcome::Wrong { tries_left: 2 });
    assert!(items.is_none());
}

#[test]
fn the_infant_card_has_no_photo() {
    let sim = card("infant");
    let (_, read) = MyNumberCard::new(sim.clone())
        .read_card_face(&check_b(&sim), &anchors(), b"c")
        .unwrap();
    let (face, check) = read.unwrap();
    assert!(!face.has_photo());
    assert!(check.is_genuine());
}

#[test]
fn certificate_policy_on_the_expiry_profiles() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let status = |name: &str| {
        MyNumberCard::new(card(name))
            .read_auth_certificate()
            .unwrap()
            .insurance_status(now)
    };
    assert!(matches!(status("demo"), CertificateStatus::Valid { .. }));
    assert!(matches!(
        status("expiring"),
        CertificateStatus::ExpiringSoon {
            days_left: 44..=46,
            ..
        }
    ));
    assert!(matches!(
        status("expired-grace"),
        CertificateStatus::ExpiredInGrace { .. }
    ));
    assert!(matches!(
        status("expired"),
        CertificateStatus::ExpiredBeyondGrace { .. }
    ));
}

#[test]
fn a_phone_token_needs_the_pin_before_its_certificate() {
    let mut reader = MyNumberCard::new(card("android"));
    assert!(matches!(
        reader.read_auth_certificate(),
        Err(CardError::NeedsCredential(_))
    ));
}

#[test]
fn a_card_pulled_mid_read_is_a_card_gone_error_and_the_next_card_reads() {
    for pull_at in 1..=5 {
        let sim = card("demo");
        sim.lock().faults.pull_at_command = Some(pull_at);
        let err = MyNumberCard::new(sim.clone())
            .read_auth_certificate()
            .unwrap_err();
        assert!(err.is_card_gone(), "pull at {pull_at}: {err}");
        sim.lock().reinsert();
        assert!(MyNumberCard::new(sim).read_auth_certificate().is_ok());
    }
}

#[test]
fn a_recorded_read_replays_and_holds_no_pin() {
    let sim = card("demo");
    let mut reader = MyNumberCard::new(Recorder::new(sim));
    reader.auth_pin_status().unwrap();
    reader.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap();
    let cert = reader.read_auth_certificate().unwrap();
    let text = reader.into_channel().to_text();
    assert!(
        !text.contains("31323334"),
        "the PIN bytes must not be in the transcript"
    );
    let mut replay = MyNumberCard::new(Replayer::from_text(&text).unwrap());
    assert_eq!(replay.auth_pin_status().unwrap(), PinStatus::TriesLeft(3));
    assert_eq!(
        replay.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap(),
        PinOutcome::Verified
    );
    assert_eq!(replay.read_auth_certificate().unwrap().der(), cert.der());
}

/// The first step of a whole reception at which a card with `h` is refused ("accepted" if none).
fn first_refusal(h: Option<kiosk_card_sim::Hostile>) -> String {
    let sim = card("demo");
    sim.lock().faults.hostile = h;
    reception_refusal(&sim)
}

/// The first step of a whole reception at which `sim` is refused ("accepted" if none).
fn reception_refusal(sim: &SharedCard) -> String {
    let code = check_b(sim);
    let mut r = MyNumberCard::new(sim.clone());
    let cert = match certificate_refusal(&mut r) {
        Ok(cert) => cert,
        Err(refused) => return refused,
    };
    if let Err(refused) = pin_refusal(&mut r, &cert) {
        return refused;
    }
    if let Err(e) = r.check_b_status() {
        return refusal("照合番号B status", &e);
    }
    match r.read_card_face(&code, &anchors(), b"challenge") {
        Ok((PinOutcome::Verified, Some((_, check)))) if check.is_genuine() => "accepted".into(),
        Ok((_, Some((_, check)))) => format!("card face: {check:?}"),
        Ok(other) => format!("card face: {:?}", other.0),
        Err(e) => refusal("card face", &e),
    }
}

fn refusal(step: &str, e: &CardError) -> String {
    format!("{step}: {e}")
}

/// Identify the card and read its certificate, checked against the card's CA and, as the kiosk does,
/// against its trust anchors.
fn certificate_refusal(r: &mut MyNumberCard<SharedCard>) -> Result<Certificate, String> {
    match r.identify() {
        Ok(Identification::MyNumber(CardKind::PlasticCard)) => {}
        Ok(other) => return Err(format!("identify: {other:?}")),
        Err(e) => return Err(refusal("identify", &e)),
    }
    let cert = r
        .read_auth_certificate()
        .map_err(|e| refusal("certificate", &e))?;
    match r.auth_certificate_chains(&cert) {
        Ok(true) => {}
        Ok(false) => return Err("certificate: not signed by the card's CA".into()),
        Err(e) => return Err(refusal("CA certificate", &e)),
    }
    match virtual_trust().verify(&cert, TRUST_NOW) {
        Ok(()) => Ok(cert),
        Err(e) => Err(format!("certificate: not trusted: {e}")),
    }
}

/// The J-LIS anchors, every generation of the virtual CA, and the virtual hierarchy trusted by name: the
/// demo's trust.
fn virtual_trust() -> AuthTrust {
    let mut trust = AuthTrust::jlis();
    for generation in pki::auth_ca_generations() {
        trust.add_anchor_der(&generation.certificate).unwrap();
    }
    trust.trust_test_hierarchy("JPKI-TEST").unwrap();
    trust
}

/// PIN status, one wrong and one right PIN, and the key proof.
fn pin_refusal(r: &mut MyNumberCard<SharedCard>, cert: &Certificate) -> Result<(), String> {
    r.auth_pin_status().map_err(|e| refusal("PIN status", &e))?;
    match r.verify_auth_pin(&AuthPin::new("0000").unwrap()) {
        Ok(PinOutcome::Wrong { tries_left: 2 }) => {}
        Ok(other) => return Err(format!("wrong PIN: {other:?}")),
        Err(e) => return Err(refusal("wrong PIN", &e)),
    }
    match r.verify_auth_pin(&AuthPin::new("1234").unwrap()) {
        Ok(PinOutcome::Verified) => {}
        Ok(other) => return Err(format!("right PIN: {other:?}")),
        Err(e) => return Err(refusal("right PIN", &e)),
    }
    match r.prove_auth_key(cert, b"challenge") {
        Ok(true) => Ok(()),
        Ok(false) => Err("key proof: the signature does not match the certificate".into()),
        Err(e) => Err(refusal("key proof", &e)),
    }
}

/// Where a hostile card is caught, for each way it can lie (kiosk_card_sim::Hostile). The reader walks
/// a whole reception (identify, certificate and its CA, PIN status, one wrong and one right PIN, the
/// key proof, 照合番号B and the card face) and stops at the first refusal; it must never panic, and
/// never treat a lying card as sound.
#[test]
fn each_hostile_card_is_caught_where_it_lies() {
    use kiosk_card_sim::Hostile;

    let expected: [(Hostile, &str); 15] = [
        (
            Hostile::NoStatusWord,
            "identify: the card sent a malformed APDU: a response APDU needs",
        ),
        (Hostile::InvalidStatusWord, "identify: unexpected status"),
        (Hostile::GarbageTokenLabel, "identify: MyNumber(Unknown("),
        // The 61xx pieces reach the token label's Ne (32) long before 64 rounds.
        (
            Hostile::EndlessChaining,
            "identify: the card sent a malformed APDU: the card answered 48 bytes to a command that allowed 32",
        ),
        (
            Hostile::TruncatedCertificate,
            "certificate: the card's user-authentication certificate is malformed: ends at",
        ),
        (
            Hostile::EmptyReads,
            "certificate: the card's user-authentication certificate is malformed: ends at 256",
        ),
        (
            Hostile::OversizedAnswers,
            "identify: the card sent a malformed APDU: the card answered 48 bytes to a command that allowed 32",
        ),
        (
            Hostile::TriesBeyondMaximum,
            "PIN status: the card contradicts itself: 15 tries left on a PIN that has 3",
        ),
        (
            Hostile::TriesDoNotDrop,
            "wrong PIN: the card contradicts itself: a wrong entry left 3 tries where 3 were left before",
        ),
        (
            Hostile::KeyNotTheCertificates,
            "key proof: the signature does not match the certificate",
        ),
        (
            Hostile::Relay,
            "key proof: the signature does not match the certificate",
        ),
        (
            Hostile::CardFaceAltered,
            "card face: CardFaceCheck { data_signature_valid: false",
        ),
        // Honest: it does not read by short EF identifier, and the reader selects the EF instead.
        (Hostile::SfiRefused, "accepted"),
        // Consistent with itself (its own CA signs its certificate): only the anchors catch it.
        (
            Hostile::ForgedCa,
            "certificate: not trusted: the certificate is not issued by a trusted J-LIS CA",
        ),
        (
            Hostile::DeepTlv,
            "card face: the card's card face is malformed: malformed TLV: nested more than 4 levels deep",
        ),
    ];
    assert_eq!(expected.len(), Hostile::ALL.len(), "every hostile way has a case");
    for (h, want) in expected {
        let got = first_refusal(Some(h));
        assert!(got.starts_with(want), "{h}: {got}");
        assert_eq!(h.is_honest(), want == "accepted", "{h}");
    }
    // The same card without the fault goes through every step.
    assert_eq!(first_refusal(None), "accepted");
}

/// 2026-06-01 00:00 UTC, inside the validity of the fixed-date profiles' certificates.
const TRUST_NOW: i64 = 1_780_272_000;

/// The J-LIS anchors, the CA certificate `sim` serves, and the virtual hierarchy trusted by name.
fn trusting_the_card_ca_of(sim: &SharedCard) -> AuthTrust {
    let mut trust = AuthTrust::jlis();
    trust
        .add_anchor_der(&sim.lock().auth_ca_certificate_der())
        .unwrap();
    trust.trust_test_hierarchy("JPKI-TEST").unwrap();
    trust
}

#[test]
fn the_virtual_certificate_needs_its_ca_as_an_anchor_and_its_hierarchy_named() {
    let sim = card("demo");
    let cert = MyNumberCard::new(sim.clone()).read_auth_certificate().unwrap();
    assert_eq!(
        AuthTrust::jlis().verify(&cert, TRUST_NOW),
        Err(TrustError::UntrustedHierarchy("JPKI-TEST".into()))
    );
    let trust = trusting_the_card_ca_of(&sim);
    assert_eq!(trust.verify(&cert, TRUST_NOW), Ok(()));
    // A CA must be valid when it issues: the last-try card's certificate was issued on 2023-04-20, before
    // generation 3 began (2023-07-16), so, as a real card of that day, it comes from generation 2 and
    // serves generation 2 as its EF 000B. Generation 3 alone does not vouch for it.
    let last_try = card("last-try");
    let last_try_cert = MyNumberCard::new(last_try.clone())
        .read_auth_certificate()
        .unwrap();
    assert_eq!(
        trusting_the_card_ca_of(&last_try).verify(&last_try_cert, TRUST_NOW),
        Ok(())
    );
    assert_eq!(
        trust.verify(&last_try_cert, TRUST_NOW),
        Err(TrustError::BadSignature)
    );
    assert_eq!(virtual_trust().verify(&last_try_cert, TRUST_NOW), Ok(()));
}

/// Issue 20's forged card (kiosk-card-sim's hostile way `forged-ca`): the certificate copies the victim's
/// subject, issuer name, serial and dates and is signed by the forger's CA, which the card serves as EF
/// 000B; the card takes any PIN and signs with the forger's key. Consistent with itself in every check a
/// card can answer for; not trusted.
#[test]
fn a_card_whose_own_ca_signs_a_forged_certificate_is_not_trusted() {
    let sim = card("demo");
    let genuine = MyNumberCard::new(sim.clone()).read_auth_certificate().unwrap();
    sim.lock().faults.hostile = Some(kiosk_card_sim::Hostile::ForgedCa);
    let mut reader = MyNumberCard::new(sim.clone());
    let cert = reader.read_auth_certificate().unwrap();
    assert_ne!(cert.der(), genuine.der());
    assert_eq!(cert.serial_hex, genuine.serial_hex);
    assert_eq!(cert.issuer, genuine.issuer);
    assert_eq!(cert.subject, genuine.subject);
    assert!(
        reader.auth_certificate_chains(&cert).unwrap(),
        "the card vouches for itself"
    );
    assert_eq!(
        reader.verify_auth_pin(&AuthPin::new("9876").unwrap()).unwrap(),
        PinOutcome::Verified,
        "any PIN"
    );
    assert!(
        reader.prove_auth_key(&cert, b"challenge").unwrap(),
        "its key proof passes"
    );
    assert_eq!(
        virtual_trust().verify(&cert, TRUST_NOW),
        Err(TrustError::BadSignature)
    );
    assert_eq!(
        TrustError::BadSignature.to_string(),
        "the certificate is not issued by a trusted J-LIS CA: no trusted CA of its issuer's name signed it"
    );
}

/// The real card may answer `6F00` to the first command after power-up (docs/CARD-NOTES.md §1.2, as
/// measured): the reader sends that first SELECT once more, and the whole reception goes through with one
/// command more than on a card that does not, and no VERIFY more.
#[test]
fn a_card_answering_6f00_after_power_up_is_read_whole() {
    let plain = card("demo");
    assert_eq!(reception_refusal(&plain), "accepted");
    let stumbling = card("demo");
    stumbling.lock().faults.no_diagnosis_after_power_up = true;
    assert_eq!(reception_refusal(&stumbling), "accepted");
    let (plain, stumbling) = (plain.lock().stats().clone(), stumbling.lock().stats().clone());
    assert_eq!(
        stumbling.commands,
        plain.commands + 1,
        "the first SELECT, once more"
    );
    assert_eq!(
        stumbling.auth_pin_verifies, 2,
        "the wrong and the right PIN, each once"
    );
    assert_eq!(stumbling.check_b_verifies, 1);
}

/// Reads by short EF identifier have no published trace on a real card (docs/CARD-NOTES.md §3.5): a card
/// that refuses them is read whole by SELECT EF and offset, with one SFI attempt per connection, and
/// with the same bytes.
#[test]
fn a_card_refusing_sfi_reads_is_read_whole_by_select_ef() {
    let sim = card("demo");
    sim.lock().faults.hostile = Some(kiosk_card_sim::Hostile::SfiRefused);
    let mut reader = MyNumberCard::new(sim.clone());
    let cert = reader.read_auth_certificate().unwrap();
    let ca = reader.read_auth_ca_certificate().unwrap();
    assert_eq!(cert.der(), sim.lock().auth_certificate_der());
    assert_eq!(ca.der(), sim.lock().auth_ca_certificate_der());
    assert!(cert.is_signed_by(&ca));
    // SELECT AP, the refused SFI read, then SELECT EF and the reads, file by file.
    let reads = |der: &[u8]| der.len().div_ceil(256) as u64;
    assert_eq!(
        reader.apdu_count(),
        2 + (1 + reads(cert.der())) + (1 + reads(ca.der()))
    );
}
