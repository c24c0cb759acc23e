//! The kiosk driven through its screens by accessibility labels (egui_kittest), with the virtual cards,
//! the demo cameras, the face engine (models from `cargo xtask models`), the demo roster and a journal.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kiosk::core::KioskCore;
use kiosk::demo::{self, TempDir};
use kiosk::gui::{DemoPanel, KioskApp};
use kiosk_face::FaceModels;
use kiosk_reception::FlowConfig;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn models() -> &'static FaceModels {
    static M: OnceLock<FaceModels> = OnceLock::new();
    M.get_or_init(|| FaceModels::load_default().unwrap_or_else(|e| panic!("{e}")))
}

struct Kiosk {
    h: Harness<'static, KioskApp>,
    work: TempDir,
}

impl std::ops::Deref for Kiosk {
    type Target = Harness<'static, KioskApp>;
    fn deref(&self) -> &Self::Target {
        &self.h
    }
}

impl std::ops::DerefMut for Kiosk {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.h
    }
}

fn kiosk(tag: &str, config: FlowConfig) -> Kiosk {
    kiosk_with(tag, config, DemoPanel::new(Some(models())))
}

/// A demo kiosk whose panel is `panel` (with a front camera or not).
fn kiosk_with(tag: &str, config: FlowConfig, panel: DemoPanel) -> Kiosk {
    let work = TempDir::new(&format!("ui-{tag}")).unwrap();
    let (ctx, wake) = kiosk::gui::waker();
    let mut parts = demo::parts(Some(models()), panel.camera(), &work, wake).unwrap();
    // These tests walk the visual check on the kiosk's code pad (the demo's): the console's own
    // path is tested in tests/console.rs.
    parts.flow = FlowConfig {
        staff_check: kiosk_reception::StaffCheckBy::CodePad,
        ..config
    };
    parts.front_camera = panel.front_camera();
    // Nobody shows a card front in some tests: give up on it sooner than the kiosk's 20 s.
    parts.face.front_give_up_after = Duration::from_secs(3);
    let core = KioskCore::start(parts).unwrap();
    let app = KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default()).unwrap();
    // The embedded Japanese font, before the first frame (a missing glyph fails the test, which catches tofu).
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1100.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame(ui), app);
    let mut k = Kiosk { h, work };
    settle(&mut k);
    k
}

/// Step the window until the workers have answered everything (face matching takes a moment).
fn settle(h: &mut Kiosk) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        for _ in 0..3 {
            h.step();
        }
        if !h.state().core.busy() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

fn click(h: &mut Kiosk, label: &str) {
    h.get_by_label(label).click();
    settle(h);
}

