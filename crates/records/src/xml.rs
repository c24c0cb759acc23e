//! The 資格確認 result file (`OQSsiquc01res_face_*.xml`) that receipt computers read from a shared
//! folder. Field names, nesting and code values follow the public transcriptions of the interface cited
//! in docs/RECEPTION.md ("Result file"): an `XmlMsg` with a `MessageHeader` (times, institution, file
//! identifier, `SegmentOfResult`, `CharacterCodeIdentifier`, and `ErrorCode`/`ErrorMessage` when the
//! check failed) and a `MessageBody` (`PrescriptionIssueSelect`, `ProcessingResultStatus`,
//! `QualificationValidity`, and `ResultList/ResultOfQualificationConfirmation` with the insured person,
//! the 高齢受給者証 / 限度額適用認定証 / 特定疾病療養受療証 blocks and the consent flags).
//!
//! One file per outcome: a completed reception (有効), an answer that ends the reception (無効, 無効
//! (新しい資格あり), 該当資格なし, 複数該当) and a failed check. UTF-8 or Shift_JIS
//! ([`Charset`]); a character Shift_JIS cannot hold is an error, never replaced. Written atomically: a
//! temporary file in the same folder, synced, then renamed, so a reader never sees half a file.

use crate::{RecordsError, RosterEntry};
use kiosk_mynumber::Date;
use kiosk_reception::{Consents, Prescription, Qualification, ReceptionRecord};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io::Write;
use std::path::PathBuf;

/// The result file's character set (`CharacterCodeIdentifier`, OQSCD005: 0 UTF-8, 1 Shift_JIS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Utf8,
    /// Shift_JIS as Windows reads it (encoding_rs's WHATWG Shift_JIS encoder, i.e. the CP932 table).
    ShiftJis,
}

impl Charset {
    /// The configuration spelling: `"UTF-8"` or `"Shift_JIS"` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Charset> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Some(Charset::Utf8),
            "shiftjis" | "sjis" | "cp932" => Some(Charset::ShiftJis),
            _ => None,
        }
    }
    /// `CharacterCodeIdentifier`.
    pub fn code(self) -> &'static str {
        match self {
            Charset::Utf8 => "0",
            Charset::ShiftJis => "1",
        }
    }
    /// The XML declaration's encoding name.
    pub fn xml_name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::ShiftJis => "Shift_JIS",
        }
    }
}

/// The position (in characters) of the first character Shift_JIS cannot hold, if any.
pub fn first_unencodable(text: &str) -> Option<usize> {
    let mut buf = [0u8; 4];
    text.chars().position(|c| {
        let (_, _, had_errors) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        had_errors
    })
}

/// Where result files go and how they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSettings {
    pub dir: PathBuf,
    /// The clinic's 10-digit 医療機関コード.
    pub institution_code: String,
    pub charset: Charset,
}

/// Why the check gave no answer, for the error file's `ErrorCode`/`ErrorMessage`. The codes are the
/// kiosk's own (prefix `KSK`): the official list (別紙6-1 処理結果コード) is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckError {
    /// The eligibility source (roster, or the online check behind the trait) could not answer.
    SourceUnavailable,
    /// The eligibility source's entry for the card is unreadable.
    EntryUnreadable,
    /// The card's certificate is revoked (失効).
    CertificateRevoked,
}

impl CheckError {
    pub fn code(self) -> &'static str {
        match self {
            CheckError::SourceUnavailable => "KSK0001",
            CheckError::EntryUnreadable => "KSK0002",
            CheckError::CertificateRevoked => "KSK0003",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            CheckError::SourceUnavailable => "資格確認を行えませんでした（資格情報の照会先が応答しません）",
            CheckError::EntryUnreadable => "資格確認を行えませんでした（資格情報が読み取れません）",
            CheckError::CertificateRevoked => "資格確認を行えませんでした（電子証明書が失効しています）",
        }
    }
}

/// What a result file reports.
#[derive(Debug, Clone, Copy)]
pub enum ResultFile<'a> {
    /// A completed reception: 有効, with consents and the prescription choice.
    Completed {
        record: &'a ReceptionRecord,
        entry: &'a RosterEntry,
    },
    /// The check answered, and the answer ends the reception (無効, 無効(新しい資格あり), 該当資格なし,
    /// 複数該当). `entry` is the record found (none for 該当資格なし).
    Answered {
        id: u64,
        at: i64,
        qualification: Qualification,
        entry: Option<&'a RosterEntry>,
    },
    /// The check failed (`SegmentOfResult` 9 異常終了).
    Failed { id: u64, at: i64, error: CheckError },
}

