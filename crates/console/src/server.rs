//! The console's HTTP server (axum on its own tokio runtime thread): the kiosks' API and the staff's
//! pages.
//!
//! * Kiosks: `POST /api/kiosk/report` and `POST /api/kiosk/photo?call=N`, each with its own bearer
//!   token, compared as SHA-256 digests in constant time.
//! * Staff: `/login` (per-account lockout, [`crate::lockout`]), `/` (every kiosk, refreshed each second
//!   by a small script from `/live`), forms for the visual check and alerts. Sessions are random
//!   256-bit cookies (HttpOnly, SameSite=Strict; Secure behind the TLS proxy) that end after an idle
//!   time and a maximum age. Every form carries the session's CSRF token, and a request whose `Origin`
//!   is not this host is refused. Pages are `Cache-Control: no-store`; the chip photo too, and it
//!   lives in memory only for its call.

use crate::accounts::{AccountName, Accounts};
use crate::audit::AuditLog;
use crate::config::{hex, token_sha256};
use crate::lockout::{Gate, Lockout};
use crate::page;
use crate::protocol::{CallKind, KioskId, KioskState, Report, ReportAnswer, Verdict};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// A kiosk whose last report is older than this shows as offline.
pub const OFFLINE_AFTER_SECS: i64 = 10;
/// Calls and decisions remembered per kiosk (to drop resent calls and second clicks), and alerts kept.
const REMEMBERED: usize = 1000;
/// The largest chip photo accepted (a card photo is about 300 × 400 pixels).
const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// Everything the console is built from.
#[derive(Debug)]
pub struct Settings {
    pub accounts: Accounts,
    /// Each kiosk and its token's SHA-256 (hex).
    pub kiosks: Vec<(KioskId, String)>,
    pub lockout: Lockout,
    pub audit: AuditLog,
    pub session_idle_secs: i64,
    pub session_max_secs: i64,
    pub secure_cookies: bool,
}

/// An alert on the page, with sound, until staff dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: u64,
    pub kiosk: KioskId,
    pub kind: CallKind,
    pub at: i64,
    /// For a counter ending: why (a reason name).
    pub reason: Option<String>,
}

/// One kiosk as the console sees it.
#[derive(Debug, Default)]
pub struct Kiosk {
    token: [u8; 32],
    pub state: Option<KioskState>,
    pub last_seen: Option<i64>,
    /// The chip photo of the pending visual check: (call, PNG bytes). Memory only.
    photo: Option<(u64, Vec<u8>)>,
    verdicts: Vec<Verdict>,
    /// Calls already turned into alerts (a kiosk resends until it hears back).
    calls_seen: BTreeSet<u64>,
    /// The visual checks decided, so a second click does nothing.
    decided: BTreeSet<u64>,
}

impl Kiosk {
    pub fn online(&self, now: i64) -> bool {
        self.last_seen.is_some_and(|t| now - t <= OFFLINE_AFTER_SECS)
    }
}

struct Session {
    user: AccountName,
    csrf: String,
    created: i64,
    last_used: i64,
}

/// What a request to a logged-in page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// Staff opened a page, decided a check, dismissed an alert, logged out.
    Staff,
    /// The page refreshing itself (its live part, the chip photo it shows).
    Refresh,
}

/// How many names that are no account the lockout follows at once.
pub const UNKNOWN_NAMES_KEPT: usize = 10_000;

/// The console's state, shared by its handlers.
pub struct Console {
    accounts: Accounts,
    lockout: Mutex<Lockout>,
    /// The same delays for names that are no account, so a locked or failed login answers alike
    /// whether the name exists or not.
    unknown_lockout: Mutex<Lockout>,
    pub audit: AuditLog,
    kiosks: Mutex<BTreeMap<KioskId, Kiosk>>,
    sessions: Mutex<HashMap<String, Session>>,
    alerts: Mutex<Vec<Alert>>,
    next_alert: Mutex<u64>,
    session_idle_secs: i64,
    session_max_secs: i64,
    secure_cookies: bool,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Console({} accounts)", self.accounts.len())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether two tokens are equal, compared in constant time (the time says nothing about how much of a
/// guessed token was right).
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    hex(&b)
}

