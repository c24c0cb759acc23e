//! The console's audit log: one line per login, failure, lockout, logout, call and decision, saying who
//! (account), which kiosk and when. Never patient data: the console has none to write (kiosks send
//! screen names, not names or numbers), and the free text of a line is limited to fixed words and
//! checked names.

use crate::files::{self, FileError};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// An append-only audit log (a file 0600, or memory for tests).
#[derive(Debug)]
pub struct AuditLog {
    file: Option<Mutex<std::fs::File>>,
    lines: Mutex<Vec<String>>,
}

/// UTC date and time of Unix seconds, as `2026-12-02T03:04:05Z` (days to civil date: Howard Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>).
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl AuditLog {
    pub fn open(path: &Path) -> Result<AuditLog, FileError> {
        Ok(AuditLog {
            file: Some(Mutex::new(files::open_append_private(path)?)),
            lines: Mutex::new(Vec::new()),
        })
    }

    pub fn in_memory() -> AuditLog {
        AuditLog {
            file: None,
            lines: Mutex::new(Vec::new()),
        }
    }

    /// Write one line: `time what key=value ...`. Values are names the console checked (accounts,
    /// kiosk ids) and fixed words; a failure to write is reported on stderr (the console keeps going).
    pub fn write(&self, now: i64, what: &str, fields: &[(&str, &str)]) {
        let mut line = format!("{} {what}", utc(now));
        for (k, v) in fields {
            line.push(' ');
            line.push_str(k);
            line.push('=');
            // Nothing but visible ASCII without spaces reaches the file (no forged lines).
            line.extend(v.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }));
        }
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = writeln!(f, "{line}").and_then(|()| f.flush()) {
                eprintln!("kiosk console: the audit log could not be written: {e}");
            }
        }
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }

    /// The lines written since the start (tests, and the last lines on the page).
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_time_and_checked_fields_only() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_796_180_645), "2026-12-02T03:04:05Z");
        let log = AuditLog::in_memory();
        log.write(
            0,
            "login-failed",
            &[("user", "sato\nforged line"), ("kiosk", "受付1")],
        );
        assert_eq!(
            log.lines(),
            ["1970-01-01T00:00:00Z login-failed user=sato_forged_line kiosk=__1"]
        );
    }
}
