//! The code lists of the 資格確認 result file (別紙5-1 業務コード仕様, OQSCDnnn), as transcribed in
//! open-source clinic software. The official document is for registered vendors; every list here was
//! checked against the public transcriptions cited in docs/RECEPTION.md ("Result file"):
//!
//! * hangilc/myclinic-ts `packages/onshi-lib/onshi-codes.js` (OQSCD001–012, with the OQSCD numbers),
//! * a second TypeScript transcription, a result reader's `codes.ts` in the same style (adds OQSCD013
//!   and the 処方箋 codes; found by content in the public code index, path not recorded),
//! * a public Node.js result-folder watcher listing the field tree with Japanese names and the
//!   placement of `PrescriptionIssueSelect` in `MessageBody`,
//! * ORCA's API documentation https://www.orca.med.or.jp/receipt/tec/api/patientget.html (field names).
//!
//! Each list is data, so the tests walk every code.

/// One code list: its name and `(code, label)` pairs.
#[derive(Debug)]
pub struct CodeList {
    pub name: &'static str,
    pub entries: &'static [(&'static str, &'static str)],
}

impl CodeList {
    pub fn label(&self, code: &str) -> Option<&'static str> {
        self.entries.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
    }
    pub fn codes(&self) -> Vec<&'static str> {
        self.entries.iter().map(|(c, _)| *c).collect()
    }
}

/// OQSCD002 照会区分 (`ReferenceClassification`).
pub const REFERENCE_CLASSIFICATION: CodeList = CodeList {
    name: "ReferenceClassification (OQSCD002)",
    entries: &[("1", "マイナンバーカード"), ("2", "被保険者証情報")],
};

/// OQSCD003 処理結果区分 (`SegmentOfResult`, in the header).
pub const SEGMENT_OF_RESULT: CodeList = CodeList {
    name: "SegmentOfResult (OQSCD003)",
    entries: &[("1", "正常終了"), ("2", "処理中"), ("9", "異常終了")],
};

/// OQSCD004 処理結果状況 (`ProcessingResultStatus`, per person in the body).
pub const PROCESSING_RESULT_STATUS: CodeList = CodeList {
    name: "ProcessingResultStatus (OQSCD004)",
    entries: &[("1", "正常終了"), ("2", "エラー")],
};

/// OQSCD005 文字コード識別 (`CharacterCodeIdentifier`).
pub const CHARACTER_CODE_IDENTIFIER: CodeList = CodeList {
    name: "CharacterCodeIdentifier (OQSCD005)",
    entries: &[("0", "UTF-8"), ("1", "Shift_JIS")],
};

/// OQSCD006 資格有効性 (`QualificationValidity`). "6 有効（未登録）" appears in one transcription for
/// 医療扶助 only and is not used for health insurance.
pub const QUALIFICATION_VALIDITY: CodeList = CodeList {
    name: "QualificationValidity (OQSCD006)",
    entries: &[
        ("1", "有効"),
        ("2", "無効"),
        ("3", "無効（新しい資格あり）"),
        ("4", "該当資格なし"),
        ("5", "複数該当"),
    ],
};

/// OQSCD007 性別 (`Sex1`).
pub const SEX: CodeList = CodeList {
    name: "Sex (OQSCD007)",
    entries: &[("1", "男"), ("2", "女"), ("3", "未設定")],
};

/// OQSCD009 本人・家族区分 (`PersonalFamilyClassification`).
pub const PERSONAL_FAMILY_CLASSIFICATION: CodeList = CodeList {
    name: "PersonalFamilyClassification (OQSCD009)",
    entries: &[("1", "本人"), ("2", "家族")],
};

