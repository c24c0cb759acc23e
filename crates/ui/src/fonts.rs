//! The screens' fonts, per language.
//!
//! BIZ UD PGothic (SIL OFL 1.1, embedded) covers Japanese, English and Portuguese (Latin-1). It lacks
//! Hangul, many simplified Chinese characters (请, 读, 证 …) and the Vietnamese letters (ơ, ư, ạ, ế …:
//! its Latin stops at U+017F). Those three languages use Noto Sans CJK (SIL OFL 1.1), whose collection
//! has a face per region and Latin with the Vietnamese letters; it comes from Debian's `fonts-noto-cjk`
//! (`cargo xtask setup` installs it) and is read from [`CJK_DIR`].
//!
//! The collection is about 40 MB (regular and bold), so it is read only when a screen needs it: when the
//! patient opens the language picker (it names every language in its own script) or a language that
//! needs it is on screen. The kiosk starting in Japanese never reads it. Once read it stays for the
//! life of the process (one copy, shared by its faces). Without the package those languages are not
//! offered in the picker (they would show empty boxes), and `kiosk doctor` says what to install.

use egui::{FontData, FontDefinitions, FontFamily};
use kiosk_screens::Lang;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where Debian's `fonts-noto-cjk` puts the collections.
pub const CJK_DIR: &str = "/usr/share/fonts/opentype/noto";
const CJK_REGULAR: &str = "NotoSansCJK-Regular.ttc";
const CJK_BOLD: &str = "NotoSansCJK-Bold.ttc";
/// Face indices in the collections, as `fc-query` lists them: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK. A face
/// draws the shared Han characters the way its region writes them, so Chinese uses SC, not JP.
const FACE_KR: u32 = 1;
const FACE_SC: u32 = 2;

const BIZUD: &str = "bizud";
const BIZUD_BOLD: &str = "bizud-bold";

/// The family of bold text (titles).
pub fn bold() -> FontFamily {
    FontFamily::Name("bold".into())
}

/// The family that draws `lang`'s name in its own script (the language picker's buttons).
pub fn native(lang: Lang) -> FontFamily {
    FontFamily::Name(format!("lang-{}", lang.code()).into())
}

/// Whether `lang`'s texts need Noto Sans CJK (see the module's comment).
pub fn needs_cjk(lang: Lang) -> bool {
    matches!(lang, Lang::Zh | Lang::Ko | Lang::Vi)
}

/// Noto Sans CJK could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source} (install Debian's fonts-noto-cjk: `apt-get install fonts-noto-cjk`)", .path.display())]
pub struct CjkMissing {
    path: PathBuf,
    source: std::io::Error,
}

/// The two Noto Sans CJK collections, read once.
#[derive(Clone)]
pub struct Cjk {
    regular: Arc<Vec<u8>>,
    bold: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Cjk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cjk({} + {} bytes)", self.regular.len(), self.bold.len())
    }
}

impl Cjk {
    /// Read both collections from `dir`.
    pub fn load(dir: &Path) -> Result<Cjk, CjkMissing> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .map(Arc::new)
                .map_err(|source| CjkMissing { path, source })
        };
        Ok(Cjk {
            regular: read(CJK_REGULAR)?,
            bold: read(CJK_BOLD)?,
        })
    }

    /// Whether both collections are there to read (for `kiosk doctor`; reads nothing).
    pub fn check(dir: &Path) -> Result<(), CjkMissing> {
        for name in [CJK_REGULAR, CJK_BOLD] {
            let path = dir.join(name);
            std::fs::metadata(&path).map_err(|source| CjkMissing { path, source })?;
        }
        Ok(())
    }
}

fn face(bytes: &Arc<Vec<u8>>, index: u32) -> Arc<FontData> {
    Arc::new(FontData::from_blob(bytes.clone(), index))
}

