//! The kiosk's configuration (`kiosk.toml`): reader, camera, face-matching thresholds, language, screen,
//! folders and staff codes (hashed, see [`crate::staff`]). Every value is checked when the file is read and
//! a bad one is reported with its key and what is allowed, so clinic IT can fix it without reading code.
//! `assets/kiosk.example.toml` is a complete, commented example (`kiosk config example` prints it).

use crate::staff::StaffEntry;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The commented example configuration.
pub const EXAMPLE: &str = include_str!("../../../assets/kiosk.example.toml");

/// Where `kiosk` looks for its configuration when `--config` is not given.
pub fn default_path() -> PathBuf {
    std::env::var_os("KIOSK_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/kiosk/kiosk.toml"))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The language screens start in: "ja", "en", "zh" (simplified Chinese), "ko", "vi" or "pt".
    #[serde(default = "ja")]
    pub language: String,
    /// The clinic's 10-digit medical institution code (医療機関コード), written into result files.
    pub institution_code: String,
    #[serde(default)]
    pub reader: ReaderConfig,
    #[serde(default)]
    pub camera: CameraSection,
    #[serde(default)]
    pub face: FaceSection,
    #[serde(default)]
    pub screen: ScreenSection,
    pub folders: Folders,
    #[serde(default)]
    pub timeouts: Timeouts,
    /// Card-face CA keys to trust besides J-LIS's production keys, which are embedded and always trusted
    /// ([`crate::card_face_keys`]): a key J-LIS adds, or a test CA.
    #[serde(default)]
    pub card_face_keys: Vec<CardFaceKey>,
    /// What the user-authentication certificate must chain to, beyond the built-in J-LIS anchors.
    #[serde(default)]
    pub card_trust: CardTrustSection,
    /// Trust J-LIS's test card-face keys (6000020/6000023/6000033) as well: only to try the kiosk with
    /// JPKI test cards, never in a clinic (a test card is not a patient's card).
    #[serde(default)]
    pub card_face_test_keys: bool,
    #[serde(default)]
    pub staff: Vec<StaffEntry>,
    #[serde(default)]
    pub output: OutputSection,
    pub console: ConsoleSection,
    #[serde(default)]
    pub voice: VoiceSection,
}

/// `[voice]`: spoken guidance (docs/USER-GUIDE.md, "Voice guidance").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceSection {
    /// Speak each screen's prompt and the PIN pad's count of digits.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Loudness in percent of the rendered prompts, 0–100 (the system's own volume comes on top).
    #[serde(default = "volume80")]
    pub volume: u32,
    /// The voice folder (`cargo xtask voices`); empty: $KIOSK_VOICES_DIR, else ~/.cache/kiosk/voices.
    #[serde(default)]
    pub dir: String,
    /// The ALSA output device for `aplay -D` (`aplay -L` lists them); empty: the system's default.
    #[serde(default)]
    pub device: String,
}

fn volume80() -> u32 {
    80
}

impl Default for VoiceSection {
    fn default() -> Self {
        VoiceSection {
            enabled: true,
            volume: volume80(),
            dir: String::new(),
            device: String::new(),
        }
    }
}

impl Config {
    /// The voice as the kiosk runs it; `None` when it is off.
    pub fn voice_settings(&self) -> Option<kiosk_voice::VoiceSettings> {
        self.voice.enabled.then(|| kiosk_voice::VoiceSettings {
            dir: self.voice_dir(),
            volume: u8::try_from(self.voice.volume.min(100)).unwrap_or(100),
        })
    }

    /// The voice folder.
    pub fn voice_dir(&self) -> PathBuf {
        if self.voice.dir.is_empty() {
            kiosk_voice::default_dir()
        } else {
            PathBuf::from(&self.voice.dir)
        }
    }

    /// The ALSA device, when one is configured.
    pub fn voice_device(&self) -> Option<String> {
        let d = self.voice.device.trim();
        (!d.is_empty()).then(|| d.to_string())
    }

    fn check_voice(&self) -> Result<(), Invalid> {
        if self.voice.volume > 100 {
            return Err(invalid(format!(
                "voice.volume = {}: a percentage from 0 (silent) to 100 (as rendered); to turn the voice \
                 off write enabled = false",
                self.voice.volume
            )));
        }
        if self.voice.device.chars().any(char::is_control) {
            return Err(invalid(
                "voice.device: an ALSA device name as `aplay -L` lists it, on one line".into(),
            ));
        }
        Ok(())
    }
}

/// `[output]`: how result files are written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    /// `"UTF-8"` (CharacterCodeIdentifier 0) or `"Shift_JIS"` (1), as the receipt computer expects.
    #[serde(default = "utf8")]
    pub charset: String,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection { charset: utf8() }
    }
}

fn utf8() -> String {
    "UTF-8".into()
}

