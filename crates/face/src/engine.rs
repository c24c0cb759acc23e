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
        let sp = models::read_checked(dir, models::SHAPE_PREDICTOR_FILE)?;
        let net = models::read_checked(dir, models::RESNET_FILE)?;
        let det = models::read_checked(dir, DETECTOR_FILE)?;
        Ok(FaceModels {
            predictor: ShapePredictor::from_bytes(&sp)
                .map_err(|e| corrupt(models::SHAPE_PREDICTOR_FILE, e.to_string()))?,
            net: FaceNet::from_bytes(&net).map_err(|e| corrupt(models::RESNET_FILE, e.to_string()))?,
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
}

impl<'m> FaceEngine<'m> {
    pub fn new(models: &'m FaceModels) -> Self {
        FaceEngine {
            models,
            detector: Detector::new(&models.detector),
            limits: QualityLimits::default(),
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
