//! The embedded defaults behind `kiosk --demo`: the virtual cards' trust anchors (user-authentication and
//! card-face CAs, trusted by name), the demo roster, a temporary journal and output folder, the demo staff code, and demo cameras made from the public-domain
//! photos in `assets/faces/` (the card holder, someone else, nobody, or no camera at all) and the
//! presentation attacks of docs/PAD.md (the card held up, a printed photo, a phone replay).

use crate::core::Parts;
use crate::notify::LogNotifier;
use crate::staff::StaffCodes;
use crate::workers::{CardTrust, FaceSettings, SourceFactory};
use kiosk_camera::{Aim, CameraError, ClipSource, Frame, FrameSource};
use kiosk_card_sim::{Profile, SharedCard, VirtualCard, pki};
use kiosk_cardfront::synth::Variation;
use kiosk_cardfront::tray::TrayView;
use kiosk_face::{Challenge, FaceEngine, FaceModels, RgbImage};
use kiosk_mynumber::Date;
use kiosk_mynumber::{AuthTrust, TrustAnchor};
use kiosk_pad_corpus::Source;
use kiosk_reception::EligibilityAnswer;
use kiosk_reception::{FlowConfig, Lang, StaffCheckBy};
use kiosk_records::{
    Charset, EligibilityBackend, Journal, OutputSettings, RecordsError, RosterEntry, SqliteRoster,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The demo roster: who is insured, by certificate serial (test data).
pub const DEMO_ROSTER: &str = include_str!("../../../assets/roster-demo.toml");

/// The demo staff member and code for the code pad fallback (the scripted walk and the UI tests use the
/// pad; the demo window uses its own staff console; a real kiosk has its own codes in the config).
pub const DEMO_STAFF: (&str, &str) = ("S001", "010101");

/// The public-domain photos behind the demo cameras.
const PHOTOS: &[(&str, &[u8])] = &[
    ("obama.png", include_bytes!("../../../assets/faces/obama.png")),
    ("obama2.png", include_bytes!("../../../assets/faces/obama2.png")),
    ("obama3.png", include_bytes!("../../../assets/faces/obama3.png")),
    ("biden.png", include_bytes!("../../../assets/faces/biden.png")),
];
const BIDEN_CARD_PHOTO: &[u8] = include_bytes!("../../../assets/photos/biden.jp2");

/// The card-face trust anchors of demo mode, made as a configured kiosk makes its own
/// ([`crate::card_face_keys::anchors`]): J-LIS's production keys, and, named explicitly as a configuration
/// names an extra key, the virtual cards' own card-face CA. The virtual cards name J-LIS's test id
/// 6000023 as their issuer, as real test cards do, but J-LIS's test keys stay untrusted: the virtual CA
/// is not J-LIS's (docs/CARD-NOTES.md §4.3).
pub fn anchors() -> Vec<TrustAnchor> {
    let (key_id, key) = pki::card_face_ca(pki::Hierarchy::Test);
    crate::card_face_keys::anchors(false, vec![TrustAnchor { key_id, key }])
}

/// The name of the virtual cards' test hierarchy: the `O=` of their CA, as on J-LIS's test cards
/// (`kiosk_card_sim::pki::AUTH_CA_DN`).
pub const VIRTUAL_HIERARCHY: &str = "JPKI-TEST";

/// The user-authentication trust of the demo: J-LIS's CAs, plus every generation of the virtual cards'
/// test CA with their hierarchy trusted by name, built by [`crate::config::auth_trust`] as a test bench's
/// configuration is. Each virtual card is issued by the generation current on its issue day and serves
/// that generation as its EF 000B (`kiosk_card_sim::pki::auth_ca_issuing`), as a real card serves the
/// `authca0N` that issued it.
pub fn auth_trust() -> Result<AuthTrust, DemoError> {
    let anchors: Vec<(String, Vec<u8>)> = pki::auth_ca_generations()
        .into_iter()
        .map(|generation| {
            (
                format!("the virtual cards' test CA, generation {}", generation.number),
                generation.certificate.clone(),
            )
        })
        .collect();
    Ok(crate::config::auth_trust(&anchors, &[VIRTUAL_HIERARCHY.into()])?)
}

/// Who stands in front of the demo camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoCamera {
    CardHolder,
    SomeoneElse,
    Nobody,
    Unplugged,
    /// Attack: the patient holds the card's own front up to the face camera.
    CardHeldUp,
    /// Attack: a printed photo of the holder, turned the asked way by hand.
    PrintedPhoto,
    /// Attack: a phone replaying a video of the holder turning their head the asked way.
    PhoneReplay,
}

