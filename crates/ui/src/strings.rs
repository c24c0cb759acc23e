//! Screen texts from `assets/strings/{ja,en}.toml` (embedded). A missing key shows as the key itself, so
//! a gap is visible; a test checks both files have every key the screens use.

use kiosk_reception::Lang;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Strings {
    ja: HashMap<String, String>,
    en: HashMap<String, String>,
}

pub const JA: &str = include_str!("../../../assets/strings/ja.toml");
pub const EN: &str = include_str!("../../../assets/strings/en.toml");

/// Why the screen texts could not be loaded. The texts are embedded, so this only happens when a
/// changed file is built in; the kiosk refuses to start rather than show broken screens.
#[derive(Debug, thiserror::Error)]
pub enum StringsError {
    /// The file is not a TOML table of strings.
    #[error("assets/strings/{file}: {}", .source.message())]
    Parse {
        file: &'static str,
        source: toml::de::Error,
    },
}

fn parse(file: &'static str, text: &str) -> Result<HashMap<String, String>, StringsError> {
    toml::from_str(text).map_err(|source| StringsError::Parse { file, source })
}

impl Strings {
    pub fn embedded() -> Result<Strings, StringsError> {
        Strings::from_toml(JA, EN)
    }

    pub fn from_toml(ja: &str, en: &str) -> Result<Strings, StringsError> {
        Ok(Strings {
            ja: parse("ja.toml", ja)?,
            en: parse("en.toml", en)?,
        })
    }

    pub fn get(&self, lang: Lang, key: &str) -> String {
        let table = if lang == Lang::Ja { &self.ja } else { &self.en };
        table.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let table = if lang == Lang::Ja { &self.ja } else { &self.en };
        let mut k: Vec<&str> = table.keys().map(String::as_str).collect();
        k.sort();
        k
    }
}
