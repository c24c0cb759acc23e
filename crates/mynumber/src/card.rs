//! The conversation with the card, following docs/CARD-NOTES.md §2–§3: SELECT by full AID, SELECT EF,
//! READ BINARY in short APDUs (the first chunk by short EF identifier, which also saves a SELECT; by
//! SELECT EF and offset on a card that refuses that form),
//! VERIFY on the selected secret EF, COMPUTE DIGITAL SIGNATURE with a DER DigestInfo. The command bytes
//! come from [`kiosk_apdu::iso`] and [`crate::commands`].

use crate::cert::Certificate;
use crate::commands;
use crate::ef::{self, Ef};
use crate::face::{CardFace, CardFaceCheck, TrustAnchor};
use crate::secrets::{AuthPin, CheckCodeB, TextPin};
use crate::text::BasicFour;
use crate::{CardError, Contradiction, DataError};
use kiosk_apdu::{ApduError, CardChannel, Command, Response, Status, iso, transmit};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The card's applications (DF names, §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    Text,
    /// 券面事項確認AP.
    Surface,
}

impl App {
    pub fn aid(self) -> [u8; 10] {
        match self {
            App::Jpki => [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01],
            App::Text => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
            App::Surface => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
        }
    }
}

/// What the token EF says the JPKI application lives on (§4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardKind {
    /// `JPKIAPICCTOKEN2`: a plastic My Number card.
    PlasticCard,
    /// `JPKIAPICCTOKEN`: a 住基カード (Basic Resident Register card, Juki card), the card before the My
    /// Number card, which carried a JPKI application too. Not a My Number card: not a health-insurance
    /// card for the reception (jpki/myna answers it "これは住基カードですね?").
    JukiCard,
    /// `JPKIAPGPSETOKEN`: an Android phone (スマホ用電子証明書).
    AndroidPhone,
    /// `JPKIAPIOSTOKEN`: an iPhone.
    Iphone,
    /// A JPKI AP with a label we do not know.
    Unknown(String),
}

impl CardKind {
    fn from_label(label: &str) -> CardKind {
        match label {
            "JPKIAPICCTOKEN2" => CardKind::PlasticCard,
            "JPKIAPICCTOKEN" => CardKind::JukiCard,
            "JPKIAPGPSETOKEN" => CardKind::AndroidPhone,
            "JPKIAPIOSTOKEN" => CardKind::Iphone,
            other => CardKind::Unknown(other.to_string()),
        }
    }
    pub fn is_phone(&self) -> bool {
        matches!(self, CardKind::AndroidPhone | CardKind::Iphone)
    }
}

/// Result of recognising the card in the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identification {
    MyNumber(CardKind),
    /// The JPKI AP is absent (`6A82`): some other card (a bank card, an old 保険証 with no chip AP…).
    NotMyNumberCard,
}

/// Tries left on a secret, read with the empty VERIFY (spends none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    TriesLeft(u8),
    Blocked,
}

/// The outcome of one VERIFY the patient asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Verified,
    Wrong { tries_left: u8 },
    Blocked,
}

/// Short READ BINARY chunk (Le = 00 means 256 bytes).
const CHUNK: u32 = 256;
/// The longest EF the kiosk reads: every byte of it must sit at an offset a short READ BINARY can
/// address (15 bits, [`iso::MAX_READ_OFFSET`]). No EF on this card comes near (§3.5).
const MAX_EF: usize = iso::MAX_READ_OFFSET + 1;
/// The token label is the first 32 bytes of JPKI EF 0006 (§4.1).
const TOKEN_LABEL_LEN: u32 = 32;

/// A My Number card behind any [`CardChannel`].
#[derive(Debug)]
pub struct MyNumberCard<C> {
    channel: C,
    selected: Option<App>,
    apdus: u64,
    /// The last tries count the card reported per secret EF, to catch a card whose counter does not
    /// go down after a wrong entry (a hostile or broken card would allow endless guessing).
    tries_seen: Vec<((App, Ef), u8)>,
    /// Whether to read a file's first chunk by short EF identifier: until the card refuses that form
    /// once (§3.5), then by SELECT EF for the rest of the connection.
    reads_by_sfi: bool,
}

