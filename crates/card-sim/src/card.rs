//! The virtual card: its state, the test-facing API (faults, stats, tampering) and the command loop.
//! A command is parsed first ([`crate::command`]), then executed by the honest card ([`honest`]), or
//! through the hostile layer around it when the card is set to lie ([`crate::hostile`]).

mod honest;

use crate::command::CardCommand;
use crate::ef;
use crate::files::{self, Df, Ef, Image};
use crate::hostile::{Hostile, HostileCard};
use crate::profile::Profile;
use crate::status::Sw;
use kiosk_apdu::{CardChannel, TransportError};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
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
    /// The card answers `6F00` (no precise diagnosis) to the first command after each power-up, as
    /// measured on a real card (docs/CARD-NOTES.md §1.2); from the profile's
    /// `no_diagnosis_after_power_up` key, or set by a test.
    pub no_diagnosis_after_power_up: bool,
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
    /// Powered up and not yet asked anything (for [`Faults::no_diagnosis_after_power_up`]).
    fresh_from_power_up: bool,
    pub faults: Faults,
    /// A virtual iPhone: whether its holder has confirmed with Face ID or Touch ID on the phone before
    /// holding it to the reader, which opens its certificate and key without a VERIFY (GUESS,
    /// docs/CARD-NOTES.md §4.5). From the profile's `[phone] confirmed`; a test may change it.
    pub holder_confirmed_on_phone: bool,
    /// Whether re-SELECTing the current DF clears its verified PINs. Unknown on the real card
    /// (§12.2: OpenSC's logout assumes yes, myna-card implies only power-off clears): default no.
    pub reselect_clears_security: bool,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VirtualCard({:?}, {:?})", self.profile.name, self.stats)
    }
}

/// An answer before encoding: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) data: Vec<u8>,
    pub(crate) sw: Sw,
}

impl Answer {
    /// A status word alone.
    pub(crate) fn status(sw: Sw) -> Answer {
        Answer { data: Vec::new(), sw }
    }

    /// Data with `9000`.
    pub(crate) fn ok(data: Vec<u8>) -> Answer {
        Answer { data, sw: Sw::OK }
    }

