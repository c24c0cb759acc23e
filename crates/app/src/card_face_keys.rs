//! J-LIS's card-face CA keys, embedded as the kiosk's default card-face trust anchors.
//!
//! The card-verifiable certificate in EF 0004 of the 券面事項確認AP names its signer by a 16-byte key id
//! and does not carry the signer's key (docs/CARD-NOTES.md §4.3): a verifier must hold J-LIS's keys.
//! They are public: `assets/jlis/card-face-ca-keys.toml` (source, licence and SHA-256 in
//! `assets/jlis/README.md`; from the myna-card crate, where they verify real card data, and checked here
//! against a real test card in kiosk-mynumber's `real_test_card.rs`). The production keys are always
//! trusted; the test keys only when the configuration says so (`card_face_test_keys`), since a test card
//! is not a patient's card. Anything else, the virtual cards' CA included, is trusted only when named
//! explicitly: `[[card_face_keys]]` in the configuration, or the demo's own list ([`crate::demo::anchors`]),
//! both through [`anchors`].

use kiosk_mynumber::TrustAnchor;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;
use std::sync::OnceLock;

/// The key file as shipped, byte for byte.
pub const KEY_FILE: &str = include_str!("../../../assets/jlis/card-face-ca-keys.toml");

/// Which J-LIS hierarchy a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hierarchy {
    /// Keys that vouch for patients' cards.
    Production,
    /// Keys of JPKI test cards (`6…`): never trusted unless configured.
    Test,
}

/// One J-LIS key: its name (`5000023`…), its hierarchy and the anchor it makes.
#[derive(Debug, Clone)]
pub struct JlisKey {
    pub name: String,
    pub hierarchy: Hierarchy,
    pub anchor: TrustAnchor,
}

/// Why a key file cannot be used; names the key, never prints key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("card-face key file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("card-face key {name}: {field} is not hex")]
    Hex { name: String, field: &'static str },
    #[error("card-face key {name}: key_id_hex must be 16 bytes")]
    KeyIdLength { name: String },
    #[error("card-face key {name}: the key id does not start with its name")]
    NameMismatch { name: String },
    #[error("card-face key {name}: {source}")]
    Rsa { name: String, source: rsa::Error },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    key: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    hierarchy: Hierarchy,
    key_id_hex: String,
    exponent: u32,
    modulus_hex: String,
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl RawKey {
    fn into_key(self) -> Result<JlisKey, KeyFileError> {
        let hex = |field: &'static str, text: &str| {
            unhex(text).ok_or_else(|| KeyFileError::Hex {
                name: self.name.clone(),
                field,
            })
        };
        let key_id: [u8; 16] =
            hex("key_id_hex", &self.key_id_hex)?
                .try_into()
                .map_err(|_| KeyFileError::KeyIdLength {
                    name: self.name.clone(),
                })?;
        if !key_id.starts_with(self.name.as_bytes()) {
            return Err(KeyFileError::NameMismatch { name: self.name });
        }
        let modulus = hex("modulus_hex", &self.modulus_hex)?;
        let key = RsaPublicKey::new(BigUint::from_bytes_be(&modulus), BigUint::from(self.exponent)).map_err(
            |source| KeyFileError::Rsa {
                name: self.name.clone(),
                source,
            },
        )?;
        Ok(JlisKey {
            name: self.name,
            hierarchy: self.hierarchy,
            anchor: TrustAnchor { key_id, key },
        })
    }
}

/// Parse a key file in the format of `assets/jlis/card-face-ca-keys.toml`.
pub fn parse(text: &str) -> Result<Vec<JlisKey>, KeyFileError> {
    let raw: RawFile = toml::from_str(text)?;
    raw.key.into_iter().map(RawKey::into_key).collect()
}

/// The embedded J-LIS keys, parsed once.
pub fn jlis_keys() -> &'static [JlisKey] {
    static KEYS: OnceLock<Vec<JlisKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        #[expect(
            clippy::expect_used,
            reason = "an embedded file, parsed by tests::the_embedded_file_is_the_shipped_one"
        )]
        parse(KEY_FILE).expect("the embedded J-LIS key file")
    })
}

/// The card-face trust anchors: J-LIS's production keys, J-LIS's test keys when `trust_test_keys`, then
/// `extra` (keys the configuration or the demo names explicitly).
pub fn anchors(trust_test_keys: bool, extra: Vec<TrustAnchor>) -> Vec<TrustAnchor> {
    jlis_keys()
        .iter()
        .filter(|k| k.hierarchy == Hierarchy::Production || trust_test_keys)
        .map(|k| k.anchor.clone())
        .chain(extra)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    const README: &str = include_str!("../../../assets/jlis/README.md");

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_embedded_file_is_the_shipped_one() {
        let sha = hex(&Sha256::digest(KEY_FILE.as_bytes()));
        assert!(
            README.contains(&format!("{sha}  card-face-ca-keys.toml")),
            "assets/jlis/README.md gives another SHA-256 than {sha}"
        );
        let names: Vec<(&str, Hierarchy)> = jlis_keys()
            .iter()
            .map(|k| (k.name.as_str(), k.hierarchy))
            .collect();
        assert_eq!(
            names,
            [
                ("5000020", Hierarchy::Production),
                ("5000023", Hierarchy::Production),
                ("5000033", Hierarchy::Production),
                ("6000020", Hierarchy::Test),
                ("6000023", Hierarchy::Test),
                ("6000033", Hierarchy::Test),
            ]
        );
    }

    #[test]
    fn test_keys_are_trusted_only_when_asked() {
        let names = |anchors: Vec<TrustAnchor>| -> Vec<String> {
            anchors
                .iter()
                .map(|a| String::from_utf8_lossy(&a.key_id[..7]).into_owned())
                .collect()
        };
        assert_eq!(
            names(anchors(false, Vec::new())),
            ["5000020", "5000023", "5000033"]
        );
        assert_eq!(names(anchors(true, Vec::new())).len(), 6);
    }

    #[test]
    fn a_broken_key_file_names_the_key() {
        let one = KEY_FILE
            .split("\n\n[[key]]")
            .take(2)
            .collect::<Vec<_>>()
            .join("\n\n[[key]]");
        assert_eq!(parse(&one).map(|k| k.len()).ok(), Some(1));
        let cases = [
            (
                one.replace("key_id_hex = \"3530", "key_id_hex = \"35"),
                "16 bytes",
            ),
            (
                one.replace("key_id_hex = \"3530", "key_id_hex = \"zz30"),
                "not hex",
            ),
            (
                one.replace("name = \"5000020\"", "name = \"5000023\""),
                "does not start",
            ),
        ];
        for (text, says) in cases {
            let e = parse(&text).expect_err(says);
            assert!(e.to_string().contains(says), "{e}");
            assert!(e.to_string().contains("card-face key"), "{e}");
        }
    }
}
