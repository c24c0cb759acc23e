//! The eligibility roster: the offline stand-in for the online check (オンライン資格確認), keyed by the
//! user-authentication certificate's issuer and serial (the identifier the online check receives), with
//! every fact the result file carries (docs/RECEPTION.md, "Result file" and "Roster").
//!
//! Entries come from a TOML file (`kiosk roster import`, `assets/roster-demo.toml`); [`parse_roster`]
//! checks each one and names the line and field of every problem, never the value. Text that Shift_JIS
//! cannot hold is refused here, so that a Shift_JIS result file never needs a replacement character.

use crate::RecordsError;
use crate::codes::{self, CodeList};
use kiosk_mynumber::Date;
use kiosk_reception::{EligibilityAnswer, Qualification, Revocation};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

fn yes() -> bool {
    true
}

/// Why the card's certificate is revoked, as the online check would report it (in the roster file:
/// `revoked = "moved-out" | "moved-abroad" | "other"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevokedBecause {
    MovedOut,
    MovedAbroad,
    Other,
}

impl RevokedBecause {
    pub fn revocation(self) -> Revocation {
        match self {
            RevokedBecause::MovedOut => Revocation::MovedOut,
            RevokedBecause::MovedAbroad => Revocation::MovedAbroad,
            RevokedBecause::Other => Revocation::Other,
        }
    }
}

/// 高齢受給者証 (ElderlyRecipientCertificateInfo).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Elderly {
    /// 交付年月日, YYYY-MM-DD.
    pub issued_on: String,
    pub valid_from: String,
    pub valid_to: String,
    /// 一部負担金割合 in percent: 10, 20 or 30.
    pub copay_ratio: u8,
}

/// 限度額適用認定証 (LimitApplicationCertificateRelatedInfo).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct LimitCertificate {
    /// 限度額適用認定証区分, OQSCD011 ("01"–"03").
    pub classification: String,
    /// 適用区分, OQSCD012 ("A01"–"A06", "B01"–"B10").
    pub category: String,
    pub issued_on: String,
    pub valid_from: String,
    pub valid_to: String,
    /// 長期入院該当年月日 (may be empty).
    #[serde(default)]
    pub long_term_from: String,
}

/// 特定疾病療養受療証 (SpecificDiseasesCertificateInfo), one per certificate.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct SpecificDisease {
    /// 認定疾病区分, OQSCD013 ("1"–"3").
    pub category: String,
    pub issued_on: String,
    pub valid_from: String,
    pub valid_to: String,
    /// 自己負担限度額 in yen.
    pub self_pay_limit: u32,
}

/// One insured person. Personal data: redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    pub cert_issuer: String,
    pub cert_serial: String,
    /// The answer the online check gives: `QualificationValidity` 1 有効 … 5 複数該当 (OQSCD006).
    pub answer_code: u8,
    /// Registered for health-insurance use (利用登録); `false` shows the registration offer.
    #[serde(default = "yes")]
    pub registered: bool,
    /// The card's certificate is revoked (失効): the check fails, and the screen explains why.
    #[serde(default)]
    #[zeroize(skip)]
    pub revoked: Option<RevokedBecause>,
    /// 被保険者証区分, OQSCD010 ("01" 被保険者証（一般） … "07" 自衛官診療証).
    pub card_classification: String,
    /// 保険者番号 (8 digits; 6 for national health insurance).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号, 番号, 枝番 (2 digits, or empty).
    pub symbol: String,
    pub number: String,
    pub branch: String,
    /// 本人・家族の別, OQSCD009: 1 本人, 2 家族.
    pub personal_family: u8,
    /// 被保険者氏名（世帯主氏名）, for a family member (may be empty).
    #[serde(default)]
    pub insured_name: String,
    pub name: String,
    /// 氏名カナ: katakana (full- or half-width) and spaces.
    pub kana: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// 性別, OQSCD007: 1 男, 2 女, 3 未設定.
    pub sex: u8,
    /// 住所 and 郵便番号 as registered with the insurer (may be empty).
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub post_number: String,
    /// 一部負担金割合 in percent: 10, 20 or 30.
    pub copay_ratio: u8,
    /// 資格取得年月日 (may be empty).
    #[serde(default)]
    pub qualification_date: String,
    /// 被保険者証 valid from / to, YYYY-MM-DD; `valid_to` may be empty (open-ended).
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub elderly: Option<Elderly>,
    #[serde(default)]
    pub limit: Option<LimitCertificate>,
    #[serde(default)]
    pub specific_diseases: Vec<SpecificDisease>,
}

impl std::fmt::Debug for RosterEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RosterEntry(answer {}, <redacted>)", self.answer_code)
    }
}

/// Personal data: the blocks' `Debug` says which block, never what is in it.
macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($t))
            }
        }
    )*};
}
redacted_debug!(Elderly, LimitCertificate, SpecificDisease);

