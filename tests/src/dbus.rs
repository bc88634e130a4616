//! A private D-Bus session bus and a recording notification server on it.
//!
//! [`PrivateBus`] runs its own `dbus-daemon`, so a test never touches the user's real session
//! bus (where a real notification server already owns the name). [`Recorder`] owns
//! `org.freedesktop.Notifications` on that bus and records every `Notify` call (with its
//! replaced id, actions and hints), answering with increasing ids like a real server (or the
//! replaced id), and plays the user: it emits `ActionInvoked` and `NotificationClosed`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zbus::OwnedVariant;

/// A session `dbus-daemon` of our own; killed on drop. It starts no service by itself (no
/// activation directories): what a test wants on the bus, the test runs — so an installed
/// keychain daemon cannot turn up where a test expects none.
pub struct PrivateBus {
    child: Child,
    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    _config: tempfile::NamedTempFile,
}

/// A session bus's configuration without `<standard_session_servicedirs/>`.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

impl PrivateBus {
    /// Starts the daemon and reads its address.
    pub fn start() -> PrivateBus {
        let mut config = tempfile::NamedTempFile::new().expect("a temporary file");
        std::io::Write::write_all(&mut config, BUS_CONFIG.as_bytes()).expect("bus config written");
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.path().display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("dbus-daemon (apt package `dbus`) must be installed");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        PrivateBus {
            child,
            address,
            _config: config,
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One recorded `Notify` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCall {
    /// The id the server answered with.
    pub id: u32,
    /// `app_name` argument.
    pub app_name: String,
    /// `replaces_id` argument (0: a new notification).
    pub replaces_id: u32,
    /// `app_icon` argument.
    pub app_icon: String,
    /// `summary` argument (the title).
    pub summary: String,
    /// `body` argument.
    pub body: String,
    /// `actions` argument: key, label, key, label…
    pub actions: Vec<String>,
    /// `hints`, each value as text (`urgency` as its number).
    pub hints: HashMap<String, String>,
    /// `expire_timeout` argument.
    pub expire_timeout: i32,
    /// When the call arrived, in µs since the Unix epoch (for latency figures).
    pub at_us: u64,
}

impl NotifyCall {
    /// The hint `name`, if sent.
    pub fn hint(&self, name: &str) -> Option<&str> {
        self.hints.get(name).map(String::as_str)
    }
}

/// The D-Bus object that plays notification server.
struct Server {
    calls: Arc<Mutex<Vec<NotifyCall>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    next_id: u32,
}

/// A hint's value as text: strings as they are, numbers and booleans printed.
fn variant_text(value: &OwnedVariant) -> String {
    if let Ok(s) = <&str>::try_from(&**value) {
        return s.to_owned();
    }
    if let Ok(n) = u8::try_from(&**value) {
        return n.to_string();
    }
    if let Ok(b) = bool::try_from(&**value) {
        return b.to_string();
    }
    format!("{value:?}")
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)] // the D-Bus method's signature
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedVariant>,
        expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next_id += 1;
            self.next_id
        };
        let hints = hints
            .into_iter()
            .map(|(name, value)| (name, variant_text(&value)))
            .collect();
        self.calls.lock().unwrap().push(NotifyCall {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions,
            hints,
            expire_timeout,
            at_us: crate::wall_us(),
        });
        id
    }

    fn close_notification(&self, id: u32) {
        self.closed.lock().unwrap().push(id);
    }

    fn get_capabilities(&self) -> Vec<String> {
        ["body", "body-markup", "actions", "sound"]
            .map(String::from)
            .to_vec()
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "herald-recorder".into(),
            "herald".into(),
            "0.1".into(),
            "1.2".into(),
        )
    }
}

/// A recording notification server; serves until dropped.
pub struct Recorder {
    calls: Arc<Mutex<Vec<NotifyCall>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    /// Keeps the bus connection (and so the name and the object) alive; signals go out on it.
    connection: zbus::Connection,
}

impl Recorder {
    /// Claims `org.freedesktop.Notifications` on the bus at `address`.
    pub async fn start(address: &str) -> Recorder {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            calls: Arc::clone(&calls),
            closed: Arc::clone(&closed),
            next_id: 0,
        };
        let connection = zbus::connection::Builder::address(address)
            .name("org.freedesktop.Notifications")
            .serve_at("/org/freedesktop/Notifications", server)
            .build()
            .await
            .expect("connect to the private bus");
        Recorder {
            calls,
            closed,
            connection,
        }
    }

    /// The ids Herald asked to close, in order.
    pub fn closed(&self) -> Vec<u32> {
        self.closed.lock().unwrap().clone()
    }

    /// Plays a click: emits `ActionInvoked(id, key)` (`default`: the notification itself).
    pub async fn invoke(&self, id: u32, key: &str) {
        self.emit("ActionInvoked", &(id, key)).await;
    }

    /// Plays a dismissal: emits `NotificationClosed(id, 2)` (closed by the user).
    pub async fn dismiss(&self, id: u32) {
        self.emit("NotificationClosed", &(id, 2u32)).await;
    }

    async fn emit(&self, member: &str, body: &(impl serde::Serialize + zbus::DynamicType)) {
        self.connection
            .emit_signal(
                None::<&str>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                member,
                body,
            )
            .await
            .expect("emit a notification signal");
    }

    /// The calls recorded so far.
    pub fn calls(&self) -> Vec<NotifyCall> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until at least `n` calls were recorded.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<NotifyCall> {
        crate::eventually(&format!("{n} Notify calls"), timeout, || {
            let calls = self.calls();
            (calls.len() >= n).then_some(calls)
        })
        .await
    }
}
