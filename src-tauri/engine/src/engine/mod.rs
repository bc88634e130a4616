//! The engine: one actor that owns every feed, the settings and the recent history.
//!
//! Callers hold a clonable [`EngineHandle`] that sends `(command, reply)` pairs to the actor;
//! feeds' supervisors send their events and statuses on one bounded channel. The actor is the
//! only owner of business state, so there is no lock around it: everything it knows, it learned
//! through one of those two channels, in order. What the owner of the engine needs to know leaves
//! as [`Report`]s on one channel.
//!
//! - [`handle`]: the options, the commands and the handle that sends them.
//! - [`registry`]: the running feeds (supervisor tasks, control queues, statuses).
//! - [`notices`]: the bounded list of notices kept for a window that opens later.
//! - [`demo_host`]: the built-in demo server, run while a demo feed is subscribed.

mod demo_host;
mod handle;
mod notices;
mod registry;

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::mpsc;

use self::demo_host::DemoHost;
use self::handle::Command;
pub use self::handle::{EngineHandle, EngineOptions};
use self::notices::Notices;
use self::registry::Registry;
use crate::Error;
use crate::demo;
use crate::feed::{Control, FeedConfig, FeedId, FeedMessage, FeedStatus, FeedUpdate};
use crate::notify::{self, Notification};
use crate::report::{EventRecord, FeedView, Notice, NoticeLevel, Report};
use crate::settings::{Settings, SettingsFile};
use crate::time::now_ms;
use crate::triggers;

/// Commands waiting for the actor; small, since each caller waits for its reply anyway.
const COMMAND_QUEUE: usize = 64;
/// Feed messages waiting for the actor. Bounded: when the actor falls behind, supervisors stop
/// reading their sockets (TCP pushes back on the server) instead of growing memory.
const FEED_QUEUE: usize = 1024;
/// Reports waiting for the owner (the UI bridge batches what piles up here).
const REPORT_QUEUE: usize = 4096;

/// Starts the engine on the current tokio runtime: loads the settings, starts every feed.
///
/// Returns the handle and the receiver of everything the engine reports.
pub fn start(mut options: EngineOptions) -> (EngineHandle, mpsc::Receiver<Report>) {
    let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
    let (report_tx, report_rx) = mpsc::channel(REPORT_QUEUE);
    let (feed_tx, feed_rx) = mpsc::channel(FEED_QUEUE);
    let notify_tx = notify::spawn_dispatcher(Arc::clone(&options.notifier), report_tx.clone());
    let mut engine = Engine {
        file: options.settings.clone(),
        settings: Settings::default(),
        feeds: Registry::new(feed_tx, options.feed_options.clone()),
        history: VecDeque::new(),
        history_cap: options.history,
        next_seq: 1,
        notices: Notices::default(),
        reports: report_tx,
        notify: notify_tx,
        demo: DemoHost::new(options.demo_port, options.demo_options),
    };
    tokio::spawn(async move {
        engine.boot(options.demo_on_first_run).await;
        let triggers = options.triggers.take().unwrap_or_else(triggers::watch);
        engine.run(command_rx, feed_rx, triggers).await;
    });
    (EngineHandle { tx: command_tx }, report_rx)
}