/// A `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let p: Vec<&str> = s.split('-').collect();
    match p.as_slice() {
        [y, m, d]
            if y.len() == 4
                && m.len() == 2
                && d.len() == 2
                && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
        {
            Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

/// One problem with one field of an entry: the field's name (`limit.category`,
/// `specific_diseases[1].valid_to`) and what is wrong, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub problem: String,
}

/// Field checks, collected rather than stopping at the first.
struct Checker {
    problems: Vec<FieldProblem>,
}

/// Longest text the kiosk accepts per kind of field (characters). These are the kiosk's own bounds:
/// the interface's field lengths were not found publicly (docs/RECEPTION.md).
const MAX_NAME: usize = 100;
const MAX_ADDRESS: usize = 200;
const MAX_SHORT: usize = 40;
const MAX_CERT: usize = 512;

impl Checker {
    fn bad(&mut self, field: &str, problem: impl Into<String>) {
        self.problems.push(FieldProblem {
            field: field.into(),
            problem: problem.into(),
        });
    }

    /// Text that goes into the result file: no control characters, at most `max` characters, and
    /// every character representable in Shift_JIS (refused, never replaced).
    fn text(&mut self, field: &str, value: &str, max: usize, required: bool) {
        if required && value.trim().is_empty() {
            return self.bad(field, "is empty");
        }
        if value.chars().any(char::is_control) {
            return self.bad(field, "contains a control character (tab, line break …)");
        }
        let n = value.chars().count();
        if n > max {
            return self.bad(
                field,
                format!("is {n} characters long; at most {max} are allowed"),
            );
        }
        if let Some(pos) = crate::xml::first_unencodable(value) {
            self.bad(
                field,
                format!(
                    "character {} cannot be written in Shift_JIS (use the registered standard form)",
                    pos + 1
                ),
            );
        }
    }

    fn digits(&mut self, field: &str, value: &str, lens: &[usize]) {
        if !lens.contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
            let lens: Vec<String> = lens.iter().map(|l| l.to_string()).collect();
            self.bad(field, format!("must be {} digits", lens.join(" or ")));
        }
    }

    fn code(&mut self, field: &str, value: &str, list: &CodeList) {
        if list.label(value).is_none() {
            self.bad(
                field,
                format!("is not a code of {} ({})", list.name, list.codes().join(", ")),
            );
        }
    }

    fn date(&mut self, field: &str, value: &str, required: bool) -> Option<Date> {
        if value.is_empty() && !required {
            return None;
        }
        let d = parse_date(value);
        if d.is_none() {
            self.bad(field, "is not a date (YYYY-MM-DD)");
        }
        d
    }

    /// A validity period: `from` required, `to` optional, `to` not before `from`.
    fn period(&mut self, prefix: &str, from: &str, to: &str, to_required: bool) {
        let f = self.date(&format!("{prefix}valid_from"), from, true);
        let t = self.date(&format!("{prefix}valid_to"), to, to_required);
        if let (Some(f), Some(t)) = (f, t)
            && t < f
        {
            self.bad(&format!("{prefix}valid_to"), "is before valid_from");
        }
    }

    fn ratio(&mut self, field: &str, value: u8) {
        if ![10, 20, 30].contains(&value) {
            self.bad(field, "must be 10, 20 or 30 (percent)");
        }
    }
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{30A0}'..='\u{30FF}' | '\u{FF65}'..='\u{FF9F}' | ' ' | '\u{3000}')
}

