//! A kiosk on another computer reaches the clinic's console over HTTPS, through the TLS reverse proxy
//! in front of it (docs/USER-GUIDE.md, "Staff console"), and trusts only the clinic's CA.
//!
//! The proxy here is a small TLS terminator (rustls) forwarding to the console, with a certificate the
//! test's own CA issued for 127.0.0.1. The attack: an impostor on the network answering with a
//! certificate of another CA (as anyone can make); the kiosk must refuse it before its token leaves.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_console::accounts::Accounts;
use kiosk_console::audit::AuditLog;
use kiosk_console::client::{Endpoint, Link, ca_certificates};
use kiosk_console::lockout::Lockout;
use kiosk_console::protocol::{KioskId, KioskState};
use kiosk_console::server::{self, Console, Settings};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOKEN: &str = "tls-kiosk-token-0123456789abcdef0123456789abcdef0123456789abcdef";

/// A CA and a server certificate it issued for 127.0.0.1: (CA PEM, server chain DER, server key DER).
fn issue(ca_name: &str) -> (String, Vec<u8>, Vec<u8>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, ca_name);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = server.signed_by(&key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), cert.der().to_vec(), key.serialize_der())
}

/// A TLS terminator on a free port forwarding to `upstream`; counts the connections it decrypted.
fn proxy(cert: Vec<u8>, key: Vec<u8>, upstream: std::net::SocketAddr) -> (u16, Arc<AtomicUsize>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(cert)],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let decrypted = Arc::new(AtomicUsize::new(0));
    let count = decrypted.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let count = count.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    if let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                    }
                });
            }
        });
    });
    (port, decrypted)
}

fn console(dir: &std::path::Path) -> server::Running {
    let settings = Settings {
        accounts: Accounts::default(),
        kiosks: vec![(
            KioskId::new("kiosk-1").unwrap(),
            kiosk_console::config::token_sha256(TOKEN),
        )],
        lockout: Lockout::in_memory(),
        audit: AuditLog::open(&dir.join("audit.log")).unwrap(),
        session_idle_secs: 900,
        session_max_secs: 3600,
        secure_cookies: true,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    server::serve(listener, Console::new(settings)).unwrap()
}

/// Start a link to `base` trusting the CA in `ca_pem`; whether it is connected, as the kiosk sees it.
fn link(dir: &std::path::Path, base: &str, ca_pem: &str) -> (Link, Arc<AtomicBool>, Arc<AtomicUsize>) {
    let ca_file = dir.join(format!("ca-{}.pem", base.len() + ca_pem.len()));
    std::fs::write(&ca_file, ca_pem).unwrap();
    let endpoint = Endpoint {
        base: base.to_owned(),
        token: zeroize::Zeroizing::new(TOKEN.to_owned()),
        ca: Some(ca_certificates(&ca_file).unwrap()),
    };
    let up = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(AtomicUsize::new(0));
    let (u, a) = (up.clone(), answers.clone());
    let link = Link::start(
        endpoint,
        Box::new(|_| {}),
        Box::new(move |ok| {
            u.store(ok, Ordering::SeqCst);
            a.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .unwrap();
    link.set_state(KioskState {
        screen: "Idle".into(),
        ..KioskState::default()
    });
    (link, up, answers)
}

fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_kiosk_reports_over_tls_and_refuses_an_impostor() {
    let dir = std::env::temp_dir().join(format!("kiosk-console-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let running = console(&dir);
    let online = || {
        running
            .console
            .kiosks(server::now())
            .iter()
            .any(|k| k.online && k.id.as_str() == "kiosk-1")
    };

    // The impostor first: a proxy to the very same console (so only the certificate differs), with a
    // certificate from a CA of its own. The kiosk trusts the clinic's CA only.
    let (clinic_ca, clinic_cert, clinic_key) = issue("Clinic reception CA");
    let (_, evil_cert, evil_key) = issue("Clinic reception CA");
    let (evil_port, evil_decrypted) = proxy(evil_cert, evil_key, running.addr);
    let (evil_link, up, answers) = link(&dir, &format!("https://127.0.0.1:{evil_port}"), &clinic_ca);
    until("the link tried the impostor", || {
        answers.load(Ordering::SeqCst) > 0
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !up.load(Ordering::SeqCst),
        "the impostor's certificate was refused"
    );
    assert_eq!(
        evil_decrypted.load(Ordering::SeqCst),
        0,
        "no TLS session, so the token never left"
    );
    assert!(
        !online(),
        "the console never heard of the kiosk through the impostor"
    );
    drop(evil_link);

    // The clinic's proxy: the kiosk reports and is online.
    let (port, decrypted) = proxy(clinic_cert, clinic_key, running.addr);
    let (clinic_link, up, _) = link(&dir, &format!("https://127.0.0.1:{port}"), &clinic_ca);
    until("the kiosk is online over TLS", || {
        up.load(Ordering::SeqCst) && online()
    });
    assert!(decrypted.load(Ordering::SeqCst) > 0);
    drop(clinic_link);

    // A CA file without a certificate is an error the kiosk can show, not a link that trusts nothing.
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    assert!(ca_certificates(&empty).is_err());
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}