fn shows(h: &Kiosk, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

fn type_digits(h: &mut Kiosk, digits: &str) {
    for d in digits.chars() {
        click(h, &d.to_string());
    }
    click(h, "決定");
}

#[test]
fn face_path_to_done() {
    let mut h = kiosk("face", FlowConfig::default());
    assert!(shows(&h, "マイナンバーカードを置いてください"));
    click(&mut h, "カードを置く: demo");
    click(&mut h, "顔認証");
    // The card front was read from the camera (照合番号B), the photo through it, the face matched:
    // no PIN anywhere, and exactly one 照合番号B try for one confident read.
    assert!(
        shows(&h, "全て同意する"),
        "face matched after the card front was read"
    );
    let shared = h.state().core.shared();
    assert_eq!(
        shared
            .confident_front_reads
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        shared.check_codes_sent.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(h.state().core.counters.pins_sent, 0, "no PIN on the face path");
    click(&mut h, "全て同意する");
    click(&mut h, "この内容で決定");
    click(&mut h, "電子処方箋");
    assert!(shows(&h, "受付が完了しました"), "the face path ends on done");
    assert!(shows(&h, "山田　太郎様"));
    click(&mut h, "カードを取る / Take the card");
    assert!(shows(&h, "マイナンバーカードを置いてください"));
    assert_eq!(h.state().core.reception_count().unwrap(), 1);
}

#[test]
fn someone_else_at_the_camera_falls_back_to_the_pin() {
    let mut h = kiosk("stranger", FlowConfig::default());
    click(&mut h, "カメラ: 別人 / someone else");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "顔認証");
    assert!(shows(&h, "顔認証で確認できませんでした"));
    click(&mut h, "暗証番号（残り3回）");
    type_digits(&mut h, "1234");
    assert!(shows(&h, "全て同意する"));
}

#[test]
fn pin_path_with_a_wrong_pin_then_the_right_one() {
    let mut h = kiosk("pin", FlowConfig::default());
    click(&mut h, "カードを置く: suzuki");
    click(&mut h, "暗証番号（残り3回）");
    // The pad masks the digits and shows how many were typed.
    click(&mut h, "1");
    click(&mut h, "1");
    assert!(shows(&h, "2桁入力しました"));
    assert!(!shows(&h, "11"), "digits are never shown");
    type_digits(&mut h, "11");
    assert!(shows(&h, "暗証番号が違います。"));
    assert!(shows(&h, "残り2回"));
    type_digits(&mut h, "4321");
    assert!(shows(&h, "全て同意する"));
    assert_eq!(h.state().core.counters.pins_sent, 2, "one VERIFY per PIN typed");
}

#[test]
fn a_pin_confirmed_too_short_says_so_and_sends_nothing() {
    let mut h = kiosk("short-pin", FlowConfig::default());
    click(&mut h, "カードを置く: suzuki");
    click(&mut h, "暗証番号（残り3回）");
    // Confirm with no digits, then with three: a clear line each time, no VERIFY, the pad still open.
    click(&mut h, "決定");
    assert!(shows(&h, "4桁すべて入力してから「決定」を押してください。"));
    for d in ["4", "3", "2"] {
        click(&mut h, d);
    }
    assert!(!shows(&h, "4桁すべて入力して"), "typing clears the message");
    click(&mut h, "決定");
    assert!(shows(&h, "4桁すべて入力して"));
    assert!(matches!(
        h.state().core.screen(),
        kiosk_reception::Screen::PinEntry { verifying: false, .. }
    ));
    assert_eq!(h.state().core.counters.pins_sent, 0);
    // The digits typed so far are kept: one more completes the PIN.
    click(&mut h, "1");
    click(&mut h, "決定");
    assert!(shows(&h, "全て同意する"));
    assert_eq!(h.state().core.counters.pins_sent, 1);
}

#[test]
fn a_pin_locked_at_the_kiosk_goes_on_by_face() {
    let mut h = kiosk("lock-face", FlowConfig::default());
    click(&mut h, "カードを置く: last-try");
    click(&mut h, "暗証番号（残り1回）");
    type_digits(&mut h, "9999");
    assert!(shows(&h, "今日の受付は、顔認証か係員の確認でできます。"));
    click(&mut h, "顔認証");
    assert!(shows(&h, "全て同意する"), "the card holder's face confirms them");
    assert_eq!(h.state().core.counters.pins_sent, 1, "no PIN after the lock");
}

#[test]
fn lock_after_the_last_try_then_the_staff_visual_check() {
    let mut h = kiosk("lock", FlowConfig::default());
    click(&mut h, "カードを置く: last-try");
    click(&mut h, "暗証番号（残り1回）");
    assert!(
        shows(&h, "次に間違えるとロックされます。"),
        "the last try is announced"
    );
    type_digits(&mut h, "9999");
    assert!(shows(&h, "暗証番号がロックされています"));
    assert!(
        h.query_by_label("顔認証").is_some(),
        "a locked PIN still offers the face path"
    );
    click(&mut h, "係員に手伝ってもらう");
    // Four digits are too few for a staff code now: the pad says so and sends nothing.
    type_digits(&mut h, "0000");
    assert!(shows(&h, "係員コードは6桁以上"));
    type_digits(&mut h, "00");
    assert!(shows(&h, "係員コードが違います"));
    type_digits(&mut h, "010101");
    assert!(shows(&h, "目視確認（係員用）"));
    click(&mut h, "本人です");
    assert!(shows(&h, "全て同意する"));
    assert_eq!(h.state().core.counters.pins_sent, 1);
}

#[test]
fn consent_refused_then_reconsidered() {
    let mut h = kiosk("consent", FlowConfig::default());
    let dir = h.work.path().join("out");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "暗証番号（残り3回）");
    type_digits(&mut h, "1234");
    // "Do not agree" is offered with the same weight as "agree", and a review follows.
    click(&mut h, "全て同意しない");
    assert!(shows(&h, "診療・お薬の情報：同意しない"));
    click(&mut h, "選び直す");
    click(&mut h, "個別に同意する");
    assert!(shows(&h, "項目ごとに選んでください"));
    // Each item starts with nothing chosen; each answer says which item it is for.
    assert!(!shows(&h, "●"));
    click(&mut h, "手術の情報: 同意する");
    click(&mut h, "診療・お薬の情報: 同意しない");
    click(&mut h, "健診の情報: 同意する");
    // "Next" can be pressed only once every item has an answer: all three taps counted.
    click(&mut h, "次へ");
    assert!(shows(&h, "手術の情報：同意する"));
    assert!(shows(&h, "診療・お薬の情報：同意しない"));
    assert!(shows(&h, "健診の情報：同意する"));
    click(&mut h, "カードを取る / Take the card");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "暗証番号（残り3回）");
    type_digits(&mut h, "1234");
    click(&mut h, "全て同意しない");
    click(&mut h, "この内容で決定");
    click(&mut h, "紙の処方箋");
    assert!(shows(&h, "受付が完了しました"));
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let xml = std::fs::read_to_string(file).unwrap();
    assert!(
        xml.contains("<DiagnosisInfoConsFlg>0</DiagnosisInfoConsFlg>")
            && xml.contains("<OperationInfoConsFlg>0</OperationInfoConsFlg>"),
        "{xml}"
    );
    // 紙の処方箋 is 2 (1 is 電子処方箋), docs/RECEPTION.md "Result file".
    assert!(
        xml.contains("<PrescriptionIssueSelect>2</PrescriptionIssueSelect>"),
        "{xml}"
    );
}