/// Whether a card's answer to a READ BINARY by short EF identifier says it does not read that way, rather
/// than anything about the file (§3.5): `6A81` function not supported, `6A86` wrong P1-P2, `6981` not for
/// this file structure, `6986` no current EF.
fn refuses_sfi(status: Status) -> bool {
    matches!(
        status,
        Status::FunctionNotSupported
            | Status::IncorrectP1P2
            | Status::IncompatibleFileStructure
            | Status::NoCurrentEf
    )
}

/// Most tries a secret has, where the card's documentation says: the 4-digit PINs of the JPKI and
/// text APs have 3 (docs/CARD-NOTES.md §4, OpenSC `JPKI_AUTH_PIN_MAX_TRIES`). 照合番号B's count is a
/// GUESS (10), so it is not bounded here.
fn max_tries(app: App, secret: Ef) -> Option<u8> {
    match (app, secret) {
        (App::Jpki, ef::jpki::AUTH_PIN) | (App::Text, ef::text::PIN) => Some(3),
        _ => None,
    }
}

impl<C: CardChannel> MyNumberCard<C> {
    pub fn new(channel: C) -> Self {
        MyNumberCard {
            channel,
            selected: None,
            apdus: 0,
            tries_seen: Vec::new(),
            reads_by_sfi: true,
        }
    }

    /// How many APDUs this reader sent (for the benchmark).
    pub fn apdu_count(&self) -> u64 {
        self.apdus
    }

    pub fn into_channel(self) -> C {
        self.channel
    }

    /// Forget what we think is selected (after a reset or reconnect).
    pub fn forget_selection(&mut self) {
        self.selected = None;
    }

    fn send(&mut self, cmd: &Command) -> Result<Response, CardError> {
        self.apdus += 1;
        Ok(transmit(&mut self.channel, cmd)?)
    }

    /// Send a SELECT. The real card may answer `6F00` to the first command after power-up (§1.2, as
    /// measured; myna-card sends a throwaway SELECT after powering the card up for this), and every
    /// connection starts with a SELECT: one so answered as the first command of this connection is sent
    /// once more. A SELECT carries no secret and selecting a file twice selects it once; no other command
    /// is ever resent, a VERIFY least of all.
    fn send_select(&mut self, select: &Command) -> Result<Response, CardError> {
        let first = self.apdus == 0;
        let r = self.send(select)?;
        if first && r.status() == Status::NoPreciseDiagnosis {
            return self.send(select);
        }
        Ok(r)
    }

    /// SELECT an application by its full AID. `Ok(false)` when the card does not have it.
    pub fn select(&mut self, app: App) -> Result<bool, CardError> {
        if self.selected == Some(app) {
            return Ok(true);
        }
        let r = self.send_select(&iso::select_df(&app.aid()))?;
        match r.status() {
            Status::Ok => {
                self.selected = Some(app);
                Ok(true)
            }
            Status::NotFound => Ok(false),
            _ => Err(CardError::Status {
                during: "selecting an application",
                sw: r.sw,
            }),
        }
    }

    fn require_app(&mut self, app: App) -> Result<(), CardError> {
        if self.select(app)? {
            Ok(())
        } else {
            Err(CardError::Missing("application"))
        }
    }

    fn select_ef(&mut self, file: Ef) -> Result<(), CardError> {
        let r = self.send_select(&iso::select_ef(file.fid()))?;
        match r.status() {
            Status::Ok => Ok(()),
            Status::NotFound => Err(CardError::Missing("file")),
            _ => Err(CardError::Status {
                during: "selecting a file",
                sw: r.sw,
            }),
        }
    }

    /// READ BINARY of the first `ne` bytes of EF `file` of the selected application. By short EF
    /// identifier, which saves the SELECT EF; but no public trace shows a real card reading that way
    /// (§3.5), so once the card refuses the form, by SELECT EF and an offset read, as OpenSC, jpki/myna
    /// and myna-card read, for this file and every later one on this connection.
    fn read_head(&mut self, file: Ef, ne: u32) -> Result<Response, CardError> {
        if self.reads_by_sfi {
            let r = self.send(&iso::read_binary_sfi(file.sfi(), ne))?;
            if !refuses_sfi(r.status()) {
                return Ok(r);
            }
            self.reads_by_sfi = false;
        }
        self.select_ef(file)?;
        let read = iso::read_binary_offset(0, ne).map_err(ApduError::from)?;
        self.send(&read)
    }

