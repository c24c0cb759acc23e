//! What the reception learns from a card without spending any try: the card report shared by
//! `kiosk --demo` (virtual card) and `kiosk card info` (a real reader).

use kiosk_apdu::CardChannel;
use kiosk_mynumber::{
    CardError, CardKind, CertificateStatus, CheckCodeB, Identification, MyNumberCard, PinStatus,
    TextCredential, TextPin, TrustAnchor,
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
        CardKind::OldCard => "マイナンバーカード, older generation".into(),
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
                "期限切れ: expired {expired_on}, more than 3 months ago: not usable, guide to the counter"
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

/// Read the card and describe it. `now` is Unix seconds; `challenge` is fresh randomness for the card-key
/// proof when the card face is read.
pub fn card_report<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    now: i64,
    extras: &Extras<'_>,
    challenge: &[u8],
) -> Result<String, CardError> {
    let mut out = String::new();
    let kind = match card.identify()? {
        Identification::NotMyNumberCard => {
            return Ok(
                "カード: not a My Number card (no JPKI application). Please use the マイナンバーカード.\n"
                    .into(),
            );
        }
        Identification::MyNumber(kind) => kind,
    };
    let _ = writeln!(out, "カード / card:            {}", kind_text(&kind));
    certificate_section(card, &kind, now, &mut out)?;
    let _ = writeln!(
        out,
        "暗証番号 (user-auth PIN): {}",
        pin_text(card.auth_pin_status()?)
    );
    if kind.is_phone() {
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "照合番号B:                {}",
        pin_text(card.check_b_status()?)
    );
    card_face_section(card, extras, challenge, &mut out)?;
    personal_section(card, extras, &mut out)?;
    Ok(out)
}

/// The user-authentication certificate: serial, issuer, chain to the card's CA, insurance status.
fn certificate_section<C: CardChannel>(
    card: &mut MyNumberCard<C>,
    kind: &CardKind,
    now: i64,
    out: &mut String,
) -> Result<(), CardError> {
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
                "  issued by card's CA:    {}",
                match ca_ok {
                    Ok(true) => "yes",
                    Ok(false) => "NO (the certificate does not chain to the CA on the card)",
                    Err(_) => "could not read the CA certificate",
                }
            );
            let _ = writeln!(
                out,
                "  status:                 {}",
                status_text(cert.insurance_status(now))
            );
        }
        Err(CardError::NeedsCredential(_)) if kind.is_phone() => {
            let _ = writeln!(
                out,
                "利用者証明用電子証明書:    behind the phone's PIN (read after PIN entry)"
            );
        }
        Err(e) => return Err(e),
    }
    Ok(())
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
