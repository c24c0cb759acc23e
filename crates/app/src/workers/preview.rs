//! What the workers show on screen: the live picture with what was found in it, and the card photo for
//! the staff check. In memory only.

use kiosk_camera::Frame;
use kiosk_face::RgbImage;
use std::sync::Mutex;

/// What the workers show on screen: the live picture (with the face box, normalised 0..1) and the card
/// photo for the staff check. In memory only; frames are wiped when dropped.
#[derive(Debug, Default)]
pub struct Shared {
    preview: Mutex<PreviewSlot>,
    card_photo: Mutex<Option<RgbImage>>,
    /// 照合番号B codes the card-front reader agreed on (each handed to the card thread once).
    pub confident_front_reads: std::sync::atomic::AtomicU64,
    /// 照合番号B VERIFYs the card thread sent (front reads plus codes typed by staff): the try audit.
    pub check_codes_sent: std::sync::atomic::AtomicU64,
    /// The camera as the face thread last found it (the staff console shows it).
    camera: std::sync::atomic::AtomicU8,
    /// When the card thread had its trust made and took its first job (the measured run's figure).
    pub card_trust_made: std::sync::OnceLock<std::time::Instant>,
}

/// The camera's health, as the face thread last found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraHealth {
    /// No frame asked for yet.
    Unknown,
    /// The last frame came.
    Ok,
    /// Opening it or reading a frame failed.
    Missing,
    /// The kiosk runs without a camera.
    Off,
}

/// What was found in a preview picture, as four corners (x, y) in its normalised coordinates (0..1),
/// clockwise from the top left: the face box, or the card's outline while the card front is read.
pub type Outline = [[f32; 2]; 4];

/// The face engine's box in a `width` × `height` picture as an outline.
pub fn face_outline(b: &kiosk_face::shape::FaceBox, width: usize, height: usize) -> Outline {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let (l, t, r, b) = (
        b.left as f32 / w,
        b.top as f32 / h,
        b.right as f32 / w,
        b.bottom as f32 / h,
    );
    [[l, t], [r, t], [r, b], [l, b]]
}

/// The card the card-front reader found in a `width` × `height` picture as an outline.
pub fn card_outline(q: &kiosk_cardfront::find::Quad, width: usize, height: usize) -> Outline {
    let (w, h) = (width.max(1) as f64, height.max(1) as f64);
    q.0.map(|(x, y)| [(x / w) as f32, (y / h) as f32])
}

#[derive(Debug, Default)]
struct PreviewSlot {
    frame: Option<Frame>,
    outline: Option<Outline>,
    turn: Option<f32>,
    serial: u64,
}

/// A new preview picture for the UI.
#[derive(Debug)]
pub struct PreviewUpdate {
    pub frame: Option<Frame>,
    pub outline: Option<Outline>,
    /// How far the asked head turn has come with this frame, 0 to 1, while it is asked for
    /// (`kiosk_face::FaceCheck::turn_progress`).
    pub turn: Option<f32>,
    pub serial: u64,
}

impl Shared {
    pub(super) fn set_preview(&self, frame: Option<Frame>, outline: Option<Outline>, turn: Option<f32>) {
        let mut slot = self.preview.lock().unwrap_or_else(|e| e.into_inner());
        slot.frame = frame;
        slot.outline = outline;
        slot.turn = turn;
        slot.serial += 1;
    }

    /// The newest picture if it changed since `seen` (the slot keeps no copy once taken).
    pub fn take_preview(&self, seen: u64) -> Option<PreviewUpdate> {
        let mut slot = self.preview.lock().unwrap_or_else(|e| e.into_inner());
        (slot.serial != seen).then(|| PreviewUpdate {
            frame: slot.frame.take(),
            outline: slot.outline,
            turn: slot.turn,
            serial: slot.serial,
        })
    }

    pub(super) fn set_camera(&self, health: CameraHealth) {
        let v = match health {
            CameraHealth::Unknown => 0,
            CameraHealth::Ok => 1,
            CameraHealth::Missing => 2,
            CameraHealth::Off => 3,
        };
        self.camera.store(v, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn camera(&self) -> CameraHealth {
        match self.camera.load(std::sync::atomic::Ordering::Relaxed) {
            1 => CameraHealth::Ok,
            2 => CameraHealth::Missing,
            3 => CameraHealth::Off,
            _ => CameraHealth::Unknown,
        }
    }

    pub(super) fn set_card_photo(&self, photo: RgbImage) {
        *self.card_photo.lock().unwrap_or_else(|e| e.into_inner()) = Some(photo);
    }

    pub fn clear_card_photo(&self) {
        if let Some(mut p) = self.card_photo.lock().unwrap_or_else(|e| e.into_inner()).take() {
            zeroize::Zeroize::zeroize(&mut p.data);
        }
    }

    /// Run `f` on the card photo (the staff check shows it; nothing else reads it).
    pub fn with_card_photo<T>(&self, f: impl FnOnce(Option<&RgbImage>) -> T) -> T {
        f(self.card_photo.lock().unwrap_or_else(|e| e.into_inner()).as_ref())
    }
}