/// OQSCD010 被保険者証区分 (`InsuredCardClassification`).
pub const INSURED_CARD_CLASSIFICATION: CodeList = CodeList {
    name: "InsuredCardClassification (OQSCD010)",
    entries: &[
        ("01", "被保険者証（一般）"),
        ("02", "被保険者証（退職）"),
        ("03", "短期被保険者証（一般）"),
        ("04", "短期被保険者証（退職）"),
        ("05", "被保険者資格証明書"),
        ("06", "特例退職被保険者証"),
        ("07", "自衛官診療証"),
    ],
};

/// OQSCD011 限度額適用認定証区分 (`LimitApplicationCertificateClassification`).
pub const LIMIT_APPLICATION_CERTIFICATE_CLASSIFICATION: CodeList = CodeList {
    name: "LimitApplicationCertificateClassification (OQSCD011)",
    entries: &[
        ("01", "限度額適用区分認定証"),
        ("02", "限度額適用・標準負担額減額認定証"),
        ("03", "標準負担額減額認定証"),
    ],
};

/// OQSCD012 限度額適用認定証適用区分 (`LimitApplicationCertificateClassificationFlag`).
pub const LIMIT_APPLICATION_CERTIFICATE_CATEGORY: CodeList = CodeList {
    name: "LimitApplicationCertificateClassificationFlag (OQSCD012)",
    entries: &[
        ("A01", "ア"),
        ("A02", "イ"),
        ("A03", "ウ"),
        ("A04", "エ"),
        ("A05", "オ"),
        ("A06", "オ（境）"),
        ("B01", "現役並みⅢ"),
        ("B02", "現役並みⅡ"),
        ("B03", "現役並みⅠ"),
        ("B04", "一般"),
        ("B05", "低所得Ⅱ"),
        ("B06", "低所得Ⅰ"),
        ("B07", "低所得Ⅰ（老福）"),
        ("B08", "低所得Ⅰ（境）"),
        ("B09", "一般Ⅱ"),
        ("B10", "一般Ⅰ"),
    ],
};

/// OQSCD013 特定疾病療養受療証認定疾病区分 (`SpecificDiseasesDiseaseCategory`).
pub const SPECIFIC_DISEASES_CATEGORY: CodeList = CodeList {
    name: "SpecificDiseasesDiseaseCategory (OQSCD013)",
    entries: &[
        ("1", "人工透析を必要とする慢性腎不全"),
        ("2", "先天性血液凝固因子障害（第VIII因子、第IX因子）"),
        ("3", "血液凝固因子製剤の投与に起因するHIV感染症"),
    ],
};

/// OQSCD001 限度額適用認定証提供同意フラグ (also used for 特定疾病 and the viewing consents:
/// 0 未同意/同意なし, 1 同意/同意あり; 2 and 3 exist only in other interfaces).
pub const CONSENT_FLAG: CodeList = CodeList {
    name: "consent flag (OQSCD001 / OQSCD016)",
    entries: &[("0", "未同意"), ("1", "同意")],
};

/// 処方箋発行形態 (`PrescriptionIssueSelect`, in `MessageBody`).
pub const PRESCRIPTION_ISSUE_SELECT: CodeList = CodeList {
    name: "PrescriptionIssueSelect",
    entries: &[("1", "電子処方箋"), ("2", "紙の処方箋")],
};

/// Every list, for the tests and the documentation table.
pub const ALL: [&CodeList; 13] = [
    &REFERENCE_CLASSIFICATION,
    &SEGMENT_OF_RESULT,
    &PROCESSING_RESULT_STATUS,
    &CHARACTER_CODE_IDENTIFIER,
    &QUALIFICATION_VALIDITY,
    &SEX,
    &PERSONAL_FAMILY_CLASSIFICATION,
    &INSURED_CARD_CLASSIFICATION,
    &LIMIT_APPLICATION_CERTIFICATE_CLASSIFICATION,
    &LIMIT_APPLICATION_CERTIFICATE_CATEGORY,
    &SPECIFIC_DISEASES_CATEGORY,
    &CONSENT_FLAG,
    &PRESCRIPTION_ISSUE_SELECT,
];
