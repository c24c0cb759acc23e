//! The console over real HTTP on a localhost port: staff log in (and are locked out), a kiosk reports
//! with its token and calls, staff decide its visual check, the kiosk gets the verdict. The attacks
//! are fixtures: a wrong token, a forged form without the CSRF token, a form from another origin, a
//! verdict for a check that is no longer pending, and password guessing.

use kiosk_console::accounts::{AccountName, Accounts};
use kiosk_console::audit::AuditLog;
use kiosk_console::lockout::Lockout;
use kiosk_console::protocol::{Call, CallKind, KioskId, KioskState, PendingCheck, Report, ReportAnswer};
use kiosk_console::server::{self, Console, Settings};

struct Http {
    agent: ureq::Agent,
    base: String,
    cookies: Vec<(String, String)>,
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

impl Http {
    fn new(base: String) -> Http {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Http {
            agent,
            base,
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &ureq::http::Response<ureq::Body>) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            if let Some((k, rest)) = v.split(';').next().and_then(|kv| kv.split_once('=')) {
                self.cookies.retain(|(n, _)| n != k);
                self.cookies.push((k.to_owned(), rest.to_owned()));
            }
        }
    }

    fn get(&mut self, path: &str) -> Answer {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .call()
            .unwrap_or_else(|e| panic!("{e}"));
        self.keep(&r);
        answer(&mut r)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)], origin: Option<&str>) -> Answer {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let mut r = req
            .send_form(form.iter().copied())
            .unwrap_or_else(|e| panic!("{e}"));
        self.keep(&r);
        answer(&mut r)
    }
}