#[test]
fn the_card_taken_in_the_middle_returns_to_the_start() {
    let mut h = kiosk("removed", FlowConfig::default());
    click(&mut h, "カードを置く: demo");
    click(&mut h, "暗証番号（残り3回）");
    click(&mut h, "1");
    click(&mut h, "カードを取る / Take the card");
    assert!(shows(&h, "マイナンバーカードを置いてください"));
    click(&mut h, "カードを置く: demo");
    click(&mut h, "暗証番号（残り3回）");
    assert!(shows(&h, "0桁入力しました"), "nothing typed before survives");
}

#[test]
fn time_out_warning_and_more_time() {
    // The flow counts idle time in whole seconds, so an idle limit of N s can fire N-1 s after the last
    // touch: 3 s leaves the "more time" click 2 s before the warning may come back, even on a loaded
    // machine (with 1 s it could come back at once and fail the test at random).
    let mut h = kiosk(
        "timeout",
        FlowConfig {
            idle_secs: 3,
            warning_secs: 20,
            ..FlowConfig::default()
        },
    );
    click(&mut h, "カードを置く: demo");
    assert!(shows(&h, "本人確認の方法を選んでください"));
    assert!(step_until(&mut h, "操作がありません"), "the warning comes");
    click(&mut h, "もっと時間が必要です");
    assert!(!shows(&h, "操作がありません"), "more time clears the warning");
    assert!(
        shows(&h, "本人確認の方法を選んでください"),
        "and the patient is where they were"
    );
}