impl Config {
    /// Where and how result files are written; an unknown charset is a configuration error.
    pub fn output_settings(&self) -> Result<kiosk_records::OutputSettings, String> {
        let charset = kiosk_records::Charset::from_name(&self.output.charset).ok_or_else(|| {
            format!(
                "[output] charset {:?}: write \"UTF-8\" or \"Shift_JIS\"",
                self.output.charset
            )
        })?;
        Ok(kiosk_records::OutputSettings {
            dir: self.folders.output.clone(),
            institution_code: self.institution_code.clone(),
            charset,
        })
    }
}

/// How staff do the visual check and hear calls: the staff console (served by this kiosk, or the
/// clinic's console of several kiosks), and the kiosk's code pad only as an opt-in fallback.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSection {
    /// This kiosk's own console, or the clinic's at `url`.
    #[serde(default)]
    pub mode: ConsoleMode,
    /// Where the embedded console listens (this computer only; a TLS proxy serves other computers).
    #[serde(default = "console_listen")]
    pub listen: std::net::SocketAddr,
    /// The embedded console's accounts (`kiosk console add-user NAME --accounts FILE`).
    #[serde(default = "console_accounts")]
    pub accounts: PathBuf,
    /// The embedded console's lockout records and audit log.
    #[serde(default = "console_state")]
    pub state_dir: PathBuf,
    #[serde(default = "yes")]
    pub secure_cookies: bool,
    /// This kiosk's name on the console.
    #[serde(default = "kiosk_id")]
    pub kiosk_id: kiosk_console::protocol::KioskId,
    /// "remote": the console's address: "https://HOST:PORT" (its TLS proxy), or "http://127.0.0.1:PORT"
    /// when it runs on this computer.
    #[serde(default)]
    pub url: String,
    /// "remote": the file holding this kiosk's token (`kiosk console add-kiosk ID`).
    #[serde(default)]
    pub token_file: PathBuf,
    /// "remote" over https: the PEM file of the certificate authority (or the proxy's self-signed
    /// certificate) that the console's certificate must chain to; nothing else is trusted.
    #[serde(default)]
    pub ca_file: PathBuf,
    /// The staff code pad on the kiosk instead of the console (a fallback; needs [[staff]] entries).
    #[serde(default)]
    pub code_pad: bool,
}

impl ConsoleSection {
    /// Only the `[console]` section of the kiosk configuration `path` (the other sections are not read):
    /// for `kiosk --demo --walk --console FILE`, scripted patients at a demo kiosk that reports to a
    /// real staff console.
    pub fn load(path: &Path) -> Result<ConsoleSection, ConfigError> {
        #[derive(Deserialize)]
        struct OnlyConsole {
            #[serde(default)]
            console: ConsoleSection,
        }
        let file = path.display().to_string();
        let err = |message: String| ConfigError {
            file: file.clone(),
            message,
        };
        let only: OnlyConsole =
            toml::from_str(&read_private_config(path)?).map_err(|e| err(e.to_string().trim().to_string()))?;
        only.console.check().map_err(|e| err(e.0))?;
        Ok(only.console)
    }

    fn check(&self) -> Result<(), Invalid> {
        match self.mode {
            ConsoleMode::Embedded if !self.listen.ip().is_loopback() => Err(invalid(format!(
                "console.listen = \"{}\": the console serves plain HTTP, so it listens on this computer \
                 only (127.0.0.1); a TLS reverse proxy serves the other computers",
                self.listen
            ))),
            ConsoleMode::Remote if self.token_file.as_os_str().is_empty() => Err(invalid(
                "console: mode \"remote\" needs token_file (the token `kiosk console add-kiosk ID` printed)"
                    .into(),
            )),
            ConsoleMode::Remote
                if self.url.starts_with("https://") && self.ca_file.as_os_str().is_empty() =>
            {
                Err(invalid(format!(
                    "console.url = \"{}\": https needs ca_file, the PEM certificate of the CA (or of the \
                     proxy itself) that the console's certificate must chain to",
                    self.url
                )))
            }
            ConsoleMode::Remote
                if !self.url.starts_with("https://") && !kiosk_console::client::is_local_http(&self.url) =>
            {
                Err(invalid(format!(
                    "console.url = \"{}\": a console on another computer is reached over https://, through \
                     its TLS proxy (the token and the chip photo must not cross the network in clear); \
                     http:// only to this computer (http://127.0.0.1:PORT)",
                    self.url
                )))
            }
            ConsoleMode::Embedded | ConsoleMode::Remote => Ok(()),
        }
    }
}

/// Where a kiosk's staff console runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsoleMode {
    /// Served by this kiosk, for this kiosk (a clinic with one kiosk).
    #[default]
    Embedded,
    /// The clinic's console of several kiosks (`kiosk console --config FILE`), reported to at `url`.
    Remote,
}

fn console_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 8440))
}
fn console_accounts() -> PathBuf {
    PathBuf::from("/etc/kiosk/console-accounts.toml")
}
fn console_state() -> PathBuf {
    PathBuf::from("/var/lib/kiosk/console")
}
fn kiosk_id() -> kiosk_console::protocol::KioskId {
    kiosk_console::protocol::KioskId::new("kiosk-1").unwrap_or_else(|_| unreachable!("a valid id"))
}