/// What the page shows of one kiosk.
#[derive(Debug, Clone)]
pub struct KioskView {
    pub id: KioskId,
    pub online: bool,
    pub state: Option<KioskState>,
    /// The pending check's call has a photo here.
    pub photo: bool,
    pub decided: bool,
}

impl Console {
    pub fn new(settings: Settings) -> Arc<Console> {
        let kiosks = settings
            .kiosks
            .into_iter()
            .map(|(id, sha)| {
                let mut token = [0u8; 32];
                for (i, t) in token.iter_mut().enumerate() {
                    *t = sha
                        .get(2 * i..2 * i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(0);
                }
                (
                    id,
                    Kiosk {
                        token,
                        ..Default::default()
                    },
                )
            })
            .collect();
        Arc::new(Console {
            accounts: settings.accounts,
            lockout: Mutex::new(settings.lockout),
            unknown_lockout: Mutex::new(Lockout::in_memory_capped(UNKNOWN_NAMES_KEPT)),
            audit: settings.audit,
            kiosks: Mutex::new(kiosks),
            sessions: Mutex::new(HashMap::new()),
            alerts: Mutex::new(Vec::new()),
            next_alert: Mutex::new(1),
            session_idle_secs: settings.session_idle_secs,
            session_max_secs: settings.session_max_secs,
            secure_cookies: settings.secure_cookies,
        })
    }

    /// The kiosk this bearer token belongs to.
    fn kiosk_of(&self, headers: &HeaderMap) -> Option<KioskId> {
        let token = headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")?;
        let d = digest(token);
        let kiosks = lock(&self.kiosks);
        // Every kiosk is compared (no early exit), in constant time.
        let mut found = None;
        for (id, k) in kiosks.iter() {
            if same(&k.token, &d) && found.is_none() {
                found = Some(id.clone());
            }
        }
        found
    }

    fn alert(&self, kiosk: &KioskId, kind: CallKind, at: i64, reason: Option<String>) {
        let id = {
            let mut n = lock(&self.next_alert);
            *n += 1;
            *n - 1
        };
        let mut alerts = lock(&self.alerts);
        alerts.push(Alert {
            id,
            kiosk: kiosk.clone(),
            kind,
            at,
            reason,
        });
        if alerts.len() > REMEMBERED {
            alerts.remove(0);
        }
    }

    /// A kiosk's report: keep its state, raise alerts for new calls and counter endings, hand back its
    /// verdicts.
    pub fn report(&self, id: &KioskId, report: Report, now: i64) -> ReportAnswer {
        let mut answer = ReportAnswer::default();
        let mut new_alerts = Vec::new();
        {
            let mut kiosks = lock(&self.kiosks);
            let Some(k) = kiosks.get_mut(id) else {
                return answer;
            };
            let was_counter = k.state.as_ref().is_some_and(|s| s.screen == "Counter");
            if report.state.screen == "Counter" && !was_counter {
                new_alerts.push((CallKind::Counter, now, report.state.counter_reason.clone()));
            }
            for call in report.calls {
                answer.calls_received.push(call.id);
                if k.calls_seen.insert(call.id) && call.kind != CallKind::Counter {
                    new_alerts.push((call.kind, call.at, None));
                }
            }
            // The photo belongs to the pending call only.
            let pending = report.state.check.as_ref().map(|c| c.call);
            if k.photo.as_ref().is_some_and(|(call, _)| Some(*call) != pending)
                && let Some((_, mut bytes)) = k.photo.take()
            {
                zeroize::Zeroize::zeroize(&mut bytes);
            }
            // Call numbers only grow (see the kiosk's numbering): the oldest are forgotten first.
            while k.calls_seen.len() > REMEMBERED {
                k.calls_seen.pop_first();
            }
            while k.decided.len() > REMEMBERED {
                k.decided.pop_first();
            }
            k.state = Some(report.state);
            k.last_seen = Some(now);
            answer.verdicts = std::mem::take(&mut k.verdicts);
        }
        for (kind, at, reason) in new_alerts {
            let what = match kind {
                CallKind::Help => "call-help",
                CallKind::VisualCheck => "call-visual-check",
                CallKind::Counter => "counter-ending",
            };
            self.audit.write(now, what, &[("kiosk", id.as_str())]);
            self.alert(id, kind, at, reason);
        }
        answer
    }

    fn photo(&self, id: &KioskId, call: u64, bytes: Vec<u8>) -> bool {
        let mut kiosks = lock(&self.kiosks);
        let Some(k) = kiosks.get_mut(id) else {
            return false;
        };
        let pending = k.state.as_ref().and_then(|s| s.check.as_ref()).map(|c| c.call);
        if pending != Some(call) {
            return false;
        }
        k.photo = Some((call, bytes));
        true
    }

    /// Every kiosk, for the page.
    pub fn kiosks(&self, now: i64) -> Vec<KioskView> {
        lock(&self.kiosks)
            .iter()
            .map(|(id, k)| {
                let call = k.state.as_ref().and_then(|s| s.check.as_ref()).map(|c| c.call);
                KioskView {
                    id: id.clone(),
                    online: k.online(now),
                    state: k.state.clone(),
                    photo: call.is_some() && k.photo.as_ref().map(|p| p.0) == call,
                    decided: call.is_some_and(|c| k.decided.contains(&c)),
                }
            })
            .collect()
    }

    pub fn alerts(&self) -> Vec<Alert> {
        lock(&self.alerts).clone()
    }

    /// Staff's verdict on `kiosk`'s visual check `call`. Refused when that check is not pending (the
    /// patient left, or another staff member decided).
    pub fn decide(&self, user: &AccountName, kiosk: &KioskId, call: u64, holder: bool, now: i64) -> bool {
        let ok = {
            let mut kiosks = lock(&self.kiosks);
            match kiosks.get_mut(kiosk) {
                Some(k)
                    if k.state.as_ref().and_then(|s| s.check.as_ref()).map(|c| c.call) == Some(call)
                        && !k.decided.contains(&call) =>
                {
                    k.decided.insert(call);
                    k.verdicts.push(Verdict {
                        call,
                        holder_confirmed: holder,
                        staff: user.to_string(),
                    });
                    true
                }
                _ => false,
            }
        };
        let call_text = call.to_string();
        let result = match (ok, holder) {
            (true, true) => "holder",
            (true, false) => "not-holder",
            (false, _) => "refused-not-pending",
        };
        self.audit.write(
            now,
            "visual-check",
            &[
                ("user", user.as_str()),
                ("kiosk", kiosk.as_str()),
                ("call", &call_text),
                ("result", result),
            ],
        );
        if ok {
            lock(&self.alerts).retain(|a| !(a.kiosk == *kiosk && a.kind == CallKind::VisualCheck));
        }
        ok
    }

    /// The session of this cookie; `None` when missing or expired. What staff do keeps it alive; the
    /// page's own refresh each second does not, or an unattended console would never log out.
    fn session(&self, headers: &HeaderMap, now: i64, by: Activity) -> Option<(AccountName, String)> {
        let token = cookie(headers, "kc_session")?;
        let key = hex(&digest(&token));
        let mut sessions = lock(&self.sessions);
        let s = sessions.get_mut(&key)?;
        if now - s.last_used > self.session_idle_secs || now - s.created > self.session_max_secs {
            let user = s.user.clone();
            sessions.remove(&key);
            drop(sessions);
            self.audit
                .write(now, "session-expired", &[("user", user.as_str())]);
            return None;
        }
        if by == Activity::Staff {
            s.last_used = now;
        }
        Some((s.user.clone(), s.csrf.clone()))
    }

    /// Seconds until the session of this cookie ends unless staff do something (for the page's notice).
    fn idle_left(&self, headers: &HeaderMap, now: i64) -> i64 {
        let Some(token) = cookie(headers, "kc_session") else {
            return 0;
        };
        lock(&self.sessions).get(&hex(&digest(&token))).map_or(0, |s| {
            (s.last_used + self.session_idle_secs).min(s.created + self.session_max_secs) - now
        })
    }

    fn session_cookie(&self, value: &str, max_age: i64) -> String {
        format!(
            "kc_session={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
            if self.secure_cookies { "; Secure" } else { "" }
        )
    }

    /// Check a login (argon2id, off the async threads). Returns the session cookie on success, or the
    /// message for the page.
    async fn login(
        self: &Arc<Self>,
        name: &str,
        password: zeroize::Zeroizing<String>,
        now: i64,
    ) -> Result<String, String> {
        const WRONG: &str = "アカウント名またはパスワードが違います。 / Wrong account or password.";
        let Ok(account) = AccountName::new(name) else {
            self.audit
                .write(now, "login-failed", &[("user", "(invalid-name)")]);
            return Err(WRONG.into());
        };
        // Which names are accounts stays the console's secret: a name that is none meets the same
        // checks, delays and messages (its failures counted in memory, apart).
        let known = self.accounts.contains(&account);
        let lockout = if known {
            &self.lockout
        } else {
            &self.unknown_lockout
        };
        if let Gate::Locked { secs_left } = lock(lockout).gate(account.as_str(), now) {
            let user = if known { account.as_str() } else { "(unknown)" };
            self.audit.write(now, "login-refused-locked", &[("user", user)]);
            return Err(format!(
                "失敗が続いたため、このアカウント名ではあと{secs_left}秒ログインできません。 / Too many \
                 failures: logins with this name are refused for {secs_left} more seconds."
            ));
        }
        let me = self.clone();
        let n = account.as_str().to_owned();
        let ok = tokio::task::spawn_blocking(move || me.accounts.verify(&n, &password))
            .await
            .unwrap_or(false);
        if !ok {
            let failure = lock(lockout).failed(account.as_str(), now);
            let user = if known { account.as_str() } else { "(unknown)" };
            return match failure {
                Ok(f) => {
                    let n = f.failures.to_string();
                    self.audit
                        .write(now, "login-failed", &[("user", user), ("failures", &n)]);
                    if f.delay_secs > 0 {
                        let d = f.delay_secs.to_string();
                        self.audit
                            .write(now, "account-locked", &[("user", user), ("secs", &d)]);
                        Err(format!(
                            "{WRONG} 失敗が続いたため、{d}秒ログインできません。 / Logins refused for {d} seconds."
                        ))
                    } else {
                        Err(WRONG.into())
                    }
                }
                Err(e) => {
                    eprintln!("kiosk console: the lockout file could not be saved: {e}");
                    Err("ログインできません（記録を保存できません）。 / Login unavailable: the lockout record cannot be saved.".into())
                }
            };
        }
        if let Err(e) = lock(&self.lockout).succeeded(account.as_str()) {
            eprintln!("kiosk console: the lockout file could not be saved: {e}");
            return Err("ログインできません（記録を保存できません）。 / Login unavailable: the lockout record cannot be saved.".into());
        }
        let token = random_hex();
        lock(&self.sessions).insert(
            hex(&digest(&token)),
            Session {
                user: account.clone(),
                csrf: random_hex(),
                created: now,
                last_used: now,
            },
        );
        self.audit.write(now, "login", &[("user", account.as_str())]);
        Ok(token)
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A request from another site's page (its `Origin` is not this host) is refused: with the CSRF tokens
/// and SameSite cookies this is the third line.
fn foreign_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    origin_host != host
}

fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on form posts,
    // which the Origin check must refuse (Fetch standard, "serializing a request origin").
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

fn html(body: String) -> Response {
    no_store(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
}

fn forbidden(why: &'static str) -> Response {
    no_store((StatusCode::FORBIDDEN, why).into_response())
}

type Shared = State<Arc<Console>>;

async fn report(State(c): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let Some(id) = c.kiosk_of(&headers) else {
        return (StatusCode::UNAUTHORIZED, "unknown kiosk token").into_response();
    };
    let Ok(report) = serde_json::from_slice::<Report>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a report").into_response();
    };
    axum::Json(c.report(&id, report, now())).into_response()
}

#[derive(serde::Deserialize)]
struct CallQuery {
    call: u64,
}

async fn upload_photo(
    State(c): Shared,
    headers: HeaderMap,
    Query(q): Query<CallQuery>,
    body: Bytes,
) -> Response {
    let Some(id) = c.kiosk_of(&headers) else {
        return (StatusCode::UNAUTHORIZED, "unknown kiosk token").into_response();
    };
    if !body.starts_with(b"\x89PNG\r\n\x1a\n") {
        return (StatusCode::BAD_REQUEST, "not a PNG").into_response();
    }
    if c.photo(&id, q.call, body.to_vec()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::CONFLICT, "no such visual check pending").into_response()
    }
}

async fn login_page(State(c): Shared) -> Response {
    let token = random_hex();
    let mut r = html(page::login(&token, None));
    let cookie = format!(
        "kc_login={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=1800{}",
        if c.secure_cookies { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(serde::Deserialize)]
struct LoginForm {
    csrf: String,
    name: String,
    password: String,
}

async fn login(State(c): Shared, headers: HeaderMap, axum::Form(form): axum::Form<LoginForm>) -> Response {
    let password = zeroize::Zeroizing::new(form.password);
    if foreign_origin(&headers)
        || cookie(&headers, "kc_login").is_none_or(|t| t.is_empty() || !same_text(&t, &form.csrf))
    {
        return forbidden("the login form expired: reload the page");
    }
    match c.login(&form.name, password, now()).await {
        Ok(token) => {
            let mut r = no_store(Redirect::to("/").into_response());
            if let Ok(v) = HeaderValue::from_str(&c.session_cookie(&token, c.session_max_secs)) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(message) => {
            let mut r = html(page::login(&form.csrf, Some(&message)));
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
    }
}

async fn dashboard(State(c): Shared, headers: HeaderMap) -> Response {
    let now = now();
    match c.session(&headers, now, Activity::Staff) {
        Some((user, csrf)) => html(page::dashboard(&user, &csrf, &c.kiosks(now), &c.alerts(), now)),
        None => no_store(Redirect::to("/login").into_response()),
    }
}

async fn live(State(c): Shared, headers: HeaderMap) -> Response {
    let now = now();
    match c.session(&headers, now, Activity::Refresh) {
        Some((_, csrf)) => html(page::live(
            &csrf,
            &c.kiosks(now),
            &c.alerts(),
            now,
            c.idle_left(&headers, now),
        )),
        None => no_store((StatusCode::UNAUTHORIZED, "logged out").into_response()),
    }
}

#[derive(serde::Deserialize)]
struct VerdictForm {
    csrf: String,
    call: u64,
    holder: String,
}

async fn verdict(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<VerdictForm>,
) -> Response {
    let now = now();
    let Some((user, csrf)) = c.session(&headers, now, Activity::Staff) else {
        return no_store(Redirect::to("/login").into_response());
    };
    if foreign_origin(&headers) || !same_text(&f.csrf, &csrf) {
        return forbidden("the form expired: reload the page");
    }
    let (Ok(kiosk), Some(holder)) = (
        KioskId::new(&id),
        match f.holder.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
    ) else {
        return no_store(StatusCode::BAD_REQUEST.into_response());
    };
    c.decide(&user, &kiosk, f.call, holder, now);
    no_store(Redirect::to("/").into_response())
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn dismiss(
    State(c): Shared,
    headers: HeaderMap,
    Path(alert): Path<u64>,
    axum::Form(f): axum::Form<CsrfForm>,
) -> Response {
    let now = now();
    let Some((user, csrf)) = c.session(&headers, now, Activity::Staff) else {
        return no_store(Redirect::to("/login").into_response());
    };
    if foreign_origin(&headers) || !same_text(&f.csrf, &csrf) {
        return forbidden("the form expired: reload the page");
    }
    let gone = {
        let mut alerts = lock(&c.alerts);
        let at = alerts.iter().position(|a| a.id == alert);
        at.map(|i| alerts.remove(i))
    };
    if let Some(a) = gone {
        c.audit.write(
            now,
            "alert-dismissed",
            &[("user", user.as_str()), ("kiosk", a.kiosk.as_str())],
        );
    }
    no_store(Redirect::to("/").into_response())
}

async fn logout(State(c): Shared, headers: HeaderMap, axum::Form(f): axum::Form<CsrfForm>) -> Response {
    let now = now();
    if let Some((user, csrf)) = c.session(&headers, now, Activity::Staff) {
        if foreign_origin(&headers) || !same_text(&f.csrf, &csrf) {
            return forbidden("the form expired: reload the page");
        }
        if let Some(t) = cookie(&headers, "kc_session") {
            lock(&c.sessions).remove(&hex(&digest(&t)));
        }
        c.audit.write(now, "logout", &[("user", user.as_str())]);
    }
    let mut r = no_store(Redirect::to("/login").into_response());
    if let Ok(v) = HeaderValue::from_str(&c.session_cookie("", 0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn photo(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CallQuery>,
) -> Response {
    if c.session(&headers, now(), Activity::Refresh).is_none() {
        return no_store(StatusCode::UNAUTHORIZED.into_response());
    }
    let bytes = KioskId::new(&id).ok().and_then(|id| {
        lock(&c.kiosks)
            .get(&id)
            .and_then(|k| k.photo.as_ref())
            .filter(|(call, _)| *call == q.call)
            .map(|(_, b)| b.clone())
    });
    match bytes {
        Some(b) => no_store(([(header::CONTENT_TYPE, "image/png")], b).into_response()),
        None => no_store(StatusCode::NOT_FOUND.into_response()),
    }
}

async fn script() -> Response {
    no_store(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            page::SCRIPT,
        )
            .into_response(),
    )
}

/// The font is no one's data: it may be cached (a day).
async fn font() -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        page::FONT,
    )
        .into_response()
}

async fn style() -> Response {
    no_store(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], page::STYLE).into_response())
}

/// The console's routes.
pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/live", get(live))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/kiosk/{id}/verdict", post(verdict))
        .route("/kiosk/{id}/photo", get(photo))
        .route("/alert/{id}/dismiss", post(dismiss))
        .route("/console.js", get(script))
        .route("/console.css", get(style))
        .route("/font.ttf", get(font))
        .route("/api/kiosk/report", post(report))
        .route("/api/kiosk/photo", post(upload_photo))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
        .with_state(console)
}

/// A console serving on its own thread; stopped on drop.
#[derive(Debug)]
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub console: Arc<Console>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
#[error("the staff console could not start: {0}")]
pub struct StartError(#[from] std::io::Error);

/// Serve `console` on `listener` from a thread of its own (a two-thread tokio runtime).
pub fn serve(listener: std::net::TcpListener, console: Arc<Console>) -> Result<Running, StartError> {
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiosk-console")
        .enable_io()
        .enable_time()
        .build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(console.clone());
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    let thread = std::thread::Builder::new()
        .name("kiosk-console".into())
        .spawn(move || {
            runtime.block_on(async move {
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(e) = served {
                    eprintln!("kiosk console: the server stopped: {e}");
                }
            });
        })?;
    Ok(Running {
        addr,
        console,
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl Running {
    /// Serve until the process ends (`kiosk console`).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The token's digest as the configuration stores it (re-exported for the kiosk's embedded console).
pub fn token_digest(token: &str) -> String {
    token_sha256(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console() -> Arc<Console> {
        let mut accounts = Accounts::default();
        let sato = AccountName::new("sato").unwrap_or_else(|e| panic!("{e}"));
        accounts
            .add(sato, "sato-password-1")
            .unwrap_or_else(|e| panic!("{e}"));
        Console::new(Settings {
            accounts,
            kiosks: Vec::new(),
            lockout: Lockout::in_memory(),
            audit: AuditLog::in_memory(),
            session_idle_secs: 900,
            session_max_secs: 3600,
            secure_cookies: true,
        })
    }

    fn log_in(c: &Arc<Console>, now: i64) -> HeaderMap {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let password = zeroize::Zeroizing::new("sato-password-1".to_string());
        let token = rt
            .block_on(c.login("sato", password, now))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut headers = HeaderMap::new();
        let cookie =
            HeaderValue::from_str(&format!("other=1; kc_session={token}")).unwrap_or_else(|e| panic!("{e}"));
        headers.insert(header::COOKIE, cookie);
        headers
    }

    #[test]
    fn a_session_ends_after_its_idle_time() {
        let c = console();
        let headers = log_in(&c, 1000);
        assert!(
            c.session(&headers, 1000 + 900, Activity::Staff).is_some(),
            "used at 900 s: still on"
        );
        assert!(
            c.session(&headers, 1900 + 901, Activity::Staff).is_none(),
            "idle 901 s: ended"
        );
        assert!(
            c.session(&headers, 1900 + 902, Activity::Staff).is_none(),
            "and stays ended"
        );
        assert!(
            c.audit
                .lines()
                .iter()
                .any(|l| l.ends_with("session-expired user=sato"))
        );
    }

    #[test]
    fn the_pages_own_refresh_does_not_keep_a_session_alive() {
        let c = console();
        let headers = log_in(&c, 1000);
        for t in (1001..=1900).step_by(1) {
            assert!(
                c.session(&headers, t, Activity::Refresh).is_some(),
                "refresh at {t} s"
            );
        }
        assert_eq!(c.idle_left(&headers, 1900), 0);
        assert!(
            c.session(&headers, 1901, Activity::Refresh).is_none(),
            "900 s of refreshes alone: ended"
        );
        let headers = log_in(&c, 2000);
        assert!(c.session(&headers, 2600, Activity::Staff).is_some());
        assert_eq!(
            c.idle_left(&headers, 2700),
            800,
            "staff at 2600 s: 900 s from then"
        );
    }

    #[test]
    fn a_session_in_use_ends_at_its_maximum_age() {
        let c = console();
        let headers = log_in(&c, 0);
        for t in (600..=3600).step_by(600) {
            assert!(
                c.session(&headers, t, Activity::Staff).is_some(),
                "in use at {t} s"
            );
        }
        assert!(
            c.session(&headers, 3601, Activity::Staff).is_none(),
            "past the maximum age"
        );
    }

    #[test]
    fn a_forged_cookie_is_no_session_and_cookies_are_strict() {
        let c = console();
        let _ = log_in(&c, 0);
        let mut forged = HeaderMap::new();
        forged.insert(header::COOKIE, HeaderValue::from_static("kc_session=00"));
        assert!(c.session(&forged, 1, Activity::Staff).is_none());
        let cookie = c.session_cookie("abc", 60);
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=60"] {
            assert!(cookie.contains(part), "{cookie}");
        }
    }
}
