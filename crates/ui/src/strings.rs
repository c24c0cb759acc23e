//! Screen texts from `assets/strings/{ja,en}.toml` (embedded). Both files must hold exactly the keys of
//! [`Text`], each with some text: loading refuses a gap or a leftover key, so a screen can never show a
//! raw key or an empty line, and the tests catch a bad file before it is shipped.

use crate::text::Text;
use kiosk_screens::Lang;
use std::collections::HashMap;

/// The screen texts in both languages, one for every [`Text`].
#[derive(Debug, Clone)]
pub struct Strings {
    /// Indexed by `Text as usize` (the order of [`Text::ALL`]).
    ja: Vec<String>,
    en: Vec<String>,
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
    /// A text the screens show has no key in the file, or an empty text.
    #[error("assets/strings/{file}: no text for \"{key}\"")]
    Missing { file: &'static str, key: &'static str },
    /// The file has a key no screen shows (a typo, or a text left behind).
    #[error("assets/strings/{file}: \"{key}\" is not a text of any screen")]
    Unused { file: &'static str, key: String },
}

/// One language's texts in the order of [`Text::ALL`].
fn table(file: &'static str, toml_text: &str) -> Result<Vec<String>, StringsError> {
    let mut by_key: HashMap<String, String> =
        toml::from_str(toml_text).map_err(|source| StringsError::Parse { file, source })?;
    let texts = Text::ALL
        .iter()
        .map(|t| match by_key.remove(t.key()) {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(StringsError::Missing { file, key: t.key() }),
        })
        .collect::<Result<Vec<String>, StringsError>>()?;
    match by_key.into_keys().min() {
        Some(key) => Err(StringsError::Unused { file, key }),
        None => Ok(texts),
    }
}

impl Strings {
    pub fn embedded() -> Result<Strings, StringsError> {
        Strings::from_toml(JA, EN)
    }

    pub fn from_toml(ja: &str, en: &str) -> Result<Strings, StringsError> {
        Ok(Strings {
            ja: table("ja.toml", ja)?,
            en: table("en.toml", en)?,
        })
    }

    pub fn get(&self, lang: Lang, text: Text) -> &str {
        let table = match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        };
        // Both tables hold one entry per `Text` (checked when loading).
        &table[text as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_text_has_japanese_and_english() {
        let strings = Strings::embedded().unwrap();
        for &text in Text::ALL {
            for lang in [Lang::Ja, Lang::En] {
                assert!(!strings.get(lang, text).trim().is_empty(), "{text:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn no_key_in_the_files_is_unused() {
        let known: BTreeSet<&str> = Text::ALL.iter().map(|t| t.key()).collect();
        for (file, toml_text) in [("ja.toml", JA), ("en.toml", EN)] {
            let keys: HashMap<String, String> = toml::from_str(toml_text).unwrap();
            for key in keys.keys() {
                assert!(known.contains(key.as_str()), "{file}: {key} is unused");
            }
            assert_eq!(keys.len(), known.len(), "{file}");
        }
    }

    /// `{n}`, `{date}` and `{name}` are filled in by the screens: both languages must ask for the same.
    #[test]
    fn both_languages_have_the_same_placeholders() {
        fn holes(s: &str) -> BTreeSet<&str> {
            s.split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .collect()
        }
        let strings = Strings::embedded().unwrap();
        for &text in Text::ALL {
            let (ja, en) = (strings.get(Lang::Ja, text), strings.get(Lang::En, text));
            assert_eq!(holes(ja), holes(en), "{text:?}: {ja} / {en}");
        }
    }

    #[test]
    fn a_gap_or_a_leftover_key_is_refused() {
        let without_title = JA.replace("\"app.title\"", "# \"app.title\"");
        let e = Strings::from_toml(&without_title, EN).unwrap_err();
        assert!(
            matches!(
                e,
                StringsError::Missing {
                    file: "ja.toml",
                    key: "app.title"
                }
            ),
            "{e}"
        );

        let empty_title = EN.replace(
            "\"app.title\" = \"My Number insurance card reception\"",
            "\"app.title\" = \" \"",
        );
        let e = Strings::from_toml(JA, &empty_title).unwrap_err();
        assert!(
            matches!(
                e,
                StringsError::Missing {
                    file: "en.toml",
                    key: "app.title"
                }
            ),
            "{e}"
        );

        let e = Strings::from_toml(JA, &format!("{EN}\n\"front.Unknown\" = \"?\"\n")).unwrap_err();
        assert!(
            matches!(&e, StringsError::Unused { file: "en.toml", key } if key == "front.Unknown"),
            "{e}"
        );

        let e = Strings::from_toml("\"app.title\" = ", EN).unwrap_err();
        assert!(matches!(e, StringsError::Parse { file: "ja.toml", .. }), "{e}");
    }
}
