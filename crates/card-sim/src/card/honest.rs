//! The honest card: executes a parsed [`CardCommand`] against the file system, with the status words and
//! checking order of docs/CARD-NOTES.md §9 and §11. Nothing here lies; the hostile ways live in
//! [`crate::hostile`], around it.

use super::{Answer, VirtualCard};
use crate::command::{CardCommand, FileRef, KeyRef, ReadAddress, Selection, SignScheme};
use crate::ef;
use crate::files::{Df, Ef, Gate};
use crate::status::Sw;
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use sha2::{Digest, Sha256};

impl VirtualCard {
    /// Execute one parsed command.
    pub(crate) fn execute(&mut self, command: &CardCommand) -> Answer {
        match command {
            CardCommand::Select(selection) => Answer::status(self.select(*selection)),
            CardCommand::ReadBinary { address, ne } => self.read_binary(*address, *ne),
            CardCommand::Verify { target, secret } => Answer::status(self.verify(*target, secret)),
            CardCommand::ChangeReferenceData { target, new_value } => {
                Answer::status(self.change_reference_data(*target, new_value))
            }
            CardCommand::Sign { key, scheme, input } => match self.signing_key(*key) {
                Ok(file) => self.signature(file, *scheme, input),
                Err(sw) => Answer::status(sw),
            },
            CardCommand::GetChallenge { len } => self.get_challenge(*len),
            CardCommand::Refused { status, .. } => Answer::status(*status),
        }
    }

    fn select(&mut self, selection: Selection) -> Sw {
        match selection {
            Selection::Application(df) => {
                // Selecting another DF clears the old DF's security status (GUESS, §9 item 7);
                // re-selecting the same DF clears it only when so configured.
                let clear_all = self.reselect_clears_security;
                self.verified.retain(|(d, _)| *d == df && !clear_all);
                self.current_df = Some(df);
                self.current_ef = None;
                Sw::OK
            }
            Selection::Ef(fid) => match self.current_df {
                Some(df) if self.has_ef(df, fid) => {
                    self.current_ef = Some(fid);
                    Sw::OK
                }
                _ => Sw::FILE_NOT_FOUND,
            },
            // SELECT MF: 6A86 before any DF, a no-op 9000 after (§1.2).
            Selection::MasterFile if self.current_df.is_some() => Sw::OK,
            Selection::MasterFile => Sw::WRONG_P1_P2,
        }
    }

    fn has_ef(&self, df: Df, fid: u16) -> bool {
        self.image.get(&df).is_some_and(|d| d.contains_key(&fid))
    }

    fn gate_open(&self, df: Df, gate: &Gate) -> bool {
        match gate {
            Gate::Free => true,
            Gate::AnyOf(fids) => fids.iter().any(|f| self.verified.contains(&(df, *f))),
            Gate::HolderConfirmedOnPhone => self.holder_confirmed_on_phone,
        }
    }

    fn read_binary(&mut self, address: ReadAddress, ne: Option<u32>) -> Answer {
        let Some(df) = self.current_df else {
            return Answer::status(Sw::NO_CURRENT_FILE);
        };
        let fid = match address {
            // A short EF identifier also makes the EF the current one.
            ReadAddress::Sfi { fid, .. } if self.has_ef(df, fid) => {
                self.current_ef = Some(fid);
                fid
            }
            ReadAddress::Sfi { .. } => return Answer::status(Sw::FILE_NOT_FOUND),
            ReadAddress::Current { .. } => match self.current_ef {
                Some(fid) => fid,
                None => return Answer::status(Sw::NO_CURRENT_FILE),
            },
        };
        let Some(ne) = ne else {
            return Answer::status(Sw::WRONG_LENGTH);
        };
        let offset = address.offset();
        match self.image.get(&df).and_then(|d| d.get(&fid)) {
            Some(Ef::Binary { gate, .. }) if !self.gate_open(df, gate) => {
                Answer::status(Sw::SECURITY_NOT_SATISFIED)
            }
            Some(Ef::Binary { data, .. }) if offset >= data.len() => Answer::status(Sw::OFFSET_PAST_END),
            Some(Ef::Binary { data, .. }) => {
                let end = data.len().min(offset + ne as usize);
                Answer::ok(data[offset..end].to_vec())
            }
            Some(_) => Answer::status(Sw::INCOMPATIBLE_FILE),
            None => Answer::status(Sw::FILE_NOT_FOUND),
        }
    }

    /// The secret or key file a P2 reference names in the current DF.
    pub(crate) fn resolve(&self, target: FileRef) -> Option<(Df, u16)> {
        let df = self.current_df?;
        match target {
            FileRef::Current => self.current_ef.map(|f| (df, f)),
            FileRef::Sfi(fid) => Some((df, fid)),
        }
    }

    fn verify(&mut self, target: Option<FileRef>, secret: &[u8]) -> Sw {
        let Some((df, fid)) = target.and_then(|t| self.resolve(t)) else {
            return match self.current_df {
                None => Sw::NO_CURRENT_FILE,
                Some(_) => Sw::WRONG_P1_P2,
            };
        };
        if !secret.is_empty() {
            self.count_try(df, fid);
        }
        let Some(Ef::Secret { value, tries, max }) = self.image.get_mut(&df).and_then(|d| d.get_mut(&fid))
        else {
            return Sw::DATA_NOT_FOUND;
        };
        if secret.is_empty() {
            // The query answers 63Cx with the count, even right after a successful VERIFY
            // (OSC-959); 63C0 when blocked. It never spends a try and never answers 9000.
            return Sw::tries_left(*tries);
        }
        if *tries == 0 {
            return Sw::BLOCKED;
        }
        if secret == value.as_slice() {
            *tries = *max;
            self.verified.insert((df, fid));
            Sw::OK
        } else {
            *tries -= 1;
            let left = *tries;
            self.verified.remove(&(df, fid));
            Sw::tries_left(left)
        }
    }

