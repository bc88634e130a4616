//! A real Secret Service for a test: `gnome-keyring-daemon` on a private bus, its login keyring
//! in a folder of the test's own, unlocked with a known password. Stopping it and starting it
//! again on the same folder (on any bus) gives back what it held, as a logout and login do.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The login keyring's password in tests.
const PASSWORD: &str = "herald-test";

/// A running `gnome-keyring-daemon` (secrets only); killed on drop.
pub struct Keyring {
    child: Child,
    dir: PathBuf,
    bus: String,
}

impl Keyring {
    /// Starts the daemon on `bus` with its keyrings in `dir`, unlocked, and waits until it owns
    /// `org.freedesktop.secrets`.
    pub async fn start(bus: &str, dir: &Path) -> Keyring {
        std::fs::create_dir_all(dir.join("run")).unwrap();
        let mut child = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(Self::env_for(bus, dir))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (apt package `gnome-keyring`) must be installed");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(PASSWORD.as_bytes()).unwrap();
        drop(stdin); // the password ends at end of file
        let connection = zbus::connection::Builder::address(bus)
            .build()
            .await
            .expect("connect to the test's bus");
        crate::eventually_async(
            "gnome-keyring-daemon owns org.freedesktop.secrets",
            Duration::from_secs(10),
            || {
                let connection = connection.clone();
                async move {
                    let dbus = zbus::fdo::DBusProxy::new(&connection).await.unwrap();
                    let name = zbus::names::BusName::try_from("org.freedesktop.secrets").unwrap();
                    dbus.name_has_owner(name).await.unwrap_or(false)
                }
            },
        )
        .await;
        Keyring {
            child,
            dir: dir.to_owned(),
            bus: bus.to_owned(),
        }
    }

    /// Stops the daemon (what it holds stays in its folder).
    pub fn stop(mut self) -> PathBuf {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.dir.clone()
    }

    /// The secret of Herald's item for `feed_id`, as `secret-tool` (libsecret) finds it: what
    /// any other program on the desktop would see.
    pub fn lookup(&self, feed_id: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "herald", "username", feed_id])
            .envs(Self::env_for(&self.bus, &self.dir))
            .output()
            .expect("secret-tool (apt package `libsecret-tools`) must be installed");
        (out.status.success() && !out.stdout.is_empty())
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn env_for(bus: &str, dir: &Path) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", bus.into()),
            ("XDG_DATA_HOME", dir.to_owned()),
            ("XDG_RUNTIME_DIR", dir.join("run")),
            ("HOME", dir.to_owned()),
        ]
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
