//! The kiosk's voice guidance, through its screens (egui_kittest) with the recording test speaker: each
//! screen's prompt is said when it opens and cut off when the screen changes, and the PIN pad says how
//! many digits were typed, never which.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::core::KioskCore;
use kiosk::demo::{self, TempDir};
use kiosk::gui::{DemoPanel, KioskApp};
use kiosk_reception::{Lang, Screen};
use kiosk_ui::{Strings, Text};
use kiosk_voice::{Cache, Phrase, Played, TestSpeaker, Voice, VoiceSettings, catalog, screen_phrases};
use std::time::{Duration, Instant};

struct Kiosk {
    h: Harness<'static, KioskApp>,
    speaker: TestSpeaker,
    strings: Strings,
    _work: TempDir,
}

/// A voice folder holding a short WAV for every catalogued prompt: the wiring is tested here, the
/// rendered audio in kiosk-voice's own test.
fn voice_folder(work: &TempDir) -> std::path::PathBuf {
    let dir = work.path().join("voices");
    let cache = Cache::new(&dir);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    for u in catalog(&Strings::embedded().unwrap()) {
        let path = cache.path(&u);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for s in [0i16, 5000, -5000, 0] {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
    }
    dir
}

fn kiosk(tag: &str, speaker: TestSpeaker) -> Kiosk {
    let work = TempDir::new(&format!("voice-{tag}")).unwrap();
    let panel = DemoPanel::new(None);
    let (ctx, wake) = kiosk::gui::waker();
    let parts = demo::parts(None, panel.camera(), &work, wake).unwrap();
    let core = KioskCore::start(parts).unwrap();
    let strings = Strings::embedded().unwrap();
    let voice = Voice::start(
        VoiceSettings {
            dir: voice_folder(&work),
            volume: 80,
        },
        strings.clone(),
        Box::new(speaker.clone()),
    );
    let app = KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default())
        .unwrap()
        .with_voice(voice);
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1100.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame(ui), app);
    let mut k = Kiosk {
        h,
        speaker,
        strings,
        _work: work,
    };
    settle(&mut k);
    k
}

fn settle(k: &mut Kiosk) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for _ in 0..3 {
            k.h.step();
        }
        if !k.h.state().core.busy() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    k.h.step();
}

fn click(k: &mut Kiosk, label: &str) {
    k.h.get_by_label(label).click();
    settle(k);
}

/// Wait until the speaker has started `words` (the voice has its own thread).
fn wait_said(k: &Kiosk, words: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if k.speaker.spoken().iter().any(|w| w == words) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let spoken = k.speaker.spoken();
    assert!(
        spoken.iter().any(|w| w == words),
        "{words:?} not said: {spoken:?}"
    );
    spoken
}

/// Wait until the speaker has started `words` as its `before`-th clip or later.
fn said_after(k: &Kiosk, before: usize, words: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !k.speaker.spoken()[before..].iter().any(|w| w == words) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let spoken = k.speaker.spoken();
    assert!(
        spoken[before..].iter().any(|w| w == words),
        "{words:?} not said after clip {before}: {spoken:?}"
    );
}

fn words(k: &Kiosk, phrase: Phrase) -> String {
    phrase.words(&k.strings, Lang::Ja)
}

#[test]
fn each_screen_is_said_when_it_opens_and_cut_off_when_it_changes() {
    // Clips "play" until the next screen stops them.
    let mut k = kiosk("screens", TestSpeaker::holding());
    let idle_title = words(&k, Phrase::plain(Text::IdleTitle));
    wait_said(&k, &idle_title);
    click(&mut k, "カードを置く: suzuki");
    // A kiosk without the face models: the method choice offers the PIN (and staff).
    let screen = k.h.state().core.screen().clone();
    assert!(matches!(screen, Screen::MethodChoice { .. }), "{screen:?}");
    let method_title = words(&k, Phrase::plain(Text::MethodTitle));
    wait_said(&k, &method_title);
    let log = k.speaker.log();
    assert!(
        log.contains(&Played::Stopped {
            words: idle_title.clone()
        }),
        "the idle prompt was cut off by the new screen: {log:?}"
    );
    // What was said of the method screen is what the one table gives for it, first phrase first.
    let expected = screen_phrases(&screen, None);
    assert_eq!(expected.first().map(|p| words(&k, *p)), Some(method_title));
    // Switching language (the button opens the picker) says the screen again, in English.
    let language = k.strings.get(Lang::Ja, Text::CommonLanguage).to_string();
    click(&mut k, &language);
    click(&mut k, Lang::En.native_name());
    wait_said(&k, &Phrase::plain(Text::MethodTitle).words(&k.strings, Lang::En));
}