    /// The response APDU: data then SW1 SW2.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let mut bytes = self.data;
        bytes.extend_from_slice(&self.sw.0.to_be_bytes());
        bytes
    }
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
            // A new card has just been powered up by its reader.
            fresh_from_power_up: true,
            faults: Faults {
                hostile: profile.hostile,
                no_diagnosis_after_power_up: profile.no_diagnosis_after_power_up,
                ..Faults::default()
            },
            reselect_clears_security: false,
            holder_confirmed_on_phone: profile.phone_confirmed,
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
        self.ef_object(Df::Jpki, ef::jpki::AUTH_CERT)
    }
    pub fn auth_ca_certificate_der(&self) -> Vec<u8> {
        self.ef_object(Df::Jpki, ef::jpki::AUTH_CA_CERT)
    }
    /// The TLV object at the start of a binary EF (empty if none).
    pub(crate) fn ef_object(&self, df: Df, fid: u16) -> Vec<u8> {
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

    /// Set a secret's tries back, for the hostile layer's `tries-do-not-drop`.
    pub(crate) fn restore_tries(&mut self, df: Df, fid: u16, tries: u8) {
        if let Some(Ef::Secret { tries: left, .. }) = self.image.get_mut(&df).and_then(|d| d.get_mut(&fid)) {
            *left = tries;
        }
    }

    /// Whether the secret EF `fid` of `df` is verified right now, for test assertions (is a PIN left
    /// verified for the next patient?).
    pub fn is_verified(&self, df: Df, fid: u16) -> bool {
        self.verified.contains(&(df, fid))
    }

    /// Power off: the selection and the security status are lost (§1.2: only power-off clears verified
    /// PINs).
    pub fn power_off(&mut self) {
        self.current_df = None;
        self.current_ef = None;
        self.verified.clear();
        self.fresh_from_power_up = false;
    }

    /// Power on: a card that was off, with nothing selected and nothing verified; the next command is the
    /// first after power-up.
    pub fn power_on(&mut self) {
        self.power_off();
        self.fresh_from_power_up = true;
    }

    /// Power off, then on again (a card taken out and put back, or `SCARD_UNPOWER_CARD`).
    pub fn power_cycle(&mut self) {
        self.power_on();
    }

    /// A warm reset (`SCARD_RESET_CARD`): the selection is lost, but a verified PIN stays verified, as
    /// measured on the real card (§1.2). Not a power-up.
    pub fn warm_reset(&mut self) {
        self.current_df = None;
        self.current_ef = None;
    }

    /// Process one command APDU and return the response APDU (data + SW).
    pub fn process(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Removed> {
        self.receive(apdu)?;
        if std::mem::take(&mut self.fresh_from_power_up) && self.faults.no_diagnosis_after_power_up {
            let response = Answer::status(Sw::NO_PRECISE_DIAGNOSIS).into_bytes();
            self.stats.bytes_out += response.len() as u64;
            return Ok(response);
        }
        let command = CardCommand::parse(apdu);
        let response = match self.faults.hostile {
            Some(way) => HostileCard::new(self, way).execute(&command),
            None => self.execute(&command).into_bytes(),
        };
        self.stats.bytes_out += response.len() as u64;
        Ok(response)
    }

    /// Count a command in and apply the injected faults: a pull, a delay.
    fn receive(&mut self, apdu: &[u8]) -> Result<(), Removed> {
        if self.removed {
            return Err(Removed);
        }
        self.stats.commands += 1;
        self.stats.bytes_in += apdu.len() as u64;
        if self.faults.pull_at_command == Some(self.stats.commands) {
            self.removed = true;
            self.power_off();
            return Err(Removed);
        }
        if !self.faults.delay.is_zero() {
            std::thread::sleep(self.faults.delay);
        }
        Ok(())
    }

    /// The current DF and EF, for the hostile layer (it bends answers by file).
    pub(crate) fn current_file(&self) -> (Option<Df>, Option<u16>) {
        (self.current_df, self.current_ef)
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
pub struct SharedCard(Arc<Lazy>);

/// The card, made from `profile` on first use when it was not given made.
#[derive(Debug)]
struct Lazy {
    card: OnceLock<Mutex<VirtualCard>>,
    profile: Profile,
}

impl SharedCard {
    pub fn new(card: VirtualCard) -> Self {
        SharedCard(Arc::new(Lazy {
            profile: card.profile.clone(),
            card: OnceLock::from(Mutex::new(card)),
        }))
    }

    /// A card made on first use, by whichever thread first speaks to it: making a card generates its
    /// RSA keys (seconds for a profile not met before in the process), which a demo window must not
    /// wait for on the thread that draws it. Until then the card costs nothing.
    pub fn later(profile: Profile) -> Self {
        SharedCard(Arc::new(Lazy {
            card: OnceLock::new(),
            profile,
        }))
    }

    /// Whether the card has been made (always, for [`SharedCard::new`]).
    pub fn is_made(&self) -> bool {
        self.0.card.get().is_some()
    }

    pub fn lock(&self) -> MutexGuard<'_, VirtualCard> {
        self.0
            .card
            .get_or_init(|| Mutex::new(VirtualCard::new(self.0.profile.clone())))
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl CardChannel for SharedCard {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.lock().transmit_raw(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card made on first use answers as the same card made at once, and is made only once, by the
    /// first who speaks to it, whichever clone that is.
    #[test]
    fn a_card_made_later_is_the_same_card_made_once_on_first_use() {
        let profile = Profile::embedded("demo").unwrap_or_else(|e| panic!("{e}"));
        let mut later = SharedCard::later(profile.clone());
        let kept = later.clone();
        assert!(
            !later.is_made() && !kept.is_made(),
            "nothing made before the first command"
        );
        let mut at_once = VirtualCard::new(profile);
        let select_jpki = [
            [0x00, 0xA4, 0x04, 0x0C, 0x0A].as_slice(),
            crate::aid::JPKI.as_slice(),
        ]
        .concat();
        let answer = later.transmit_raw(&select_jpki);
        assert!(kept.is_made(), "made by the first command, for every clone");
        assert_eq!(answer, at_once.transmit_raw(&select_jpki));
        assert_eq!(kept.lock().stats().commands, 1, "one card, spoken to once");
        assert_eq!(
            kept.lock().auth_certificate_der(),
            at_once.auth_certificate_der(),
            "the same seeded keys and certificate"
        );
    }
}
