//! The eligibility roster: a SQLite table keyed by the user-authentication certificate's issuer and
//! serial (the identifier the online check receives), with the insurance facts the reception needs.

use crate::RecordsError;
use kiosk_mynumber::Date;
use kiosk_reception::{EligibilityAnswer, Qualification};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// One insured person. Personal data: redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    pub cert_issuer: String,
    pub cert_serial: String,
    /// 保険者番号 (8 digits; 6 for national health insurance).
    pub insurer_number: String,
    /// 記号, 番号, 枝番.
    pub symbol: String,
    pub number: String,
    pub branch: String,
    pub name: String,
    pub kana: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// 1 male, 2 female.
    pub sex: u8,
    /// Copay percentage: 10, 20 or 30.
    pub copay_ratio: u8,
    /// YYYY-MM-DD; `valid_to` may be empty (open-ended).
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    /// The answer the online check would give: 1 有効 … 6 有効(未登録).
    pub answer_code: u8,
}

impl std::fmt::Debug for RosterEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RosterEntry(answer {}, <redacted>)", self.answer_code)
    }
}

fn parse_date(s: &str) -> Option<Date> {
    let p: Vec<&str> = s.split('-').collect();
    match p.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

impl RosterEntry {
    /// Check the entry's fields; the message names the field, never its value.
    pub fn validate(&self) -> Result<(), RecordsError> {
        let bad = |what: &str| Err(RecordsError::MalformedEntry(what.into()));
        if !(self.insurer_number.len() == 6 || self.insurer_number.len() == 8)
            || !self.insurer_number.bytes().all(|b| b.is_ascii_digit())
        {
            return bad("insurer number");
        }
        if self.name.trim().is_empty() || self.number.trim().is_empty() {
            return bad("name or insured number");
        }
        if parse_date(&self.birth_date).is_none() {
            return bad("birth date");
        }
        if ![1, 2].contains(&self.sex) {
            return bad("sex");
        }
        if ![10, 20, 30].contains(&self.copay_ratio) {
            return bad("copay ratio");
        }
        let from = parse_date(&self.valid_from);
        let to = if self.valid_to.is_empty() {
            None
        } else {
            Some(parse_date(&self.valid_to).ok_or(RecordsError::MalformedEntry("valid to".into()))?)
        };
        match (from, to) {
            (None, _) => return bad("valid from"),
            (Some(f), Some(t)) if t < f => return bad("validity period (ends before it starts)"),
            _ => {}
        }
        if Qualification::from_code(self.answer_code).is_none() {
            return bad("answer code");
        }
        Ok(())
    }

    /// The qualification on `today`: the stored answer, except that a "valid" entry outside its
    /// validity period is 無効.
    pub fn qualification(&self, today: Date) -> Result<Qualification, RecordsError> {
        self.validate()?;
        let q = Qualification::from_code(self.answer_code)
            .ok_or(RecordsError::MalformedEntry("answer code".into()))?;
        let from = parse_date(&self.valid_from).ok_or(RecordsError::MalformedEntry("valid from".into()))?;
        let to = parse_date(&self.valid_to);
        let in_period = today >= from && to.is_none_or(|t| today <= t);
        Ok(match q {
            Qualification::Valid | Qualification::ValidUnregistered if !in_period => Qualification::Invalid,
            q => q,
        })
    }
}

/// The eligibility check. A real deployment puts the online check behind this trait.
pub trait EligibilityBackend {
    /// The answer for the card whose certificate has `cert_issuer` and `cert_serial`, on `today`.
    /// A card that is not in the roster is 該当資格なし.
    fn check(
        &self,
        cert_issuer: &str,
        cert_serial: &str,
        today: Date,
    ) -> Result<(EligibilityAnswer, Option<RosterEntry>), RecordsError>;
    /// Register the card for health-insurance use (the answer 有効(未登録) becomes 有効).
    fn register(&self, cert_issuer: &str, cert_serial: &str) -> Result<(), RecordsError>;
}

/// The embedded roster.
#[derive(Debug)]
pub struct SqliteRoster {
    conn: Connection,
    path: String,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS roster (
    cert_issuer TEXT NOT NULL, cert_serial TEXT NOT NULL,
    insurer_number TEXT NOT NULL, symbol TEXT NOT NULL, number TEXT NOT NULL, branch TEXT NOT NULL,
    name TEXT NOT NULL, kana TEXT NOT NULL, birth_date TEXT NOT NULL, sex INTEGER NOT NULL,
    copay_ratio INTEGER NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, answer_code INTEGER NOT NULL,
    PRIMARY KEY (cert_issuer, cert_serial))";

impl SqliteRoster {
    /// Open (or create) the roster at `path`. A damaged or locked file is a clear error.
    pub fn open(path: &Path) -> Result<SqliteRoster, RecordsError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| RecordsError::from_sqlite(&p, &e))?;
        SqliteRoster::init(conn, p)
    }

    pub fn in_memory() -> Result<SqliteRoster, RecordsError> {
        let conn = Connection::open_in_memory().map_err(|e| RecordsError::from_sqlite(":memory:", &e))?;
        SqliteRoster::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<SqliteRoster, RecordsError> {
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        Ok(SqliteRoster { conn, path })
    }

    /// Insert or replace one entry (validated first).
    pub fn upsert(&self, e: &RosterEntry) -> Result<(), RecordsError> {
        e.validate()?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO roster VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    e.cert_issuer, e.cert_serial, e.insurer_number, e.symbol, e.number, e.branch, e.name, e.kana, e.birth_date,
                    e.sex, e.copay_ratio, e.valid_from, e.valid_to, e.answer_code
                ],
            )
            .map_err(|err| RecordsError::from_sqlite(&self.path, &err))?;
        Ok(())
    }

    /// Seed from TOML (`[[patient]]` tables with the [`RosterEntry`] fields), e.g. `assets/roster-demo.toml`.
    pub fn seed_toml(&self, text: &str) -> Result<usize, RecordsError> {
        #[derive(Deserialize)]
        struct Seed {
            patient: Vec<RosterEntry>,
        }
        let seed: Seed = toml::from_str(text).map_err(|e| RecordsError::Seed(e.message().to_string()))?;
        for p in &seed.patient {
            self.upsert(p)?;
        }
        Ok(seed.patient.len())
    }

    fn lookup(&self, issuer: &str, serial: &str) -> Result<Option<RosterEntry>, RecordsError> {
        let row = self
            .conn
            .query_row(
                "SELECT cert_issuer, cert_serial, insurer_number, symbol, number, branch, name, kana, birth_date, sex,
                        copay_ratio, valid_from, valid_to, answer_code
                 FROM roster WHERE cert_issuer = ?1 AND cert_serial = ?2",
                params![issuer, serial],
                |r| {
                    Ok(RosterEntry {
                        cert_issuer: r.get(0)?,
                        cert_serial: r.get(1)?,
                        insurer_number: r.get(2)?,
                        symbol: r.get(3)?,
                        number: r.get(4)?,
                        branch: r.get(5)?,
                        name: r.get(6)?,
                        kana: r.get(7)?,
                        birth_date: r.get(8)?,
                        sex: r.get(9)?,
                        copay_ratio: r.get(10)?,
                        valid_from: r.get(11)?,
                        valid_to: r.get(12)?,
                        answer_code: r.get(13)?,
                    })
                },
            )
            .optional();
        match row {
            Ok(r) => Ok(r),
            Err(rusqlite::Error::FromSqlConversionFailure(..))
            | Err(rusqlite::Error::InvalidColumnType(..))
            | Err(rusqlite::Error::IntegralValueOutOfRange(..)) => {
                Err(RecordsError::MalformedEntry("a column has the wrong type".into()))
            }
            Err(e) => Err(RecordsError::from_sqlite(&self.path, &e)),
        }
    }
}

impl EligibilityBackend for SqliteRoster {
    fn check(
        &self,
        cert_issuer: &str,
        cert_serial: &str,
        today: Date,
    ) -> Result<(EligibilityAnswer, Option<RosterEntry>), RecordsError> {
        match self.lookup(cert_issuer, cert_serial)? {
            None => Ok((
                EligibilityAnswer {
                    qualification: Qualification::NoRecord,
                    patient_name: String::new(),
                },
                None,
            )),
            Some(entry) => {
                let qualification = entry.qualification(today)?;
                Ok((
                    EligibilityAnswer {
                        qualification,
                        patient_name: entry.name.clone(),
                    },
                    Some(entry),
                ))
            }
        }
    }

    fn register(&self, cert_issuer: &str, cert_serial: &str) -> Result<(), RecordsError> {
        self.conn
            .execute(
                "UPDATE roster SET answer_code = 1 WHERE cert_issuer = ?1 AND cert_serial = ?2 AND answer_code = 6",
                params![cert_issuer, cert_serial],
            )
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))?;
        Ok(())
    }
}
