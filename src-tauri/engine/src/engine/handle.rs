//! How callers reach the engine: the options it starts with, the commands it takes, and the
//! clonable [`EngineHandle`] that sends them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::Error;
use crate::demo::{self, DemoOptions};
use crate::feed::probe::{self, FeedTest};
use crate::feed::{FeedConfig, FeedDraft, FeedId, FeedOptions};
use crate::notify::rule::{FeedRule, Mapping, Mute, NotifySettings};
use crate::notify::{Message, NoOpener, Notifier, NotifyError, Opener};
use crate::report::{EventRecord, FeedView, Notice, NotifyHealth};
use crate::settings::feeds::{Exported, ImportSummary};
use crate::settings::{GeneralSettings, SettingsFile};
use crate::store::{Query, ReadMark, StoreHandle};
use crate::triggers;

/// How to start the engine.
pub struct EngineOptions {
    /// Where the settings live.
    pub settings: SettingsFile,
    /// The event store's database file.
    pub store: PathBuf,
    /// Who shows notifications.
    pub notifier: Arc<dyn Notifier>,
    /// Who opens a notification's link (default: nobody, [`NoOpener`]).
    pub opener: Arc<dyn Opener>,
    /// Connection options for every feed.
    pub feed_options: FeedOptions,
    /// The loopback port of the built-in demo feed (0: any free port, for tests).
    pub demo_port: u16,
    /// Pacing of the demo feed.
    pub demo_options: DemoOptions,
    /// Subscribe the demo feed when there is no settings file yet.
    pub demo_on_first_run: bool,
    /// What makes every feed reconnect (`None`: the computer's own sleep and network watchers,
    /// [`triggers::watch`]); tests send their own.
    pub triggers: Option<mpsc::Receiver<triggers::Reason>>,
}

