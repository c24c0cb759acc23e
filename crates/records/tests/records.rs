//! The roster, the journal with its result files, the audit log, and every bad input a clinic can hit.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::Date;
use kiosk_reception::{Consents, Prescription, Qualification, ReceptionRecord, VerifiedBy};
use kiosk_records::{
    Charset, EligibilityBackend, Journal, OutputSettings, RecordsError, RosterEntry, SqliteRoster,
};
use proptest::prelude::*;
use std::path::PathBuf;

const DEMO: &str = include_str!("../../../assets/roster-demo.toml");
const ISSUER: &str =
    "CN=JPKI-TEST CA for user authentication,OU=JPKI for user authentication,O=JPKI-TEST,C=JP";

fn today() -> Date {
    Date::new(2026, 11, 21).unwrap()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kiosk-records-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn roster() -> SqliteRoster {
    let mut r = SqliteRoster::in_memory().unwrap();
    assert_eq!(r.seed_toml(DEMO).unwrap(), 14);
    r
}

fn settings(dir: &std::path::Path) -> OutputSettings {
    OutputSettings {
        dir: dir.to_path_buf(),
        institution_code: "1311111111".into(),
        charset: Charset::Utf8,
    }
}

fn entry() -> RosterEntry {
    roster().check(ISSUER, "01000001", today()).unwrap().1.unwrap()
}

fn record(id: u64) -> ReceptionRecord {
    ReceptionRecord {
        reception_id: id,
        started_at: 1_795_000_000,
        finished_at: 1_795_000_090,
        verified_by: VerifiedBy::Face {
            distance_milli: 365,
            frames: 3,
        },
        qualification: Qualification::Valid,
        cert_issuer: ISSUER.into(),
        cert_serial: "01000001".into(),
        consents: Some(Consents {
            surgery: Some(true),
            treatment_and_medicine: Some(false),
            health_checkups: Some(true),
        }),
        consent_time: Some(1_795_000_060),
        prescription: Some(Prescription::Electronic),
    }
}

#[test]
fn the_demo_roster_answers_for_every_profile() {
    let r = roster();
    let (a, e) = r.check(ISSUER, "01000001", today()).unwrap();
    assert_eq!(a.qualification, Qualification::Valid);
    assert_eq!(a.patient_name, "山田　太郎");
    assert_eq!(e.unwrap().copay_ratio, 30);
    let (a, e) = r.check(ISSUER, "0DEADBEE", today()).unwrap();
    assert_eq!((a.qualification, e.is_none()), (Qualification::NoRecord, true));
    let (a, _) = r.check(ISSUER, "01000008", today()).unwrap();
    assert_eq!((a.qualification, a.registered), (Qualification::Valid, false));
    r.register(ISSUER, "01000008").unwrap();
    let (a, _) = r.check(ISSUER, "01000008", today()).unwrap();
    assert_eq!((a.qualification, a.registered), (Qualification::Valid, true));
    for (serial, q) in [
        ("01000010", Qualification::Invalid),
        ("01000011", Qualification::InvalidNewExists),
        ("01000012", Qualification::NoRecord),
        ("01000013", Qualification::Multiple),
    ] {
        assert_eq!(
            r.check(ISSUER, serial, today()).unwrap().0.qualification,
            q,
            "{serial}"
        );
    }
    assert!(!format!("{e:?}").contains("山田"));
}

#[test]
fn an_insurance_that_ended_is_invalid() {
    let r = roster();
    let mut e = entry();
    e.valid_to = "2026-03-31".into();
    r.upsert(&e).unwrap();
    assert_eq!(
        r.check(ISSUER, "01000001", today()).unwrap().0.qualification,
        Qualification::Invalid
    );
    assert_eq!(
        r.check(ISSUER, "01000001", Date::new(2026, 3, 31).unwrap())
            .unwrap()
            .0
            .qualification,
        Qualification::Valid
    );
}

#[test]
fn malformed_entries_are_refused_naming_the_field_not_the_value() {
    let r = roster();
    for (field, edit) in [
        (
            "insurer_number",
            Box::new(|e: &mut RosterEntry| e.insurer_number = "12ab".into()) as Box<dyn Fn(&mut RosterEntry)>,
        ),
        (
            "birth_date",
            Box::new(|e: &mut RosterEntry| e.birth_date = "1961-02-30".into()),
        ),
        ("copay_ratio", Box::new(|e: &mut RosterEntry| e.copay_ratio = 25)),
        ("answer_code", Box::new(|e: &mut RosterEntry| e.answer_code = 9)),
        ("answer_code", Box::new(|e: &mut RosterEntry| e.answer_code = 6)),
        (
            "valid_to",
            Box::new(|e: &mut RosterEntry| e.valid_to = "2019-01-01".into()),
        ),
    ] {
        let mut e = entry();
        edit(&mut e);
        let err = r.upsert(&e).unwrap_err().to_string();
        assert!(err.contains(field), "{field}: {err}");
        assert!(!err.contains("山田"), "{err}");
    }
    let mut r = r;
    assert!(matches!(
        r.seed_toml("[[patient]]\nname = 3\n"),
        Err(RecordsError::Seed(_))
    ));
}

#[test]
fn a_corrupt_roster_file_is_a_clear_error() {
    let dir = temp_dir("corrupt");
    let path = dir.join("roster.sqlite");
    std::fs::write(&path, vec![0x5Au8; 8192]).unwrap();
    let err = SqliteRoster::open(&path).unwrap_err();
    assert!(matches!(err, RecordsError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("roster.sqlite"));
}

#[test]
fn a_locked_journal_is_a_clear_error_and_recovers_when_released() {
    let dir = temp_dir("locked");
    let path = dir.join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = temp_dir("locked-out");
    let err = journal
        .complete(&record(1), &entry(), &settings(&out))
        .unwrap_err();
    assert!(matches!(err, RecordsError::Locked { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "no result file without its journal row"
    );
    other.execute_batch("ROLLBACK").unwrap();
    journal.complete(&record(1), &entry(), &settings(&out)).unwrap();
    assert_eq!(journal.reception_count().unwrap(), 1);
}

#[test]
fn a_completed_reception_has_one_journal_row_and_one_result_file() {
    let out = temp_dir("out");
    let mut journal = Journal::in_memory().unwrap();
    let path = journal.complete(&record(7), &entry(), &settings(&out)).unwrap();
    assert_eq!(journal.reception_count().unwrap(), 1);
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        vec![path.file_name().unwrap().to_string_lossy().into_owned()],
        "no temporary file left"
    );
    assert!(
        files[0].starts_with("OQSsiquc01res_face_kiosk000007_"),
        "{files:?}"
    );
    let xml = std::fs::read_to_string(&path).unwrap();
    for want in [
        "<QualificationValidity>1</QualificationValidity>",
        "<InsurerNumber>06139999</InsurerNumber>",
        "<Name>山田　太郎</Name>",
        "<OperationInfoConsFlg>1</OperationInfoConsFlg>",
        "<DiagnosisInfoConsFlg>0</DiagnosisInfoConsFlg>",
        "<PharmacistsInfoConsFlg>0</PharmacistsInfoConsFlg>",
        "<SpecificHealthCheckupsInfoConsFlg>1</SpecificHealthCheckupsInfoConsFlg>",
        "<PrescriptionIssueSelect>1</PrescriptionIssueSelect>",
        "<MedicalInstitutionCode>1311111111</MedicalInstitutionCode>",
    ] {
        assert!(xml.contains(want), "missing {want} in\n{xml}");
    }
    // Consent time and the 24-hour availability, in Japan time (1_795_000_060 = 2026-11-18 20:07:40 JST).
    assert!(
        xml.contains("<OperationInfoConsTime>20261118200740</OperationInfoConsTime>"),
        "{xml}"
    );
    assert!(
        xml.contains("<OperationInfoAvailableTime>20261119200740</OperationInfoAvailableTime>"),
        "{xml}"
    );
    assert!(
        !xml.contains("<DiagnosisInfoConsTime>"),
        "no time for a refused item"
    );
}

#[test]
fn an_unwritable_output_folder_leaves_nothing_half_written() {
    let mut journal = Journal::in_memory().unwrap();
    let missing = std::env::temp_dir().join("kiosk-records-no-such-folder/deeper");
    let err = journal
        .complete(&record(2), &entry(), &settings(&missing))
        .unwrap_err();
    assert!(matches!(err, RecordsError::Output { .. }), "{err}");
    assert_eq!(journal.reception_count().unwrap(), 0);
}

#[test]
fn names_with_markup_characters_are_escaped() {
    let out = temp_dir("escape");
    let mut e = entry();
    e.name = "A&B <C>".into();
    let path = Journal::in_memory()
        .unwrap()
        .complete(&record(3), &e, &settings(&out))
        .unwrap();
    let xml = std::fs::read_to_string(path).unwrap();
    assert!(xml.contains("<Name>A&amp;B &lt;C&gt;</Name>"), "{xml}");
}

#[test]
fn the_audit_log_holds_names_only() {
    let journal = Journal::in_memory().unwrap();
    journal.audit(1, "Idle", "Reading", "CardInserted").unwrap();
    journal.audit(2, "Reading", "MethodChoice", "CardRead").unwrap();
    assert_eq!(
        journal.audit_entries().unwrap()[1],
        ("Reading".into(), "MethodChoice".into(), "CardRead".into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn random_roster_fields_never_panic(insurer in ".{0,12}", birth in ".{0,12}", from in ".{0,12}", to in ".{0,12}", sex: u8, copay: u8, code: u8) {
        let mut e = entry();
        e.insurer_number = insurer;
        e.birth_date = birth;
        e.valid_from = from;
        e.valid_to = to;
        e.sex = sex;
        e.copay_ratio = copay;
        e.answer_code = code;
        let _ = e.validate();
        let _ = e.qualification(today());
    }
}

#[test]
fn face_attempts_survive_reopening_the_journal_for_the_day_only() {
    let dir = temp_dir("face-attempts");
    let path = dir.join("journal.sqlite");
    let card = [7u8; 32];
    let other = [9u8; 32];
    {
        let mut j = Journal::open(&path).unwrap();
        j.count_face_attempt(20_000, &card).unwrap();
        j.count_face_attempt(20_000, &card).unwrap();
        j.count_face_attempt(20_000, &other).unwrap();
    }
    // The kiosk restarts: the day's counts are still there.
    let mut j = Journal::open(&path).unwrap();
    let mut today = j.face_attempts_on(20_000).unwrap();
    today.sort();
    assert_eq!(today, vec![(card, 2), (other, 1)]);
    // The next day's first count drops the day before.
    j.count_face_attempt(20_001, &card).unwrap();
    assert_eq!(j.face_attempts_on(20_000).unwrap(), vec![]);
    assert_eq!(j.face_attempts_on(20_001).unwrap(), vec![(card, 1)]);
}
