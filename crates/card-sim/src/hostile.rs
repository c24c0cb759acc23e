//! A hostile card: answers that are malformed, truncated, oversized or contradict the card's own other
//! files, one behaviour at a time, on top of an ordinary profile. The kiosk must refuse each with a clear
//! message, never panic, never reach "done", and serve the next card as if nothing happened
//! (`hw-test/tests/faults.rs`; `kiosk-card-sim serve --hostile NAME` for a real kiosk).
//!
//! Each behaviour bites at a different point of a reception: reading the token label, the certificate,
//! the PIN's tries, the VERIFY, the signature after it, the card face.

use serde::Deserialize;

/// One way the card lies or breaks its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hostile {
    /// Malformed: READ BINARY answers a single byte, no status word.
    NoStatusWord,
    /// Malformed: READ BINARY answers a status word ISO 7816-4 does not have (SW1 not 6x or 9x).
    InvalidStatusWord,
    /// Malformed: the token label (JPKI EF 0006) is binary garbage, not a label.
    GarbageTokenLabel,
    /// Malformed: answers `61xx` (more data) to every READ BINARY and every GET RESPONSE, forever.
    EndlessChaining,
    /// Truncated: the certificate file (JPKI EF 000A) ends half-way through its DER.
    TruncatedCertificate,
    /// Truncated: READ BINARY after the first chunk answers `9000` with no data.
    EmptyReads,
    /// Oversized: every READ BINARY answer carries 16 bytes more than the command's Le allowed.
    OversizedAnswers,
    /// Contradictory: the user-authentication PIN reports 15 tries (it has 3).
    TriesBeyondMaximum,
    /// Contradictory: a wrong PIN does not lower the tries (the card would allow endless guessing).
    TriesDoNotDrop,
    /// Contradictory: after a verified PIN the card signs with a key that is not its certificate's.
    KeyNotTheCertificates,
    /// Contradictory: the card face (券面 AP EF 0002) is altered after signing, so its signature fails.
    CardFaceAltered,
}

impl Hostile {
    pub const ALL: [Hostile; 11] = [
        Hostile::NoStatusWord,
        Hostile::InvalidStatusWord,
        Hostile::GarbageTokenLabel,
        Hostile::EndlessChaining,
        Hostile::TruncatedCertificate,
        Hostile::EmptyReads,
        Hostile::OversizedAnswers,
        Hostile::TriesBeyondMaximum,
        Hostile::TriesDoNotDrop,
        Hostile::KeyNotTheCertificates,
        Hostile::CardFaceAltered,
    ];

    /// The kebab-case name used in profiles and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Hostile::NoStatusWord => "no-status-word",
            Hostile::InvalidStatusWord => "invalid-status-word",
            Hostile::GarbageTokenLabel => "garbage-token-label",
            Hostile::EndlessChaining => "endless-chaining",
            Hostile::TruncatedCertificate => "truncated-certificate",
            Hostile::EmptyReads => "empty-reads",
            Hostile::OversizedAnswers => "oversized-answers",
            Hostile::TriesBeyondMaximum => "tries-beyond-maximum",
            Hostile::TriesDoNotDrop => "tries-do-not-drop",
            Hostile::KeyNotTheCertificates => "key-not-the-certificates",
            Hostile::CardFaceAltered => "card-face-altered",
        }
    }

    pub fn from_name(name: &str) -> Option<Hostile> {
        Hostile::ALL.into_iter().find(|h| h.name() == name)
    }
}

impl std::fmt::Display for Hostile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
