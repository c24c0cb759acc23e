//! A hostile card: answers that are malformed, truncated, oversized or contradict the card's own other
//! files, one behaviour at a time, on top of an ordinary profile. The kiosk must refuse each with a clear
//! message, never panic, never reach "done", and serve the next card as if nothing happened
//! (`hw-test/tests/faults.rs`; `kiosk-card-sim serve --hostile NAME` for a real kiosk).
//!
//! One way is honest ([`Hostile::is_honest`]): `sfi-refused` is a sound card that does not read by short
//! EF identifier, a form with no published trace on a real card. The kiosk must accept it.
//!
//! Each behaviour bites at a different point of a reception: reading the token label, the certificate,
//! the PIN's tries, the VERIFY, the signature after it, the card face.
//!
//! The behaviours sit in a layer around the honest card ([`HostileCard`]): it hands the parsed command to
//! the honest card, or to parts of it, and bends what comes back. The honest handlers know nothing of it.

use crate::card::{Answer, VirtualCard};
use crate::command::{CardCommand, FileRef, Instruction, ReadAddress};
use crate::ef;
use crate::files::Df;
use crate::status::Sw;
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
    /// Composite (a relay, or a card built from two): the card face is this card's own, genuine, but the
    /// user-authentication certificate (JPKI EF 000A) is another holder's, issued by the same CA. Each
    /// part checks out alone; only comparing the card face's birth date and sex with the eligibility
    /// record for that certificate shows they are not one person's (issue 20, point 3).
    Relay,
    /// Honest: every READ BINARY by short EF identifier answers `6A86` (wrong P1-P2), as a card without
    /// that form would; SELECT EF and an offset read work. Nothing it says is false: the kiosk must accept
    /// it (docs/CARD-NOTES.md §3.5).
    SfiRefused,
    /// Forged (issue 20): a card consistent with itself, made by someone without any J-LIS key. Its
    /// user-authentication certificate copies this card's subject, serial and dates (all readable from
    /// the victim's card without a PIN) but holds the forger's key and is signed by the forger's own CA,
    /// which the card serves as its EF 000B; it signs with the forger's key, and takes any PIN (the forger
    /// does not know the victim's). Every check against the card itself passes: only trust anchors the
    /// reader holds (J-LIS's) tell it apart.
    ForgedCa,
    /// Malformed: the card face (券面 AP EF 0002) carries, after its genuine items, a constructed object
    /// nested [`DEEP_TLV_LEVELS`] levels deep, to exhaust a parser that descends recursively (issue 20,
    /// point 6; kiosk-apdu's `tlv::MAX_DEPTH`).
    DeepTlv,
}

/// How deep the `deep-tlv` card nests its extra object: far past any sane limit, small enough for a card
/// file (4 bytes a level).
pub const DEEP_TLV_LEVELS: usize = 1000;

impl Hostile {
    pub const ALL: [Hostile; 15] = [
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
        Hostile::Relay,
        Hostile::SfiRefused,
        Hostile::ForgedCa,
        Hostile::DeepTlv,
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
            Hostile::Relay => "relay",
            Hostile::SfiRefused => "sfi-refused",
            Hostile::ForgedCa => "forged-ca",
            Hostile::DeepTlv => "deep-tlv",
        }
    }

    /// Whether this way tells no lie: the card is sound and the kiosk must accept it (`sfi-refused`).
    pub fn is_honest(self) -> bool {
        matches!(self, Hostile::SfiRefused)
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

/// The honest card seen through one hostile way.
pub(crate) struct HostileCard<'a> {
    card: &'a mut VirtualCard,
    way: Hostile,
}

impl<'a> HostileCard<'a> {
    pub(crate) fn new(card: &'a mut VirtualCard, way: Hostile) -> Self {
        HostileCard { card, way }
    }

    /// Execute a command the hostile way and encode the response APDU (which may lack its status word).
    pub(crate) fn execute(&mut self, command: &CardCommand) -> Vec<u8> {
        let answer = match (self.way, command) {
            (Hostile::TriesBeyondMaximum, CardCommand::Verify { target, secret }) if secret.is_empty() => {
                self.tries_beyond_maximum(*target, command)
            }
            (Hostile::TriesDoNotDrop, CardCommand::Verify { target, secret }) if !secret.is_empty() => {
                self.tries_do_not_drop(*target, command)
            }
            (
                Hostile::Relay | Hostile::ForgedCa | Hostile::DeepTlv,
                CardCommand::ReadBinary { address, ne },
            ) => {
                let answer = self.card.execute(command);
                match self.substitute() {
                    Some(object) => substituted(answer, &object, address.offset(), *ne),
                    None => answer,
                }
            }
            (Hostile::ForgedCa, CardCommand::Verify { target, secret })
                if !secret.is_empty() && self.is_auth_pin(*target) =>
            {
                self.card.accept_any_secret(Df::Jpki, ef::jpki::AUTH_PIN)
            }
            (Hostile::ForgedCa, CardCommand::Sign { key, scheme, input }) => {
                match self.card.signing_key(*key) {
                    Ok(file) if file == (Df::Jpki, ef::jpki::AUTH_KEY) => {
                        self.card.signature_by(&forgery::card_key(), *scheme, input)
                    }
                    Ok(file) => self.card.signature(file, *scheme, input),
                    Err(sw) => Answer::status(sw),
                }
            }
            (
                Hostile::SfiRefused,
                CardCommand::ReadBinary {
                    address: ReadAddress::Sfi { .. },
                    ..
                },
            ) => Answer::status(Sw::WRONG_P1_P2),
            (Hostile::KeyNotTheCertificates, CardCommand::Sign { key, scheme, input }) => {
                match self.card.signing_key(*key) {
                    Ok(file) => self.card.signature(self.wrong_key(file), *scheme, input),
                    Err(sw) => Answer::status(sw),
                }
            }
            _ => self.card.execute(command),
        };
        match (self.way, command.instruction()) {
            // Malformed: the first data byte alone, no status word.
            (Hostile::NoStatusWord, Instruction::ReadBinary(_)) => answer.data.into_iter().take(1).collect(),
            (_, instruction) => self.bend(instruction, answer).into_bytes(),
        }
    }

