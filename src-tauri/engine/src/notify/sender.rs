//! The sender's side: the [`Notifier`] trait the dispatcher talks to, and what goes through it.
//!
//! A notifier shows a [`Notification`] (replacing one it showed before, by id), closes one, and
//! reports what the user did with them as [`Signal`]s. [`super::DesktopNotifier`] is the real one;
//! tests record.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::mpsc;

use super::Urgency;
use super::rule::Sound;

/// The application name every notification carries.
pub const APP_NAME: &str = "Herald";
/// The desktop entry (`herald.desktop`) the notification server shows Herald's name and icon from.
pub const DESKTOP_ENTRY: &str = "herald";

/// A boxed future, so [`Notifier`] can be a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One notification, ready to show: cut to size, plain text (the sender escapes the body for
/// servers that read markup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The title line.
    pub summary: String,
    /// The text.
    pub body: String,
    /// Low, normal or critical.
    pub urgency: Urgency,
    /// The sound it asks for.
    pub sound: Sound,
    /// Actions as (key, label); the key `default` is a click on the notification itself.
    pub actions: Vec<(String, String)>,
    /// The freedesktop category, such as `network.disconnected` (`x-herald.event` for events).
    pub category: String,
}

impl Notification {
    /// A notification with no actions, normal urgency, the default sound, category `x-herald.event`.
    pub fn plain(summary: impl Into<String>, body: impl Into<String>) -> Notification {
        Notification {
            summary: summary.into(),
            body: body.into(),
            urgency: Urgency::Normal,
            sound: Sound::Default,
            actions: Vec::new(),
            category: "x-herald.event".into(),
        }
    }
}

/// What the notification server tells about Herald's notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The user chose an action (`default`: clicked the notification).
    Action {
        /// The notification.
        id: u32,
        /// The action's key.
        key: String,
    },
    /// The notification left the screen (expired, dismissed, closed).
    Closed {
        /// The notification.
        id: u32,
    },
    /// A notification service started on the bus: worth trying again what failed.
    ServiceAppeared,
}

/// Why a notification could not be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Nothing answers for `org.freedesktop.Notifications`.
    #[error(
        "no notification service is running (nothing answers for org.freedesktop.Notifications \
         on the session bus)"
    )]
    NoService,
    /// There is no session bus, or it failed.
    #[error("the session bus cannot be reached: {0}")]
    Bus(String),
    /// The service answered with an error.
    #[error("the notification service refused: {0}")]
    Refused(String),
}

/// Something that shows notifications.
pub trait Notifier: Send + Sync + 'static {
    /// Shows `notification`, replacing the one with id `replaces` (0: none); returns its id.
    fn show(
        &self,
        notification: Notification,
        replaces: u32,
    ) -> BoxFuture<'_, Result<u32, NotifyError>>;
    /// Takes notification `id` off the screen.
    fn close(&self, id: u32) -> BoxFuture<'_, Result<(), NotifyError>>;
    /// Where to send [`Signal`]s from now on (called once, by the dispatcher).
    fn listen(&self, signals: mpsc::UnboundedSender<Signal>);
}
