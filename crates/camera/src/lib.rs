//! Where the kiosk's frames come from: the [`FrameSource`] trait, the real camera through nokhwa
//! ([`NokhwaSource`]), and [`ClipSource`], which plays still images in a loop for demos and tests.
//!
//! A camera that is unplugged reports [`CameraError::Disconnected`]; the nokhwa source then tries to open
//! it again at most once a second, so the kiosk recovers by itself when it comes back. Frames are personal
//! data: wiped on drop, never written anywhere.

use std::path::Path;
use std::time::{Duration, Instant};
use zeroize::Zeroize;

/// One RGB frame, row-major, 3 bytes a pixel.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        self.rgb.zeroize();
    }
}

impl Frame {
    /// A uniform frame (an empty scene).
    pub fn blank(width: usize, height: usize, grey: u8) -> Frame {
        Frame {
            width,
            height,
            rgb: vec![grey; width * height * 3],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("no {0} is connected (`kiosk doctor` lists the cameras found)")]
    NotFound(String),
    #[error("no camera is configured (camera.device = \"none\"): the face path is off, patients use the PIN")]
    NotConfigured,
    #[error("the camera was disconnected; waiting for it to come back")]
    Disconnected,
    #[error("the camera cannot deliver {0}")]
    Unsupported(String),
    #[error("image {file}: {reason}")]
    BadImage { file: String, reason: String },
    #[error("camera failure: {0}")]
    Failed(String),
}

/// What the kiosk is looking at: the patient's face, or the front of their card held up to the camera;
/// while the liveness check asks for a head turn, the face turned to the patient's left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aim {
    #[default]
    Face,
    CardFront,
    FaceTurnLeft,
    FaceTurnRight,
}

/// A source of frames. Not `Send`: a real camera belongs to the thread that opened it.
pub trait FrameSource {
    /// The next frame, or why there is none right now.
    fn next_frame(&mut self) -> Result<Frame, CameraError>;
    /// A name for messages ("camera 0", "clip of 3 images").
    fn name(&self) -> String;
    /// Told what the kiosk looks for next. A plain camera needs nothing; a demo scene switches what it
    /// shows (a document camera could refocus).
    fn aim(&mut self, _aim: Aim) {}
}

/// Still images played in a loop. An empty clip is an empty scene (nobody in front of the camera).
#[derive(Debug, Clone)]
pub struct ClipSource {
    frames: Vec<Frame>,
    next: usize,
    unplugged: bool,
    /// The size of the blank frame an empty clip shows.
    pub blank_size: (usize, usize),
}

impl ClipSource {
    pub fn new(frames: Vec<Frame>) -> ClipSource {
        ClipSource {
            frames,
            next: 0,
            unplugged: false,
            blank_size: (640, 480),
        }
    }

    /// Every PNG or JPEG in `dir`, in name order.
    pub fn from_dir(dir: &Path) -> Result<ClipSource, CameraError> {
        let bad = |file: &Path, reason: String| CameraError::BadImage {
            file: file.display().to_string(),
            reason,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| bad(dir, e.to_string()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| ["png", "jpg", "jpeg"].contains(&x.to_ascii_lowercase().as_str()))
            })
            .collect();
        paths.sort();
        let mut frames = Vec::with_capacity(paths.len());
        for p in paths {
            let img = image::open(&p).map_err(|e| bad(&p, e.to_string()))?.to_rgb8();
            frames.push(Frame {
                width: img.width() as usize,
                height: img.height() as usize,
                rgb: img.into_raw(),
            });
        }
        Ok(ClipSource::new(frames))
    }

    /// Simulate pulling the camera's cable (tests and the demo panel).
    pub fn unplug(&mut self) {
        self.unplugged = true;
    }

    pub fn plug_in(&mut self) {
        self.unplugged = false;
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

impl FrameSource for ClipSource {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        if self.unplugged {
            return Err(CameraError::Disconnected);
        }
        if self.frames.is_empty() {
            return Ok(Frame::blank(self.blank_size.0, self.blank_size.1, 128));
        }
        let f = self.frames[self.next % self.frames.len()].clone();
        self.next = (self.next + 1) % self.frames.len();
        Ok(f)
    }

    fn name(&self) -> String {
        format!("clip of {} images", self.frames.len())
    }
}

