//! One Herald per user, and the way in for everything else: the instance lock, and the control
//! socket through which `herald feeds …` (and a second launch) reach the running app.
//!
//! The app holds the lock for its whole life and serves the socket next to it. A command that
//! finds no socket answering takes the lock itself while it edits the settings file, so an app
//! that starts meanwhile waits for it; and so two commands never edit the file at once either.
//!
//! - [`protocol`]: the requests and replies, one JSON object per line.
//! - [`server`]: the app's side: answers requests through the [`EngineHandle`](crate::EngineHandle).
//! - [`client`]: the command's side.

pub mod client;
pub mod protocol;
pub mod server;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the lock and the socket live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The lock file the running app holds.
    pub lock: PathBuf,
    /// The control socket.
    pub socket: PathBuf,
}

impl Paths {
    /// Both in `dir`.
    pub fn in_dir(dir: &Path) -> Paths {
        Paths {
            lock: dir.join("herald.lock"),
            socket: dir.join("herald.sock"),
        }
    }

    /// Herald's runtime dir (`$XDG_RUNTIME_DIR/herald`), or its data dir where there is none.
    pub fn default_location() -> Option<Paths> {
        let dirs = crate::settings::project_dirs()?;
        let dir = dirs.runtime_dir().unwrap_or(dirs.data_dir());
        Some(Paths::in_dir(dir))
    }
}

/// The instance lock: while one is held, no other Herald app runs and no command edits the
/// settings file. Released when dropped (and by the kernel when the process dies, even by
/// kill -9: a stale lock file never blocks anyone).
#[derive(Debug)]
pub struct InstanceLock {
    /// The locked file; the `flock` lives as long as it is open.
    _file: File,
}

/// How often [`InstanceLock::acquire_within`] tries again.
const LOCK_POLL: Duration = Duration::from_millis(25);

impl InstanceLock {
    /// Takes the lock if nobody holds it; `None` if somebody does.
    pub fn try_acquire(path: &Path) -> io::Result<Option<InstanceLock>> {
        if let Some(dir) = path.parent() {
            crate::files::create_private_dir(dir)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        // SAFETY: flock only reads the descriptor, which `file` keeps open.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked == 0 {
            return Ok(Some(InstanceLock { _file: file }));
        }
        let error = io::Error::last_os_error();
        if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
            Ok(None)
        } else {
            Err(error)
        }
    }

    /// Takes the lock, waiting up to `timeout` for whoever holds it (a command editing the
    /// settings takes milliseconds); `None` if it is still held then.
    pub fn acquire_within(path: &Path, timeout: Duration) -> io::Result<Option<InstanceLock>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(lock) = InstanceLock::try_acquire(path)? {
                return Ok(Some(lock));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(LOCK_POLL);
        }
    }
}

/// Removes a socket file left by an app that died (only call it while holding the lock).
pub fn remove_stale_socket(path: &Path) {
    match fs::remove_file(path) {
        Ok(()) => tracing::debug!(path = %path.display(), "stale control socket removed"),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove the old control socket")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_is_held_by_one_at_a_time_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(&dir.path().join("run"));
        let first = InstanceLock::try_acquire(&paths.lock).unwrap();
        assert!(first.is_some());
        assert!(InstanceLock::try_acquire(&paths.lock).unwrap().is_none());
        let started = Instant::now();
        let waited = InstanceLock::acquire_within(&paths.lock, Duration::from_millis(100)).unwrap();
        assert!(waited.is_none() && started.elapsed() >= Duration::from_millis(100));
        drop(first);
        assert!(InstanceLock::try_acquire(&paths.lock).unwrap().is_some());
    }
}
