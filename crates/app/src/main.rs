//! `kiosk`: the reception kiosk.
//!
//! * `kiosk --demo`: runs on the embedded defaults: the in-process virtual cards (every demo profile) and
//!   prints what the reception reads from each. (The screens arrive with the GUI.)
//! * `kiosk card readers`, `kiosk card info`, `kiosk card watch`: the card tool for clinic IT.

mod report;
mod window;

use kiosk::core::{KioskCore, now_unix};
use kiosk::demo::{self, DemoCamera};
use kiosk::driver::{self, Patient, Reception};
use kiosk_face::FaceModels;
use kiosk_reception::{Method, Prescription};
use kiosk_records::{Journal, SqliteRoster};

use kiosk_card_sim::{Profile, VirtualCard};
use kiosk_mynumber::{CheckCodeB, MyNumberCard, TextPin};
use kiosk_pcsc::{Monitor, Pcsc, ReaderEvent};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

const USAGE: &str = "usage:
  kiosk [--config FILE] [--allow-root] [--measure]
      the kiosk on a real reader and camera, configured by FILE (default $KIOSK_CONFIG, else
      /etc/kiosk/kiosk.toml; `kiosk config example` prints a commented one). It refuses to run as
      root unless --allow-root is given, and refuses a FILE others can write. --measure prints the
      start-up figures (to the idle screen, to the face models, memory) and closes the window
  kiosk doctor [--config FILE]
      check the reader, camera, face models, database and output folder, and say what to fix
  kiosk config example
      print a commented example configuration
  kiosk roster import FILE [--config FILE]
      add or update the insured people in FILE (TOML, the format of assets/roster-demo.toml) in the
      roster of the configured data folder; the stand-in for the online eligibility check. Every entry
      is checked first (control characters, lengths, code values, dates, Shift_JIS); each problem is
      printed with its line and field, and nothing is imported while any remains
  kiosk staff-code ID
      ask for a staff code and print its hashed [[staff]] entry for the configuration (the code pad
      fallback, console.code_pad = true)
  kiosk console --config FILE
      serve the staff console of several kiosks (`kiosk console example` prints a commented FILE)
  kiosk console add-user NAME --accounts FILE [--password-stdin]
      add a staff account (argon2id) to FILE, created 0600; asks for the password twice
  kiosk console add-kiosk ID
      print a new kiosk's [[kiosk]] entry for the console's FILE and its token for the kiosk
  kiosk --demo
      the kiosk window on its embedded defaults: virtual cards placed from a demo panel, demo cameras
      (public-domain photos), the demo roster and a temporary journal. Without a display it runs --walk.
  kiosk --demo [--front-camera]
      with --front-camera the demo kiosk also has a camera above the reader (the card stays on it; the
      panel switches that camera's views); without it the patient lifts the card to the one camera
  kiosk --demo --walk [--out DIR] [--charset UTF-8|Shift_JIS] [--profile NAME] [--console FILE]
      headless: scripted patients walk through every path of the reception, on a one-camera kiosk and on
      one with a front camera; each one's screens are printed. --out keeps the journal
      (DIR/journal.sqlite) and the result files (DIR/out/*.xml, one per outcome: valid, invalid, no
      qualification, several, error) for the clinic's receipt computer to try. --profile walks only the
      patients of that demo card. --console reads FILE's [console] section (a kiosk configuration): the
      visual checks go to that staff console, and the patients wait there until staff decide
  kiosk --demo --screenshots DIR [--size WxH]
      draw every screen (Japanese and English, and the other languages' shots) into DIR as PNG files,
      then exit; --size sets the window (default 1280x800; for example 1024x600, 1920x1080, or 800x1280
      for a portrait panel)
  kiosk --demo --measure
      walk one face reception in the window and print start-up, card, face, frame-time and memory figures
  kiosk --demo --cards [--profile NAME] [--personal]
      put each virtual demo card (or NAME) in a virtual reader and show what the reception reads from it.
      --personal also shows the basic four items (test data).
  kiosk card readers
      list the smart-card readers
  kiosk card info [--reader NAME] [--config FILE] [--personal]
      read the card in the reader (the first reader with a card by default): card kind, certificate
      validity and the tries left on the PIN and 照合番号B, without spending any, and whether the
      certificate is trusted: `trusted: yes`, or `trusted: no (why)` and exit code 5. It is checked against
      the J-LIS CAs built in and FILE's [card_trust] (default $KIOSK_CONFIG, else /etc/kiosk/kiosk.toml
      when it exists). --personal prompts for the 券面事項入力補助用暗証番号 and shows the basic four items
      (one try if mistyped; never sent to a card that is not trusted).
  kiosk card watch
      print reader and card events until Ctrl-C";

/// The voice guidance on this computer's speaker (`aplay`), when `[voice]` has it on. Prompts not rendered
/// yet are said once rendered at need (when the engines are installed); the log says how to render them.
fn start_voice(config: Option<&kiosk::config::Config>) -> Option<kiosk_voice::Voice> {
    let config = config?;
    let settings = config.voice_settings()?;
    let strings = kiosk_ui::Strings::embedded().ok()?;
    let missing = kiosk_voice::Cache::new(&settings.dir).missing(&strings).len();
    if missing > 0 {
        eprintln!(
            "kiosk: voice: {missing} prompts are not rendered in {}: run `cargo xtask voices`",
            settings.dir.display()
        );
    }
    let speaker = kiosk_voice::Aplay::new(config.voice_device());
    Some(kiosk_voice::Voice::start(settings, strings, Box::new(speaker)))
}

/// Exit codes: 0 ok, 1 the card could not be read, 2 usage, 3 no reader or no PC/SC service,
/// 4 configuration problem (or `kiosk doctor` found one), 5 the card's certificate is not trusted
/// (`kiosk card info`).
fn main() -> ExitCode {
    let _ = window::STARTED.set(std::time::Instant::now());
    // Before any thread starts: freed camera frames, pyramids and key material go back to the system
    // instead of staying in glibc's heaps (kiosk-heap says why; issue 17's memory aim).
    kiosk_heap::return_large_blocks_to_the_system();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--demo") => demo(&args[1..]),
        Some("card") => card_tool(&args[1..]),
        Some("doctor") => doctor(&args[1..]),
        Some("config") if args.get(1).map(String::as_str) == Some("example") => {
            print!("{}", kiosk::config::EXAMPLE);
            Ok(())
        }
        Some("staff-code") => staff_code(&args[1..]),
        Some("console") => console(&args[1..]),
        Some("roster") if args.get(1).map(String::as_str) == Some("import") => roster_import(&args[2..]),
        None | Some("--config" | "--allow-root" | "--measure") => run_kiosk(&args),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Failure::Usage(format!("unknown command {other:?}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("kiosk: {f}");
            if matches!(f, Failure::Usage(_)) {
                eprintln!("{USAGE}");
            }
            ExitCode::from(exit_code(&f))
        }
    }
}

/// The exit code of each failure (the list above `main`).
fn exit_code(f: &Failure) -> u8 {
    match f {
        Failure::Card(_) => 1,
        Failure::Usage(_) => 2,
        Failure::Reader(_) => 3,
        Failure::Config(_) => 4,
        Failure::Untrusted(_) => 5,
    }
}

#[derive(Debug)]
enum Failure {
    Usage(String),
    Card(String),
    Reader(String),
    Config(String),
    /// The card's user-authentication certificate does not chain to the configured anchors.
    Untrusted(String),
}

/// A usage failure from any error that says what went wrong.
fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(m)
            | Failure::Card(m)
            | Failure::Reader(m)
            | Failure::Config(m)
            | Failure::Untrusted(m) => f.write_str(m),
        }
    }
}

fn challenge() -> [u8; 32] {
    let mut c = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut c);
    c
}

/// The options of `kiosk --demo`.
#[derive(Debug)]
struct DemoArgs {
    only: Option<String>,
    personal: bool,
    cards: bool,
    walk: bool,
    /// A demo front camera above the reader (issue 14).
    front: bool,
    out: Option<std::path::PathBuf>,
    charset: kiosk_records::Charset,
    /// `--walk --console FILE`: the staff console in FILE's `[console]` section decides visual checks.
    console: Option<std::path::PathBuf>,
    mode: WindowMode,
    /// The demo window's inner size (`--size WxH`).
    size: [f32; 2],
}

/// `WxH` in points, each 320..=4096.
fn window_size(text: &str) -> Result<[f32; 2], Failure> {
    let bad = || Failure::Usage(format!("--size {text:?}: WIDTHxHEIGHT, for example 1280x800"));
    let (w, h) = text.split_once('x').ok_or_else(bad)?;
    let parse = |v: &str| {
        v.parse::<u16>()
            .ok()
            .filter(|n| (320..=4096).contains(n))
            .map(f32::from)
            .ok_or_else(bad)
    };
    Ok([parse(w)?, parse(h)?])
}

fn demo_args(args: &[String]) -> Result<DemoArgs, Failure> {
    let mut d = DemoArgs {
        only: None,
        personal: false,
        cards: false,
        walk: false,
        front: false,
        out: None,
        charset: kiosk_records::Charset::Utf8,
        console: None,
        mode: WindowMode::Serve,
        size: [1280.0, 800.0],
    };
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        let mut next = |what: &str| {
            rest.next()
                .cloned()
                .ok_or(Failure::Usage(format!("{what} needs a value")))
        };
        match a.as_str() {
            "--profile" => d.only = Some(next("--profile")?),
            "--personal" => d.personal = true,
            "--cards" => d.cards = true,
            "--walk" => d.walk = true,
            "--front-camera" => d.front = true,
            "--out" => d.out = Some(next("--out")?.into()),
            "--console" => d.console = Some(next("--console")?.into()),
            "--charset" => {
                let name = next("--charset")?;
                d.charset = kiosk_records::Charset::from_name(&name)
                    .ok_or(Failure::Usage(format!("--charset {name:?}: UTF-8 or Shift_JIS")))?;
            }
            "--measure" => d.mode = WindowMode::Measure,
            "--screenshots" => d.mode = WindowMode::Screenshots(next("--screenshots")?.into()),
            "--size" => d.size = window_size(&next("--size")?)?,
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    Ok(d)
}

/// `kiosk --demo --walk [--profile NAME] [--out DIR] [--charset CS] [--console FILE]`.
fn walk_demo(
    only: Option<&str>,
    out: Option<&std::path::Path>,
    charset: kiosk_records::Charset,
    console: Option<&std::path::Path>,
) -> Result<(), Failure> {
    if let Some(name) = only
        && !Profile::embedded_names().contains(&name)
    {
        return Err(Failure::Usage(format!(
            "--profile {name:?}: no such demo card (`cargo run -p kiosk-card-sim -- list`)"
        )));
    }
    let console = match console {
        Some(file) => {
            Some(kiosk::config::ConsoleSection::load(file).map_err(|e| Failure::Config(e.to_string()))?)
        }
        None => None,
    };
    demo_receptions(&Walk {
        out,
        charset,
        only,
        console: console.as_ref(),
    })
}

fn demo(args: &[String]) -> Result<(), Failure> {
    let DemoArgs {
        only,
        personal,
        cards,
        walk,
        front,
        out,
        charset,
        console,
        mode,
        size,
    } = demo_args(args)?;
    if !cards {
        if personal || (only.is_some() && !walk) {
            return Err(Failure::Usage(
                "--personal goes with --demo --cards, --profile with --cards or --walk".into(),
            ));
        }
        let has_display =
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
        if (out.is_some() || charset != kiosk_records::Charset::Utf8 || console.is_some()) && !walk {
            return Err(Failure::Usage(
                "--out, --charset and --console go with --demo --walk".into(),
            ));
        }
        if walk || !has_display {
            if !walk {
                println!(
                    "(no display found: walking scripted patients through the reception instead of opening the window)\n"
                );
            }
            return walk_demo(only.as_deref(), out.as_deref(), charset, console.as_deref());
        }
        if let WindowMode::Screenshots(dir) = &mode {
            std::fs::create_dir_all(dir).map_err(|e| Failure::Usage(format!("{}: {e}", dir.display())))?;
        }
        return demo_window(mode, front, size);
    }
    let names: Vec<String> = match only {
        Some(n) => vec![n],
        None => Profile::embedded_names().into_iter().map(String::from).collect(),
    };
    let anchors = demo::anchors();
    let trust = demo::auth_trust().map_err(usage)?;
    println!("マイナ保険証 受付キオスク: demo on embedded defaults (virtual cards, no hardware)\n");
    for name in names {
        let profile = Profile::embedded(&name).map_err(usage)?;
        println!("── card {name:?}: {} ──", profile.description);
        let code = CheckCodeB::new(&profile.check_code_b()).map_err(|e| Failure::Card(e.to_string()))?;
        let mut card = MyNumberCard::new(VirtualCard::new(profile));
        let extras = report::Extras {
            check_code_b: Some(&code),
            personal_with_pin: None,
            personal_with_check_code_b: personal,
            anchors: &anchors,
        };
        let report = report::card_report(&mut card, now_unix(), &trust, &extras, &challenge())
            .map_err(|e| Failure::Card(e.to_string()))?;
        println!("{}", report.text);
    }
    println!("The virtual cards' PINs and 照合番号B: `cargo run -p kiosk-card-sim -- list`.");
    Ok(())
}

/// Load the face models once for the life of the process (the workers borrow them).
fn load_models(dir: Option<&std::path::Path>) -> Option<&'static FaceModels> {
    let loaded = match dir {
        Some(d) => FaceModels::load(d),
        None => FaceModels::load_default(),
    };
    match loaded {
        Ok(m) => Some(Box::leak(Box::new(m))),
        Err(e) => {
            eprintln!("kiosk: face matching is off: {e}");
            None
        }
    }
}

/// Loads the face models on the core's loading thread (`KioskCore::load_models`), once for the life of
/// the process (the workers borrow them).
fn models_loader(
    dir: Option<std::path::PathBuf>,
) -> impl FnOnce() -> Result<&'static FaceModels, String> + Send + 'static {
    move || {
        let loaded = match dir.as_deref() {
            Some(d) => FaceModels::load(d),
            None => FaceModels::load_default(),
        };
        match loaded {
            Ok(m) => Ok(&*Box::leak(Box::new(m))),
            Err(e) => {
                eprintln!("kiosk: face matching is off: {e}");
                Err(e.to_string())
            }
        }
    }
}

/// The scripted patients of `kiosk --demo --walk`: card profile, what happens, and the patient.
fn demo_scenarios() -> Vec<(&'static str, &'static str, Patient)> {
    let p = Patient::new;
    let staff = Some(demo::DEMO_STAFF.1.to_string());
    vec![
        (
            "demo",
            "face, the card holder in front of the camera",
            p(Method::Face, &[], DemoCamera::CardHolder),
        ),
        (
            "demo",
            "face, someone else in front of the camera, then the PIN",
            p(Method::Face, &["1234"], DemoCamera::SomeoneElse),
        ),
        (
            "demo",
            "face, a printed photo of the holder turned by hand: the liveness check refuses, then the PIN",
            p(Method::Face, &["1234"], DemoCamera::PrintedPhoto),
        ),
        (
            "suzuki",
            "PIN, wrong then right; individual consent with a refusal; paper prescription",
            Patient {
                consents: Some(driver::individual(true, false, true)),
                prescription: Prescription::Paper,
                ..p(Method::Pin, &["1111", "4321"], DemoCamera::CardHolder)
            },
        ),
        (
            "last-try",
            "PIN with one try left, mistyped: locked, then the staff visual check",
            Patient {
                staff_code: staff.clone(),
                ..p(Method::Pin, &["9999"], DemoCamera::CardHolder)
            },
        ),
        (
            "pin-blocked",
            "blocked PIN, nobody at the camera: staff visual check",
            Patient {
                staff_code: staff.clone(),
                ..p(Method::Face, &[], DemoCamera::Nobody)
            },
        ),
        (
            "expiring",
            "certificate expiring: alert, then the PIN",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "expired-grace",
            "certificate expired 30 days ago: eligibility only, no consent screens",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "expired",
            "certificate expired 200 days ago: not usable",
            p(Method::Pin, &[], DemoCamera::CardHolder),
        ),
        (
            "infant",
            "no photo: PIN only; not yet registered: registration offer",
            p(Method::Face, &["1111"], DemoCamera::CardHolder),
        ),
        (
            "android",
            "an Android smartphone: its own PIN, then the phone is read",
            p(Method::Pin, &["2468"], DemoCamera::CardHolder),
        ),
        (
            "iphone",
            "an iPhone confirmed with Face ID on the phone: no PIN at the kiosk",
            p(Method::Pin, &[], DemoCamera::CardHolder),
        ),
    ]
}

/// The face path on a kiosk with a front camera above the reader: the card stays where it lies, and
/// the front camera sees it as the view says.
fn front_camera_scenarios() -> Vec<(&'static str, &'static str, demo::FrontView, Patient)> {
    let face = Patient::new(Method::Face, &["1234"], DemoCamera::CardHolder);
    vec![
        (
            "demo",
            "face; the front camera reads the card lying on the reader, no removal",
            demo::FrontView::OnReader,
            face.clone(),
        ),
        (
            "demo",
            "face; the card lies face-down: the front is not read, no try spent, then the PIN",
            demo::FrontView::FaceDown,
            face,
        ),
    ]
}

/// The scripted patients whose eligibility check ends the reception: one card per outcome, each
/// leaving its result file (invalid, invalid with a new qualification, no qualification, several,
/// error).
fn eligibility_scenarios() -> Vec<(&'static str, &'static str, Patient)> {
    let p = Patient::new;
    vec![
        // One card per eligibility outcome that ends the reception; each leaves its result file.
        (
            "moved",
            "insurance ended after moving out: 無効 (QualificationValidity 2)",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "new-insurer",
            "changed insurer: 無効（新しい資格あり） (3)",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "not-enrolled",
            "no insurance on record: 該当資格なし (4)",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "several",
            "two insurances on record: 複数該当 (5)",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
        (
            "service-down",
            "the eligibility source does not answer: error file (SegmentOfResult 9)",
            p(Method::Pin, &["1234"], DemoCamera::CardHolder),
        ),
    ]
}

/// What `kiosk --demo --walk` was asked for.
struct Walk<'a> {
    out: Option<&'a std::path::Path>,
    charset: kiosk_records::Charset,
    /// Only the scenarios on this card profile.
    only: Option<&'a str>,
    /// Visual checks decided by staff at this console instead of the demo's code pad.
    console: Option<&'a kiosk::config::ConsoleSection>,
}

impl Walk<'_> {
    fn wants(&self, profile: &str) -> bool {
        self.only.is_none_or(|only| only == profile)
    }
}

/// A headless demo kiosk, with a demo front camera (`front`) or the face camera only; with a console,
/// the second value keeps the embedded one running.
fn walk_kiosk(
    models: Option<&'static FaceModels>,
    work: &demo::TempDir,
    front: Option<std::sync::Arc<std::sync::Mutex<demo::FrontView>>>,
    walk: &Walk<'_>,
) -> Result<(Reception, Option<kiosk_console::server::Running>), Failure> {
    let frames = std::sync::Arc::new(demo::DemoFrames::default());
    let mut parts = demo::parts(
        models,
        frames.camera(models, DemoCamera::CardHolder, demo::Holder::default()),
        work,
        std::sync::Arc::new(|| {}),
    )
    .map_err(usage)?;
    parts.output.charset = walk.charset;
    if walk.console.is_some() {
        parts.flow.staff_check = kiosk_reception::StaffCheckBy::Console;
    }
    // Nobody in front of the camera, no card front to read: give up sooner than at a real kiosk, so the
    // walk stays short.
    parts.face.give_up_after = std::time::Duration::from_secs(3);
    parts.face.front_give_up_after = std::time::Duration::from_secs(4);
    // The walk shows every path with the same few demo cards in one day, and its two camera
    // arrangements share one journal, which keeps the day's face attempts per card: without more of
    // them, the later face scenarios would find 山田's card spent. The daily limit itself is tested in
    // the flow's and the journal's tests.
    parts.flow.face_attempts_per_card_per_day = 100;
    parts.front_camera = front
        .clone()
        .map(|view| demo::DemoFrames::front_camera(view, demo::Holder::default()));
    let mut core = KioskCore::start(parts).map_err(usage)?;
    let console = match walk.console {
        Some(section) => connect_console(&mut core, section)?,
        None => None,
    };
    let reception = Reception::new(core, models, frames);
    let reception = match front {
        Some(view) => reception.with_front_camera(view),
        None => reception,
    };
    Ok((reception, console))
}

fn print_outcome(name: &str, what: &str, outcome: &driver::Outcome) {
    println!("── {name}: {what}");
    println!("   {}", outcome.screens.join(" → "));
    let last = match &outcome.last {
        kiosk_reception::Screen::Done { name } => format!("done: {name} 様, please take your card"),
        other => format!("{other:?}"),
    };
    println!("   ends with: {last}\n");
}

fn demo_receptions(walk: &Walk<'_>) -> Result<(), Failure> {
    let Walk { out, charset, .. } = *walk;
    println!(
        "マイナ保険証 受付キオスク: demo on embedded defaults (virtual cards, demo cameras, demo roster)\n"
    );
    let models = load_models(None);
    let work = match out {
        Some(dir) => demo::TempDir::kept(dir).map_err(usage)?,
        None => demo::TempDir::new("demo").map_err(usage)?,
    };
    println!("One camera: the face path asks the patient to lift the card, show its front, put it back.\n");
    let (mut reception, console) = walk_kiosk(models, &work, None, walk)?;
    let (mut typed, mut sent) = (0, 0);
    for (name, what, patient) in demo_scenarios().into_iter().chain(eligibility_scenarios()) {
        if !walk.wants(name) {
            continue;
        }
        let (card, holder) = demo::card(name).map_err(usage)?;
        let card = kiosk_card_sim::SharedCard::new(card);
        let outcome = reception.run_lifting(card, holder, &patient);
        typed += outcome.pins_typed;
        sent += outcome.pins_sent;
        print_outcome(name, what, &outcome);
    }
    let mut journal_rows = reception.core.reception_count().unwrap_or(0);
    drop(reception);
    drop(console);
    println!("Face camera and front camera: the card stays on the reader from placed to 完了.\n");
    let view = std::sync::Arc::new(std::sync::Mutex::new(demo::FrontView::OnReader));
    let (mut reception, console) = walk_kiosk(models, &work, Some(view.clone()), walk)?;
    for (name, what, shown, patient) in front_camera_scenarios() {
        if !walk.wants(name) {
            continue;
        }
        *view.lock().unwrap_or_else(|e| e.into_inner()) = shown;
        let (card, holder) = demo::card(name).map_err(usage)?;
        let outcome = reception.run(Box::new(card), holder, &patient);
        typed += outcome.pins_typed;
        sent += outcome.pins_sent;
        print_outcome(name, what, &outcome);
    }
    journal_rows = reception.core.reception_count().unwrap_or(journal_rows);
    drop(reception);
    drop(console);
    let files = std::fs::read_dir(work.path().join("out"))
        .map(|d| d.count())
        .unwrap_or(0);
    let place = match out {
        Some(dir) => format!(
            "{} (journal: {})",
            dir.join("out").display(),
            dir.join("journal.sqlite").display()
        ),
        None => "a temporary folder (keep them with --out DIR)".into(),
    };
    println!(
        "receptions completed: {journal_rows} journal rows; {files} result files (資格確認 result XML, one per outcome, {}) in {place}",
        charset.xml_name()
    );
    println!(
        "PIN VERIFYs sent to cards: {sent} (PINs the patients typed: {typed}); the kiosk never sends one on its own"
    );
    println!(
        "The virtual cards' PINs and 照合番号B: `cargo run -p kiosk-card-sim -- list`. The card reports: `kiosk --demo --cards`."
    );
    Ok(())
}

/// What the window does besides serving patients.
#[derive(Debug, Clone)]
enum WindowMode {
    Serve,
    /// Draw every screen and save it as PNG in this folder, then close.
    Screenshots(std::path::PathBuf),
    /// Walk one face reception by itself, print timing figures, then close.
    Measure,
    /// A configured kiosk: print its start-up figures, then close.
    MeasureStartup,
}

/// The kiosk window in demo mode. The face models load in the background (the screenshots need them
/// at once, for the gallery's live picture).
fn demo_window(mode: WindowMode, front_camera: bool, size: [f32; 2]) -> Result<(), Failure> {
    let models = match mode {
        WindowMode::Screenshots(_) => load_models(None),
        WindowMode::Serve | WindowMode::Measure | WindowMode::MeasureStartup => None,
    };
    let work = demo::TempDir::new("demo").map_err(usage)?;
    let mut panel = kiosk::gui::DemoPanel::new(models);
    if front_camera {
        panel = panel.with_front_camera();
    }
    let (ctx, wake) = kiosk::gui::waker();
    let mut parts = demo::parts(models, panel.camera(), &work, wake).map_err(usage)?;
    parts.front_camera = panel.front_camera();
    // Served by hand, the demo has its own staff console, as a clinic's single kiosk does.
    let console = match mode {
        WindowMode::Serve => Some(demo_console(&work)?),
        WindowMode::Screenshots(_) | WindowMode::Measure | WindowMode::MeasureStartup => None,
    };
    if console.is_some() {
        parts.flow.staff_check = kiosk_reception::StaffCheckBy::Console;
    }
    let mut core = KioskCore::start(parts).map_err(usage)?;
    core.load_models(models_loader(None)).map_err(usage)?;
    if let Some((_, endpoint)) = &console {
        core.connect_console(endpoint.clone())
            .map_err(|e| Failure::Config(format!("staff console: {e}")))?;
    }
    let mut app = kiosk::gui::KioskApp::new(core, ctx, Some(panel), kiosk_ui::style::Metrics::default())
        .map_err(usage)?;
    // The demo speaks as a kiosk with the example configuration does; not while drawing or measuring.
    if matches!(mode, WindowMode::Serve)
        && let Some(voice) = start_voice(
            kiosk::config::Config::parse(kiosk::config::EXAMPLE, "example")
                .ok()
                .as_ref(),
        )
    {
        app = app.with_voice(voice);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("マイナ保険証 受付 (demo)")
            .with_inner_size(size),
        ..Default::default()
    };
    let result = run_window(app, options, mode, models);
    drop(console);
    drop(work);
    result
}

/// The demo's staff console on a free port of this computer, with one account whose password is made
/// for this run and printed (no password ships).
fn demo_console(
    work: &demo::TempDir,
) -> Result<(kiosk_console::server::Running, kiosk_console::client::Endpoint), Failure> {
    let accounts = work.path().join("console-accounts.toml");
    let password = zeroize::Zeroizing::new(kiosk_console::config::new_token()[..12].to_string());
    let name = kiosk_console::accounts::AccountName::new("demo").map_err(usage)?;
    kiosk_console::accounts::Accounts::add_to_file(&accounts, name, &password).map_err(usage)?;
    let section = kiosk::config::ConsoleSection {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        accounts,
        state_dir: work.path().join("console"),
        secure_cookies: false,
        ..Default::default()
    };
    let (running, endpoint) = kiosk::console::embedded(&section).map_err(usage)?;
    println!(
        "staff console (demo): http://{}  account: demo  password: {} (made for this run)",
        running.addr,
        password.as_str()
    );
    Ok((running, endpoint))
}

fn run_window(
    app: kiosk::gui::KioskApp,
    options: eframe::NativeOptions,
    mode: WindowMode,
    models: Option<&'static FaceModels>,
) -> Result<(), Failure> {
    let _ = window::OPENING.set(std::time::Instant::now());
    eframe::run_native(
        "kiosk",
        options,
        Box::new(move |cc| {
            kiosk_ui::install_fonts(&cc.egui_ctx);
            cc.egui_ctx.set_visuals(egui::Visuals::light());
            Ok(Box::new(window::Window::new(app, mode_of(mode), models)))
        }),
    )
    .map_err(|e| Failure::Reader(format!("the window could not open: {e}")))
}

fn mode_of(mode: WindowMode) -> window::Mode {
    match mode {
        WindowMode::Serve => window::Mode::Serve,
        WindowMode::Screenshots(dir) => window::Mode::Screenshots {
            dir,
            next: 0,
            wait: 0,
        },
        WindowMode::Measure => window::Mode::Measure(Default::default()),
        WindowMode::MeasureStartup => window::Mode::MeasureStartup(Default::default()),
    }
}

/// Whether this process runs as root (the owner of /proc/self is the process's effective user).
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The configuration of `kiosk [--config FILE] [--allow-root] [--measure]`, and whether to measure the
/// start-up. Refuses root unless `--allow-root` is given.
fn kiosk_config(args: &[String]) -> Result<(kiosk::config::Config, bool), Failure> {
    let allow_root = args.iter().any(|a| a == "--allow-root");
    let measure = args.iter().any(|a| a == "--measure");
    let args: Vec<String> = args
        .iter()
        .filter(|a| !matches!(a.as_str(), "--allow-root" | "--measure"))
        .cloned()
        .collect();
    if running_as_root() && !allow_root {
        return Err(Failure::Config(
            "refusing to run as root: run the kiosk as its own user (docs/USER-GUIDE.md, \"For clinic IT\"), \
             or pass --allow-root if you must"
                .into(),
        ));
    }
    Ok((load_config(&args)?, measure))
}

/// The kiosk on a real reader and camera, from its configuration. It refuses to run as root unless
/// told to (`--allow-root`): a fault in anything that parses a card, a camera frame or a web request
/// would otherwise own the machine. The demo and the tests run anywhere.
fn run_kiosk(args: &[String]) -> Result<(), Failure> {
    let (config, measure) = kiosk_config(args)?;
    // Loaded in the background once the core runs, so the idle screen shows at once (issue 17).
    let face_models = config.face.enabled && config.camera_config().is_some();
    let data = &config.folders.data;
    std::fs::create_dir_all(data).map_err(|e| Failure::Usage(format!("{}: {e}", data.display())))?;
    let roster = SqliteRoster::open(&data.join("roster.sqlite")).map_err(usage)?;
    let mut journal = Journal::open(&data.join("journal.sqlite")).map_err(usage)?;
    if let Some(gid) = config.result_gid().map_err(|e| Failure::Config(e.to_string()))? {
        journal.share_results_with_group(gid);
    }
    let camera_config = config.camera_config();
    let camera: kiosk::workers::SourceFactory = Box::new(move || match camera_config {
        Some(c) => Ok(Box::new(kiosk_camera::NokhwaSource::new(c)) as Box<dyn kiosk_camera::FrameSource>),
        None => Err(kiosk_camera::CameraError::NotConfigured),
    });
    let front_camera = config.front_camera_config().map(|c| {
        Box::new(move || {
            Ok(Box::new(kiosk_camera::NokhwaSource::new(c)) as Box<dyn kiosk_camera::FrameSource>)
        }) as kiosk::workers::SourceFactory
    });
    let (ctx, wake) = kiosk::gui::waker();
    let parts = kiosk::core::Parts {
        flow: config.flow(),
        language: config.lang(),
        models: None,
        face: config.face_settings(),
        camera,
        front_camera,
        trust: kiosk::workers::CardTrust::ready(
            config.trust_anchors().map_err(usage)?,
            config.auth_trust().map_err(|e| Failure::Config(e.to_string()))?,
        ),
        roster: Box::new(roster),
        journal,
        output: config.output_settings().map_err(Failure::Config)?,
        staff: kiosk::staff::StaffCodes::with_lockout_file(
            config.staff.clone(),
            &data.join("code-pad-lockout.json"),
        )
        .map_err(|e| Failure::Config(e.to_string()))?,
        notifier: Box::new(kiosk::notify::LogNotifier),
        wake,
    };
    let mut core = KioskCore::start(parts).map_err(usage)?;
    if face_models {
        core.load_models(models_loader(config.models_dir()))
            .map_err(usage)?;
    }
    // Kept for as long as the window runs: the embedded console stops when it is dropped.
    let _console = connect_console(&mut core, &config.console)?;
    core.watch_card_and_phone_readers(config.reader.card_reader(), config.reader.phone_reader())
        .map_err(|e| Failure::Reader(e.to_string()))?;
    let metrics = kiosk_ui::style::Metrics::from_dpi(config.screen.dpi, 1.0);
    let mut app = kiosk::gui::KioskApp::new(core, ctx, None, metrics).map_err(usage)?;
    if let Some(voice) = start_voice(Some(&config)) {
        app = app.with_voice(voice);
    }
    app.ui.set_easy_japanese(config.screen.easy_japanese);
    let mut viewport = egui::ViewportBuilder::default().with_title("マイナ保険証 受付");
    viewport = if config.screen.fullscreen {
        viewport.with_fullscreen(true).with_decorations(false)
    } else {
        viewport.with_inner_size([1280.0, 960.0])
    };
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let mode = if measure {
        WindowMode::MeasureStartup
    } else {
        WindowMode::Serve
    };
    run_window(app, options, mode, None)
}

/// The staff console: this kiosk's own (embedded), or the clinic's (remote), which it reports to.
fn connect_console(
    core: &mut KioskCore,
    section: &kiosk::config::ConsoleSection,
) -> Result<Option<kiosk_console::server::Running>, Failure> {
    let (running, endpoint) = if section.mode == kiosk::config::ConsoleMode::Remote {
        let (endpoint, warning) =
            kiosk::console::remote(section).map_err(|e| Failure::Config(e.to_string()))?;
        if let Some(w) = warning {
            eprintln!("kiosk: warning: {w}");
        }
        (None, endpoint)
    } else {
        let (running, endpoint) =
            kiosk::console::embedded(section).map_err(|e| Failure::Config(e.to_string()))?;
        eprintln!(
            "kiosk: staff console at http://{} (this computer only)",
            running.addr
        );
        (Some(running), endpoint)
    };
    core.connect_console(endpoint)
        .map_err(|e| Failure::Config(format!("staff console: {e}")))?;
    Ok(running)
}

/// `kiosk console ...`: the console of several kiosks, its accounts and its kiosks.
fn console(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("--config") => {
            let path = args
                .get(1)
                .ok_or(Failure::Usage("--config needs a file".into()))?;
            serve_console(std::path::Path::new(path))
        }
        Some("example") => {
            print!("{}", kiosk_console::config::EXAMPLE);
            Ok(())
        }
        Some("add-user") => console_add_user(&args[1..]),
        Some("add-kiosk") => {
            let id = args
                .get(1)
                .ok_or(Failure::Usage("add-kiosk needs the kiosk's id".into()))?;
            let id = kiosk_console::protocol::KioskId::new(id).map_err(usage)?;
            let token = kiosk_console::config::new_token();
            println!(
                "# for the console's configuration:\n[[kiosk]]\nid = \"{id}\"\ntoken_sha256 = \"{}\"\n\n\
                 # for the kiosk: save this line alone in its console.token_file (chmod 600):\n{}",
                kiosk_console::config::token_sha256(&token),
                token.as_str()
            );
            Ok(())
        }
        _ => Err(Failure::Usage(
            "console needs --config FILE, example, add-user or add-kiosk".into(),
        )),
    }
}

fn serve_console(path: &std::path::Path) -> Result<(), Failure> {
    use kiosk_console::server::{Console, Settings};
    let config_error = |e: &dyn std::fmt::Display| Failure::Config(e.to_string());
    let (config, warning) = kiosk_console::config::ConsoleConfig::load(path).map_err(|e| config_error(&e))?;
    let (accounts, accounts_warning) =
        kiosk_console::accounts::Accounts::load(&config.accounts).map_err(|e| config_error(&e))?;
    for w in [warning, accounts_warning].into_iter().flatten() {
        eprintln!("kiosk console: warning: {w}");
    }
    kiosk_console::files::ensure_private_dir(&config.state_dir).map_err(|e| config_error(&e))?;
    let settings = Settings {
        accounts,
        kiosks: config
            .kiosk
            .iter()
            .map(|k| (k.id.clone(), k.token_sha256.to_ascii_lowercase()))
            .collect(),
        lockout: kiosk_console::lockout::Lockout::open(&config.state_dir.join("lockout.json"))
            .map_err(|e| config_error(&e))?,
        audit: kiosk_console::audit::AuditLog::open(&config.state_dir.join("audit.log"))
            .map_err(|e| config_error(&e))?,
        session_idle_secs: i64::from(config.session_idle_minutes) * 60,
        session_max_secs: i64::from(config.session_max_hours) * 3600,
        secure_cookies: config.secure_cookies,
    };
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| Failure::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    let running =
        kiosk_console::server::serve(listener, Console::new(settings)).map_err(|e| config_error(&e))?;
    println!(
        "kiosk console: serving {} kiosk(s) at http://{} (Ctrl-C to stop)",
        config.kiosk.len(),
        running.addr
    );
    running.wait();
    Ok(())
}

/// `kiosk console add-user NAME --accounts FILE [--password-stdin]`.
fn console_add_user(args: &[String]) -> Result<(), Failure> {
    let name = args
        .first()
        .ok_or(Failure::Usage("add-user needs a name".into()))?;
    let name = kiosk_console::accounts::AccountName::new(name).map_err(usage)?;
    let mut accounts = None;
    let mut from_stdin = false;
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--accounts" => {
                accounts = Some(std::path::PathBuf::from(
                    it.next()
                        .ok_or(Failure::Usage("--accounts needs a file".into()))?,
                ))
            }
            "--password-stdin" => from_stdin = true,
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    let accounts = accounts.ok_or(Failure::Usage("add-user needs --accounts FILE".into()))?;
    let read = |prompt: &str| -> Result<zeroize::Zeroizing<String>, Failure> {
        if !from_stdin {
            eprint!("{prompt}");
        }
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).map_err(usage)?;
        Ok(zeroize::Zeroizing::new(
            line.trim_end_matches(['\r', '\n']).to_string(),
        ))
    };
    if !from_stdin && !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "add-user needs a terminal to type the password (or --password-stdin)".into(),
        ));
    }
    let password = read("password (at least 10 characters): ")?;
    if !from_stdin && read("again: ")?.as_str() != password.as_str() {
        return Err(Failure::Usage("the two passwords differ".into()));
    }
    kiosk_console::accounts::Accounts::add_to_file(&accounts, name.clone(), &password)
        .map_err(|e| Failure::Config(e.to_string()))?;
    println!("account {name} added to {}", accounts.display());
    Ok(())
}

fn load_config(args: &[String]) -> Result<kiosk::config::Config, Failure> {
    let mut path = kiosk::config::default_path();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" => {
                path = it
                    .next()
                    .ok_or(Failure::Usage("--config needs a file".into()))?
                    .into()
            }
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    kiosk::config::Config::load(&path).map_err(|e| Failure::Config(e.to_string()))
}

fn doctor(args: &[String]) -> Result<(), Failure> {
    let config = load_config(args)?;
    println!("kiosk doctor: checking what the kiosk needs (no card is read, no try is spent)\n");
    let checks = kiosk::doctor::run(&config, std::time::Duration::from_secs(3));
    print!("{}", kiosk::doctor::report(&checks));
    let problems = checks.iter().filter(|c| !c.ok).count();
    if problems == 0 {
        println!("\nall good");
        Ok(())
    } else {
        Err(Failure::Config(format!(
            "{problems} problem(s) to fix, see above"
        )))
    }
}

/// `kiosk roster import FILE`: fill the configured roster (real mode has no other way to get patients in).
fn roster_import(args: &[String]) -> Result<(), Failure> {
    let file = args
        .first()
        .ok_or(Failure::Usage("roster import needs a TOML file".into()))?;
    let config = load_config(&args[1..])?;
    let text = std::fs::read_to_string(file).map_err(|e| Failure::Config(format!("{file}: {e}")))?;
    let data = &config.folders.data;
    std::fs::create_dir_all(data).map_err(|e| Failure::Config(format!("{}: {e}", data.display())))?;
    let entries = match kiosk_records::parse_roster(&text) {
        Ok(entries) => entries,
        Err(errors) => {
            for e in &errors {
                eprintln!("{file}: {e}");
            }
            return Err(Failure::Config(format!(
                "{file}: {} problem(s), nothing imported; correct the file and import it again",
                errors.len()
            )));
        }
    };
    let mut roster =
        SqliteRoster::open(&data.join("roster.sqlite")).map_err(|e| Failure::Config(e.to_string()))?;
    let n = roster
        .import(&entries)
        .map_err(|e| Failure::Config(format!("{file}: {e}")))?;
    println!(
        "{n} insured people added or updated in {}",
        data.join("roster.sqlite").display()
    );
    Ok(())
}

/// `kiosk staff-code ID`: ask for a staff code twice and print the hashed entry for kiosk.toml.
fn staff_code(args: &[String]) -> Result<(), Failure> {
    let id = args.first().ok_or(Failure::Usage(
        "staff-code needs the staff member's id, e.g. S001".into(),
    ))?;
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "staff-code needs a terminal to type the code".into(),
        ));
    }
    let read = |prompt: &str| -> Result<zeroize::Zeroizing<String>, Failure> {
        eprint!("{prompt}");
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).map_err(usage)?;
        Ok(zeroize::Zeroizing::new(line.trim().to_string()))
    };
    let code = read("staff code (6–12 digits): ")?;
    kiosk_reception::StaffCode::new(&code).map_err(usage)?;
    if read("again: ")?.as_str() != code.as_str() {
        return Err(Failure::Usage("the two codes differ".into()));
    }
    let e = kiosk::staff::StaffCodes::entry(id, &code);
    println!(
        "[[staff]]\nid = {:?}\ncode_argon2id = {:?}",
        e.id, e.code_argon2id
    );
    Ok(())
}

fn card_tool(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("readers") => card_readers(),
        Some("info") => card_info(&args[1..]),
        Some("watch") => card_watch(),
        _ => Err(Failure::Usage("card needs one of: readers, info, watch".into())),
    }
}

fn reader_error(e: &kiosk_apdu::TransportError) -> Failure {
    Failure::Reader(reader_advice(e))
}

/// `kiosk card readers`: each reader and whether a card is in it.
fn card_readers() -> Result<(), Failure> {
    let pcsc = Pcsc::establish().map_err(|e| reader_error(&e))?;
    let readers = pcsc.readers().map_err(|e| reader_error(&e))?;
    if readers.is_empty() {
        return Err(Failure::Reader(reader_advice(
            &kiosk_apdu::TransportError::NoReader,
        )));
    }
    for r in readers {
        let card = match pcsc.card_atr(&r) {
            Ok(Some(atr)) => format!("card present, ATR {}", kiosk_apdu::hex(&atr)),
            Ok(None) => "no card".into(),
            Err(e) => e.to_string(),
        };
        println!("{r}: {card}");
    }
    Ok(())
}

/// `kiosk card info [--reader NAME] [--config FILE] [--personal]`: what the reception reads from the
/// card, and whether its certificate is trusted (exit code 5 when not).
fn card_info(args: &[String]) -> Result<(), Failure> {
    let mut reader = None;
    let mut config = None;
    let mut personal = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reader" => {
                reader = Some(
                    it.next()
                        .ok_or(Failure::Usage("--reader needs a name".into()))?
                        .clone(),
                )
            }
            "--config" => {
                config = Some(std::path::PathBuf::from(
                    it.next().ok_or(Failure::Usage("--config needs a file".into()))?,
                ))
            }
            "--personal" => personal = true,
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    let (trust, trust_source) = card_info_trust(config)?;
    let pcsc = Pcsc::establish().map_err(|e| reader_error(&e))?;
    let reader = match reader {
        Some(r) => r,
        None => pcsc
            .readers()
            .map_err(|e| reader_error(&e))?
            .into_iter()
            .find(|r| matches!(pcsc.card_atr(r), Ok(Some(_))))
            .ok_or(Failure::Reader(
                "no card in any reader: place the card on the reader".into(),
            ))?,
    };
    let channel = pcsc.connect(&reader).map_err(|e| reader_error(&e))?;
    println!("reader:                   {reader}");
    println!(
        "ATR:                      {}",
        channel.atr().map(|a| kiosk_apdu::hex(&a)).unwrap_or_default()
    );
    let pin = if personal { Some(prompt_text_pin()?) } else { None };
    let mut card = MyNumberCard::new(channel);
    let extras = report::Extras {
        personal_with_pin: pin.as_ref(),
        ..Default::default()
    };
    println!("trust anchors:            {trust_source}");
    let report = report::card_report(&mut card, now_unix(), &trust, &extras, &challenge())
        .map_err(|e| Failure::Card(card_advice(&e)))?;
    print!("{}", report.text);
    untrusted(&report.trusted)
}

/// The anchors `kiosk card info` checks against, and where they come from: FILE's `[card_trust]`, else
/// the default configuration when there is one, else the J-LIS CAs built in (the tool also serves a
/// kiosk that is not configured yet).
fn card_info_trust(
    config: Option<std::path::PathBuf>,
) -> Result<(kiosk_mynumber::AuthTrust, String), Failure> {
    let path = match config {
        Some(path) => path,
        None => {
            let default = kiosk::config::default_path();
            if !default.exists() {
                return Ok((
                    kiosk_mynumber::AuthTrust::jlis(),
                    format!("the J-LIS CAs built in ({} not found)", default.display()),
                ));
            }
            default
        }
    };
    let trust = kiosk::config::Config::load(&path)
        .and_then(|c| c.auth_trust())
        .map_err(|e| Failure::Config(e.to_string()))?;
    let tests = trust.test_hierarchies();
    let source = format!(
        "the J-LIS CAs built in and {}'s [card_trust]: {} CA certificates{}",
        path.display(),
        trust.anchors().len(),
        if tests.is_empty() {
            String::new()
        } else {
            format!(", test hierarchies {}", tests.join(", "))
        }
    );
    Ok((trust, source))
}

/// `kiosk card info`'s verdict as the exit status: a certificate that is not trusted is exit code 5.
fn untrusted(trusted: &report::Trusted) -> Result<(), Failure> {
    match trusted {
        report::Trusted::No(why) => Err(Failure::Untrusted(format!("the card is not trusted: {why}"))),
        report::Trusted::Yes | report::Trusted::NotChecked => Ok(()),
    }
}

/// `kiosk card watch`: reader and card events as they happen.
fn card_watch() -> Result<(), Failure> {
    let monitor = Monitor::start().map_err(|e| reader_error(&e))?;
    println!("watching readers and cards (Ctrl-C to stop)");
    while let Ok(event) = monitor.events().recv() {
        match event {
            ReaderEvent::CardInserted { reader, atr } => {
                println!("card inserted in {reader} (ATR {})", kiosk_apdu::hex(&atr))
            }
            other => println!("{other:?}"),
        }
    }
    Ok(())
}

/// Ask for the text-AP PIN on the terminal. The digits are typed by the person at the keyboard; they
/// are never echoed to logs or kept after use.
fn prompt_text_pin() -> Result<TextPin, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "--personal needs a terminal to type the PIN".into(),
        ));
    }
    print!("券面事項入力補助用暗証番号 (4 digits, one try is spent if wrong): ");
    let _ = std::io::stdout().flush();
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(usage)?;
    TextPin::new(line.trim()).map_err(usage)
}

fn reader_advice(e: &kiosk_apdu::TransportError) -> String {
    use kiosk_apdu::TransportError as T;
    match e {
        T::ServiceDown => "the smart-card service is not running: start pcscd (e.g. `pcscd` as root, or `systemctl start pcscd`)".into(),
        T::NoReader => "no smart-card reader found: plug in the reader and check `pcsc_scan`".into(),
        T::ReaderGone => "the reader was unplugged: plug it in again".into(),
        T::SharingViolation => "another program is using the card: close it and try again".into(),
        other => other.to_string(),
    }
}

fn card_advice(e: &kiosk_mynumber::CardError) -> String {
    if e.is_card_gone() {
        "the card was taken away during reading: place it again".into()
    } else {
        format!("the card could not be read: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_that_is_not_trusted_exits_with_5_and_says_why() {
        let why = kiosk_mynumber::TrustError::BadSignature;
        let failure = untrusted(&report::Trusted::No(why)).expect_err("not trusted");
        assert_eq!(exit_code(&failure), 5);
        assert_eq!(
            failure.to_string(),
            "the card is not trusted: the certificate is not issued by a trusted J-LIS CA: no trusted CA of its \
             issuer's name signed it"
        );
        assert!(untrusted(&report::Trusted::Yes).is_ok());
        // A phone's certificate is behind its PIN: nothing to judge, not a failure.
        assert!(untrusted(&report::Trusted::NotChecked).is_ok());
    }

    #[test]
    fn card_info_checks_against_the_configuration_it_is_given() {
        let missing = card_info_trust(Some("/nonexistent/kiosk.toml".into())).expect_err("missing file");
        assert_eq!(exit_code(&missing), 4);
        assert!(
            missing.to_string().contains("/nonexistent/kiosk.toml"),
            "{missing}"
        );
    }
}
