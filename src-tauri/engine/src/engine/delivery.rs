//! After the commit: what the store reports becomes reports for the UI, notifications, and
//! notices when the store cannot write.

use super::Engine;
use crate::notify;
use crate::report::{Notice, NoticeLevel, Report};
use crate::store::StoreReport;

impl Engine {
    /// What the store committed or could not: events go out to the UI and to notifications.
    pub(super) async fn on_store_report(&mut self, report: StoreReport) {
        match report {
            StoreReport::Committed(records) => {
                // Events the pipeline had no room for, said once per batch (a flood would
                // otherwise write one log line per event).
                let mut left: Option<(u64, u64, usize)> = None;
                for record in records {
                    // An event of a feed removed while it was being written is not announced.
                    if self.feeds.config(&record.feed_id).is_none() {
                        continue;
                    }
                    let seq = record.seq;
                    self.report(Report::Event(record.clone())).await;
                    // Never awaited: a notification server that hangs must not stall feeds. An
                    // event the pipeline had no room for stays unnotified in the store (the
                    // pipeline records what it dealt with), and is summarised at the next start.
                    if !self.pipeline.try_send(notify::Input::Event(record)) {
                        left = Some(match left {
                            None => (seq, seq, 1),
                            Some((first, _, n)) => (first, seq, n + 1),
                        });
                    }
                }
                if let Some((first, last, count)) = left {
                    tracing::warn!(
                        count,
                        first,
                        last,
                        "notification pipeline full: events left for the next start"
                    );
                }
            }
            StoreReport::Failing(why) => {
                let message = format!(
                    "Herald cannot save events: {why} ({}). Feeds stay connected; new events \
                     wait in memory and appear as soon as Herald can save them again.",
                    self.store.path().display()
                );
                self.notice(Notice::new(NoticeLevel::Error, message)).await;
            }
            StoreReport::Recovered => {
                let message = "Herald can save events again; the events that waited are saved.";
                self.notice(Notice::new(NoticeLevel::Info, message)).await;
            }
            StoreReport::MovedAside(aside) => {
                let message = format!(
                    "Herald's event history could not be read (the file is damaged). It was \
                     kept as {} and Herald started a new history.",
                    aside.display()
                );
                self.notice(Notice::new(NoticeLevel::Error, message)).await;
            }
        }
    }
}
