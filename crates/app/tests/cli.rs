//! The `kiosk` binary as a user sees it: demo mode on the embedded defaults, and clear errors.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use std::process::Command;

fn kiosk(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn section<'a>(out: &'a str, profile: &str) -> &'a str {
    let start = out.find(&format!("card \"{profile}\"")).unwrap();
    let rest = &out[start..];
    let end = rest[1..].find("── card").map(|i| i + 1).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_demo_shows_what_the_reception_reads_from_every_card() {
    let (code, out, err) = kiosk(&["--demo", "--cards"]);
    assert_eq!(code, 0, "{err}");
    assert!(section(&out, "demo").contains("有効 valid until"));
    assert!(section(&out, "demo").contains("genuine:                yes"));
    assert!(section(&out, "last-try").contains("1 tries left"));
    assert!(section(&out, "pin-blocked").contains("blocked"));
    assert!(section(&out, "expiring").contains("renewal alert"));
    assert!(section(&out, "expired-grace").contains("eligibility check only"));
    assert!(section(&out, "expired").contains("not usable"));
    assert!(section(&out, "infant").contains("no photo"));
    assert!(section(&out, "android").contains("Android"));
    // The demo trusts the virtual cards' test hierarchy by name, as a test bench's configuration would.
    assert!(section(&out, "demo").contains("\ntrusted: yes\n"), "{out}");
    assert!(section(&out, "expired").contains("trusted: no (the certificate expired on"));
    assert!(!section(&out, "android").contains("trusted:"));
}

