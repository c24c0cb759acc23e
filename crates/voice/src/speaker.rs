//! The speaker, a hardware boundary: a trait, the real backend (ALSA's `aplay`) and a test backend that
//! records what was played.
//!
//! Why `aplay` rather than an audio crate: `rodio`/`cpal` link against ALSA (`libasound2-dev` at build
//! time, and a C library in the kiosk's process); `aplay` (Debian `alsa-utils`) is on every Debian with
//! sound, plays through PipeWire or PulseAudio when they provide the ALSA default device, needs nothing at
//! build time, and stopping it is killing a child process: a stuck sound device can never stall the
//! kiosk. The cost is one process start per prompt (a few milliseconds).

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// One prompt ready to play: the words (for the test backend and nothing else) and the WAV bytes, with
/// the configured volume already applied.
#[derive(Debug, Clone)]
pub struct Clip {
    pub lang: crate::LangCode,
    pub words: String,
    pub wav: Arc<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpeakerError {
    #[error("cannot start {program}: {source} (Debian package alsa-utils)")]
    Start {
        program: &'static str,
        source: std::io::Error,
    },
}

/// A sound output. `start` returns at once; the voice's worker polls `playing` and calls `stop` when the
/// screen changes. Called from the voice's own thread, never from the UI's.
pub trait Speaker: Send + std::fmt::Debug {
    /// Start playing `clip`, stopping whatever plays.
    fn start(&mut self, clip: &Clip) -> Result<(), SpeakerError>;
    /// Whether the last clip is still playing.
    fn playing(&mut self) -> bool;
    /// Stop at once; nothing playing is fine.
    fn stop(&mut self);
}

/// The real speaker: `aplay -q -t wav -`, fed the clip on its standard input from a thread.
#[derive(Debug, Default)]
pub struct Aplay {
    /// An ALSA device (`aplay -L` lists them); `None`: the default.
    device: Option<String>,
    child: Option<Child>,
}

impl Aplay {
    pub fn new(device: Option<String>) -> Aplay {
        Aplay { device, child: None }
    }

    /// Whether `aplay` can be started (for `kiosk doctor`).
    pub fn available() -> bool {
        Command::new("aplay")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Speaker for Aplay {
    fn start(&mut self, clip: &Clip) -> Result<(), SpeakerError> {
        self.stop();
        let mut cmd = Command::new("aplay");
        cmd.args(["-q", "-t", "wav"]);
        if let Some(d) = &self.device {
            cmd.args(["-D", d]);
        }
        let mut child = cmd
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| SpeakerError::Start {
                program: "aplay",
                source,
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            let wav = clip.wav.clone();
            // aplay reads as it plays: the writer blocks for the clip's length, so it has its own thread;
            // a killed aplay ends the write with a broken pipe, which is expected.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&wav);
            });
        }
        self.child = Some(child);
        Ok(())
    }

    fn playing(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.child = None;
                false
            }
            None => false,
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Aplay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the test speaker was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Played {
    /// A clip started: its language and words.
    Started { lang: crate::LangCode, words: String },
    /// A clip was cut off before its end.
    Stopped { words: String },
}

/// The test speaker: records every start and stop. A clip "plays" until the test calls
/// [`TestSpeaker::finish`] (or forever with `hold`), so tests can see a screen change cut it off.
#[derive(Debug, Clone, Default)]
pub struct TestSpeaker {
    log: Arc<Mutex<Vec<Played>>>,
    current: Arc<Mutex<Option<String>>>,
    /// Clips end on their own only when this is false.
    hold: bool,
}

impl TestSpeaker {
    /// Clips end as soon as they start (the next one follows at once).
    pub fn new() -> TestSpeaker {
        TestSpeaker::default()
    }

    /// Clips play until stopped.
    pub fn holding() -> TestSpeaker {
        TestSpeaker {
            hold: true,
            ..TestSpeaker::default()
        }
    }

    pub fn log(&self) -> Vec<Played> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The words of every clip started, in order.
    pub fn spoken(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter_map(|p| match p {
                Played::Started { words, .. } => Some(words),
                Played::Stopped { .. } => None,
            })
            .collect()
    }

    /// End the clip that plays (as its sound would).
    pub fn finish(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Speaker for TestSpeaker {
    fn start(&mut self, clip: &Clip) -> Result<(), SpeakerError> {
        self.stop();
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Played::Started {
                lang: clip.lang,
                words: clip.words.clone(),
            });
        if self.hold {
            *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(clip.words.clone());
        }
        Ok(())
    }

    fn playing(&mut self) -> bool {
        self.current.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    fn stop(&mut self) {
        if let Some(words) = self.current.lock().unwrap_or_else(|e| e.into_inner()).take() {
            self.log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Played::Stopped { words });
        }
    }
}
