//! `kiosk`: the reception kiosk.
//!
//! * `kiosk --demo`: runs on the embedded defaults: the in-process virtual cards (every demo profile) and
//!   prints what the reception reads from each. (The screens arrive with the GUI.)
//! * `kiosk card readers`, `kiosk card info`, `kiosk card watch`: the card tool for clinic IT.

mod report;

use kiosk::driver::{self, Camera, Executor, Patient, Reception};
use kiosk_face::{FaceEngine, FaceModels, RgbImage};
use kiosk_reception::{Method, Prescription};
use kiosk_records::{Journal, SqliteRoster};

use kiosk_card_sim::{Profile, VirtualCard, pki};
use kiosk_mynumber::{CheckCodeB, MyNumberCard, TextPin, TrustAnchor};
use kiosk_pcsc::{Monitor, Pcsc, ReaderEvent};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

const USAGE: &str = "usage:
  kiosk --demo
      the kiosk window on its embedded defaults: virtual cards placed from a demo panel, demo cameras
      (public-domain photos), the demo roster and a temporary journal. Without a display it runs --walk.
  kiosk --demo --walk
      headless: scripted patients walk through every path of the reception; each one's screens are printed
  kiosk --demo --cards [--profile NAME] [--personal]
      put each virtual demo card (or NAME) in a virtual reader and show what the reception reads from it.
      --personal also shows the basic four items (test data).
  kiosk card readers
      list the smart-card readers
  kiosk card info [--reader NAME] [--personal]
      read the card in the reader (the first reader with a card by default): card kind, certificate
      validity and the tries left on the PIN and 照合番号B, without spending any. --personal prompts for
      the 券面事項入力補助用暗証番号 and shows the basic four items (one try if mistyped).
  kiosk card watch
      print reader and card events until Ctrl-C";

/// Exit codes: 0 ok, 1 the card could not be read, 2 usage, 3 no reader or no PC/SC service.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--demo") => demo(&args[1..]),
        Some("card") => card_tool(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        None => Err(Failure::Usage(
            "the GUI is not built yet: run `kiosk --demo` or `kiosk card info`".into(),
        )),
        Some(other) => Err(Failure::Usage(format!("unknown command {other:?}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("kiosk: {f}");
            ExitCode::from(match f {
                Failure::Usage(_) => {
                    eprintln!("{USAGE}");
                    2
                }
                Failure::Card(_) => 1,
                Failure::Reader(_) => 3,
            })
        }
    }
}

#[derive(Debug)]
enum Failure {
    Usage(String),
    Card(String),
    Reader(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Card(m) | Failure::Reader(m) => f.write_str(m),
        }
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn challenge() -> [u8; 32] {
    let mut c = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut c);
    c
}

/// The trust anchors for card-face signatures. Demo mode trusts the virtual cards' test hierarchy; the
/// J-LIS production keys are not public, so a real deployment configures its own (see docs/CARD-NOTES.md).
fn demo_anchors() -> Vec<TrustAnchor> {
    vec![TrustAnchor {
        key_id: pki::card_data_trust_anchor_id(),
        key: pki::card_data_trust_anchor(),
    }]
}

fn demo(args: &[String]) -> Result<(), Failure> {
    let mut only = None;
    let mut personal = false;
    let mut cards = false;
    let mut walk = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--profile" => {
                only = Some(
                    it.next()
                        .ok_or(Failure::Usage("--profile needs a name".into()))?
                        .clone(),
                )
            }
            "--personal" => personal = true,
            "--cards" => cards = true,
            "--walk" => walk = true,
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    if !cards {
        if only.is_some() || personal {
            return Err(Failure::Usage(
                "--profile and --personal go with --demo --cards".into(),
            ));
        }
        let has_display =
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
        if walk || !has_display {
            if !walk {
                println!(
                    "(no display found: walking scripted patients through the reception instead of opening the window)\n"
                );
            }
            return demo_receptions();
        }
        return demo_window();
    }
    let names: Vec<String> = match only {
        Some(n) => vec![n],
        None => Profile::embedded_names().into_iter().map(String::from).collect(),
    };
    let anchors = demo_anchors();
    println!("マイナ保険証 受付キオスク: demo on embedded defaults (virtual cards, no hardware)\n");
    for name in names {
        let profile = Profile::embedded(&name).map_err(|e| Failure::Usage(e.to_string()))?;
        println!("── card {name:?}: {} ──", profile.description);
        let code = CheckCodeB::new(&profile.check_code_b()).map_err(|e| Failure::Card(e.to_string()))?;
        let mut card = MyNumberCard::new(VirtualCard::new(profile));
        let extras = report::Extras {
            check_code_b: Some(&code),
            personal_with_pin: None,
            personal_with_check_code_b: personal,
            anchors: &anchors,
        };
        let text = report::card_report(&mut card, now_unix(), &extras, &challenge())
            .map_err(|e| Failure::Card(e.to_string()))?;
        println!("{text}");
    }
    println!("The virtual cards' PINs and 照合番号B: `cargo run -p kiosk-card-sim -- list`.");
    Ok(())
}

