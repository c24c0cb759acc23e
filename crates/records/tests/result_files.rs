//! The result file against the interface as the public transcriptions give it (docs/RECEPTION.md,
//! "Result file"): every code list, every outcome, both character sets, and the roster import's
//! line-and-field errors. Tables of cases; the expected values come from the fixtures and the sources,
//! not from the code under test.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_mynumber::Date;
use kiosk_reception::{Consents, Prescription, Qualification, ReceptionRecord, VerifiedBy};
use kiosk_records::{
    Charset, CheckError, EligibilityBackend, OutputSettings, RecordsError, ResultFile, RevokedBecause,
    RosterEntry, SqliteRoster, codes, parse_roster, render,
};
use quick_xml::Reader;
use quick_xml::events::Event;

const DEMO: &str = include_str!("../../../assets/roster-demo.toml");
const CODES: &str = include_str!("fixtures/oqs-codes.txt");
const ISSUER: &str =
    "CN=JPKI-TEST CA for user authentication,OU=JPKI for user authentication,O=JPKI-TEST,C=JP";

fn entry(serial: &str) -> RosterEntry {
    let mut r = SqliteRoster::in_memory().unwrap();
    r.seed_toml(DEMO).unwrap();
    r.check(ISSUER, serial, Date::new(2026, 11, 21).unwrap())
        .unwrap()
        .1
        .unwrap()
}

fn settings(charset: Charset) -> OutputSettings {
    OutputSettings {
        dir: std::env::temp_dir(),
        institution_code: "1311111111".into(),
        charset,
    }
}

fn record(consents: Option<Consents>, prescription: Prescription) -> ReceptionRecord {
    ReceptionRecord {
        reception_id: 7,
        started_at: 1_795_000_000,
        finished_at: 1_795_000_090,
        verified_by: VerifiedBy::Pin,
        qualification: Qualification::Valid,
        cert_issuer: ISSUER.into(),
        cert_serial: "01000001".into(),
        consent_time: consents.map(|_| 1_795_000_060),
        consents,
        prescription: Some(prescription),
    }
}

const ALL_AGREED: Consents = Consents {
    surgery: Some(true),
    treatment_and_medicine: Some(true),
    health_checkups: Some(true),
};

