//! The kiosk's records.
//!
//! * [`EligibilityBackend`]: the eligibility check (オンライン資格確認 stands behind this trait in a real
//!   deployment); the embedded default is [`SqliteRoster`], keyed by the certificate's issuer and serial.
//! * [`Journal`]: one row per completed reception, written before "done" is shown, plus the audit log of
//!   screen transitions. Neither holds a name, address, birth date, PIN or image.
//! * [`write_result_xml`]: the 資格確認 result XML file for every outcome (valid, invalid, no
//!   qualification, several, error), written atomically into the folder the clinic's receipt computer
//!   already reads. This file carries the qualification data by design: it is the interface to the
//!   receipt computer, the one place personal data leaves the kiosk.
//! * [`codes`]: the interface's code lists, as data, with their sources.

pub mod codes;
mod journal;
mod private;
mod roster;
mod xml;

pub use journal::Journal;
pub use roster::{
    Elderly, EligibilityBackend, FieldProblem, ImportError, LimitCertificate, RevokedBecause, RosterEntry,
    SpecificDisease, SqliteRoster, parse_roster,
};
pub use xml::{
    Charset, CheckError, OutputSettings, ResultFile, first_unencodable, prescription_code, render,
    write_result_xml,
};

/// What went wrong with the records. Messages name the file and what to do, never patient data.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error(
        "the database {path} is damaged or is not a kiosk database: restore it from backup or move it away to start afresh"
    )]
    Corrupt { path: String },
    #[error("the database {path} is locked by another program: close it and try again")]
    Locked { path: String },
    #[error("the database {path} cannot be opened or written: {reason}")]
    Unavailable { path: String, reason: String },
    #[error("the roster entry for this card is malformed ({0}): correct the roster")]
    MalformedEntry(String),
    #[error("the result file could not be written to {dir}: {reason}")]
    Output { dir: String, reason: String },
    #[error("the demo roster seed is malformed: {0}")]
    Seed(String),
    #[error(
        "the roster {path} was written by an older kiosk (before the result file carried the insurer's details): move it away and import the roster again with `kiosk roster import`"
    )]
    OldRoster { path: String },
    #[error("the result file holds a character Shift_JIS cannot hold: correct the roster entry")]
    Unencodable,
    #[error("the card's certificate is revoked ({0:?}): the patient is told why and goes to the counter")]
    CertificateRevoked(RevokedBecause),
}

impl RecordsError {
    pub(crate) fn from_io(path: &str, e: &std::io::Error) -> RecordsError {
        RecordsError::Unavailable {
            path: path.into(),
            reason: e.to_string(),
        }
    }

    pub(crate) fn from_sqlite(path: &str, e: &rusqlite::Error) -> RecordsError {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => RecordsError::Corrupt { path: path.into() },
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => RecordsError::Locked { path: path.into() },
            _ => RecordsError::Unavailable {
                path: path.into(),
                reason: e.to_string(),
            },
        }
    }
}