impl Default for ConsoleSection {
    fn default() -> Self {
        ConsoleSection {
            mode: ConsoleMode::Embedded,
            listen: console_listen(),
            accounts: console_accounts(),
            state_dir: console_state(),
            secure_cookies: true,
            kiosk_id: kiosk_id(),
            url: String::new(),
            token_file: PathBuf::new(),
            ca_file: PathBuf::new(),
            code_pad: false,
        }
    }
}

fn ja() -> String {
    "ja".into()
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderConfig {
    /// The PC/SC reader name; empty: the first reader a card is placed on.
    #[serde(default)]
    pub name: String,
    /// A separate contactless reader for smartphones, where the card reader is contact-only or the
    /// clinic puts a phone reader beside the kiosk (`[reader.phone]`).
    #[serde(default)]
    pub phone: PhoneReaderConfig,
}

/// `[reader.phone]`: the smartphone reader.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneReaderConfig {
    /// The PC/SC name of the phone reader; empty: phones are held to the card reader (a contactless
    /// one), as on most certified readers.
    #[serde(default)]
    pub name: String,
}

impl ReaderConfig {
    /// The card reader's name, if one is configured.
    pub fn card_reader(&self) -> Option<String> {
        let name = self.name.trim();
        (!name.is_empty()).then(|| name.to_string())
    }

