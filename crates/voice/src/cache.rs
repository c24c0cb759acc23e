//! The voice folder: the HTS voice and the rendered prompts, outside git, keyed by a hash of the words.
//!
//! A prompt's file is `<dir>/<lang>/<key>.wav`, where the key is the SHA-256 of the engine's settings and
//! the words. Rewording a string in `assets/strings/*.toml` changes its key: the old file is stale (pruned
//! by the next `kiosk-voice render`) and the new wording is rendered. No audio is committed.

use crate::prompts::{LangCode, Utterance, catalog};
use kiosk_ui::Strings;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The HTS voice file (Mei, MMDAgent Project Team, CC BY 3.0), fetched by `cargo xtask voices`.
pub const VOICE_FILE: &str = "mei_normal.htsvoice";
/// `assets/voices.sha256`: the voice file and its licence, as fetched.
pub const MANIFEST: &str = include_str!("../../../assets/voices.sha256");

/// Open JTalk's speed for the kiosk: a little slower than its default (1.0), for older patients.
pub const JA_SPEED: &str = "0.9";
/// espeak-ng's words per minute: slower than its default 175, for the same reason.
pub const EN_WPM: &str = "140";
/// espeak-ng's voice for English.
pub const EN_VOICE: &str = "en-gb";

/// What a change of engine settings must re-render: part of every key.
fn engine_tag(lang: LangCode) -> String {
    match lang {
        LangCode::Ja => format!(
            "open_jtalk naist-jdic r={JA_SPEED} {VOICE_FILE}:{}",
            expected_sha256(VOICE_FILE).unwrap_or("?")
        ),
        LangCode::En => format!("espeak-ng v={EN_VOICE} s={EN_WPM}"),
    }
}

/// The sample rate each engine writes: Open JTalk with Mei 48 kHz, espeak-ng 22.05 kHz (measured, 16-bit
/// mono).
pub fn sample_rate(lang: LangCode) -> u32 {
    match lang {
        LangCode::Ja => 48_000,
        LangCode::En => 22_050,
    }
}

/// The SHA-256 the manifest gives `file`.
pub fn expected_sha256(file: &str) -> Option<&'static str> {
    MANIFEST.lines().find_map(|l| {
        l.split_once("  ")
            .filter(|(_, f)| f.trim() == file)
            .map(|(h, _)| h)
    })
}

/// Where the voice folder is: `$KIOSK_VOICES_DIR`, else `$XDG_CACHE_HOME/kiosk/voices`, else
/// `$HOME/.cache/kiosk/voices` (the face models' rule; `cargo xtask voices` uses the same).
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KIOSK_VOICES_DIR") {
        return PathBuf::from(d);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kiosk")
        .join("voices")
}

/// The voice folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The HTS voice file.
    pub fn voice_file(&self) -> PathBuf {
        self.dir.join(VOICE_FILE)
    }

    /// The folder of one language's prompts.
    pub fn lang_dir(&self, lang: LangCode) -> PathBuf {
        self.dir.join(lang.as_str())
    }

    /// Where the utterance's audio is (or goes).
    pub fn path(&self, u: &Utterance) -> PathBuf {
        self.lang_dir(u.lang).join(format!("{}.wav", key(u)))
    }

    /// The catalogue's utterances whose file is missing.
    pub fn missing(&self, strings: &Strings) -> Vec<Utterance> {
        catalog(strings)
            .into_iter()
            .filter(|u| !self.path(u).is_file())
            .collect()
    }
}

/// The utterance's key: the first 128 bits of SHA-256 over the engine settings and the words, in hex.
pub fn key(u: &Utterance) -> String {
    let mut h = Sha256::new();
    h.update(engine_tag(u.lang).as_bytes());
    h.update(b"\n");
    h.update(u.words.as_bytes());
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_the_words_and_the_language() {
        let u = |lang, w: &str| Utterance {
            lang,
            words: w.into(),
        };
        let a = key(&u(LangCode::Ja, "カードを置いてください"));
        assert_eq!(a.len(), 32);
        assert_eq!(a, key(&u(LangCode::Ja, "カードを置いてください")));
        assert_ne!(
            a,
            key(&u(LangCode::Ja, "カードを置いてください。")),
            "a reworded text"
        );
        assert_ne!(a, key(&u(LangCode::En, "カードを置いてください")));
    }

    #[test]
    fn the_manifest_names_the_voice() {
        assert_eq!(expected_sha256(VOICE_FILE).map(str::len), Some(64));
    }
}