    /// The object this way serves in place of the current file's, if it replaces that file: another
    /// holder's certificate (relay), the forger's certificate and CA (forged-ca), the deep card face
    /// (deep-tlv).
    fn substitute(&self) -> Option<Vec<u8>> {
        let (Some(df), Some(fid)) = self.card.current_file() else {
            return None;
        };
        match (self.way, df, fid) {
            (Hostile::Relay, Df::Jpki, ef::jpki::AUTH_CERT) => Some(relayed_certificate_der().to_vec()),
            (Hostile::ForgedCa, Df::Jpki, ef::jpki::AUTH_CERT) => {
                Some(forgery::certificate(self.card.profile()))
            }
            (Hostile::ForgedCa, Df::Jpki, ef::jpki::AUTH_CA_CERT) => Some(forgery::ca_certificate()),
            (Hostile::DeepTlv, Df::Surface, ef::surface::CARD_FACE) => {
                deep_card_face(&self.card.ef_object(Df::Surface, ef::surface::CARD_FACE))
            }
            _ => None,
        }
    }

    /// Whether a VERIFY reference names the user-authentication PIN.
    fn is_auth_pin(&self, target: Option<FileRef>) -> bool {
        target.and_then(|t| self.card.resolve(t)) == Some((Df::Jpki, ef::jpki::AUTH_PIN))
    }

    /// The tries query on the user-authentication PIN reports 15 tries.
    fn tries_beyond_maximum(&mut self, target: Option<FileRef>, command: &CardCommand) -> Answer {
        let answer = self.card.execute(command);
        if self.is_auth_pin(target) && answer.sw.is_tries_left() {
            Answer::status(Sw::tries_left(15))
        } else {
            answer
        }
    }

    /// A wrong user-authentication PIN leaves the tries where they were.
    fn tries_do_not_drop(&mut self, target: Option<FileRef>, command: &CardCommand) -> Answer {
        if !self.is_auth_pin(target) {
            return self.card.execute(command);
        }
        let before = self.card.tries_left(Df::Jpki, ef::jpki::AUTH_PIN);
        let answer = self.card.execute(command);
        match before {
            Some(tries) if answer.sw.is_tries_left() => {
                self.card.restore_tries(Df::Jpki, ef::jpki::AUTH_PIN, tries);
                Answer::status(Sw::tries_left(tries))
            }
            _ => answer,
        }
    }

    /// The user-authentication key is swapped for the 券面 AP's card key, which its certificate does not
    /// hold.
    fn wrong_key(&self, file: (Df, u16)) -> (Df, u16) {
        let card_key = (Df::Surface, ef::surface::CARD_KEY);
        if file == (Df::Jpki, ef::jpki::AUTH_KEY) && self.card.is_key(card_key.0, card_key.1) {
            card_key
        } else {
            file
        }
    }

    /// Bend an honest answer to READ BINARY or GET RESPONSE (whatever its class).
    fn bend(&self, instruction: Instruction, mut answer: Answer) -> Answer {
        let file = self.card.current_file();
        let offset = match instruction {
            Instruction::ReadBinary(address) => address.offset(),
            Instruction::GetResponse if self.way == Hostile::EndlessChaining => return endless_chaining(),
            Instruction::GetResponse | Instruction::Other => return answer,
        };
        match self.way {
            Hostile::InvalidStatusWord => answer.sw = Sw::INVALID,
            Hostile::GarbageTokenLabel if file == (Some(Df::Jpki), Some(ef::jpki::TOKEN_INFO)) => {
                garble(&mut answer.data);
            }
            Hostile::EndlessChaining => return endless_chaining(),
            Hostile::TruncatedCertificate if file == (Some(Df::Jpki), Some(ef::jpki::AUTH_CERT)) => {
                let half = self.card.ef_object(Df::Jpki, ef::jpki::AUTH_CERT).len() / 2;
                return truncate(answer, offset, half);
            }
            Hostile::EmptyReads if offset > 0 && answer.sw == Sw::OK => answer.data.clear(),
            Hostile::OversizedAnswers if answer.sw == Sw::OK => answer.data.extend_from_slice(&[0u8; 16]),
            Hostile::CardFaceAltered if file == (Some(Df::Surface), Some(ef::surface::CARD_FACE)) => {
                alter_card_face(&mut answer.data, offset);
            }
            _ => {}
        }
        answer
    }
}

