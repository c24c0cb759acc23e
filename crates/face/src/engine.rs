//! The face engine as the kiosk uses it: load the models once, then per worker thread analyse live
//! frames (guidance + descriptor) and describe the card photo.

use crate::detect::{Detection, Detector};
use crate::image::{ImageError, RgbImage};
use crate::models::{self, ModelError};
use crate::quality::{Guidance, QualityLimits, assess};
use crate::resnet::FaceNet;
use crate::shape::{FaceBox, Landmarks, ShapePredictor};
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 128-d face descriptor: biometric data, so redacted in `Debug` and wiped on drop.
#[derive(Clone, PartialEq, Zeroize, ZeroizeOnDrop)]
pub struct Descriptor(pub [f32; 128]);

impl std::fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Descriptor(<redacted>)")
    }
}

impl Descriptor {
    /// Euclidean distance (dlib's metric; same person ≤ 0.6).
    pub fn distance(&self, other: &Descriptor) -> f32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }
}

/// The three model files, parsed. Shared read-only between threads.
pub struct FaceModels {
    predictor: ShapePredictor,
    net: FaceNet,
    detector: rustface::Model,
}

impl std::fmt::Debug for FaceModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaceModels")
    }
}

/// rustface's model, copied from the crate into the model folder.
pub const DETECTOR_FILE: &str = "seeta_fd_frontal_v1.0.bin";

impl FaceModels {
    /// Load and check the models in `dir`. A missing or corrupt file is a clear error naming it and the
    /// command that fixes it.
    pub fn load(dir: &Path) -> Result<FaceModels, ModelError> {
        let corrupt = |file: &str, reason: String| ModelError::Corrupt {
            file: file.into(),
            dir: dir.display().to_string(),
            reason,
        };
        // dlib's two files are parsed as they are read (kiosk-face's own parser refuses any bad input with
        // an error); rustface's parser may panic on a bad file, so its 1 MB file is checked first.
        let predictor = models::parse_checked(dir, models::SHAPE_PREDICTOR_FILE, ShapePredictor::read)?;
        let net = models::parse_checked(dir, models::RESNET_FILE, FaceNet::read)?;
        let det = models::read_checked(dir, DETECTOR_FILE)?;
        Ok(FaceModels {
            predictor,
            net,
            detector: rustface::read_model(std::io::Cursor::new(det))
                .map_err(|e| corrupt(DETECTOR_FILE, e.to_string()))?,
        })
    }

    pub fn load_default() -> Result<FaceModels, ModelError> {
        FaceModels::load(&models::default_dir())
    }

    pub fn predictor(&self) -> &ShapePredictor {
        &self.predictor
    }
    pub fn net(&self) -> &FaceNet {
        &self.net
    }
    pub fn detector_model(&self) -> &rustface::Model {
        &self.detector
    }
}

/// One frame, analysed.
#[derive(Debug, Clone)]
pub struct FrameAnalysis {
    pub guidance: Guidance,
    /// The patient's face (the largest), in frame coordinates, for the preview's face frame.
    pub face: Option<FaceBox>,
    /// Present only when the guidance is `Ok`: frames the patient should fix are not matched.
    pub descriptor: Option<Descriptor>,
    /// The 5 landmarks of the described face (present with the descriptor), for the liveness check.
    pub landmarks: Option<Landmarks>,
}

/// Why the card photo could not be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardPhotoError {
    #[error("the card has no photo")]
    NoPhoto,
    #[error("the card photo cannot be decoded: {0}")]
    Undecodable(#[from] ImageError),
    #[error("no face found in the card photo")]
    NoFace,
}

/// Per-thread engine (the detector is not `Send`).
#[derive(Debug)]
pub struct FaceEngine<'m> {
    models: &'m FaceModels,
    detector: Detector,
    pub limits: QualityLimits,
    track: Option<Track>,
}

