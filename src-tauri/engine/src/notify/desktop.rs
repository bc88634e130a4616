//! Native notifications on Linux: `org.freedesktop.Notifications` over one D-Bus connection kept
//! for the app's life.
//!
//! One connection, because notification servers tie actions to the connection that sent the
//! notification: a connection per notification (what notify-rust's `show` opens) kills clicks
//! once it closes. On it Herald sends `Notify` and `CloseNotification`, and listens for
//! `ActionInvoked`, `NotificationClosed`, and the service's name appearing on the bus. The body is
//! escaped when the server reads markup (`body-markup`), so no event can add markup or links.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use zbus::Variant as Value;

use super::rule::Sound;
use super::sender::{
    APP_NAME, BoxFuture, DESKTOP_ENTRY, Notification, Notifier, NotifyError, Signal,
};
use super::text;

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// The live connection, made on first use and again after it failed.
struct Bus {
    connection: zbus::Connection,
    /// The server renders markup in bodies; `None` until asked.
    markup: Option<bool>,
}

/// Notifications through the session bus's notification server.
pub struct DesktopNotifier {
    icon: String,
    /// A bus other than the session bus (tests run their own).
    address: Option<String>,
    bus: tokio::sync::Mutex<Option<Bus>>,
    signals: Mutex<Option<mpsc::UnboundedSender<Signal>>>,
}

impl DesktopNotifier {
    /// A notifier whose notifications carry `icon` (an icon name or an absolute file path).
    pub fn new(icon: impl Into<String>) -> DesktopNotifier {
        DesktopNotifier {
            icon: icon.into(),
            address: None,
            bus: tokio::sync::Mutex::new(None),
            signals: Mutex::new(None),
        }
    }

    /// A notifier on the bus at `address` instead of the session bus.
    pub fn on_bus(address: &str, icon: impl Into<String>) -> DesktopNotifier {
        DesktopNotifier {
            address: Some(address.to_owned()),
            ..DesktopNotifier::new(icon)
        }
    }

    /// The connection, made (with its signal listener) if there is none.
    async fn connect(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Bus>>, NotifyError> {
        let mut bus = self.bus.lock().await;
        if bus.is_none() {
            let connection = match &self.address {
                None => zbus::Connection::session().await,
                Some(address) => {
                    zbus::connection::Builder::address(address.as_str())
                        .build()
                        .await
                }
            }
            .map_err(|e| NotifyError::Bus(e.to_string()))?;
            let signals = self.signals.lock().expect("signals lock").clone();
            if let Some(signals) = signals {
                listen(&connection, signals)
                    .await
                    .map_err(|e| NotifyError::Bus(e.to_string()))?;
            }
            *bus = Some(Bus {
                connection,
                markup: None,
            });
        }
        Ok(bus)
    }

    async fn notify(&self, n: Notification, replaces: u32) -> Result<u32, NotifyError> {
        let mut guard = self.connect().await?;
        let bus = guard.as_mut().expect("connected");
        if bus.markup.is_none() {
            let caps: Vec<String> = call(&bus.connection, "GetCapabilities", &()).await?;
            bus.markup = Some(caps.iter().any(|c| c == "body-markup"));
        }
        let body = match bus.markup {
            Some(true) => text::escape_markup(&n.body),
            _ => n.body.clone(),
        };
        let actions: Vec<&str> = n
            .actions
            .iter()
            .flat_map(|(key, label)| [key.as_str(), label.as_str()])
            .collect();
        let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
        hints.insert("urgency", Value::U8(n.urgency.byte()));
        hints.insert("desktop-entry", Value::from(DESKTOP_ENTRY));
        hints.insert("category", Value::from(n.category.as_str()));
        match &n.sound {
            Sound::Default => {}
            Sound::Named(name) => {
                hints.insert("sound-name", Value::from(name.as_str()));
            }
            Sound::None => {
                hints.insert("suppress-sound", Value::Bool(true));
            }
        }
        let args = (
            APP_NAME,
            replaces,
            self.icon.as_str(),
            n.summary.as_str(),
            body.as_str(),
            actions,
            hints,
            -1i32,
        );
        let result = call(&bus.connection, "Notify", &args).await;
        if matches!(result, Err(NotifyError::Bus(_))) {
            *guard = None; // a broken connection is made anew next time
        }
        result
    }
}

impl Notifier for DesktopNotifier {
    fn show(
        &self,
        notification: Notification,
        replaces: u32,
    ) -> BoxFuture<'_, Result<u32, NotifyError>> {
        Box::pin(self.notify(notification, replaces))
    }