/// Every element with text, as `(path, text)`, e.g. `("XmlMsg/MessageBody/QualificationValidity", "1")`.
fn fields(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = vec![];
    let mut out = vec![];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => path.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap()),
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.xml_content().unwrap().trim().to_string();
                if !text.is_empty() {
                    out.push((path.join("/"), text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn value<'a>(f: &'a [(String, String)], path: &str) -> Option<&'a str> {
    f.iter().find(|(p, _)| p == path).map(|(_, v)| v.as_str())
}

const H: &str = "XmlMsg/MessageHeader/";
const B: &str = "XmlMsg/MessageBody/";
const R: &str = "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/";

#[test]
fn the_code_lists_are_the_transcribed_ones() {
    let want: Vec<String> = CODES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect();
    let mut have = vec![];
    for list in codes::ALL {
        for (code, label) in list.entries {
            have.push(format!("{} {code} {label}", list.name));
        }
    }
    let mut w = want.clone();
    w.sort();
    have.sort();
    assert_eq!(have, w);
    // The enums the file is written from agree with the lists.
    for q in Qualification::ALL {
        let code = q.code().to_string();
        assert!(codes::QUALIFICATION_VALIDITY.label(&code).is_some(), "{q:?}");
        assert_eq!(Qualification::from_code(q.code()), Some(q));
    }
    assert_eq!(Qualification::from_code(6), None, "6 is 医療扶助 only");
    for (p, label) in [
        (Prescription::Electronic, "電子処方箋"),
        (Prescription::Paper, "紙の処方箋"),
    ] {
        assert_eq!(
            codes::PRESCRIPTION_ISSUE_SELECT.label(kiosk_records::prescription_code(p)),
            Some(label)
        );
    }
    for (c, label) in [(Charset::Utf8, "UTF-8"), (Charset::ShiftJis, "Shift_JIS")] {
        assert_eq!(codes::CHARACTER_CODE_IDENTIFIER.label(c.code()), Some(label));
    }
}

type Want = &'static [(&'static str, Option<&'static str>)];

/// Render `file` in both character sets and check the fields in `want` (`H`eader, `B`ody or `R`esult
/// paths; `None` = absent), the common header fields, and the UTF-8 form against its fixture.
fn check_outcome(name: &str, file: &ResultFile<'_>, want: Want) {
    for charset in [Charset::Utf8, Charset::ShiftJis] {
        let bytes = render(file, &settings(charset)).unwrap();
        let xml = match charset {
            Charset::Utf8 => String::from_utf8(bytes).unwrap(),
            Charset::ShiftJis => {
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
                assert!(!bad, "{name}: the Shift_JIS file decodes cleanly");
                text.into_owned()
            }
        };
        assert!(
            xml.starts_with(&format!(
                "<?xml version=\"1.0\" encoding=\"{}\"?>",
                charset.xml_name()
            )),
            "{name}: {xml}"
        );
        let f = fields(&xml);
        let common: Want = &[
            ("H MedicalInstitutionCode", Some("1311111111")),
            ("H ReferenceClassification", Some("1")),
            ("H ProcessExecutionTime", Some("20261118200810")),
            ("H QualificationConfirmationDate", Some("20261118")),
        ];
        for (key, expect) in want.iter().chain(common) {
            let (part, rest) = key.split_once(' ').unwrap();
            let prefix = match part {
                "H" => H,
                "B" => B,
                _ => R,
            };
            let path = format!("{prefix}{rest}");
            assert_eq!(value(&f, &path), *expect, "{name} ({charset:?}): {path}\n{xml}");
        }
        assert_eq!(
            value(&f, &format!("{H}CharacterCodeIdentifier")),
            Some(charset.code()),
            "{name}"
        );
        // The fixture: the file exactly as the receipt computer gets it (UTF-8 form).
        if charset == Charset::Utf8 {
            let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/fixtures/result-{name}.xml"));
            if std::env::var_os("KIOSK_WRITE_FIXTURES").is_some() {
                std::fs::write(&fixture, &xml).unwrap();
            }
            let want = std::fs::read_to_string(&fixture).unwrap();
            assert_eq!(xml, want, "{name}: differs from {}", fixture.display());
        }
    }
}

const AT: i64 = 1_795_000_090;

#[test]
fn a_completed_reception_writes_the_valid_file() {
    let valid = entry("01000001");
    let completed = record(Some(ALL_AGREED), Prescription::Electronic);
    let file = ResultFile::Completed {
        record: &completed,
        entry: &valid,
    };
    check_outcome(
        "valid",
        &file,
        &[
            ("H SegmentOfResult", Some("1")),
            ("H ErrorCode", None),
            ("B PrescriptionIssueSelect", Some("1")),
            ("B ProcessingResultStatus", Some("1")),
            ("B QualificationValidity", Some("1")),
            ("R InsuredCardClassification", Some("01")),
            ("R InsurerName", Some("東京都千代田区国民健康保険")),
            ("R PersonalFamilyClassification", Some("1")),
            ("R Address", Some("東京都千代田区千代田１番１号")),
            ("R PostNumber", Some("1008916")),
            ("R InsuredPartialContributionRatio", Some("030")),
            ("R LimitApplicationCertificateRelatedConsFlg", Some("1")),
            (
                "R LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag",
                Some("A03"),
            ),
            ("R SpecificDiseasesCertificateRelatedConsFlg", Some("1")),
            (
                "R SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/SpecificDiseasesDiseaseCategory",
                Some("1"),
            ),
            (
                "R SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/SpecificDiseasesSelfPay",
                Some("10000"),
            ),
            ("R DiagnosisInfoConsFlg", Some("1")),
            ("R PrescriptionIssueSelect", None),
        ],
    );
}

#[test]
fn the_answers_that_end_the_reception_write_their_files() {
    let moved = entry("01000010");
    let new_insurer = entry("01000011");
    let several = entry("01000013");
    let answered = |id, qualification, entry| ResultFile::Answered {
        id,
        at: AT,
        qualification,
        entry,
    };
    let cases: [(&str, ResultFile<'_>, Want); 4] = [
        (
            "invalid",
            answered(1, Qualification::Invalid, Some(&moved)),
            &[
                ("H SegmentOfResult", Some("1")),
                ("B QualificationValidity", Some("2")),
                ("B PrescriptionIssueSelect", None),
                ("R InsurerNumber", Some("06141234")),
                ("R InsuredCardExpirationDate", Some("20260930")),
                ("R OperationInfoConsFlg", None),
            ],
        ),
        (
            "invalid-new-qualification",
            answered(2, Qualification::InvalidNewExists, Some(&new_insurer)),
            &[
                ("B QualificationValidity", Some("3")),
                ("R Name", Some("田中　美咲")),
            ],
        ),
        (
            "no-qualification",
            answered(3, Qualification::NoRecord, None),
            &[
                ("H SegmentOfResult", Some("1")),
                ("B ProcessingResultStatus", Some("1")),
                ("B QualificationValidity", Some("4")),
                ("R Name", None),
            ],
        ),
        (
            "several",
            answered(4, Qualification::Multiple, Some(&several)),
            &[("B QualificationValidity", Some("5"))],
        ),
    ];
    for (name, file, want) in &cases {
        check_outcome(name, file, want);
    }
}

#[test]
fn a_failed_check_writes_the_error_file() {
    for (name, error, code) in [
        ("error", CheckError::SourceUnavailable, "KSK0001"),
        ("error-entry-unreadable", CheckError::EntryUnreadable, "KSK0002"),
        (
            "error-certificate-revoked",
            CheckError::CertificateRevoked,
            "KSK0003",
        ),
    ] {
        let file = ResultFile::Failed { id: 5, at: AT, error };
        check_outcome(
            name,
            &file,
            &[
                ("H SegmentOfResult", Some("9")),
                ("B QualificationValidity", None),
                ("B ProcessingResultStatus", None),
            ],
        );
        let xml = String::from_utf8(render(&file, &settings(Charset::Utf8)).unwrap()).unwrap();
        assert_eq!(
            value(&fields(&xml), &format!("{H}ErrorCode")),
            Some(code),
            "{name}"
        );
    }
}

#[test]
fn a_revoked_certificate_fails_the_check_with_its_reason() {
    for (value, why) in [
        ("moved-out", RevokedBecause::MovedOut),
        ("moved-abroad", RevokedBecause::MovedAbroad),
        ("other", RevokedBecause::Other),
    ] {
        let text = DEMO.replacen(
            "answer_code = 1\n",
            &format!("answer_code = 1\nrevoked = \"{value}\"\n"),
            1,
        );
        let mut r = SqliteRoster::in_memory().unwrap();
        r.seed_toml(&text).unwrap();
        let err = r
            .check(ISSUER, "01000001", Date::new(2026, 11, 21).unwrap())
            .unwrap_err();
        assert!(
            matches!(err, RecordsError::CertificateRevoked(w) if w == why),
            "{err}"
        );
    }
    let text = DEMO.replacen("answer_code = 1\n", "answer_code = 1\nrevoked = \"lost\"\n", 1);
    let errors = parse_roster(&text).unwrap_err();
    let line = DEMO.lines().position(|l| l == "answer_code = 1").unwrap() + 2;
    assert_eq!(errors[0].line, line, "{errors:?}");
}

#[test]
fn consent_refused_keeps_the_certificate_details_in_the_kiosk() {
    let valid = entry("01000001");
    let refused = Consents::all(false);
    for (consents, flag, details) in [
        (Some(ALL_AGREED), "1", true),
        (Some(refused), "0", false),
        // Certificate in its grace period: no consent asked, nothing shared.
        (None, "0", false),
    ] {
        let rec = record(consents, Prescription::Paper);
        let xml = String::from_utf8(
            render(
                &ResultFile::Completed {
                    record: &rec,
                    entry: &valid,
                },
                &settings(Charset::Utf8),
            )
            .unwrap(),
        )
        .unwrap();
        let f = fields(&xml);
        assert_eq!(value(&f, &format!("{B}PrescriptionIssueSelect")), Some("2"));
        assert_eq!(
            value(&f, &format!("{R}LimitApplicationCertificateRelatedConsFlg")),
            Some(flag)
        );
        assert_eq!(
            xml.contains("<LimitApplicationCertificateRelatedInfo>"),
            details,
            "{xml}"
        );
        assert_eq!(
            xml.contains("<SpecificDiseasesCertificateList>"),
            details,
            "{xml}"
        );
    }
}

#[test]
fn shift_jis_refuses_a_character_it_cannot_hold() {
    let mut e = entry("01000001");
    // 𠮷 (U+20BB7) is outside JIS X 0208: refused at import, and refused at writing, never replaced.
    e.name = "𠮷田　太郎".into();
    let problems = e.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "name");
    let rec = record(None, Prescription::Paper);
    let file = ResultFile::Completed {
        record: &rec,
        entry: &e,
    };
    assert!(matches!(
        render(&file, &settings(Charset::ShiftJis)),
        Err(RecordsError::Unencodable)
    ));
    // UTF-8 can hold it (the roster still refuses it, so a clinic can switch to Shift_JIS any day).
    assert!(render(&file, &settings(Charset::Utf8)).is_ok());
}

/// (replace this line of the demo roster, with this; expected field and problem fragment)
const IMPORT_CASES: &[(&str, &str, &str, &str)] = &[
    (
        "name = \"山田　太郎\"",
        "name = \"山田\\t太郎\"",
        "name",
        "control character",
    ),
    ("name = \"山田　太郎\"", "name = \"\"", "name", "empty"),
    (
        "kana = \"ヤマダ　タロウ\"",
        "kana = \"やまだ\"",
        "kana",
        "katakana",
    ),
    (
        "insurer_number = \"06139999\"",
        "insurer_number = \"0613\"",
        "insurer_number",
        "digits",
    ),
    (
        "card_classification = \"01\"",
        "card_classification = \"08\"",
        "card_classification",
        "OQSCD010",
    ),
    (
        "personal_family = 1",
        "personal_family = 3",
        "personal_family",
        "OQSCD009",
    ),
    (
        "birth_date = \"1961-08-04\"",
        "birth_date = \"1961-13-04\"",
        "birth_date",
        "date",
    ),
    ("answer_code = 1", "answer_code = 6", "answer_code", "1–5"),
    (
        "post_number = \"100-8916\"",
        "post_number = \"100-89\"",
        "post_number",
        "7 digits",
    ),
    (
        "category = \"A03\"",
        "category = \"C01\"",
        "limit.category",
        "OQSCD012",
    ),
    (
        "category = \"1\"",
        "category = \"4\"",
        "specific_diseases[0].category",
        "OQSCD013",
    ),
    (
        "address = \"東京都千代田区千代田１番１号\"",
        "address = \"東京都千代田区千代田１番１号 ①㈱\u{2603}\"",
        "address",
        "Shift_JIS",
    ),
];

#[test]
fn roster_import_names_the_line_and_field_of_each_error() {
    let line_of = |needle: &str| DEMO.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    for (from, to, field, problem) in IMPORT_CASES {
        let line = line_of(from);
        let text = DEMO.replacen(from, to, 1);
        let errors = parse_roster(&text).unwrap_err();
        assert_eq!(errors.len(), 1, "{from} → {to}: {errors:?}");
        let e = &errors[0];
        assert_eq!(e.field.as_deref(), Some(*field), "{e}");
        assert_eq!(e.patient, Some(1), "{e}");
        assert!(e.problem.contains(problem), "{e}");
        // Nested fields point at their block's header line, the others at their own line.
        if field.contains(['.', '[']) {
            assert!(e.line > line_of("valid_to"), "{e}");
        } else {
            assert_eq!(e.line, line, "{e}");
        }
        assert!(!e.to_string().contains("山田"), "no value in the message: {e}");
    }
}

#[test]
fn roster_import_reports_types_duplicates_and_several_errors() {
    let line_of = |needle: &str| DEMO.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    // A wrong type and an unknown field: the TOML reader's line.
    for (from, to, below) in [
        ("sex = 1", "sex = \"M\"", 0),
        ("sex = 1", "sex = 1\ngender = 1", 1),
    ] {
        let errors = parse_roster(&DEMO.replacen(from, to, 1)).unwrap_err();
        assert_eq!(errors[0].line, line_of(from) + below, "{errors:?}");
    }
    // Two entries for one certificate.
    let twice = format!(
        "{DEMO}\n{}",
        &DEMO[DEMO.find("[[patient]]").unwrap()..DEMO.find("# profile suzuki").unwrap()]
    );
    let errors = parse_roster(&twice).unwrap_err();
    assert!(
        errors.iter().any(|e| e.problem.contains("same certificate")),
        "{errors:?}"
    );
    // Several errors at once, each with its own line.
    let many = DEMO
        .replacen("sex = 1", "sex = 4", 1)
        .replacen("copay_ratio = 30", "copay_ratio = 35", 1);
    let errors = parse_roster(&many).unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(
        lines,
        vec![line_of("sex = 1"), line_of("copay_ratio = 30")],
        "{errors:?}"
    );
}

/// How a code list's value is set on a roster entry.
type SetCode = fn(&mut RosterEntry, &str);

#[test]
fn every_code_value_of_the_roster_reaches_the_file_and_no_other_is_accepted() {
    let rec = record(Some(ALL_AGREED), Prescription::Electronic);
    let base = entry("01000001");
    let limit = "LimitApplicationCertificateRelatedInfo/";
    let disease = "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/";
    let cases: [(String, &codes::CodeList, SetCode); 6] = [
        (
            "InsuredCardClassification".into(),
            &codes::INSURED_CARD_CLASSIFICATION,
            |e, c| e.card_classification = c.into(),
        ),
        (
            "PersonalFamilyClassification".into(),
            &codes::PERSONAL_FAMILY_CLASSIFICATION,
            |e, c| e.personal_family = c.parse().unwrap(),
        ),
        ("Sex1".into(), &codes::SEX, |e, c| e.sex = c.parse().unwrap()),
        (
            format!("{limit}LimitApplicationCertificateClassification"),
            &codes::LIMIT_APPLICATION_CERTIFICATE_CLASSIFICATION,
            |e, c| e.limit.as_mut().unwrap().classification = c.into(),
        ),
        (
            format!("{limit}LimitApplicationCertificateClassificationFlag"),
            &codes::LIMIT_APPLICATION_CERTIFICATE_CATEGORY,
            |e, c| e.limit.as_mut().unwrap().category = c.into(),
        ),
        (
            format!("{disease}SpecificDiseasesDiseaseCategory"),
            &codes::SPECIFIC_DISEASES_CATEGORY,
            |e, c| e.specific_diseases[0].category = c.into(),
        ),
    ];
    let mut checked = 0;
    for (path, list, set) in &cases {
        for (code, _) in list.entries {
            let mut e = base.clone();
            set(&mut e, code);
            assert_eq!(e.problems(), vec![], "{} {code}", list.name);
            let file = ResultFile::Completed {
                record: &rec,
                entry: &e,
            };
            let xml = String::from_utf8(render(&file, &settings(Charset::Utf8)).unwrap()).unwrap();
            assert_eq!(value(&fields(&xml), &format!("{R}{path}")), Some(*code), "{path}");
            checked += 1;
        }
        let mut e = base.clone();
        set(&mut e, "99");
        assert_eq!(e.problems().len(), 1, "{}: 99 is refused", list.name);
    }
    assert_eq!(checked, 7 + 2 + 3 + 3 + 16 + 3);
    for (percent, written) in [(10, "010"), (20, "020"), (30, "030")] {
        let mut e = base.clone();
        e.copay_ratio = percent;
        let file = ResultFile::Completed {
            record: &rec,
            entry: &e,
        };
        let xml = String::from_utf8(render(&file, &settings(Charset::Utf8)).unwrap()).unwrap();
        let f = fields(&xml);
        assert_eq!(
            value(&f, &format!("{R}InsuredPartialContributionRatio")),
            Some(written)
        );
    }
}
