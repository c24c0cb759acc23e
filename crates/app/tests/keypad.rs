//! The physical keypad (issue 17, item 4): a reception from the card to 「完了」 with key events only
//! (the card itself is placed from the demo panel: it is the one thing a patient does by hand), and
//! every choice on every screen in the keypad's focus order.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::core::KioskCore;
use kiosk::demo::{self, TempDir};
use kiosk::gui::{DemoPanel, KioskApp};
use kiosk_face::FaceModels;
use kiosk_reception::Screen;
use kiosk_ui::Text;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn models() -> &'static FaceModels {
    static M: OnceLock<FaceModels> = OnceLock::new();
    M.get_or_init(|| FaceModels::load_default().unwrap_or_else(|e| panic!("{e}")))
}

struct Kiosk {
    h: Harness<'static, KioskApp>,
    _work: TempDir,
}

fn kiosk(tag: &str) -> Kiosk {
    let work = TempDir::new(&format!("keypad-{tag}")).unwrap();
    let panel = DemoPanel::new(Some(models()));
    let (ctx, wake) = kiosk::gui::waker();
    let mut parts = demo::parts(Some(models()), panel.camera(), &work, wake).unwrap();
    parts.flow.staff_check = kiosk_reception::StaffCheckBy::CodePad;
    let core = KioskCore::start(parts).unwrap();
    let app = KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default()).unwrap();
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1100.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame(ui), app);
    let mut k = Kiosk { h, _work: work };
    settle(&mut k);
    k
}

