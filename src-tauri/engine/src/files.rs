//! Files Herald writes: folders only the user can enter, and files written atomically that only
//! the user can read (settings and exports can hold header secrets; events can be private).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `dir` (and its parents) if needed, and makes it private to the user (0700).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let private = fs::Permissions::from_mode(0o700);
    if fs::metadata(dir)?.permissions().mode() & 0o777 != 0o700 {
        fs::set_permissions(dir, private)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` so that a crash or a full disk leaves either the old file or the
/// new one, never half of one: a temp file beside it (mode 0600), fsync, rename, fsync of the
/// folder. The folder is created private if missing.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    create_private_dir(path.parent().unwrap_or(Path::new(".")))?;
    write_private_file(path, bytes)
}

/// Like [`write_atomically`], into a folder that must exist and whose permissions stay as
/// they are (the user's Downloads folder, for an export): only the file is private.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = temp_path(path);
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        // An old temp file keeps its mode through `open`: set it again.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path)?;
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The temp file [`write_atomically`] uses for `path`: `<name>.tmp` beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_atomic_write_is_private_in_a_private_folder_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/settings.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert!(!temp_path(&path).exists());
    }

    #[test]
    fn a_private_file_leaves_its_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let downloads = dir.path().join("Downloads");
        fs::create_dir(&downloads).unwrap();
        fs::set_permissions(&downloads, fs::Permissions::from_mode(0o755)).unwrap();
        let path = downloads.join("export.json");
        write_private_file(&path, b"{}").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&downloads), 0o755);
        assert!(!temp_path(&path).exists());
    }

    #[test]
    fn a_folder_others_could_read_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("herald");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o700);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        write_atomically(&path, b"old").unwrap();
        fs::create_dir(temp_path(&path)).unwrap(); // the temp file cannot be made
        assert!(write_atomically(&path, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }
}