    /// Read the TLV object stored in EF `file` of the selected application, without the filler after
    /// it. The first chunk is read by [`MyNumberCard::read_head`]; the object's header then gives the
    /// length. An object longer than [`MAX_EF`] is refused before reading on: its end could not be
    /// addressed.
    fn read_object(&mut self, file: Ef, what: &'static str) -> Result<Zeroizing<Vec<u8>>, CardError> {
        let first = self.read_head(file, CHUNK)?;
        match first.status() {
            Status::Ok | Status::EndOfFile => {}
            Status::SecurityNotSatisfied => return Err(CardError::NeedsCredential(what)),
            Status::NotFound => return Err(CardError::Missing(what)),
            _ => {
                return Err(CardError::Status {
                    during: "reading a file",
                    sw: first.sw,
                });
            }
        }
        let mut data = Zeroizing::new(first.data.clone());
        let header = kiosk_apdu::tlv::header(&data).map_err(|e| CardError::Malformed {
            what,
            detail: e.into(),
        })?;
        let total = header.total_len();
        let too_large = || CardError::Malformed {
            what,
            detail: DataError::TooLarge { declared: total },
        };
        if total > MAX_EF {
            return Err(too_large());
        }
        while data.len() < total {
            let offset = data.len();
            let want = u32::try_from(total - offset).map_or(CHUNK, |left| left.min(CHUNK));
            let cmd = iso::read_binary_offset(offset, want).map_err(|_| too_large())?;
            let r = self.send(&cmd)?;
            match r.status() {
                Status::Ok if !r.data.is_empty() => data.extend_from_slice(&r.data),
                Status::Ok | Status::OffsetOutOfRange | Status::EndOfFile => {
                    return Err(CardError::Malformed {
                        what,
                        detail: DataError::EndsEarly { at: offset, total },
                    });
                }
                _ => {
                    return Err(CardError::Status {
                        during: "reading a file",
                        sw: r.sw,
                    });
                }
            }
        }
        data.truncate(total);
        Ok(data)
    }

    /// Is this a My Number card, and what kind of token? Reads only free data.
    pub fn identify(&mut self) -> Result<Identification, CardError> {
        if !self.select(App::Jpki)? {
            return Ok(Identification::NotMyNumberCard);
        }
        let r = self.read_head(ef::jpki::TOKEN, TOKEN_LABEL_LEN)?;
        if !r.is_ok() {
            return Err(CardError::Status {
                during: "reading the token label",
                sw: r.sw,
            });
        }
        let label = String::from_utf8_lossy(&r.data);
        Ok(Identification::MyNumber(CardKind::from_label(
            label.trim_end_matches([' ', '\0']),
        )))
    }

    /// The user-authentication certificate (利用者証明用電子証明書, JPKI EF 000A). Free to read on a
    /// plastic card; a phone needs the auth PIN first (§4.1).
    pub fn read_auth_certificate(&mut self) -> Result<Certificate, CardError> {
        self.require_app(App::Jpki)?;
        let der = self.read_object(ef::jpki::AUTH_CERT, "user-authentication certificate")?;
        Certificate::from_der(&der).map_err(|e| CardError::Malformed {
            what: "user-authentication certificate",
            detail: e.into(),
        })
    }

    /// The CA certificate the card serves for its user-authentication certificate (JPKI EF 000B): shown
    /// to clinic IT, never trusted (see [`MyNumberCard::auth_certificate_chains`]).
    pub fn read_auth_ca_certificate(&mut self) -> Result<Certificate, CardError> {
        self.require_app(App::Jpki)?;
        let der = self.read_object(ef::jpki::AUTH_CA_CERT, "authentication CA certificate")?;
        Certificate::from_der(&der).map_err(|e| CardError::Malformed {
            what: "authentication CA certificate",
            detail: e.into(),
        })
    }

    /// Whether `certificate` was signed by the CA certificate on this card (JPKI EF 000B). Informational
    /// only: a forged card serves a CA of its own that signs its forged certificate, so trust comes from
    /// the kiosk's own anchors ([`crate::AuthTrust::verify`], issue 20), never from this file.
    pub fn auth_certificate_chains(&mut self, certificate: &Certificate) -> Result<bool, CardError> {
        Ok(certificate.is_signed_by(&self.read_auth_ca_certificate()?))
    }

