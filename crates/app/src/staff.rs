//! The staff code pad, an opt-in fallback for the visual check (`console.code_pad = true`; the staff
//! console is the default). Codes are 6–12 digits, stored as argon2id hashes (the staff console's
//! accounts use the same), and the pad shares the console's lasting lockout: after
//! [`kiosk_console::lockout::FREE_FAILURES`] wrong codes in a row the pad is locked for a delay that
//! doubles up to an hour, kept in a file so neither going back a screen nor a restart resets it. The
//! pad is locked as a whole (a code does not say whose it is until it matches). Every wrong try and
//! every refusal while locked is audited in the journal.

use kiosk_console::lockout::{Gate, Lockout};
use std::path::Path;
use zeroize::Zeroizing;

/// The lockout record's name for the pad.
const PAD: &str = "code-pad";

/// The SHA-256 of the code placeholder the example configuration once shipped (its code was 6146):
/// refused wherever it appears.
pub const OLD_EXAMPLE_SHA256: &str = "ab0df03b45578295efecb1d21e042f19e43a31aa1ed03ef9ac1dd427275c718b";

/// One staff member's entry.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffEntry {
    /// Who this is, for the journal (e.g. "S001"); not secret.
    pub id: String,
    /// argon2id PHC string of the code.
    #[serde(default)]
    pub code_argon2id: String,
    /// The old format (a salted SHA-256 of a 4-digit code): read only to refuse it with a clear message.
    #[serde(default)]
    pub salt: Option<String>,
    #[serde(default)]
    pub code_sha256: Option<String>,
}

impl std::fmt::Debug for StaffEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StaffEntry({})", self.id)
    }
}

impl StaffEntry {
    /// What is wrong with this entry, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.code_sha256.as_deref() == Some(OLD_EXAMPLE_SHA256) {
            return Some(format!(
                "staff {:?}: this is the example configuration's placeholder, whose code anyone can look up: \
                 remove it",
                self.id
            ));
        }
        if self.code_sha256.is_some() || self.salt.is_some() {
            return Some(format!(
                "staff {:?}: salted SHA-256 codes are refused (a short code is recovered from its hash in \
                 seconds): make a new entry with `kiosk staff-code {}`",
                self.id, self.id
            ));
        }
        if !self.code_argon2id.starts_with("$argon2id$") {
            return Some(format!(
                "staff {:?}: code_argon2id must be an argon2id hash (make the entry with `kiosk staff-code {}`)",
                self.id, self.id
            ));
        }
        None
    }
}

/// What a typed code was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// This staff member's code.
    Staff(String),
    /// No one's; `delay_secs` > 0: the pad is locked now.
    Wrong { failures: u32, delay_secs: i64 },
    /// The pad is locked: the code was not checked.
    Locked { secs_left: i64 },
}

/// The staff codes the kiosk accepts, and the pad's lockout.
#[derive(Debug)]
pub struct StaffCodes {
    entries: Vec<StaffEntry>,
    lockout: Lockout,
}

impl Default for StaffCodes {
    fn default() -> Self {
        StaffCodes::new(Vec::new())
    }
}

impl StaffCodes {
    /// Codes with the lockout in memory (the demo and tests).
    pub fn new(entries: Vec<StaffEntry>) -> StaffCodes {
        StaffCodes {
            entries,
            lockout: Lockout::in_memory(),
        }
    }

    /// Codes with the lockout kept in `lockout_file` (the kiosk in real mode).
    pub fn with_lockout_file(
        entries: Vec<StaffEntry>,
        lockout_file: &Path,
    ) -> Result<StaffCodes, kiosk_console::files::FileError> {
        Ok(StaffCodes {
            entries,
            lockout: Lockout::open(lockout_file)?,
        })
    }

    /// An entry for `code` (for `kiosk staff-code` and the demo).
    pub fn entry(id: &str, code: &str) -> StaffEntry {
        StaffEntry {
            id: id.into(),
            code_argon2id: kiosk_console::accounts::hash_password(code).unwrap_or_default(),
            salt: None,
            code_sha256: None,
        }
    }

