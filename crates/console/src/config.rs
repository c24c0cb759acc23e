//! The console's configuration (`console.toml`, for `kiosk console --config FILE`), and the kiosk tokens.
//!
//! A kiosk proves it is itself with a random 256-bit token; the console keeps only its SHA-256 (a token
//! this long cannot be guessed from its hash, unlike a short code, so no slow hash is needed).

use crate::files::{self, FileWarning};
use crate::protocol::KioskId;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A commented example (no kiosk token and no account ship in it).
pub const EXAMPLE: &str = "\
# console.toml: the staff console for several kiosks (`kiosk console --config console.toml`).
# It listens on this computer only; staff on other computers and tablets reach it through a reverse
# proxy that adds TLS (docs/USER-GUIDE.md, \"Staff console\"); kiosks on other computers report through
# that proxy too (their url = \"https://...\" and ca_file).
listen = \"127.0.0.1:8440\"
# Staff accounts (argon2id), made with `kiosk console add-user NAME --accounts FILE`.
accounts = \"/etc/kiosk/console-accounts.toml\"
# The lockout records and the audit log (audit.log).
state_dir = \"/var/lib/kiosk-console\"
# A session ends after this many idle minutes, and at the latest after max_hours.
session_idle_minutes = 15
session_max_hours = 10
# true when staff reach the console through the HTTPS proxy (cookies are then sent over TLS only).
secure_cookies = true

# One entry per kiosk: `kiosk console add-kiosk ID` prints the entry and the kiosk's token.
# [[kiosk]]
# id = \"reception-1\"
# token_sha256 = \"...\"
";

/// One kiosk the console accepts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskEntry {
    pub id: KioskId,
    /// Lower-case hex SHA-256 of the kiosk's token.
    pub token_sha256: String,
}

fn fifteen() -> u32 {
    15
}
fn ten() -> u32 {
    10
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    pub listen: SocketAddr,
    pub accounts: PathBuf,
    pub state_dir: PathBuf,
    #[serde(default = "fifteen")]
    pub session_idle_minutes: u32,
    #[serde(default = "ten")]
    pub session_max_hours: u32,
    #[serde(default = "yes")]
    pub secure_cookies: bool,
    #[serde(default)]
    pub kiosk: Vec<KioskEntry>,
}

/// A configuration problem, with the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    File(#[from] files::FileError),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The SHA-256 of a token, lower-case hex.
pub fn token_sha256(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random token (256 bits, hex).
pub fn new_token() -> zeroize::Zeroizing<String> {
    let mut t = zeroize::Zeroizing::new([0u8; 32]);
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, t.as_mut());
    zeroize::Zeroizing::new(hex(t.as_ref()))
}

/// Whether `addr` only accepts connections from this computer.
pub fn is_local(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

impl ConsoleConfig {
    /// Read and check `path` (refused when others can write it; the warning when they can read it).
    pub fn load(path: &Path) -> Result<(ConsoleConfig, Option<FileWarning>), ConfigError> {
        let (text, warning) = files::read_private(path)?;
        Ok((ConsoleConfig::parse(&text, &path.display().to_string())?, warning))
    }

    pub fn parse(text: &str, file: &str) -> Result<ConsoleConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            file: file.into(),
            message,
        };
        let c: ConsoleConfig = toml::from_str(text).map_err(|e| invalid(e.to_string().trim().into()))?;
        if !is_local(&c.listen) {
            return Err(invalid(format!(
                "listen = \"{}\": the console serves plain HTTP, so it listens on this computer only \
                 (127.0.0.1 or [::1]); put a TLS reverse proxy in front for other computers",
                c.listen
            )));
        }
        if !(1..=240).contains(&c.session_idle_minutes) || !(1..=24).contains(&c.session_max_hours) {
            return Err(invalid(
                "session_idle_minutes is 1–240 and session_max_hours 1–24".into(),
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for k in &c.kiosk {
            if !ids.insert(k.id.clone()) {
                return Err(invalid(format!("kiosk {} appears twice", k.id)));
            }
            if k.token_sha256.len() != 64 || !k.token_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(format!(
                    "kiosk {}: token_sha256 must be 64 hex digits (make it with `kiosk console add-kiosk {}`)",
                    k.id, k.id
                )));
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_and_has_no_kiosk() {
        let c = ConsoleConfig::parse(EXAMPLE, "console.toml").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.kiosk.is_empty());
        assert!(c.secure_cookies);
        assert_eq!(c.listen.port(), 8440);
    }

    #[test]
    fn a_network_address_without_tls_is_refused() {
        let text = EXAMPLE.replace("127.0.0.1:8440", "0.0.0.0:8440");
        let e = ConsoleConfig::parse(&text, "console.toml").expect_err("0.0.0.0");
        assert!(e.to_string().contains("reverse proxy"), "{e}");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(*a, *new_token());
        assert_eq!(
            token_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