    /// The separate phone reader's name, if one is configured.
    pub fn phone_reader(&self) -> Option<String> {
        let name = self.phone.name.trim();
        (!name.is_empty()).then(|| name.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraSection {
    /// Camera index ("0") or the device name the system reports; "none" for a kiosk without camera.
    #[serde(default = "zero")]
    pub device: String,
    #[serde(default = "w640")]
    pub width: u32,
    #[serde(default = "h480")]
    pub height: u32,
    #[serde(default = "fps30")]
    pub fps: u32,
    /// `[camera.front]`: a second camera above the reader looking down at the card (issue 14). With it the
    /// card front is read where the card lies; without it the patient lifts the card to the face camera.
    #[serde(default)]
    pub front: Option<FrontCameraSection>,
}

/// The front camera: a small USB or document camera above the reader, looking down at the card lying
/// face-up. Text needs more pixels than a face: 1280×720 by default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontCameraSection {
    /// Camera index or device name, as for `[camera]`; it must be another camera than the face camera.
    pub device: String,
    #[serde(default = "w1280")]
    pub width: u32,
    #[serde(default = "h720")]
    pub height: u32,
    #[serde(default = "fps15")]
    pub fps: u32,
}

fn w1280() -> u32 {
    1280
}
fn h720() -> u32 {
    720
}
fn fps15() -> u32 {
    15
}

fn zero() -> String {
    "0".into()
}
fn w640() -> u32 {
    640
}
fn h480() -> u32 {
    480
}
fn fps30() -> u32 {
    30
}

impl Default for CameraSection {
    fn default() -> Self {
        CameraSection {
            device: zero(),
            width: 640,
            height: 480,
            fps: 30,
            front: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceSection {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Folder of the model files; empty: the default (`cargo xtask models` puts them there).
    #[serde(default)]
    pub models_dir: String,
    /// Largest descriptor distance that counts as the same person (dlib's 0.6, also the most allowed).
    #[serde(default = "point6")]
    pub threshold: f32,
    /// Frames that must agree.
    #[serde(default = "three")]
    pub frames_needed: u32,
    /// Good frames looked at before deciding "not matched".
    #[serde(default = "eight")]
    pub max_frames: u32,
    /// Seconds without a decision before giving up (nobody in front of the camera); it includes the
    /// liveness check's head turn.
    #[serde(default = "fourteen")]
    pub give_up_seconds: u32,
}

fn yes() -> bool {
    true
}
fn point6() -> f32 {
    0.6
}
fn three() -> u32 {
    3
}
fn eight() -> u32 {
    8
}
fn fourteen() -> u32 {
    14
}

impl Default for FaceSection {
    fn default() -> Self {
        FaceSection {
            enabled: true,
            models_dir: String::new(),
            threshold: 0.6,
            frames_needed: 3,
            max_frames: 8,
            give_up_seconds: 14,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenSection {
    /// Fill the screen, without window decorations (kiosk mode).
    #[serde(default = "yes")]
    pub fullscreen: bool,
    /// The screen's real dots per inch. The screens scale themselves to fill the window (kiosk-ui's
    /// layout); this gives only the sizes before the first frame.
    #[serde(default = "dpi96")]
    pub dpi: f32,
    /// やさしい日本語 (easy Japanese) on the main patient screens (`assets/strings/ja-easy.toml`).
    #[serde(default)]
    pub easy_japanese: bool,
}

fn dpi96() -> f32 {
    96.0
}

impl Default for ScreenSection {
    fn default() -> Self {
        ScreenSection {
            fullscreen: true,
            dpi: 96.0,
            easy_japanese: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Folders {
    /// The roster (`roster.sqlite`) and the journal (`journal.sqlite`).
    pub data: PathBuf,
    /// Result files for the clinic's reception system.
    pub output: PathBuf,
    /// The group (name, as in /etc/group) that may read result files, for a receipt computer that reads
    /// them as another user: they are then 0640 with this group instead of 0600. Empty: 0600.
    #[serde(default)]
    pub result_group: String,
}

/// The id of group `name` in `/etc/group`'s text (`name:password:gid:members`).
pub fn group_id(etc_group: &str, name: &str) -> Option<u32> {
    etc_group.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name).then_some(())?;
        fields.nth(1)?.parse().ok()
    })
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Seconds without input before the "more time?" warning.
    #[serde(default = "sixty")]
    pub idle_seconds: u32,
    /// Seconds the warning shows (at least 20, WCAG 2.2.1).
    #[serde(default = "thirty")]
    pub warning_seconds: u32,
    /// On a kiosk with only the face camera, how long the session waits for the card the patient lifted
    /// to show its front to be put back (5–120 s; issue 14).
    #[serde(default = "card_return")]
    pub card_return_seconds: u32,
}

fn card_return() -> u32 {
    20
}

fn sixty() -> u32 {
    60
}
fn thirty() -> u32 {
    30
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            idle_seconds: 60,
            warning_seconds: 30,
            card_return_seconds: card_return(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFaceKey {
    /// The key identifier the card names (32 hex digits).
    pub key_id: String,
    /// A DER file with the RSA public key (SubjectPublicKeyInfo).
    pub public_key_der: PathBuf,
}

/// The user-authentication certificate's trust (docs/CARD-NOTES.md §7.3): the three J-LIS CA
/// certificates are built in; clinic IT adds the next generation when J-LIS publishes it, and a test
/// bench names the test hierarchy it uses.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardTrustSection {
    /// More J-LIS user-authentication CA certificates, as DER files (the `.cer` files J-LIS publishes at
    /// https://www.jpki.go.jp/ca/index.html).
    #[serde(default)]
    pub anchors: Vec<PathBuf>,
    /// Test hierarchies to trust, by the `O=` of their CA (`JPKI-TEST` for J-LIS's test cards). Empty at
    /// a clinic: a test card must never pass for a patient's.
    #[serde(default)]
    pub test_hierarchies: Vec<String>,
}

/// The trust in user-authentication certificates: the built-in J-LIS anchors, then `anchors` (each a
/// label for messages, e.g. its file, and its DER bytes), then `test_hierarchies` by name. The
/// configuration file ([`Config::auth_trust`]) and the demo (the virtual cards' test CA) both build theirs
/// here, so a test hierarchy is trusted one way only.
pub fn auth_trust(
    anchors: &[(String, Vec<u8>)],
    test_hierarchies: &[String],
) -> Result<kiosk_mynumber::AuthTrust, ConfigError> {
    let mut trust = kiosk_mynumber::AuthTrust::jlis();
    for (label, der) in anchors {
        trust.add_anchor_der(der).map_err(|e| ConfigError {
            file: label.clone(),
            message: format!("card_trust.anchors: {e}"),
        })?;
    }
    for name in test_hierarchies {
        trust.trust_test_hierarchy(name).map_err(|e| ConfigError {
            file: "card_trust".into(),
            message: format!("test_hierarchies: {name:?}: {e}"),
        })?;
    }
    Ok(trust)
}

fn camera_config(device: &str, width: u32, height: u32, fps: u32) -> kiosk_camera::CameraConfig {
    let device = match device.parse::<u32>() {
        Ok(i) => kiosk_camera::CameraSelector::Index(i),
        Err(_) => kiosk_camera::CameraSelector::Name(device.to_string()),
    };
    kiosk_camera::CameraConfig {
        device,
        width,
        height,
        fps,
    }
}

/// A camera's size and frame rate in range (`key`: its section, for the message).
fn check_mode(key: &str, width: u32, height: u32, fps: u32) -> Result<(), Invalid> {
    if !(160..=3840).contains(&width) || !(120..=2160).contains(&height) || !(1..=120).contains(&fps) {
        return Err(invalid(format!(
            "{key}: {width}×{height} at {fps} fps is out of range (width 160–3840, height 120–2160, fps 1–120)"
        )));
    }
    Ok(())
}

/// A configuration problem, with the file, the key and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

/// One setting out of range, in words clinic IT can act on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Invalid(String);

fn invalid(message: String) -> Invalid {
    Invalid(message)
}

/// The text of a configuration file. A file others can write is refused (they could point the kiosk at
/// their own staff codes, console or folders); one others can read is warned about on stderr.
fn read_private_config(path: &Path) -> Result<String, ConfigError> {
    let file = path.display().to_string();
    match kiosk_console::files::check_private(path) {
        Ok(Some(warning)) => eprintln!("kiosk: warning: {warning}"),
        Err(e @ kiosk_console::files::FileError::WritableByOthers { .. }) => {
            return Err(ConfigError {
                file,
                message: e.to_string(),
            });
        }
        // A missing file is reported below, with what to do.
        Ok(None) | Err(kiosk_console::files::FileError::Io { .. }) => {}
    }
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: file.clone(),
        message: if e.kind() == std::io::ErrorKind::NotFound {
            "not found: write one from the example (`kiosk config example > kiosk.toml`), or run \
                 `kiosk --demo` to try the kiosk without one"
                .into()
        } else {
            e.to_string()
        },
    })?;
    Ok(text)
}

impl Config {
    /// Read and check `path` ([`read_private_config`]).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(&read_private_config(path)?, &path.display().to_string())
    }

    /// Parse and check configuration text (`file` names it in messages).
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            file: file.into(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| err(e.to_string().trim().to_string()))?;
        config.check().map_err(|e| err(e.0))?;
        Ok(config)
    }

    /// Every setting in range; the first one that is not, in words clinic IT can act on.
    fn check(&self) -> Result<(), Invalid> {
        self.check_site()?;
        self.check_face()?;
        self.check_devices()?;
        self.check_trust()?;
        self.check_console()?;
        self.check_voice()?;
        self.check_staff()
    }

    fn check_console(&self) -> Result<(), Invalid> {
        self.console.check()
    }

    /// Test hierarchy names by the rules [`kiosk_mynumber::AuthTrust`] applies (the anchor files are read
    /// by [`Config::auth_trust`]).
    fn check_trust(&self) -> Result<(), Invalid> {
        let mut trust = kiosk_mynumber::AuthTrust::nothing();
        for name in &self.card_trust.test_hierarchies {
            trust
                .trust_test_hierarchy(name)
                .map_err(|e| invalid(format!("card_trust.test_hierarchies: {name:?}: {e}")))?;
        }
        Ok(())
    }

    fn check_site(&self) -> Result<(), Invalid> {
        if kiosk_reception::Lang::from_code(&self.language).is_none() {
            return Err(invalid(format!(
                "language = {:?}: use \"ja\", \"en\", \"zh\", \"ko\", \"vi\" or \"pt\"",
                self.language
            )));
        }
        if self.institution_code.len() != 10 || !self.institution_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!(
                "institution_code = {:?}: the 10-digit medical institution code (医療機関コード)",
                self.institution_code
            )));
        }
        if kiosk_records::Charset::from_name(&self.output.charset).is_none() {
            return Err(invalid(format!(
                "output.charset = {:?}: \"UTF-8\" or \"Shift_JIS\" (what the receipt computer reads; \
                 CharacterCodeIdentifier 0 or 1)",
                self.output.charset
            )));
        }
        if self.timeouts.warning_seconds < 20 || self.timeouts.idle_seconds < 10 {
            return Err(invalid(format!(
                "timeouts: idle_seconds = {}, warning_seconds = {}: at least 10 and 20 (WCAG 2.2.1)",
                self.timeouts.idle_seconds, self.timeouts.warning_seconds
            )));
        }
        if !(5..=120).contains(&self.timeouts.card_return_seconds) {
            return Err(invalid(format!(
                "timeouts: card_return_seconds = {}: 5 to 120 (time to put the card back after showing its \
                 front)",
                self.timeouts.card_return_seconds
            )));
        }
        Ok(())
    }

    fn check_face(&self) -> Result<(), Invalid> {
        let f = &self.face;
        if !(0.3..=kiosk_face::pad::MAX_MATCH_THRESHOLD).contains(&f.threshold) {
            return Err(invalid(format!(
                "face.threshold = {}: between 0.3 and 0.6 (0.6 is dlib's calibrated value and the most allowed; lower is stricter)",
                f.threshold
            )));
        }
        if f.frames_needed == 0 || f.frames_needed > f.max_frames || f.max_frames > 100 {
            return Err(invalid(format!(
                "face.frames_needed = {}, face.max_frames = {}: need 1 ≤ frames_needed ≤ max_frames ≤ 100",
                f.frames_needed, f.max_frames
            )));
        }
        if !(1..=120).contains(&f.give_up_seconds) {
            return Err(invalid(format!(
                "face.give_up_seconds = {}: between 1 and 120",
                f.give_up_seconds
            )));
        }
        for k in &self.card_face_keys {
            if k.key_id.len() != 32 || !k.key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(format!(
                    "card_face_keys: key_id {:?} must be 32 hex digits",
                    k.key_id
                )));
            }
        }
        Ok(())
    }