fn answer(r: &mut ureq::http::Response<ureq::Body>) -> Answer {
    Answer {
        status: r.status().as_u16(),
        location: r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf in {page}"))
        + 19;
    page[at..at + 64].to_owned()
}

fn start(dir: &std::path::Path) -> (server::Running, String) {
    let mut accounts = Accounts::default();
    let name = |n: &str| AccountName::new(n).unwrap_or_else(|e| panic!("{e}"));
    accounts
        .add(name("sato"), "sato-password-1")
        .unwrap_or_else(|e| panic!("{e}"));
    accounts
        .add(name("kato"), "kato-password-1")
        .unwrap_or_else(|e| panic!("{e}"));
    let token = "k1-token-0123456789abcdef0123456789abcdef0123456789abcdef01234567";
    let settings = Settings {
        accounts,
        kiosks: vec![(
            KioskId::new("kiosk-1").unwrap_or_else(|e| panic!("{e}")),
            kiosk_console::config::token_sha256(token),
        )],
        lockout: Lockout::open(&dir.join("lockout.json")).unwrap_or_else(|e| panic!("{e}")),
        audit: AuditLog::open(&dir.join("audit.log")).unwrap_or_else(|e| panic!("{e}")),
        session_idle_secs: 900,
        session_max_secs: 3600,
        secure_cookies: false,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let running = server::serve(listener, Console::new(settings)).unwrap_or_else(|e| panic!("{e}"));
    (running, token.to_owned())
}

fn report(base: &str, token: &str, report: &Report) -> Result<ReportAnswer, String> {
    let mut r = ureq::post(format!("{base}/api/kiosk/report"))
        .header("Authorization", format!("Bearer {token}"))
        .send_json(report)
        .map_err(|e| e.to_string())?;
    r.body_mut().read_json().map_err(|e| e.to_string())
}

fn login(http: &mut Http, name: &str, password: &str) -> Answer {
    let page = http.get("/login");
    let csrf = csrf_of(&page.body);
    http.post(
        "/login",
        &[("csrf", &csrf), ("name", name), ("password", password)],
        None,
    )
}

#[test]
fn staff_log_in_receive_a_call_and_decide_a_visual_check() {
    let dir = std::env::temp_dir().join(format!("kiosk-console-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (running, token) = start(&dir);
    let base = format!("http://{}", running.addr);
    let mut staff = Http::new(base.clone());

    // Not logged in: the dashboard sends to the login page.
    let r = staff.get("/");
    assert_eq!((r.status, r.location.as_str()), (303, "/login"));
    // A login form without its CSRF cookie (posted from elsewhere) is refused.
    let mut stranger = Http::new(base.clone());
    let r = stranger.post(
        "/login",
        &[("csrf", "x"), ("name", "sato"), ("password", "sato-password-1")],
        None,
    );
    assert_eq!(r.status, 403);
    let r = login(&mut staff, "sato", "sato-password-1");
    assert_eq!((r.status, r.location.as_str()), (303, "/"), "{}", r.body);
    let page = staff.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("kiosk-1") && page.body.contains("Offline"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);

    // A wrong kiosk token is refused.
    assert!(report(&base, "wrong", &Report::default()).is_err());
    // The kiosk: a patient pressed 「係員を呼ぶ」 and chose the visual check.
    let waiting = Report {
        state: KioskState {
            screen: "StaffWaiting".into(),
            help: true,
            check: Some(PendingCheck {
                call: 7,
                photo_failed: false,
                photo: false,
            }),
            ..Default::default()
        },
        calls: vec![
            Call {
                id: 1,
                kind: CallKind::Help,
                at: 100,
            },
            Call {
                id: 2,
                kind: CallKind::VisualCheck,
                at: 101,
            },
        ],
    };
    let a = report(&base, &token, &waiting).unwrap_or_else(|e| panic!("{e}"));
    assert!(a.calls_received == [1, 2] && a.verdicts.is_empty());
    // Sent again (the kiosk had not heard back): no second alert.
    report(&base, &token, &waiting).unwrap_or_else(|e| panic!("{e}"));
    let live = staff.get("/live").body;
    assert_eq!(live.matches("class=\"alert ").count(), 2, "{live}");
    assert!(
        live.contains("data-screen=\"StaffWaiting\"") && live.contains("data-call=\"7\""),
        "{live}"
    );

    decide(&mut staff, &base, &token, &csrf, waiting.state);

    // A counter ending raises its own alert.
    let counter = Report {
        state: KioskState {
            screen: "Counter".into(),
            counter_reason: Some("TimedOut".into()),
            ..Default::default()
        },
        calls: vec![],
    };
    report(&base, &token, &counter).unwrap_or_else(|e| panic!("{e}"));
    let live = staff.get("/live").body;
    assert!(
        live.contains("alert counter") && live.contains("TimedOut"),
        "{live}"
    );

    // Logout ends the session.
    let r = staff.post("/logout", &[("csrf", &csrf)], None);
    assert_eq!(r.status, 303);
    assert_eq!(staff.get("/live").status, 401);

    audited(&dir);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn guessing_locks_the_account_and_a_restart_keeps_the_lock() {
    let dir = std::env::temp_dir().join(format!("kiosk-console-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (running, _) = start(&dir);
    let mut guesser = Http::new(format!("http://{}", running.addr));
    for guess in ["password", "123456", "sato"] {
        let r = login(&mut guesser, "sato", guess);
        assert_eq!(r.status, 401);
    }
    // Locked now: even the right password is refused, unchecked.
    let r = login(&mut guesser, "sato", "sato-password-1");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("秒ログインできません"), "{}", r.body);
    // Another account is not affected.
    assert_eq!(login(&mut guesser, "kato", "kato-password-1").status, 303);
    drop(running);
    // Restart: still locked.
    let (running, _) = start(&dir);
    let mut staff = Http::new(format!("http://{}", running.addr));
    let r = login(&mut staff, "sato", "sato-password-1");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("秒ログインできません"), "{}", r.body);
    // A name that is no account answers exactly as an account does, so guessing tells nobody which
    // names exist: the same message after each wrong password, the same lock after the third.
    let mut prober = Http::new(format!("http://{}", running.addr));
    for guess in ["password", "123456", "sato", "sato-password-1"] {
        let known = login_error(&login(&mut prober, "kato", guess).body);
        let unknown = login_error(&login(&mut prober, "nobody", guess).body);
        // (The seconds left may differ by one when a second turns between the two logins.)
        let digits = |s: String| s.replace(|c: char| c.is_ascii_digit(), "#");
        assert_eq!(digits(known), digits(unknown), "after {guess:?}");
    }
    assert!(login_error(&login(&mut prober, "nobody", "x").body).contains("秒ログインできません"));
    let audit = std::fs::read_to_string(dir.join("audit.log")).unwrap_or_default();
    assert!(audit.contains("account-locked user=(unknown) secs=30"), "{audit}");
    assert!(audit.contains("account-locked user=sato secs=30"), "{audit}");
    assert!(audit.contains("login-refused-locked user=sato"), "{audit}");
    assert!(
        !audit.contains("sato-password") && !audit.contains("123456"),
        "no password in the audit"
    );
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The login page's error message.
fn login_error(page: &str) -> String {
    let at = page
        .find("id=\"login-error\"")
        .unwrap_or_else(|| panic!("no error in {page}"));
    let start = at + page[at..].find('>').unwrap_or(0) + 1;
    let end = start + page[start..].find('<').unwrap_or(0);
    page[start..end].to_owned()
}

/// Forged verdicts are refused; a stale one does nothing; the real one reaches the kiosk, once.
fn decide(staff: &mut Http, base: &str, token: &str, csrf: &str, waiting: KioskState) {
    // A forged verdict: no CSRF token, or from another origin.
    let r = staff.post(
        "/kiosk/kiosk-1/verdict",
        &[("csrf", "forged"), ("call", "7"), ("holder", "yes")],
        None,
    );
    assert_eq!(r.status, 403);
    let r = staff.post(
        "/kiosk/kiosk-1/verdict",
        &[("csrf", csrf), ("call", "7"), ("holder", "yes")],
        Some("http://evil.example"),
    );
    assert_eq!(r.status, 403);
    // A verdict for a check that is not pending does nothing.
    let r = staff.post(
        "/kiosk/kiosk-1/verdict",
        &[("csrf", csrf), ("call", "6"), ("holder", "yes")],
        None,
    );
    assert_eq!(r.status, 303);
    // The real one.
    let r = staff.post(
        "/kiosk/kiosk-1/verdict",
        &[("csrf", csrf), ("call", "7"), ("holder", "yes")],
        None,
    );
    assert_eq!(r.status, 303);
    let a = report(
        base,
        token,
        &Report {
            state: waiting.clone(),
            calls: vec![],
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.verdicts.len(), 1);
    assert!(a.verdicts[0].holder_confirmed && a.verdicts[0].call == 7 && a.verdicts[0].staff == "sato");
    // Only once.
    let a = report(
        base,
        token,
        &Report {
            state: waiting,
            calls: vec![],
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(a.verdicts.is_empty());
}

/// The audit log names who, which kiosk and what, for every step.
fn audited(dir: &std::path::Path) {
    let audit = std::fs::read_to_string(dir.join("audit.log")).unwrap_or_default();
    for what in [
        "login user=sato",
        "call-help kiosk=kiosk-1",
        "call-visual-check kiosk=kiosk-1",
        "visual-check user=sato kiosk=kiosk-1 call=6 result=refused-not-pending",
        "visual-check user=sato kiosk=kiosk-1 call=7 result=holder",
        "counter-ending kiosk=kiosk-1",
        "logout user=sato",
    ] {
        assert!(audit.contains(what), "{what} missing from\n{audit}");
    }
}

fn upload(base: &str, token: &str, call: u64, body: &[u8]) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .post(format!("{base}/api/kiosk/photo?call={call}"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "image/png")
        .send(body)
        .map(|r| r.status().as_u16())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The chip photo: only for the pending check, only to a logged-in session, never cached, and gone
/// once the check is over.
#[test]
fn the_chip_photo_is_shown_for_its_check_only_and_never_cached() {
    let dir = std::env::temp_dir().join(format!("kiosk-console-photo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (running, token) = start(&dir);
    let base = format!("http://{}", running.addr);
    let png = b"\x89PNG\r\n\x1a\nnot really a picture, but a PNG signature";
    let waiting = |call| Report {
        state: KioskState {
            screen: "StaffWaiting".into(),
            check: Some(PendingCheck {
                call,
                photo_failed: false,
                photo: true,
            }),
            ..Default::default()
        },
        calls: vec![],
    };
    report(&base, &token, &waiting(7)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(upload(&base, &token, 8, png), 409, "not the pending check");
    assert_eq!(upload(&base, &token, 7, b"GIF89a"), 400, "not a PNG");
    assert_eq!(upload(&base, "wrong", 7, png), 401);
    assert_eq!(upload(&base, &token, 7, png), 204);
    let mut stranger = Http::new(base.clone());
    assert_eq!(stranger.get("/kiosk/kiosk-1/photo?call=7").status, 401);
    let mut staff = Http::new(base.clone());
    assert_eq!(login(&mut staff, "sato", "sato-password-1").status, 303);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .get(format!("{base}/kiosk/kiosk-1/photo?call=7"))
        .header("Cookie", staff.cookie_header())
        .call()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(staff.get("/live").body.contains("/kiosk/kiosk-1/photo?call=7"));
    // The check is over (the kiosk moved on): the photo is gone.
    report(&base, &token, &Report::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(staff.get("/kiosk/kiosk-1/photo?call=7").status, 404);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}
