//! The engine: one actor that owns every feed and the settings, and hands events to the store.
//!
//! Callers hold a clonable [`EngineHandle`] that sends `(command, reply)` pairs to the actor;
//! feeds' supervisors send their events and statuses on one bounded channel. The actor is the
//! only owner of business state, so there is no lock around it: everything it knows, it learned
//! through one of its channels, in order. An event goes from its supervisor through the actor to
//! the store's writer, and only once it is committed does it come back to the actor to leave as a
//! [`Report`] and a notification: nothing is shown that a crash could take back.
//!
//! - [`handle`]: the options, the commands and the handle that sends them.
//! - [`registry`]: the running feeds (supervisor tasks, control queues, statuses).
//! - [`notices`]: the bounded list of notices kept for a window that opens later.
//! - [`subscriptions`]: changing the feed list (saved first, then supervisors and store).
//! - [`delivery`]: after the commit: reports, notifications, store notices.
//! - [`notifications`]: the notification rules (kept in the settings), previews, the test
//!   notification.
//! - [`demo_host`]: the built-in demo server, run while a demo feed is subscribed.
//! - [`keychain`]: feeds waiting for their header values from the keychain; values moved into it.

mod delivery;
mod demo_host;
mod handle;
mod keychain;
mod notices;
mod notifications;
mod registry;
mod subscriptions;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use self::demo_host::DemoHost;
use self::handle::Command;
pub use self::handle::{EngineHandle, EngineOptions, MuteFor};
use self::notices::Notices;
use self::registry::Registry;
use crate::Error;
use crate::feed::{Control, FeedId, FeedMessage, FeedUpdate};
use crate::notify::{self, Pipeline};
use crate::report::{FeedView, Notice, NoticeLevel, Report};
use crate::settings::{GeneralSettings, Settings, SettingsFile};
use crate::store::{self, StoreHandle, StoreReport};
use crate::time::now_ms;
use crate::triggers;

/// Commands waiting for the actor; small, since each caller waits for its reply anyway.
const COMMAND_QUEUE: usize = 64;
/// Feed messages waiting for the actor. Bounded: when the actor falls behind, supervisors stop
/// reading their sockets (TCP pushes back on the server) instead of growing memory.
const FEED_QUEUE: usize = 1024;
/// Reports waiting for the owner (the UI bridge batches what piles up here).
const REPORT_QUEUE: usize = 4096;
/// At most this many events left unnotified by a crash are summarised at the next start.
const LEFTOVERS: usize = 2_000;
/// How often the store prunes to the retention limits.
const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);
/// How long shutdown waits for the store to write what it holds.
const SHUTDOWN_FLUSH: Duration = Duration::from_secs(10);

/// Starts the engine on the current tokio runtime: loads the settings, starts every feed.
///
/// Returns the handle and the receiver of everything the engine reports.
pub fn start(mut options: EngineOptions) -> (EngineHandle, mpsc::Receiver<Report>) {
    let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
    let (report_tx, report_rx) = mpsc::channel(REPORT_QUEUE);
    let (feed_tx, feed_rx) = mpsc::channel(FEED_QUEUE);
    let (store, store_rx) = store::open(&options.store);
    let pipeline = notify::dispatcher::spawn(
        Arc::clone(&options.notifier),
        Arc::clone(&options.opener),
        Default::default(),
        report_tx.clone(),
        store.clone(),
    );
    let mut engine = Engine {
        file: options.settings.clone(),
        settings: Settings::default(),
        feeds: Registry::new(feed_tx, options.feed_options.clone()),
        store: store.clone(),
        notices: Notices::default(),
        reports: report_tx,
        pipeline,
        demo: DemoHost::new(options.demo_port, options.demo_options),
    };
    tokio::spawn(async move {
        engine.boot(options.demo_on_first_run).await;
        let triggers = options.triggers.take().unwrap_or_else(triggers::watch);
        engine.run(command_rx, feed_rx, store_rx, triggers).await;
    });
    let handle = EngineHandle {
        tx: command_tx,
        store,
    };
    (handle, report_rx)
}

