//! The kiosk's side: a thread that reports the kiosk's state to its console about twice a second (at
//! once when it changes), resends its calls until the console has them, uploads the chip photo of a
//! pending visual check, and hands the verdicts it gets back to the kiosk.
//!
//! Plain HTTP only to this computer (the embedded console, 127.0.0.1); a kiosk on another computer
//! reaches the clinic's console over HTTPS, through the TLS reverse proxy in front of it, and trusts
//! only the certificate authority it is given (`console.ca_file`): no public roots, so neither another
//! machine on the clinic network nor a certificate bought for any name can stand in for the console.
//! The token and, during a visual check, the chip photo never cross the network in clear
//! (docs/USER-GUIDE.md, "Staff console").

use crate::protocol::{Call, KioskState, Report, ReportAnswer, Verdict};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// Calls kept while the console cannot be reached.
pub const MAX_WAITING_CALLS: usize = 50;

/// How often the state is reported when nothing changes.
pub const REPORT_EVERY: Duration = Duration::from_millis(500);

#[derive(Default)]
struct Outbox {
    state: KioskState,
    calls: Vec<Call>,
    /// The chip photo for the pending check: (call, PNG).
    photo: Option<(u64, Zeroizing<Vec<u8>>)>,
    photo_sent: Option<u64>,
    changed: bool,
    stop: bool,
    connected: Option<bool>,
}

/// The link to the console; dropping it stops the thread.
pub struct Link {
    outbox: Arc<(Mutex<Outbox>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Link")
    }
}

impl std::fmt::Debug for TrustedCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustedCa({} certificates)", self.0.len())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the link reports.
#[derive(Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:8440` or `https://console.clinic.lan:8443` (no trailing slash).
    pub base: String,
    pub token: Zeroizing<String>,
    /// For `https://`: the only certificate authorities trusted ([`ca_certificates`]).
    pub ca: Option<TrustedCa>,
}

/// The certificate authorities a kiosk trusts for its console, read from a PEM file.
#[derive(Clone)]
pub struct TrustedCa(Arc<Vec<ureq::tls::Certificate<'static>>>);

/// Why a CA file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not PEM: {message}")]
    Pem { path: String, message: String },
    #[error("{path}: no certificate in it (expected -----BEGIN CERTIFICATE-----)")]
    Empty { path: String },
}

/// The certificates in the PEM file `path` (the clinic's CA, or the proxy's own self-signed
/// certificate); anything else in the file is ignored.
pub fn ca_certificates(path: &std::path::Path) -> Result<TrustedCa, CaError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|source| CaError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(CaError::Pem {
                    path: shown,
                    message: e.to_string(),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(CaError::Empty { path: shown });
    }
    Ok(TrustedCa(Arc::new(certs)))
}

/// Whether `url` may carry the token in clear: `http://` to this computer only.
pub fn is_local_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Endpoint({}, token <redacted>, {})",
            self.base,
            if self.ca.is_some() { "own CA" } else { "no CA" }
        )
    }
}