/// The font definitions for screens in `lang`: its text in `Proportional` and [`bold`], and every
/// language's name in its [`native`] family. Without `cjk`, only BIZ UD PGothic is used.
pub fn definitions(lang: Lang, cjk: Option<&Cjk>) -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        BIZUD.into(),
        Arc::new(FontData::from_static(include_bytes!(
            "../../../assets/fonts/BIZUDPGothic-Regular.ttf"
        ))),
    );
    fonts.font_data.insert(
        BIZUD_BOLD.into(),
        Arc::new(FontData::from_static(include_bytes!(
            "../../../assets/fonts/BIZUDPGothic-Bold.ttf"
        ))),
    );
    if let Some(cjk) = cjk {
        fonts
            .font_data
            .insert("noto-kr".into(), face(&cjk.regular, FACE_KR));
        fonts
            .font_data
            .insert("noto-sc".into(), face(&cjk.regular, FACE_SC));
        fonts
            .font_data
            .insert("noto-kr-bold".into(), face(&cjk.bold, FACE_KR));
        fonts
            .font_data
            .insert("noto-sc-bold".into(), face(&cjk.bold, FACE_SC));
    }
    // The fonts for one language, first the one that draws it, then the others as a fallback.
    let order = |l: Lang, bold: bool| -> Vec<String> {
        let b = if bold { "-bold" } else { "" };
        let base = if bold { BIZUD_BOLD } else { BIZUD };
        if cjk.is_none() {
            return vec![base.into()];
        }
        let (kr, sc) = (format!("noto-kr{b}"), format!("noto-sc{b}"));
        match l {
            Lang::Zh | Lang::Vi => vec![sc, base.into(), kr],
            Lang::Ko => vec![kr, base.into(), sc],
            Lang::Ja | Lang::En | Lang::Pt => vec![base.into(), sc, kr],
        }
    };
    fonts
        .families
        .insert(FontFamily::Proportional, order(lang, false));
    fonts.families.insert(FontFamily::Monospace, vec![BIZUD.into()]);
    fonts.families.insert(bold(), order(lang, true));
    for l in Lang::ALL {
        fonts.families.insert(native(l), order(l, false));
    }
    fonts
}

/// Which definitions are installed in the context: rebuilt only when this changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Installed {
    lang: Lang,
    cjk: bool,
}

/// The fonts the screens have installed, and Noto Sans CJK once read.
#[derive(Debug)]
pub struct ScreenFonts {
    dir: PathBuf,
    cjk: Option<Result<Cjk, String>>,
    installed: Option<Installed>,
    /// The pass in which Noto Sans CJK was first installed: egui draws with new fonts from the next
    /// pass on, so text needing it waits for that pass rather than showing a missing glyph.
    cjk_since: Option<u64>,
}

impl ScreenFonts {
    /// Fonts with Noto Sans CJK looked for in `dir` (normally [`CJK_DIR`]) when first needed.
    pub fn new(dir: impl Into<PathBuf>) -> ScreenFonts {
        ScreenFonts {
            dir: dir.into(),
            cjk: None,
            installed: None,
            cjk_since: None,
        }
    }

    /// Whether text in `lang` (or, for [`Lang::Ja`] with `all_names`, every language's name) can be
    /// drawn in this pass. When Noto Sans CJK is missing it never will be: draw anyway (the picker does
    /// not offer those languages; a kiosk.toml language needing it is a `kiosk doctor` problem).
    pub fn drawable(&self, ctx: &egui::Context, lang: Lang, all_names: bool) -> bool {
        let needs = needs_cjk(lang) || all_names;
        let missing = matches!(self.cjk, Some(Err(_)));
        !needs || missing || self.cjk_since.is_some_and(|p| ctx.cumulative_pass_nr() > p)
    }

    /// Noto Sans CJK, read on the first call.
    fn cjk(&mut self) -> Option<&Cjk> {
        let dir = &self.dir;
        self.cjk
            .get_or_insert_with(|| Cjk::load(dir).map_err(|e| e.to_string()))
            .as_ref()
            .ok()
    }

    /// Whether the picker can offer `lang`: its glyphs can be drawn. Reads Noto Sans CJK if needed.
    pub fn can_show(&mut self, lang: Lang) -> bool {
        !needs_cjk(lang) || self.cjk().is_some()
    }

    /// Why Noto Sans CJK could not be read, once it was tried.
    pub fn cjk_problem(&self) -> Option<&str> {
        self.cjk.as_ref()?.as_ref().err().map(String::as_str)
    }