    /// Count a VERIFY that could spend a try, for the audits of [`super::CardStats`].
    fn count_try(&mut self, df: Df, fid: u16) {
        match (df, fid) {
            (Df::Jpki, ef::jpki::AUTH_PIN) => self.stats.auth_pin_verifies += 1,
            (Df::Surface, ef::surface::CHECK_B) | (Df::Text, ef::text::CHECK_B) => {
                self.stats.check_b_verifies += 1;
            }
            _ => self.stats.other_verifies += 1,
        }
    }

    fn change_reference_data(&mut self, target: FileRef, new_value: &[u8]) -> Sw {
        let Some((df, fid)) = self.resolve(target) else {
            return Sw::WRONG_P1_P2;
        };
        if !self.verified.contains(&(df, fid)) {
            return Sw::SECURITY_NOT_SATISFIED;
        }
        match self.image.get_mut(&df).and_then(|d| d.get_mut(&fid)) {
            Some(Ef::Secret { value, .. }) if !new_value.is_empty() => {
                *value = new_value.to_vec();
                Sw::OK
            }
            Some(Ef::Secret { .. }) => Sw::WRONG_LENGTH,
            _ => Sw::DATA_NOT_FOUND,
        }
    }

    /// The key a signature would use, once the checks that come before the scheme have passed: a
    /// current DF, a P2 naming a key, a key EF there, its gate open.
    pub(crate) fn signing_key(&self, key: Option<KeyRef>) -> Result<(Df, u16), Sw> {
        let Some(df) = self.current_df else {
            return Err(Sw::NO_CURRENT_FILE);
        };
        let fid = match key {
            Some(KeyRef::File(FileRef::Current)) => self.current_ef.ok_or(Sw::NO_CURRENT_FILE)?,
            Some(KeyRef::File(FileRef::Sfi(fid))) => fid,
            Some(KeyRef::CardKey) if df == Df::Surface => ef::surface::CARD_KEY,
            Some(KeyRef::CardKey) | None => return Err(Sw::WRONG_P1_P2),
        };
        match self.image.get(&df).and_then(|d| d.get(&fid)) {
            Some(Ef::Key { gate, .. }) if self.gate_open(df, gate) => Ok((df, fid)),
            Some(Ef::Key { .. }) => Err(Sw::SECURITY_NOT_SATISFIED),
            Some(_) => Err(Sw::INCOMPATIBLE_FILE),
            None => Err(Sw::DATA_NOT_FOUND),
        }
    }

    /// Whether an EF holds a key.
    pub(crate) fn is_key(&self, df: Df, fid: u16) -> bool {
        matches!(
            self.image.get(&df).and_then(|d| d.get(&fid)),
            Some(Ef::Key { .. })
        )
    }

    /// Sign `input` with the key in `file` under the P1 scheme (§3.1).
    pub(crate) fn signature(
        &mut self,
        (df, fid): (Df, u16),
        scheme: Option<SignScheme>,
        input: &[u8],
    ) -> Answer {
        let Some(Ef::Key { key, .. }) = self.image.get(&df).and_then(|d| d.get(&fid)) else {
            return Answer::status(Sw::DATA_NOT_FOUND);
        };
        sign(key, &mut self.rng, scheme, input)
    }

    /// A signature by a key that is not in the card's image: the forged card's (`hostile` `forged-ca`).
    pub(crate) fn signature_by(
        &mut self,
        key: &RsaPrivateKey,
        scheme: Option<SignScheme>,
        input: &[u8],
    ) -> Answer {
        sign(key, &mut self.rng, scheme, input)
    }

    /// A VERIFY that succeeds whatever was sent, counted as a try like any other: a forged card does not
    /// know its victim's PIN, so it takes any (`hostile` `forged-ca`).
    pub(crate) fn accept_any_secret(&mut self, df: Df, fid: u16) -> Answer {
        self.count_try(df, fid);
        self.verified.insert((df, fid));
        Answer::status(Sw::OK)
    }

    fn get_challenge(&mut self, len: u32) -> Answer {
        let mut challenge = vec![0u8; len as usize];
        self.rng.fill_bytes(&mut challenge);
        Answer::ok(challenge)
    }
}

/// Sign `input` under `scheme` (INTERNAL AUTHENTICATE / COMPUTE DIGITAL SIGNATURE, docs/CARD-NOTES.md).
fn sign(key: &RsaPrivateKey, rng: &mut ChaCha20Rng, scheme: Option<SignScheme>, input: &[u8]) -> Answer {
    let Some(scheme) = scheme else {
        return Answer::status(Sw::WRONG_P1_P2);
    };
    if !scheme.accepts(input.len()) {
        return Answer::status(Sw::WRONG_LENGTH);
    }
    let hash = || Sha256::digest(input).to_vec();
    let result = match scheme {
        SignScheme::Pkcs1Padding => key.sign(Pkcs1v15Sign::new_unprefixed(), input),
        SignScheme::Pkcs1BareHash => key.sign(Pkcs1v15Sign::new_unprefixed(), &hash()),
        SignScheme::Pkcs1Sha256OfHash => key.sign(Pkcs1v15Sign::new::<Sha256>(), input),
        SignScheme::Pkcs1Sha256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &hash()),
        SignScheme::PssOfHash => key.sign_with_rng(rng, Pss::new::<Sha256>(), input),
        SignScheme::Pss => key.sign_with_rng(rng, Pss::new::<Sha256>(), &hash()),
    };
    match result {
        Ok(signature) => Answer::ok(signature),
        Err(_) => Answer::status(Sw::CONDITIONS_NOT_SATISFIED),
    }
}