impl ResultFile<'_> {
    fn at(&self) -> i64 {
        match self {
            ResultFile::Completed { record, .. } => record.finished_at,
            ResultFile::Answered { at, .. } | ResultFile::Failed { at, .. } => *at,
        }
    }
    /// `ArbitraryFileIdentifier`: `kiosk<reception>` for receptions, `kiosk-e<n>` for the files of
    /// receptions that ended at the eligibility check (a separate count in the journal).
    pub fn identifier(&self) -> String {
        match self {
            ResultFile::Completed { record, .. } => format!("kiosk{:06}", record.reception_id),
            ResultFile::Answered { id, .. } | ResultFile::Failed { id, .. } => format!("kiosk-e{id:06}"),
        }
    }
    /// `OQSsiquc01res_face_<identifier>_<yyyyMMddHHmmss>.xml`.
    pub fn file_name(&self) -> String {
        format!(
            "OQSsiquc01res_face_{}_{}.xml",
            self.identifier(),
            stamp(self.at())
        )
    }
}

/// `yyyyMMddHHmmss` in Japan time.
fn stamp(unix: i64) -> String {
    let d = Date::from_unix_jst(unix);
    let secs = (unix + 9 * 3600).rem_euclid(86400);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        d.year,
        d.month,
        d.day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `YYYY-MM-DD` (the roster's form) as `yyyyMMdd` (the file's).
fn ymd(date: &str) -> String {
    date.replace('-', "")
}

/// A percentage as the file writes it: three digits, 1割 = `010` (transcriptions, docs/RECEPTION.md).
fn ratio(percent: u8) -> String {
    format!("{percent:03}")
}

/// How long a consent lets the clinic see the information (24 hours, docs/RECEPTION.md).
const CONSENT_VALID_SECS: i64 = 24 * 3600;

/// 処方箋発行形態: 1 電子処方箋, 2 紙の処方箋.
pub fn prescription_code(p: Prescription) -> &'static str {
    match p {
        Prescription::Electronic => "1",
        Prescription::Paper => "2",
    }
}

struct Xml {
    w: Writer<Vec<u8>>,
}

type Io = std::io::Result<()>;

impl Xml {
    fn open(&mut self, tag: &str) -> Io {
        self.w.write_event(Event::Start(BytesStart::new(tag)))
    }
    fn close(&mut self, tag: &str) -> Io {
        self.w.write_event(Event::End(BytesEnd::new(tag)))
    }
    fn field(&mut self, tag: &str, value: &str) -> Io {
        self.open(tag)?;
        self.w.write_event(Event::Text(BytesText::new(value)))?;
        self.close(tag)
    }
    /// A field left out when empty (optional fields of the interface).
    fn optional(&mut self, tag: &str, value: &str) -> Io {
        if value.is_empty() {
            Ok(())
        } else {
            self.field(tag, value)
        }
    }
}

/// The consent to share the 限度額適用認定証 and 特定疾病療養受療証 information. GUESS: the reader asks
/// no separate question for these since the 2024-10 screens; the kiosk takes the 診療・お薬 consent
/// (docs/RECEPTION.md). One place, so a source can correct it.
fn certificate_consent(consents: Option<&Consents>) -> bool {
    consents.and_then(|c| c.treatment_and_medicine).unwrap_or(false)
}

fn viewing_consents(x: &mut Xml, consents: Option<&Consents>, time: Option<i64>) -> Io {
    // 健診 → SpecificHealthCheckupsInfo; 診療・お薬 → PharmacistsInfo and DiagnosisInfo; 手術 →
    // OperationInfo (field order as in the transcriptions).
    let c = consents.copied().unwrap_or_default();
    let items = [
        ("SpecificHealthCheckupsInfo", c.health_checkups),
        ("PharmacistsInfo", c.treatment_and_medicine),
        ("DiagnosisInfo", c.treatment_and_medicine),
        ("OperationInfo", c.surgery),
    ];
    for (name, agreed) in items {
        let agreed = agreed.unwrap_or(false);
        x.field(&format!("{name}ConsFlg"), if agreed { "1" } else { "0" })?;
        if let (true, Some(t)) = (agreed, time) {
            x.field(&format!("{name}ConsTime"), &stamp(t))?;
            x.field(&format!("{name}AvailableTime"), &stamp(t + CONSENT_VALID_SECS))?;
        }
    }
    Ok(())
}

