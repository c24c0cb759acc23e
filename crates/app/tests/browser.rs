//! The staff console in a real browser: Debian's Chromium, headless, driven by chromium-driver over
//! WebDriver (W3C, <https://www.w3.org/TR/webdriver2/>). Staff log in, a guesser locks an account out,
//! the page raises a kiosk's call by itself (its script), staff confirm a visual check with the chip
//! photo beside it, and the kiosk moves on.
//!
//! Ignored in the first pass of `cargo xtask test` and run in its second, after the packages
//! (chromium, chromium-driver) are installed. With `KIOSK_CONSOLE_SCREENSHOTS=DIR` it saves the
//! console's screenshots (docs/screenshots).
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::core::KioskCore;
use kiosk::demo::{self, DemoCamera, DemoFrames, TempDir};
use kiosk_card_sim::SharedCard;
use kiosk_console::accounts::{AccountName, Accounts};
use kiosk_console::audit::AuditLog;
use kiosk_console::client::Endpoint;
use kiosk_console::lockout::Lockout;
use kiosk_console::protocol::KioskId;
use kiosk_console::server::{self, Console, Settings};
use kiosk_face::FaceModels;
use kiosk_reception::{Input, Press, Screen, StaffCheckBy};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "browser-test-kiosk-token-0123456789abcdef0123456789abcdef";

/// chromedriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver (apt-get install chromium chromium-driver): {e}"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let mut driver = Driver {
            child,
            base,
            session: String::new(),
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1300", "--lang=ja"]
            }
        }}});
        loop {
            if let Ok(v) = driver.call("POST", "/session", Some(&caps))
                && let Some(id) = v["sessionId"].as_str()
            {
                driver.session = id.to_owned();
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start a session");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let r = match (method, body) {
            ("POST", Some(b)) => self.agent.post(&url).send_json(b),
            ("POST", None) => self.agent.post(&url).send_json(json!({})),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut r = r.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let v: Value = r.body_mut().read_json().map_err(|e| e.to_string())?;
        if status == 200 {
            Ok(v["value"].clone())
        } else {
            Err(format!("{status}: {v}"))
        }
    }

    fn session(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn go(&self, url: &str) {
        self.session("POST", "/url", Some(&json!({ "url": url })));
    }

    fn find(&self, css: &str) -> Option<String> {
        let path = format!("/session/{}/element", self.session);
        let v = self
            .call(
                "POST",
                &path,
                Some(&json!({"using": "css selector", "value": css})),
            )
            .ok()?;
        v.as_object()?.values().next()?.as_str().map(str::to_owned)
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).unwrap_or_else(|| panic!("no {css}"));
        self.session("POST", &format!("/element/{e}/clear"), None);
        self.session(
            "POST",
            &format!("/element/{e}/value"),
            Some(&json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let e = self
            .find(css)
            .unwrap_or_else(|| panic!("no {css} in {}", self.source()));
        self.session("POST", &format!("/element/{e}/click"), None);
    }

    fn source(&self) -> String {
        self.session("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("KIOSK_CONSOLE_SCREENSHOTS") else {
            return;
        };
        let b64 = self.session("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().unwrap_or_default());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }

    fn log_in(&self, console: &str, name: &str, password: &str) {
        self.go(&format!("{console}/login"));
        self.type_into("#name", name);
        self.type_into("#password", password);
        let before = self.find("#login");
        self.click("#login");
        // The click starts the form's navigation; wait until the new page is there.
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.find("#login").is_some() && self.find("#login") == before {
            assert!(Instant::now() < deadline, "the login form did not submit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Poll the kiosk while waiting for `done` (20 s at most).
fn until(core: &mut KioskCore, what: &str, mut done: impl FnMut(&mut KioskCore) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(core) {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        core.wait(Duration::from_millis(50));
    }
}

fn console(dir: &std::path::Path) -> server::Running {
    let mut accounts = Accounts::default();
    accounts
        .add(AccountName::new("sato").unwrap(), "sato-password-1")
        .unwrap();
    accounts
        .add(AccountName::new("kato").unwrap(), "kato-password-1")
        .unwrap();
    let settings = Settings {
        accounts,
        kiosks: vec![(
            KioskId::new("kiosk-1").unwrap(),
            kiosk_console::config::token_sha256(TOKEN),
        )],
        lockout: Lockout::open(&dir.join("lockout.json")).unwrap(),
        audit: AuditLog::open(&dir.join("audit.log")).unwrap(),
        session_idle_secs: 900,
        session_max_secs: 3600,
        secure_cookies: false,
    };
    server::serve(
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        Console::new(settings),
    )
    .unwrap()
}

/// A kiosk with the face models and the demo camera, which shows the card front when asked: the
/// chip photo is read for real and sent to the console.
fn kiosk(work: &TempDir, base: &str) -> (KioskCore, SharedCard) {
    static MODELS: std::sync::OnceLock<FaceModels> = std::sync::OnceLock::new();
    let models = MODELS.get_or_init(|| FaceModels::load_default().unwrap());
    let (card, holder) = demo::card("demo").unwrap();
    let camera = Arc::new(DemoFrames::default()).camera(Some(models), DemoCamera::CardHolder, holder);
    let mut parts = demo::parts(Some(models), camera, work, Arc::new(|| {})).unwrap();
    parts.flow.staff_check = StaffCheckBy::Console;
    let mut core = KioskCore::start(parts).unwrap();
    core.connect_console(Endpoint {
        base: base.to_owned(),
        token: zeroize::Zeroizing::new(TOKEN.to_owned()),
        ca: None,
    })
    .unwrap();
    (core, SharedCard::new(card))
}

#[test]
#[ignore = "needs chromium and chromium-driver: cargo xtask test installs them and runs it"]
fn staff_use_the_console_in_chromium() {
    let work = TempDir::new("browser").unwrap();
    let running = console(work.path());
    let base = format!("http://{}", running.addr);
    let (mut core, card) = kiosk(&work, &base);
    let browser = Driver::start();

    // A guesser locks kato out: three wrong passwords, then even the right one is refused.
    browser.go(&format!("{base}/login"));
    browser.screenshot("console-login.png");
    for guess in ["password", "kato", "12345678"] {
        browser.log_in(&base, "kato", guess);
        let page = browser.source();
        assert!(page.contains("id=\"login-error\""), "{page}");
    }
    browser.log_in(&base, "kato", "kato-password-1");
    let page = browser.source();
    assert!(page.contains("秒ログインできません"), "{page}");
    browser.screenshot("console-locked.png");

    // sato logs in and sees the kiosk.
    browser.log_in(&base, "sato", "sato-password-1");
    until(&mut core, "the dashboard shows the kiosk idle", |_| {
        browser.source().contains("data-screen=\"Idle\"")
    });

    // A patient: card placed, 「係員を呼ぶ」, then the visual check. The page shows both by itself.
    core.insert_card(Box::new(card.clone()));
    core.settle(Duration::from_secs(30));
    assert!(
        matches!(core.screen(), Screen::MethodChoice { .. }),
        "{:?}",
        core.screen()
    );
    core.input(Input::Press(Press::HelpPressed));
    core.input(Input::Press(Press::StaffHelpChosen));
    assert!(matches!(core.screen(), Screen::StaffWaiting { .. }));
    until(&mut core, "the console shows the call and the chip photo", |_| {
        let page = browser.source();
        page.contains("class=\"alert help\"")
            && page.contains("class=\"alert check\"")
            && page.contains("<img")
    });
    assert!(matches!(
        core.screen(),
        Screen::StaffWaiting { photo_failed: false }
    ));
    browser.screenshot("console-visual-check.png");

    // 本人です: the kiosk moves on.
    browser.click("#kiosk-kiosk-1 .check button.yes");
    until(&mut core, "the kiosk moved on", |c| {
        c.screen().kind() == "ConsentStart"
    });
    until(&mut core, "the console shows it", |_| {
        browser.source().contains("data-screen=\"ConsentStart\"")
    });
    browser.screenshot("console-moved-on.png");

    let audit = std::fs::read_to_string(work.path().join("audit.log")).unwrap();
    for line in [
        "account-locked user=kato",
        "login user=sato",
        "visual-check user=sato kiosk=kiosk-1",
    ] {
        assert!(audit.contains(line), "{line} missing:\n{audit}");
    }
    assert!(
        !audit.contains("kato-password") && !audit.contains("山田"),
        "{audit}"
    );
}