    fn check_devices(&self) -> Result<(), Invalid> {
        let c = &self.camera;
        if c.device.trim().is_empty() {
            return Err(invalid(
                "camera.device is empty: a camera index (\"0\"), its name, or \"none\"".into(),
            ));
        }
        check_mode("camera", c.width, c.height, c.fps)?;
        if let Some(f) = &c.front {
            if f.device.trim().is_empty() || f.device.eq_ignore_ascii_case("none") {
                return Err(invalid(
                    "camera.front.device: the front camera's index or name (leave [camera.front] out for a \
                     one-camera kiosk)"
                        .into(),
                ));
            }
            if f.device == c.device || c.device.eq_ignore_ascii_case("none") {
                return Err(invalid(format!(
                    "camera.front.device = {:?}: another camera than the face camera (camera.device = {:?}), \
                     and only with a face camera",
                    f.device, c.device
                )));
            }
            check_mode("camera.front", f.width, f.height, f.fps)?;
        }
        if !(50.0..=600.0).contains(&self.screen.dpi) {
            return Err(invalid(format!(
                "screen.dpi = {}: the screen's real dots per inch, 50–600 (measure the screen's width)",
                self.screen.dpi
            )));
        }
        Ok(())
    }

    fn check_staff(&self) -> Result<(), Invalid> {
        let mut ids = std::collections::BTreeSet::new();
        for s in &self.staff {
            if s.id.trim().is_empty() || !ids.insert(s.id.as_str()) {
                return Err(invalid(format!("staff: id {:?} is empty or repeated", s.id)));
            }
            if let Some(problem) = s.problem() {
                return Err(invalid(problem));
            }
        }
        if self.console.code_pad && self.staff.is_empty() {
            return Err(invalid(
                "console.code_pad = true but no [[staff]] entry: make one with `kiosk staff-code ID`".into(),
            ));
        }
        Ok(())
    }