#[test]
fn english_on_every_screen() {
    let mut h = kiosk("english", FlowConfig::default());
    click(&mut h, "言語 / Language");
    click(&mut h, "English");
    assert!(shows(&h, "Please place your My Number card"));
    click(&mut h, "カードを置く: suzuki");
    assert!(shows(&h, "How would you like to confirm it is you?"));
    click(&mut h, "PIN (3 tries left)");
    assert!(shows(&h, "Please enter your 4-digit PIN"));
    click(&mut h, "Language / 言語");
    click(&mut h, "日本語");
    assert!(shows(&h, "暗証番号（数字4桁）を入力してください"));
}

/// The picker lists every language in its own script and changes the language of the step the patient
/// is on, without moving the flow (issue 17). The digits typed so far stay typed.
#[test]
fn the_language_picker_keeps_the_patient_on_the_same_step() {
    let mut h = kiosk("picker", FlowConfig::default());
    click(&mut h, "カードを置く: demo");
    click(&mut h, "暗証番号（残り3回）");
    click(&mut h, "1");
    click(&mut h, "言語 / Language");
    assert!(shows(&h, "言語を選んでください"));
    for name in [
        "日本語",
        "English",
        "中文（简体）",
        "한국어",
        "Tiếng Việt",
        "Português",
    ] {
        assert!(
            h.query_by_label(name).is_some(),
            "{name} offered in its own script"
        );
    }
    click(&mut h, "Tiếng Việt");
    assert!(
        shows(&h, "Xin vui lòng nhập mã PIN 4 chữ số"),
        "the same step, in Vietnamese"
    );
    assert!(shows(&h, "Đã nhập 1 chữ số"), "the digit typed is kept");
    // "Back" closes the picker and changes nothing.
    click(&mut h, "Ngôn ngữ / Language");
    click(&mut h, "Quay lại");
    assert!(shows(&h, "Xin vui lòng nhập mã PIN 4 chữ số"));
    click(&mut h, "Ngôn ngữ / Language");
    click(&mut h, "한국어");
    assert!(shows(&h, "4자리 비밀번호를 입력해 주세요"));
    click(&mut h, "언어 / Language");
    click(&mut h, "中文（简体）");
    assert!(shows(&h, "请输入4位数密码"));
    click(&mut h, "语言 / Language");
    click(&mut h, "Português");
    assert!(shows(&h, "Digite a sua senha de 4 dígitos"));
    for d in "234".chars() {
        click(&mut h, &d.to_string());
    }
    click(&mut h, "OK");
    assert!(
        shows(&h, "Concordo com tudo"),
        "the PIN was verified in Portuguese"
    );
    assert_eq!(h.state().core.counters.pins_sent, 1);
}

/// A reception in Portuguese leaves the same result file as one in Japanese: the language is the
/// screens' only (issue 17).
#[test]
fn the_result_file_does_not_depend_on_the_language() {
    fn reception(tag: &str, lang: Option<(&str, [&str; 5])>) -> String {
        let mut h = kiosk(tag, FlowConfig::default());
        let dir = h.work.path().join("out");
        let mut labels = [
            "暗証番号（残り3回）",
            "決定",
            "全て同意しない",
            "この内容で決定",
            "紙の処方箋",
        ];
        if let Some((name, translated)) = lang {
            click(&mut h, "言語 / Language");
            click(&mut h, name);
            labels = translated;
        }
        click(&mut h, "カードを置く: demo");
        click(&mut h, labels[0]);
        for d in "1234".chars() {
            click(&mut h, &d.to_string());
        }
        for label in &labels[1..] {
            click(&mut h, label);
        }
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        std::fs::read_to_string(file).unwrap()
    }
    /// The lines of a result file without its times (two receptions seconds apart).
    fn timeless(xml: &str) -> Vec<String> {
        xml.lines()
            .map(|l| {
                l.chars()
                    .map(|c| if c.is_ascii_digit() { '0' } else { c })
                    .collect()
            })
            .collect()
    }
    let ja = reception("lang-ja", None);
    let pt = reception(
        "lang-pt",
        Some((
            "Português",
            [
                "Senha (3 tentativas restantes)",
                "OK",
                "Não concordo com nada",
                "Confirmar",
                "Receita em papel",
            ],
        )),
    );
    assert!(
        ja.contains("<PrescriptionIssueSelect>2</PrescriptionIssueSelect>"),
        "{ja}"
    );
    assert_eq!(timeless(&ja), timeless(&pt));
    assert!(
        pt.contains("<PrescriptionIssueSelect>2</PrescriptionIssueSelect>"),
        "{pt}"
    );
}

