//! What a kiosk tells the console and what the console answers: JSON over HTTP, each kiosk with its
//! own token (`Authorization: Bearer`). A kiosk reports its state about twice a second; the answer
//! carries the staff's verdicts on its visual checks.
//!
//! Personal data: the state is screen and step names, device health and problem texts (which carry no
//! personal data, see `KioskCore::problems`). The one personal item is the card's chip photo during a
//! visual check (`POST /api/kiosk/photo`), which the console holds in memory for that call only.

use serde::{Deserialize, Serialize};

/// A kiosk's id as the console knows it: 1–32 of `A–Z a–z 0–9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KioskId(String);

/// Why a text is not a kiosk id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a kiosk id is 1 to 32 letters, digits, '.', '_' or '-'")]
pub struct BadKioskId;

impl KioskId {
    pub fn new(id: &str) -> Result<KioskId, BadKioskId> {
        crate::accounts::AccountName::new(id)
            .map(|n| KioskId(n.as_str().to_owned()))
            .map_err(|_| BadKioskId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KioskId {
    type Error = BadKioskId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        KioskId::new(&s)
    }
}

impl From<KioskId> for String {
    fn from(k: KioskId) -> String {
        k.0
    }
}

impl std::fmt::Display for KioskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why staff are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// 「係員を呼ぶ」: the patient wants help.
    Help,
    /// The patient chose the staff visual check (目視確認): staff decide from the console.
    VisualCheck,
    /// The reception ended with 「受付にお声がけください」.
    Counter,
}

/// A device's health as the kiosk sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    #[default]
    Unknown,
    Ok,
    Missing,
    /// The kiosk runs without it (no camera configured).
    Off,
}

/// A visual check waiting for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCheck {
    /// The call's number on this kiosk: a verdict names it, so a late verdict never lands on the next
    /// patient's check.
    pub call: u64,
    /// The chip photo could not be read (card front unread or refused): staff decide with another
    /// photo ID.
    pub photo_failed: bool,
    /// The kiosk has uploaded the chip photo for this call.
    pub photo: bool,
}

/// One kiosk's state, as it reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KioskState {
    /// The screen's name (`Idle`, `MethodChoice`, ..., `Counter`).
    pub screen: String,
    /// Why the reception ended at the counter, while the counter screen shows (a reason name).
    pub counter_reason: Option<String>,
    /// The patient pressed 「係員を呼ぶ」 and has not dismissed it.
    pub help: bool,
    pub check: Option<PendingCheck>,
    pub reader: Health,
    pub camera: Health,
    /// Problems for staff and clinic IT, newest last (no personal data).
    pub problems: Vec<String>,
}

/// A call the kiosk made, numbered on that kiosk (resent until the console has answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub id: u64,
    pub kind: CallKind,
    /// Unix seconds.
    pub at: i64,
}

/// `POST /api/kiosk/report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Report {
    pub state: KioskState,
    pub calls: Vec<Call>,
}

/// Staff's decision on a visual check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub call: u64,
    pub holder_confirmed: bool,
    /// The account that decided (for the kiosk's journal).
    pub staff: String,
}

/// The console's answer to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportAnswer {
    /// The calls received (the kiosk stops resending them).
    pub calls_received: Vec<u64>,
    pub verdicts: Vec<Verdict>,
}
