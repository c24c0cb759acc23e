//! Screen texts from `assets/strings/<code>.toml` (embedded), one file per [`Lang`]. Every file must hold
//! exactly the keys of [`Text`], each with some text: loading refuses a gap or a leftover key, so a screen
//! can never show a raw key or an empty line, and the tests catch a bad file before it is shipped.
//!
//! Japanese is the reference text and English the second language; the files of the other languages
//! (zh, ko, vi, pt) are translations awaiting native review (each says so in its header).

use crate::text::Text;
use kiosk_screens::Lang;
use std::collections::HashMap;

/// The screen texts in every language, one for every [`Text`].
#[derive(Debug, Clone)]
pub struct Strings {
    /// Indexed by `Lang` (the order of [`Lang::ALL`]), then by `Text as usize` (the order of
    /// [`Text::ALL`]).
    tables: Vec<Vec<String>>,
}

pub const JA: &str = include_str!("../../../assets/strings/ja.toml");
pub const EN: &str = include_str!("../../../assets/strings/en.toml");
pub const ZH: &str = include_str!("../../../assets/strings/zh.toml");
pub const KO: &str = include_str!("../../../assets/strings/ko.toml");
pub const VI: &str = include_str!("../../../assets/strings/vi.toml");
pub const PT: &str = include_str!("../../../assets/strings/pt.toml");

/// The embedded file of each language, in the order of [`Lang::ALL`].
pub const FILES: [(Lang, &str, &str); 6] = [
    (Lang::Ja, "ja.toml", JA),
    (Lang::En, "en.toml", EN),
    (Lang::Zh, "zh.toml", ZH),
    (Lang::Ko, "ko.toml", KO),
    (Lang::Vi, "vi.toml", VI),
    (Lang::Pt, "pt.toml", PT),
];

fn index(lang: Lang) -> usize {
    Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
}

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
        Strings::from_files(&FILES)
    }

    /// The texts of Japanese and English only, the other languages as embedded (for tests of a changed
    /// reference file).
    pub fn from_toml(ja: &str, en: &str) -> Result<Strings, StringsError> {
        let mut files = FILES;
        files[index(Lang::Ja)].2 = ja;
        files[index(Lang::En)].2 = en;
        Strings::from_files(&files)
    }

    /// One file for every language, in the order of [`Lang::ALL`].
    pub fn from_files(files: &[(Lang, &'static str, &str); 6]) -> Result<Strings, StringsError> {
        let tables = Lang::ALL
            .iter()
            .zip(files)
            .map(|(&lang, &(file_lang, file, text))| {
                debug_assert_eq!(lang, file_lang, "{file} listed out of order");
                table(file, text)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Strings { tables })
    }

    pub fn get(&self, lang: Lang, text: Text) -> &str {
        // Every table holds one entry per `Text` (checked when loading).
        &self.tables[index(lang)][text as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_text_has_every_language() {
        let strings = Strings::embedded().unwrap();
        for &text in Text::ALL {
            for lang in Lang::ALL {
                assert!(!strings.get(lang, text).trim().is_empty(), "{text:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn no_key_in_the_files_is_unused() {
        let known: BTreeSet<&str> = Text::ALL.iter().map(|t| t.key()).collect();
        for (_, file, toml_text) in FILES {
            let keys: HashMap<String, String> = toml::from_str(toml_text).unwrap();
            for key in keys.keys() {
                assert!(known.contains(key.as_str()), "{file}: {key} is unused");
            }
            assert_eq!(keys.len(), known.len(), "{file}");
        }
    }

    fn holes(s: &str) -> BTreeSet<&str> {
        s.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    /// `{n}`, `{date}`, `{name}` and `{where}` are filled in by the screens: every language must ask for
    /// the same as English.
    #[test]
    fn every_language_has_the_placeholders_of_english() {
        let strings = Strings::embedded().unwrap();
        for &text in Text::ALL {
            let en = strings.get(Lang::En, text);
            for lang in Lang::ALL {
                let other = strings.get(lang, text);
                assert_eq!(holes(other), holes(en), "{text:?} in {lang:?}: {other} / {en}");
            }
        }
    }

    /// The check above must be able to fail: a translation that dropped `{n}` is caught.
    #[test]
    fn a_dropped_placeholder_is_seen() {
        assert_ne!(holes("残り{n}回"), holes("tentativas restantes"));
        assert_eq!(holes("{date}（{n}日）"), holes("{n} days, {date}"));
    }

    /// The translations await a native speaker's review: each file says so at its top, so that nobody
    /// takes them for reviewed text.
    #[test]
    fn translations_say_they_await_review() {
        for (lang, file, text) in FILES {
            if matches!(lang, Lang::Ja | Lang::En) {
                continue;
            }
            assert!(
                text.lines().take(10).any(|l| l.contains("NATIVE REVIEW")),
                "{file}"
            );
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
