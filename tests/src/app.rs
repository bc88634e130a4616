//! The built `herald` binary, run as a user would, with its own temporary home.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `herald` binary built by `cargo build -p herald` in this workspace's target dir.
pub fn herald_binary() -> PathBuf {
    // This test executable lives in target/<profile>/deps/; the app in target/<profile>/.
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let binary = profile_dir.join("herald");
    assert!(
        binary.exists(),
        "{} is missing: build the app first (`cargo build -p herald`)",
        binary.display()
    );
    binary
}

/// A fresh set of XDG dirs, so the app never reads or writes the real user's settings.
pub struct Home {
    /// Deleted on drop.
    dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Home::new()
    }
}

impl Home {
    /// A new empty home.
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// `HOME`.
    pub fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// `XDG_CONFIG_HOME`.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `XDG_DATA_HOME`.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `XDG_RUNTIME_DIR`: where the instance lock and the control socket go, so a test's app
    /// never meets a real one (or another test's).
    pub fn runtime(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// Herald's event store inside this home.
    pub fn store_file(&self) -> PathBuf {
        self.data().join("herald/herald.db")
    }

    /// The instance lock and control socket of the app in this home.
    pub fn instance(&self) -> herald_engine::instance::Paths {
        herald_engine::instance::Paths::in_dir(&self.runtime().join("herald"))
    }

    /// Herald's settings file inside this home.
    pub fn settings_file(&self) -> PathBuf {
        self.config().join("herald/settings.json")
    }

    /// Writes Herald's settings file.
    pub fn write_settings(&self, contents: &str) {
        let path = self.settings_file();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// The environment variables that point Herald at this home.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("XDG_CONFIG_HOME", self.config()),
            ("XDG_DATA_HOME", self.data()),
            ("XDG_CACHE_HOME", self.dir.path().join("cache")),
            ("XDG_RUNTIME_DIR", self.runtime()),
            ("HOME", self.dir.path().to_path_buf()),
            // No session bus unless a test gives one: Herald never reaches the user's real
            // keychain (or notification server) from a test.
            (
                "DBUS_SESSION_BUS_ADDRESS",
                format!(
                    "unix:path={}",
                    self.dir.path().join("no-session-bus").display()
                )
                .into(),
            ),
        ]
    }

    /// Runs `herald ARGS…` in this home, without a display, and waits for it (off the async
    /// runtime's threads).
    pub async fn run(&self, args: &[&str]) -> std::process::Output {
        let mut command = self.command();
        command
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        output(command).await
    }

    /// A `herald` command with this home's environment.
    pub fn command(&self) -> Command {
        let mut command = Command::new(herald_binary());
        command.envs(self.env());
        command
    }
}

/// Runs `command` to its end off the async runtime's threads and returns what it printed.
pub async fn output(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("run the command"))
        .await
        .expect("the command's thread")
}

/// Panics with the command's stderr unless it exited 0; returns that stderr.
pub fn assert_success(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    stderr
}