/// Step the window until the workers have answered everything.
fn settle(k: &mut Kiosk) {
    let deadline = Instant::now() + Duration::from_secs(60);
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

/// One key pressed and released, then the kiosk settles.
fn key(k: &mut Kiosk, key: Key) {
    k.h.key_press(key);
    settle(k);
}

fn focused_text(k: &Kiosk) -> Option<Text> {
    k.h.state().ui.focused().and_then(|f| f.text)
}

/// `+` until the focus is on `text` (at most once round the screen's choices), then Enter.
fn choose(k: &mut Kiosk, text: Text) {
    let n = k.h.state().ui.focus_order().len();
    for _ in 0..=n {
        if focused_text(k) == Some(text) {
            key(k, Key::Enter);
            return;
        }
        key(k, Key::Plus);
    }
    panic!(
        "{text:?} is not among the choices {:?} of {}",
        k.h.state().ui.focus_order(),
        k.h.state().core.screen().kind()
    );
}

fn digits(k: &mut Kiosk, digits: &str) {
    for d in digits.chars() {
        let key = Key::from_name(&d.to_string()).unwrap();
        key_only(k, key);
    }
}

fn key_only(k: &mut Kiosk, key: Key) {
    k.h.key_press(key);
    k.h.step();
}

fn shows(k: &Kiosk, text: &str) -> bool {
    k.h.query_by_label_contains(text).is_some()
}

fn place(k: &mut Kiosk, profile: &str) {
    k.h.state_mut().place_card(profile).unwrap();
    settle(k);
}

#[test]
fn face_path_by_keypad_alone_reaches_done() {
    let mut k = kiosk("face");
    place(&mut k, "demo");
    assert!(matches!(
        k.h.state().core.screen(),
        Screen::MethodChoice { face: true, .. }
    ));
    // No ring before a key: a touch-screen patient is pointed at nothing.
    assert_eq!(focused_text(&k), None);
    // The first key shows the ring on the screen's first choice, the face, and chooses nothing.
    key(&mut k, Key::Enter);
    assert_eq!(focused_text(&k), Some(Text::MethodFace));
    assert!(matches!(k.h.state().core.screen(), Screen::MethodChoice { .. }));
    key(&mut k, Key::Enter);
    assert!(
        shows(&k, "全て同意する"),
        "face matched after the card front was read"
    );
    choose(&mut k, Text::ConsentAll);
    choose(&mut k, Text::ConsentConfirm);
    choose(&mut k, Text::PrescriptionElectronic);
    assert!(
        shows(&k, "受付が完了しました"),
        "the keypad's face path ends on done"
    );
    assert_eq!(k.h.state().core.counters.pins_sent, 0);
    assert_eq!(k.h.state().core.reception_count().unwrap(), 1);
}

#[test]
fn pin_path_by_keypad_alone_with_a_correction_reaches_done() {
    let mut k = kiosk("pin");
    place(&mut k, "suzuki");
    // `-` goes backwards (round to the top bar), `+` forwards: the PIN choice by either way. The first
    // key only shows the ring.
    key(&mut k, Key::Minus);
    assert_eq!(focused_text(&k), Some(Text::MethodFace));
    key(&mut k, Key::Minus);
    assert_ne!(focused_text(&k), Some(Text::MethodFace));
    choose(&mut k, Text::MethodPin);
    assert!(matches!(k.h.state().core.screen(), Screen::PinEntry { .. }));
    // A wrong digit, 訂正 (Backspace), then the PIN; the digits are never shown.
    digits(&mut k, "43");
    key_only(&mut k, Key::Backspace);
    assert!(shows(&k, "1桁入力しました"), "Backspace took the last digit off");
    digits(&mut k, "321");
    assert!(shows(&k, "4桁入力しました"));
    assert!(!shows(&k, "4321"));
    // After the digits the focus is on 決定: Enter confirms.
    assert_eq!(focused_text(&k), Some(Text::PinConfirm));
    key(&mut k, Key::Enter);
    assert_eq!(
        k.h.state().core.counters.pins_sent,
        1,
        "one VERIFY for the PIN typed"
    );
    assert!(shows(&k, "全て同意する"));
    // Consent item by item, every answer by the keypad.
    choose(&mut k, Text::ConsentEach);
    for _ in 0..3 {
        choose(&mut k, Text::ConsentAgree);
        // The chosen answer stays a choice; the next item's answer comes after it in the order.
        key(&mut k, Key::Plus);
    }
    choose(&mut k, Text::ConsentNext);
    choose(&mut k, Text::ConsentConfirm);
    choose(&mut k, Text::PrescriptionPaper);
    assert!(
        shows(&k, "受付が完了しました"),
        "the keypad's PIN path ends on done"
    );
    assert_eq!(k.h.state().core.reception_count().unwrap(), 1);
}

/// 「戻る」 and 「受付をやめる」 come after the screen's own choices in the keypad's order (and before
/// the top bar), and Enter takes them like any choice.
#[test]
fn back_and_stop_by_keypad() {
    let mut k = kiosk("back-stop");
    place(&mut k, "suzuki");
    choose(&mut k, Text::MethodPin);
    digits(&mut k, "12");
    let order = k.h.state().ui.focus_order();
    let at = |label: &str| order.iter().position(|l| l == label).unwrap();
    assert!(at("決定") < at("戻る") && at("戻る") < at("受付をやめる"));
    assert!(at("受付をやめる") < at("係員を呼ぶ"), "{order:?}");
    choose(&mut k, Text::CommonBack);
    assert!(matches!(k.h.state().core.screen(), Screen::MethodChoice { .. }));
    assert_eq!(k.h.state().core.counters.pins_sent, 0);
    choose(&mut k, Text::CommonStop);
    assert_eq!(k.h.state().core.screen(), &Screen::Stopped);
    assert!(shows(&k, "受付を中止しました"));
    assert_eq!(k.h.state().core.reception_count().unwrap(), 0);
}

#[test]
fn a_pin_confirmed_short_by_keypad_sends_nothing() {
    let mut k = kiosk("short");
    place(&mut k, "suzuki");
    choose(&mut k, Text::MethodPin);
    digits(&mut k, "12");
    key(&mut k, Key::Enter);
    assert!(shows(&k, "4桁すべて入力"), "an early Enter says what is missing");
    assert_eq!(k.h.state().core.counters.pins_sent, 0);
}

#[test]
fn the_star_key_calls_staff() {
    let mut k = kiosk("staff");
    place(&mut k, "demo");
    k.h.event(egui::Event::Text("*".into()));
    settle(&mut k);
    assert!(k.h.state().core.flow().help_requested(), "* calls staff");
    k.h.event(egui::Event::Text("*".into()));
    settle(&mut k);
    assert!(
        k.h.state().core.flow().help_requested(),
        "a second * while staff are called does not take the call back"
    );
    // The help notice's close is the first choice now.
    choose(&mut k, Text::HelpClose);
    assert!(!k.h.state().core.flow().help_requested());
}

/// What the voice says when the keypad's focus lands on `f`: a pre-rendered prompt for every kiosk text,
/// nothing for a pad's digit key.
fn said_on_focus(
    screen: &Screen,
    lang: kiosk_reception::Lang,
    f: &kiosk_ui::Focused,
    strings: &kiosk_ui::Strings,
    catalog: &[kiosk_voice::Utterance],
    name: &str,
) {
    let Some(text) = f.text else {
        assert_eq!(kiosk_voice::focus_phrase(screen, f, strings), None, "{name}");
        return;
    };
    let phrase = kiosk_voice::focus_phrase(screen, f, strings)
        .unwrap_or_else(|| panic!("{name}: {text:?} ({:?}) has nothing to say", f.label));
    if let Some(u) = kiosk_voice::Utterance::new(&phrase, strings, lang) {
        assert!(
            !phrase.fixed() || catalog.contains(&u),
            "{name}: {:?} is not pre-rendered",
            u.words
        );
    }
}

/// Every screen of the gallery, in both languages: Tab walks every button on the screen once, in the
/// keypad's order, and comes back to the first; the focused choice is a kiosk text (or a pad digit), and
/// the voice has its pre-rendered prompt (a pad digit: nothing).
#[test]
fn focus_order_covers_every_choice_on_every_screen() {
    struct State {
        ui: kiosk_ui::KioskUi,
        shot: kiosk::gallery::Shot,
    }
    let strings = kiosk_ui::Strings::embedded().unwrap();
    let catalog = kiosk_voice::catalog(&strings);
    let spoken =
        |s: &Screen, l, f: &kiosk_ui::Focused, n: &str| said_on_focus(s, l, f, &strings, &catalog, n);
    let mut screens = 0;
    for shot in kiosk::gallery::shots() {
        for lang in [kiosk_reception::Lang::Ja, kiosk_reception::Lang::En] {
            let state = State {
                ui: kiosk_ui::KioskUi::new(kiosk_ui::style::Metrics::default()).unwrap(),
                shot: kiosk::gallery::Shot { lang, ..shot.clone() },
            };
            let mut h = Harness::builder()
                .with_size(egui::vec2(1280.0, 1100.0))
                .with_context_setup(kiosk_ui::install_fonts)
                .build_ui_state(
                    |eui, s: &mut State| {
                        let view = kiosk_ui::View {
                            screen: &s.shot.screen,
                            lang: s.shot.lang,
                            timeout_left: s.shot.timeout_left,
                            more_time_available: true,
                            card_return_left: s.shot.card_return_left(),
                            help_requested: s.shot.help,
                            preview: None,
                            outline: None,
                            staff_photo: None,
                            turn_progress: None,
                        };
                        let _ = s.ui.show(eui, &view);
                    },
                    state,
                );
            h.run_steps(2);
            let order = h.state().ui.focus_order();
            let buttons = h.query_all_by_role(egui::accesskit::Role::Button).count();
            let name = format!("{} in {lang:?}", shot.name);
            assert_eq!(
                order.len(),
                buttons,
                "{name}: every button in the order: {order:?}"
            );
            assert!(order.len() >= 2, "{name}: at least the top bar");
            assert_eq!(h.state().ui.focused(), None, "{name}: no ring before a key");
            h.key_press(Key::Tab);
            h.step();
            let start = h.state().ui.focused().unwrap();
            assert_eq!(
                start.label, order[0],
                "{name}: the first key shows the first choice"
            );
            spoken(&shot.screen, lang, &start, &name);
            let mut walked = vec![start.label];
            for _ in 1..order.len() {
                h.key_press(Key::Tab);
                h.step();
                let f = h.state().ui.focused().unwrap();
                assert!(
                    f.text.is_some() || f.label.chars().all(|c| c.is_ascii_digit()),
                    "{name}: {:?} is a kiosk text or a pad key",
                    f.label
                );
                spoken(&shot.screen, lang, &f, &name);
                walked.push(f.label);
            }
            assert_eq!(walked, order, "{name}: Tab walks the order");
            h.key_press(Key::Tab);
            h.step();
            assert_eq!(
                h.state().ui.focused().unwrap().label,
                order[0],
                "{name}: round to the start"
            );
            screens += 1;
        }
    }
    assert_eq!(screens, 2 * kiosk::gallery::shots().len());
}