    fn close(&self, id: u32) -> BoxFuture<'_, Result<(), NotifyError>> {
        Box::pin(async move {
            let guard = self.connect().await?;
            let bus = guard.as_ref().expect("connected");
            call::<()>(&bus.connection, "CloseNotification", &(id,)).await
        })
    }

    fn listen(&self, signals: mpsc::UnboundedSender<Signal>) {
        *self.signals.lock().expect("signals lock") = Some(signals);
    }
}

/// Calls a method of the notification server and reads its answer.
async fn call<R>(
    connection: &zbus::Connection,
    method: &str,
    args: &(impl serde::Serialize + zbus::DynamicType + Sync),
) -> Result<R, NotifyError>
where
    R: for<'d> serde::Deserialize<'d> + zbus::Type,
{
    let reply = connection
        .call_method(Some(NAME), PATH, Some(NAME), method, args)
        .await
        .map_err(classify)?;
    reply
        .body()
        .deserialize()
        .map_err(|e| NotifyError::Refused(format!("unexpected answer to {method}: {e}")))
}

fn classify(e: zbus::Error) -> NotifyError {
    match &e {
        zbus::Error::MethodError(name, message, _) => {
            let name = name.as_str();
            if name == "org.freedesktop.DBus.Error.ServiceUnknown"
                || name == "org.freedesktop.DBus.Error.NameHasNoOwner"
            {
                NotifyError::NoService
            } else {
                NotifyError::Refused(message.clone().unwrap_or_else(|| name.to_owned()))
            }
        }
        zbus::Error::FDO(fdo) if matches!(**fdo, zbus::fdo::Error::ServiceUnknown(_)) => {
            NotifyError::NoService
        }
        _ => NotifyError::Bus(e.to_string()),
    }
}

/// Subscribes to the server's signals and to the service's name changing owner, and forwards
/// them to `signals` from a task that lives as long as the connection.
async fn listen(
    connection: &zbus::Connection,
    signals: mpsc::UnboundedSender<Signal>,
) -> zbus::Result<()> {
    let server = |member: &'static str| {
        zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(NAME)
            .member(member)
            .build()
    };
    let owner = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender("org.freedesktop.DBus")
        .interface("org.freedesktop.DBus")
        .member("NameOwnerChanged")
        .arg(0, NAME)
        .build()?;
    let mut streams = Vec::new();
    for rule in [
        server("ActionInvoked")?,
        server("NotificationClosed")?,
        owner,
    ] {
        streams.push(
            zbus::MessageStream::for_match_rule(rule, connection, std::num::NonZeroUsize::new(64))
                .await?,
        );
    }
    let mut all = futures_util::stream::select_all(streams);
    tokio::spawn(async move {
        while let Some(message) = all.next().await {
            let Ok(message) = message else { continue };
            if let Some(signal) = read_signal(&message)
                && signals.send(signal).is_err()
            {
                break;
            }
        }
    });
    Ok(())
}

fn read_signal(message: &zbus::Message) -> Option<Signal> {
    let header = message.header();
    let body = message.body();
    match header.member()?.as_str() {
        "ActionInvoked" => {
            let (id, key): (u32, String) = body.deserialize().ok()?;
            Some(Signal::Action { id, key })
        }
        "NotificationClosed" => {
            let (id, _reason): (u32, u32) = body.deserialize().ok()?;
            Some(Signal::Closed { id })
        }
        "NameOwnerChanged" => {
            let (_, _, new_owner): (String, String, String) = body.deserialize().ok()?;
            (!new_owner.is_empty()).then_some(Signal::ServiceAppeared)
        }
        _ => None,
    }
}