    /// Tries left on the secret EF `secret` of `app`, with the empty VERIFY, which spends no try and
    /// answers `63Cx` even right after a successful VERIFY (§3.2).
    fn secret_status(&mut self, app: App, secret: Ef) -> Result<PinStatus, CardError> {
        self.require_app(app)?;
        self.select_ef(secret)?;
        let r = self.send(&iso::verify_status())?;
        let status = match r.status() {
            Status::RemainingRetries(0) | Status::Blocked => PinStatus::Blocked,
            Status::RemainingRetries(n) => PinStatus::TriesLeft(n),
            // Some cards answer 9000 when already verified (a hedge in myna-card; not seen on this card).
            Status::Ok => PinStatus::TriesLeft(max_tries(app, secret).unwrap_or(3)),
            _ => {
                return Err(CardError::Status {
                    during: "reading the tries left",
                    sw: r.sw,
                });
            }
        };
        let n = match status {
            PinStatus::TriesLeft(n) => n,
            PinStatus::Blocked => 0,
        };
        self.note_tries(app, secret, n)?;
        Ok(status)
    }

    /// Remember the tries count the card reported for a secret, refusing counts the card cannot have.
    fn note_tries(&mut self, app: App, file: Ef, n: u8) -> Result<(), CardError> {
        if let Some(max) = max_tries(app, file)
            && n > max
        {
            return Err(CardError::Contradicts(Contradiction::TriesAboveMaximum {
                left: n,
                max,
            }));
        }
        self.tries_seen.retain(|(key, _)| *key != (app, file));
        self.tries_seen.push(((app, file), n));
        Ok(())
    }

    /// One VERIFY with the secret the caller passed, on the already selected secret EF `file` of `app`.
    /// Never retried. A wrong entry must lower the count the card reported before.
    fn verify_selected(&mut self, app: App, file: Ef, secret: &[u8]) -> Result<PinOutcome, CardError> {
        let r = self.send(&iso::verify(secret))?;
        let outcome = match r.status() {
            Status::Ok => PinOutcome::Verified,
            Status::RemainingRetries(0) | Status::Blocked => PinOutcome::Blocked,
            Status::RemainingRetries(n) => PinOutcome::Wrong { tries_left: n },
            _ => {
                return Err(CardError::Status {
                    during: "verifying a PIN",
                    sw: r.sw,
                });
            }
        };
        let before = self
            .tries_seen
            .iter()
            .find(|(key, _)| *key == (app, file))
            .map(|(_, n)| *n);
        match outcome {
            PinOutcome::Verified => self.tries_seen.retain(|(key, _)| *key != (app, file)),
            PinOutcome::Wrong { tries_left } => {
                if let Some(before) = before
                    && tries_left >= before
                {
                    return Err(CardError::Contradicts(Contradiction::TriesDidNotDrop {
                        left: tries_left,
                        before,
                    }));
                }
                self.note_tries(app, file, tries_left)?;
            }
            PinOutcome::Blocked => self.note_tries(app, file, 0)?,
        }
        Ok(outcome)
    }

    /// Tries left on the 利用者証明用 PIN, without spending one.
    pub fn auth_pin_status(&mut self) -> Result<PinStatus, CardError> {
        self.secret_status(App::Jpki, ef::jpki::AUTH_PIN)
    }

    /// Verify the 4-digit user-authentication PIN the patient typed: exactly one VERIFY.
    pub fn verify_auth_pin(&mut self, pin: &AuthPin) -> Result<PinOutcome, CardError> {
        self.require_app(App::Jpki)?;
        self.select_ef(ef::jpki::AUTH_PIN)?;
        self.verify_selected(App::Jpki, ef::jpki::AUTH_PIN, pin.as_bytes())
    }