/// The demo photos, embedded so the demo runs anywhere.
const HOLDER_PHOTOS: [&[u8]; 2] = [
    include_bytes!("../../../assets/faces/obama2.png"),
    include_bytes!("../../../assets/faces/obama3.png"),
];
const STRANGER_PHOTO: &[u8] = include_bytes!("../../../assets/faces/biden.png");
const DEMO_ROSTER: &str = include_str!("../../../assets/roster-demo.toml");

fn demo_receptions() -> Result<(), Failure> {
    println!(
        "マイナ保険証 受付キオスク: demo on embedded defaults (virtual cards, demo cameras, demo roster)\n"
    );
    let models = match FaceModels::load_default() {
        Ok(m) => Some(m),
        Err(e) => {
            println!("face matching is off: {e}\n");
            None
        }
    };
    let (exec, work) = demo_executor(models.as_ref())?;
    let out = exec.output_dir.clone();
    let mut reception = Reception::new(exec);
    let frames = |photos: &[&[u8]]| -> Camera {
        let Some(m) = models.as_ref() else {
            return Camera::Missing;
        };
        let mut engine = FaceEngine::new(m);
        let frames = photos
            .iter()
            .filter_map(|p| RgbImage::decode(p).ok())
            .flat_map(|img| [(0.0, 0.0), (6.0, -4.0)].map(|s| driver::kiosk_frame(&mut engine, &img, s)))
            .flatten()
            .collect();
        Camera::Frames(frames)
    };
    let holder = frames(&HOLDER_PHOTOS);
    let stranger = frames(&[STRANGER_PHOTO]);
    let patient = |method, pins: &[&str], camera: &Camera| Patient {
        method,
        pins: pins.iter().map(|p| p.to_string()).collect(),
        camera: camera.clone(),
        consents: None,
        prescription: Prescription::Electronic,
        staff_code: None,
        staff_confirms: true,
    };
    let scenarios: Vec<(&str, &str, Patient)> = vec![
        (
            "demo",
            "face, the card holder in front of the camera",
            patient(Method::Face, &[], &holder),
        ),
        (
            "demo",
            "face, someone else in front of the camera, then the PIN",
            patient(Method::Face, &["1234"], &stranger),
        ),
        (
            "suzuki",
            "PIN, wrong then right; individual consent with a refusal; paper prescription",
            Patient {
                consents: Some(driver::individual(true, false, true)),
                prescription: Prescription::Paper,
                ..patient(Method::Pin, &["1111", "4321"], &holder)
            },
        ),
        (
            "last-try",
            "PIN with one try left, mistyped: locked, then the staff visual check",
            Patient {
                staff_code: Some("0101".into()),
                ..patient(Method::Pin, &["9999"], &holder)
            },
        ),
        (
            "pin-blocked",
            "blocked PIN, nobody at the camera: staff visual check",
            Patient {
                staff_code: Some("0101".into()),
                ..patient(Method::Face, &[], &Camera::Empty)
            },
        ),
        (
            "expiring",
            "certificate expiring: alert, then the PIN",
            patient(Method::Pin, &["1234"], &holder),
        ),
        (
            "expired-grace",
            "certificate expired 30 days ago: eligibility only, no consent screens",
            patient(Method::Pin, &["1234"], &holder),
        ),
        (
            "expired",
            "certificate expired 200 days ago: not usable",
            patient(Method::Pin, &[], &holder),
        ),
        (
            "infant",
            "no photo: PIN only; not yet registered: registration offer",
            patient(Method::Face, &["1111"], &holder),
        ),
        (
            "android",
            "a smartphone instead of the card",
            patient(Method::Pin, &[], &holder),
        ),
    ];
    let mut typed = 0;
    let mut sent = 0;
    for (name, what, p) in scenarios {
        let profile = Profile::embedded(name).map_err(|e| Failure::Usage(e.to_string()))?;
        let code = CheckCodeB::new(&profile.check_code_b()).ok();
        let card = VirtualCard::new(profile);
        typed += p.pins.len();
        let outcome = reception.run(Box::new(card), code, &p);
        sent += outcome.pins_sent;
        println!("── {name}: {what}");
        println!("   {}", outcome.screens.join(" → "));
        let last = match &outcome.last {
            kiosk_reception::Screen::Done { name } => format!("done: {name} 様, please take your card"),
            other => format!("{other:?}"),
        };
        println!("   ends with: {last}\n");
    }
    let files = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    let journal_rows = reception.exec.journal.reception_count().unwrap_or(0);
    println!(
        "receptions recorded: {journal_rows} journal rows, {files} result files (OQS-style XML) in a temporary folder"
    );
    println!(
        "PIN VERIFYs sent to cards: {sent} (PINs the patients typed: {typed}); the kiosk never sends one on its own"
    );
    println!(
        "The virtual cards' PINs and 照合番号B: `cargo run -p kiosk-card-sim -- list`. The card reports: `kiosk --demo --cards`."
    );
    drop(reception);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// The demo's embedded defaults: the demo roster in memory, a journal and an output folder in a temporary
/// folder (removed at exit), the test trust anchor. Returns the executor and the temporary folder.
fn demo_executor(models: Option<&FaceModels>) -> Result<(Executor<'_>, std::path::PathBuf), Failure> {
    let work = std::env::temp_dir().join(format!("kiosk-demo-{}", std::process::id()));
    let out = work.join("out");
    std::fs::create_dir_all(&out).map_err(|e| Failure::Usage(format!("{}: {e}", out.display())))?;
    let roster = SqliteRoster::in_memory().map_err(|e| Failure::Usage(e.to_string()))?;
    roster
        .seed_toml(DEMO_ROSTER)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let journal = Journal::open(&work.join("journal.sqlite")).map_err(|e| Failure::Usage(e.to_string()))?;
    Ok((
        Executor::new(roster, journal, out, demo_anchors(), models, now_unix()),
        work,
    ))
}

/// The kiosk window in demo mode.
fn demo_window() -> Result<(), Failure> {
    let models: Option<&'static FaceModels> = match FaceModels::load_default() {
        Ok(m) => Some(Box::leak(Box::new(m))),
        Err(e) => {
            eprintln!("kiosk: face matching is off: {e}");
            None
        }
    };
    let (exec, work) = demo_executor(models)?;
    let app = kiosk::gui::KioskApp::new(
        exec,
        models,
        kiosk_reception::FlowConfig::default(),
        kiosk_ui::style::Metrics::default(),
    )
    .map_err(Failure::Usage)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("マイナ保険証 受付")
            .with_inner_size([1280.0, 960.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "kiosk",
        options,
        Box::new(move |cc| {
            kiosk_ui::install_fonts(&cc.egui_ctx);
            cc.egui_ctx.set_visuals(egui::Visuals::light());
            Ok(Box::new(Window(app)))
        }),
    );
    let _ = std::fs::remove_dir_all(&work);
    result.map_err(|e| Failure::Reader(format!("the window could not open: {e}")))
}

/// The eframe window around the kiosk loop.
struct Window(kiosk::gui::KioskApp<'static>);

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.frame(ui);
    }
}