impl Link {
    /// Start reporting to `endpoint`; each verdict goes to `on_verdict` (from the link's thread), and
    /// each change of connection to `on_connection` (for the kiosk's log and problems).
    pub fn start(
        endpoint: Endpoint,
        on_verdict: Box<dyn Fn(Verdict) + Send>,
        on_connection: Box<dyn Fn(bool) + Send>,
    ) -> std::io::Result<Link> {
        let safe = match &endpoint.ca {
            Some(_) => endpoint.base.starts_with("https://"),
            None => is_local_http(&endpoint.base),
        };
        if !safe {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{}: a console on another computer is reached over https:// with its CA file; \
                     http:// only to this computer",
                    endpoint.base
                ),
            ));
        }
        let outbox: Arc<(Mutex<Outbox>, Condvar)> = Arc::default();
        let shared = outbox.clone();
        let thread = std::thread::Builder::new()
            .name("kiosk-console-link".into())
            .spawn(move || run(&endpoint, &shared, &*on_verdict, &*on_connection))?;
        Ok(Link {
            outbox,
            thread: Some(thread),
        })
    }

    /// The kiosk's state now (sent at once when it differs from the last).
    pub fn set_state(&self, state: KioskState) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        if o.state != state {
            if state.check.as_ref().map(|c| c.call) != o.photo.as_ref().map(|p| p.0) {
                o.photo = None;
            }
            o.state = state;
            o.changed = true;
            cv.notify_one();
        }
    }

    /// A call for staff (resent until the console has it; while the console cannot be reached, the
    /// newest [`MAX_WAITING_CALLS`] wait).
    pub fn call(&self, call: Call) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        o.calls.push(call);
        if o.calls.len() > MAX_WAITING_CALLS {
            o.calls.remove(0);
        }
        o.changed = true;
        cv.notify_one();
    }

    /// The chip photo (PNG) of visual check `call`.
    pub fn photo(&self, call: u64, png: Zeroizing<Vec<u8>>) {
        let (m, cv) = &*self.outbox;
        let mut o = lock(m);
        o.photo = Some((call, png));
        o.changed = true;
        cv.notify_one();
    }

    /// Whether the photo of `call` is with the link already.
    pub fn has_photo(&self, call: u64) -> bool {
        lock(&self.outbox.0).photo.as_ref().is_some_and(|p| p.0 == call)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let (m, cv) = &*self.outbox;
        lock(m).stop = true;
        cv.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    endpoint: &Endpoint,
    outbox: &(Mutex<Outbox>, Condvar),
    on_verdict: &dyn Fn(Verdict),
    on_connection: &dyn Fn(bool),
) {
    let mut config = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5)));
    config = match &endpoint.ca {
        // HTTPS with the given authorities only; plain HTTP refused from then on.
        Some(TrustedCa(certs)) => config.https_only(true).tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(certs.clone()))
                .build(),
        ),
        None => config,
    };
    let agent: ureq::Agent = config.build().into();
    let auth = Zeroizing::new(format!("Bearer {}", endpoint.token.as_str()));
    let (m, cv) = outbox;
    loop {
        let (report, photo) = {
            let mut o = lock(m);
            if !o.changed && !o.stop {
                o = cv
                    .wait_timeout(o, REPORT_EVERY)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            if o.stop {
                return;
            }
            o.changed = false;
            let photo = o
                .photo
                .as_ref()
                .filter(|(call, _)| o.photo_sent != Some(*call))
                .map(|(call, png)| (*call, png.clone()));
            (
                Report {
                    state: o.state.clone(),
                    calls: o.calls.clone(),
                },
                photo,
            )
        };
        let answer = agent
            .post(format!("{}/api/kiosk/report", endpoint.base))
            .header("Authorization", auth.as_str())
            .send_json(&report)
            .and_then(|mut r| r.body_mut().read_json::<ReportAnswer>());
        let ok = answer.is_ok();
        if let Ok(answer) = answer {
            lock(m).calls.retain(|c| !answer.calls_received.contains(&c.id));
            for v in answer.verdicts {
                on_verdict(v);
            }
            if let Some((call, png)) = photo {
                let sent = agent
                    .post(format!("{}/api/kiosk/photo?call={call}", endpoint.base))
                    .header("Authorization", auth.as_str())
                    .header("Content-Type", "image/png")
                    .send(&png[..]);
                if sent.is_ok() {
                    lock(m).photo_sent = Some(call);
                }
            }
        }
        let changed = {
            let mut o = lock(m);
            let changed = o.connected != Some(ok);
            o.connected = Some(ok);
            changed
        };
        if changed {
            on_connection(ok);
        }
        if !ok {
            // Not reachable: try again after the usual pause, not in a tight loop.
            std::thread::sleep(REPORT_EVERY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_computer() {
        for url in [
            "http://127.0.0.1:8440",
            "http://127.0.0.1",
            "http://localhost:8440/",
            "http://[::1]:8440",
            "http://127.1.2.3:80",
        ] {
            assert!(is_local_http(url), "{url}");
        }
        for url in [
            "http://192.168.1.20:8440",
            "http://console.clinic.lan:8440",
            "http://127.0.0.1.evil.example:8440",
            "http://localhost.evil.example",
            "https://127.0.0.1:8443",
            "ftp://127.0.0.1",
            "http://[::2]:8440",
        ] {
            assert!(!is_local_http(url), "{url}");
        }
    }

    #[test]
    fn a_link_in_clear_over_the_network_is_refused() {
        let endpoint = Endpoint {
            base: "http://192.168.1.20:8440".into(),
            token: Zeroizing::new("t".repeat(64)),
            ca: None,
        };
        let refused = Link::start(endpoint, Box::new(|_| {}), Box::new(|_| {}));
        assert!(refused.is_err());
    }
}