    /// After a verified PIN: have the card sign `challenge` with the user-authentication key
    /// (`80 2A 00 97`, DigestInfo of SHA-256) and check the signature with the certificate's key.
    /// `Ok(false)` means the card could not prove it holds the key.
    pub fn prove_auth_key(&mut self, certificate: &Certificate, challenge: &[u8]) -> Result<bool, CardError> {
        self.require_app(App::Jpki)?;
        let digest = Sha256::digest(challenge);
        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
        digest_info.extend_from_slice(&digest);
        let r = self.send(&commands::sign(ef::jpki::AUTH_KEY, &digest_info))?;
        match r.status() {
            Status::Ok => Ok(certificate
                .public_key
                .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &r.data)
                .is_ok()),
            Status::SecurityNotSatisfied => Err(CardError::NeedsCredential("user-authentication key")),
            _ => Err(CardError::Status {
                during: "signing the challenge",
                sw: r.sw,
            }),
        }
    }

    /// Tries left on 照合番号B of the 券面事項確認AP, without spending one.
    pub fn check_b_status(&mut self) -> Result<PinStatus, CardError> {
        self.secret_status(App::Surface, ef::surface::CHECK_B)
    }

    /// 基本4情報 from the 券面事項入力補助AP, opened with its PIN or with 照合番号B: exactly one VERIFY.
    /// Returns the VERIFY outcome and, when verified, the items.
    pub fn read_basic_four(
        &mut self,
        credential: TextCredential<'_>,
    ) -> Result<(PinOutcome, Option<BasicFour>), CardError> {
        self.require_app(App::Text)?;
        let (file, secret) = match credential {
            TextCredential::Pin(p) => (ef::text::PIN, p.as_bytes()),
            TextCredential::CheckCodeB(b) => (ef::text::CHECK_B, b.as_bytes()),
        };
        self.select_ef(file)?;
        let outcome = self.verify_selected(App::Text, file, secret)?;
        if outcome != PinOutcome::Verified {
            return Ok((outcome, None));
        }
        let raw = self.read_object(ef::text::BASIC_FOUR, "basic four items")?;
        let items = BasicFour::parse(&raw).map_err(|e| CardError::Malformed {
            what: "basic four items",
            detail: e.into(),
        })?;
        Ok((outcome, Some(items)))
    }

    /// Read the card face with 照合番号B (exactly one VERIFY), check its signature against the AP's CV
    /// certificate and `anchors`, and have the card sign `challenge` with its card key to prove it is
    /// not a copy. Call [`MyNumberCard::check_b_status`] first: this spends a try when `code` is wrong.
    pub fn read_card_face(
        &mut self,
        code: &CheckCodeB,
        anchors: &[TrustAnchor],
        challenge: &[u8],
    ) -> Result<(PinOutcome, Option<(CardFace, CardFaceCheck)>), CardError> {
        self.require_app(App::Surface)?;
        self.select_ef(ef::surface::CHECK_B)?;
        let outcome = self.verify_selected(App::Surface, ef::surface::CHECK_B, code.as_bytes())?;
        if outcome != PinOutcome::Verified {
            return Ok((outcome, None));
        }
        let raw = self.read_object(ef::surface::FACE, "card face")?;
        let face = CardFace::parse(&raw).map_err(|e| CardError::Malformed {
            what: "card face",
            detail: e.into(),
        })?;
        let cv = self.read_object(ef::surface::CV_CERT, "card-face certificate")?;
        let (data_signature_valid, issuer_trusted) = face.check_signature(&cv, anchors);
        let card_key_proven = self.prove_surface_card_key(&face, challenge)?;
        Ok((
            outcome,
            Some((
                face,
                CardFaceCheck {
                    data_signature_valid,
                    issuer_trusted,
                    card_key_proven,
                },
            )),
        ))
    }

    /// The 券面 AP's own card key signs DigestInfo(SHA-256(challenge)) (§3).
    fn prove_surface_card_key(&mut self, face: &CardFace, challenge: &[u8]) -> Result<bool, CardError> {
        let digest = Sha256::digest(challenge);
        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
        digest_info.extend_from_slice(&digest);
        let r = self.send(&commands::sign_with_card_key(&digest_info))?;
        if !r.is_ok() {
            return Ok(false);
        }
        let Ok(key) = face.card_public_key() else {
            return Ok(false);
        };
        Ok(key
            .verify(
                Pkcs1v15Sign::new_unprefixed(),
                &[&SHA256_DIGEST_INFO_PREFIX[..], &digest[..]].concat(),
                &r.data,
            )
            .is_ok())
    }
}