#[test]
fn the_pin_pad_says_the_count_of_digits_and_never_a_digit() {
    let mut k = kiosk("pin", TestSpeaker::new());
    click(&mut k, "カードを置く: suzuki");
    let pin_button = k.strings.get(Lang::Ja, Text::MethodPin).replace("{n}", "3");
    click(&mut k, &pin_button);
    let pin_title = words(&k, Phrase::plain(Text::PinTitle));
    wait_said(&k, &pin_title);
    let before = k.speaker.spoken().len();
    // A PIN whose digits are none of the counts 1–4, so any digit said would show.
    for d in ["9", "8", "7", "6"] {
        click(&mut k, d);
    }
    let delete = k.strings.get(Lang::Ja, Text::PinDelete).to_string();
    click(&mut k, &delete);
    let last = words(&k, Phrase::digits_entered(3));
    let deadline = Instant::now() + Duration::from_secs(5);
    while k.speaker.spoken().len() < before + 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let typed: Vec<String> = k.speaker.spoken()[before..].to_vec();
    let counts: Vec<String> = [1, 2, 3, 4, 3]
        .map(|n| words(&k, Phrase::digits_entered(n)))
        .to_vec();
    assert_eq!(typed, counts, "one count per key, the last after 訂正 ({last})");
    for w in k.speaker.spoken() {
        for d in ['9', '8', '7', '6', '９', '８', '７', '６'] {
            assert!(!w.contains(d), "a PIN digit was said: {w:?}");
        }
    }
    assert_eq!(k.h.state().core.counters.pins_sent, 0, "nothing was confirmed");
}

/// A patient on the physical keypad hears the choice the focus lands on (the label as drawn, tries
/// left and all), after a new screen's prompt; on the PIN pad a digit typed says the count only, and
/// the focus on a digit key says nothing.
#[test]
fn the_keypad_focus_says_the_choice_and_never_a_digit() {
    let mut k = kiosk("focus", TestSpeaker::new());
    click(&mut k, "カードを置く: suzuki");
    wait_said(&k, &words(&k, Phrase::plain(Text::MethodTitle)));
    // The first key shows the ring on the first choice and says it (after the screen's own prompt,
    // which names the choice too).
    let before = k.speaker.spoken().len();
    k.h.key_press(egui::Key::Tab);
    settle(&mut k);
    let pin_choice = words(&k, Phrase::n(Text::MethodPin, 3));
    said_after(&k, before, &pin_choice);
    assert_eq!(
        k.h.state().ui.focused().and_then(|f| f.text),
        Some(Text::MethodPin)
    );
    // The next key moves on and says where.
    let before = k.speaker.spoken().len();
    k.h.key_press(egui::Key::Tab);
    settle(&mut k);
    let next = k.h.state().ui.focused().unwrap();
    let next_words = kiosk_voice::focus_phrase(k.h.state().core.screen(), &next, &k.strings)
        .map(|p| words(&k, p))
        .unwrap();
    said_after(&k, before, &next_words);
    // Back to the PIN choice and Enter: the PIN screen's prompt, then its first choice.
    k.h.key_press(egui::Key::Minus);
    k.h.key_press(egui::Key::Enter);
    settle(&mut k);
    assert!(matches!(k.h.state().core.screen(), Screen::PinEntry { .. }));
    let spoken = wait_said(&k, &words(&k, Phrase::plain(Text::PinTitle)));
    let title_at = spoken
        .iter()
        .rposition(|w| *w == words(&k, Phrase::plain(Text::PinTitle)));
    let first = k.h.state().ui.focused().unwrap();
    assert!(
        first.label.chars().all(|c| c.is_ascii_digit()),
        "the pad's first key is a digit: {first:?}"
    );
    // Digits typed on the keypad: the count, never the move to 決定 nor a digit.
    let before = k.speaker.spoken().len();
    for d in [egui::Key::Num9, egui::Key::Num8] {
        k.h.key_press(d);
        settle(&mut k);
    }
    wait_said(&k, &words(&k, Phrase::digits_entered(2)));
    assert_eq!(
        k.speaker.spoken()[before..].to_vec(),
        [1, 2].map(|n| words(&k, Phrase::digits_entered(n))).to_vec(),
        "only the counts (the PIN screen's prompt was said at {title_at:?})"
    );
    // Walking the whole order: every choice but the digit keys is said, no digit ever.
    let order = k.h.state().ui.focus_order();
    let before = k.speaker.spoken().len();
    for _ in 0..order.len() {
        k.h.key_press(egui::Key::Tab);
        settle(&mut k);
    }
    let named = order
        .iter()
        .filter(|l| !l.chars().all(|c| c.is_ascii_digit()))
        .count();
    let deadline = Instant::now() + Duration::from_secs(5);
    while k.speaker.spoken().len() < before + named && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let walked = k.speaker.spoken()[before..].to_vec();
    assert_eq!(walked.len(), named, "{walked:?} for {order:?}");
    for w in k.speaker.spoken() {
        for d in ['9', '8', '９', '８'] {
            assert!(!w.contains(d), "a PIN digit was said: {w:?}");
        }
    }
    assert_eq!(k.h.state().core.counters.pins_sent, 0);
}
