//! How callers reach the engine: the options it starts with, the commands it takes, and the
//! clonable [`EngineHandle`] that sends them.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::Error;
use crate::demo::{self, DemoOptions};
use crate::feed::{FeedDraft, FeedId, FeedOptions};
use crate::notify::Notifier;
use crate::report::{EventRecord, FeedView, Notice};
use crate::settings::SettingsFile;
use crate::triggers;

/// How to start the engine.
pub struct EngineOptions {
    /// Where the settings live.
    pub settings: SettingsFile,
    /// Who shows notifications.
    pub notifier: Arc<dyn Notifier>,
    /// Connection options for every feed.
    pub feed_options: FeedOptions,
    /// The loopback port of the built-in demo feed (0: any free port, for tests).
    pub demo_port: u16,
    /// Pacing of the demo feed.
    pub demo_options: DemoOptions,
    /// Subscribe the demo feed when there is no settings file yet.
    pub demo_on_first_run: bool,
    /// How many recent events the engine keeps for [`EngineHandle::recent_events`].
    pub history: usize,
    /// What makes every feed reconnect (`None`: the computer's own sleep and network watchers,
    /// [`triggers::watch`]); tests send their own.
    pub triggers: Option<mpsc::Receiver<triggers::Reason>>,
}

impl EngineOptions {
    /// Defaults for the desktop app, with settings in `settings` and notifications by `notifier`.
    pub fn new(settings: SettingsFile, notifier: Arc<dyn Notifier>) -> EngineOptions {
        EngineOptions {
            settings,
            notifier,
            feed_options: FeedOptions::default(),
            demo_port: demo::DEFAULT_PORT,
            demo_options: DemoOptions::default(),
            demo_on_first_run: true,
            history: 1000,
            triggers: None,
        }
    }
}

/// A request to the actor, with where to send the answer.
pub(super) enum Command {
    ListFeeds(oneshot::Sender<Vec<FeedView>>),
    AddFeed(FeedDraft, oneshot::Sender<Result<FeedView, Error>>),
    AddDemoFeed(oneshot::Sender<Result<FeedView, Error>>),
    RemoveFeed(FeedId, oneshot::Sender<Result<(), Error>>),
    RecentEvents(usize, oneshot::Sender<Vec<EventRecord>>),
    Notices(oneshot::Sender<Vec<Notice>>),
    Reconnect(FeedId, oneshot::Sender<Result<(), Error>>),
    SetPaused(FeedId, bool, oneshot::Sender<Result<(), Error>>),
}

/// A handle to the running engine. Cheap to clone; the engine stops when the last one is dropped.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    /// The actor's command queue.
    pub(super) tx: mpsc::Sender<Command>,
}

impl EngineHandle {
    async fn call<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, Error> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(command(reply))
            .await
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)
    }

    /// Every feed with its current status, in the order the user added them.
    pub async fn list_feeds(&self) -> Result<Vec<FeedView>, Error> {
        self.call(Command::ListFeeds).await
    }

    /// Validates, saves and starts a new feed.
    pub async fn add_feed(&self, draft: FeedDraft) -> Result<FeedView, Error> {
        self.call(|reply| Command::AddFeed(draft, reply)).await?
    }

    /// Subscribes Herald's built-in demo feed (starting the demo server).
    pub async fn add_demo_feed(&self) -> Result<FeedView, Error> {
        self.call(Command::AddDemoFeed).await?
    }

    /// Stops and forgets a feed.
    pub async fn remove_feed(&self, id: FeedId) -> Result<(), Error> {
        self.call(|reply| Command::RemoveFeed(id, reply)).await?
    }

    /// Up to `limit` recent events, newest first.
    pub async fn recent_events(&self, limit: usize) -> Result<Vec<EventRecord>, Error> {
        self.call(|reply| Command::RecentEvents(limit, reply)).await
    }

    /// Drops the feed's connection or wait and connects now (the "Reconnect now" button).
    pub async fn reconnect(&self, id: FeedId) -> Result<(), Error> {
        self.call(|reply| Command::Reconnect(id, reply)).await?
    }

    /// Pauses (`true`) or resumes a feed; a paused feed stays disconnected across restarts.
    pub async fn set_paused(&self, id: FeedId, paused: bool) -> Result<(), Error> {
        self.call(|reply| Command::SetPaused(id, paused, reply))
            .await?
    }

    /// Notices raised since startup that the user has to see (e.g. a corrupt settings file).
    pub async fn notices(&self) -> Result<Vec<Notice>, Error> {
        self.call(Command::Notices).await
    }
}
