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
/// UI event: notifications stopped or started working (`{problem}`: why not, or null).
pub const NOTIFICATIONS: &str = "herald://notifications";
/// UI event: a silence rule kept these events (seqs) from being notified.
pub const SILENCED: &str = "herald://silenced";
/// UI event: a notification was clicked; select this feed and event (either may be absent).
pub const ACTIVATE: &str = "herald://activate";

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

/// What the bridge hands the webview.
enum Out<'a> {
    /// A batch of events, oldest first.
    Events(&'a [EventRecord]),
    /// Any other report, as it came.
    Other(&'a Report),
}

/// Forwards reports to the UI until the engine stops, poking the tray after each.
pub async fn run<R: Runtime>(
    app: tauri::AppHandle<R>,
    reports: mpsc::Receiver<Report>,
    tray: crate::tray::Poke,
) {
    forward(reports, |out| {
        emit(&app, out);
        tray.poke();
    })
    .await;
}

/// The batching and pacing, apart from Tauri. At most one full batch goes out per frame: under
/// a flood, the bounded report channel fills and slows the engine and then the sockets, rather
/// than the webview's queue of calls growing without bound.
async fn forward(mut reports: mpsc::Receiver<Report>, mut send: impl FnMut(Out<'_>)) {
    let mut batch: Vec<EventRecord> = Vec::new();
    while let Some(first) = reports.recv().await {
        let mut next = Some(first);
        while let Some(report) = next.take() {
            match report {
                Report::Event(event) => batch.push(event),
                other => {
                    flush(&mut batch, &mut send); // the events that preceded it go first
                    send(Out::Other(&other));
                }
            }
            if batch.len() >= MAX_BATCH {
                break; // a full batch: send it, then give the webview a frame
            }
            next = reports.try_recv().ok();
        }
        if flush(&mut batch, &mut send) {
            tokio::time::sleep(FRAME).await;
        }
    }
}

/// Sends the batch, if it holds anything, and empties it; says whether it sent one.
fn flush(batch: &mut Vec<EventRecord>, send: &mut impl FnMut(Out<'_>)) -> bool {
    if batch.is_empty() {
        return false;
    }
    send(Out::Events(batch));
    batch.clear();
    true
}

fn emit<R: Runtime>(app: &tauri::AppHandle<R>, out: Out<'_>) {
    let sent = match out {
        Out::Events(events) => app.emit(EVENTS, events),
        Out::Other(Report::Status { feed, status }) => app.emit(
            STATUS,
            StatusPayload {
                feed_id: feed,
                status,
            },
        ),
        Out::Other(Report::Feeds(feeds)) => app.emit(FEEDS, feeds),
        Out::Other(Report::Notice(notice)) => app.emit(NOTICE, notice),
        Out::Other(Report::Silenced(seqs)) => app.emit(SILENCED, seqs),
        Out::Other(Report::Notifications(health)) => app.emit(NOTIFICATIONS, health),
        Out::Other(Report::Activate { feed, seq }) => {
            let intent = crate::window::Intent {
                feed: feed.clone(),
                seq: *seq,
                subscribe: None,
            };
            crate::window::open(app, intent);
            Ok(())
        }
        Out::Other(Report::Event(_)) => unreachable!("events are batched"),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "cannot send a report to the UI");
    }
}

#[cfg(test)]
mod tests {
    use herald_engine::feed::FeedId;
    use herald_engine::{Notice, NoticeLevel};
    use tokio::time::Instant;

    use super::*;

    fn event(seq: u64) -> Report {
        Report::Event(EventRecord {
            seq,
            feed_id: FeedId("f".into()),
            feed_name: "F".into(),
            event_type: "message".into(),
            data: format!("{seq}"),
            last_event_id: String::new(),
            received_at: 0,
            read: false,
            catch_up: false,
            silenced: false,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_flood_goes_out_in_full_batches_a_frame_apart_and_in_order() {
        let (tx, rx) = mpsc::channel(4096);
        for seq in 0..1_200 {
            tx.send(event(seq)).await.unwrap();
        }
        let notice = Notice::new(NoticeLevel::Warning, "after the events");
        tx.send(Report::Notice(notice)).await.unwrap();
        drop(tx);
        let start = Instant::now();
        // (ms since start, what went out)
        let mut sent: Vec<(u128, String)> = Vec::new();
        let mut seqs = Vec::new();
        forward(rx, |out| {
            let what = match out {
                Out::Events(events) => {
                    seqs.extend(events.iter().map(|e| e.seq));
                    format!("{} events", events.len())
                }
                Out::Other(Report::Notice(_)) => "notice".to_owned(),
                Out::Other(_) => "other".to_owned(),
            };
            sent.push((start.elapsed().as_millis(), what));
        })
        .await;
        let frame = FRAME.as_millis();
        let want = [
            (0, "500 events"),
            (frame, "500 events"),
            (2 * frame, "200 events"),
            (2 * frame, "notice"),
        ];
        let got: Vec<(u128, &str)> = sent.iter().map(|(t, w)| (*t, w.as_str())).collect();
        assert_eq!(got, want);
        assert_eq!(
            seqs,
            (0..1_200).collect::<Vec<_>>(),
            "each event once, in order"
        );
    }
}
