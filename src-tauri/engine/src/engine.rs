//! The engine: one actor that owns every feed, the settings and the recent history.
//!
//! Callers hold a clonable [`EngineHandle`] that sends `(command, reply)` pairs to the actor;
//! feeds' supervisors send their events and statuses on one bounded channel. The actor is the
//! only owner of business state, so there is no lock around it: everything it knows, it learned
//! through one of those two channels, in order. What the owner of the engine needs to know leaves
//! as [`Report`]s on one channel.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::Error;
use crate::demo::{self, DemoOptions, DemoServer};
use crate::feed::{
    self, Control, ErrorKind, FeedConfig, FeedDraft, FeedError, FeedId, FeedMessage, FeedOptions,
    FeedStatus, FeedUpdate,
};
use crate::notify::{self, Notification, Notifier};
use crate::report::{EventRecord, FeedView, Notice, NoticeLevel, Report};
use crate::settings::{Settings, SettingsStore};
use crate::time::now_ms;
use crate::triggers;

/// Commands waiting for the actor; small, since each caller waits for its reply anyway.
const COMMAND_QUEUE: usize = 64;
/// Feed messages waiting for the actor. Bounded: when the actor falls behind, supervisors stop
/// reading their sockets (TCP pushes back on the server) instead of growing memory.
const FEED_QUEUE: usize = 1024;
/// Reports waiting for the owner (the UI bridge batches what piles up here).
const REPORT_QUEUE: usize = 4096;
/// Control requests waiting for one supervisor.
const CONTROL_QUEUE: usize = 4;
/// Notices kept for [`EngineHandle::notices`].
const MAX_NOTICES: usize = 50;
/// Places in a control queue that network changes leave free for the user's requests.
const USER_CONTROL_RESERVE: usize = 2;

