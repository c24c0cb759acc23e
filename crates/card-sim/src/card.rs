//! The card's command processor: SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA, COMPUTE DIGITAL
//! SIGNATURE, GET CHALLENGE, with the status words of docs/CARD-NOTES.md §9 and §11.

use crate::files::{self, Df, Ef, Gate, Image};
use crate::hostile::Hostile;
use crate::profile::Profile;
use kiosk_apdu::{CardChannel, Command, TransportError};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rsa::{Pkcs1v15Sign, Pss};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Faults a test can inject.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The card is pulled out when it receives this command (1-based count since creation).
    pub pull_at_command: Option<u64>,
    /// Every command takes this long (a slow card).
    pub delay: Duration,
    /// The card answers in this hostile way (from the profile's `hostile` key, or set by a test).
    pub hostile: Option<Hostile>,
}

/// What the card saw: for audits ("the kiosk never spent a PIN try the patient did not type").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardStats {
    pub commands: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// VERIFY commands with data (tries that could be spent) on the JPKI user-auth PIN (0018).
    pub auth_pin_verifies: u64,
    /// VERIFY commands with data on 照合番号B (surface 0012 or text 0015).
    pub check_b_verifies: u64,
    /// All other VERIFY commands with data.
    pub other_verifies: u64,
}

/// The card was pulled out (a fault), so it answers nothing any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed;

pub struct VirtualCard {
    profile: Profile,
    image: Image,
    current_df: Option<Df>,
    current_ef: Option<u16>,
    verified: HashSet<(Df, u16)>,
    rng: ChaCha20Rng,
    stats: CardStats,
    removed: bool,
    pub faults: Faults,
    /// Whether re-SELECTing the current DF clears its verified PINs. Unknown on the real card
    /// (§12.2: OpenSC's logout assumes yes, myna-card implies only power-off clears): default no.
    pub reselect_clears_security: bool,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VirtualCard({:?}, {:?})", self.profile.name, self.stats)
    }
}

type Answer = (Vec<u8>, u16);

fn sw(code: u16) -> Answer {
    (Vec::new(), code)
}

impl VirtualCard {
    /// Make a card from a profile (generates or reuses its seeded keys).
    pub fn new(profile: Profile) -> VirtualCard {
        let keys = files::card_keys(&profile);
        let image = files::build(&profile, &keys, crate::pki::issuers());
        let rng = ChaCha20Rng::seed_from_u64(profile.seed ^ 0x5EED);
        VirtualCard {
            image,
            current_df: None,
            current_ef: None,
            verified: HashSet::new(),
            rng,
            stats: CardStats::default(),
            removed: false,
            faults: Faults {
                hostile: profile.hostile,
                ..Faults::default()
            },
            reselect_clears_security: false,
            profile,
        }
    }