/// Which camera to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSelector {
    Index(u32),
    /// A device name as the system reports it (e.g. "HD Webcam").
    Name(String),
}

impl std::fmt::Display for CameraSelector {
    /// As clinic IT wrote it in the configuration: `camera 0`, `camera "HD Webcam"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CameraSelector::Index(i) => write!(f, "camera {i}"),
            CameraSelector::Name(n) => write!(f, "camera {n:?}"),
        }
    }
}

/// Camera settings from the kiosk configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraConfig {
    pub device: CameraSelector,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraConfig {
    fn default() -> Self {
        CameraConfig {
            device: CameraSelector::Index(0),
            width: 640,
            height: 480,
            fps: 30,
        }
    }
}

/// A real camera through nokhwa (V4L2 on Linux). Frames are requested as YUYV, which nokhwa converts to
/// RGB in Rust (no JPEG decoder needed). Reopens by itself after a disconnection.
pub struct NokhwaSource {
    config: CameraConfig,
    camera: Option<nokhwa::Camera>,
    next_attempt: Instant,
}

impl std::fmt::Debug for NokhwaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NokhwaSource({:?}, open: {})",
            self.config.device,
            self.camera.is_some()
        )
    }
}

/// How often a missing camera is looked for again.
const RETRY: Duration = Duration::from_secs(1);

impl NokhwaSource {
    /// Prepare the source; the camera is opened on the first frame, so a kiosk starts without one.
    pub fn new(config: CameraConfig) -> NokhwaSource {
        NokhwaSource {
            config,
            camera: None,
            next_attempt: Instant::now(),
        }
    }

    fn open(&mut self) -> Result<(), CameraError> {
        use nokhwa::pixel_format::RgbFormat;
        use nokhwa::utils::{
            CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
        };
        let index = match &self.config.device {
            CameraSelector::Index(i) => CameraIndex::Index(*i),
            CameraSelector::Name(n) => CameraIndex::String(n.clone()),
        };
        let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(CameraFormat::new(
            Resolution::new(self.config.width, self.config.height),
            FrameFormat::YUYV,
            self.config.fps,
        )));
        let not_found = || CameraError::NotFound(self.config.device.to_string());
        let mut camera = nokhwa::Camera::new(index, format).map_err(|_| not_found())?;
        camera
            .open_stream()
            .map_err(|e| CameraError::Failed(e.to_string()))?;
        self.camera = Some(camera);
        Ok(())
    }
}

impl FrameSource for NokhwaSource {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        if self.camera.is_none() {
            if Instant::now() < self.next_attempt {
                return Err(CameraError::Disconnected);
            }
            self.next_attempt = Instant::now() + RETRY;
            self.open()?;
        }
        let Some(camera) = self.camera.as_mut() else {
            return Err(CameraError::Disconnected);
        };
        let decoded = camera
            .frame()
            .and_then(|buffer| buffer.decode_image::<nokhwa::pixel_format::RgbFormat>());
        match decoded {
            Ok(img) => Ok(Frame {
                width: img.width() as usize,
                height: img.height() as usize,
                rgb: img.into_raw(),
            }),
            Err(_) => {
                // Treat any capture failure as the camera going away; reopen later.
                self.camera = None;
                self.next_attempt = Instant::now() + RETRY;
                Err(CameraError::Disconnected)
            }
        }
    }

    fn name(&self) -> String {
        self.config.device.to_string()
    }
}

/// Cameras the system reports, for `kiosk doctor` and the configuration.
pub fn list_cameras() -> Vec<String> {
    nokhwa::query(nokhwa::utils::ApiBackend::Auto)
        .map(|cams| {
            cams.iter()
                .map(|c| format!("{}: {}", c.index(), c.human_name()))
                .collect()
        })
        .unwrap_or_default()
}