/// Frames tracked from the landmarks before the detector runs again (which also catches a second face
/// stepping in). Detection is about two thirds of a frame's cost (docs/benchmarks.md).
pub const REDETECT_EVERY: u32 = 5;

/// The face followed between detections: its box and landmarks in the last frame, and how those relate
/// at the detection (so the box can be carried along with the landmarks).
#[derive(Debug, Clone, Copy)]
struct Track {
    face: FaceBox,
    landmarks: Landmarks,
    /// Eye-centre distance over box width at the detection: a tracked face whose ratio strays far
    /// from it has been lost (the landmarks no longer sit on a face in that box).
    eye_ratio: f64,
    since_detection: u32,
}

fn eye_distance(l: &Landmarks) -> f64 {
    let (rx, ry) = ((l[0].0 + l[1].0) as f64 / 2.0, (l[0].1 + l[1].1) as f64 / 2.0);
    let (lx, ly) = ((l[2].0 + l[3].0) as f64 / 2.0, (l[2].1 + l[3].1) as f64 / 2.0);
    (rx - lx).hypot(ry - ly)
}

/// The box moved, scaled and turned with the landmarks from `from` to `to` (the box stays upright:
/// only the similarity's scale and translation are applied to its centre and size).
fn carry(face: FaceBox, from: &Landmarks, to: &Landmarks) -> FaceBox {
    let p = |l: &Landmarks| -> Vec<crate::geometry::Pt> {
        l.iter()
            .map(|&(x, y)| crate::geometry::Pt::new(x as f64, y as f64))
            .collect()
    };
    let s = crate::geometry::similarity(&p(from), &p(to));
    let scale = (s.m[0][0] * s.m[1][1] - s.m[0][1] * s.m[1][0]).abs().sqrt();
    let c = s.apply(crate::geometry::Pt::new(
        (face.left + face.right) as f64 / 2.0,
        (face.top + face.bottom) as f64 / 2.0,
    ));
    let (hw, hh) = (
        face.width() as f64 * scale / 2.0,
        face.height() as f64 * scale / 2.0,
    );
    FaceBox {
        left: (c.x - hw).round() as i64,
        top: (c.y - hh).round() as i64,
        right: (c.x + hw).round() as i64 - 1,
        bottom: (c.y + hh).round() as i64 - 1,
    }
}

impl<'m> FaceEngine<'m> {
    pub fn new(models: &'m FaceModels) -> Self {
        FaceEngine {
            models,
            detector: Detector::new(&models.detector),
            limits: QualityLimits::default(),
            track: None,
        }
    }

    /// Faces in a live frame (shrunk to 320 px wide first: a patient at the kiosk fills the frame).
    pub fn detect(&mut self, img: &RgbImage) -> Vec<Detection> {
        self.detector.detect(img)
    }

    /// Faces in a still photo at full resolution, where faces can be small (slower).
    pub fn detect_still(&mut self, img: &RgbImage) -> Vec<Detection> {
        self.detector
            .detect_grey(&img.grey(), img.width, img.height, img.width)
    }

    /// Landmarks, chip and descriptor of the face in `face`.
    pub fn describe(&self, img: &RgbImage, face: FaceBox) -> Option<Descriptor> {
        self.describe_with_landmarks(img, face).map(|(d, _)| d)
    }

    /// The descriptor and the landmarks it was aligned on.
    pub fn describe_with_landmarks(&self, img: &RgbImage, face: FaceBox) -> Option<(Descriptor, Landmarks)> {
        let landmarks = self.models.predictor.predict(img, face);
        let chip = crate::chip::extract(img, &landmarks)?;
        let d = self.models.net.descriptor(&chip.data).map(Descriptor)?;
        Some((d, landmarks))
    }