fn certificates(x: &mut Xml, entry: &RosterEntry, consents: Option<&Consents>, time: Option<i64>) -> Io {
    if let Some(e) = &entry.elderly {
        x.open("ElderlyRecipientCertificateInfo")?;
        x.field("ElderlyRecipientCertificateDate", &ymd(&e.issued_on))?;
        x.field("ElderlyRecipientValidStartDate", &ymd(&e.valid_from))?;
        x.field("ElderlyRecipientValidEndDate", &ymd(&e.valid_to))?;
        x.field("ElderlyRecipientContributionRatio", &ratio(e.copay_ratio))?;
        x.close("ElderlyRecipientCertificateInfo")?;
    }
    // The 限度額 and 特定疾病 details leave the kiosk only with the patient's consent.
    let agreed = certificate_consent(consents);
    let cons_time = time.filter(|_| agreed);
    if let Some(l) = &entry.limit {
        x.field(
            "LimitApplicationCertificateRelatedConsFlg",
            if agreed { "1" } else { "0" },
        )?;
        if let Some(t) = cons_time {
            x.field("LimitApplicationCertificateRelatedConsTime", &stamp(t))?;
            x.open("LimitApplicationCertificateRelatedInfo")?;
            x.field("LimitApplicationCertificateClassification", &l.classification)?;
            x.field("LimitApplicationCertificateClassificationFlag", &l.category)?;
            x.field("LimitApplicationCertificateDate", &ymd(&l.issued_on))?;
            x.field("LimitApplicationCertificateValidStartDate", &ymd(&l.valid_from))?;
            x.field("LimitApplicationCertificateValidEndDate", &ymd(&l.valid_to))?;
            x.optional("LimitApplicationCertificateLongTermDate", &ymd(&l.long_term_from))?;
            x.close("LimitApplicationCertificateRelatedInfo")?;
        }
    }
    if !entry.specific_diseases.is_empty() {
        x.field(
            "SpecificDiseasesCertificateRelatedConsFlg",
            if agreed { "1" } else { "0" },
        )?;
        if let Some(t) = cons_time {
            x.field("SpecificDiseasesCertificateRelatedConsTime", &stamp(t))?;
            x.open("SpecificDiseasesCertificateList")?;
            for s in &entry.specific_diseases {
                x.open("SpecificDiseasesCertificateInfo")?;
                x.field("SpecificDiseasesDiseaseCategory", &s.category)?;
                x.field("SpecificDiseasesCertificateDate", &ymd(&s.issued_on))?;
                x.field("SpecificDiseasesValidStartDate", &ymd(&s.valid_from))?;
                x.field("SpecificDiseasesValidEndDate", &ymd(&s.valid_to))?;
                x.field("SpecificDiseasesSelfPay", &s.self_pay_limit.to_string())?;
                x.close("SpecificDiseasesCertificateInfo")?;
            }
            x.close("SpecificDiseasesCertificateList")?;
        }
    }
    Ok(())
}

/// `ResultOfQualificationConfirmation` for one insured person.
fn person(x: &mut Xml, entry: &RosterEntry, completed: Option<&ReceptionRecord>) -> Io {
    x.open("ResultList")?;
    x.open("ResultOfQualificationConfirmation")?;
    x.field("InsuredCardClassification", &entry.card_classification)?;
    x.field("InsurerNumber", &entry.insurer_number)?;
    x.optional("InsuredCardSymbol", &entry.symbol)?;
    x.field("InsuredIdentificationNumber", &entry.number)?;
    x.optional("InsuredBranchNumber", &entry.branch)?;
    x.field("PersonalFamilyClassification", &entry.personal_family.to_string())?;
    x.optional("InsuredName", &entry.insured_name)?;
    x.field("Name", &entry.name)?;
    x.field("NameKana", &entry.kana)?;
    x.field("Sex1", &entry.sex.to_string())?;
    x.field("Birthdate", &ymd(&entry.birth_date))?;
    x.optional("Address", &entry.address)?;
    x.optional("PostNumber", &entry.post_number.replace('-', ""))?;
    x.optional("QualificationDate", &ymd(&entry.qualification_date))?;
    x.field("InsuredCardValidDate", &ymd(&entry.valid_from))?;
    x.optional("InsuredCardExpirationDate", &ymd(&entry.valid_to))?;
    x.field("InsuredPartialContributionRatio", &ratio(entry.copay_ratio))?;
    x.field("InsurerName", &entry.insurer_name)?;
    if let Some(record) = completed {
        let consents = record.consents.as_ref();
        certificates(x, entry, consents, record.consent_time)?;
        viewing_consents(x, consents, record.consent_time)?;
    } else {
        // Not completed: no consent was asked, so the flags say 未同意 and only the 高齢受給者証
        // (which needs no consent) is written in full.
        certificates(x, entry, None, None)?;
    }
    x.close("ResultOfQualificationConfirmation")?;
    x.close("ResultList")
}