impl RosterEntry {
    /// Every problem with the entry's fields (empty when it is sound).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut c = Checker { problems: vec![] };
        for (field, value) in [
            ("cert_issuer", &self.cert_issuer),
            ("cert_serial", &self.cert_serial),
        ] {
            if value.trim().is_empty() {
                c.bad(field, "is empty");
            } else if value.chars().any(char::is_control) || value.len() > MAX_CERT {
                c.bad(field, "contains a control character or is too long");
            }
        }
        if Qualification::from_code(self.answer_code).is_none() {
            c.bad("answer_code", "must be 1–5 (QualificationValidity, OQSCD006)");
        }
        c.code(
            "card_classification",
            &self.card_classification,
            &codes::INSURED_CARD_CLASSIFICATION,
        );
        c.digits("insurer_number", &self.insurer_number, &[6, 8]);
        c.text("insurer_name", &self.insurer_name, MAX_SHORT * 2, true);
        c.text("symbol", &self.symbol, MAX_SHORT, false);
        c.text("number", &self.number, MAX_SHORT, true);
        if !self.branch.is_empty() {
            c.digits("branch", &self.branch, &[2]);
        }
        c.code(
            "personal_family",
            &self.personal_family.to_string(),
            &codes::PERSONAL_FAMILY_CLASSIFICATION,
        );
        c.text("insured_name", &self.insured_name, MAX_NAME, false);
        c.text("name", &self.name, MAX_NAME, true);
        c.text("kana", &self.kana, MAX_NAME, true);
        if !self.kana.chars().all(is_kana) {
            c.bad("kana", "must be katakana and spaces only");
        }
        c.date("birth_date", &self.birth_date, true);
        c.code("sex", &self.sex.to_string(), &codes::SEX);
        c.text("address", &self.address, MAX_ADDRESS, false);
        let post: String = self.post_number.chars().filter(|&ch| ch != '-').collect();
        if !self.post_number.is_empty()
            && (post.len() != 7 || !post.bytes().all(|b| b.is_ascii_digit()) || self.post_number.len() > 8)
        {
            c.bad("post_number", "must be 7 digits (NNN-NNNN)");
        }
        c.ratio("copay_ratio", self.copay_ratio);
        c.date("qualification_date", &self.qualification_date, false);
        c.period("", &self.valid_from, &self.valid_to, false);
        if let Some(e) = &self.elderly {
            c.date("elderly.issued_on", &e.issued_on, true);
            c.period("elderly.", &e.valid_from, &e.valid_to, true);
            c.ratio("elderly.copay_ratio", e.copay_ratio);
        }
        if let Some(l) = &self.limit {
            c.code(
                "limit.classification",
                &l.classification,
                &codes::LIMIT_APPLICATION_CERTIFICATE_CLASSIFICATION,
            );
            c.code(
                "limit.category",
                &l.category,
                &codes::LIMIT_APPLICATION_CERTIFICATE_CATEGORY,
            );
            c.date("limit.issued_on", &l.issued_on, true);
            c.period("limit.", &l.valid_from, &l.valid_to, true);
            c.date("limit.long_term_from", &l.long_term_from, false);
        }
        for (i, s) in self.specific_diseases.iter().enumerate() {
            let p = format!("specific_diseases[{i}].");
            c.code(
                &format!("{p}category"),
                &s.category,
                &codes::SPECIFIC_DISEASES_CATEGORY,
            );
            c.date(&format!("{p}issued_on"), &s.issued_on, true);
            c.period(&p, &s.valid_from, &s.valid_to, true);
        }
        c.problems
    }

    /// Check the entry's fields; the message names the first bad field, never its value.
    pub fn validate(&self) -> Result<(), RecordsError> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some(p) => Err(RecordsError::MalformedEntry(format!("{} {}", p.field, p.problem))),
        }
    }

    /// The qualification on `today`: the stored answer, except that a "valid" entry outside its
    /// validity period is 無効.
    pub fn qualification(&self, today: Date) -> Result<Qualification, RecordsError> {
        self.validate()?;
        let q = Qualification::from_code(self.answer_code)
            .ok_or(RecordsError::MalformedEntry("answer_code".into()))?;
        let from = parse_date(&self.valid_from).ok_or(RecordsError::MalformedEntry("valid_from".into()))?;
        let to = parse_date(&self.valid_to);
        let in_period = today >= from && to.is_none_or(|t| today <= t);
        Ok(match q {
            Qualification::Valid if !in_period => Qualification::Invalid,
            q => q,
        })
    }
}

/// A problem in a roster file, with the line it is on (1-based), the patient (1-based, `None` when the
/// file itself cannot be read) and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub patient: Option<usize>,
    pub field: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(p) = self.patient {
            write!(f, ", patient {p}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |t| t.matches('\n').count() + 1)
}

/// Read a roster file (`[[patient]]` tables with the [`RosterEntry`] fields) and check every entry.
/// Either every entry is sound, or every problem found comes back with its line and field.
pub fn parse_roster(text: &str) -> Result<Vec<RosterEntry>, Vec<ImportError>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        patient: Vec<RosterEntry>,
    }
    #[derive(Deserialize)]
    struct Spans {
        patient: Vec<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
    }
    // Syntax, types, missing and unknown fields: the TOML reader says where (one error at a time).
    let file: File = toml::from_str(text).map_err(|e| {
        vec![ImportError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            patient: None,
            field: None,
            problem: e.message().trim().to_string(),
        }]
    })?;
    let spans: Spans = toml::from_str(text).map_err(|e| {
        vec![ImportError {
            line: 1,
            patient: None,
            field: None,
            problem: e.message().trim().to_string(),
        }]
    })?;
    let mut errors = Vec::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, (entry, span)) in file.patient.iter().zip(&spans.patient).enumerate() {
        let table_line = line_of(text, span.span().start);
        let line_for = |field: &str| {
            let key = field.split(['.', '[']).next().unwrap_or(field);
            span.get_ref()
                .get(key)
                .map_or(table_line, |v| line_of(text, v.span().start))
        };
        for p in entry.problems() {
            errors.push(ImportError {
                line: line_for(&p.field),
                patient: Some(i + 1),
                field: Some(p.field),
                problem: p.problem,
            });
        }
        let key = (entry.cert_issuer.clone(), entry.cert_serial.clone());
        if let Some(first) = seen.insert(key, i + 1) {
            errors.push(ImportError {
                line: line_for("cert_serial"),
                patient: Some(i + 1),
                field: Some("cert_serial".into()),
                problem: format!("the same certificate as patient {first}"),
            });
        }
    }
    if errors.is_empty() {
        Ok(file.patient)
    } else {
        Err(errors)
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
    /// Register the card for health-insurance use (利用登録).
    fn register(&self, cert_issuer: &str, cert_serial: &str) -> Result<(), RecordsError>;
}

