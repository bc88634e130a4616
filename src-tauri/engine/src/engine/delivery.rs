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
                let mut notified = Vec::new();
                for record in records {
                    // An event of a feed removed while it was being written is not announced.
                    let Some(config) = self.feeds.config(&record.feed_id) else {
                        continue;
                    };
                    let notification = notify::policy::render(&config, &record);
                    let seq = record.seq;
                    self.report(Report::Event(record)).await;
                    if self.notify.try_send(notification).is_ok() {
                        notified.push(seq);
                    } else {
                        tracing::warn!(feed = %config.id, "notification queue full: notification dropped");
                    }
                }
                if !notified.is_empty() {
                    self.store_write(self.store.mark_notified(notified)).await;
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
