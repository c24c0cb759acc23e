//! Card trust through pcscd + vpcd (issue 20): the forged card and the deep card face served by the
//! virtual card in the vpcd reader, read by the kiosk's card tool and card layer over real PC/SC. Run by
//! `cargo xtask test`.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_apdu::tlv::TlvError;
use kiosk_card_sim::{Hostile, SharedCard, VirtualCard, pki};
use kiosk_hw_test::{InsertedCard, READER, exclusive_reader};
use kiosk_mynumber::{CardError, CardFaceError, CheckCodeB, DataError, MyNumberCard};
use kiosk_pcsc::Pcsc;
use std::path::PathBuf;
use std::process::Command;

/// The `kiosk` binary `cargo test --workspace` built beside this test (target/debug/kiosk).
fn kiosk_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("kiosk"))
        .unwrap();
    assert!(
        bin.exists(),
        "{} not built: `cargo test --workspace` (as `cargo xtask test` runs it) builds it",
        bin.display()
    );
    bin
}

/// A test bench's configuration: the example with every virtual CA generation as an anchor and the
/// virtual hierarchy named, as docs/USER-GUIDE.md tells a test bench to do.
fn test_bench_config(dir: &std::path::Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut anchors = Vec::new();
    for generation in pki::auth_ca_generations() {
        let path = dir.join(format!("virtual-authca{:02}.cer", generation.number));
        std::fs::write(&path, &generation.certificate).unwrap();
        anchors.push(format!("{:?}", path.display().to_string()));
    }
    let example = Command::new(kiosk_binary())
        .args(["config", "example"])
        .output()
        .unwrap();
    let example = String::from_utf8(example.stdout).unwrap();
    assert!(example.contains("anchors = []") && example.contains("test_hierarchies = []"));
    let config = example
        .replacen("anchors = []", &format!("anchors = [{}]", anchors.join(", ")), 1)
        .replacen("test_hierarchies = []", "test_hierarchies = [\"JPKI-TEST\"]", 1);
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// `kiosk card info --reader … --config …` on the card in the vpcd reader: exit code and output.
fn card_info(config: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(kiosk_binary())
        .args(["card", "info", "--reader", READER, "--config"])
        .arg(config)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn card_info_trusts_the_honest_card_and_exits_5_for_the_forged_one() {
    let _guard = exclusive_reader();
    let dir = std::env::temp_dir().join(format!("kiosk-hw-trust-{}", std::process::id()));
    let config = test_bench_config(&dir);

    let honest = InsertedCard::insert(SharedCard::new(VirtualCard::embedded("demo").unwrap()));
    let (code, text) = card_info(&config);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("trusted: yes"), "{text}");
    honest.remove();

    let forged = SharedCard::new(kiosk::demo::forged_card("demo").unwrap());
    let inserted = InsertedCard::insert(forged.clone());
    let (code, text) = card_info(&config);
    assert_eq!(code, Some(5), "not trusted: exit 5\n{text}");
    assert!(
        text.contains(
            "trusted: no (the certificate is not issued by a trusted J-LIS CA: no trusted CA of its issuer's name signed it)"
        ),
        "{text}"
    );
    assert!(
        text.contains("card's own CA (EF 000B): signs it"),
        "the forged card vouches for itself: {text}"
    );
    assert_eq!(forged.lock().stats().auth_pin_verifies, 0, "no PIN went to it");
    inserted.remove();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs pcscd with the vpcd reader: run `cargo xtask test`"]
fn a_card_face_nested_a_thousand_deep_is_refused_over_pcsc_and_the_card_still_answers() {
    let _guard = exclusive_reader();
    let sim = SharedCard::new(VirtualCard::embedded("demo").unwrap());
    let code = CheckCodeB::new(&sim.lock().profile().check_code_b()).unwrap();
    sim.lock().faults.hostile = Some(Hostile::DeepTlv);
    let inserted = InsertedCard::insert(sim.clone());
    let pcsc = Pcsc::establish().unwrap();
    let mut card = MyNumberCard::new(pcsc.connect(READER).unwrap());
    let anchors = kiosk::demo::anchors();
    match card.read_card_face(&code, &anchors, b"challenge") {
        Err(CardError::Malformed {
            detail: DataError::CardFace(CardFaceError::Tlv(TlvError::TooDeep(4))),
            ..
        }) => {}
        other => panic!("deep card face: {:?}", other.map(|(outcome, _)| outcome)),
    }
    // The refusal cost one 照合番号B VERIFY (the one the patient's code made) and nothing more, and the
    // card still answers: the certificate reads as before.
    assert_eq!(sim.lock().stats().check_b_verifies, 1);
    assert_eq!(
        card.read_auth_certificate().unwrap().der(),
        sim.lock().auth_certificate_der()
    );
    inserted.remove();
}
