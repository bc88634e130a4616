//! The bridge: the one place engine reports become UI events.
//!
//! Events are coalesced: whatever is already queued goes to the webview as one batch, and batches
//! are at most one per frame, so a flood of events costs the UI a few updates a second instead of
//! one per event. Status changes, feed lists and notices are small and rare and go out as they come,
//! after the events that preceded them.

use std::time::Duration;

use herald_engine::feed::{FeedId, FeedStatus};
use herald_engine::{EventRecord, Report};
use serde::Serialize;
use tauri::{Emitter, Runtime};
use tokio::sync::mpsc;

/// UI event: a batch of new events, oldest first.
pub const EVENTS: &str = "herald://events";
/// UI event: one feed's status changed.
pub const STATUS: &str = "herald://status";
/// UI event: the feed list changed.
pub const FEEDS: &str = "herald://feeds";
/// UI event: a notice for the user.
pub const NOTICE: &str = "herald://notice";

/// The most events in one batch.
const MAX_BATCH: usize = 500;
/// The pause after a batch, so the next one can gather what arrives meanwhile.
const FRAME: Duration = Duration::from_millis(16);

/// The payload of [`STATUS`].
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusPayload<'a> {
    feed_id: &'a FeedId,
    status: &'a FeedStatus,
}

/// Forwards reports to the UI until the engine stops.
pub async fn run<R: Runtime>(app: tauri::AppHandle<R>, mut reports: mpsc::Receiver<Report>) {
    let mut batch: Vec<EventRecord> = Vec::new();
    while let Some(first) = reports.recv().await {
        let mut next = Some(first);
        while let Some(report) = next.take() {
            match report {
                Report::Event(event) => {
                    batch.push(event);
                    if batch.len() >= MAX_BATCH {
                        flush(&app, &mut batch);
                    }
                }
                other => {
                    flush(&app, &mut batch);
                    emit_other(&app, other);
                }
            }
            next = reports.try_recv().ok();
        }
        if !batch.is_empty() {
            flush(&app, &mut batch);
            tokio::time::sleep(FRAME).await;
        }
    }
}

fn flush<R: Runtime>(app: &tauri::AppHandle<R>, batch: &mut Vec<EventRecord>) {
    if batch.is_empty() {
        return;
    }
    if let Err(e) = app.emit(EVENTS, &*batch) {
        tracing::warn!(error = %e, "cannot send events to the UI");
    }
    batch.clear();
}

fn emit_other<R: Runtime>(app: &tauri::AppHandle<R>, report: Report) {
    let sent = match &report {
        Report::Status { feed, status } => app.emit(
            STATUS,
            StatusPayload {
                feed_id: feed,
                status,
            },
        ),
        Report::Feeds(feeds) => app.emit(FEEDS, feeds),
        Report::Notice(notice) => app.emit(NOTICE, notice),
        Report::Event(_) => unreachable!("events are batched"),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "cannot send a report to the UI");
    }
}
