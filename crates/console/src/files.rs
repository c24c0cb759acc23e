//! Files the console keeps: written 0600, through a temporary file created exclusively (`O_EXCL`, so a
//! symlink planted at its name is never followed) and renamed over the old one, so a crash mid-write
//! leaves the old file whole. Files read as secrets (accounts, the configuration) are refused when others
//! can write them, and reported when others can read them.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Why a file was not used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: others can write this file (mode {mode:o}); make it writable by its owner only \
         (chmod go-w {path})"
    )]
    WritableByOthers { path: String, mode: u32 },
}

fn io(path: &Path, source: std::io::Error) -> FileError {
    FileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A warning about a file that works but should be tightened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWarning(pub String);

impl std::fmt::Display for FileWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check a file holding secrets or settings: refused when its group or others can write it (someone
/// else could swap an account or a token in), a warning when others can read it.
pub fn check_private(path: &Path) -> Result<Option<FileWarning>, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(FileError::WritableByOthers {
            path: path.display().to_string(),
            mode,
        });
    }
    Ok((mode & 0o004 != 0).then(|| {
        FileWarning(format!(
            "{}: everyone on this computer can read this file (mode {mode:o}); `chmod o-r {}` keeps it private",
            path.display(),
            path.display()
        ))
    }))
}

/// Read a private file after [`check_private`]; the warning (if any) comes back with the text.
pub fn read_private(path: &Path) -> Result<(String, Option<FileWarning>), FileError> {
    let warning = check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    Ok((text, warning))
}

/// Replace `path` with `bytes`, mode 0600: written to a fresh temporary file beside it (created
/// exclusively), synced, then renamed over `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(path, e));
    }
    Ok(())
}

/// Open `path` for appending, creating it 0600 if it is new (the audit log). An existing file others
/// can write is refused.
pub fn open_append_private(path: &Path) -> Result<std::fs::File, FileError> {
    if path.exists() {
        check_private(path)?;
    }
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io(path, e))
}

/// Create `dir` (and its parents) if missing; a new folder is 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<(), FileError> {
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io(dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("kiosk-console-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        ensure_private_dir(&d).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[test]
    fn written_files_are_0600_and_replace_the_old_one() {
        let d = dir("write");
        let p = d.join("state.json");
        write_private(&p, b"one").unwrap_or_else(|e| panic!("{e}"));
        write_private(&p, b"two").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&p).unwrap_or_default(), b"two");
        let mode = std::fs::metadata(&p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&d).map(Iterator::count).unwrap_or(0), 1);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_others_can_write_is_refused_and_one_they_can_read_is_reported() {
        let d = dir("check");
        let p = d.join("accounts.toml");
        std::fs::write(&p, "x").unwrap_or_else(|e| panic!("{e}"));
        let set = |mode| std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
        set(0o666).unwrap_or_else(|e| panic!("{e}"));
        let e = check_private(&p).expect_err("world-writable");
        assert!(e.to_string().contains("others can write"), "{e}");
        set(0o620).unwrap_or_else(|e| panic!("{e}"));
        assert!(check_private(&p).is_err(), "group-writable");
        set(0o644).unwrap_or_else(|e| panic!("{e}"));
        let w = check_private(&p).unwrap_or_else(|e| panic!("{e}"));
        assert!(w.is_some_and(|w| w.0.contains("can read")));
        set(0o600).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(check_private(&p).ok(), Some(None));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_append_log_is_created_0600() {
        let d = dir("append");
        let p = d.join("audit.log");
        drop(open_append_private(&p).unwrap_or_else(|e| panic!("{e}")));
        let mode = std::fs::metadata(&p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
        let _ = std::fs::remove_dir_all(&d);
    }
}
