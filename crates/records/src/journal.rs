//! The reception journal and the audit log (SQLite). A reception is recorded together with its result
//! file: the row is inserted in a transaction, the XML file is written atomically, and only then is the
//! transaction committed. If any step fails, neither remains.

use crate::{CheckError, OutputSettings, RecordsError, ResultFile, RosterEntry, write_result_xml};
use kiosk_reception::{Prescription, Qualification, ReceptionRecord, VerifiedBy};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receptions (
    id INTEGER PRIMARY KEY,
    reception_id INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    staff_id TEXT,
    qualification INTEGER NOT NULL,
    consent_surgery INTEGER,
    consent_treatment INTEGER,
    consent_checkups INTEGER,
    consent_time INTEGER,
    prescription TEXT,
    output_file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checks_ended (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    qualification INTEGER,
    error_code TEXT,
    output_file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    from_screen TEXT NOT NULL,
    to_screen TEXT NOT NULL,
    event TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS face_attempts (
    day INTEGER NOT NULL,
    card BLOB NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, card)
);";

/// The journal database.
#[derive(Debug)]
pub struct Journal {
    conn: Connection,
    path: String,
    /// The group that may read result files (0640), for the receipt computer; `None`: 0600.
    result_group: Option<u32>,
}

fn flag(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, RecordsError> {
        let p = path.display().to_string();
        crate::private::prepare(path).map_err(|e| RecordsError::from_io(&p, &e))?;
        let conn = Connection::open(path).map_err(|e| RecordsError::from_sqlite(&p, &e))?;
        Journal::init(conn, p)
    }

    /// Result files are written 0640 with group `gid` (the receipt computer's), instead of 0600.
    pub fn share_results_with_group(&mut self, gid: u32) {
        self.result_group = Some(gid);
    }

    pub fn in_memory() -> Result<Journal, RecordsError> {
        let conn = Connection::open_in_memory().map_err(|e| RecordsError::from_sqlite(":memory:", &e))?;
        Journal::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<Journal, RecordsError> {
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        Ok(Journal {
            conn,
            path,
            result_group: None,
        })
    }

    /// Record a reception that ended at the eligibility check (an answer other than 有効, or no
    /// answer) and write its result file. Either both happen or neither does. The journal row holds
    /// the code and the file name only.
    pub fn check_ended(
        &mut self,
        at: i64,
        outcome: Result<(Qualification, Option<&RosterEntry>), CheckError>,
        out: &OutputSettings,
    ) -> Result<PathBuf, RecordsError> {
        let path = self.path.clone();
        let sql = |e| RecordsError::from_sqlite(&path, &e);
        let tx = self.conn.transaction().map_err(sql)?;
        let next: i64 = tx
            .query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM checks_ended", [], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        let id = next as u64;
        let file = match outcome {
            Ok((qualification, entry)) => ResultFile::Answered {
                id,
                at,
                qualification,
                entry,
            },
            Err(error) => ResultFile::Failed { id, at, error },
        };
        let (q, code) = match outcome {
            Ok((q, _)) => (Some(q.code()), None),
            Err(e) => (None, Some(e.code())),
        };
        tx.execute(
            "INSERT INTO checks_ended (id, time, qualification, error_code, output_file) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![next, at, q, code, file.file_name()],
        )
        .map_err(sql)?;
        let written = write_result_xml(&file, out, self.result_group)?;
        if let Err(e) = tx.commit() {
            let _ = std::fs::remove_file(&written);
            return Err(sql(e));
        }
        Ok(written)
    }

    /// Receptions that ended at the eligibility check so far.
    pub fn checks_ended_count(&self) -> Result<u64, RecordsError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM checks_ended", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))
    }

    /// Record a completed reception and write its result file. Either both happen or neither does.
    pub fn complete(
        &mut self,
        record: &ReceptionRecord,
        entry: &RosterEntry,
        out: &OutputSettings,
    ) -> Result<PathBuf, RecordsError> {
        let path = self.path.clone();
        let sql = |e| RecordsError::from_sqlite(&path, &e);
        let tx = self.conn.transaction().map_err(sql)?;
        let (method, staff) = match &record.verified_by {
            VerifiedBy::Face { .. } => ("face", None),
            VerifiedBy::Pin => ("pin", None),
            VerifiedBy::PhoneBiometric => ("phone-biometric", None),
            VerifiedBy::Staff { staff_id } => ("staff", Some(staff_id.clone())),
        };
        let c = record.consents;
        let file = ResultFile::Completed { record, entry };
        let file_name = file.file_name();
        tx.execute(
            "INSERT INTO receptions (reception_id, started_at, finished_at, method, staff_id, qualification,
                consent_surgery, consent_treatment, consent_checkups, consent_time, prescription, output_file)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                record.reception_id as i64,
                record.started_at,
                record.finished_at,
                method,
                staff,
                record.qualification.code(),
                flag(c.and_then(|c| c.surgery)),
                flag(c.and_then(|c| c.treatment_and_medicine)),
                flag(c.and_then(|c| c.health_checkups)),
                record.consent_time,
                record.prescription.map(|p| match p {
                    Prescription::Paper => "paper",
                    Prescription::Electronic => "electronic",
                }),
                file_name,
            ],
        )
        .map_err(sql)?;
        let written = write_result_xml(&file, out, self.result_group)?;
        if let Err(e) = tx.commit() {
            let _ = std::fs::remove_file(&written);
            return Err(sql(e));
        }
        Ok(written)
    }

    /// One screen transition: names only, no data.
    pub fn audit(&self, time: i64, from: &str, to: &str, event: &str) -> Result<(), RecordsError> {
        self.conn
            .execute(
                "INSERT INTO audit (time, from_screen, to_screen, event) VALUES (?1, ?2, ?3, ?4)",
                params![time, from, to, event],
            )
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))?;
        Ok(())
    }

    /// Count one face attempt of a card (the 32-byte hash of its certificate, nothing personal) on `day`
    /// (Japan time), so the daily limit holds across a restart. Earlier days' rows are dropped: only
    /// today's counts matter, and nothing is kept longer than it serves.
    pub fn count_face_attempt(&mut self, day: i64, card: &[u8; 32]) -> Result<(), RecordsError> {
        let path = self.path.clone();
        let sql = |e| RecordsError::from_sqlite(&path, &e);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute("DELETE FROM face_attempts WHERE day < ?1", params![day])
            .map_err(sql)?;
        tx.execute(
            "INSERT INTO face_attempts (day, card, count) VALUES (?1, ?2, 1)
             ON CONFLICT (day, card) DO UPDATE SET count = count + 1",
            params![day, &card[..]],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// The face attempts counted on `day`, per card hash.
    pub fn face_attempts_on(&self, day: i64) -> Result<Vec<([u8; 32], u32)>, RecordsError> {
        let sql = |e| RecordsError::from_sqlite(&self.path, &e);
        let mut stmt = self
            .conn
            .prepare("SELECT card, count FROM face_attempts WHERE day = ?1")
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![day], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (card, count) = row.map_err(sql)?;
            // A row that is not a 32-byte hash was not written by the kiosk: skip it.
            if let Ok(card) = <[u8; 32]>::try_from(card.as_slice()) {
                out.push((card, u32::try_from(count).unwrap_or(u32::MAX)));
            }
        }
        Ok(out)
    }

    /// SQLite's own check of the database file (`PRAGMA integrity_check`): "ok" when sound. For the
    /// fault tests (a full disk, a crash) and for clinic IT.
    pub fn integrity_check(&self) -> Result<String, RecordsError> {
        let lines: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut st| {
                st.query_map([], |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))?;
        Ok(lines.join("; "))
    }

    /// Receptions recorded so far.
    pub fn reception_count(&self) -> Result<u64, RecordsError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM receptions", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))
    }

    /// Audit entries so far, oldest first: (from, to, event).
    pub fn audit_entries(&self) -> Result<Vec<(String, String, String)>, RecordsError> {
        let mut stmt = self
            .conn
            .prepare("SELECT from_screen, to_screen, event FROM audit ORDER BY id")
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| RecordsError::from_sqlite(&self.path, &e))
    }
}