impl EngineOptions {
    /// Defaults for the desktop app, with settings in `settings`, events in the database at
    /// `store` and notifications by `notifier`.
    pub fn new(
        settings: SettingsFile,
        store: PathBuf,
        notifier: Arc<dyn Notifier>,
    ) -> EngineOptions {
        EngineOptions {
            settings,
            store,
            notifier,
            opener: Arc::new(NoOpener),
            feed_options: FeedOptions::default(),
            demo_port: demo::DEFAULT_PORT,
            demo_options: DemoOptions::default(),
            demo_on_first_run: true,
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
    Notices(oneshot::Sender<Vec<Notice>>),
    Reconnect(FeedId, oneshot::Sender<Result<(), Error>>),
    SetPaused(FeedId, bool, oneshot::Sender<Result<(), Error>>),
    SetAllPaused(bool, oneshot::Sender<Result<(), Error>>),
    /// Records that the user was told `hint`; answers whether this was the first time.
    FirstTime(&'static str, oneshot::Sender<Result<bool, Error>>),
    UpdateFeed(FeedId, FeedDraft, oneshot::Sender<Result<FeedView, Error>>),
    FindFeed(String, oneshot::Sender<Result<FeedView, Error>>),
    /// A feed's saved configuration, secrets included: for the feed test, never for the UI.
    Config(FeedId, oneshot::Sender<Result<FeedConfig, Error>>),
    General(oneshot::Sender<GeneralSettings>),
    SetGeneral(GeneralSettings, oneshot::Sender<Result<(), Error>>),
    Export(bool, oneshot::Sender<Exported>),
    Import(Box<Exported>, oneshot::Sender<Result<ImportSummary, Error>>),
    Notifications(NotifyCommand),
    Shutdown(oneshot::Sender<()>),
}

/// A change to the notification rules (see [`super::notifications`]).
pub(super) enum NotifyCommand {
    Get(oneshot::Sender<NotifySettings>),
    SetFeedRule(FeedId, Box<FeedRule>, oneshot::Sender<Result<(), Error>>),
    SetGlobal(Box<NotifySettings>, oneshot::Sender<Result<(), Error>>),
    Mute(FeedId, MuteFor, oneshot::Sender<Result<Mute, Error>>),
    MuteAll(MuteFor, oneshot::Sender<Result<Mute, Error>>),
    Test(oneshot::Sender<Result<(), NotifyError>>),
    Tell(String, String, oneshot::Sender<Result<(), NotifyError>>),
    Health(oneshot::Sender<NotifyHealth>),
}

/// How long to mute a feed for (the choices the app offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MuteFor {
    /// One hour from now.
    Hour,
    /// Eight hours from now.
    EightHours,
    /// Until 08:00 tomorrow, local time.
    UntilTomorrow,
    /// Until unmuted.
    Forever,
    /// Unmute.
    Off,
}

/// A handle to the running engine. Cheap to clone; the engine stops when the last one is dropped.
/// Commands go to the actor; reads of the event store go straight to the store's reader.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    /// The actor's command queue.
    pub(super) tx: mpsc::Sender<Command>,
    /// The event store, for reads and read marks (which need nothing of the actor).
    pub(super) store: StoreHandle,
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

    /// Saves an edit of a feed (keeping its id, history and resume point; a header with a blank
    /// value keeps its saved value) and reconnects it.
    pub async fn update_feed(&self, id: FeedId, draft: FeedDraft) -> Result<FeedView, Error> {
        self.call(|reply| Command::UpdateFeed(id, draft, reply))
            .await?
    }

    /// Connects once with the feed `draft` describes and says what came (see [`probe`]): as an
    /// edit of feed `id` when given, so a header left blank is sent with its saved value.
    /// Invalid drafts are refused as [`EngineHandle::add_feed`] refuses them. Nothing is saved
    /// and no running feed is touched; the test runs on the caller's task, not the actor's.
    pub async fn test_feed(&self, draft: FeedDraft, id: Option<FeedId>) -> Result<FeedTest, Error> {
        let existing = match id {
            Some(id) => Some(self.call(|reply| Command::Config(id, reply)).await??),
            None => None,
        };
        // Validation reads the CA file, if any: off the async threads.
        let config = tokio::task::spawn_blocking(move || match &existing {
            Some(existing) => draft.validate_edit(existing),
            None => draft.validate(),
        })
        .await
        .expect("validation does not panic")?;
        Ok(probe::probe(&config).await)
    }

    /// The settings for the whole app: default retention and theme.
    pub async fn general_settings(&self) -> Result<GeneralSettings, Error> {
        self.call(Command::General).await
    }

    /// Saves the settings for the whole app; the store prunes to the new retention.
    pub async fn set_general_settings(&self, general: GeneralSettings) -> Result<(), Error> {
        self.call(|reply| Command::SetGeneral(general, reply))
            .await?
    }

    /// The feed with id `key`, or else the one named `key`.
    pub async fn find_feed(&self, key: String) -> Result<FeedView, Error> {
        self.call(|reply| Command::FindFeed(key, reply)).await?
    }

    /// The feed list as an export (header values only `with_secrets`).
    pub async fn export_feeds(&self, with_secrets: bool) -> Result<Exported, Error> {
        self.call(|reply| Command::Export(with_secrets, reply))
            .await
    }

    /// Adds or updates the feeds of an export.
    pub async fn import_feeds(&self, exported: Exported) -> Result<ImportSummary, Error> {
        self.call(|reply| Command::Import(Box::new(exported), reply))
            .await?
    }

    /// Up to `limit` recent events, newest first.
    pub async fn recent_events(&self, limit: usize) -> Result<Vec<EventRecord>, Error> {
        let query = Query {
            limit,
            ..Query::default()
        };
        self.events(query).await
    }

    /// One page of stored events matching `query`, newest first.
    pub async fn events(&self, query: Query) -> Result<Vec<EventRecord>, Error> {
        Ok(self.store.page(query).await?)
    }

    /// How many stored events match `query` (its `offset` and `limit` ignored).
    pub async fn count_events(&self, query: Query) -> Result<u64, Error> {
        Ok(self.store.count(query).await?)
    }

    /// How many unread events each feed has (feeds with none left out).
    pub async fn unread_counts(&self) -> Result<HashMap<FeedId, u64>, Error> {
        Ok(self.store.unread_counts().await?)
    }

    /// Marks one event, a feed's or all events read.
    pub async fn mark_read(&self, mark: ReadMark) -> Result<(), Error> {
        Ok(self.store.mark_read(mark).await?)
    }

    /// Stops every feed and writes everything received to the store; returns when done. The
    /// engine takes no more commands after this.
    pub async fn shutdown(&self) -> Result<(), Error> {
        self.call(Command::Shutdown).await
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

    /// Pauses (`true`) or resumes every feed, saved in one write.
    pub async fn set_all_paused(&self, paused: bool) -> Result<(), Error> {
        self.call(|reply| Command::SetAllPaused(paused, reply))
            .await?
    }

    /// Records in the settings that the user was told `hint` (one of [`crate::settings::hints`]);
    /// `true` only the first time, so a hint is said once ever.
    pub async fn first_time(&self, hint: &'static str) -> Result<bool, Error> {
        self.call(|reply| Command::FirstTime(hint, reply)).await?
    }

    /// Notices raised since startup that the user has to see (e.g. a corrupt settings file).
    pub async fn notices(&self) -> Result<Vec<Notice>, Error> {
        self.call(Command::Notices).await
    }

    /// The notification rules: per feed, quiet hours, flood limits, silence rules.
    pub async fn notification_settings(&self) -> Result<NotifySettings, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::Get(reply)))
            .await
    }

    /// Saves one feed's notification rule.
    pub async fn set_feed_rule(&self, feed: FeedId, rule: FeedRule) -> Result<(), Error> {
        let command = |reply| NotifyCommand::SetFeedRule(feed, Box::new(rule), reply);
        self.call(|reply| Command::Notifications(command(reply)))
            .await?
    }

    /// Saves the rules for every feed (quiet hours, flood limits, silence rules); the per-feed
    /// rules in `rules` are ignored (see [`EngineHandle::set_feed_rule`]).
    pub async fn set_notification_defaults(&self, rules: NotifySettings) -> Result<(), Error> {
        let command = |reply| NotifyCommand::SetGlobal(Box::new(rules), reply);
        self.call(|reply| Command::Notifications(command(reply)))
            .await?
    }

    /// Mutes (or unmutes) a feed's notifications; returns the mute as saved, with its end.
    pub async fn mute(&self, feed: FeedId, how_long: MuteFor) -> Result<Mute, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::Mute(feed, how_long, reply)))
            .await?
    }

    /// Quiets (or unquiets) the notifications of every feed ("Quiet for 1 hour" in the tray);
    /// returns the mute as saved. A feed's own longer mute still holds.
    pub async fn mute_all(&self, how_long: MuteFor) -> Result<Mute, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::MuteAll(how_long, reply)))
            .await?
    }

    /// What the feed's newest stored event looks like as a notification with `mapping` (the
    /// editor's live preview); `None` when the feed has no event yet.
    pub async fn preview_notification(
        &self,
        feed: FeedId,
        mapping: Mapping,
    ) -> Result<Option<Message>, Error> {
        let query = Query {
            feed: Some(feed),
            limit: 1,
            ..Query::default()
        };
        let newest = self.store.page(query).await?.into_iter().next();
        Ok(newest.map(|record| crate::notify::present::render(&record, &mapping)))
    }

    /// Whether notifications work (why not, when they do not).
    pub async fn notification_health(&self) -> Result<NotifyHealth, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::Health(reply)))
            .await
    }

    /// Shows Herald's own notification (not an event's: no rule applies); the error says why it
    /// could not be shown.
    pub async fn tell(
        &self,
        title: String,
        body: String,
    ) -> Result<Result<(), NotifyError>, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::Tell(title, body, reply)))
            .await
    }

    /// Shows a test notification; the error says why it could not be shown.
    pub async fn send_test_notification(&self) -> Result<Result<(), NotifyError>, Error> {
        self.call(|reply| Command::Notifications(NotifyCommand::Test(reply)))
            .await
    }
}
