//! What the engine under test notifies and opens, recorded instead of shown: the default
//! notifier and opener of a [`Harness`](crate::scenario::Harness).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use herald_engine::notify::{
    BoxFuture, Notification, Notifier, NotifyError, OpenError, Opener, Signal,
};
use tokio::sync::mpsc;

/// A notifier that shows nothing: it counts every notification and keeps the first
/// [`Recording::KEPT`] for tests to read (bounded, so a 100,000-event run costs no memory).
#[derive(Debug, Default)]
pub struct Recording {
    count: AtomicU64,
    /// The first notifications, in order.
    kept: Mutex<Vec<Notification>>,
}

impl Recording {
    /// How many notifications are kept.
    pub const KEPT: usize = 1000;

    /// How many notifications were shown.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The first notifications shown, in order.
    pub fn kept(&self) -> Vec<Notification> {
        self.kept.lock().unwrap().clone()
    }
}

impl Notifier for Recording {
    fn show(
        &self,
        notification: Notification,
        _replaces: u32,
    ) -> BoxFuture<'_, Result<u32, NotifyError>> {
        let id = self.count.fetch_add(1, Ordering::Relaxed) as u32 + 1;
        let mut kept = self.kept.lock().unwrap();
        if kept.len() < Self::KEPT {
            kept.push(notification);
        }
        Box::pin(std::future::ready(Ok(id)))
    }

    fn close(&self, _id: u32) -> BoxFuture<'_, Result<(), NotifyError>> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn listen(&self, _signals: mpsc::UnboundedSender<Signal>) {}
}

/// An opener that opens nothing and records every URL it was asked to open.
#[derive(Debug, Default)]
pub struct RecordingOpener {
    opened: Mutex<Vec<String>>,
}

impl RecordingOpener {
    /// The URLs asked for, in order.
    pub fn opened(&self) -> Vec<String> {
        self.opened.lock().unwrap().clone()
    }
}

impl Opener for RecordingOpener {
    fn open(&self, url: &str) -> Result<(), OpenError> {
        self.opened.lock().unwrap().push(url.to_owned());
        Ok(())
    }
}