/// Whose photo is on a card: the demo cards carry either Obama's or Biden's portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Portrait {
    #[default]
    Obama,
    Biden,
}

/// The demo card in the patient's hand: whose photo it carries, and the card itself, whose front the
/// patient holds up to the camera when the kiosk asks (`Holder::default()`: a card nobody shows).
#[derive(Debug, Clone, Default)]
pub struct Holder {
    pub portrait: Portrait,
    pub card: Option<Arc<Profile>>,
}

impl Holder {
    pub fn of(profile: &Profile) -> Holder {
        let portrait = match profile.photo_jp2.as_deref() {
            Some(p) if p == BIDEN_CARD_PHOTO => Portrait::Biden,
            _ => Portrait::Obama,
        };
        Holder {
            portrait,
            card: Some(Arc::new(profile.clone())),
        }
    }
}

/// The card front as the demo camera shows it: a few frames of the card held up, slightly turned and
/// in perspective, as a hand holds it (800×600).
pub fn front_frames(profile: &Profile) -> Vec<Frame> {
    let card = profile.draw_front();
    [
        (Variation::Clean, 1),
        (Variation::Rotation, 2),
        (Variation::Perspective, 3),
        (Variation::Rotation, 4),
    ]
    .into_iter()
    .map(|(v, seed)| {
        let mut p = kiosk_cardfront::synth::photograph(&card, v, seed, 800, 600);
        Frame {
            width: p.width,
            height: p.height,
            rgb: std::mem::take(&mut p.data),
        }
    })
    .collect()
}

/// What the demo camera shows while the kiosk asks for a face: looking straight, and after the liveness
/// check asks for a head turn, turned to the patient's left or right (a compliant patient, or an attacker
/// turning their picture the asked way).
#[derive(Debug, Clone, Default)]
struct FaceClips {
    straight: Vec<Frame>,
    left: Vec<Frame>,
    right: Vec<Frame>,
}

/// The demo camera: the person (or the attack) in front of it, or the card front while the kiosk reads
/// it (drawn the first time it is needed, on the face thread).
struct DemoScene {
    face: ClipSource,
    left: ClipSource,
    right: ClipSource,
    card: Option<Arc<Profile>>,
    front: Option<ClipSource>,
    aim: Aim,
}

impl FrameSource for DemoScene {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        match (self.aim, &self.card) {
            (Aim::CardFront, Some(card)) => self
                .front
                .get_or_insert_with(|| ClipSource::new(front_frames(card)))
                .next_frame(),
            (Aim::FaceTurnLeft, _) => self.left.next_frame(),
            (Aim::FaceTurnRight, _) => self.right.next_frame(),
            _ => self.face.next_frame(),
        }
    }

    fn name(&self) -> String {
        format!("demo scene ({})", self.face.name())
    }

    fn aim(&mut self, aim: Aim) {
        self.aim = aim;
    }
}

/// What the demo's front camera (above the reader, looking down) sees: the reader empty, or the card
/// lying on it in one of the ways the accuracy table measures (docs/CARD-FRONT.md). The demo panel
/// switches between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrontView {
    NoCard,
    #[default]
    OnReader,
    Glare,
    PartlyOff,
    FaceDown,
    Hand,
}

impl FrontView {
    pub const ALL: [FrontView; 6] = [
        FrontView::OnReader,
        FrontView::Glare,
        FrontView::PartlyOff,
        FrontView::FaceDown,
        FrontView::Hand,
        FrontView::NoCard,
    ];

    fn tray(self) -> Option<TrayView> {
        Some(match self {
            FrontView::NoCard => return None,
            FrontView::OnReader => TrayView::OnReader,
            FrontView::Glare => TrayView::Glare,
            FrontView::PartlyOff => TrayView::PartlyOff,
            FrontView::FaceDown => TrayView::FaceDown,
            FrontView::Hand => TrayView::Hand,
        })
    }
}

