//! Per-account lockout with growing delays, kept in a file so a restart does not reset it.
//!
//! The first [`FREE_FAILURES`] wrong passwords in a row cost nothing (typos); each one after that locks
//! the account for a delay that doubles, from [`FIRST_DELAY_SECS`] up to [`MAX_DELAY_SECS`]. While
//! locked, a login is refused without the password being checked, so guessing during the delay gains
//! nothing. A correct password (after the delay) clears the count. With these figures a guesser gets
//! 3 + 7 tries in the first ~64 minutes and then one try an hour: about 30 a day, against passwords of
//! at least ten characters. The same policy guards the kiosk's code pad fallback.

use crate::files::{self, FileError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Wrong passwords in a row before the first delay.
pub const FREE_FAILURES: u32 = 3;
/// The first delay.
pub const FIRST_DELAY_SECS: i64 = 30;
/// The longest delay.
pub const MAX_DELAY_SECS: i64 = 3600;

/// The delay after `failures` wrong passwords in a row (0: none).
pub fn delay_after(failures: u32) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(16);
    (FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Record {
    failures: u32,
    /// Unix seconds until which logins are refused.
    locked_until: i64,
}

/// Whether a login may be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Locked for this many more seconds.
    Locked {
        secs_left: i64,
    },
}

/// What a failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub failures: u32,
    /// The delay it started (0: none).
    pub delay_secs: i64,
}

/// The lockout records, by account (or code-pad user), saved after every change.
#[derive(Debug)]
pub struct Lockout {
    path: Option<PathBuf>,
    records: BTreeMap<String, Record>,
    /// At most this many records (in memory only); the one whose lock ends first makes room.
    cap: Option<usize>,
}

impl Lockout {
    /// Read the records at `path` (none yet when the file is missing). A damaged file is an error, not a
    /// reset: a reset would hand a guesser fresh tries.
    pub fn open(path: &Path) -> Result<Lockout, FileError> {
        let records = if path.exists() {
            let (text, _) = files::read_private(path)?;
            serde_json::from_str(&text).map_err(|e| FileError::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?
        } else {
            BTreeMap::new()
        };
        Ok(Lockout {
            path: Some(path.to_path_buf()),
            records,
            cap: None,
        })
    }

    /// Records kept in memory only (tests).
    pub fn in_memory() -> Lockout {
        Lockout {
            path: None,
            records: BTreeMap::new(),
            cap: None,
        }
    }

    /// Records in memory, at most `cap` of them: for names that are no account, which must meet the
    /// same delays as accounts (or the answer would tell a guesser which names exist) but must not let
    /// a guesser grow a file or the memory without end.
    pub fn in_memory_capped(cap: usize) -> Lockout {
        Lockout {
            path: None,
            records: BTreeMap::new(),
            cap: Some(cap.max(1)),
        }
    }

    pub fn gate(&self, who: &str, now: i64) -> Gate {
        match self.records.get(who) {
            Some(r) if r.locked_until > now => Gate::Locked {
                secs_left: r.locked_until - now,
            },
            _ => Gate::Open,
        }
    }

    /// Wrong password at `now`: count it, start the next delay, save.
    pub fn failed(&mut self, who: &str, now: i64) -> Result<Failure, FileError> {
        if let Some(cap) = self.cap
            && !self.records.contains_key(who)
            && self.records.len() >= cap
            && let Some(first) = self
                .records
                .iter()
                .min_by_key(|(_, r)| r.locked_until)
                .map(|(k, _)| k.clone())
        {
            self.records.remove(&first);
        }
        let r = self.records.entry(who.to_owned()).or_default();
        r.failures = r.failures.saturating_add(1);
        let delay_secs = delay_after(r.failures);
        r.locked_until = if delay_secs > 0 { now + delay_secs } else { 0 };
        let failure = Failure {
            failures: r.failures,
            delay_secs,
        };
        self.save()?;
        Ok(failure)
    }

    /// Right password: the count starts again.
    pub fn succeeded(&mut self, who: &str) -> Result<(), FileError> {
        if self.records.remove(who).is_some() {
            self.save()?;
        }
        Ok(())
    }

    pub fn failures(&self, who: &str) -> u32 {
        self.records.get(who).map_or(0, |r| r.failures)
    }

    fn save(&self) -> Result<(), FileError> {
        match &self.path {
            Some(p) => files::write_private(
                p,
                serde_json::to_string_pretty(&self.records)
                    .unwrap_or_default()
                    .as_bytes(),
            ),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_at_an_hour() {
        let d: Vec<i64> = (0..=12).map(delay_after).collect();
        assert_eq!(d, [0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(delay_after(u32::MAX), MAX_DELAY_SECS);
    }

    #[test]
    fn a_capped_lockout_keeps_the_newest_locks_and_no_more() {
        let mut l = Lockout::in_memory_capped(2);
        for (n, who) in ["a", "b", "c"].iter().enumerate() {
            let at = 1000 + 100 * i64::try_from(n).unwrap_or(0);
            for _ in 0..3 {
                l.failed(who, at).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        assert_eq!(l.records.len(), 2);
        assert_eq!(l.gate("a", 1200), Gate::Open, "the lock ending first made room");
        assert_eq!(l.gate("c", 1200), Gate::Locked { secs_left: 30 });
        assert_eq!(l.failures("b"), 3);
    }

    #[test]
    fn a_locked_account_stays_locked_across_a_restart() {
        let dir = std::env::temp_dir().join(format!("kiosk-lockout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        files::ensure_private_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("lockout.json");
        let mut l = Lockout::open(&path).unwrap_or_else(|e| panic!("{e}"));
        for i in 1..=3 {
            let f = l.failed("sato", 1000).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(f.failures, i);
        }
        assert_eq!(l.gate("sato", 1000), Gate::Locked { secs_left: 30 });
        assert_eq!(l.gate("suzuki", 1000), Gate::Open, "per account");
        drop(l);
        // The "restart": a new Lockout from the same file.
        let mut l = Lockout::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.gate("sato", 1010), Gate::Locked { secs_left: 20 });
        assert_eq!(l.gate("sato", 1030), Gate::Open);
        let f = l.failed("sato", 1030).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.delay_secs, 60, "the next delay doubles");
        l.succeeded("sato").unwrap_or_else(|e| panic!("{e}"));
        let l = Lockout::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.failures("sato"), 0);
        // A damaged file is refused, not treated as "no failures".
        std::fs::write(&path, "{broken").unwrap_or_else(|e| panic!("{e}"));
        assert!(Lockout::open(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