/// `61 10` with 16 bytes, to every READ BINARY and GET RESPONSE: more data, forever.
fn endless_chaining() -> Answer {
    Answer {
        data: vec![0xEE; 16],
        sw: Sw::more_data(0x10),
    }
}

/// Binary garbage in place of the token label.
fn garble(data: &mut [u8]) {
    data.iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = 0x80 | (i as u8).wrapping_mul(29));
}

/// The certificate file ends at `half`: `6282` for a read across it, `6B00` past it.
fn truncate(mut answer: Answer, offset: usize, half: usize) -> Answer {
    if offset >= half {
        Answer::status(Sw::OFFSET_PAST_END)
    } else if offset + answer.data.len() > half {
        answer.data.truncate(half - offset);
        Answer {
            data: answer.data,
            sw: Sw::END_OF_FILE,
        }
    } else {
        answer
    }
}

/// One byte inside the signed data, the 300th of the file, flipped.
fn alter_card_face(data: &mut [u8], offset: usize) {
    if let Some(b) = 300usize.checked_sub(offset).and_then(|i| data.get_mut(i)) {
        *b ^= 0x55;
    }
}

/// The certificate a relay card serves: that of the embedded profile `suzuki`, another holder under the
/// same test CA (made once; the test PKI is seeded, so it is the same every run).
fn relayed_certificate_der() -> &'static [u8] {
    static CERT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    CERT.get_or_init(|| match VirtualCard::embedded("suzuki") {
        Ok(card) => card.auth_certificate_der(),
        // The embedded profiles are checked by the crate's tests; an empty file reads as malformed.
        Err(_) => Vec::new(),
    })
}

/// A READ BINARY answered from `object` instead of the file the honest card read (when the honest card
/// could read there at all): the bytes at `offset`, at most `ne`; `6B00` past the end.
fn substituted(answer: Answer, object: &[u8], offset: usize, ne: Option<u32>) -> Answer {
    if !(answer.sw == Sw::OK || answer.sw == Sw::OFFSET_PAST_END || answer.sw == Sw::END_OF_FILE) {
        return answer;
    }
    if offset >= object.len() {
        return Answer::status(Sw::OFFSET_PAST_END);
    }
    let end = object.len().min(offset + ne.map_or(0, |n| n as usize));
    Answer::ok(object[offset..end].to_vec())
}

/// The card face `FF 20 {…}` with one more child after its own: [`DEEP_TLV_LEVELS`] constructed objects
/// (`E0`), each the only content of the one outside it, around an empty primitive. `None` if the honest
/// file is not a card face.
fn deep_card_face(honest: &[u8]) -> Option<Vec<u8>> {
    let header = kiosk_apdu::tlv::header(honest).ok()?;
    let mut deep = kiosk_apdu::tlv::encode(&[0x80], &[]);
    for _ in 0..DEEP_TLV_LEVELS {
        deep = kiosk_apdu::tlv::encode(&[0xE0], &deep);
    }
    let mut value = honest.get(header.header_len..header.total_len())?.to_vec();
    value.extend(deep);
    Some(kiosk_apdu::tlv::encode(&header.tag, &value))
}

/// The forger's side of `forged-ca`: its own CA and card key (seeded, so the same every run), and the
/// certificate it writes for a victim.
mod forgery {
    use crate::files::auth_subject;
    use crate::pki::{self, AUTH_CA_DN};
    use crate::profile::{Profile, Ymd};
    use rsa::RsaPrivateKey;

    fn ca_key() -> RsaPrivateKey {
        pki::seeded_key("issue 20 forger's CA")
    }

    pub(super) fn card_key() -> RsaPrivateKey {
        pki::seeded_key("issue 20 forger's card key")
    }

    /// The forger's CA: J-LIS's test CA name, the forger's key; valid 2013–2043 so it covers any card.
    pub(super) fn ca_certificate() -> Vec<u8> {
        let key = ca_key();
        pki::build_cert(
            AUTH_CA_DN,
            None,
            &key,
            &key,
            0x06D1_8006,
            Ymd { y: 2013, m: 1, d: 1 },
            Ymd {
                y: 2043,
                m: 12,
                d: 31,
            },
        )
    }

    /// The victim's certificate as the forger rewrites it: same subject, issuer name, serial and dates as
    /// the genuine one (files.rs builds it from the same profile), the forger's key, the forger's CA's
    /// signature.
    pub(super) fn certificate(victim: &Profile) -> Vec<u8> {
        pki::build_cert(
            &auth_subject(victim),
            Some(AUTH_CA_DN),
            &card_key(),
            &ca_key(),
            crate::files::auth_serial(victim),
            victim.cert_not_before,
            victim.cert_not_after,
        )
    }
}