    /// The camera as kiosk-camera wants it (`None`: no camera configured).
    pub fn camera_config(&self) -> Option<kiosk_camera::CameraConfig> {
        let c = &self.camera;
        if c.device.eq_ignore_ascii_case("none") {
            return None;
        }
        Some(camera_config(&c.device, c.width, c.height, c.fps))
    }

    /// The front camera above the reader (`None`: a one-camera kiosk).
    pub fn front_camera_config(&self) -> Option<kiosk_camera::CameraConfig> {
        let f = self.camera.front.as_ref()?;
        self.camera_config()?;
        Some(camera_config(&f.device, f.width, f.height, f.fps))
    }

    /// The group that may read result files (`None`: they are 0600), looked up in /etc/group.
    pub fn result_gid(&self) -> Result<Option<u32>, ConfigError> {
        let name = self.folders.result_group.trim();
        if name.is_empty() {
            return Ok(None);
        }
        let err = |message: String| ConfigError {
            file: "/etc/group".into(),
            message,
        };
        let text = std::fs::read_to_string("/etc/group").map_err(|e| err(e.to_string()))?;
        group_id(&text, name).map(Some).ok_or_else(|| {
            err(format!(
                "folders.result_group = {name:?}: no such group (make it with `groupadd {name}`)"
            ))
        })
    }

    /// The model folder (`None`: the default).
    pub fn models_dir(&self) -> Option<PathBuf> {
        (!self.face.models_dir.is_empty()).then(|| PathBuf::from(&self.face.models_dir))
    }

    /// The language screens start in (checked when loading; Japanese should it be unknown).
    pub fn lang(&self) -> kiosk_reception::Lang {
        kiosk_reception::Lang::from_code(&self.language).unwrap_or_default()
    }

    pub fn flow(&self) -> kiosk_reception::FlowConfig {
        kiosk_reception::FlowConfig {
            idle_secs: self.timeouts.idle_seconds.into(),
            warning_secs: self.timeouts.warning_seconds.into(),
            face_enabled: self.face.enabled,
            separate_phone_reader: self.reader.phone_reader().is_some(),
            cameras: if self.front_camera_config().is_some() {
                kiosk_reception::Cameras::FaceAndFront
            } else {
                kiosk_reception::Cameras::FaceOnly {
                    card_return_secs: self.timeouts.card_return_seconds.into(),
                }
            },
            staff_check: if self.console.code_pad {
                kiosk_reception::StaffCheckBy::CodePad
            } else {
                kiosk_reception::StaffCheckBy::Console
            },
            ..Default::default()
        }
    }

    pub fn face_settings(&self) -> crate::workers::FaceSettings {
        crate::workers::FaceSettings {
            policy: kiosk_face::MatchPolicy {
                threshold: self.face.threshold,
                frames_needed: self.face.frames_needed,
                max_frames: self.face.max_frames,
            },
            give_up_after: std::time::Duration::from_secs(self.face.give_up_seconds.into()),
            frame_interval: std::time::Duration::from_millis(10),
            ..Default::default()
        }
    }

