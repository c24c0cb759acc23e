//! Voice guidance (issue 17): every screen's prompt spoken, offline, in the screen's language; the PIN
//! pad's count of digits, never the digits.
//!
//! * [`prompts`]: what each screen says ([`screen_phrases`], the one table) and the catalogue of fixed
//!   phrases ([`catalog`]), both built from the screen texts of `assets/strings/{ja,en}.toml`.
//! * [`cache`]: the voice folder outside git: the HTS voice and one WAV per phrase, keyed by a hash of its
//!   words, so rewording a string re-renders it.
//! * [`render`]: Open JTalk with the HTS voice Mei (Japanese) and espeak-ng (English), run as programs;
//!   `kiosk-voice render` pre-renders the catalogue (`cargo xtask voices`).
//! * [`speaker`]: the hardware boundary: [`Speaker`], the real [`Aplay`] and the recording [`TestSpeaker`].
//! * [`Voice`]: a thread that plays what the screen says; the UI thread only sends it a message, so
//!   nothing about sound can make a frame wait.

pub mod cache;
pub mod prompts;
pub mod render;
pub mod speaker;

pub use cache::{Cache, default_dir};
pub use prompts::{
    LangCode, Phrase, Utterance, catalog, focus_phrase, help_phrases, screen_phrases, timeout_phrases,
    ways_phrases,
};
pub use render::{RenderError, Renderer, WavInfo, check_wav, render_all};
pub use speaker::{Aplay, Clip, Played, Speaker, SpeakerError, TestSpeaker};

use kiosk_screens::Lang;
use kiosk_ui::Strings;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

/// `[voice]` as the kiosk runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceSettings {
    /// The voice folder (see [`default_dir`]).
    pub dir: PathBuf,
    /// 0..=100: the samples are scaled by this percentage before they are played.
    pub volume: u8,
}

enum Command {
    Say(Lang, Vec<Phrase>),
    Stop,
}

/// The voice: speaks on its own thread. [`Voice::say`] replaces whatever is being said (a new screen cuts
/// the old prompt off); dropping the voice stops it.
#[derive(Debug)]
pub struct Voice {
    tx: Sender<Command>,
}

impl Voice {
    /// Start the voice's thread with `speaker`.
    pub fn start(settings: VoiceSettings, strings: Strings, speaker: Box<dyn Speaker>) -> Voice {
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            renderer: Renderer::new(&Cache::new(&settings.dir)),
            cache: Cache::new(settings.dir),
            volume: settings.volume.min(100),
            strings,
            speaker,
            queue: VecDeque::new(),
        };
        std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || worker.run(&rx))
            .map_or_else(|e| eprintln!("kiosk: voice: cannot start its thread: {e}"), drop);
        Voice { tx }
    }

    /// Say `phrases` in `lang`, from the start, cutting off what was being said.
    pub fn say(&self, lang: Lang, phrases: Vec<Phrase>) {
        let _ = self.tx.send(Command::Say(lang, phrases));
    }

    /// Stop talking.
    pub fn stop(&self) {
        let _ = self.tx.send(Command::Stop);
    }
}

struct Worker {
    cache: Cache,
    renderer: Renderer,
    volume: u8,
    strings: Strings,
    speaker: Box<dyn Speaker>,
    /// What is left to say: the phrase (its key names it in the log, never its words) and its words.
    queue: VecDeque<(Phrase, Utterance)>,
}

impl Worker {
    fn run(mut self, rx: &Receiver<Command>) {
        loop {
            let command = if self.speaker.playing() {
                match rx.recv_timeout(Duration::from_millis(20)) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            } else if !self.queue.is_empty() {
                match rx.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => break,
                }
            } else {
                match rx.recv() {
                    Ok(c) => Some(c),
                    Err(_) => break,
                }
            };
            match command {
                Some(Command::Say(lang, phrases)) => {
                    self.speaker.stop();
                    self.queue = phrases
                        .into_iter()
                        .filter_map(|p| Utterance::new(&p, &self.strings, lang).map(|u| (p, u)))
                        .collect();
                }
                Some(Command::Stop) => {
                    self.speaker.stop();
                    self.queue.clear();
                }
                None => {}
            }
            if !self.speaker.playing()
                && let Some((phrase, u)) = self.queue.pop_front()
            {
                match self.clip(&phrase, u) {
                    Ok(clip) => {
                        if let Err(e) = self.speaker.start(&clip) {
                            eprintln!("kiosk: voice: {e}");
                        }
                    }
                    Err(e) => eprintln!("kiosk: voice: {}: {e}", phrase.text.key()),
                }
            }
        }
        self.speaker.stop();
    }

    /// The phrase's audio at the configured volume: the pre-rendered file, or rendered now (a phrase with
    /// a date, or a file missing: then the log says to render the voices again).
    fn clip(&self, phrase: &Phrase, u: Utterance) -> Result<Clip, RenderError> {
        let path = self.cache.path(&u);
        let wav = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(_) => {
                if phrase.fixed() {
                    eprintln!(
                        "kiosk: voice: {} is not pre-rendered in {}: run `kiosk-voice render` \
                         (`cargo xtask voices`)",
                        phrase.text.key(),
                        self.cache.dir().display()
                    );
                }
                self.renderer.render_bytes(&u)?
            }
        };
        let wav = with_volume(&wav, self.volume).map_err(|e| RenderError::BadAudio {
            path,
            message: e.to_string(),
        })?;
        Ok(Clip {
            lang: u.lang,
            words: u.words,
            wav: Arc::new(wav),
        })
    }
}