/// The embedded roster.
#[derive(Debug)]
pub struct SqliteRoster {
    conn: Connection,
    path: String,
}

/// One row per certificate; the entry is kept as its TOML text, checked again when read.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS insured (
    cert_issuer TEXT NOT NULL, cert_serial TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (cert_issuer, cert_serial))";

impl SqliteRoster {
    /// Open (or create) the roster at `path`. A damaged or locked file is a clear error, and so is a
    /// roster written by a kiosk before the result file carried the insurer's details.
    pub fn open(path: &Path) -> Result<SqliteRoster, RecordsError> {
        let p = path.display().to_string();
        crate::private::prepare(path).map_err(|e| RecordsError::from_io(&p, &e))?;
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
        let old: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'roster'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        if old.is_some() {
            return Err(RecordsError::OldRoster { path });
        }
        conn.execute_batch(SCHEMA)
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        Ok(SqliteRoster { conn, path })
    }

    /// Insert or replace one entry (validated first).
    pub fn upsert(&self, e: &RosterEntry) -> Result<(), RecordsError> {
        e.validate()?;
        let text = toml::to_string(e).map_err(|err| RecordsError::MalformedEntry(err.to_string()))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO insured VALUES (?1, ?2, ?3)",
                params![e.cert_issuer, e.cert_serial, text],
            )
            .map_err(|err| RecordsError::from_sqlite(&self.path, &err))?;
        Ok(())
    }

    /// Import checked entries as one unit: all of them or none.
    pub fn import(&mut self, entries: &[RosterEntry]) -> Result<usize, RecordsError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        for e in entries {
            e.validate()?;
            let text = toml::to_string(e).map_err(|err| RecordsError::MalformedEntry(err.to_string()))?;
            tx.execute(
                "INSERT OR REPLACE INTO insured VALUES (?1, ?2, ?3)",
                params![e.cert_issuer, e.cert_serial, text],
            )
            .map_err(|err| RecordsError::from_sqlite(&path, &err))?;
        }
        tx.commit().map_err(|e| RecordsError::from_sqlite(&path, &e))?;
        Ok(entries.len())
    }

    /// Seed from TOML (see [`parse_roster`]), e.g. `assets/roster-demo.toml`.
    pub fn seed_toml(&mut self, text: &str) -> Result<usize, RecordsError> {
        let entries = parse_roster(text).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            RecordsError::Seed(list.join("; "))
        })?;
        self.import(&entries)
    }

    fn lookup(&self, issuer: &str, serial: &str) -> Result<Option<RosterEntry>, RecordsError> {
        let row: Option<String> = self
            .conn
            .query_row(
                "SELECT entry FROM insured WHERE cert_issuer = ?1 AND cert_serial = ?2",
                params![issuer, serial],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| match e {
                rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
                    RecordsError::MalformedEntry("a column has the wrong type".into())
                }
                e => RecordsError::from_sqlite(&self.path, &e),
            })?;
        match row {
            None => Ok(None),
            Some(text) => {
                let entry: RosterEntry = toml::from_str(&text)
                    .map_err(|_| RecordsError::MalformedEntry("the stored entry cannot be read".into()))?;
                entry.validate()?;
                Ok(Some(entry))
            }
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
            Some(RosterEntry {
                revoked: Some(why), ..
            }) => Err(RecordsError::CertificateRevoked(why)),
            None => Ok((
                EligibilityAnswer {
                    qualification: Qualification::NoRecord,
                    registered: true,
                    patient_name: String::new(),
                },
                None,
            )),
            Some(entry) => {
                let qualification = entry.qualification(today)?;
                Ok((
                    EligibilityAnswer {
                        qualification,
                        registered: entry.registered,
                        patient_name: entry.name.clone(),
                    },
                    Some(entry),
                ))
            }
        }
    }

    fn register(&self, cert_issuer: &str, cert_serial: &str) -> Result<(), RecordsError> {
        let Some(mut entry) = self.lookup(cert_issuer, cert_serial)? else {
            return Ok(());
        };
        entry.registered = true;
        self.upsert(&entry)
    }
}