    /// An embedded profile by name.
    pub fn embedded(name: &str) -> Result<VirtualCard, crate::ProfileError> {
        Ok(VirtualCard::new(Profile::embedded(name)?))
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }
    pub fn stats(&self) -> &CardStats {
        &self.stats
    }
    pub fn atr(&self) -> &'static [u8] {
        &crate::ATR
    }
    pub fn is_removed(&self) -> bool {
        self.removed
    }
    /// Put a pulled card back (a new insertion): powered up fresh.
    pub fn reinsert(&mut self) {
        self.removed = false;
        self.faults.pull_at_command = None;
        self.power_cycle();
    }

    /// The raw certificate bytes (DER, without filler) as the profile made them, for cross-checks.
    pub fn auth_certificate_der(&self) -> Vec<u8> {
        self.ef_object(Df::Jpki, 0x000A)
    }
    pub fn auth_ca_certificate_der(&self) -> Vec<u8> {
        self.ef_object(Df::Jpki, 0x000B)
    }
    fn ef_object(&self, df: Df, fid: u16) -> Vec<u8> {
        match self.image.get(&df).and_then(|d| d.get(&fid)) {
            Some(Ef::Binary { data, .. }) => kiosk_apdu::tlv::first_object(data)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
    /// Rewrite the bytes of a binary EF: for hostile-card and tampering tests.
    pub fn tamper_ef(&mut self, df: Df, fid: u16, edit: impl FnOnce(&mut Vec<u8>)) -> bool {
        match self.image.get_mut(&df).and_then(|d| d.get_mut(&fid)) {
            Some(Ef::Binary { data, .. }) => {
                edit(data);
                true
            }
            _ => false,
        }
    }

    /// The bytes of a binary EF as stored (with filler), for tests that copy a card.
    pub fn ef_bytes(&self, df: Df, fid: u16) -> Option<Vec<u8>> {
        match self.image.get(&df)?.get(&fid)? {
            Ef::Binary { data, .. } => Some(data.clone()),
            _ => None,
        }
    }

    /// Tries left on a secret, for test assertions.
    pub fn tries_left(&self, df: Df, fid: u16) -> Option<u8> {
        match self.image.get(&df)?.get(&fid)? {
            Ef::Secret { tries, .. } => Some(*tries),
            _ => None,
        }
    }

    /// Power off/on or reset: the security status and selection are cleared (§1.2: only a power
    /// cycle clears verified PINs).
    pub fn power_cycle(&mut self) {
        self.current_df = None;
        self.current_ef = None;
        self.verified.clear();
    }

    /// Process one command APDU and return the response APDU (data + SW).
    pub fn process(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Removed> {
        if self.removed {
            return Err(Removed);
        }
        self.stats.commands += 1;
        self.stats.bytes_in += apdu.len() as u64;
        if self.faults.pull_at_command == Some(self.stats.commands) {
            self.removed = true;
            self.power_cycle();
            return Err(Removed);
        }
        if !self.faults.delay.is_zero() {
            std::thread::sleep(self.faults.delay);
        }
        // Extended length is visible only in the encoding (a zero byte where a short Lc/Le would be).
        let extended = apdu.len() > 5 && apdu[4] == 0;
        let (mut data, code) = match Command::parse(apdu) {
            Ok(cmd) => {
                let answer = self.dispatch(&cmd, extended);
                match self.faults.hostile {
                    Some(Hostile::NoStatusWord) if cmd.ins == 0xB0 => {
                        let cut = answer.0.first().map_or_else(Vec::new, |b| vec![*b]);
                        self.stats.bytes_out += cut.len() as u64;
                        return Ok(cut);
                    }
                    Some(h) => self.hostile_answer(h, &cmd, answer),
                    None => answer,
                }
            }
            Err(_) => sw(0x6700),
        };
        data.extend_from_slice(&code.to_be_bytes());
        self.stats.bytes_out += data.len() as u64;
        Ok(data)
    }

    fn dispatch(&mut self, cmd: &Command, extended: bool) -> Answer {
        // Only logical channel 0; no secure messaging at card level (§1.2).
        if cmd.cla & 0x03 != 0 {
            return sw(0x6881);
        }
        if cmd.cla & 0x0C != 0 {
            return match cmd.ins {
                0xA4 => sw(0x6882),
                _ => sw(0x69FC),
            };
        }
        match (cmd.cla & 0xF0, cmd.ins) {
            (0x00, 0xA4) => self.select(cmd),
            (0x00, 0xB0) => self.read_binary(cmd),
            (0x00, 0x20) => self.verify(cmd),
            (0x00, 0x24) => self.change_reference_data(cmd),
            (0x80, 0x2A) => self.sign(cmd),
            (0x00, 0x84) => self.get_challenge(cmd, extended),
            (0x00, 0xCA) => sw(0x6A88),
            (0x00 | 0x80, _) => sw(0x6D00),
            _ => sw(0x6E00),
        }
    }

    fn select(&mut self, cmd: &Command) -> Answer {
        match cmd.p1 {
            0x04 => {
                // By DF name: the full 10-byte AID only (§12 item 12: no prefix matching).
                let Some(df) = Df::from_aid(cmd.data()) else {
                    return sw(0x6A82);
                };
                // Selecting another DF clears the old DF's security status (GUESS, §9 item 7);
                // re-selecting the same DF clears it only when so configured.
                let clear_all = self.reselect_clears_security;
                self.verified.retain(|(d, _)| *d == df && !clear_all);
                self.current_df = Some(df);
                self.current_ef = None;
                sw(0x9000)
            }
            0x02 => {
                let (Some(df), [hi, lo]) = (self.current_df, cmd.data()) else {
                    return sw(0x6A82);
                };
                let fid = u16::from_be_bytes([*hi, *lo]);
                if self.image.get(&df).is_some_and(|d| d.contains_key(&fid)) {
                    self.current_ef = Some(fid);
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            0x00 if cmd.data().is_empty() => {
                // SELECT MF: 6A86 before any DF, a no-op 9000 after (§1.2).
                if self.current_df.is_some() {
                    sw(0x9000)
                } else {
                    sw(0x6A86)
                }
            }
            0x00 => sw(0x6A82),
            _ => sw(0x6A86),
        }
    }

    fn gate_open(&self, df: Df, gate: &Gate) -> bool {
        match gate {
            Gate::Free => true,
            Gate::AnyOf(fids) => fids.iter().any(|f| self.verified.contains(&(df, *f))),
        }
    }

    fn read_binary(&mut self, cmd: &Command) -> Answer {
        let Some(df) = self.current_df else {
            return sw(0x6986);
        };
        let (short_ef, offset) = read_address(cmd);
        let fid = match short_ef {
            Some(fid) => {
                // A short EF identifier also makes the EF the current one.
                if !self.image.get(&df).is_some_and(|d| d.contains_key(&fid)) {
                    return sw(0x6A82);
                }
                self.current_ef = Some(fid);
                fid
            }
            None => match self.current_ef {
                Some(fid) => fid,
                None => return sw(0x6986),
            },
        };
        let Some(ne) = cmd.ne() else {
            return sw(0x6700);
        };
        match self.image.get(&df).and_then(|d| d.get(&fid)) {
            Some(Ef::Binary { data, gate }) => {
                if !self.gate_open(df, gate) {
                    return sw(0x6982);
                }
                if offset >= data.len() {
                    return sw(0x6B00);
                }
                let end = data.len().min(offset + ne as usize);
                (data[offset..end].to_vec(), 0x9000)
            }
            Some(_) => sw(0x6981),
            None => sw(0x6A82),
        }
    }

    /// The secret a VERIFY/CHANGE addresses: P2 = 80 (current EF) or 80 + SFI.
    fn secret_target(&self, p2: u8) -> Option<(Df, u16)> {
        let df = self.current_df?;
        match p2 {
            0x80 => self.current_ef.map(|f| (df, f)),
            p if p & 0x80 != 0 => Some((df, (p & 0x1F) as u16)),
            _ => None,
        }
    }

    fn verify(&mut self, cmd: &Command) -> Answer {
        if cmd.p1 != 0 {
            return sw(0x6A86);
        }
        let Some((df, fid)) = self.secret_target(cmd.p2) else {
            return sw(if self.current_df.is_none() { 0x6986 } else { 0x6A86 });
        };
        let has_data = !cmd.data().is_empty();
        if has_data {
            match (df, fid) {
                (Df::Jpki, 0x0018) => self.stats.auth_pin_verifies += 1,
                (Df::Surface, 0x0012) | (Df::Text, 0x0015) => self.stats.check_b_verifies += 1,
                _ => self.stats.other_verifies += 1,
            }
        }
        let Some(Ef::Secret { value, tries, max }) = self.image.get_mut(&df).and_then(|d| d.get_mut(&fid))
        else {
            return sw(0x6A88);
        };
        let auth_pin = (df, fid) == (Df::Jpki, 0x0018);
        if !has_data {
            if auth_pin && self.faults.hostile == Some(Hostile::TriesBeyondMaximum) {
                return sw(0x63CF);
            }
            // The query answers 63Cx with the count, even right after a successful VERIFY
            // (OSC-959); 63C0 when blocked. It never spends a try and never answers 9000.
            return sw(0x63C0 | *tries as u16);
        }
        if *tries == 0 {
            return sw(0x6984);
        }
        if cmd.data() == value.as_slice() {
            *tries = *max;
            self.verified.insert((df, fid));
            sw(0x9000)
        } else {
            if !(auth_pin && self.faults.hostile == Some(Hostile::TriesDoNotDrop)) {
                *tries -= 1;
            }
            self.verified.remove(&(df, fid));
            sw(0x63C0 | *tries as u16)
        }
    }

    fn change_reference_data(&mut self, cmd: &Command) -> Answer {
        if cmd.p1 != 0x01 {
            return sw(0x6A86);
        }
        let Some((df, fid)) = self.secret_target(cmd.p2) else {
            return sw(0x6A86);
        };
        if !self.verified.contains(&(df, fid)) {
            return sw(0x6982);
        }
        match self.image.get_mut(&df).and_then(|d| d.get_mut(&fid)) {
            Some(Ef::Secret { value, .. }) if !cmd.data().is_empty() => {
                *value = cmd.data().to_vec();
                sw(0x9000)
            }
            Some(Ef::Secret { .. }) => sw(0x6700),
            _ => sw(0x6A88),
        }
    }

    fn sign(&mut self, cmd: &Command) -> Answer {
        let Some(df) = self.current_df else {
            return sw(0x6986);
        };
        let fid = match cmd.p2 {
            0x80 => match self.current_ef {
                Some(f) => f,
                None => return sw(0x6986),
            },
            p if p & 0x80 != 0 => (p & 0x1F) as u16,
            // P2 = 00: the 券面 AP's own card key (§3).
            0x00 if df == Df::Surface => 0x001A,
            _ => return sw(0x6A86),
        };
        let Some(Ef::Key { key, gate }) = self.image.get(&df).and_then(|d| d.get(&fid)) else {
            return sw(if self.image.get(&df).is_some_and(|d| d.contains_key(&fid)) {
                0x6981
            } else {
                0x6A88
            });
        };
        if !self.gate_open(df, gate) {
            return sw(0x6982);
        }
        // A hostile card signs for the user-authentication key with its 券面 AP card key instead.
        let key = match self.image.get(&Df::Surface).and_then(|d| d.get(&0x001A)) {
            Some(Ef::Key { key: other, .. })
                if (df, fid) == (Df::Jpki, 0x0017)
                    && self.faults.hostile == Some(Hostile::KeyNotTheCertificates) =>
            {
                other
            }
            _ => key,
        };
        let input = cmd.data();
        let hash = |m: &[u8]| Sha256::digest(m).to_vec();
        // P1 selects the scheme (§3.1).
        let result = match cmd.p1 {
            0x00 if (1..=245).contains(&input.len()) => key.sign(Pkcs1v15Sign::new_unprefixed(), input),
            0x01 if input.len() <= 255 => key.sign(Pkcs1v15Sign::new_unprefixed(), &hash(input)),
            0x02 if input.len() == 32 => key.sign(Pkcs1v15Sign::new::<Sha256>(), input),
            0x03 if input.len() <= 255 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &hash(input)),
            0x04 if input.len() == 32 => key.sign_with_rng(&mut self.rng, Pss::new::<Sha256>(), input),
            0x05 if input.len() <= 255 => {
                key.sign_with_rng(&mut self.rng, Pss::new::<Sha256>(), &hash(input))
            }
            0x00..=0x05 => return sw(0x6700),
            _ => return sw(0x6A86),
        };
        match result {
            Ok(signature) => (signature, 0x9000),
            Err(_) => sw(0x6985),
        }
    }

    /// Bend an honest answer the hostile way (the behaviours acting inside VERIFY and the signature are
    /// there).
    fn hostile_answer(&self, hostile: Hostile, cmd: &Command, (mut data, code): Answer) -> Answer {
        let reading = cmd.ins == 0xB0;
        let (_, offset) = read_address(cmd);
        let file = (self.current_df, self.current_ef);
        match hostile {
            Hostile::InvalidStatusWord if reading => (data, 0x1234),
            Hostile::GarbageTokenLabel if reading && file == (Some(Df::Jpki), Some(0x0006)) => {
                data.iter_mut()
                    .enumerate()
                    .for_each(|(i, b)| *b = 0x80 | (i as u8).wrapping_mul(29));
                (data, code)
            }
            Hostile::EndlessChaining if reading || cmd.ins == 0xC0 => (vec![0xEE; 16], 0x6110),
            Hostile::TruncatedCertificate if reading && file == (Some(Df::Jpki), Some(0x000A)) => {
                let half = self.ef_object(Df::Jpki, 0x000A).len() / 2;
                if offset >= half {
                    sw(0x6B00)
                } else if offset + data.len() > half {
                    data.truncate(half - offset);
                    (data, 0x6282)
                } else {
                    (data, code)
                }
            }
            Hostile::EmptyReads if reading && offset > 0 && code == 0x9000 => (Vec::new(), 0x9000),
            Hostile::OversizedAnswers if reading && code == 0x9000 => {
                data.extend_from_slice(&[0u8; 16]);
                (data, code)
            }
            Hostile::CardFaceAltered if reading && file == (Some(Df::Surface), Some(0x0002)) => {
                // One byte inside the signed data: the 300th of the file.
                if let Some(b) = 300usize.checked_sub(offset).and_then(|i| data.get_mut(i)) {
                    *b ^= 0x55;
                }
                (data, code)
            }
            _ => (data, code),
        }
    }

    /// GET CHALLENGE: the extended form is refused with `6985` (§3).
    fn get_challenge(&mut self, cmd: &Command, extended: bool) -> Answer {
        match cmd.ne() {
            _ if extended => sw(0x6985),
            Some(n) => {
                let mut out = vec![0u8; n as usize];
                self.rng.fill_bytes(&mut out);
                (out, 0x9000)
            }
            None => sw(0x6700),
        }
    }
}

/// What a READ BINARY addresses: P1 = 80 + SFI with an 8-bit offset in P2 (the short EF identifier), or
/// the current EF with a 15-bit offset in P1 P2.
fn read_address(cmd: &Command) -> (Option<u16>, usize) {
    if cmd.p1 & 0x80 != 0 {
        (Some((cmd.p1 & 0x1F) as u16), cmd.p2 as usize)
    } else {
        (None, (((cmd.p1 & 0x7F) as usize) << 8) | cmd.p2 as usize)
    }
}

impl CardChannel for VirtualCard {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.process(command)
            .map_err(|Removed| TransportError::CardRemoved)
    }
}

/// A virtual card shared between the code under test and the test itself (to read [`CardStats`] or
/// inject faults while a reader holds the channel).
#[derive(Debug, Clone)]
pub struct SharedCard(Arc<Mutex<VirtualCard>>);

impl SharedCard {
    pub fn new(card: VirtualCard) -> Self {
        SharedCard(Arc::new(Mutex::new(card)))
    }
    pub fn lock(&self) -> MutexGuard<'_, VirtualCard> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl CardChannel for SharedCard {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.lock().transmit_raw(command)
    }
}