    /// Check a typed code at `now`: refused unchecked while the pad is locked; a wrong code counts
    /// toward the next delay. Every entry is checked (the time says nothing about which one matched).
    pub fn check(&mut self, code: &str, now: i64) -> CodeCheck {
        if let Gate::Locked { secs_left } = self.lockout.gate(PAD, now) {
            return CodeCheck::Locked { secs_left };
        }
        let code = Zeroizing::new(code.to_string());
        let mut found = None;
        for e in &self.entries {
            let same = kiosk_console::accounts::verify_password(&e.code_argon2id, &code);
            if same && found.is_none() {
                found = Some(e.id.clone());
            }
        }
        match found {
            Some(id) => {
                if let Err(e) = self.lockout.succeeded(PAD) {
                    eprintln!("kiosk: the code pad's lockout file could not be saved: {e}");
                }
                CodeCheck::Staff(id)
            }
            None => match self.lockout.failed(PAD, now) {
                Ok(f) => CodeCheck::Wrong {
                    failures: f.failures,
                    delay_secs: f.delay_secs,
                },
                Err(e) => {
                    // Without its record the pad cannot keep count: it stays shut.
                    eprintln!("kiosk: the code pad's lockout file could not be saved: {e}");
                    CodeCheck::Locked { secs_left: 0 }
                }
            },
        }
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
        let mut codes = StaffCodes::new(vec![
            StaffCodes::entry("S001", "010101"),
            StaffCodes::entry("S002", "24681012"),
        ]);
        assert_eq!(codes.check("010101", 0), CodeCheck::Staff("S001".into()));
        assert_eq!(codes.check("24681012", 0), CodeCheck::Staff("S002".into()));
        assert!(matches!(
            codes.check("010102", 0),
            CodeCheck::Wrong { failures: 1, .. }
        ));
        assert!(matches!(codes.check("", 0), CodeCheck::Wrong { failures: 2, .. }));
    }

    #[test]
    fn the_entry_holds_an_argon2id_hash_and_no_code() {
        let e = StaffCodes::entry("S001", "010101");
        assert!(
            e.code_argon2id.starts_with("$argon2id$v=19$"),
            "{}",
            e.code_argon2id
        );
        assert!(!e.code_argon2id.contains("010101"));
        assert_eq!(e.problem(), None);
        assert!(!format!("{e:?}").contains(&e.code_argon2id));
    }

    #[test]
    fn guessing_locks_the_pad_and_the_lock_outlives_the_kiosk() {
        let dir = std::env::temp_dir().join(format!("kiosk-pad-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("code-pad-lockout.json");
        let entries = vec![StaffCodes::entry("S001", "010101")];
        let mut codes =
            StaffCodes::with_lockout_file(entries.clone(), &file).unwrap_or_else(|e| panic!("{e}"));
        for guess in ["000000", "111111"] {
            assert!(matches!(
                codes.check(guess, 100),
                CodeCheck::Wrong { delay_secs: 0, .. }
            ));
        }
        assert_eq!(
            codes.check("222222", 100),
            CodeCheck::Wrong {
                failures: 3,
                delay_secs: 30
            }
        );
        // The right code during the delay is not even checked.
        assert_eq!(codes.check("010101", 110), CodeCheck::Locked { secs_left: 20 });
        drop(codes);
        // A restart: still locked; after the delay the right code works and clears the count.
        let mut codes = StaffCodes::with_lockout_file(entries, &file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(codes.check("010101", 120), CodeCheck::Locked { secs_left: 10 });
        assert_eq!(codes.check("010101", 130), CodeCheck::Staff("S001".into()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_old_example_placeholder_and_sha256_entries_are_refused() {
        let old: StaffEntry = toml::from_str(&format!(
            "id = \"S001\"\nsalt = \"c4d5f0731a9c52168cc257b6\"\ncode_sha256 = \"{OLD_EXAMPLE_SHA256}\""
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(old.problem().is_some_and(|p| p.contains("placeholder")));
        let sha: StaffEntry = toml::from_str("id = \"S002\"\nsalt = \"12345678\"\ncode_sha256 = \"00\"")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(sha.problem().is_some_and(|p| p.contains("refused")));
    }
}
