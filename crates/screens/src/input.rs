//! What a patient or staff member can do at the kiosk. The screens build these; only the kiosk core
//! hands them to the flow (`KioskCore::input`).

use crate::choices::{ConsentItem, Lang, Method, Prescription};
use kiosk_mynumber::{AuthPin, CheckCodeB};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// One thing a person did on a screen. A secret travels inside the input that uses it, validated where
/// it was typed: the flow hears only that it was confirmed (`kiosk_reception::Event::of_input`), and
/// the core sends it to the card or the staff check in the same call, or drops (and so wipes) it.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// A button without a secret.
    Press(Press),
    /// The PIN pad's confirm, with the 4 digits.
    Pin(AuthPin),
    /// The staff login's confirm, with the staff code.
    StaffCode(StaffCode),
    /// The card front's 14 digits (照合番号B), typed by staff during the visual check.
    CheckCode(CheckCodeB),
}

impl From<Press> for Input {
    fn from(press: Press) -> Input {
        Input::Press(press)
    }
}

/// Which secret an input confirmed, without the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretInput {
    Pin,
    StaffCode,
    CheckCode,
}

/// The buttons that carry no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// "OK" on a notice the patient must read (renewal alert, grace period, no photo, no sharing, the
    /// phone taken away too early).
    AlertAcknowledged,
    /// 「戻る」: back one step, where [`Screen::ways`](crate::Screen::ways) offers it and nothing is in
    /// flight. The flow decides where back leads; going back sends nothing to the card.
    Back,
    /// 「受付をやめる」: end the reception as taking the card away ends it, then ask for the card.
    Stop,
    /// 「スマートフォンで受付」 on the start screen: how to hold the phone (issue 16).
    PhoneChosen,
    MethodChosen(Method),
    /// 「係員を呼ぶ」 on a method screen: staff come for the visual check.
    StaffHelpChosen,
    /// Staff's verdict on the visual check.
    StaffDecision {
        holder_confirmed: bool,
    },
    RegistrationAccepted(bool),
    ConsentAll(bool),
    ConsentIndividually,
    ConsentItemChosen(ConsentItem, bool),
    ConsentNext,
    ConsentConfirmed,
    ConsentChange,
    PrescriptionChosen(Prescription),
    Language(Lang),
    /// 「係員を呼ぶ」 in the top bar: staff are called, the reception goes on.
    HelpPressed,
    HelpDismissed,
    MoreTime,
}

/// Why a typed staff code was not accepted as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a staff code is 6 to 12 digits")]
pub struct StaffCodeFormatError;

/// A staff member's code as typed: 6 to 12 ASCII digits, redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct StaffCode(String);

impl StaffCode {
    pub const MIN_LEN: usize = 6;
    pub const MAX_LEN: usize = 12;

    pub fn new(text: &str) -> Result<StaffCode, StaffCodeFormatError> {
        let ok =
            (Self::MIN_LEN..=Self::MAX_LEN).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(StaffCode(text.to_owned()))
        } else {
            Err(StaffCodeFormatError)
        }
    }

    /// The digits, for the hash comparison.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for StaffCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_codes_are_digits_and_redacted() {
        assert!(StaffCode::new("6146").is_err(), "4 digits are too few");
        assert!(StaffCode::new("1234567890123").is_err());
        assert!(StaffCode::new("12a456").is_err());
        assert!(StaffCode::new("").is_err());
        let code = StaffCode::new("614661").map_err(|e| e.to_string());
        assert_eq!(format!("{code:?}"), "Ok(StaffCode(<redacted>))");
    }
}
