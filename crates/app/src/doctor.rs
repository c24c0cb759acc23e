//! `kiosk doctor`: checks what the kiosk needs (reader, camera, face models, database, output folder,
//! card trust anchors, card-face keys, staff codes, voice prompts) and says what to fix for each problem.
//! Reads no card and spends no try.

use crate::config::Config;
use kiosk_camera::FrameSource;
use std::path::Path;

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub what: &'static str,
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do when not ok.
    pub fix: String,
}

fn ok(what: &'static str, detail: impl Into<String>) -> Check {
    Check {
        what,
        ok: true,
        detail: detail.into(),
        fix: String::new(),
    }
}

fn problem(what: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        what,
        ok: false,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// Run every check. `camera` is tried for up to `camera_wait` (a camera takes a moment to start).
pub fn run(config: &Config, camera_wait: std::time::Duration) -> Vec<Check> {
    let mut checks = readers(config);
    checks.extend([
        camera(config, camera_wait),
        front_camera(config, camera_wait),
        arrangement(config),
        models(config),
        database(&config.folders.data),
        output(&config.folders.output),
        card_trust(config),
        keys(config),
        staff_console(config),
        voice(config),
        fonts(config),
    ]);
    checks
}

/// The voice guidance: every pre-rendered prompt of the current wording is in the voice folder, and the
/// player is installed.
pub fn voice(config: &Config) -> Check {
    if !config.voice.enabled {
        return ok("voice", "voice guidance is off in the configuration");
    }
    let Ok(strings) = kiosk_ui::Strings::embedded() else {
        return problem("voice", "the screen texts do not load", "rebuild the kiosk");
    };
    let cache = kiosk_voice::Cache::new(config.voice_dir());
    let missing = cache.missing(&strings);
    let total = kiosk_voice::catalog(&strings).len();
    if !missing.is_empty() {
        return problem(
            "voice",
            format!(
                "{} of {total} prompts missing in {}",
                missing.len(),
                cache.dir().display()
            ),
            "run `cargo xtask voices` (or `kiosk-voice render --dir DIR` with open-jtalk, \
             open-jtalk-mecab-naist-jdic and espeak-ng installed, and the voice in DIR)",
        );
    }
    if !kiosk_voice::Aplay::available() {
        return problem(
            "voice",
            format!("{total} prompts present, but `aplay` is not installed"),
            "apt-get install alsa-utils (or set [voice] enabled = false)",
        );
    }
    ok(
        "voice",
        format!(
            "{total} prompts present in {}, volume {}%",
            cache.dir().display(),
            config.voice.volume
        ),
    )
}

/// Noto Sans CJK, which Chinese, Korean and Vietnamese screens need (crates/ui/src/fonts.rs). Without
/// it the kiosk still runs; the picker offers only Japanese, English and Portuguese.
fn fonts(config: &Config) -> Check {
    let dir = Path::new(kiosk_ui::fonts::CJK_DIR);
    match kiosk_ui::fonts::Cjk::check(dir) {
        Ok(()) => ok(
            "fonts",
            format!("Noto Sans CJK in {}: all six languages", dir.display()),
        ),
        Err(e) => {
            let starts_in = config.lang();
            let severity = if kiosk_ui::fonts::needs_cjk(starts_in) {
                format!(" language = {:?} cannot be drawn;", config.language)
            } else {
                String::new()
            };
            problem(
                "fonts",
                format!("{e};{severity} Chinese, Korean and Vietnamese are not offered"),
                "apt-get install fonts-noto-cjk (or `cargo xtask setup`)",
            )
        }
    }
}

/// The staff console: its accounts (embedded) or this kiosk's token (remote); the code pad's entries
/// when it is on.
fn staff_console(config: &Config) -> Check {
    let c = &config.console;
    let pad = if c.code_pad {
        format!("; code pad on, {} staff codes (argon2id)", config.staff.len())
    } else {
        String::new()
    };
    if c.mode == crate::config::ConsoleMode::Remote {
        return match crate::console::remote(c) {
            Ok((endpoint, _)) => ok(
                "staff console",
                format!(
                    "reports to {} as {}{}{pad}",
                    endpoint.base,
                    c.kiosk_id,
                    if endpoint.ca.is_some() {
                        format!(" (TLS, trusting {})", c.ca_file.display())
                    } else {
                        " (on this computer)".into()
                    }
                ),
            ),
            Err(e) => problem(
                "staff console",
                e.to_string(),
                "make the token file with `kiosk console add-kiosk ID` (chmod 600); for https, set \
                 console.ca_file to the PEM certificate of the console's CA",
            ),
        };
    }
    match kiosk_console::accounts::Accounts::load(&c.accounts) {
        Ok((accounts, _)) if accounts.is_empty() => problem(
            "staff console",
            format!("{}: no account", c.accounts.display()),
            format!(
                "make one per staff member: `kiosk console add-user NAME --accounts {}`",
                c.accounts.display()
            ),
        ),
        Ok((accounts, warning)) => ok(
            "staff console",
            format!(
                "embedded at http://{}, {} accounts (argon2id){pad}{}",
                c.listen,
                accounts.len(),
                warning.map(|w| format!(" (warning: {w})")).unwrap_or_default()
            ),
        ),
        Err(e) => problem(
            "staff console",
            e.to_string(),
            format!(
                "make one account per staff member: `kiosk console add-user NAME --accounts {}`",
                c.accounts.display()
            ),
        ),
    }
}

/// The card reader and the smartphone reader (`[reader.phone]`), as pcscd lists them now.
fn readers(config: &Config) -> Vec<Check> {
    let listed = kiosk_pcsc::Pcsc::establish()
        .map(|pcsc| pcsc.readers().unwrap_or_default())
        .map_err(|e| e.to_string());
    reader_checks(config, listed)
}

/// The reader checks for the readers pcscd `listed` (or why it could not be asked).
fn reader_checks(config: &Config, listed: Result<Vec<String>, String>) -> Vec<Check> {
    let readers = match listed {
        Ok(readers) => readers,
        Err(e) => {
            return vec![problem(
                "card reader",
                e,
                "start the smart-card service: `systemctl enable --now pcscd` (Debian: apt-get install pcscd)",
            )];
        }
    };
    if readers.is_empty() {
        return vec![problem(
            "card reader",
            "no reader connected",
            "plug in the reader; `pcsc_scan` (pcsc-tools) should list it",
        )];
    }
    let missing = |name: &str| !readers.iter().any(|r| r == name);
    let card = match config.reader.card_reader() {
        Some(wanted) if missing(&wanted) => problem(
            "card reader",
            format!("{wanted:?} is not connected; connected: {}", readers.join(", ")),
            "set [reader] name to one of the connected readers, or leave it empty",
        ),
        _ => ok("card reader", readers.join(", ")),
    };
    let phone = match config.reader.phone_reader() {
        Some(wanted) if missing(&wanted) => problem(
            "phone reader",
            format!("{wanted:?} is not connected; connected: {}", readers.join(", ")),
            "plug in the smartphone reader, or set [reader.phone] name to a connected reader (empty: phones \
             are held to the card reader)",
        ),
        Some(wanted) => ok("phone reader", format!("{wanted} (smartphones are held here)")),
        None => ok(
            "phone reader",
            "none configured: smartphones are held to the card reader, which must be contactless",
        ),
    };
    vec![card, phone]
}

fn camera(config: &Config, wait: std::time::Duration) -> Check {
    let Some(cam) = config.camera_config() else {
        return ok(
            "camera",
            "none configured: the face path is off, patients use the PIN",
        );
    };
    try_camera(
        "camera",
        cam,
        wait,
        "plug in the camera and set [camera] device to its index or name (or \"none\" for PIN only); \
         the kiosk user must be in the `video` group",
    )
}

/// The front camera above the reader, when `[camera.front]` names one.
fn front_camera(config: &Config, wait: std::time::Duration) -> Check {
    let Some(cam) = config.front_camera_config() else {
        return ok("front camera", "none configured (one-camera kiosk)");
    };
    try_camera(
        "front camera",
        cam,
        wait,
        "plug in the front camera above the reader and set [camera.front] device to its index or name \
         (or leave [camera.front] out: the kiosk then asks patients to lift the card to the face camera)",
    )
}

/// Which camera arrangement the configuration makes, in the words of the user guide's set-up section.
pub fn arrangement(config: &Config) -> Check {
    let detail = match config.flow().cameras {
        _ if config.camera_config().is_none() => "no camera: PIN and staff check only".to_string(),
        kiosk_reception::Cameras::FaceAndFront => {
            "face camera and front camera: the card stays on the reader; its front is read where it lies"
                .to_string()
        }
        kiosk_reception::Cameras::FaceOnly { card_return_secs } => format!(
            "one camera: on the face path the patient lifts the card, shows its front to the face camera and \
             puts it back within {card_return_secs} s"
        ),
    };
    ok("arrangement", detail)
}

/// Open `cam` and take a frame, for up to `wait`.
fn try_camera(
    what: &'static str,
    cam: kiosk_camera::CameraConfig,
    wait: std::time::Duration,
    fix: &str,
) -> Check {
    let listed = kiosk_camera::list_cameras();
    let mut source = kiosk_camera::NokhwaSource::new(cam);
    let until = std::time::Instant::now() + wait;
    let last = loop {
        match source.next_frame() {
            Ok(f) => {
                return ok(
                    what,
                    format!("{}: {}×{} frames", source.name(), f.width, f.height),
                );
            }
            Err(e) if std::time::Instant::now() >= until => break e.to_string(),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    problem(
        what,
        format!(
            "{}: {last}; cameras found: {}",
            source.name(),
            if listed.is_empty() {
                "none".into()
            } else {
                listed.join(", ")
            }
        ),
        fix,
    )
}

fn models(config: &Config) -> Check {
    if !config.face.enabled || config.camera_config().is_none() {
        return ok("face models", "face matching is off in the configuration");
    }
    let dir = config
        .models_dir()
        .unwrap_or_else(kiosk_face::models::default_dir);
    match kiosk_face::FaceModels::load(&dir) {
        Ok(_) => ok(
            "face models",
            format!("{}: all files present and checked", dir.display()),
        ),
        Err(e) => problem(
            "face models",
            e.to_string(),
            "run `cargo xtask models` (or copy the files listed in assets/models.sha256 into [face] models_dir)",
        ),
    }
}

fn database(dir: &Path) -> Check {
    if let Err(e) = std::fs::create_dir_all(dir) {
        return problem(
            "database",
            format!("{}: {e}", dir.display()),
            "create the [folders] data folder and make it writable by the kiosk user",
        );
    }
    let roster = kiosk_records::SqliteRoster::open(&dir.join("roster.sqlite"));
    let journal = kiosk_records::Journal::open(&dir.join("journal.sqlite"));
    match (roster, journal) {
        (Ok(_), Ok(j)) => ok(
            "database",
            format!(
                "{}: roster and journal open ({} receptions recorded)",
                dir.display(),
                j.reception_count().unwrap_or(0)
            ),
        ),
        (Err(e), _) | (_, Err(e)) => problem(
            "database",
            e.to_string(),
            "check the [folders] data folder: free space, permissions, and that no other program holds the files",
        ),
    }
}

fn output(dir: &Path) -> Check {
    let probe = dir.join(format!(".kiosk-doctor-{}", std::process::id()));
    let result = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&probe, b"probe"))
        .and_then(|_| std::fs::remove_file(&probe));
    match result {
        Ok(()) => ok("output folder", format!("{}: writable", dir.display())),
        Err(e) => problem(
            "output folder",
            format!("{}: {e}", dir.display()),
            "make the [folders] output folder writable by the kiosk user",
        ),
    }
}

/// The CA certificates patients' certificates must chain to: the J-LIS ones built in, the configured
/// files, and any test hierarchy trusted by name (said loudly: a clinic's kiosk trusts none).
fn card_trust(config: &Config) -> Check {
    const WHAT: &str = "card trust";
    match config.auth_trust() {
        Ok(trust) if trust.test_hierarchies().is_empty() => ok(
            WHAT,
            format!(
                "{} J-LIS CA certificates ({} built in, {} configured)",
                trust.anchors().len(),
                kiosk_mynumber::trust::JLIS_USER_AUTH_CAS.len(),
                config.card_trust.anchors.len()
            ),
        ),
        Ok(trust) => ok(
            WHAT,
            format!(
                "{} CA certificates; TEST hierarchies trusted: {} (a test bench only: test cards pass)",
                trust.anchors().len(),
                trust.test_hierarchies().join(", ")
            ),
        ),
        Err(e) => problem(
            WHAT,
            e.to_string(),
            "list J-LIS CA certificate files (DER, from https://www.jpki.go.jp/ca/index.html) in [card_trust] anchors",
        ),
    }
}

fn keys(config: &Config) -> Check {
    let test = if config.card_face_test_keys {
        ", J-LIS test keys trusted (card_face_test_keys: only for JPKI test cards)"
    } else {
        ""
    };
    match config.trust_anchors() {
        Ok(k) => ok(
            "card-face keys",
            format!(
                "{} keys: J-LIS's built-in keys{test}, {} configured",
                k.len(),
                config.card_face_keys.len()
            ),
        ),
        Err(e) => problem(
            "card-face keys",
            e.to_string(),
            "fix the [[card_face_keys]] entries",
        ),
    }
}

/// The report as text: one line per check, the fix under each problem.
pub fn report(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let mark = if c.ok { "ok     " } else { "PROBLEM" };
        out.push_str(&format!("{mark} {:<15} {}\n", c.what, c.detail));
        if !c.ok {
            out.push_str(&format!("        {:<15} fix: {}\n", "", c.fix));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_camera_arrangement_is_named() {
        let example = crate::config::EXAMPLE;
        let one = Config::parse(example, "kiosk.toml").unwrap_or_else(|e| panic!("{e}"));
        let named = arrangement(&one);
        assert!(named.ok && named.detail.starts_with("one camera"), "{named:?}");
        assert!(named.detail.contains("20 s"), "{named:?}");
        let with_front = example.replacen(
            "# [camera.front]\n# device = \"1\"",
            "[camera.front]\ndevice = \"1\"",
            1,
        );
        let two = Config::parse(&with_front, "kiosk.toml").unwrap_or_else(|e| panic!("{e}"));
        let named = arrangement(&two);
        assert!(
            named.detail.starts_with("face camera and front camera"),
            "{named:?}"
        );
        let text = report(&[named]);
        assert!(text.starts_with("ok      arrangement"), "{text}");
    }

    #[test]
    fn the_staff_console_needs_an_account() {
        let dir = std::env::temp_dir().join(format!("kiosk-doctor-console-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let mut config = Config::parse(crate::config::EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        config.console.accounts = dir.join("accounts.toml");
        let c = staff_console(&config);
        assert!(!c.ok && c.fix.contains("kiosk console add-user"), "{c:?}");
        let name = kiosk_console::accounts::AccountName::new("sato").unwrap_or_else(|e| panic!("{e}"));
        let password = zeroize::Zeroizing::new("a long enough password".to_string());
        kiosk_console::accounts::Accounts::add_to_file(&config.console.accounts, name, &password)
            .unwrap_or_else(|e| panic!("{e}"));
        let c = staff_console(&config);
        assert!(c.ok && c.detail.contains("1 accounts"), "{c:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_voice_prompts_are_a_problem_with_the_fix() {
        let mut c = Config::parse(crate::config::EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        let empty = std::env::temp_dir().join(format!("kiosk-doctor-voice-{}", std::process::id()));
        c.voice.dir = empty.display().to_string();
        let check = voice(&c);
        assert!(!check.ok, "{check:?}");
        assert!(check.detail.contains("prompts missing"), "{check:?}");
        assert!(check.fix.contains("cargo xtask voices"), "{check:?}");
        c.voice.enabled = false;
        assert!(voice(&c).ok);
    }

    #[test]
    fn folders_are_checked_and_a_file_in_the_way_is_a_problem() {
        let base = std::env::temp_dir().join(format!("kiosk-doctor-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("{e}"));
        assert!(database(&base.join("data")).ok);
        assert!(output(&base.join("out")).ok);
        std::fs::write(base.join("blocked"), b"x").unwrap_or_else(|e| panic!("{e}"));
        let c = output(&base.join("blocked"));
        assert!(!c.ok);
        assert!(c.fix.contains("output folder"), "{c:?}");
        let text = report(&[c]);
        assert!(text.starts_with("PROBLEM output folder"), "{text}");
        let _ = std::fs::remove_dir_all(&base);
    }

    fn config_with_readers(card: &str, phone: &str) -> Config {
        let example = crate::config::EXAMPLE
            .replacen("name = \"\"", &format!("name = {card:?}"), 1)
            .replacen("name = \"\"", &format!("name = {phone:?}"), 1);
        Config::parse(&example, "kiosk.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_phone_reader_is_checked_beside_the_card_reader() {
        let listed = || Ok(vec!["Card 00".to_string(), "Phone 01".to_string()]);
        let checks = reader_checks(&config_with_readers("Card 00", "Phone 01"), listed());
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        assert_eq!(checks[1].detail, "Phone 01 (smartphones are held here)");

        let missing = reader_checks(&config_with_readers("Card 00", "NFC 02"), listed());
        assert!(missing[0].ok);
        assert!(!missing[1].ok, "{missing:?}");
        assert_eq!(missing[1].what, "phone reader");
        assert!(
            missing[1].detail.contains("\"NFC 02\" is not connected"),
            "{missing:?}"
        );

        let same = reader_checks(&config_with_readers("", ""), listed());
        assert!(same[1].ok);
        assert!(same[1].detail.contains("held to the card reader"), "{same:?}");

        let down = reader_checks(&config_with_readers("", ""), Err("pcscd is not running".into()));
        assert_eq!(down.len(), 1);
        assert!(!down[0].ok);
    }
}
