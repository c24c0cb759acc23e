//! Cross-check the virtual card with an independent client written against real cards: OpenSC's JPKI
//! driver (`pkcs15-tool`, `pkcs11-tool`). Run by `cargo xtask test`.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_card_sim::{SharedCard, VirtualCard};
use kiosk_hw_test::{InsertedCard, exclusive_reader, pem_to_der};
use kiosk_mynumber::Certificate;
use rsa_check::verify_sha256;
use std::process::Command;

mod rsa_check {
    use kiosk_mynumber::Certificate;
    /// Verify an RSA PKCS#1 v1.5 SHA-256 signature by raw RSA with the certificate's key.
    pub fn verify_sha256(cert: &Certificate, message: &[u8], signature: &[u8]) -> bool {
        cert.verifies_sha256(message, signature)
    }
}

/// An OpenSC configuration for deterministic runs: no file cache, JPKI driver only.
fn opensc_conf() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiosk-opensc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("opensc.conf");
    std::fs::write(
        &conf,
        "app default {\n  card_drivers = jpki;\n  framework pkcs15 { use_file_caching = no; }\n}\n",
    )
    .unwrap();
    conf
}

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .env("OPENSC_CONF", opensc_conf())
        .output()
        .unwrap_or_else(|e| panic!("{tool} is not installed ({e}); `cargo xtask test` installs opensc"))
}

fn pkcs11_module() -> String {
    for p in [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
    ] {
        if std::path::Path::new(p).exists() {
            return p.into();
        }
    }
    panic!("opensc-pkcs11.so not found; `cargo xtask test` installs opensc");
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and OpenSC: run `cargo xtask test`"]
fn pkcs15_tool_reads_the_certificates_byte_identical() {
    let _guard = exclusive_reader();
    let card = SharedCard::new(VirtualCard::embedded("demo").unwrap());
    let inserted = InsertedCard::insert(card);
    let auth = inserted.card().lock().auth_certificate_der();
    let auth_ca = inserted.card().lock().auth_ca_certificate_der();
    for (id, expected) in [("1", auth), ("3", auth_ca)] {
        let out = run("pkcs15-tool", &["--read-certificate", id]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pkcs15-tool -r {id}: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            pem_to_der(&stdout).as_deref(),
            Some(expected.as_slice()),
            "certificate {id} differs"
        );
    }
}

#[test]
#[ignore = "needs pcscd with the vpcd reader and OpenSC: run `cargo xtask test`"]
fn pkcs11_tool_logs_in_and_signs_with_the_auth_key() {
    let _guard = exclusive_reader();
    let card = SharedCard::new(VirtualCard::embedded("demo").unwrap());
    let inserted = InsertedCard::insert(card);
    let dir = std::env::temp_dir().join(format!("kiosk-p11-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.bin");
    let output = dir.join("sig.bin");
    std::fs::write(
        &input,
        b"a message signed by the virtual card's user-authentication key",
    )
    .unwrap();
    let module = pkcs11_module();
    let out = run(
        "pkcs11-tool",
        &[
            "--module",
            &module,
            "--login",
            "--pin",
            "1234",
            "--sign",
            "--mechanism",
            "SHA256-RSA-PKCS",
            "--id",
            "01",
            "--input-file",
            input.to_str().unwrap(),
            "--output-file",
            output.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "pkcs11-tool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let signature = std::fs::read(&output).unwrap();
    assert_eq!(signature.len(), 256);
    let cert = Certificate::from_der(&inserted.card().lock().auth_certificate_der()).unwrap();
    assert!(
        verify_sha256(&cert, &std::fs::read(&input).unwrap(), &signature),
        "OpenSC's signature does not verify"
    );
    assert_eq!(
        inserted.card().lock().stats().auth_pin_verifies,
        1,
        "one login, one VERIFY"
    );
    let _ = std::fs::remove_dir_all(dir);
}