/// How to start the engine.
pub struct EngineOptions {
    /// Where the settings live.
    pub settings: SettingsStore,
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
    pub fn new(settings: SettingsStore, notifier: Arc<dyn Notifier>) -> EngineOptions {
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
enum Command {
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
    tx: mpsc::Sender<Command>,
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

/// A task that is aborted when this is dropped: removing a feed stops its connection.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A feed the engine runs.
struct Running {
    config: Arc<FeedConfig>,
    status: FeedStatus,
    /// Asks the supervisor to reconnect, pause or resume; a full queue means it already has
    /// requests to act on, so one more can be dropped.
    control: mpsc::Sender<Control>,
    /// The supervisor; dropping it closes the connection.
    _task: AbortOnDrop,
}

/// Starts the engine on the current tokio runtime: loads the settings, starts every feed.
///
/// Returns the handle and the receiver of everything the engine reports.
pub fn start(mut options: EngineOptions) -> (EngineHandle, mpsc::Receiver<Report>) {
    let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
    let (report_tx, report_rx) = mpsc::channel(REPORT_QUEUE);
    let (feed_tx, feed_rx) = mpsc::channel(FEED_QUEUE);
    let notify_tx = notify::spawn_dispatcher(Arc::clone(&options.notifier), report_tx.clone());
    let mut engine = Engine {
        store: options.settings.clone(),
        settings: Settings::default(),
        persist: true,
        feeds: HashMap::new(),
        history: VecDeque::new(),
        history_cap: options.history,
        next_seq: 1,
        notices: Vec::new(),
        reports: report_tx,
        notify: notify_tx,
        feed_tx,
        client: None,
        ca_clients: HashMap::new(),
        feed_options: options.feed_options.clone(),
        demo: None,
        demo_port: options.demo_port,
        demo_options: options.demo_options,
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
    store: SettingsStore,
    settings: Settings,
    /// False when the settings file could not be read: never overwrite what we could not read.
    persist: bool,
    feeds: HashMap<FeedId, Running>,
    /// Recent events, oldest first, at most `history_cap`.
    history: VecDeque<EventRecord>,
    history_cap: usize,
    next_seq: u64,
    notices: Vec<Notice>,
    /// Where reports go; awaiting it is the back-pressure from a slow UI.
    reports: mpsc::Sender<Report>,
    /// The notification dispatcher's queue (never awaited: a full queue drops notifications).
    notify: mpsc::Sender<Notification>,
    /// Cloned into every supervisor.
    feed_tx: mpsc::Sender<FeedMessage>,
    /// One HTTP client for all feeds (`None` if it could not be built: feeds then report it).
    client: Option<reqwest::Client>,
    /// Clients for feeds with their own CA certificate, one per certificate file.
    ca_clients: HashMap<PathBuf, reqwest::Client>,
    feed_options: FeedOptions,
    /// The demo server, while a demo feed is subscribed.
    demo: Option<DemoServer>,
    demo_port: u16,
    demo_options: DemoOptions,
}

impl Engine {
    /// Loads the settings and starts every feed.
    async fn boot(&mut self, demo_on_first_run: bool) {
        match feed::connection::client() {
            Ok(client) => self.client = Some(client),
            Err(e) => {
                self.notice(Notice::new(NoticeLevel::Error, e.message))
                    .await
            }
        }
        let loaded = match self.store.load() {
            Ok(loaded) => loaded,
            Err(e) => {
                self.persist = false;
                let message = format!("{e}. Herald runs without saved feeds and will not save.");
                self.notice(Notice::new(NoticeLevel::Error, message)).await;
                return;
            }
        };
        if let Some(notice) = loaded.notice {
            self.notice(notice).await;
        }
        self.settings = loaded.settings;
        tracing::info!(path = %self.store.path().display(), feeds = self.settings.feeds.len(), "settings loaded");
        for config in self.settings.feeds.clone() {
            if config.demo {
                self.ensure_demo_server().await;
            }
            self.spawn_feed(config);
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
                Some(reason) = triggers.recv() => self.reconnect_all(reason),
            }
        }
        tracing::info!("engine stopped");
    }

    async fn handle(&mut self, command: Command) {
        // A caller that gave up waiting dropped its receiver; nothing to do about that.
        match command {
            Command::ListFeeds(reply) => drop(reply.send(self.views())),
            Command::AddFeed(draft, reply) => {
                let result = match draft.validate() {
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
            Command::Notices(reply) => drop(reply.send(self.notices.clone())),
            Command::Reconnect(id, reply) => {
                let result = self.control(&id, Control::Reconnect("you asked to reconnect".into()));
                drop(reply.send(result));
            }
            Command::SetPaused(id, paused, reply) => {
                drop(reply.send(self.set_paused(&id, paused)));
            }
        }
    }

    async fn on_feed_message(&mut self, message: FeedMessage) {
        // Messages of a feed removed a moment ago may still be queued: drop them.
        let Some(running) = self.feeds.get_mut(&message.feed) else {
            return;
        };
        match message.update {
            FeedUpdate::Event(event) => {
                let config = Arc::clone(&running.config);
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
                running.status = status.clone();
                self.report(Report::Status {
                    feed: message.feed,
                    status,
                })
                .await;
            }
            FeedUpdate::Dropped(why) => {
                let name = running.config.name.clone();
                tracing::warn!(feed = %message.feed, %why, "event dropped");
                self.notice(Notice::new(NoticeLevel::Warning, format!("{name}: {why}.")))
                    .await;
            }
        }
    }

    async fn add(&mut self, config: FeedConfig) -> Result<FeedView, Error> {
        self.settings.feeds.push(config.clone());
        if let Err(e) = self.save() {
            self.settings.feeds.pop();
            return Err(e);
        }
        tracing::info!(feed = %config.id, url = %config.redacted_url(), "feed added");
        let view = FeedView::new(&config, FeedStatus::STARTING);
        self.spawn_feed(config);
        self.report(Report::Feeds(self.views())).await;
        Ok(view)
    }

    async fn add_demo_feed(&mut self) -> Result<FeedView, Error> {
        let port = self.ensure_demo_server().await;
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
        let Some(index) = self.settings.feeds.iter().position(|f| &f.id == id) else {
            return Err(Error::NotFound(id.to_string()));
        };
        let removed = self.settings.feeds.remove(index);
        if let Err(e) = self.save() {
            self.settings.feeds.insert(index, removed);
            return Err(e);
        }
        self.feeds.remove(id); // drops the supervisor: the connection closes
        if !self.settings.feeds.iter().any(|f| f.demo) {
            self.demo = None;
        }
        tracing::info!(feed = %id, "feed removed");
        self.report(Report::Feeds(self.views())).await;
        Ok(())
    }

    /// Makes every feed that is not stopped reconnect now, saying why.
    fn reconnect_all(&self, reason: &str) {
        tracing::info!(%reason, feeds = self.feeds.len(), "reconnecting every feed");
        for running in self.feeds.values() {
            // The last places in the queue are kept for the user's own requests (pause,
            // resume, reconnect), so a burst of network changes cannot crowd them out.
            if running.control.capacity() > USER_CONTROL_RESERVE {
                let _ = running
                    .control
                    .try_send(Control::Refresh(reason.to_owned()));
            }
        }
    }

    /// Sends `control` to a feed's supervisor.
    fn control(&mut self, id: &FeedId, control: Control) -> Result<(), Error> {
        let running = self
            .feeds
            .get(id)
            .ok_or_else(|| Error::NotFound(id.to_string()))?;
        // Full means requests are already queued; the supervisor acts on them at once. Closed
        // means no supervisor listens: the feed could not start (its CA certificate file was
        // unreadable), so start it again from scratch, which retries that too.
        if let Err(mpsc::error::TrySendError::Closed(Control::Reconnect(_) | Control::Resume)) =
            running.control.try_send(control)
        {
            let config = (*running.config).clone();
            self.spawn_feed(config);
        }
        Ok(())
    }

    /// Pauses or resumes a feed, and remembers it in the settings.
    fn set_paused(&mut self, id: &FeedId, paused: bool) -> Result<(), Error> {
        let Some(index) = self.settings.feeds.iter().position(|f| &f.id == id) else {
            return Err(Error::NotFound(id.to_string()));
        };
        let before = self.settings.feeds[index].paused;
        self.settings.feeds[index].paused = paused;
        if let Err(e) = self.save() {
            self.settings.feeds[index].paused = before;
            return Err(e);
        }
        if let Some(running) = self.feeds.get_mut(id) {
            running.config = Arc::new(self.settings.feeds[index].clone());
        }
        self.control(
            id,
            if paused {
                Control::Pause
            } else {
                Control::Resume
            },
        )
    }

    fn spawn_feed(&mut self, config: FeedConfig) {
        let config = Arc::new(config);
        let id = config.id.clone();
        let (control, control_rx) = mpsc::channel(CONTROL_QUEUE);
        let client = self.client_for(&config);
        let (task, status) = match client {
            Ok(client) => {
                let run = feed::supervisor::run(
                    client,
                    Arc::clone(&config),
                    self.feed_options.clone(),
                    String::new(),
                    self.feed_tx.clone(),
                    control_rx,
                );
                let task = tokio::spawn(async move {
                    let _ = run.await; // reconnecting supervisors end only when we stop listening
                });
                (task, FeedStatus::STARTING)
            }
            Err(error) => {
                tracing::warn!(feed = %id, %error, "feed cannot start");
                let status = FeedStatus::NeedsAttention {
                    next_try_at: 0,
                    error,
                };
                (tokio::spawn(async {}), status)
            }
        };
        let running = Running {
            config,
            status,
            control,
            _task: AbortOnDrop(task),
        };
        self.feeds.insert(id, running);
    }

    /// The HTTP client for a feed. Feeds share clients, so feeds on one host share connections
    /// (over HTTP/2, one connection carries them all): one client for the OS trust store, and
    /// one per CA certificate file for self-hosted servers.
    fn client_for(&mut self, config: &FeedConfig) -> Result<reqwest::Client, FeedError> {
        let Some(path) = &config.ca_cert else {
            return self.client.clone().ok_or_else(|| {
                FeedError::new(ErrorKind::Request, "HTTP could not be set up (see notices)")
            });
        };
        if let Some(client) = self.ca_clients.get(path) {
            return Ok(client.clone());
        }
        let client = feed::connection::client_with_ca(path)?;
        self.ca_clients.insert(path.clone(), client.clone());
        Ok(client)
    }

    /// Starts the demo server if it is not running; returns its port.
    async fn ensure_demo_server(&mut self) -> u16 {
        if let Some(server) = &self.demo {
            return server.addr().port();
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.demo_port));
        match DemoServer::start(addr, self.demo_options).await {
            Ok(server) => {
                let port = server.addr().port();
                tracing::info!(%port, "demo server started");
                self.demo = Some(server);
                port
            }
            Err(e) => {
                // Perhaps another Herald (or `herald demo-server`) already serves it: the feed
                // connects to whatever is there and its status tells the user.
                tracing::warn!(error = %e, port = self.demo_port, "demo server not started");
                self.demo_port
            }
        }
    }

    fn save(&self) -> Result<(), Error> {
        if !self.persist {
            return Ok(());
        }
        self.store.save(&self.settings).map_err(|e| {
            tracing::error!(error = %e, "settings not saved");
            Error::Settings(e)
        })
    }

    fn views(&self) -> Vec<FeedView> {
        let status = |id: &FeedId| {
            self.feeds
                .get(id)
                .map_or(FeedStatus::STARTING, |r| r.status.clone())
        };
        self.settings
            .feeds
            .iter()
            .map(|config| FeedView::new(config, status(&config.id)))
            .collect()
    }

    /// Tells the user, and keeps the notice for a window that opens later. A repeat (a feed
    /// sending oversize events one after another) is kept once, and only the latest
    /// [`MAX_NOTICES`] are kept: an app that runs for weeks must not grow.
    async fn notice(&mut self, notice: Notice) {
        if !self.notices.contains(&notice) {
            if self.notices.len() >= MAX_NOTICES {
                self.notices.remove(0);
            }
            self.notices.push(notice.clone());
        }
        self.report(Report::Notice(notice)).await;
    }

    async fn report(&self, report: Report) {
        // The owner may have gone away during shutdown; the engine keeps its state regardless.
        let _ = self.reports.send(report).await;
    }
}
