//! Staff accounts: one per person, each a name and an argon2id password hash (PHC string). The file is
//! made with `kiosk console add-user NAME`; no account ships anywhere, so a console without its file
//! has nobody who can log in.
//!
//! argon2id with argon2's defaults (19 MiB, 2 passes, 1 lane): the first of OWASP's recommended
//! settings (Password Storage Cheat Sheet, "Argon2id"). A hash in the file of any other algorithm is
//! refused when the file is read.

use crate::files::{self, FileError, FileWarning};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::path::Path;
use zeroize::Zeroizing;

/// Shortest password `add-user` accepts.
pub const MIN_PASSWORD_LEN: usize = 10;

/// A staff member's account name: 1–32 of `A–Z a–z 0–9 . _ -` (it appears in the audit log and the page,
/// so it can carry nothing else).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

/// Why a name is not an account name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an account name is 1 to 32 letters, digits, '.', '_' or '-'")]
pub struct BadAccountName;

impl AccountName {
    pub fn new(name: &str) -> Result<AccountName, BadAccountName> {
        let ok = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(AccountName(name.to_owned()))
        } else {
            Err(BadAccountName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountName {
    type Error = BadAccountName;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AccountName::new(&s)
    }
}

impl From<AccountName> for String {
    fn from(n: AccountName) -> String {
        n.0
    }
}

impl std::fmt::Display for AccountName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    name: AccountName,
    /// argon2id PHC string.
    hash: String,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    account: Vec<AccountEntry>,
}

/// Why the accounts file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("the password is shorter than {MIN_PASSWORD_LEN} characters")]
    ShortPassword,
    #[error("account {0} exists already")]
    Exists(AccountName),
    #[error("hashing failed: {0}")]
    Hash(String),
}

/// The accounts the console accepts.
#[derive(Clone, Default)]
pub struct Accounts {
    entries: Vec<AccountEntry>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Accounts({} accounts)", self.entries.len())
    }
}

/// A hash to verify against when the name is unknown, so an unknown name costs the same time as a
/// known one (the time says nothing about which names exist).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// An argon2id hash of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountsError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountsError::Hash(e.to_string()))
}

/// Whether `password` matches the argon2id `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        h.algorithm == argon2::ARGON2ID_IDENT
            && argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
    })
}

impl Accounts {
    /// Read the accounts file (refused when others can write it; the warning when they can read it).
    pub fn load(path: &Path) -> Result<(Accounts, Option<FileWarning>), AccountsError> {
        let (text, warning) = files::read_private(path)?;
        Ok((Accounts::parse(&text, &path.display().to_string())?, warning))
    }

    /// Parse accounts text; every hash must be argon2id.
    pub fn parse(text: &str, file: &str) -> Result<Accounts, AccountsError> {
        let invalid = |message: String| AccountsError::Invalid {
            file: file.into(),
            message,
        };
        let parsed: AccountsFile = toml::from_str(text).map_err(|e| invalid(e.to_string().trim().into()))?;
        let mut seen = std::collections::BTreeSet::new();
        for e in &parsed.account {
            if !seen.insert(e.name.clone()) {
                return Err(invalid(format!("account {} appears twice", e.name)));
            }
            let ok = PasswordHash::new(&e.hash).is_ok_and(|h| h.algorithm == argon2::ARGON2ID_IDENT);
            if !ok {
                return Err(invalid(format!(
                    "account {}: hash is not an argon2id PHC string (make it with `kiosk console add-user {}`)",
                    e.name, e.name
                )));
            }
        }
        Ok(Accounts {
            entries: parsed.account,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &AccountName> {
        self.entries.iter().map(|e| &e.name)
    }

    pub fn contains(&self, name: &AccountName) -> bool {
        self.entries.iter().any(|e| &e.name == name)
    }

    /// Whether `password` is `name`'s. An unknown name is checked against a dummy hash (same time).
    pub fn verify(&self, name: &str, password: &str) -> bool {
        match self.entries.iter().find(|e| e.name.as_str() == name) {
            Some(e) => verify_password(&e.hash, password),
            None => {
                let _ = verify_password(dummy_hash(), password);
                false
            }
        }
    }

    /// Add `name` with `password` (at least [`MIN_PASSWORD_LEN`] characters).
    pub fn add(&mut self, name: AccountName, password: &str) -> Result<(), AccountsError> {
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(AccountsError::ShortPassword);
        }
        if self.contains(&name) {
            return Err(AccountsError::Exists(name));
        }
        let hash = hash_password(password)?;
        self.entries.push(AccountEntry { name, hash });
        Ok(())
    }

    /// The file's text.
    pub fn to_toml(&self) -> String {
        let file = AccountsFile {
            account: self.entries.clone(),
        };
        let body = toml::to_string(&file).unwrap_or_default();
        format!("# Staff console accounts (argon2id). Made by `kiosk console add-user NAME`.\n{body}")
    }

    /// Add `name` to the file at `path` (created 0600 when missing) and save it.
    pub fn add_to_file(
        path: &Path,
        name: AccountName,
        password: &Zeroizing<String>,
    ) -> Result<(), AccountsError> {
        let mut accounts = if path.exists() {
            Accounts::load(path)?.0
        } else {
            Accounts::default()
        };
        accounts.add(name, password)?;
        files::write_private(path, accounts.to_toml().as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_stored_as_argon2id_and_checked() {
        let mut a = Accounts::default();
        let sato = AccountName::new("sato").unwrap_or_else(|e| panic!("{e}"));
        a.add(sato.clone(), "correct horse battery")
            .unwrap_or_else(|e| panic!("{e}"));
        let text = a.to_toml();
        assert!(text.contains("$argon2id$v=19$m=19456,t=2,p=1$"), "{text}");
        assert!(!text.contains("correct horse"));
        let back = Accounts::parse(&text, "accounts.toml").unwrap_or_else(|e| panic!("{e}"));
        assert!(back.verify("sato", "correct horse battery"));
        assert!(!back.verify("sato", "correct horse batterY"));
        assert!(!back.verify("suzuki", "correct horse battery"));
        assert!(matches!(
            a.add(sato, "another long one"),
            Err(AccountsError::Exists(_))
        ));
        let short = AccountName::new("kato").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(a.add(short, "short"), Err(AccountsError::ShortPassword)));
    }

    #[test]
    fn a_weaker_hash_in_the_file_is_refused() {
        // What an attacker with write access, or an old tool, might leave: argon2i, and a plain SHA-256.
        let argon2i = "[[account]]\nname = \"x\"\nhash = \"$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\"\n";
        let e = Accounts::parse(argon2i, "a.toml").expect_err("argon2i");
        assert!(e.to_string().contains("not an argon2id"), "{e}");
        let sha = "[[account]]\nname = \"x\"\nhash = \"ab0df03b45578295efecb1d21e042f19e43a31aa1ed03ef9ac1dd427275c718b\"\n";
        assert!(Accounts::parse(sha, "a.toml").is_err());
        let bad_name = "[[account]]\nname = \"<script>\"\nhash = \"x\"\n";
        assert!(Accounts::parse(bad_name, "a.toml").is_err());
    }
}