    /// Guidance for the patient and, when the frame is good, the descriptor of their face.
    pub fn analyse(&mut self, frame: &RgbImage) -> FrameAnalysis {
        let faces = self.detector.detect(frame);
        let guidance = assess(frame, &faces, &self.limits);
        let face = faces.first().map(|d| d.face);
        let (descriptor, landmarks) = match (guidance, face) {
            (Guidance::Ok, Some(f)) => self.describe_with_landmarks(frame, f).unzip(),
            _ => (None, None),
        };
        FrameAnalysis {
            guidance,
            face,
            descriptor,
            landmarks,
        }
    }

    /// Like [`FaceEngine::analyse`] for consecutive frames of one camera: the detector runs on the first
    /// frame and every [`REDETECT_EVERY`] frames; in between the face is followed from its landmarks (the
    /// shape predictor placed in the box carried from the last frame), which is about a third of the
    /// cost. A lost track (no usable landmarks, a face that left the frame, an eye distance that no longer
    /// fits the box) falls back to the detector on the same frame. Call [`FaceEngine::reset_tracking`]
    /// when the frames stop being consecutive (a new attempt, another camera).
    pub fn track(&mut self, frame: &RgbImage) -> FrameAnalysis {
        if let Some(t) = self.track
            && t.since_detection + 1 < REDETECT_EVERY
            && let Some(a) = self.follow(frame, t)
        {
            return a;
        }
        let a = self.analyse(frame);
        self.track = match (
            a.face,
            a.landmarks
                .or_else(|| a.face.map(|f| self.models.predictor.predict(frame, f))),
        ) {
            (Some(face), Some(landmarks)) if face.width() > 0 => Some(Track {
                face,
                landmarks,
                eye_ratio: eye_distance(&landmarks) / face.width() as f64,
                since_detection: 0,
            }),
            _ => None,
        };
        a
    }

    /// Forget the followed face: the next [`FaceEngine::track`] runs the detector.
    pub fn reset_tracking(&mut self) {
        self.track = None;
    }

    /// One tracked frame, or `None` when the track is lost.
    fn follow(&mut self, frame: &RgbImage, t: Track) -> Option<FrameAnalysis> {
        let landmarks = self.models.predictor.predict(frame, t.face);
        let face = carry(t.face, &t.landmarks, &landmarks);
        let inside = face.left >= 0
            && face.top >= 0
            && face.right < frame.width as i64
            && face.bottom < frame.height as i64;
        let ratio = eye_distance(&landmarks) / face.width().max(1) as f64;
        if !inside || (ratio / t.eye_ratio - 1.0).abs() > 0.25 {
            return None;
        }
        let detection = Detection { face, score: 0.0 };
        let guidance = assess(frame, &[detection], &self.limits);
        let (descriptor, landmarks_out) = if guidance == Guidance::Ok {
            let chip = crate::chip::extract(frame, &landmarks)?;
            let d = self.models.net.descriptor(&chip.data).map(Descriptor)?;
            (Some(d), Some(landmarks))
        } else {
            (None, None)
        };
        self.track = Some(Track {
            face,
            landmarks,
            eye_ratio: t.eye_ratio,
            since_detection: t.since_detection + 1,
        });
        Some(FrameAnalysis {
            guidance,
            face: Some(face),
            descriptor,
            landmarks: landmarks_out,
        })
    }

    /// The descriptor of the card photo (greyscale JPEG 2000 from the chip). Grey pixels are given to
    /// the network as R = G = B, which is how a grey photo looks to a network trained on colour; the
    /// live frame stays in colour (measured on the test photos: same person 0.36–0.41, different 0.79).
    pub fn card_photo_descriptor(&mut self, jp2: &[u8]) -> Result<Descriptor, CardPhotoError> {
        if jp2.is_empty() {
            return Err(CardPhotoError::NoPhoto);
        }
        let photo = RgbImage::decode(jp2)?;
        // A card photo is small: detect at full size.
        let faces = self.detect_still(&photo);
        let face = faces.first().ok_or(CardPhotoError::NoFace)?;
        self.describe(&photo, face.face).ok_or(CardPhotoError::NoFace)
    }
}
