//! `kiosk-voice`: pre-render and check the kiosk's spoken prompts.
//!
//! * `kiosk-voice render [--dir DIR]`: render every fixed prompt that is missing (Open JTalk + Mei,
//!   espeak-ng) and remove the stale ones; `cargo xtask voices` runs it after fetching the voice.
//! * `kiosk-voice check [--dir DIR]`: every prompt is there and decodes; prints counts and the total length.
//!
//! DIR: the voice folder, by default `$KIOSK_VOICES_DIR`, else `~/.cache/kiosk/voices`.

use kiosk_ui::Strings;
use kiosk_voice::{Cache, LangCode, catalog, check_wav, default_dir, render_all};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.iter().position(|a| a == "--dir") {
        Some(i) => match args.get(i + 1) {
            Some(d) => d.into(),
            None => return usage(),
        },
        None => default_dir(),
    };
    let strings = match Strings::embedded() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kiosk-voice: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cache = Cache::new(dir);
    let result = match args.first().map(String::as_str) {
        Some("render") => render_all(&cache, &strings)
            .map(|r| {
                println!(
                    "kiosk-voice: {} prompts rendered, {} already there, {} stale removed, in {:.1} s ({})",
                    r.rendered,
                    r.present,
                    r.pruned,
                    r.took.as_secs_f64(),
                    cache.dir().display()
                );
            })
            .map_err(|e| e.to_string()),
        Some("check") => check(&cache, &strings),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk-voice: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: kiosk-voice <render | check> [--dir DIR]");
    ExitCode::from(2)
}

fn check(cache: &Cache, strings: &Strings) -> Result<(), String> {
    let mut total = Duration::ZERO;
    let mut count = [0usize; 2];
    for u in catalog(strings) {
        let path = cache.path(&u);
        let info = check_wav(&path, kiosk_voice::cache::sample_rate(u.lang))
            .map_err(|e| format!("{e} (\"{}\"): run `kiosk-voice render`", u.words))?;
        total += info.length;
        count[usize::from(u.lang == LangCode::En)] += 1;
    }
    println!(
        "kiosk-voice: {} Japanese and {} English prompts present and decoded, {:.0} s of speech ({})",
        count[0],
        count[1],
        total.as_secs_f64(),
        cache.dir().display()
    );
    Ok(())
}
