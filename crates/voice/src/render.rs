//! Turning words into WAV files with the offline engines: Open JTalk (Debian `open-jtalk`,
//! `open-jtalk-mecab-naist-jdic`) with the HTS voice Mei for Japanese, espeak-ng (Debian `espeak-ng`)
//! for English. Both run as programs: no network, no build-time dependency, and a crash cannot take the
//! kiosk with it.

use crate::cache::{Cache, EN_VOICE, EN_WPM, JA_SPEED, sample_rate};
use crate::prompts::{LangCode, Utterance, catalog};
use kiosk_ui::Strings;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Open JTalk's dictionary as Debian installs it.
pub const NAIST_JDIC: &str = "/var/lib/mecab/dic/open-jtalk/naist-jdic";

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{program} is not installed (Debian package {package})")]
    EngineMissing {
        program: &'static str,
        package: &'static str,
    },
    #[error("the HTS voice {} is missing: run `cargo xtask voices`", .0.display())]
    VoiceMissing(PathBuf),
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        program: &'static str,
        status: String,
        stderr: String,
    },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", .path.display())]
    BadAudio { path: PathBuf, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RenderError + '_ {
    move |source| RenderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The two engines with the voice and dictionary they use.
#[derive(Debug, Clone)]
pub struct Renderer {
    voice: PathBuf,
    dictionary: PathBuf,
}

impl Renderer {
    pub fn new(cache: &Cache) -> Renderer {
        Renderer {
            voice: cache.voice_file(),
            dictionary: PathBuf::from(NAIST_JDIC),
        }
    }

    /// Whether both engines, the dictionary and the voice are there.
    pub fn check(&self) -> Result<(), RenderError> {
        for (program, package) in [("open_jtalk", "open-jtalk"), ("espeak-ng", "espeak-ng")] {
            let found = Command::new(program)
                .arg("--help")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok();
            if !found {
                return Err(RenderError::EngineMissing { program, package });
            }
        }
        if !self.dictionary.is_dir() {
            return Err(RenderError::EngineMissing {
                program: "naist-jdic",
                package: "open-jtalk-mecab-naist-jdic",
            });
        }
        if !self.voice.is_file() {
            return Err(RenderError::VoiceMissing(self.voice.clone()));
        }
        Ok(())
    }

    /// Render `u` into the WAV file `out` (overwritten).
    pub fn render(&self, u: &Utterance, out: &Path) -> Result<(), RenderError> {
        let (program, mut cmd) = match u.lang {
            LangCode::Ja => {
                let mut c = Command::new("open_jtalk");
                c.arg("-x")
                    .arg(&self.dictionary)
                    .arg("-m")
                    .arg(&self.voice)
                    .args(["-r", JA_SPEED, "-ow"])
                    .arg(out);
                ("open_jtalk", c)
            }
            LangCode::En => {
                let mut c = Command::new("espeak-ng");
                c.args(["-v", EN_VOICE, "-s", EN_WPM, "--stdin", "-w"]).arg(out);
                ("espeak-ng", c)
            }
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => RenderError::EngineMissing {
                    program,
                    package: if program == "open_jtalk" {
                        "open-jtalk"
                    } else {
                        "espeak-ng"
                    },
                },
                _ => RenderError::Io {
                    path: PathBuf::from(program),
                    source: e,
                },
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // Open JTalk reads one line per sentence group: the words on one line.
            stdin
                .write_all(format!("{}\n", u.words).as_bytes())
                .map_err(io(Path::new(program)))?;
        }
        let output = child.wait_with_output().map_err(io(Path::new(program)))?;
        if !output.status.success() {
            return Err(RenderError::Failed {
                program,
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
        check_wav(out, sample_rate(u.lang)).map(|_| ())
    }

    /// Render `u` at need, in memory: through a private temporary file (0600) that is removed at once, so
    /// words with a patient's date never stay on disk.
    pub fn render_bytes(&self, u: &Utterance) -> Result<Vec<u8>, RenderError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "kiosk-voice-{}-{}.wav",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        private_file(&path)?;
        let result = self
            .render(u, &path)
            .and_then(|()| std::fs::read(&path).map_err(io(&path)));
        let _ = std::fs::remove_file(&path);
        result
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> Result<(), RenderError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(io(path))
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> Result<(), RenderError> {
    std::fs::File::create(path).map(drop).map_err(io(path))
}

/// What [`check_wav`] found in a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WavInfo {
    pub length: Duration,
    /// The loudest sample's magnitude (silence is near 0, speech thousands).
    pub peak: u16,
}

/// A WAV file, checked: it decodes, it is 16-bit mono at `rate`, and it is not empty.
pub fn check_wav(path: &Path, rate: u32) -> Result<WavInfo, RenderError> {
    let bad = |message: String| RenderError::BadAudio {
        path: path.to_path_buf(),
        message,
    };
    let reader = hound::WavReader::open(path).map_err(|e| bad(e.to_string()))?;
    let spec = reader.spec();
    if spec.sample_rate != rate || spec.channels != 1 || spec.bits_per_sample != 16 {
        return Err(bad(format!(
            "{} Hz, {} channel(s), {} bits: expected {rate} Hz mono 16-bit",
            spec.sample_rate, spec.channels, spec.bits_per_sample
        )));
    }
    let samples = reader.len();
    if samples == 0 {
        return Err(bad("no samples".into()));
    }
    // Every sample decodes (a truncated file fails here, not on the speaker).
    let (decoded, peak) = reader
        .into_samples::<i16>()
        .try_fold((0u32, 0u16), |(n, peak), s| {
            s.map(|s| (n + 1, peak.max(s.unsigned_abs())))
        })
        .map_err(|e| bad(e.to_string()))?;
    if decoded != samples {
        return Err(bad(format!("{decoded} of {samples} samples")));
    }
    Ok(WavInfo {
        length: Duration::from_secs_f64(f64::from(samples) / f64::from(rate)),
        peak,
    })
}

/// What `render_all` did.
#[derive(Debug, Default)]
pub struct RenderReport {
    pub rendered: usize,
    pub present: usize,
    pub pruned: usize,
    pub took: Duration,
}

/// Render every catalogued prompt that is missing, and remove the files no prompt uses any more.
pub fn render_all(cache: &Cache, strings: &Strings) -> Result<RenderReport, RenderError> {
    let started = Instant::now();
    let renderer = Renderer::new(cache);
    renderer.check()?;
    let mut report = RenderReport::default();
    let wanted = catalog(strings);
    for lang in LangCode::ALL {
        let dir = cache.lang_dir(lang);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    let todo: Vec<&Utterance> = wanted
        .iter()
        .filter(|u| {
            let path = cache.path(u);
            !(path.is_file() && check_wav(&path, sample_rate(u.lang)).is_ok())
        })
        .collect();
    report.present = wanted.len() - todo.len();
    // One engine process per core: each is single-threaded.
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(4);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<usize, RenderError>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = 0;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(u) = todo.get(i) else {
                            return Ok(done);
                        };
                        let path = cache.path(u);
                        // Into a temporary name first: an interrupted run leaves no half file under a
                        // good key.
                        let tmp = path.with_extension("part");
                        renderer.render(u, &tmp)?;
                        std::fs::rename(&tmp, &path).map_err(io(&path))?;
                        done += 1;
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(Ok(0))).collect()
    });
    for r in results {
        report.rendered += r?;
    }
    let keep: std::collections::HashSet<PathBuf> = wanted.iter().map(|u| cache.path(u)).collect();
    for lang in LangCode::ALL {
        let dir = cache.lang_dir(lang);
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let p = entry.path();
            let ours = matches!(p.extension().and_then(|e| e.to_str()), Some("wav" | "part"));
            if ours && !keep.contains(&p) {
                std::fs::remove_file(&p).map_err(io(&p))?;
                report.pruned += 1;
            }
        }
    }
    report.took = started.elapsed();
    Ok(report)
}