    /// Make the context draw `lang` (and, with `all_names`, every language's name): read Noto Sans CJK
    /// when needed and install new definitions when they change. egui uses them from the next pass, so
    /// this asks for one.
    pub fn prepare(&mut self, ctx: &egui::Context, lang: Lang, all_names: bool) {
        let cjk = if needs_cjk(lang) || all_names || self.installed.is_some_and(|i| i.cjk) {
            self.cjk().cloned()
        } else {
            None
        };
        let want = Installed {
            lang,
            cjk: cjk.is_some(),
        };
        if self.installed != Some(want) {
            ctx.set_fonts(definitions(lang, cjk.as_ref()));
            ctx.request_repaint();
            self.installed = Some(want);
            if want.cjk && self.cjk_since.is_none() {
                self.cjk_since = Some(ctx.cumulative_pass_nr());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strings::Strings;
    use crate::text::Text;
    use egui::FontId;

    /// One empty pass (egui loads new fonts at the start of a pass); its textures go nowhere.
    fn pass(ctx: &egui::Context) {
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .textures_delta
            .clear();
    }

    /// A context with `defs` installed.
    fn context(defs: FontDefinitions) -> egui::Context {
        let ctx = egui::Context::default();
        ctx.set_fonts(defs);
        pass(&ctx);
        ctx
    }

    fn missing(ctx: &egui::Context, family: &FontFamily, s: &str) -> Vec<char> {
        ctx.fonts_mut(|f| {
            s.chars()
                .filter(|&c| !c.is_whitespace() && !f.has_glyph(&FontId::new(20.0, family.clone()), c))
                .collect()
        })
    }

    fn noto() -> Cjk {
        Cjk::load(Path::new(CJK_DIR))
            .unwrap_or_else(|e| panic!("{e}: the tests check Chinese, Korean and Vietnamese glyphs with it"))
    }

    /// Every character of every text, in regular and bold, is drawn by the fonts the kiosk installs for
    /// that language: Japanese, English and Portuguese with BIZ UD PGothic alone (the kiosk does not read
    /// Noto for them), the others with Noto Sans CJK.
    #[test]
    fn every_text_of_every_language_has_its_glyphs() {
        let strings = Strings::embedded().unwrap();
        let noto = noto();
        for lang in Lang::ALL {
            let ctx = context(definitions(lang, needs_cjk(lang).then_some(&noto)));
            let mut gaps = Vec::new();
            for &text in Text::ALL {
                let s = strings.get(lang, text);
                for family in [FontFamily::Proportional, bold()] {
                    let m = missing(&ctx, &family, s);
                    if !m.is_empty() {
                        gaps.push(format!("{text:?} {family:?}: {m:?}"));
                    }
                }
            }
            assert!(gaps.is_empty(), "{lang:?} lacks glyphs:\n{}", gaps.join("\n"));
        }
    }

    /// The picker names every language in its own script, drawn with that language's font.
    #[test]
    fn every_language_name_has_its_glyphs() {
        let noto = noto();
        for shown_in in Lang::ALL {
            let ctx = context(definitions(shown_in, Some(&noto)));
            for l in Lang::ALL {
                assert_eq!(missing(&ctx, &native(l), l.native_name()), [], "{l:?}");
            }
        }
    }

    /// The check above can fail: BIZ UD PGothic alone lacks Hangul, simplified Chinese and the
    /// Vietnamese letters, which is why those languages need Noto.
    #[test]
    fn biz_ud_alone_lacks_what_noto_adds() {
        let ctx = context(definitions(Lang::Ja, None));
        for name in ["한국어", "简体", "Tiếng Việt"] {
            assert!(
                !missing(&ctx, &FontFamily::Proportional, name).is_empty(),
                "{name}"
            );
        }
        assert_eq!(missing(&ctx, &FontFamily::Proportional, "Português"), []);
    }

    #[test]
    fn a_missing_noto_is_reported_and_its_languages_withheld() {
        let dir = std::env::temp_dir().join(format!("kiosk-no-fonts-{}", std::process::id()));
        let e = Cjk::load(&dir).unwrap_err().to_string();
        assert!(
            e.contains("NotoSansCJK-Regular.ttc") && e.contains("fonts-noto-cjk"),
            "{e}"
        );
        assert!(Cjk::check(&dir).is_err());

        let mut fonts = ScreenFonts::new(&dir);
        assert!(fonts.can_show(Lang::Pt) && fonts.can_show(Lang::Ja));
        assert!(!fonts.can_show(Lang::Ko) && !fonts.can_show(Lang::Zh) && !fonts.can_show(Lang::Vi));
        assert!(fonts.cjk_problem().is_some_and(|p| p.contains("fonts-noto-cjk")));
        // The screens still draw, with BIZ UD PGothic.
        let ctx = egui::Context::default();
        fonts.prepare(&ctx, Lang::Ko, true);
        pass(&ctx);
        assert!(ctx.fonts_mut(|f| f.has_glyph(&FontId::new(20.0, native(Lang::Ko)), 'A')));
    }

    /// Japanese screens never read the 40 MB collection; the picker or a language that needs it does.
    #[test]
    fn noto_is_read_only_when_needed() {
        let mut fonts = ScreenFonts::new(CJK_DIR);
        let ctx = egui::Context::default();
        fonts.prepare(&ctx, Lang::Ja, false);
        fonts.prepare(&ctx, Lang::Pt, false);
        assert!(fonts.cjk.is_none());
        fonts.prepare(&ctx, Lang::Ja, true);
        assert!(fonts.cjk.as_ref().is_some_and(Result::is_ok));
        assert_eq!(
            fonts.installed,
            Some(Installed {
                lang: Lang::Ja,
                cjk: true
            })
        );
    }
}