/// The demo front camera: a few frames of the holder's card lying on the reader as the view chosen
/// now (read from the shared choice at each frame), drawn the first time each view is needed.
struct DemoFrontScene {
    view: Arc<std::sync::Mutex<FrontView>>,
    card: Option<Arc<Profile>>,
    drawn: Option<RgbImage>,
    clips: std::collections::HashMap<Option<TrayView>, ClipSource>,
}

impl DemoFrontScene {
    fn clip(&mut self, tray: Option<TrayView>) -> &mut ClipSource {
        if self.drawn.is_none() && tray.is_some() {
            self.drawn = self.card.as_ref().map(|p| p.draw_front());
        }
        let drawn = self.drawn.as_ref();
        self.clips.entry(tray).or_insert_with(|| {
            let frames = (0..3u64).map(|seed| {
                let mut p = match (tray, drawn) {
                    (Some(view), Some(card)) => kiosk_cardfront::tray::on_reader(card, view, seed, 800, 600),
                    _ => kiosk_cardfront::tray::empty_reader(seed, 800, 600),
                };
                Frame {
                    width: p.width,
                    height: p.height,
                    rgb: std::mem::take(&mut p.data),
                }
            });
            ClipSource::new(frames.collect())
        })
    }
}

impl FrameSource for DemoFrontScene {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let view = *self.view.lock().unwrap_or_else(|e| e.into_inner());
        let tray = view.tray().filter(|_| self.card.is_some());
        self.clip(tray).next_frame()
    }

    fn name(&self) -> String {
        "demo front camera".into()
    }
}

fn frame_of(img: &RgbImage) -> Frame {
    Frame {
        width: img.width,
        height: img.height,
        rgb: img.data.clone(),
    }
}

/// A simulated head turn for the demo's compliant patient: the middle of the face (the nose) is pushed
/// sideways against the eyes by a smooth displacement, which is what the liveness check measures. A demo
/// prop, not evidence: docs/PAD.md measures the check on other data.
fn simulated_turn(engine: &mut FaceEngine<'_>, img: &RgbImage, patient_left: bool) -> Option<RgbImage> {
    let face = engine.detect(img).first()?.face;
    let (_, l) = engine.describe_with_landmarks(img, face)?;
    let eyes = ((l[0].0 + l[1].0 - l[2].0 - l[3].0) as f64 / 2.0).abs();
    let (nx, ny) = (l[4].0 as f64, l[4].1 as f64 - 0.25 * eyes);
    // The patient's left is the image's right (the camera does not mirror).
    let amount = if patient_left { 0.3 } else { -0.3 } * eyes;
    let two_sigma2 = 2.0 * (0.45 * eyes).powi(2);
    let mut out = img.clone();
    for y in 0..img.height {
        for x in 0..img.width {
            let d2 = (x as f64 - nx).powi(2) + (y as f64 - ny).powi(2);
            let sx = (x as f64 - amount * (-d2 / two_sigma2).exp()).round();
            if sx >= 0.0 && (sx as usize) < img.width {
                let (o, i) = ((y * img.width + x) * 3, (y * img.width + sx as usize) * 3);
                out.data[o..o + 3].copy_from_slice(&img.data[i..i + 3]);
            }
        }
    }
    Some(out)
}

/// Frames of an attack turned each way: the first `BEFORE` frames look straight, the rest
/// turn (the corpus generator's sequences, shortened).
fn attack_clips(make: impl Fn(Challenge) -> Vec<RgbImage>) -> FaceClips {
    let left = make(Challenge::Left);
    let right = make(Challenge::Right);
    let split = kiosk_pad_corpus::sequence::BEFORE;
    FaceClips {
        straight: left.iter().take(split).map(frame_of).collect(),
        left: left.iter().skip(split).map(frame_of).collect(),
        right: right.iter().skip(split).map(frame_of).collect(),
    }
}

