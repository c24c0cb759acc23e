//! 券面事項入力補助AP EF 0002: the basic four items (docs/CARD-NOTES.md §4.2):
//! `FF 20` { `DF 21` offsets, `DF 22` name, `DF 23` address, `DF 24` birth YYYYMMDD, `DF 25` sex }.

use crate::date::Date;
use kiosk_apdu::tlv::{Constructed, TlvError};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Why the basic four items cannot be used. The messages name the item that is wrong, never its
/// value: the items are personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasicFourError {
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// `"name"` or `"address"`.
    #[error("{0} is not UTF-8")]
    NotUtf8(&'static str),
    #[error("birth date is not a valid YYYYMMDD")]
    BirthDate,
    #[error("sex code is not 0, 1, 2 or 9")]
    Sex,
}

/// 基本4情報. Personal data: redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct BasicFour {
    /// Family and given name separated by U+3000.
    pub name: String,
    pub address: String,
    #[zeroize(skip)]
    pub birth_date: Date,
    /// 1 male, 2 female, 9 not applicable (0 unknown).
    pub sex: u8,
}

impl std::fmt::Debug for BasicFour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicFour(<redacted>)")
    }
}

pub(crate) fn parse_sex(v: &[u8]) -> Option<u8> {
    match v {
        [d @ (b'0' | b'1' | b'2' | b'9')] => Some(d - b'0'),
        _ => None,
    }
}

impl BasicFour {
    pub fn parse(ef: &[u8]) -> Result<BasicFour, BasicFourError> {
        let obj = Constructed::parse(ef, &[0xFF, 0x20])?;
        let text = |tag: &[u8], what: &'static str| -> Result<String, BasicFourError> {
            let v = obj.require(tag)?;
            String::from_utf8(v.to_vec()).map_err(|_| BasicFourError::NotUtf8(what))
        };
        let birth = obj.require(&[0xDF, 0x24])?;
        let sex = obj.require(&[0xDF, 0x25])?;
        Ok(BasicFour {
            name: text(&[0xDF, 0x22], "name")?,
            address: text(&[0xDF, 0x23], "address")?,
            birth_date: Date::from_yyyymmdd(birth).ok_or(BasicFourError::BirthDate)?,
            sex: parse_sex(sex).ok_or(BasicFourError::Sex)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_apdu::tlv::encode;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        let mut v = encode(&[0xDF, 0x21], &[0, 14, 0, 20, 0, 30, 0, 40]);
        v.extend(encode(&[0xDF, 0x22], "山田　太郎".as_bytes()));
        v.extend(encode(&[0xDF, 0x23], "東京都".as_bytes()));
        v.extend(encode(&[0xDF, 0x24], b"19610804"));
        v.extend(encode(&[0xDF, 0x25], b"1"));
        let mut ef = encode(&[0xFF, 0x20], &v);
        ef.extend_from_slice(&[0xFF; 20]);
        ef
    }

    #[test]
    fn parses_and_redacts() {
        let b = BasicFour::parse(&sample()).unwrap();
        assert_eq!(b.name, "山田　太郎");
        assert_eq!(b.birth_date, Date::new(1961, 8, 4).unwrap());
        assert_eq!(format!("{b:?}"), "BasicFour(<redacted>)");
    }

    #[test]
    fn impossible_birth_date_is_an_error() {
        let bad = sample();
        let at = bad.windows(8).position(|w| w == b"19610804").unwrap();
        let mut bad2 = bad.clone();
        bad2[at..at + 8].copy_from_slice(b"19611304");
        let err = BasicFour::parse(&bad2).unwrap_err();
        assert_eq!(err, BasicFourError::BirthDate);
        assert_eq!(err.to_string(), "birth date is not a valid YYYYMMDD");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn mutations_never_panic(i in 0usize..200, b: u8, cut in 0usize..200) {
            let mut ef = sample();
            let n = ef.len();
            ef[i % n] = b;
            ef.truncate(cut.max(1));
            let _ = BasicFour::parse(&ef);
        }
    }
}