/// Which credential opens the 券面事項入力補助AP's basic four items (§4.2: PIN or 照合番号B).
#[derive(Debug, Clone, Copy)]
pub enum TextCredential<'a> {
    Pin(&'a TextPin),
    CheckCodeB(&'a CheckCodeB),
}

/// DER DigestInfo prefix for SHA-256 (§3.1): 19 bytes, then the 32-byte hash.
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20,
];

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_apdu::{StatusWord, TransportError};

    /// A card with one readable EF behind every SFI: SELECTs succeed, READ BINARY serves `file` from
    /// the addressed offset, like the real card (§3.4). Records every command.
    struct OneFile {
        file: Vec<u8>,
        sent: Vec<Command>,
    }

    impl CardChannel for OneFile {
        fn transmit_raw(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
            let command = Command::parse(bytes).map_err(|e| TransportError::Other(e.to_string()))?;
            let answer = if command.ins == iso::ins::READ_BINARY {
                let offset = if command.p1 & 0x80 == 0 {
                    usize::from(u16::from_be_bytes([command.p1, command.p2]))
                } else {
                    usize::from(command.p2)
                };
                let ne = command
                    .ne()
                    .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
                let end = (offset + ne).min(self.file.len());
                Response::new(self.file[offset.min(end)..end].to_vec(), StatusWord::OK)
            } else {
                Response::sw_only(StatusWord::OK)
            };
            self.sent.push(command);
            Ok(answer.to_bytes())
        }
    }

    /// A TLV object of exactly `total` bytes (4 header bytes), then filler.
    fn card_with_object_of(total: usize) -> MyNumberCard<OneFile> {
        let mut file = kiosk_apdu::tlv::encode(&[0x04], &vec![0x5A; total - 4]);
        assert_eq!(file.len(), total);
        file.extend_from_slice(&[0xFF; 16]);
        MyNumberCard::new(OneFile {
            file,
            sent: Vec::new(),
        })
    }

    /// A card that answers every command with the status word `answer` gives for it (by its place
    /// in the conversation, from 0), and records what it was sent.
    struct Scripted<F> {
        answer: F,
        sent: Vec<Command>,
    }

    impl<F: FnMut(&Command, usize) -> StatusWord> CardChannel for Scripted<F> {
        fn transmit_raw(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
            let command = Command::parse(bytes).map_err(|e| TransportError::Other(e.to_string()))?;
            let sw = (self.answer)(&command, self.sent.len());
            self.sent.push(command);
            Ok(Response::sw_only(sw).to_bytes())
        }
    }

    fn scripted<F: FnMut(&Command, usize) -> StatusWord>(answer: F) -> MyNumberCard<Scripted<F>> {
        MyNumberCard::new(Scripted {
            answer,
            sent: Vec::new(),
        })
    }

    #[test]
    fn a_first_select_answered_6f00_after_power_up_is_sent_once_more() {
        let mut card = scripted(|_, n| {
            if n == 0 {
                StatusWord::NO_PRECISE_DIAGNOSIS
            } else {
                StatusWord::OK
            }
        });
        assert!(card.select(App::Jpki).unwrap());
        let sent = card.into_channel().sent;
        let select = iso::select_df(&App::Jpki.aid()).to_bytes().unwrap();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|c| c.to_bytes().unwrap() == select));
    }

    #[test]
    fn a_6f00_later_in_the_conversation_is_an_error_and_nothing_is_resent() {
        // 6F00 to the second SELECT (the PIN EF): not the first command after power-up.
        let mut card = scripted(|_, n| {
            if n == 1 {
                StatusWord::NO_PRECISE_DIAGNOSIS
            } else {
                StatusWord::OK
            }
        });
        let err = card.auth_pin_status().unwrap_err();
        assert!(
            matches!(
                err,
                CardError::Status {
                    sw: StatusWord::NO_PRECISE_DIAGNOSIS,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(card.into_channel().sent.len(), 2);
    }

    #[test]
    fn a_verify_answered_6f00_is_never_resent() {
        let mut card = scripted(|c, _| {
            if c.ins == iso::ins::VERIFY {
                StatusWord::NO_PRECISE_DIAGNOSIS
            } else {
                StatusWord::OK
            }
        });
        let err = card.verify_auth_pin(&AuthPin::new("1234").unwrap()).unwrap_err();
        assert!(matches!(err, CardError::Status { .. }), "{err:?}");
        let sent = card.into_channel().sent;
        let verifies = sent.iter().filter(|c| c.ins == iso::ins::VERIFY).count();
        assert_eq!(verifies, 1, "one VERIFY, the one the patient typed");
    }

    /// A card that refuses every READ BINARY by short EF identifier with `refusal`, and otherwise serves
    /// `file` like [`OneFile`].
    struct NoSfi {
        refusal: StatusWord,
        card: OneFile,
    }

    impl CardChannel for NoSfi {
        fn transmit_raw(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
            let command = Command::parse(bytes).map_err(|e| TransportError::Other(e.to_string()))?;
            if command.ins == iso::ins::READ_BINARY && command.p1 & 0x80 != 0 {
                self.card.sent.push(command);
                return Ok(Response::sw_only(self.refusal).to_bytes());
            }
            self.card.transmit_raw(bytes)
        }
    }

    #[test]
    fn a_card_refusing_sfi_reads_is_read_by_select_ef_and_offsets() {
        for refusal in [
            StatusWord::FUNCTION_NOT_SUPPORTED,
            StatusWord::INCORRECT_P1P2,
            StatusWord::INCOMPATIBLE_FILE_STRUCTURE,
            StatusWord::NO_CURRENT_EF,
        ] {
            let file = card_with_object_of(600).into_channel();
            let mut card = MyNumberCard::new(NoSfi { refusal, card: file });
            assert_eq!(
                card.read_object(ef::jpki::AUTH_CERT, "test object")
                    .unwrap()
                    .len(),
                600
            );
            // The next file goes straight to SELECT EF: the card said once how it reads.
            assert_eq!(
                card.read_object(ef::jpki::AUTH_CA_CERT, "test object")
                    .unwrap()
                    .len(),
                600
            );
            let sent: Vec<Vec<u8>> = card
                .into_channel()
                .card
                .sent
                .iter()
                .map(|c| c.to_bytes().unwrap())
                .collect();
            let bytes = |c: Command| c.to_bytes().unwrap();
            let read = |offset, ne| bytes(iso::read_binary_offset(offset, ne).unwrap());
            let want = [
                bytes(iso::read_binary_sfi(ef::jpki::AUTH_CERT.sfi(), 256)),
                bytes(iso::select_ef(ef::jpki::AUTH_CERT.fid())),
                read(0, 256),
                read(256, 256),
                read(512, 88),
                bytes(iso::select_ef(ef::jpki::AUTH_CA_CERT.fid())),
                read(0, 256),
                read(256, 256),
                read(512, 88),
            ];
            assert_eq!(sent, want, "refusal {refusal}");
        }
    }

    #[test]
    fn the_token_label_of_a_card_refusing_sfi_is_read_after_select_ef() {
        let mut label = b"JPKIAPICCTOKEN2".to_vec();
        label.resize(32, b' ');
        let mut card = MyNumberCard::new(NoSfi {
            refusal: StatusWord::INCORRECT_P1P2,
            card: OneFile {
                file: label,
                sent: Vec::new(),
            },
        });
        assert_eq!(
            card.identify().unwrap(),
            Identification::MyNumber(CardKind::PlasticCard)
        );
    }

    #[test]
    fn an_sfi_read_answered_about_the_file_is_not_a_refusal_of_the_form() {
        // 6A82 (no such file) and 6982 (needs a PIN) say something about the file: no fallback.
        let mut card = scripted(|c, _| match c.ins {
            iso::ins::READ_BINARY => StatusWord::SECURITY_NOT_SATISFIED,
            _ => StatusWord::OK,
        });
        assert!(matches!(
            card.read_object(ef::jpki::AUTH_CERT, "test object"),
            Err(CardError::NeedsCredential("test object"))
        ));
        assert_eq!(card.into_channel().sent.len(), 1);
    }

    #[test]
    fn an_ef_reaching_the_last_fifteen_bit_offset_is_read_whole() {
        let mut card = card_with_object_of(MAX_EF);
        let object = card.read_object(ef::jpki::AUTH_CERT, "test object").unwrap();
        assert_eq!(object.len(), MAX_EF);
        let sent = &card.into_channel().sent;
        assert_eq!(sent.len(), MAX_EF / 256);
        let last = sent.last().unwrap();
        assert_eq!(
            last.to_bytes().unwrap(),
            iso::read_binary_offset(0x7F00, 256).unwrap().to_bytes().unwrap()
        );
    }

    #[test]
    fn an_ef_needing_an_offset_past_fifteen_bits_is_refused() {
        // 0x8001 bytes: the last byte sits at offset 0x8000, which P1-P2 cannot address. Masking the
        // offset to 15 bits would read offset 0 again and return the wrong bytes.
        let mut card = card_with_object_of(MAX_EF + 1);
        let err = card.read_object(ef::jpki::AUTH_CERT, "test object").unwrap_err();
        assert!(
            matches!(
                err,
                CardError::Malformed {
                    what: "test object",
                    detail: DataError::TooLarge { declared: 0x8001 }
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the card's test object is malformed: declares 32769 bytes, more than a READ BINARY offset reaches"
        );
        // Refused after the first chunk, before any read by offset.
        assert_eq!(card.into_channel().sent.len(), 1);
    }
}