/// Frames of each demo attack for a card: the card itself held up, a print of the holder, a phone
/// replaying the holder.
fn attack(engine: &mut FaceEngine<'_>, who: DemoCamera, holder: &Holder) -> FaceClips {
    const FRAMES: usize = kiosk_pad_corpus::sequence::BEFORE + 3;
    let mut photo = |name: &str| {
        PHOTOS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, b)| RgbImage::decode(b).ok())
            .and_then(|img| Source::from_photo(engine, img))
    };
    let (before, during) = match holder.portrait {
        Portrait::Obama => (photo("obama3.png"), photo("obama2.png")),
        Portrait::Biden => (photo("biden.png"), photo("biden.png")),
    };
    let (Some(before), Some(during)) = (before, during) else {
        return FaceClips::default();
    };
    match who {
        DemoCamera::CardHeldUp => {
            let Some(card) = holder.card.as_ref() else {
                return FaceClips::default();
            };
            let front = card.draw_front();
            let Some(face) = engine.detect_still(&front).first().map(|d| d.face) else {
                return FaceClips::default();
            };
            attack_clips(|c| kiosk_pad_corpus::sequence::card(&front, face, c, 5, FRAMES))
        }
        DemoCamera::PrintedPhoto => {
            attack_clips(|c| kiosk_pad_corpus::sequence::printed(&during, c, 6, FRAMES))
        }
        _ => attack_clips(|c| {
            // A video of the holder turning the asked way: straight first, then turned.
            let (a, b) = match c {
                Challenge::Left => (&during, &before),
                Challenge::Right => (&before, &during),
            };
            kiosk_pad_corpus::sequence::screen_video(a, b, c, 7, FRAMES)
        }),
    }
}

/// The demo camera frames, 640×480 with the face where a patient at the kiosk would be; made once (face
/// detection on the full photos takes a moment), on the face thread that first needs them.
#[derive(Debug, Default)]
pub struct DemoFrames {
    frames: OnceLock<Vec<(&'static str, Frame)>>,
}

impl DemoFrames {
    fn get(&self, models: &FaceModels) -> &[(&'static str, Frame)] {
        self.frames.get_or_init(|| {
            let mut engine = FaceEngine::new(models);
            PHOTOS
                .iter()
                .filter_map(|(name, bytes)| {
                    let photo = RgbImage::decode(bytes).ok()?;
                    let mut img = kiosk_frame(&mut engine, &photo, (0.0, 0.0))?;
                    // Biden's only photo is also the source of the Biden cards' photo: shown as is, it
                    // is (rightly) refused as a copy of the card photo. The demo shows it mirrored, a
                    // different picture of the same face (0.27 from the card photo, the copy limit 0.25).
                    if *name == "biden.png" {
                        mirror(&mut img);
                    }
                    Some((*name, frame_of(&img)))
                })
                .collect()
        })
    }

    /// The front camera above the reader, showing `holder`'s card as `view` says (the demo panel changes
    /// the view through the same cell).
    pub fn front_camera(view: Arc<std::sync::Mutex<FrontView>>, holder: Holder) -> SourceFactory {
        Box::new(move || {
            Ok(Box::new(DemoFrontScene {
                view,
                card: holder.card,
                drawn: None,
                clips: std::collections::HashMap::new(),
            }) as Box<dyn FrameSource>)
        })
    }

    /// What a live person shows: the photos looking straight, and each turned by [`simulated_turn`].
    fn live(&self, models: &FaceModels, names: &[&str]) -> FaceClips {
        let mut engine = FaceEngine::new(models);
        let straight: Vec<Frame> = self
            .get(models)
            .iter()
            .filter(|(n, _)| names.contains(n))
            .map(|(_, f)| f.clone())
            .collect();
        let turned = |left: bool, engine: &mut FaceEngine<'_>| -> Vec<Frame> {
            straight
                .iter()
                .filter_map(|f| RgbImage::new(f.width, f.height, f.rgb.clone()))
                .filter_map(|img| simulated_turn(engine, &img, left))
                .map(|img| frame_of(&img))
                .collect()
        };
        FaceClips {
            left: turned(true, &mut engine),
            right: turned(false, &mut engine),
            straight,
        }
    }