fn header(x: &mut Xml, file: &ResultFile<'_>, out: &OutputSettings) -> Io {
    let at = file.at();
    x.open("MessageHeader")?;
    x.field("ProcessExecutionTime", &stamp(at))?;
    x.field("QualificationConfirmationDate", &stamp(at)[..8])?;
    x.field("MedicalInstitutionCode", &out.institution_code)?;
    x.field("ArbitraryFileIdentifier", &file.identifier())?;
    // OQSCD002: 1 = confirmed with the My Number card.
    x.field("ReferenceClassification", "1")?;
    match file {
        ResultFile::Failed { error, .. } => {
            // OQSCD003: 9 異常終了, with the error in the header.
            x.field("SegmentOfResult", "9")?;
            x.field("ErrorCode", error.code())?;
            x.field("ErrorMessage", error.message())?;
        }
        // OQSCD003: 1 正常終了 (the check answered, whatever the answer).
        _ => x.field("SegmentOfResult", "1")?,
    }
    x.field("CharacterCodeIdentifier", out.charset.code())?;
    x.close("MessageHeader")
}

fn body(x: &mut Xml, file: &ResultFile<'_>) -> Io {
    match file {
        ResultFile::Failed { .. } => Ok(()),
        ResultFile::Completed { record, entry } => {
            x.open("MessageBody")?;
            if let Some(p) = record.prescription {
                x.field("PrescriptionIssueSelect", prescription_code(p))?;
            }
            x.field("ProcessingResultStatus", "1")?;
            x.field("QualificationValidity", &record.qualification.code().to_string())?;
            person(x, entry, Some(record))?;
            x.close("MessageBody")
        }
        ResultFile::Answered {
            qualification, entry, ..
        } => {
            x.open("MessageBody")?;
            x.field("ProcessingResultStatus", "1")?;
            x.field("QualificationValidity", &qualification.code().to_string())?;
            if let (Some(entry), false) = (entry, *qualification == Qualification::NoRecord) {
                person(x, entry, None)?;
            }
            x.close("MessageBody")
        }
    }
}

/// The document for one outcome, in the configured character set.
pub fn render(file: &ResultFile<'_>, out: &OutputSettings) -> Result<Vec<u8>, RecordsError> {
    let fail = |reason: String| RecordsError::Output {
        dir: out.dir.display().to_string(),
        reason,
    };
    let mut x = Xml {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    let doc = (|| -> Io {
        x.w.write_event(Event::Decl(BytesDecl::new(
            "1.0",
            Some(out.charset.xml_name()),
            None,
        )))?;
        x.open("XmlMsg")?;
        header(&mut x, file, out)?;
        body(&mut x, file)?;
        x.close("XmlMsg")
    })();
    doc.map_err(|e| fail(e.to_string()))?;
    let mut utf8 = x.w.into_inner();
    utf8.push(b'\n');
    match out.charset {
        Charset::Utf8 => Ok(utf8),
        Charset::ShiftJis => {
            let text = String::from_utf8(utf8).map_err(|e| fail(e.to_string()))?;
            let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&text);
            if had_errors {
                // The roster refuses such text at import; an entry that slipped past is not replaced.
                return Err(RecordsError::Unencodable);
            }
            Ok(bytes.into_owned())
        }
    }
}

/// Write the result file into the output folder atomically, owner-readable only (personal data), and
/// return its path.
/// `group`: when given, the file is readable by that group (0640) for the receipt computer; the group
/// is set on the temporary file before it is renamed, so the receipt computer never sees a file it
/// cannot read. Otherwise 0600.
pub fn write_result_xml(
    file: &ResultFile<'_>,
    out: &OutputSettings,
    group: Option<u32>,
) -> Result<PathBuf, RecordsError> {
    let err = |reason: String| RecordsError::Output {
        dir: out.dir.display().to_string(),
        reason,
    };
    let bytes = render(file, out)?;
    let name = file.file_name();
    let tmp = out.dir.join(format!(".{name}.tmp"));
    let path = out.dir.join(&name);
    let write = || -> std::io::Result<()> {
        // Personal data: 0600, and created exclusively, so a file or symlink planted at the temporary
        // name is never followed (a stale one from a crash is removed first; O_EXCL refuses anything
        // that appears in between).
        let _ = std::fs::remove_file(&tmp);
        let mut f = crate::private::create_new(&tmp)?;
        if let Some(gid) = group {
            crate::private::share_with_group(&f, gid)?;
        }
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e.to_string()));
    }
    Ok(path)
}