/// The WAV scaled to `volume` percent (16-bit PCM; 100 leaves it as it is).
pub fn with_volume(wav: &[u8], volume: u8) -> Result<Vec<u8>, hound::Error> {
    let mut reader = hound::WavReader::new(std::io::Cursor::new(wav))?;
    if volume >= 100 {
        return Ok(wav.to_vec());
    }
    let spec = reader.spec();
    let mut out = std::io::Cursor::new(Vec::with_capacity(wav.len()));
    {
        let mut writer = hound::WavWriter::new(&mut out, spec)?;
        let scale = i32::from(volume);
        for s in reader.samples::<i16>() {
            let scaled = i32::from(s?) * scale / 100;
            writer.write_sample(i16::try_from(scaled).unwrap_or(0))?;
        }
        writer.finalize()?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(samples: &[i16]) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 22_050,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap_or_else(|e| panic!("{e}"));
        for &s in samples {
            w.write_sample(s).unwrap_or_else(|e| panic!("{e}"));
        }
        w.finalize().unwrap_or_else(|e| panic!("{e}"));
        out.into_inner()
    }

    fn samples(bytes: &[u8]) -> Vec<i16> {
        hound::WavReader::new(std::io::Cursor::new(bytes))
            .unwrap_or_else(|e| panic!("{e}"))
            .samples::<i16>()
            .map(|s| s.unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    #[test]
    fn volume_scales_the_samples() {
        let w = wav(&[1000, -2000, i16::MAX, i16::MIN]);
        assert_eq!(
            samples(&with_volume(&w, 50).unwrap_or_default()),
            [500, -1000, 16383, -16384]
        );
        assert_eq!(samples(&with_volume(&w, 0).unwrap_or_default()), [0, 0, 0, 0]);
        assert_eq!(with_volume(&w, 100).unwrap_or_default(), w);
        assert!(with_volume(b"not a wav", 50).is_err());
    }

    /// A voice folder with each catalogued phrase's file (tiny WAVs): no engine needed.
    fn fake_voices(tag: &str) -> (PathBuf, Strings) {
        let dir = std::env::temp_dir().join(format!("kiosk-voice-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::new(&dir);
        let strings = Strings::embedded().unwrap_or_else(|e| panic!("{e}"));
        for u in catalog(&strings) {
            let p = cache.path(&u);
            std::fs::create_dir_all(p.parent().unwrap_or(&dir)).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p, wav(&[1, 2, 3])).unwrap_or_else(|e| panic!("{e}"));
        }
        (dir, strings)
    }

    fn wait_for(speaker: &TestSpeaker, n: usize) -> Vec<Played> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while speaker.log().len() < n && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        speaker.log()
    }

    #[test]
    fn a_screen_is_said_phrase_by_phrase_and_a_new_one_cuts_it_off() {
        let (dir, strings) = fake_voices("cut");
        let speaker = TestSpeaker::holding();
        let voice = Voice::start(
            VoiceSettings {
                dir: dir.clone(),
                volume: 80,
            },
            strings.clone(),
            Box::new(speaker.clone()),
        );
        let idle = screen_phrases(&kiosk_screens::Screen::Idle, None);
        voice.say(Lang::Ja, idle.clone());
        let log = wait_for(&speaker, 1);
        let first = idle[0].words(&strings, Lang::Ja);
        assert_eq!(
            log,
            [Played::Started {
                lang: LangCode::Ja,
                words: first.clone()
            }]
        );
        speaker.finish();
        let log = wait_for(&speaker, 2);
        assert_eq!(speaker.spoken()[1], idle[1].words(&strings, Lang::Ja), "{log:?}");
        // The screen changes while the body plays: it is cut off and the new screen is said.
        let reading = screen_phrases(&kiosk_screens::Screen::Reading, None);
        voice.say(Lang::En, reading.clone());
        let log = wait_for(&speaker, 4);
        assert_eq!(
            log[2],
            Played::Stopped {
                words: idle[1].words(&strings, Lang::Ja)
            }
        );
        assert_eq!(
            log[3],
            Played::Started {
                lang: LangCode::En,
                words: reading[0].words(&strings, Lang::En)
            }
        );
        voice.stop();
        let log = wait_for(&speaker, 5);
        assert!(matches!(log[4], Played::Stopped { .. }), "{log:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