    /// A camera for the demo panel's choice, given whose photo is on the card.
    pub fn camera(
        self: &Arc<Self>,
        models: Option<&'static FaceModels>,
        who: DemoCamera,
        holder: Holder,
    ) -> SourceFactory {
        let frames = self.clone();
        Box::new(move || {
            let names: &[&str] =
                match (who, holder.portrait) {
                    (DemoCamera::Unplugged, _) => {
                        return Err(CameraError::NotFound("demo camera (unplugged)".into()));
                    }
                    // Nobody there; the attacks show their own pictures, not the photos.
                    (
                        DemoCamera::Nobody
                        | DemoCamera::CardHeldUp
                        | DemoCamera::PrintedPhoto
                        | DemoCamera::PhoneReplay,
                        _,
                    ) => &[],
                    (DemoCamera::CardHolder, Portrait::Obama)
                    | (DemoCamera::SomeoneElse, Portrait::Biden) => &["obama3.png"],
                    (DemoCamera::CardHolder, Portrait::Biden)
                    | (DemoCamera::SomeoneElse, Portrait::Obama) => &["biden.png"],
                };
            let clips = match (models, who) {
                (None, _) => FaceClips::default(),
                (Some(m), DemoCamera::CardHeldUp | DemoCamera::PrintedPhoto | DemoCamera::PhoneReplay) => {
                    attack(&mut FaceEngine::new(m), who, &holder)
                }
                (Some(m), _) => frames.live(m, names),
            };
            // Nobody at the kiosk shows no card either.
            let card = if who == DemoCamera::Nobody {
                None
            } else {
                holder.card
            };
            Ok(Box::new(DemoScene {
                face: ClipSource::new(clips.straight),
                left: ClipSource::new(clips.left),
                right: ClipSource::new(clips.right),
                card,
                front: None,
                aim: Aim::Face,
            }) as Box<dyn FrameSource>)
        })
    }
}

/// Flip an image left to right.
fn mirror(img: &mut RgbImage) {
    let w = img.width;
    for row in img.data.chunks_exact_mut(w * 3) {
        for x in 0..w / 2 {
            for ch in 0..3 {
                row.swap(x * 3 + ch, (w - 1 - x) * 3 + ch);
            }
        }
    }
}

/// A 640×480 kiosk frame of `photo`, face centred, about 40% of the width (for demo cameras).
pub fn kiosk_frame(engine: &mut FaceEngine<'_>, photo: &RgbImage, shift: (f64, f64)) -> Option<RgbImage> {
    let face = engine.detect_still(photo).first()?.face;
    let (cx, cy) = (
        (face.left + face.right) as f64 / 2.0,
        (face.top + face.bottom) as f64 / 2.0,
    );
    let scale = 0.4 * 640.0 / face.width() as f64;
    let (w, h) = (640usize, 480usize);
    let mut data = vec![128u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let ux = ((x as f64 - 320.0 - shift.0) / scale + cx).round();
            let uy = ((y as f64 - 240.0 - shift.1) / scale + cy).round();
            if ux >= 0.0 && uy >= 0.0 && (ux as usize) < photo.width && (uy as usize) < photo.height {
                let i = (uy as usize * photo.width + ux as usize) * 3;
                data[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&photo.data[i..i + 3]);
            }
        }
    }
    RgbImage::new(w, h, data)
}

/// Why a demo kiosk could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Profile(#[from] kiosk_card_sim::ProfileError),
    #[error("{path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Records(#[from] RecordsError),
    #[error(transparent)]
    Trust(#[from] crate::config::ConfigError),
}

/// A virtual card from an embedded profile, and its holder (whose photo, and the card front they
/// show the camera).
pub fn card(profile: &str) -> Result<(VirtualCard, Holder), DemoError> {
    let profile = Profile::embedded(profile)?;
    let holder = Holder::of(&profile);
    Ok((VirtualCard::new(profile), holder))
}

/// A virtual card from an embedded profile, made on first use, and its holder: the demo panel's cards.
/// The card thread makes it when it first speaks to it, so placing a card never stops the window while
/// the card's keys are generated (seconds, the first time a profile is used in the process).
pub fn card_made_on_first_use(profile: &str) -> Result<(SharedCard, Holder), DemoError> {
    let profile = Profile::embedded(profile)?;
    let holder = Holder::of(&profile);
    Ok((SharedCard::later(profile), holder))
}