#[test]
fn an_unplugged_camera_offers_the_pin_and_a_replugged_one_works_again() {
    let mut h = kiosk("camera", FlowConfig::default());
    click(&mut h, "カメラ: 未接続 / unplugged");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "顔認証");
    assert!(
        shows(&h, "顔認証で確認できませんでした"),
        "no dead end without a camera"
    );
    assert!(
        h.state().core.problems.iter().any(|p| p.contains("camera")),
        "the camera problem is reported for staff and the log"
    );
    click(&mut h, "カードを取る / Take the card");
    click(&mut h, "カメラ: 本人 / card holder");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "顔認証");
    assert!(
        shows(&h, "全て同意する"),
        "matched once the camera is back, without a restart"
    );
}

#[test]
fn staff_type_the_card_front_numbers_when_the_camera_sees_no_card() {
    let mut h = kiosk("typed", FlowConfig::default());
    click(&mut h, "カメラ: 不在 / nobody");
    click(&mut h, "カードを置く: pin-blocked");
    click(&mut h, "係員に手伝ってもらう");
    type_digits(&mut h, "010101");
    assert!(shows(&h, "目視確認（係員用）"));
    assert!(
        shows(&h, "番号が違うか、読めませんでした"),
        "the front could not be read: staff are told, and the pad is there"
    );
    // A mistyped number costs one try and says so; the right one opens the photo.
    type_digits(&mut h, "00000000000000");
    assert!(shows(&h, "番号が違うか、読めませんでした"));
    let code = kiosk_card_sim::Profile::embedded("pin-blocked")
        .unwrap()
        .check_code_b();
    type_digits(&mut h, &code);
    assert!(
        !shows(&h, "番号が違うか") && !shows(&h, "カード表面から顔写真を読み取っています"),
        "the photo is shown instead of the pad"
    );
    click(&mut h, "本人です");
    assert!(shows(&h, "全て同意する"));
    let shared = h.state().core.shared();
    assert_eq!(
        shared.check_codes_sent.load(std::sync::atomic::Ordering::SeqCst),
        2
    );
    assert_eq!(h.state().core.counters.check_codes_typed, 2);
    assert_eq!(
        shared
            .confident_front_reads
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[test]
fn every_screen_of_the_gallery_draws_in_every_language() {
    let kinds = kiosk::gallery::kinds();
    assert_eq!(
        kinds.len(),
        35,
        "the gallery shows all 35 kinds of screen: {kinds:?}"
    );
    let strings = kiosk_ui::Strings::embedded().unwrap();
    for shot in kiosk::gallery::shots() {
        // Every screen in Japanese and English; the other languages on their own shots (each reads the
        // 40 MB Noto collection anew).
        let langs = kiosk_reception::Lang::ALL.into_iter().filter(|&l| {
            matches!(l, kiosk_reception::Lang::Ja | kiosk_reception::Lang::En) || l == shot.lang
        });
        for lang in langs {
            let mut ui = kiosk_ui::KioskUi::new(kiosk_ui::style::Metrics::default()).unwrap();
            let screen = shot.screen.clone();
            let (timeout_left, card_return_left, help) =
                (shot.timeout_left, shot.card_return_left(), shot.help);
            let mut h = Harness::builder()
                .with_size(egui::vec2(1280.0, 1100.0))
                .with_context_setup(kiosk_ui::install_fonts)
                .build_ui(move |eui| {
                    let view = kiosk_ui::View {
                        screen: &screen,
                        lang,
                        timeout_left,
                        more_time_available: true,
                        card_return_left,
                        help_requested: help,
                        preview: None,
                        outline: None,
                        staff_photo: None,
                        turn_progress: None,
                    };
                    let _ = ui.show(eui, &view);
                });
            h.step();
            // Every screen offers the language picker, named in its language and in English.
            let button = strings.get(lang, kiosk_ui::Text::CommonLanguage);
            assert!(button.contains("Language"), "{button}");
            assert!(h.query_by_label(button).is_some(), "{} in {lang:?}", shot.name);
        }
    }
}

/// `screen` drawn by the screens alone (no flow behind them), in Japanese, and what was pressed on it.
fn screen_alone(
    screen: kiosk_reception::Screen,
) -> (
    Harness<'static>,
    std::rc::Rc<std::cell::RefCell<Vec<kiosk_reception::Input>>>,
) {
    let mut ui = kiosk_ui::KioskUi::new(kiosk_ui::style::Metrics::default()).unwrap();
    let pressed = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let out = pressed.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(kiosk_ui::install_fonts)
        .build_ui(move |eui| {
            let view = kiosk_ui::View {
                screen: &screen,
                lang: kiosk_reception::Lang::Ja,
                timeout_left: None,
                more_time_available: true,
                card_return_left: None,
                help_requested: false,
                preview: None,
                outline: None,
                staff_photo: None,
                turn_progress: None,
            };
            out.borrow_mut().extend(ui.show(eui, &view));
        });
    h.step();
    (h, pressed)
}

/// 「戻る」 from the PIN pad to the choice (the digits typed forgotten, nothing sent to the card), and
/// back within consent with the answer kept; then 「受付をやめる」: the reception ends unrecorded and
/// the screen asks for the card, and taking it returns to the start.
#[test]
fn back_and_stop_by_touch() {
    let mut h = kiosk("back-stop", FlowConfig::default());
    click(&mut h, "カードを置く: demo");
    assert!(
        h.query_by_label("戻る").is_none(),
        "no step before the choice of method"
    );
    click(&mut h, "暗証番号（残り3回）");
    click(&mut h, "1");
    click(&mut h, "2");
    assert!(shows(&h, "2桁入力しました"));
    click(&mut h, "戻る");
    assert!(shows(&h, "顔認証"), "back on the choice of method");
    assert_eq!(h.state().core.counters.pins_sent, 0, "back sent nothing");
    click(&mut h, "暗証番号（残り3回）");
    assert!(shows(&h, "0桁入力しました"), "the digits were forgotten");
    type_digits(&mut h, "1234");
    assert!(shows(&h, "全て同意する"));
    click(&mut h, "個別に同意する");
    h.get_by_label("手術の情報: 同意する").click();
    settle(&mut h);
    click(&mut h, "戻る");
    assert!(shows(&h, "全て同意する"), "back on the consent question");
    click(&mut h, "個別に同意する");
    assert!(
        h.get_by_label("手術の情報: 同意する").accesskit_node().toggled()
            == Some(egui::accesskit::Toggled::True),
        "the answer given before going back still stands"
    );
    click(&mut h, "受付をやめる");
    assert!(shows(&h, "受付を中止しました"));
    assert!(shows(&h, "カード（スマートフォン）をお取りください。"));
    assert!(h.query_by_label("受付をやめる").is_none());
    click(&mut h, "カードを取る / Take the card");
    assert!(shows(&h, "マイナンバーカードを置いてください"));
    assert_eq!(h.state().core.reception_count().unwrap(), 0, "nothing recorded");
    assert_eq!(h.state().core.counters.pins_sent, 1);
    // The next card is read as a new reception.
    click(&mut h, "カードを置く: demo");
    assert!(shows(&h, "顔認証"));
}

/// While a card command or the face decision is under way, 「戻る」 is greyed (never pressed) and the
/// screen says why; where there is no step before, there is none.
#[test]
fn back_is_greyed_with_its_reason_while_something_is_in_flight() {
    use kiosk_reception::{FrontHold, Screen, TurnPrompt};
    let cases = [
        (
            Screen::CardFace {
                guidance: None,
                hold: FrontHold::OnReader,
            },
            Some("カードを読み取っている間は"),
        ),
        (
            Screen::FaceMatching {
                attempt: 1,
                guidance: None,
                turn: Some(TurnPrompt::Left),
            },
            Some("顔を確かめている間は"),
        ),
        (
            Screen::PinEntry {
                tries_left: 3,
                last_try: false,
                wrong_before: false,
                verifying: true,
            },
            Some("暗証番号を確かめています"),
        ),
        (
            Screen::PinEntry {
                tries_left: 3,
                last_try: false,
                wrong_before: false,
                verifying: false,
            },
            None,
        ),
    ];
    for (screen, reason) in cases {
        let (mut h, pressed) = screen_alone(screen.clone());
        let back = h.get_by_label("戻る");
        assert_eq!(
            back.accesskit_node().is_disabled(),
            reason.is_some(),
            "{}",
            screen.kind()
        );
        back.click();
        h.run_steps(2);
        let backs = pressed
            .borrow()
            .iter()
            .filter(|i| **i == kiosk_reception::Input::Press(kiosk_reception::Press::Back))
            .count();
        assert_eq!(backs, usize::from(reason.is_none()), "{}", screen.kind());
        if let Some(reason) = reason {
            assert!(
                h.query_by_label_contains(reason).is_some(),
                "{}: the reason",
                screen.kind()
            );
        }
        assert!(h.query_by_label("受付をやめる").is_some(), "{}", screen.kind());
    }
}

/// Step the window until `text` shows (or 30 s).
fn step_until(h: &mut Kiosk, text: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !shows(h, text) && Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    shows(h, text)
}

#[test]
fn one_camera_the_patient_lifts_the_card_shows_its_front_and_puts_it_back() {
    let mut h = kiosk("lift", FlowConfig::default());
    click(&mut h, "カードを置く: demo");
    // Choose the face path and lift the card at once, as the screen asks (no waiting for the workers).
    h.get_by_label("顔認証").click();
    h.step();
    h.step();
    assert!(shows(
        &h,
        "カードを持ち上げて、表面をカメラに見せてから、読み取り機に戻してください"
    ));
    h.get_by_label("カードを取る / Take the card").click();
    assert!(
        step_until(&mut h, "同じカードを読み取り機に戻してください"),
        "the session waits for the card, counting down"
    );
    let reads = |h: &Kiosk| {
        h.state()
            .core
            .shared()
            .confident_front_reads
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while reads(&h) == 0 && Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reads(&h), 1, "the front was read while the card was lifted");
    click(&mut h, "同じカードを戻す / Put the card back");
    assert!(
        step_until(&mut h, "全て同意する"),
        "the same card goes on to the face match"
    );
    let shared = h.state().core.shared();
    assert_eq!(
        shared.check_codes_sent.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(h.state().core.counters.pins_sent, 0);
}

#[test]
fn front_camera_the_card_stays_on_the_reader_and_the_panel_switches_its_views() {
    let panel = DemoPanel::new(Some(models())).with_front_camera();
    let mut h = kiosk_with("front", FlowConfig::default(), panel);
    click(&mut h, "カードを置く: demo");
    h.get_by_label("顔認証").click();
    h.step();
    h.step();
    assert!(shows(&h, "カードは読み取り機に置いたままにしてください"));
    assert!(
        step_until(&mut h, "全て同意する"),
        "read where it lies, then matched"
    );
    click(&mut h, "カードを取る / Take the card");
    // The card face-down: nothing is read, no try spent, the PIN or staff are offered.
    click(&mut h, "裏向き / face-down");
    click(&mut h, "カードを置く: demo");
    click(&mut h, "顔認証");
    assert!(step_until(&mut h, "顔認証で確認できませんでした"));
    let shared = h.state().core.shared();
    assert_eq!(
        shared.check_codes_sent.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "only the first card's code was sent"
    );
}
