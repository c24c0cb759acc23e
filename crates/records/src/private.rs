//! Files holding personal data (the journal, the roster, result files) are the kiosk's alone: 0600.
//! SQLite creates a database with the process's umask (often 0644) and its journal files with the
//! database's mode, so the database file is made (or tightened) here before SQLite opens it.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Make `path` a 0600 file: created exclusively when missing (no symlink followed), tightened when
/// others could read it.
pub(crate) fn prepare(path: &Path) -> std::io::Result<()> {
    match create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = std::fs::symlink_metadata(path)?;
            if meta.file_type().is_symlink() {
                return Err(std::io::Error::other(
                    "is a symbolic link; a database must be a plain file",
                ));
            }
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Give `file` to group `gid`, readable by it (0640): the kiosk's user must be in that group.
pub(crate) fn share_with_group(file: &std::fs::File, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::fchown(file, None, Some(gid)).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot give the result file to group {gid} (is the kiosk's user in it?): {e}"),
        )
    })?;
    file.set_permissions(std::fs::Permissions::from_mode(0o640))
}

/// A new file, 0600, created exclusively (`O_EXCL`: an existing file or symlink is an error).
pub(crate) fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn personal_files_are_0600_and_symlinks_are_refused() {
        let dir = std::env::temp_dir().join(format!("kiosk-records-private-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let journal = dir.join("journal.sqlite");
        let j = crate::Journal::open(&journal).unwrap_or_else(|e| panic!("{e}"));
        drop(j);
        assert_eq!(mode(&journal), 0o600);
        // An existing database others could read is tightened.
        let roster = dir.join("roster.sqlite");
        std::fs::write(&roster, b"").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&roster, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        drop(crate::SqliteRoster::open(&roster).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(mode(&roster), 0o600);
        // A symlink planted where a database or a temporary file goes is not followed.
        let target = dir.join("elsewhere");
        std::fs::write(&target, b"x").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.join("planted.sqlite");
        std::os::unix::fs::symlink(&target, &link).unwrap_or_else(|e| panic!("{e}"));
        assert!(prepare(&link).is_err());
        assert!(create_new(&link).is_err());
        assert_eq!(std::fs::read(&target).unwrap_or_default(), b"x");
        // Shared with a group: 0640 and that group (the process's own group, which it may always use).
        let shared = dir.join("shared.xml");
        let f = create_new(&shared).unwrap_or_else(|e| panic!("{e}"));
        let gid =
            std::os::unix::fs::MetadataExt::gid(&std::fs::metadata(&dir).unwrap_or_else(|e| panic!("{e}")));
        share_with_group(&f, gid).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&shared), 0o640);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
