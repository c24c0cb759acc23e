//! What the reception learns from a card without spending any try: the card report shared by
//! `kiosk --demo` (virtual card) and `kiosk card info` (a real reader).

use kiosk_apdu::CardChannel;
use kiosk_mynumber::{
    AuthTrust, CardError, CardKind, CertificateStatus, CheckCodeB, Identification, MyNumberCard, PinStatus,
    TextCredential, TextPin, TrustAnchor, TrustError,
};
use std::fmt::Write;

/// Optional reads that need a credential. Each spends at most one try, and only with a secret the user
/// supplied (typed at the prompt) or the virtual card's own 照合番号B in demo mode.
#[derive(Debug, Default)]
pub struct Extras<'a> {
    /// Read the card face with this 照合番号B (demo mode: standing in for the card-front reading).
    pub check_code_b: Option<&'a CheckCodeB>,
    /// Show the basic four items (personal data), opened with this text-AP PIN.
    pub personal_with_pin: Option<&'a TextPin>,
    /// Show the basic four items, opened with 照合番号B.
    pub personal_with_check_code_b: bool,
    pub anchors: &'a [TrustAnchor],
}

fn kind_text(kind: &CardKind) -> String {
    match kind {
        CardKind::PlasticCard => "マイナンバーカード (plastic My Number card)".into(),
        CardKind::JukiCard => "住基カード (Juki card): not a My Number card".into(),
        CardKind::AndroidPhone => {
            "スマホ用電子証明書 on an Android phone (hold the phone to the reader beside the kiosk)".into()
        }
        CardKind::Iphone => "スマホ用電子証明書 on an iPhone".into(),
        CardKind::Unknown(label) => format!("JPKI token with an unknown label {label:?}"),
    }
}

fn status_text(s: CertificateStatus) -> String {
    match s {
        CertificateStatus::Valid { expires_on } => format!("有効 valid until {expires_on}"),
        CertificateStatus::ExpiringSoon {
            expires_on,
            days_left,
        } => {
            format!(
                "有効期限が近づいています: expires {expires_on} ({days_left} days left); renewal alert for the patient"
            )
        }
        CertificateStatus::ExpiredInGrace {
            expired_on,
            usable_until,
        } => format!(
            "期限切れ (猶予期間中): expired {expired_on}; eligibility check only until {usable_until}, no information sharing"
        ),
        CertificateStatus::ExpiredBeyondGrace { expired_on } => {
            format!(
                "期限切れ: expired {expired_on}, past the grace (end of the third month after): not usable, guide to the counter"
            )
        }
        CertificateStatus::NotYetValid { valid_from } => {
            format!("not yet valid (from {valid_from}): check the kiosk clock")
        }
    }
}

fn pin_text(s: PinStatus) -> String {
    match s {
        PinStatus::TriesLeft(n) => format!("{n} tries left"),
        PinStatus::Blocked => {
            "blocked (ロック): staff visual check or face only; unlock at the municipality".into()
        }
    }
}

/// Whether the card's user-authentication certificate chains to the configured anchors
/// ([`AuthTrust::verify`]): `kiosk card info` exits with its own code when it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trusted {
    Yes,
    No(TrustError),
    /// Nothing to check: not a My Number card, or a phone whose certificate is behind its PIN.
    NotChecked,
}

impl Trusted {
    /// The report's last line: `trusted: yes` or `trusted: no (why)`; none when nothing was checked
    /// (the report already says why).
    fn line(&self) -> Option<String> {
        match self {
            Trusted::Yes => Some("trusted: yes".into()),
            Trusted::No(why) => Some(format!("trusted: no ({why})")),
            Trusted::NotChecked => None,
        }
    }
}

/// What [`card_report`] read: the text, and the trust verdict on the certificate.
#[derive(Debug)]
pub struct CardReport {
    pub text: String,
    pub trusted: Trusted,
}