fn card_tool(args: &[String]) -> Result<(), Failure> {
    let reader_error = |e: kiosk_apdu::TransportError| Failure::Reader(reader_advice(&e));
    match args.first().map(String::as_str) {
        Some("readers") => {
            let pcsc = Pcsc::establish().map_err(reader_error)?;
            let readers = pcsc.readers().map_err(reader_error)?;
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
        Some("info") => {
            let mut reader = None;
            let mut personal = false;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--reader" => {
                        reader = Some(
                            it.next()
                                .ok_or(Failure::Usage("--reader needs a name".into()))?
                                .clone(),
                        )
                    }
                    "--personal" => personal = true,
                    other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
                }
            }
            let pcsc = Pcsc::establish().map_err(reader_error)?;
            let reader = match reader {
                Some(r) => r,
                None => pcsc
                    .readers()
                    .map_err(reader_error)?
                    .into_iter()
                    .find(|r| matches!(pcsc.card_atr(r), Ok(Some(_))))
                    .ok_or(Failure::Reader(
                        "no card in any reader: place the card on the reader".into(),
                    ))?,
            };
            let channel = pcsc.connect(&reader).map_err(reader_error)?;
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
            let text = report::card_report(&mut card, now_unix(), &extras, &challenge())
                .map_err(|e| Failure::Card(card_advice(&e)))?;
            print!("{text}");
            Ok(())
        }
        Some("watch") => {
            let monitor = Monitor::start().map_err(reader_error)?;
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
        _ => Err(Failure::Usage("card needs one of: readers, info, watch".into())),
    }
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
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    TextPin::new(line.trim()).map_err(|e| Failure::Usage(e.to_string()))
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