/// The actor's state. Only the actor task touches it.
struct Engine {
    /// Where the settings are saved.
    file: SettingsFile,
    /// The settings as last saved; changed only through [`Settings::change`].
    settings: Settings,
    feeds: Registry,
    /// Where events are kept; they come back through the store's reports once committed.
    store: StoreHandle,
    notices: Notices,
    /// Where reports go; awaiting it is the back-pressure from a slow UI.
    reports: mpsc::Sender<Report>,
    /// The notification pipeline, handed every committed event and the rules.
    pipeline: Pipeline,
    demo: DemoHost,
}

impl Engine {
    /// Loads the settings and starts every feed.
    async fn boot(&mut self, demo_on_first_run: bool) {
        if let Err(e) = self.feeds.prepare().await {
            self.notice(Notice::new(NoticeLevel::Error, e.message))
                .await;
        }
        let file = self.file.clone();
        let loaded = tokio::task::spawn_blocking(move || file.load())
            .await
            .expect("loading the settings does not panic");
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                self.file.stop_writing();
                let message = format!("{e}. Herald runs without saved feeds and will not save.");
                self.notice(Notice::new(NoticeLevel::Error, message)).await;
                return;
            }
        };
        if loaded.read_only {
            self.file.stop_writing();
        }
        if let Some(notice) = loaded.notice {
            self.notice(notice).await;
        }
        self.settings = loaded.settings;
        let rules = self.settings.notifications.clone();
        self.pipeline.send(notify::Input::Rules(rules)).await;
        self.notify_leftovers().await;
        tracing::info!(path = %self.file.path().display(), feeds = self.settings.feeds.len(), "settings loaded");
        let mut cursors = match self.store.cursors().await {
            Ok(cursors) => cursors,
            Err(e) => {
                tracing::error!(error = %e, "store: resume points not read");
                HashMap::new()
            }
        };
        // Feeds the store knows but the settings do not were removed while Herald was closed.
        let subscribed: HashSet<&FeedId> = self.settings.feeds.iter().map(|f| &f.id).collect();
        let gone: Vec<FeedId> = cursors
            .keys()
            .filter(|id| !subscribed.contains(id))
            .cloned()
            .collect();
        for id in gone {
            self.store_write(self.store.forget(id)).await;
        }
        for config in self.settings.feeds.clone() {
            if config.demo {
                self.demo.ensure().await;
            }
            let cursor = cursors.remove(&config.id).unwrap_or_default();
            if !cursor.last_event_id.is_empty() {
                tracing::info!(feed = %config.id, "resuming from the stored last event id");
            }
            self.start_feed(config, cursor).await;
        }
        self.sync_retention().await;
        self.move_into_keychain().await;
        if loaded.first_run
            && demo_on_first_run
            && let Err(e) = self.add_demo_feed().await
        {
            tracing::warn!(error = %e, "could not subscribe the demo feed");
        }
    }

    /// Events a crash kept from being notified go to the pipeline as catch-up: one summary per
    /// feed, not one notification each, and never one already shown.
    async fn notify_leftovers(&mut self) {
        let (newest, older) = match self.store.unnotified(LEFTOVERS).await {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "store: events left unnotified not read");
                return;
            }
        };
        if !older.is_empty() {
            tracing::info!(
                events = older.len(),
                "too many left unnotified: the oldest are not summarised"
            );
            self.store_write(self.store.mark_notified(older)).await;
        }
        if !newest.is_empty() {
            tracing::info!(events = newest.len(), "summarising events left unnotified");
        }
        for mut record in newest {
            record.catch_up = true;
            self.pipeline.send(notify::Input::Event(record)).await;
        }
    }

    async fn run(
        &mut self,
        mut commands: mpsc::Receiver<Command>,
        mut feed_messages: mpsc::Receiver<FeedMessage>,
        mut store_reports: mpsc::UnboundedReceiver<StoreReport>,
        mut triggers: mpsc::Receiver<triggers::Reason>,
    ) {
        let mut prune = tokio::time::interval(PRUNE_EVERY);
        // Only polled while a feed waits for the keychain: otherwise it costs no wake-up.
        let mut keychain = tokio::time::interval(registry::KEYCHAIN_RETRY);
        keychain.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let shutdown = loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Shutdown(reply)) => break Some(reply),
                    Some(command) => self.handle(command).await,
                    None => break None, // every handle is gone: shut down
                },
                Some(message) = feed_messages.recv() => self.on_feed_message(message).await,
                Some(report) = store_reports.recv() => self.on_store_report(report).await,
                Some(reason) = triggers.recv() => self.feeds.refresh_all(reason),
                _ = prune.tick() => self.store_write(self.store.prune()).await,
                _ = keychain.tick(), if self.waiting_for_keychain() => drop(self.retry_keychain().await),
            }
        };
        // Feeds first, so nothing new arrives; then what was received goes to disk, and what
        // the store committed goes out as reports.
        self.feeds.stop_all();
        while let Ok(message) = feed_messages.try_recv() {
            self.on_feed_message(message).await;
        }
        match tokio::time::timeout(SHUTDOWN_FLUSH, self.store.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "store: not flushed at shutdown"),
            Err(_) => tracing::error!("store: flush at shutdown took too long"),
        }
        while let Ok(report) = store_reports.try_recv() {
            self.on_store_report(report).await;
        }
        // Notifications last: what the pipeline still holds for a summary stays unnotified in
        // the store and is summarised at the next start; what it records goes to disk too.
        let (stopped, done) = tokio::sync::oneshot::channel();
        self.pipeline.send(notify::Input::Stop(stopped)).await;
        let _ = tokio::time::timeout(SHUTDOWN_FLUSH, done).await;
        if let Err(e) = self.store.flush().await {
            tracing::error!(error = %e, "store: not flushed at shutdown");
        }
        tracing::info!("engine stopped");
        if let Some(reply) = shutdown {
            let _ = reply.send(());
        }
    }

    async fn handle(&mut self, command: Command) {
        // A caller that gave up waiting dropped its receiver; nothing to do about that.
        match command {
            Command::ListFeeds(reply) => drop(reply.send(self.views())),
            Command::AddFeed(draft, reply) => {
                // Validation reads the CA file, if any: off the actor's thread.
                let validated = tokio::task::spawn_blocking(move || draft.validate()).await;
                let result = match validated.expect("validation does not panic") {
                    Ok(config) => self.add(config).await,
                    Err(e) => Err(e.into()),
                };
                drop(reply.send(result));
            }
            Command::AddDemoFeed(reply) => drop(reply.send(self.add_demo_feed().await)),
            Command::RemoveFeed(id, reply) => drop(reply.send(self.remove(&id).await)),
            Command::Notices(reply) => drop(reply.send(self.notices.all())),
            Command::Reconnect(id, reply) => {
                // A feed waiting for the keychain reconnects by asking it again, now; once
                // given its values it has just started, so it needs no second connection.
                let started =
                    self.waits_for_keychain(&id) && self.retry_keychain().await.contains(&id);
                let result = if started {
                    Ok(())
                } else {
                    let why = Control::Reconnect("you asked to reconnect".into());
                    self.feeds.control(&id, why).await
                };
                drop(reply.send(result));
            }
            Command::SetPaused(id, paused, reply) => {
                drop(reply.send(self.set_paused(&id, paused).await));
            }
            Command::SetAllPaused(paused, reply) => {
                drop(reply.send(self.set_all_paused(paused).await));
            }
            Command::FirstTime(hint, reply) => {
                let first = self
                    .settings
                    .change(&self.file, |s| {
                        Ok::<_, Error>(s.hints.insert(hint.to_owned()))
                    })
                    .await;
                drop(reply.send(first));
            }
            Command::UpdateFeed(id, draft, reply) => {
                drop(reply.send(self.update(&id, draft).await));
            }
            Command::FindFeed(key, reply) => {
                let found = self.settings.find_feed(&key).map(|index| {
                    let id = &self.settings.feeds[index].id;
                    self.views().into_iter().find(|v| &v.id == id)
                });
                let found = found.and_then(|view| view.ok_or(Error::NotFound(key)));
                drop(reply.send(found));
            }
            Command::Config(id, reply) => {
                let found = subscriptions::position(&self.settings, &id);
                drop(reply.send(found.map(|index| self.settings.feeds[index].clone())));
            }
            Command::General(reply) => drop(reply.send(self.settings.general())),
            Command::SetGeneral(general, reply) => {
                drop(reply.send(self.set_general(general).await));
            }
            Command::Export(with_secrets, reply) => {
                drop(reply.send(self.settings.export(with_secrets)));
            }
            Command::Import(exported, reply) => drop(reply.send(self.import(*exported).await)),
            Command::Notifications(command) => self.on_notifications(command).await,
            Command::Shutdown(_) => unreachable!("handled by the loop"),
        }
    }

    /// Saves the settings for the whole app, then has the store prune to the new retention.
    /// Saving moves header values where the keychain choice says; the feed list reports it.
    async fn set_general(&mut self, general: GeneralSettings) -> Result<(), Error> {
        general.validate()?;
        let keychain_before = self.settings.keychain;
        self.settings
            .change(&self.file, |s| {
                s.set_general(general);
                Ok::<_, Error>(())
            })
            .await?;
        self.sync_retention().await;
        if self.settings.keychain != keychain_before {
            self.report(Report::Feeds(self.views())).await;
        }
        Ok(())
    }

    async fn on_feed_message(&mut self, message: FeedMessage) {
        // Messages of a feed removed a moment ago may still be queued: drop them.
        let Some(config) = self.feeds.config(&message.feed) else {
            return;
        };
        match message.update {
            FeedUpdate::Event(received) => {
                let append = self.store.append(message.feed, received, now_ms());
                self.store_write(append).await;
            }
            FeedUpdate::Cursor(cursor) => {
                self.store_write(self.store.set_cursor(message.feed, cursor))
                    .await;
            }
            FeedUpdate::Detected(mode) => self.remember_resume_mode(&message.feed, mode).await,
            FeedUpdate::Status(status) => {
                self.feeds.set_status(&message.feed, status.clone());
                let alert = notify::Input::Status {
                    feed: message.feed.clone(),
                    name: config.name.clone(),
                    status: status.clone(),
                };
                if !self.pipeline.try_send(alert) {
                    tracing::debug!(feed = %message.feed, "notification pipeline full: status not passed on");
                }
                self.report(Report::Status {
                    feed: message.feed,
                    status,
                })
                .await;
            }
            FeedUpdate::Dropped(why) => {
                tracing::warn!(feed = %message.feed, %why, "event dropped");
                let text = format!("{}: {why}.", config.name);
                self.notice(Notice::new(NoticeLevel::Warning, text)).await;
            }
        }
    }

    /// Waits for a write to be queued; the store's threads only stop when the engine does, so a
    /// failure here is logged, never fatal.
    async fn store_write(&self, queued: impl Future<Output = Result<(), store::StoreError>>) {
        if let Err(e) = queued.await {
            tracing::error!(error = %e, "store: write not queued");
        }
    }

    fn views(&self) -> Vec<FeedView> {
        self.feeds.views(&self.settings.feeds)
    }

    /// Tells the user, and keeps the notice for a window that opens later.
    async fn notice(&mut self, notice: Notice) {
        self.notices.keep(&notice);
        self.report(Report::Notice(notice)).await;
    }

    async fn report(&self, report: Report) {
        // The owner may have gone away during shutdown; the engine keeps its state regardless.
        let _ = self.reports.send(report).await;
    }
}