/// Read the card and describe it. `now` is Unix seconds; the certificate is checked against `trust`;
/// `challenge` is fresh randomness for the card-key proof when the card face is read.
///
/// No secret goes to a card whose certificate is not trusted (a forged card could keep what is typed): the
/// card face and the personal items are then not read.
pub fn card_report<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    now: i64,
    trust: &AuthTrust,
    extras: &Extras<'_>,
    challenge: &[u8],
) -> Result<CardReport, CardError> {
    let mut out = String::new();
    let kind = match card.identify()? {
        Identification::NotMyNumberCard => {
            return Ok(CardReport {
                text:
                    "カード: not a My Number card (no JPKI application). Please use the マイナンバーカード.\n"
                        .into(),
                trusted: Trusted::NotChecked,
            });
        }
        Identification::MyNumber(kind) => kind,
    };
    let _ = writeln!(out, "カード / card:            {}", kind_text(&kind));
    let trusted = certificate_section(card, &kind, now, trust, &mut out)?;
    let _ = writeln!(
        out,
        "暗証番号 (user-auth PIN): {}",
        pin_text(card.auth_pin_status()?)
    );
    if !kind.is_phone() {
        let _ = writeln!(
            out,
            "照合番号B:                {}",
            pin_text(card.check_b_status()?)
        );
        if matches!(&trusted, Trusted::No(e) if !e.is_only_time()) {
            if extras.check_code_b.is_some() || extras.personal_with_pin.is_some() {
                let _ = writeln!(
                    out,
                    "券面 / 基本4情報:          not read: no code or PIN is sent to a card that is not trusted"
                );
            }
        } else {
            card_face_section(card, extras, challenge, &mut out)?;
            personal_section(card, extras, &mut out)?;
        }
    }
    if let Some(line) = trusted.line() {
        let _ = writeln!(out, "{line}");
    }
    Ok(CardReport { text: out, trusted })
}

/// The user-authentication certificate: serial, issuer, whether it chains to `trust`, the CA the card
/// serves (informational), insurance status.
fn certificate_section<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    kind: &CardKind,
    now: i64,
    trust: &AuthTrust,
    out: &mut String,
) -> Result<Trusted, CardError> {
    match card.read_auth_certificate() {
        Ok(cert) => {
            let _ = writeln!(
                out,
                "利用者証明用電子証明書:    serial {}, RSA-{}",
                cert.serial_hex,
                cert.key_bits()
            );
            let _ = writeln!(out, "  issuer:                 {}", cert.issuer);
            let ca_ok = card.auth_certificate_chains(&cert);
            let _ = writeln!(
                out,
                "  card's own CA (EF 000B): {} (informational: a forged card's signs too)",
                match ca_ok {
                    Ok(true) => "signs it",
                    Ok(false) => "does NOT sign it",
                    Err(_) => "could not be read",
                }
            );
            let _ = writeln!(
                out,
                "  status:                 {}",
                status_text(cert.insurance_status(now))
            );
            Ok(match trust.verify(&cert, now) {
                Ok(()) => Trusted::Yes,
                Err(e) => Trusted::No(e),
            })
        }
        Err(CardError::NeedsCredential(_)) if kind.is_phone() => {
            let _ = writeln!(
                out,
                "利用者証明用電子証明書:    behind the phone's PIN (read after PIN entry): trust not checked"
            );
            Ok(Trusted::NotChecked)
        }
        Err(e) => Err(e),
    }
}

/// The card face through 照合番号B, when clinic IT gave it: photo, expiry, and whether it is genuine.
fn card_face_section<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    extras: &Extras<'_>,
    challenge: &[u8],
    out: &mut String,
) -> Result<(), CardError> {
    if let Some(code) = extras.check_code_b {
        let (outcome, read) = card.read_card_face(code, extras.anchors, challenge)?;
        match read {
            None => {
                let _ = writeln!(out, "券面 (card face):         照合番号B refused: {outcome:?}");
            }
            Some((face, check)) => {
                let _ = writeln!(
                    out,
                    "券面 (card face):         {}; card valid until {}",
                    if face.has_photo() {
                        format!("photo {} bytes (JPEG 2000)", face.photo_jp2.len())
                    } else {
                        "no photo (under 1 year): PIN only".into()
                    },
                    face.expiry
                );
                let _ = writeln!(
                    out,
                    "  genuine:                {} (data signature {}, issuer {}, card key {})",
                    if check.is_genuine() {
                        "yes"
                    } else {
                        "NO: do not trust this card"
                    },
                    yes_no(check.data_signature_valid),
                    yes_no(check.issuer_trusted),
                    yes_no(check.card_key_proven)
                );
            }
        }
    }
    Ok(())
}

