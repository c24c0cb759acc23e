//! One staff console and three kiosks, each its own process on this machine, set up with the
//! commands clinic IT uses: `kiosk console add-user`, `kiosk console add-kiosk` (one token per kiosk),
//! `kiosk console --config FILE`, and kiosks whose `[console]` section points at it. The kiosks are
//! `kiosk --demo --walk --console FILE` processes: the kiosk core of the window, with virtual cards and
//! scripted patients, who stand at 「係員が確認します」 until staff decide.
//!
//! Staff log in over HTTP, see three kiosks waiting, confirm two holders and refuse one; each kiosk
//! process moves on by itself (to 完了, or to the counter). A fourth kiosk with a forged token is
//! refused and never appears. The audit log names who decided which kiosk's check, and no patient.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk::demo::TempDir;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KIOSK: &str = env!("CARGO_BIN_EXE_kiosk");
const PASSWORD: &str = "sato-console-password-1";

/// A child process killed on drop, so a failed test leaves nothing running.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn private_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// `kiosk console add-kiosk ID`: the entry for the console and the kiosk's token.
fn add_kiosk(id: &str) -> (String, String) {
    let out = Command::new(KIOSK)
        .args(["console", "add-kiosk", id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let entry: String = text
        .lines()
        .filter(|l| l.starts_with("[[kiosk]]") || l.starts_with("id =") || l.starts_with("token_sha256"))
        .map(|l| format!("{l}\n"))
        .collect();
    let token = text.lines().last().unwrap().trim().to_owned();
    assert_eq!(entry.lines().count(), 3, "{text}");
    assert_eq!(token.len(), 64, "{text}");
    (entry, token)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

fn cookie(r: &ureq::http::Response<ureq::Body>) -> String {
    r.headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[at..at + 64].to_owned()
}

/// Log in as `name`: the session cookie and the page's CSRF token.
fn log_in(base: &str, name: &str) -> (String, String) {
    let agent = agent();
    let mut page = agent.get(format!("{base}/login")).call().unwrap();
    let login_cookie = cookie(&page);
    let csrf = csrf_of(&page.body_mut().read_to_string().unwrap());
    let r = agent
        .post(format!("{base}/login"))
        .header("Cookie", &login_cookie)
        .send_form([("csrf", csrf.as_str()), ("name", name), ("password", PASSWORD)])
        .unwrap();
    assert_eq!(r.status(), 303, "login refused");
    let session = cookie(&r);
    let mut page = agent
        .get(format!("{base}/"))
        .header("Cookie", &session)
        .call()
        .unwrap();
    let csrf = csrf_of(&page.body_mut().read_to_string().unwrap());
    (session, csrf)
}

fn live(base: &str, session: &str) -> String {
    let mut r = agent()
        .get(format!("{base}/live"))
        .header("Cookie", session)
        .call()
        .unwrap();
    r.body_mut().read_to_string().unwrap()
}

/// The part of the live page about kiosk `id`.
fn kiosk_part<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let start = page.find(&format!("id=\"kiosk-{id}\""))?;
    let end = page[start..].find("</article>")? + start;
    Some(&page[start..end])
}

/// The number of kiosk `id`'s pending visual check, as the console page shows it.
fn pending_call(page: &str, id: &str) -> Option<u64> {
    let part = kiosk_part(page, id)?;
    let at = part.find("data-call=\"")? + 11;
    let len = part[at..].find('"')?;
    part[at..at + len].parse().ok()
}

fn verdict(base: &str, (session, csrf): &(String, String), kiosk: &str, call: u64, holder: &str) {
    let r = agent()
        .post(format!("{base}/kiosk/{kiosk}/verdict"))
        .header("Cookie", session)
        .send_form([
            ("csrf", csrf.as_str()),
            ("call", &call.to_string()),
            ("holder", holder),
        ])
        .unwrap();
    assert_eq!(r.status(), 303);
}

fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A kiosk process walking the patients of demo card `profile`, reporting to the console per `config`.
fn kiosk_process(config: &Path, profile: &str) -> Process {
    Process(
        Command::new(KIOSK)
            .args(["--demo", "--walk", "--profile", profile, "--console"])
            .arg(config)
            .env_remove("DISPLAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// Wait for a kiosk process to end by itself; its output (stdout, then stderr).
fn finished(mut p: Process, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = p.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "a kiosk process did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut out = String::new();
    p.0.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    p.0.stderr.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(status.success(), "{out}");
    out
}

const IDS: [&str; 3] = ["reception-1", "reception-2", "reception-3"];

/// The files clinic IT writes, in `d`: the console's account, console.toml with three kiosks (each
/// with its own token; the console keeps only the tokens' hashes), each kiosk's configuration and
/// token, and a fourth kiosk's with a made-up token. Returns the console's port.
fn clinic_files(d: &Path) -> u16 {
    // The console's account, made as clinic IT does (the password read from stdin).
    let accounts = d.join("accounts.toml");
    let mut add = Command::new(KIOSK)
        .args(["console", "add-user", "sato", "--accounts"])
        .arg(&accounts)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}\n{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());

    // Three kiosks, each with its own token; the console knows only the tokens' hashes.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut console_toml = format!(
        "listen = \"127.0.0.1:{port}\"\naccounts = \"{}\"\nstate_dir = \"{}\"\nsecure_cookies = false\n\n",
        accounts.display(),
        d.join("console-state").display()
    );
    for (n, id) in IDS.iter().enumerate() {
        let (entry, token) = add_kiosk(id);
        console_toml.push_str(&entry);
        let token_file = d.join(format!("token-{n}"));
        private_file(&token_file, &format!("{token}\n"));
        private_file(
            &d.join(format!("kiosk-{n}.toml")),
            &format!(
                "[console]\nmode = \"remote\"\nurl = \"{base}\"\ntoken_file = \"{}\"\nkiosk_id = \"{id}\"\n",
                token_file.display()
            ),
        );
    }
    // A kiosk the console does not know: a token of the right form, made up.
    private_file(&d.join("token-forged"), &format!("{}\n", "ab".repeat(32)));
    private_file(
        &d.join("kiosk-forged.toml"),
        &format!(
            "[console]\nmode = \"remote\"\nurl = \"{base}\"\ntoken_file = \"{}\"\nkiosk_id = \"reception-1\"\n",
            d.join("token-forged").display()
        ),
    );
    private_file(&d.join("console.toml"), &console_toml);
    port
}

#[test]
fn three_kiosk_processes_and_one_console_process() {
    let dir = TempDir::new("console-processes").unwrap();
    let d = dir.path();

    let port = clinic_files(d);
    let base = format!("http://127.0.0.1:{port}");
    let console_file = d.join("console.toml");
    let _console = Process(
        Command::new(KIOSK)
            .args(["console", "--config"])
            .arg(&console_file)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    until("the console listens", Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let staff = log_in(&base, "sato");

    // pin-blocked: nobody at the camera, then staff. last-try: one wrong PIN locks it, then staff.
    let kiosks = [
        kiosk_process(&d.join("kiosk-0.toml"), "pin-blocked"),
        kiosk_process(&d.join("kiosk-1.toml"), "last-try"),
        kiosk_process(&d.join("kiosk-2.toml"), "pin-blocked"),
    ];
    let forged = kiosk_process(&d.join("kiosk-forged.toml"), "pin-blocked");

    let mut calls = [0u64; 3];
    until(
        "three kiosks waiting for a visual check",
        Duration::from_secs(120),
        || {
            let page = live(&base, &staff.0);
            for (n, id) in IDS.iter().enumerate() {
                match pending_call(&page, id) {
                    Some(call) => calls[n] = call,
                    None => return false,
                }
            }
            true
        },
    );
    let page = live(&base, &staff.0);
    assert_eq!(page.matches("class=\"check\"").count(), 3, "{page}");

    verdict(&base, &staff, IDS[0], calls[0], "yes");
    verdict(&base, &staff, IDS[1], calls[1], "no");
    verdict(&base, &staff, IDS[2], calls[2], "yes");
    let [k0, k1, k2] = kiosks;
    let outputs = [k0, k1, k2].map(|k| finished(k, Duration::from_secs(120)));
    assert!(outputs[0].contains("ends with: done:"), "{}", outputs[0]);
    assert!(outputs[0].contains("StaffWaiting"), "{}", outputs[0]);
    assert!(
        outputs[1].contains("Counter { reason: StaffRefused }"),
        "{}",
        outputs[1]
    );
    assert!(outputs[2].contains("ends with: done:"), "{}", outputs[2]);

    // The forged kiosk never got in: it reports the console refusing it, and it is still waiting
    // (only three kiosks on the page, reception-1 as the real one left it).
    let page = live(&base, &staff.0);
    assert_eq!(page.matches("class=\"kiosk\"").count(), 3, "{page}");
    drop(forged);

    let audit = std::fs::read_to_string(d.join("console-state/audit.log")).unwrap();
    for (n, id) in IDS.iter().enumerate() {
        let result = if n == 1 { "not-holder" } else { "holder" };
        let line = format!(
            "visual-check user=sato kiosk={id} call={} result={result}",
            calls[n]
        );
        assert!(audit.contains(&line), "{line} missing:\n{audit}");
        assert!(
            audit.contains(&format!("call-visual-check kiosk={id}")),
            "{audit}"
        );
    }
    assert!(audit.contains("login user=sato"), "{audit}");
    assert!(!audit.contains("山田") && !audit.contains("様"), "{audit}");
}
