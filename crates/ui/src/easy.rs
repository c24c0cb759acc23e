//! やさしい日本語 (easy Japanese): plainer wording for the main patient screens, used in place of
//! `ja.toml` when the kiosk is configured for it (`[screen] easy_japanese`). Short sentences, hard words
//! said another way, kanji with their reading in brackets, phrases spaced apart (分かち書き), after the
//! Immigration Services Agency and Agency for Cultural Affairs' 「在留支援のためのやさしい日本語ガイドライン」
//! (2020). Only some texts have an easy form; the others stay as in `ja.toml`.

use crate::StringsError;
use crate::text::Text;
use std::collections::HashMap;

pub const EASY: &str = include_str!("../../../assets/strings/ja-easy.toml");

/// The easy forms, by text.
#[derive(Debug, Clone)]
pub(crate) struct EasyJapanese {
    texts: HashMap<Text, String>,
}

impl EasyJapanese {
    pub(crate) fn embedded() -> Result<EasyJapanese, StringsError> {
        EasyJapanese::from_toml(EASY)
    }

    /// Every key must be a text of the screens, each with some text.
    pub(crate) fn from_toml(toml_text: &str) -> Result<EasyJapanese, StringsError> {
        let file = "ja-easy.toml";
        let by_key: HashMap<String, String> =
            toml::from_str(toml_text).map_err(|source| StringsError::Parse { file, source })?;
        let mut texts = HashMap::new();
        for (key, value) in by_key {
            let Some(&text) = Text::ALL.iter().find(|t| t.key() == key) else {
                return Err(StringsError::Unused { file, key });
            };
            if value.trim().is_empty() {
                return Err(StringsError::Missing {
                    file,
                    key: text.key(),
                });
            }
            texts.insert(text, value);
        }
        Ok(EasyJapanese { texts })
    }

    pub(crate) fn get(&self, text: Text) -> Option<&str> {
        self.texts.get(&text).map(String::as_str)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.texts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easy_japanese_covers_the_main_screens() {
        let easy = EasyJapanese::embedded().unwrap_or_else(|e| panic!("{e}"));
        for t in [
            Text::IdleTitle,
            Text::MethodTitle,
            Text::PinTitle,
            Text::ConsentTitle,
            Text::DoneTitle,
        ] {
            assert!(easy.get(t).is_some(), "{t:?}");
        }
        assert!(easy.len() >= 30);
        // The placeholders of the texts they replace are kept.
        let strings = crate::Strings::embedded().unwrap_or_else(|e| panic!("{e}"));
        for &t in Text::ALL {
            if let Some(e) = easy.get(t) {
                for p in ["{n}", "{name}", "{date}", "{where}"] {
                    assert_eq!(
                        strings.get(kiosk_screens::Lang::Ja, t).contains(p),
                        e.contains(p),
                        "{t:?}: {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_bad_easy_file_is_refused() {
        assert!(matches!(
            EasyJapanese::from_toml("\"idle.titel\" = \"x\""),
            Err(StringsError::Unused { .. })
        ));
        assert!(matches!(
            EasyJapanese::from_toml("\"idle.title\" = \" \""),
            Err(StringsError::Missing { .. })
        ));
    }
}
