//! The feeds the engine runs: one supervisor task per feed, its control queue and its last
//! status. Starting, stopping and steering supervisors happens here and nowhere else.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::Error;
use crate::feed::clients::Clients;
use crate::feed::{
    self, Control, Cursor, ErrorKind, FeedConfig, FeedError, FeedId, FeedMessage, FeedOptions,
    FeedStatus, SecretsAt,
};
use crate::report::FeedView;

/// Control requests waiting for one supervisor.
const CONTROL_QUEUE: usize = 4;
/// Places in a control queue that network changes leave free for the user's requests.
const USER_CONTROL_RESERVE: usize = 2;
/// How often the engine asks a keychain that has not answered for the values feeds wait for.
pub const KEYCHAIN_RETRY: std::time::Duration = std::time::Duration::from_secs(30);

/// The status of a feed whose header values the keychain has not given yet: it does not
/// connect without them.
fn waiting_for_keychain() -> FeedError {
    FeedError::new(
        ErrorKind::Request,
        "Its header values are in the system keychain, which has not given them to Herald yet.",
    )
    .with_hint(
        "Unlock the keychain (logging in to the desktop usually does): Herald asks again every \
         30 seconds. Or edit the feed and enter the values again.",
    )
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
    /// Where it resumed from when it started (what a restart from scratch resumes from too).
    cursor: Cursor,
    /// Asks the supervisor to reconnect, pause or resume; a full queue means it already has
    /// requests to act on, so one more can be dropped.
    control: mpsc::Sender<Control>,
    /// The supervisor; dropping it closes the connection.
    _task: AbortOnDrop,
}

/// Every running feed, by id.
pub struct Registry {
    running: HashMap<FeedId, Running>,
    /// The HTTP clients feeds share.
    clients: Clients,
    /// Cloned into every supervisor: where their events and statuses go.
    feed_tx: mpsc::Sender<FeedMessage>,
    options: FeedOptions,
}

impl Registry {
    /// No feeds yet; supervisors will send to `feed_tx`.
    pub fn new(feed_tx: mpsc::Sender<FeedMessage>, options: FeedOptions) -> Registry {
        Registry {
            running: HashMap::new(),
            clients: Clients::new(),
            feed_tx,
            options,
        }
    }

    /// Builds the shared HTTP client ahead of the first feed, so a failure is known at once.
    pub async fn prepare(&mut self) -> Result<(), FeedError> {
        self.clients.shared().await.map(drop)
    }

    /// Starts (or restarts from scratch) the supervisor of `config`, resuming from `cursor`.
    pub async fn start(&mut self, config: FeedConfig, cursor: Cursor) {
        let config = Arc::new(config);
        let id = config.id.clone();
        let (control, control_rx) = mpsc::channel(CONTROL_QUEUE);
        let waiting = config.secrets == SecretsAt::KeychainLocked;
        let client = if waiting {
            Err(waiting_for_keychain())
        } else {
            self.clients.for_feed(&config).await
        };
        let (task, status) = match client {
            Ok(client) => {
                let run = feed::supervisor::run(
                    client,
                    Arc::clone(&config),
                    self.options.clone(),
                    cursor.clone(),
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
                let next_try_at = if waiting {
                    crate::time::ms_after(KEYCHAIN_RETRY)
                } else {
                    0
                };
                let status = FeedStatus::NeedsAttention { next_try_at, error };
                (tokio::spawn(async {}), status)
            }
        };
        let running = Running {
            config,
            status,
            cursor,
            control,
            _task: AbortOnDrop(task),
        };
        self.running.insert(id, running);
    }

    /// Stops a feed's supervisor (its connection closes); says whether it ran.
    pub fn stop(&mut self, id: &FeedId) -> bool {
        self.running.remove(id).is_some()
    }

    /// Stops every supervisor.
    pub fn stop_all(&mut self) {
        self.running.clear();
    }

    /// The config of a running feed.
    pub fn config(&self, id: &FeedId) -> Option<Arc<FeedConfig>> {
        self.running.get(id).map(|r| Arc::clone(&r.config))
    }

    /// Replaces what the engine knows of a running feed's config (the supervisor keeps its own
    /// copy until it restarts).
    pub fn set_config(&mut self, config: &FeedConfig) {
        if let Some(running) = self.running.get_mut(&config.id) {
            running.config = Arc::new(config.clone());
        }
    }

    /// Records a feed's new status; false if the feed no longer runs.
    pub fn set_status(&mut self, id: &FeedId, status: FeedStatus) -> bool {
        match self.running.get_mut(id) {
            Some(running) => {
                running.status = status;
                true
            }
            None => false,
        }
    }

    /// Sends `control` to a feed's supervisor.
    pub async fn control(&mut self, id: &FeedId, control: Control) -> Result<(), Error> {
        let running = self
            .running
            .get(id)
            .ok_or_else(|| Error::NotFound(id.to_string()))?;
        // Full means requests are already queued; the supervisor acts on them at once. Closed
        // means no supervisor listens: the feed could not start (its CA certificate file was
        // unreadable), so start it again from scratch, which reads that file again too.
        if let Err(mpsc::error::TrySendError::Closed(Control::Reconnect(_) | Control::Resume)) =
            running.control.try_send(control)
        {
            let (config, cursor) = ((*running.config).clone(), running.cursor.clone());
            self.start(config, cursor).await;
        }
        Ok(())
    }

    /// Makes every feed that is not stopped reconnect now, saying why.
    pub fn refresh_all(&self, reason: &str) {
        tracing::info!(%reason, feeds = self.running.len(), "reconnecting every feed");
        for running in self.running.values() {
            // The last places in the queue are kept for the user's own requests (pause,
            // resume, reconnect), so a burst of network changes cannot crowd them out.
            if running.control.capacity() > USER_CONTROL_RESERVE {
                let _ = running
                    .control
                    .try_send(Control::Refresh(reason.to_owned()));
            }
        }
    }

    /// The views of `feeds` (the settings' list, in the user's order) with their statuses.
    pub fn views(&self, feeds: &[FeedConfig]) -> Vec<FeedView> {
        feeds
            .iter()
            .map(|config| {
                let status = self
                    .running
                    .get(&config.id)
                    .map_or(FeedStatus::STARTING, |r| r.status.clone());
                FeedView::new(config, status)
            })
            .collect()
    }
}
