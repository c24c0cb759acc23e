//! The kiosk's side of the staff console: what it reports ([`state`]), the chip photo it sends for a
//! visual check ([`png`]), its calls ([`call`]), and the console it serves itself when it is the only
//! kiosk ([`embedded`]).
//!
//! What reaches the console: screen names, the counter reason's name, device health and the problem
//! texts (none carries personal data), and, during a visual check only, the card's chip photo, which
//! the console keeps in memory for that call and serves `no-store`. Never the name, the birth date,
//! the PIN or a camera frame.

use crate::config::ConsoleSection;
use kiosk_console::accounts::Accounts;
use kiosk_console::audit::AuditLog;
use kiosk_console::client::Endpoint;
use kiosk_console::lockout::Lockout;
use kiosk_console::protocol::{Call, CallKind, Health, KioskState, PendingCheck};
use kiosk_console::server::{self, Console, Running, Settings};
use kiosk_reception::{Flow, Screen, StaffCall};
use std::collections::VecDeque;
use zeroize::Zeroizing;

/// The kiosk's state as the console sees it; the visual check's number is `base` plus the flow's.
pub fn state(flow: &Flow, base: u64, reader: Health, problems: &VecDeque<String>, photo: bool) -> KioskState {
    let screen = flow.screen();
    KioskState {
        screen: screen.kind().to_owned(),
        counter_reason: match screen {
            Screen::Counter { reason } => Some(format!("{reason:?}")),
            _ => None,
        },
        help: flow.help_requested(),
        check: flow.staff_call().map(|call| PendingCheck {
            call: base + call,
            photo_failed: matches!(screen, Screen::StaffWaiting { photo_failed: true }),
            photo,
        }),
        reader,
        camera: Health::Unknown,
        problems: problems.iter().rev().take(5).rev().cloned().collect(),
    }
}

/// The camera's health for the console.
pub fn camera(health: crate::workers::CameraHealth) -> Health {
    match health {
        crate::workers::CameraHealth::Unknown => Health::Unknown,
        crate::workers::CameraHealth::Ok => Health::Ok,
        crate::workers::CameraHealth::Missing => Health::Missing,
        crate::workers::CameraHealth::Off => Health::Off,
    }
}

/// A call for the console.
pub fn call(id: u64, call: StaffCall, at: i64) -> Call {
    Call {
        id,
        kind: match call {
            StaffCall::Help => CallKind::Help,
            StaffCall::VisualCheck => CallKind::VisualCheck,
        },
        at,
    }
}

/// The chip photo as PNG (wiped when dropped).
pub fn png(photo: &kiosk_face::RgbImage) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    let encoded = (|| {
        let width = u32::try_from(photo.width).ok()?;
        let height = u32::try_from(photo.height).ok()?;
        let mut enc = png::Encoder::new(&mut *out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().ok()?;
        w.write_image_data(&photo.data).ok()
    })();
    if encoded.is_none() {
        out.clear();
    }
    out
}

/// Why the embedded console could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("staff console accounts: {0} (make one with `kiosk console add-user NAME --accounts FILE`)")]
    Accounts(#[from] kiosk_console::accounts::AccountsError),
    #[error("staff console: {0}")]
    File(#[from] kiosk_console::files::FileError),
    #[error("staff console: cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Start(#[from] server::StartError),
}

/// The console of a single kiosk, served from the kiosk's own process; the endpoint is for
/// [`crate::core::KioskCore::connect_console`] (a fresh token each start, in memory only).
pub fn embedded(section: &ConsoleSection) -> Result<(Running, Endpoint), EmbeddedError> {
    let (accounts, warning) = Accounts::load(&section.accounts)?;
    if let Some(w) = warning {
        eprintln!("kiosk: warning: {w}");
    }
    if accounts.is_empty() {
        eprintln!("kiosk: warning: the staff console has no account: nobody can log in");
    }
    kiosk_console::files::ensure_private_dir(&section.state_dir)?;
    let token = kiosk_console::config::new_token();
    let id = section.kiosk_id.clone();
    let settings = Settings {
        accounts,
        kiosks: vec![(id, kiosk_console::config::token_sha256(&token))],
        lockout: Lockout::open(&section.state_dir.join("lockout.json"))?,
        audit: AuditLog::open(&section.state_dir.join("audit.log"))?,
        session_idle_secs: 15 * 60,
        session_max_secs: 10 * 3600,
        secure_cookies: section.secure_cookies,
    };
    let listener = std::net::TcpListener::bind(section.listen).map_err(|source| EmbeddedError::Listen {
        addr: section.listen,
        source,
    })?;
    let running = server::serve(listener, Console::new(settings))?;
    let endpoint = Endpoint {
        base: format!("http://{}", running.addr),
        token,
        ca: None,
    };
    Ok((running, endpoint))
}

/// Why the link to the clinic's console cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("console.token_file: {0}")]
    Token(#[from] kiosk_console::files::FileError),
    #[error("console.token_file {0}: no token in it (put the token `kiosk console add-kiosk ID` printed)")]
    NoToken(String),
    #[error("console.ca_file: {0}")]
    Ca(#[from] kiosk_console::client::CaError),
}

/// The endpoint of the clinic's console (`mode = "remote"`): its url, this kiosk's token and, over
/// https, the only CA trusted. The second value warns of a token file others can read.
pub fn remote(
    section: &ConsoleSection,
) -> Result<(Endpoint, Option<kiosk_console::files::FileWarning>), RemoteError> {
    let (token, warning) = kiosk_console::files::read_private(&section.token_file)?;
    let token = Zeroizing::new(token.trim().to_owned());
    if token.len() < 32 {
        return Err(RemoteError::NoToken(section.token_file.display().to_string()));
    }
    let ca = if section.url.starts_with("https://") {
        Some(kiosk_console::client::ca_certificates(&section.ca_file)?)
    } else {
        None
    };
    let endpoint = Endpoint {
        base: section.url.trim_end_matches('/').to_owned(),
        token,
        ca,
    };
    Ok((endpoint, warning))
}
