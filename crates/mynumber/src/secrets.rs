//! Secrets the patient types or the kiosk derives: validated on creation, redacted in `Debug`,
//! wiped on drop.

use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretFormatError {
    #[error("the PIN must be exactly 4 digits")]
    Pin,
    #[error("照合番号B must be exactly 14 digits")]
    CheckCodeB,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident, $len:expr, $err:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name(Vec<u8>);

        impl $name {
            pub fn new(text: &str) -> Result<Self, SecretFormatError> {
                if digits(text, $len) { Ok($name(text.as_bytes().to_vec())) } else { Err($err) }
            }
            /// The ASCII bytes sent in the VERIFY data field (no padding, §5).
            pub(crate) fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret!(
    /// The 4-digit 利用者証明用 PIN of the JPKI AP (EF 0018, 3 tries).
    AuthPin, 4, SecretFormatError::Pin
);
secret!(
    /// The 4-digit 券面事項入力補助用 PIN of the text AP (EF 0011, 3 tries).
    TextPin, 4, SecretFormatError::Pin
);
secret!(
    /// 照合番号B: birth YYMMDD (era year), card expiry year, security code: 14 digits (§6).
    CheckCodeB, 14, SecretFormatError::CheckCodeB
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validated_and_redacted() {
        assert!(AuthPin::new("123").is_err());
        assert!(AuthPin::new("12a4").is_err());
        assert!(
            AuthPin::new("１２３４").is_err(),
            "full-width digits are not ASCII digits"
        );
        let pin = AuthPin::new("1234").unwrap();
        assert_eq!(format!("{pin:?}"), "AuthPin(<redacted>)");
        let b = CheckCodeB::new("36080420342285").unwrap();
        assert!(!format!("{b:?}").contains("3608"));
        assert!(CheckCodeB::new("3608042034228").is_err());
    }
}
