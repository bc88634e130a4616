//! Showing notifications: the [`Notifier`] trait, the desktop implementation, and the task that
//! feeds it without ever blocking the engine.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::Notification;
use crate::report::{Notice, NoticeLevel, Report};

/// The application name every notification carries.
pub const APP_NAME: &str = "Herald";

/// How many notifications may wait to be shown before new ones are dropped (with a log line):
/// a flood must not grow memory or stall events.
const QUEUE: usize = 256;

/// Why a notification could not be shown.
#[derive(Debug, thiserror::Error)]
#[error("notifications are unavailable: {0}")]
pub struct NotifyError(pub String);

/// Something that shows notifications. Blocking is allowed: it is called off the async runtime.
pub trait Notifier: Send + Sync + 'static {
    /// Shows one notification.
    fn show(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// Native OS notifications through notify-rust (D-Bus `org.freedesktop.Notifications` on Linux).
#[derive(Debug, Default, Clone, Copy)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn show(&self, notification: &Notification) -> Result<(), NotifyError> {
        notify_rust::Notification::new()
            .appname(APP_NAME)
            .summary(&notification.summary)
            .body(&notification.body)
            .show()
            .map(drop)
            .map_err(|e| NotifyError(e.to_string()))
    }
}

/// Starts the task that shows notifications one at a time, in order, and returns its queue.
///
/// A failure is reported once as a [`Notice`] on `reports` (and once more when notifications
/// work again), never per event and never as a panic.
pub fn spawn_dispatcher(
    notifier: Arc<dyn Notifier>,
    reports: mpsc::Sender<Report>,
) -> mpsc::Sender<Notification> {
    let (tx, mut rx) = mpsc::channel::<Notification>(QUEUE);
    tokio::spawn(async move {
        let mut failing = false;
        while let Some(notification) = rx.recv().await {
            let notifier = Arc::clone(&notifier);
            let shown = tokio::task::spawn_blocking(move || notifier.show(&notification)).await;
            let result =
                shown.unwrap_or_else(|e| Err(NotifyError(format!("sender panicked: {e}"))));
            let notice = match (result, failing) {
                (Err(e), false) => {
                    tracing::warn!(error = %e, "cannot show notifications");
                    failing = true;
                    Notice::new(
                        NoticeLevel::Warning,
                        format!("{e}. Events still arrive in the timeline."),
                    )
                }
                (Ok(()), true) => {
                    failing = false;
                    Notice::new(NoticeLevel::Info, "Notifications work again.")
                }
                _ => continue,
            };
            if reports.send(Report::Notice(notice)).await.is_err() {
                break;
            }
        }
    });
    tx
}
