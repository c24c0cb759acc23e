//! Face matching for the kiosk: is the person at the camera the person on the card?
//!
//! Pipeline: rustface finds faces on a downscaled grey frame; dlib's 5-point shape predictor places the
//! landmarks; dlib's `get_face_chip` cuts a 150×150 aligned chip; dlib's face-recognition ResNet turns it
//! into a 128-d descriptor; the Euclidean distance to the card photo's descriptor decides (threshold
//! 0.6, dlib's own). The predictor, chip and network are ports of dlib that reproduce its output (see
//! `tests/golden.rs`); the model files are dlib's, read directly.

pub mod chip;
pub mod dat;
pub mod geometry;
pub mod image;
pub mod models;
pub mod resnet;
pub mod shape;

pub use image::{ImageError, RgbImage};
pub use models::ModelError;
pub use resnet::FaceNet;
pub use shape::{FaceBox, Landmarks, ShapePredictor};
pub mod detect;
pub mod engine;
pub mod pad;
pub mod policy;
pub mod quality;

pub use detect::{Detection, Detector};
pub use engine::{CardPhotoError, Descriptor, FaceEngine, FaceModels, FrameAnalysis};
pub use pad::{Challenge, FaceCheck, FaceOutcome, PadFrame, PadPolicy, PadRefusal, PadScores, Stage};
pub use policy::{MatchDecision, MatchPolicy, MatchSession, Verdict};
pub use quality::{Guidance, QualityLimits};