/// The forged card of issue 20, made from the demo card `victim`: kiosk-card-sim's hostile way
/// `forged-ca` (a certificate copying the victim's subject, issuer name, serial and dates, signed by a CA
/// of the forger's own that the card serves as its EF 000B, so the card is consistent with itself). Only
/// anchors the kiosk holds tell it apart. `kiosk-card-sim serve --hostile forged-ca` serves the same card
/// to a real kiosk.
pub fn forged_card(victim: &str) -> Result<VirtualCard, DemoError> {
    let mut card = VirtualCard::new(Profile::embedded(victim)?);
    card.faults.hostile = Some(kiosk_card_sim::Hostile::ForgedCa);
    Ok(card)
}

/// A folder for the demo's journal and result files: temporary (removed when dropped), or kept
/// (`kiosk --demo --walk --out DIR`).
#[derive(Debug)]
pub struct TempDir(pub PathBuf, bool);

impl TempDir {
    pub fn new(tag: &str) -> Result<TempDir, DemoError> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("kiosk-{tag}-{}-{n}", std::process::id()));
        // A folder left by an earlier run with this process id: start empty (absent is fine).
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(dir.join("out")).map_err(|source| DemoError::Folder {
            path: dir.clone(),
            source,
        })?;
        Ok(TempDir(dir, false))
    }

    /// Use `dir` (created if missing) and keep it: the journal and the result files stay for clinic
    /// IT to hand to their receipt computer.
    pub fn kept(dir: &Path) -> Result<TempDir, DemoError> {
        std::fs::create_dir_all(dir.join("out")).map_err(|source| DemoError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(TempDir(dir.to_path_buf(), true))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The certificate serial of the demo card `service-down`, for which the demo's eligibility source
/// does not answer (to show the error outcome and its result file).
pub const SERVICE_DOWN_SERIAL: &str = "01000014";

/// The demo's eligibility source: the demo roster, except that it fails for one card as an outage
/// would. Demo only; a real kiosk gets the roster (or the online check) itself.
#[derive(Debug)]
pub struct DemoEligibility(pub SqliteRoster);

impl EligibilityBackend for DemoEligibility {
    fn check(
        &self,
        cert_issuer: &str,
        cert_serial: &str,
        today: Date,
    ) -> Result<(EligibilityAnswer, Option<RosterEntry>), RecordsError> {
        if cert_serial == SERVICE_DOWN_SERIAL {
            return Err(RecordsError::Unavailable {
                path: "demo eligibility source".into(),
                reason: "no answer (demo outage for the card service-down)".into(),
            });
        }
        self.0.check(cert_issuer, cert_serial, today)
    }
    fn register(&self, cert_issuer: &str, cert_serial: &str) -> Result<(), RecordsError> {
        self.0.register(cert_issuer, cert_serial)
    }
}

/// The parts of a demo kiosk: roster in memory, journal and output folder in `work`.
pub fn parts(
    models: Option<&'static FaceModels>,
    camera: SourceFactory,
    work: &TempDir,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> Result<Parts, DemoError> {
    let mut roster = SqliteRoster::in_memory()?;
    roster.seed_toml(DEMO_ROSTER)?;
    let journal = Journal::open(&work.path().join("journal.sqlite"))?;
    Ok(Parts {
        // The demo walks the visual check on the kiosk's code pad (its code is in the user guide): a
        // demo has no staff console accounts, and none ships.
        flow: FlowConfig {
            staff_check: StaffCheckBy::CodePad,
            ..FlowConfig::default()
        },
        language: Lang::Ja,
        models,
        face: FaceSettings::default(),
        camera,
        front_camera: None,
        // The virtual CAs' keys take seconds to generate: made on the card thread, so the window and the
        // idle screen do not wait for them (a card placed meanwhile is read once they are there).
        trust: CardTrust::later(|| Ok((anchors(), auth_trust().map_err(|e| e.to_string())?))),
        roster: Box::new(DemoEligibility(roster)),
        journal,
        output: OutputSettings {
            dir: work.path().join("out"),
            institution_code: "1399999999".into(),
            charset: Charset::Utf8,
        },
        staff: StaffCodes::new(vec![StaffCodes::entry(DEMO_STAFF.0, DEMO_STAFF.1)]),
        notifier: Box::new(LogNotifier),
        wake,
    })
}
