//! The OQS-style face-result XML file (`OQSsiquc01res_face_*.xml`) that receipt computers read from a
//! shared folder (docs/RECEPTION.md §"Output"). Field names follow the 資格確認 result files: a
//! `MessageHeader` and a `MessageBody` with the qualification, the insured person, the consent flags with
//! their times, and the prescription choice. Written atomically: a temporary file in the same folder,
//! synced, then renamed, so a reader never sees half a file.

use crate::{RecordsError, RosterEntry};
use kiosk_mynumber::Date;
use kiosk_reception::{Consents, Prescription, ReceptionRecord};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// How long a consent lets the clinic see the information (24 hours, docs/RECEPTION.md).
const CONSENT_VALID_SECS: i64 = 24 * 3600;

/// The file name for a reception: `OQSsiquc01res_face_kiosk<id>_<yyyyMMddHHmmss>.xml`.
pub fn result_file_name(record: &ReceptionRecord) -> String {
    format!(
        "OQSsiquc01res_face_kiosk{:06}_{}.xml",
        record.reception_id,
        stamp(record.finished_at)
    )
}

struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn open(&mut self, tag: &str) -> std::io::Result<()> {
        self.w.write_event(Event::Start(BytesStart::new(tag)))
    }
    fn close(&mut self, tag: &str) -> std::io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(tag)))
    }
    fn field(&mut self, tag: &str, value: &str) -> std::io::Result<()> {
        self.open(tag)?;
        self.w.write_event(Event::Text(BytesText::new(value)))?;
        self.close(tag)
    }
}

fn consent_fields(x: &mut Xml, consents: &Consents, time: i64) -> std::io::Result<()> {
    // 手術 → OperationInfo; 診療・薬 → DiagnosisInfo and PharmacistsInfo; 健診 → SpecificHealthCheckupsInfo.
    let items = [
        ("OperationInfo", consents.surgery),
        ("DiagnosisInfo", consents.treatment_and_medicine),
        ("PharmacistsInfo", consents.treatment_and_medicine),
        ("SpecificHealthCheckupsInfo", consents.health_checkups),
    ];
    for (name, agreed) in items {
        let agreed = agreed.unwrap_or(false);
        x.field(&format!("{name}ConsFlg"), if agreed { "1" } else { "0" })?;
        if agreed {
            x.field(&format!("{name}ConsTime"), &stamp(time))?;
            x.field(&format!("{name}AvailableTime"), &stamp(time + CONSENT_VALID_SECS))?;
        }
    }
    Ok(())
}

/// The XML document for one reception.
pub fn render(
    record: &ReceptionRecord,
    entry: &RosterEntry,
    institution_code: &str,
) -> std::io::Result<Vec<u8>> {
    let mut x = Xml {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    x.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.open("XmlMsg")?;
    x.open("MessageHeader")?;
    x.field("ProcessExecutionTime", &stamp(record.finished_at))?;
    x.field("QualificationConfirmationDate", &stamp(record.finished_at)[..8])?;
    x.field("MedicalInstitutionCode", institution_code)?;
    x.field(
        "ArbitraryFileIdentifier",
        &format!("kiosk{:06}", record.reception_id),
    )?;
    // 1 = confirmed with the My Number card.
    x.field("ReferenceClassification", "1")?;
    // 1 = 正常.
    x.field("SegmentOfResult", "1")?;
    // The kiosk writes UTF-8 (GUESS at the code value; see docs/RECEPTION.md).
    x.field("CharacterCodeIdentifier", "1")?;
    x.close("MessageHeader")?;
    x.open("MessageBody")?;
    x.field("ProcessingResultStatus", "1")?;
    x.field("QualificationValidity", &record.qualification.code().to_string())?;
    x.open("ResultList")?;
    x.open("ResultOfQualificationConfirmation")?;
    x.field("InsurerNumber", &entry.insurer_number)?;
    x.field("InsuredCardSymbol", &entry.symbol)?;
    x.field("InsuredIdentificationNumber", &entry.number)?;
    x.field("InsuredBranchNumber", &entry.branch)?;
    x.field("Name", &entry.name)?;
    x.field("NameKana", &entry.kana)?;
    x.field("Sex1", &entry.sex.to_string())?;
    x.field("Birthdate", &entry.birth_date.replace('-', ""))?;
    x.field("InsuredPartialContributionRatio", &entry.copay_ratio.to_string())?;
    x.field("QualificationDate", &entry.valid_from.replace('-', ""))?;
    if !entry.valid_to.is_empty() {
        x.field("QualificationValidityPeriodTo", &entry.valid_to.replace('-', ""))?;
    }
    if let (Some(c), Some(t)) = (record.consents.as_ref(), record.consent_time) {
        consent_fields(&mut x, c, t)?;
    }
    if let Some(p) = record.prescription {
        // 1 = paper, 2 = electronic prescription (GUESS at the codes; docs/RECEPTION.md).
        x.field(
            "PrescriptionIssueSelect",
            match p {
                Prescription::Paper => "1",
                Prescription::Electronic => "2",
            },
        )?;
    }
    x.close("ResultOfQualificationConfirmation")?;
    x.close("ResultList")?;
    x.close("MessageBody")?;
    x.close("XmlMsg")?;
    let mut bytes = x.w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write the result file into `dir` atomically and return its path.
pub fn write_result_xml(
    dir: &Path,
    record: &ReceptionRecord,
    entry: &RosterEntry,
    institution_code: &str,
) -> Result<PathBuf, RecordsError> {
    let err = |reason: String| RecordsError::Output {
        dir: dir.display().to_string(),
        reason,
    };
    let bytes = render(record, entry, institution_code).map_err(|e| err(e.to_string()))?;
    let name = result_file_name(record);
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(&name);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
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