    /// The trust in user-authentication certificates: the built-in J-LIS anchors, the configured anchor
    /// files and the test hierarchies named.
    pub fn auth_trust(&self) -> Result<kiosk_mynumber::AuthTrust, ConfigError> {
        let anchors = self
            .card_trust
            .anchors
            .iter()
            .map(|path| {
                let file = path.display().to_string();
                std::fs::read(path)
                    .map(|der| (file.clone(), der))
                    .map_err(|e| ConfigError {
                        file,
                        message: format!("card_trust.anchors: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        auth_trust(&anchors, &self.card_trust.test_hierarchies)
    }

    /// The card-face trust anchors: J-LIS's embedded keys (test keys only with `card_face_test_keys`)
    /// and the `[[card_face_keys]]`, read from their DER files.
    pub fn trust_anchors(&self) -> Result<Vec<kiosk_mynumber::TrustAnchor>, ConfigError> {
        let configured = self.configured_card_face_keys()?;
        Ok(crate::card_face_keys::anchors(
            self.card_face_test_keys,
            configured,
        ))
    }

    fn configured_card_face_keys(&self) -> Result<Vec<kiosk_mynumber::TrustAnchor>, ConfigError> {
        use rsa::pkcs8::DecodePublicKey;
        self.card_face_keys
            .iter()
            .map(|k| {
                let err = |message: String| ConfigError {
                    file: k.public_key_der.display().to_string(),
                    message: format!("card_face_keys: {message}"),
                };
                let der = std::fs::read(&k.public_key_der).map_err(|e| err(e.to_string()))?;
                let key = rsa::RsaPublicKey::from_public_key_der(&der)
                    .map_err(|e| err(format!("not an RSA public key in DER: {e}")))?;
                let mut key_id = [0u8; 16];
                for (i, b) in key_id.iter_mut().enumerate() {
                    *b = u8::from_str_radix(&k.key_id[2 * i..2 * i + 2], 16)
                        .map_err(|e| err(format!("key_id: {e}")))?;
                }
                Ok(kiosk_mynumber::TrustAnchor { key_id, key })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_console_is_reached_over_tls_unless_it_is_on_this_computer() {
        let console = |lines: &str| {
            toml::from_str::<toml::Table>(&format!("[console]\nmode = \"remote\"\n{lines}"))
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    let section: ConsoleSection = t["console"]
                        .clone()
                        .try_into()
                        .map_err(|e: toml::de::Error| e.to_string())?;
                    section.check().map_err(|e| e.0)
                })
        };
        let token = "token_file = \"/etc/kiosk/console-token\"\n";
        assert!(console(&format!("{token}url = \"http://127.0.0.1:8440\"")).is_ok());
        assert!(console(&format!("{token}url = \"http://localhost:8440\"")).is_ok());
        let e = console(&format!("{token}url = \"http://192.168.1.20:8440\"")).unwrap_err();
        assert!(e.contains("https://"), "{e}");
        let e = console(&format!("{token}url = \"https://console.clinic.lan:8443\"")).unwrap_err();
        assert!(e.contains("ca_file"), "{e}");
        assert!(
            console(&format!(
                "{token}url = \"https://console.clinic.lan:8443\"\nca_file = \"/etc/kiosk/console-ca.pem\""
            ))
            .is_ok()
        );
        let e = console("url = \"http://127.0.0.1:8440\"").unwrap_err();
        assert!(e.contains("token_file"), "{e}");
        assert!(console("mode = \"elsewhere\"").is_err());
    }

    #[test]
    fn the_example_is_a_valid_configuration() {
        let c = Config::parse(EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.institution_code.len(), 10);
        assert!(c.staff.is_empty(), "no staff code ships");
        assert!(!c.console.code_pad);
        assert_eq!(c.console.mode, ConsoleMode::Embedded);
        assert!(c.camera_config().is_some());
        let sjis = Config::parse(
            &EXAMPLE.replacen("charset = \"UTF-8\"", "charset = \"Shift_JIS\"", 1),
            "example",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            sjis.output_settings().map(|o| o.charset),
            Ok(kiosk_records::Charset::ShiftJis)
        );
    }

    fn with(replace: &str, by: &str) -> Result<Config, ConfigError> {
        assert!(EXAMPLE.contains(replace), "{replace}");
        Config::parse(&EXAMPLE.replacen(replace, by, 1), "kiosk.toml")
    }

    #[test]
    fn a_front_camera_section_makes_the_face_and_front_arrangement() {
        let one = with("fps = 30", "fps = 30").unwrap_or_else(|e| panic!("{e}"));
        assert!(one.front_camera_config().is_none());
        assert_eq!(
            one.flow().cameras,
            kiosk_reception::Cameras::FaceOnly { card_return_secs: 20 }
        );
        let two = with(
            "# [camera.front]\n# device = \"1\"",
            "[camera.front]\ndevice = \"1\"",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let front = two.front_camera_config().map(|c| (c.device, c.width, c.height));
        assert_eq!(front, Some((kiosk_camera::CameraSelector::Index(1), 1280, 720)));
        assert_eq!(two.flow().cameras, kiosk_reception::Cameras::FaceAndFront);
        // The face camera twice is a mistake to be told, not a second camera.
        let same = with(
            "# [camera.front]\n# device = \"1\"",
            "[camera.front]\ndevice = \"0\"",
        )
        .expect_err("the same camera twice");
        assert!(same.to_string().contains("camera.front.device"), "{same}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            ("language = \"ja\"", "language = \"fr\"", "language"),
            ("threshold = 0.6", "threshold = 1.5", "face.threshold"),
            ("threshold = 0.6", "threshold = \"strict\"", "threshold"),
            ("dpi = 96", "dpi = 0", "screen.dpi"),
            ("warning_seconds = 30", "warning_seconds = 5", "warning_seconds"),
            (
                "card_return_seconds = 20",
                "card_return_seconds = 600",
                "card_return_seconds",
            ),
            (
                "institution_code = \"1399999999\"",
                "institution_code = \"12\"",
                "institution_code",
            ),
            (
                "fullscreen = true",
                "fullscreen = true\nfulscreen = false",
                "fulscreen",
            ),
            ("frames_needed = 3", "frames_needed = 9", "frames_needed"),
            ("charset = \"UTF-8\"", "charset = \"EUC-JP\"", "output.charset"),
            ("volume = 80", "volume = 150", "voice.volume"),
            ("volume = 80", "volume = -5", "volume"),
            ("volume = 80", "volume = \"loud\"", "volume"),
            (
                "enabled = true\n# Loudness",
                "enabled = \"yes\"\n# Loudness",
                "enabled",
            ),
        ];
        for (from, to, key) in cases {
            let e = with(from, to).expect_err(to);
            assert!(e.to_string().contains(key), "{to}: {e}");
            assert!(e.to_string().starts_with("kiosk.toml"), "{e}");
        }
    }

    #[test]
    fn the_example_trusts_the_built_in_jlis_anchors_only() {
        let c = Config::parse(EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        let trust = c.auth_trust().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(trust.anchors().len(), 3);
        assert!(trust.test_hierarchies().is_empty());
        let e = with("test_hierarchies = []", "test_hierarchies = [\"JPKI\"]").expect_err("production");
        assert!(
            e.to_string()
                .contains("card_trust.test_hierarchies: \"JPKI\": \"JPKI\" is J-LIS's production hierarchy"),
            "{e}"
        );
    }

    #[test]
    fn a_test_bench_adds_the_test_ca_and_names_its_hierarchy() {
        let dir = std::env::temp_dir().join(format!("kiosk-config-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let ca = dir.join("authca-test-2023.cer");
        let leaf = dir.join("jpki-auth-cert.der");
        let write = |path: &Path, bytes: &[u8]| std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
        write(
            &ca,
            include_bytes!("../../mynumber/tests/fixtures/jpki/authca-test-2023.cer"),
        );
        write(
            &leaf,
            include_bytes!("../../mynumber/tests/fixtures/jpki/jpki-auth-cert.der"),
        );
        let bench = |anchor: &Path| {
            let text = EXAMPLE
                .replacen(
                    "anchors = []",
                    &format!("anchors = [{:?}]", anchor.display().to_string()),
                    1,
                )
                .replacen("test_hierarchies = []", "test_hierarchies = [\"JPKI-TEST\"]", 1);
            Config::parse(&text, "kiosk.toml")
        };
        let c = bench(&ca).unwrap_or_else(|e| panic!("{e}"));
        let trust = c.auth_trust().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(trust.anchors().len(), 4);
        assert_eq!(trust.test_hierarchies(), ["JPKI-TEST"]);
        // A patient's certificate is not a CA certificate; a missing file says so with its name.
        let e = bench(&leaf)
            .unwrap_or_else(|e| panic!("{e}"))
            .auth_trust()
            .expect_err("not a CA");
        assert!(
            e.to_string()
                .contains("jpki-auth-cert.der: card_trust.anchors: not a CA certificate"),
            "{e}"
        );
        let e = bench(&dir.join("authca04.cer"))
            .unwrap_or_else(|e| panic!("{e}"))
            .auth_trust()
            .expect_err("missing");
        assert!(e.to_string().contains("authca04.cer: card_trust.anchors:"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn jlis_production_keys_are_trusted_by_default_and_test_keys_only_when_configured() {
        let ids = |c: &Config| -> Vec<String> {
            c.trust_anchors()
                .unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(|a| String::from_utf8_lossy(&a.key_id[..7]).into_owned())
                .collect()
        };
        let c = Config::parse(EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.card_face_test_keys);
        assert_eq!(ids(&c), ["5000020", "5000023", "5000033"]);
        let test = with("card_face_test_keys = false", "card_face_test_keys = true")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ids(&test),
            ["5000020", "5000023", "5000033", "6000020", "6000023", "6000033"]
        );
    }

    #[test]
    fn a_configuration_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("kiosk-config-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("kiosk.toml");
        std::fs::write(&path, EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        let set = |mode| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode));
        set(0o666).unwrap_or_else(|e| panic!("{e}"));
        let e = Config::load(&path).expect_err("world-writable");
        assert!(e.message.contains("others can write"), "{e}");
        set(0o600).unwrap_or_else(|e| panic!("{e}"));
        assert!(Config::load(&path).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_result_group_is_looked_up_by_name() {
        let etc = "root:x:0:\nreceipt:x:1234:kiosk\nreceipts:x:99:\n";
        assert_eq!(group_id(etc, "receipt"), Some(1234));
        assert_eq!(group_id(etc, "nobody-here"), None);
        let c = Config::parse(EXAMPLE, "example").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.result_gid().ok(), Some(None), "empty: 0600 files");
        let c = with("result_group = \"\"", "result_group = \"root\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.result_gid().ok(), Some(Some(0)));
    }

    #[test]
    fn a_missing_file_says_how_to_make_one() {
        let e = Config::load(Path::new("/nonexistent/kiosk.toml")).expect_err("missing");
        assert!(e.message.contains("kiosk config example"), "{e}");
    }
}
