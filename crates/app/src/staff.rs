//! Staff codes, stored hashed: the configuration holds `sha256(salt ‖ ":" ‖ code)` and a per-staff
//! salt, never the code. A 4-digit code has only 10,000 values, so the hash keeps the code out of sight
//! (config files, backups, screenshots of the config) rather than out of reach of a determined attacker
//! who has the file; the staff login itself allows 3 wrong codes per session (docs/RECEPTION.md).

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// One staff member's entry.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffEntry {
    /// Who this is, for the journal (e.g. "S001"); not secret.
    pub id: String,
    /// Random text, different for every entry.
    pub salt: String,
    /// Lower-case hex of SHA-256 over `salt:code`.
    pub code_sha256: String,
}

impl std::fmt::Debug for StaffEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StaffEntry({})", self.id)
    }
}

/// The staff codes the kiosk accepts.
#[derive(Debug, Clone, Default)]
pub struct StaffCodes {
    entries: Vec<StaffEntry>,
}

fn digest(salt: &str, code: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(code.as_bytes());
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl StaffCodes {
    pub fn new(entries: Vec<StaffEntry>) -> StaffCodes {
        StaffCodes { entries }
    }

    /// An entry for `code` with a fresh random salt (for `kiosk staff-code` and the demo).
    pub fn entry(id: &str, code: &str) -> StaffEntry {
        let mut salt = [0u8; 12];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
        let salt = hex(&salt);
        let code_sha256 = hex(&digest(&salt, code));
        StaffEntry {
            id: id.into(),
            salt,
            code_sha256,
        }
    }

    /// The staff member whose code this is. Every entry is compared in full (no early exit on the
    /// first differing byte), so timing says nothing about which digits were right.
    pub fn check(&self, code: &str) -> Option<String> {
        let code = Zeroizing::new(code.to_string());
        let mut found = None;
        for e in &self.entries {
            let got = hex(&digest(&e.salt, &code));
            let same = got.len() == e.code_sha256.len()
                && got
                    .bytes()
                    .zip(e.code_sha256.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()))
                    == 0;
            if same && found.is_none() {
                found = Some(e.id.clone());
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_code_is_accepted_and_others_are_not() {
        let codes = StaffCodes::new(vec![
            StaffCodes::entry("S001", "0101"),
            StaffCodes::entry("S002", "2468"),
        ]);
        assert_eq!(codes.check("0101").as_deref(), Some("S001"));
        assert_eq!(codes.check("2468").as_deref(), Some("S002"));
        assert_eq!(codes.check("0102"), None);
        assert_eq!(codes.check(""), None);
    }

    #[test]
    fn the_entry_holds_no_code() {
        let e = StaffCodes::entry("S001", "0101");
        assert_eq!(e.code_sha256.len(), 64, "a SHA-256 in hex, not the code");
        assert_ne!(StaffCodes::entry("S001", "0101").salt, e.salt, "salts differ");
        assert!(!format!("{e:?}").contains(&e.code_sha256));
    }
}
