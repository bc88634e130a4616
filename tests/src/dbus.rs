//! A private D-Bus session bus and a recording notification server on it.
//!
//! [`PrivateBus`] runs its own `dbus-daemon`, so a test never touches the user's real session
//! bus (where a real notification server already owns the name). [`Recorder`] owns
//! `org.freedesktop.Notifications` on that bus and records every `Notify` call, answering with
//! increasing ids like a real server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zbus::OwnedVariant;

/// A `dbus-daemon --session` of our own; killed on drop.
pub struct PrivateBus {
    child: Child,
    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl PrivateBus {
    /// Starts the daemon and reads its address.
    pub fn start() -> PrivateBus {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
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
        PrivateBus { child, address }
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
    /// `app_name` argument.
    pub app_name: String,
    /// `summary` argument (the title).
    pub summary: String,
    /// `body` argument.
    pub body: String,
    /// `expire_timeout` argument.
    pub expire_timeout: i32,
}

/// The D-Bus object that plays notification server.
struct Server {
    calls: Arc<Mutex<Vec<NotifyCall>>>,
    next_id: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)] // the D-Bus method's signature
    fn notify(
        &mut self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        expire_timeout: i32,
    ) -> u32 {
        self.calls.lock().unwrap().push(NotifyCall {
            app_name,
            summary,
            body,
            expire_timeout,
        });
        self.next_id += 1;
        self.next_id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
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
    /// Keeps the bus connection (and so the name and the object) alive.
    _connection: zbus::Connection,
}

impl Recorder {
    /// Claims `org.freedesktop.Notifications` on the bus at `address`.
    pub async fn start(address: &str) -> Recorder {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            calls: Arc::clone(&calls),
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
            _connection: connection,
        }
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