/// The actor's state. Only the actor task touches it.
struct Engine {
    /// Where the settings are saved.
    file: SettingsFile,
    /// The settings as last saved; changed only through [`Settings::change`].
    settings: Settings,
    feeds: Registry,
    /// Recent events, oldest first, at most `history_cap`.
    history: VecDeque<EventRecord>,
    history_cap: usize,
    next_seq: u64,
    notices: Notices,
    /// Where reports go; awaiting it is the back-pressure from a slow UI.
    reports: mpsc::Sender<Report>,
    /// The notification dispatcher's queue (never awaited: a full queue drops notifications).
    notify: mpsc::Sender<Notification>,
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
        if let Some(notice) = loaded.notice {
            self.notice(notice).await;
        }
        self.settings = loaded.settings;
        tracing::info!(path = %self.file.path().display(), feeds = self.settings.feeds.len(), "settings loaded");
        for config in self.settings.feeds.clone() {
            if config.demo {
                self.demo.ensure().await;
            }
            self.feeds.start(config).await;
        }
        if loaded.first_run
            && demo_on_first_run
            && let Err(e) = self.add_demo_feed().await
        {
            tracing::warn!(error = %e, "could not subscribe the demo feed");
        }
    }

    async fn run(
        &mut self,
        mut commands: mpsc::Receiver<Command>,
        mut feed_messages: mpsc::Receiver<FeedMessage>,
        mut triggers: mpsc::Receiver<triggers::Reason>,
    ) {
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.handle(command).await,
                    None => break, // every handle is gone: shut down
                },
                Some(message) = feed_messages.recv() => self.on_feed_message(message).await,
                Some(reason) = triggers.recv() => self.feeds.refresh_all(reason),
            }
        }
        tracing::info!("engine stopped");
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
            Command::RecentEvents(limit, reply) => {
                drop(reply.send(self.history.iter().rev().take(limit).cloned().collect()));
            }
            Command::Notices(reply) => drop(reply.send(self.notices.all())),
            Command::Reconnect(id, reply) => {
                let why = Control::Reconnect("you asked to reconnect".into());
                drop(reply.send(self.feeds.control(&id, why).await));
            }
            Command::SetPaused(id, paused, reply) => {
                drop(reply.send(self.set_paused(&id, paused).await));
            }
        }
    }

    async fn on_feed_message(&mut self, message: FeedMessage) {
        // Messages of a feed removed a moment ago may still be queued: drop them.
        let Some(config) = self.feeds.config(&message.feed) else {
            return;
        };
        match message.update {
            FeedUpdate::Event(event) => {
                let notification = notify::policy::render(&config, &event);
                let record = EventRecord {
                    seq: self.next_seq,
                    feed_id: message.feed,
                    feed_name: config.name.clone(),
                    event_type: event.event_type.into(),
                    data: event.data.into(),
                    last_event_id: event.last_event_id.into(),
                    received_at: now_ms(),
                };
                self.next_seq += 1;
                if self.history.len() == self.history_cap {
                    self.history.pop_front();
                }
                self.history.push_back(record.clone());
                self.report(Report::Event(record)).await;
                if self.notify.try_send(notification).is_err() {
                    tracing::warn!(feed = %config.id, "notification queue full: notification dropped");
                }
            }
            FeedUpdate::Status(status) => {
                self.feeds.set_status(&message.feed, status.clone());
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

    async fn add(&mut self, config: FeedConfig) -> Result<FeedView, Error> {
        let added = config.clone();
        self.settings
            .change(&self.file, |s| {
                s.feeds.push(added);
                Ok::<_, Error>(())
            })
            .await?;
        tracing::info!(feed = %config.id, url = %config.redacted_url(), "feed added");
        let view = FeedView::new(&config, FeedStatus::STARTING);
        self.feeds.start(config).await;
        self.report(Report::Feeds(self.views())).await;
        Ok(view)
    }

    async fn add_demo_feed(&mut self) -> Result<FeedView, Error> {
        let port = self.demo.ensure().await;
        let config = FeedConfig {
            id: FeedId::random(),
            name: "Herald demo".to_owned(),
            url: demo::feed_url(port),
            headers: Vec::new(),
            demo: true,
            paused: false,
            ca_cert: None,
            idle_timeout_secs: None,
        };
        self.add(config).await
    }

    async fn remove(&mut self, id: &FeedId) -> Result<(), Error> {
        self.settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds.remove(index);
                Ok::<_, Error>(())
            })
            .await?;
        self.feeds.stop(id); // the supervisor is dropped: the connection closes
        if !self.settings.feeds.iter().any(|f| f.demo) {
            self.demo.stop();
        }
        tracing::info!(feed = %id, "feed removed");
        self.report(Report::Feeds(self.views())).await;
        Ok(())
    }

    /// Pauses or resumes a feed, and remembers it in the settings.
    async fn set_paused(&mut self, id: &FeedId, paused: bool) -> Result<(), Error> {
        let config = self
            .settings
            .change(&self.file, |s| {
                let index = position(s, id)?;
                s.feeds[index].paused = paused;
                Ok::<_, Error>(s.feeds[index].clone())
            })
            .await?;
        self.feeds.set_config(&config);
        let control = if paused {
            Control::Pause
        } else {
            Control::Resume
        };
        self.feeds.control(id, control).await
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

/// Where feed `id` is in the settings' list.
fn position(settings: &Settings, id: &FeedId) -> Result<usize, Error> {
    settings
        .feeds
        .iter()
        .position(|f| &f.id == id)
        .ok_or_else(|| Error::NotFound(id.to_string()))
}
