//! Every spoken prompt has its audio, and the audio is speech-like: it decodes, has the engine's sample
//! rate, lasts as long as its words need, and is not silence. Needs the rendered voice folder
//! (`cargo xtask voices`, which `cargo xtask test` runs first): without it this test fails and says so.

use kiosk_ui::Strings;
use kiosk_voice::cache::sample_rate;
use kiosk_voice::{Cache, LangCode, catalog, check_wav, default_dir};

#[test]
fn every_spoken_text_has_audio_that_decodes() {
    let strings = Strings::embedded().unwrap_or_else(|e| panic!("{e}"));
    let cache = Cache::new(default_dir());
    let all = catalog(&strings);
    let missing = cache.missing(&strings);
    assert!(
        missing.is_empty(),
        "{} of {} prompts are not rendered in {} (run `cargo xtask voices`), e.g. {:?}",
        missing.len(),
        all.len(),
        cache.dir().display(),
        missing.first()
    );
    for u in &all {
        let path = cache.path(u);
        let info = check_wav(&path, sample_rate(u.lang)).unwrap_or_else(|e| panic!("{e} ({:?})", u.words));
        let length = info.length.as_secs_f64();
        // At least ~0.04 s per character in Japanese (kana and kanji), 0.02 s per English letter; at
        // most 60 s.
        let chars = u.words.chars().count() as f64;
        let least = match u.lang {
            LangCode::Ja => 0.04 * chars,
            LangCode::En => 0.02 * chars,
        };
        assert!(
            length >= least.min(1.0) && length < 60.0,
            "{:?}: {length:.2} s for {chars} characters",
            u.words
        );
        let peak = info.peak;
        assert!(peak > 1000, "{:?} is (nearly) silent: peak {peak}", u.words);
    }
}