/// The four personal items, only when asked for with a credential.
fn personal_section<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    extras: &Extras<'_>,
    out: &mut String,
) -> Result<(), CardError> {
    let credential = match (
        extras.personal_with_pin,
        extras.personal_with_check_code_b,
        extras.check_code_b,
    ) {
        (Some(pin), _, _) => Some(TextCredential::Pin(pin)),
        (None, true, Some(b)) => Some(TextCredential::CheckCodeB(b)),
        _ => None,
    };
    if let Some(credential) = credential {
        match card.read_basic_four(credential)? {
            (_, Some(items)) => {
                let _ = writeln!(
                    out,
                    "基本4情報 (personal):     {} / {} / born {} / sex {}",
                    items.name, items.address, items.birth_date, items.sex
                );
            }
            (outcome, None) => {
                let _ = writeln!(out, "基本4情報 (personal):     not shown: {outcome:?}");
            }
        }
    }
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b { "ok" } else { "FAILED" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_card_sim::{SharedCard, VirtualCard};

    /// 2026-06-01 00:00 UTC.
    const NOW: i64 = 1_780_272_000;

    fn report(card: VirtualCard, trust: &AuthTrust, code: Option<&CheckCodeB>) -> (CardReport, SharedCard) {
        let shared = SharedCard::new(card);
        let mut reader = MyNumberCard::new(shared.clone());
        let anchors = kiosk::demo::anchors();
        let extras = Extras {
            check_code_b: code,
            anchors: &anchors,
            ..Default::default()
        };
        let report =
            card_report(&mut reader, NOW, trust, &extras, &[7; 32]).unwrap_or_else(|e| panic!("{e}"));
        (report, shared)
    }

    fn demo_trust() -> AuthTrust {
        kiosk::demo::auth_trust().unwrap_or_else(|e| panic!("{e}"))
    }

    fn demo_card() -> VirtualCard {
        VirtualCard::embedded("demo").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_virtual_card_is_trusted_where_its_test_hierarchy_is() {
        let (report, _) = report(demo_card(), &demo_trust(), None);
        assert_eq!(report.trusted, Trusted::Yes);
        assert!(report.text.ends_with("trusted: yes\n"), "{}", report.text);
        assert!(
            report.text.contains("card's own CA (EF 000B): signs it"),
            "{}",
            report.text
        );
    }

    #[test]
    fn with_the_jlis_anchors_only_a_test_card_is_not_trusted_and_gets_no_code() {
        let card = demo_card();
        let code = CheckCodeB::new(&card.profile().check_code_b()).unwrap_or_else(|e| panic!("{e}"));
        let (report, shared) = report(card, &AuthTrust::jlis(), Some(&code));
        assert_eq!(
            report.trusted,
            Trusted::No(TrustError::UntrustedHierarchy("JPKI-TEST".into()))
        );
        assert!(
            report.text.ends_with(
                "trusted: no (the certificate is from the hierarchy O=JPKI-TEST, which this kiosk does not trust)\n"
            ),
            "{}",
            report.text
        );
        assert!(
            report.text.contains("not read: no code or PIN is sent"),
            "{}",
            report.text
        );
        assert_eq!(shared.lock().stats().check_b_verifies, 0);
    }

    #[test]
    fn a_forged_card_consistent_with_itself_is_not_trusted() {
        let forged = kiosk::demo::forged_card("demo").unwrap_or_else(|e| panic!("{e}"));
        let (report, _) = report(forged, &demo_trust(), None);
        assert_eq!(report.trusted, Trusted::No(TrustError::BadSignature));
        // The card's own CA vouches for the forgery: that line is informational only.
        assert!(
            report.text.contains("card's own CA (EF 000B): signs it"),
            "{}",
            report.text
        );
        assert!(
            report
                .text
                .contains("trusted: no (the certificate is not issued by a trusted J-LIS CA"),
            "{}",
            report.text
        );
    }

    #[test]
    fn an_expired_genuine_card_is_not_trusted_for_its_date_only() {
        let expired = VirtualCard::embedded("expired").unwrap_or_else(|e| panic!("{e}"));
        let shared = SharedCard::new(expired);
        let mut reader = MyNumberCard::new(shared);
        let report = card_report(
            &mut reader,
            kiosk::core::now_unix(),
            &demo_trust(),
            &Extras::default(),
            &[7; 32],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let Trusted::No(why) = &report.trusted else {
            panic!("{}", report.text)
        };
        assert!(why.is_only_time(), "{why}");
        assert!(report.text.contains("not usable"), "{}", report.text);
    }

    #[test]
    fn a_phones_certificate_is_not_checked_before_its_pin() {
        let phone = VirtualCard::embedded("android").unwrap_or_else(|e| panic!("{e}"));
        let (report, _) = report(phone, &AuthTrust::jlis(), None);
        assert_eq!(report.trusted, Trusted::NotChecked);
        assert!(!report.text.contains("trusted: "), "{}", report.text);
    }
}