#[test]
fn card_info_reads_the_trust_configuration_before_looking_for_a_reader() {
    // No reader is needed to see that the configuration is wrong: exit 4, with the file and the key.
    let (code, _, err) = kiosk(&["card", "info", "--config", "/nonexistent/kiosk.toml"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("/nonexistent/kiosk.toml: not found"), "{err}");
    let dir = std::env::temp_dir().join(format!("kiosk-cli-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_, example, _) = kiosk(&["config", "example"]);
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        example.replace("test_hierarchies = []", "test_hierarchies = [\"JPKI\"]"),
    )
    .unwrap();
    let (code, _, err) = kiosk(&["card", "info", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("card_trust.test_hierarchies: \"JPKI\": \"JPKI\" is J-LIS's production hierarchy"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn personal_data_only_when_asked() {
    let (_, plain, _) = kiosk(&["--demo", "--cards", "--profile", "demo"]);
    assert!(!plain.contains("山田"), "no name without --personal");
    assert!(!plain.contains("1961"), "no birth date without --personal");
    // The header names the virtual card's test PIN so a demo user can try it; the report itself never does.
    assert!(
        plain
            .lines()
            .filter(|l| !l.starts_with("── card"))
            .all(|l| !l.contains("1234")),
        "{plain}"
    );
    let (code, personal, _) = kiosk(&["--demo", "--cards", "--profile", "demo", "--personal"]);
    assert_eq!(code, 0);
    assert!(personal.contains("山田　太郎"));
}

#[test]
fn bad_usage_is_explained() {
    let (code, _, err) = kiosk(&["--demo", "--cards", "--profile", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("no such profile"), "{err}");
    let (code, _, err) = kiosk(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command") && err.contains("usage:"), "{err}");
}

/// How many result files in `dir` have each (SegmentOfResult, QualificationValidity).
fn outcomes_of_result_files(dir: &std::path::Path) -> std::collections::BTreeMap<(String, String), i32> {
    let mut outcomes = std::collections::BTreeMap::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let xml = std::fs::read_to_string(f.unwrap().path()).unwrap();
        let tag = |t: &str| {
            xml.split(&format!("<{t}>"))
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap_or("-")
                .to_string()
        };
        *outcomes
            .entry((tag("SegmentOfResult"), tag("QualificationValidity")))
            .or_insert(0) += 1;
    }
    outcomes
}

#[test]
fn the_demo_walks_every_path_of_the_reception() {
    let dir = std::env::temp_dir().join(format!("kiosk-cli-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = kiosk(&["--demo", "--walk", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains("face matching is off"),
        "the models are needed for this test: `cargo xtask models`\n{out}"
    );
    let ending = |scenario: &str| {
        let start = out
            .find(scenario)
            .unwrap_or_else(|| panic!("no scenario {scenario:?} in\n{out}"));
        out[start..].lines().nth(2).unwrap().to_string()
    };
    // Each path the walk must take, as the screens it prints.
    for path in [
        // One camera: the card is lifted to show its front and put back; the reception goes on.
        "CardFace → (card lifted, front shown, put back) → CardFace → FaceMatching",
        // A front camera: the card stays on the reader.
        "Face camera and front camera",
        "MethodChoice → CardFace → FaceFailed → PinEntry",
        // Someone else's face falls back to the PIN.
        "FaceMatching → FaceFailed → PinEntry",
        "PinBlocked → StaffLogin → StaffCheck",
        "CertificateExpiring → MethodChoice",
        // Expired in grace skips the consent screens.
        "NoSharingInfo → Prescription",
        "CardFace → NoPhotoPinOnly → PinEntry",
        "RegistrationOffer → Registered → ConsentStart",
        // An Android phone: its PIN, then read again.
        "Reading → PhonePin → Reading → CheckingEligibility",
        "13 journal rows; 18 result files",
        "PIN VERIFYs sent to cards: 15 (PINs the patients typed: 15)",
    ] {
        assert!(out.contains(path), "{path:?} in\n{out}");
    }
    // How each scenario ends.
    for (scenario, end) in [
        ("demo: face, the card holder", "done: 山田　太郎"),
        ("demo: face; the front camera reads", "done: 山田　太郎"),
        // Face-down: the PIN instead.
        ("demo: face; the card lies face-down", "done"),
        ("last-try", "done"),
        ("expired: certificate expired 200 days", "CertificateNotUsable"),
        ("android", "done: 加藤　翔"),
        ("iphone", "done: 松本　美咲"),
        ("moved", "Answer(Invalid)"),
        ("new-insurer", "Answer(InvalidNewExists)"),
        ("not-enrolled", "Answer(NoRecord)"),
        ("several", "Answer(Multiple)"),
        ("service-down", "Failed(Error)"),
    ] {
        assert!(ending(scenario).contains(end), "{scenario}: {}", ending(scenario));
    }
    let print = out
        .find("a printed photo of the holder")
        .map(|start| out[start..].lines().nth(1).unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no printed-photo scenario in\n{out}"));
    assert!(
        print.contains("FaceMatching → FaceFailed → PinEntry")
            && !print.contains("FaceMatching → CheckingEligibility"),
        "a printed photo is refused by the liveness check, the PIN remains: {print}"
    );
    // --out keeps the journal and one result file per outcome.
    assert!(dir.join("journal.sqlite").exists());
    let outcomes = outcomes_of_result_files(&dir.join("out"));
    let want: std::collections::BTreeMap<(String, String), i32> = [
        // 13 done: the card receptions of both camera arrangements, the printed-photo attack's PIN and
        // the two phones.
        (("1", "1"), 13),
        (("1", "2"), 1),
        (("1", "3"), 1),
        (("1", "4"), 1),
        (("1", "5"), 1),
        (("9", "-"), 1),
    ]
    .into_iter()
    .map(|((s, q), n)| ((s.to_string(), q.to_string()), n))
    .collect();
    assert_eq!(outcomes, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clinic_it_configures_the_kiosk_and_fills_its_roster() {
    let dir = std::env::temp_dir().join(format!("kiosk-cli-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (code, example, _) = kiosk(&["config", "example"]);
    assert_eq!(code, 0);
    let data = dir.join("data");
    let config = dir.join("kiosk.toml");
    std::fs::write(&config, example.replace("/var/lib/kiosk", data.to_str().unwrap())).unwrap();
    let cfg = config.to_str().unwrap();
    let (code, out, err) = kiosk(&[
        "roster",
        "import",
        "../../assets/roster-demo.toml",
        "--config",
        cfg,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("14 insured people"), "{out}");
    assert!(data.join("roster.sqlite").exists());
    // A roster with mistakes: each one named by line and field (never the value), nothing imported.
    let demo = std::fs::read_to_string("../../assets/roster-demo.toml").unwrap();
    let kana_line = demo.lines().position(|l| l.starts_with("kana = ")).unwrap() + 1;
    let bad = dir.join("bad-roster.toml");
    std::fs::write(
        &bad,
        demo.replacen("kana = \"ヤマダ　タロウ\"", "kana = \"やまだ\"", 1)
            .replacen("card_classification = \"01\"", "card_classification = \"99\"", 2),
    )
    .unwrap();
    let (code, out, err) = kiosk(&["roster", "import", bad.to_str().unwrap(), "--config", cfg]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains(&format!(
            "line {kana_line}, patient 1, field kana: must be katakana"
        )),
        "{err}"
    );
    assert!(
        err.contains("patient 2, field card_classification: is not a code of InsuredCardClassification"),
        "{err}"
    );
    assert!(err.contains("3 problem(s), nothing imported"), "{err}");
    assert!(!err.contains("やまだ"), "{err}");
    // A bad value is refused with the file, the key and what is allowed.
    std::fs::write(&config, example.replace("dpi = 96", "dpi = 9000")).unwrap();
    let (code, _, err) = kiosk(&["doctor", "--config", cfg]);
    assert_eq!(code, 4);
    assert!(err.contains("kiosk.toml: screen.dpi = 9000"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn real_mode_refuses_root_unless_told() {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let (code, _, err) = kiosk(&["--config", "/nonexistent/kiosk.toml"]);
    assert_eq!(code, 4, "{err}");
    if root {
        assert!(err.contains("refusing to run as root"), "{err}");
        // Told to: it goes on, to the (missing) configuration.
        let (code, _, err) = kiosk(&["--config", "/nonexistent/kiosk.toml", "--allow-root"]);
        assert_eq!(code, 4);
        assert!(err.contains("/nonexistent/kiosk.toml: not found"), "{err}");
    } else {
        assert!(err.contains("not found"), "{err}");
    }
}

#[test]
fn console_accounts_are_made_by_a_command_into_a_0600_file() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("kiosk-cli-accounts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("accounts.toml");
    let add = |name: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args([
                "console",
                "add-user",
                name,
                "--accounts",
                file.to_str().unwrap(),
                "--password-stdin",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(add("sato", "a long enough password").0, 0);
    let (code, err) = add("kato", "short");
    assert_ne!(code, 0);
    assert!(err.contains("shorter than 10"), "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("name = \"sato\"") && text.contains("$argon2id$") && !text.contains("long enough"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A kiosk's entry and token.
    let (code, out, _) = kiosk(&["console", "add-kiosk", "reception-2"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("id = \"reception-2\"") && out.contains("token_sha256 = \""),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kiosk console --config FILE` as clinic IT runs it: a kiosk entry and token made by `add-kiosk`, an
/// account by `add-user`; the console process takes that kiosk's reports and refuses another token.
#[test]
fn a_clinic_console_process_serves_its_kiosks() {
    use std::io::{BufRead, Write};
    let dir = std::env::temp_dir().join(format!("kiosk-cli-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let accounts = dir.join("accounts.toml");
    let mut add = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args([
            "console",
            "add-user",
            "sato",
            "--accounts",
            accounts.to_str().unwrap(),
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"sato-password-1\n").unwrap();
    assert!(add.wait().unwrap().success());
    let (_, entry, _) = kiosk(&["console", "add-kiosk", "reception-1"]);
    let token = entry.lines().last().unwrap().trim().to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.join("console.toml");
    let entry: String = entry
        .lines()
        .filter(|l| !l.starts_with('#') && *l != token)
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "listen = \"127.0.0.1:{port}\"\naccounts = {:?}\nstate_dir = {:?}\nsecure_cookies = false\n{entry}\n",
        accounts.display().to_string(),
        dir.join("state").display().to_string()
    );
    std::fs::write(&config, text).unwrap();
    let mut console = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["console", "--config", config.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(console.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("serving 1 kiosk(s)"), "{first}");
    let base = format!("http://127.0.0.1:{port}");
    let report = |token: &str| {
        ureq::post(format!("{base}/api/kiosk/report"))
            .header("Authorization", format!("Bearer {token}"))
            .send_json(
                serde_json::json!({"state": {"screen": "Idle", "counter_reason": null, "help": false,
                "check": null, "reader": "ok", "camera": "ok", "problems": []}, "calls": []}),
            )
    };
    let answer = report(&token);
    let wrong = report("not-the-token");
    let _ = console.kill();
    let _ = console.wait();
    assert!(answer.is_ok(), "{answer:?}");
    assert!(wrong.is_err(), "another token is refused");
    let audit_dir = dir.join("state");
    assert!(audit_dir.join("audit.log").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
