//! The supervisor: one plain `async` loop that keeps one feed connected.
//!
//! Connect, read until the stream ends or fails, decide how long to wait, wait, reconnect with
//! `Last-Event-ID` — all in one loop, so the retry logic lives in exactly one place. The last
//! event id belongs to the supervisor and survives reconnects; each connection gets a fresh
//! parser seeded with it. The supervisor hands on every event it parses, numbered by connection
//! and flagged when it is part of the catch-up burst: whether an event is a replay is decided by
//! its consumer (see [`super::replay`]), which knows what is already kept.
//!
//! - [`read`]: reading one open stream: chunks through the parser, events out, the resume point
//!   kept up to date.

mod read;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use super::ResumeMode;
use super::backoff::{ATTENTION_RETRY, Backoff, BackoffPolicy, server_wait};
use super::connection::{self, Opened};
use super::resume::Cursor;
use super::{ErrorKind, FeedConfig, FeedError, FeedId, FeedStatus, StopReason};
use crate::sse::{Event, Limits, Oversize};
use crate::time::{ms_after, now_ms};

/// A number for a new connection, never given before in this process.
fn next_connection() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How long a connection must stay up to count as progress even without events.
const STABLE_AFTER: Duration = Duration::from_secs(30);

/// How a supervisor behaves; the app and `herald tail` use the same options.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Reconnect after the stream ends or fails (`false` for `herald tail --no-reconnect`).
    pub reconnect: bool,
    /// No bytes at all (comments count) for this long means the link is dead: reconnect.
    pub idle_timeout: Duration,
    /// Memory limits for the parser.
    pub limits: Limits,
    /// Bounds of the reconnection backoff.
    pub backoff: BackoffPolicy,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            reconnect: true,
            idle_timeout: Duration::from_secs(90),
            limits: Limits::default(),
            backoff: BackoffPolicy::default(),
        }
    }
}

/// An event as the supervisor hands it on, with what its consumer needs to judge it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The event.
    pub event: Event,
    /// Its block carried an `id:` of its own (rather than carrying on an earlier one).
    pub had_id: bool,
    /// Which connection it came on: a number no other connection in this process had, so a
    /// restarted supervisor's first connection is a new one too. Replays happen only at the
    /// start of one.
    pub connection: u64,
    /// It came in the burst right after the connection opened (see [`Burst`]).
    pub catch_up: bool,
}

/// Something a feed reports to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedUpdate {
    /// A dispatched event. Its id is the feed's new resume point.
    Event(Received),
    /// The resume point moved without an event (an `id:` in a block with no data), or the
    /// server sent `retry:`.
    Cursor(Cursor),
    /// The feed turned out to need this resume mode (an ntfy stream): worth saving.
    Detected(ResumeMode),
    /// The feed's state changed.
    Status(FeedStatus),
    /// An event was dropped because it was over the parser's limits.
    Dropped(Oversize),
}

/// A [`FeedUpdate`] tagged with the feed it came from: what travels on the engine's channel.
#[derive(Debug, Clone)]
pub struct FeedMessage {
    /// The feed that sent it.
    pub feed: FeedId,
    /// What happened.
    pub update: FeedUpdate,
}

/// What the owner of a feed can ask of its supervisor, at any point of its loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Drop the connection or the wait and connect now; the reason is shown in the status.
    Reconnect(String),
    /// The network changed or the machine woke: like [`Control::Reconnect`], except that a
    /// stopped feed (paused by the user, or told to stop by the server) stays stopped.
    Refresh(String),
    /// Close the connection and stay idle until resumed.
    Pause,
    /// Connect again after a pause or after the server asked to stop.
    Resume,
}

/// The supervisor's end of the control channel; once the owner drops its end, it never fires.
struct Controls(Option<mpsc::Receiver<Control>>);

impl Controls {
    async fn recv(&mut self) -> Control {
        while let Some(rx) = &mut self.0 {
            match rx.recv().await {
                Some(control) => return control,
                None => self.0 = None,
            }
        }
        std::future::pending().await
    }
}

/// What the loop does next.
enum Next {
    Connect,
    /// Stay idle until the user resumes (or asks to reconnect).
    Wait(StopReason),
}

/// How reading an open stream ended.
enum ReadEnd {
    /// The stream ended or failed.
    Ended(Ending),
    /// The owner asked for something.
    Control(Control),
}

/// The receiver is gone: the feed's owner no longer listens, so the supervisor ends.
struct Closed;

/// How one connection ended.
struct Ending {
    /// The connection delivered events or stayed up long enough to reset the backoff.
    progressed: bool,
    /// `None` when the server closed the stream cleanly.
    error: Option<FeedError>,
}

/// Runs one feed until its owner stops listening, or — without `reconnect` — until its first
/// connection ends. Returns the error that ended a non-reconnecting feed. `control` lets the
/// owner reconnect, pause and resume the feed; a feed saved as paused starts paused. The first
/// request resumes from `cursor` (what the store kept, or `herald tail --last-event-id`).
pub async fn run(
    client: reqwest::Client,
    feed: Arc<FeedConfig>,
    options: FeedOptions,
    cursor: Cursor,
    tx: mpsc::Sender<FeedMessage>,
    control: mpsc::Receiver<Control>,
) -> Result<(), FeedError> {
    let mut options = options;
    if let Some(secs) = feed.idle_timeout_secs {
        options.idle_timeout = Duration::from_secs(secs);
    }
    let mut backoff = Backoff::new(options.backoff);
    if let Some(retry) = cursor.retry_ms {
        backoff.set_retry(retry);
    }
    let mut supervisor = Supervisor {
        client,
        feed: Arc::clone(&feed),
        backoff,
        options,
        tx,
        last_event_id: cursor.last_event_id,
        retry_ms: cursor.retry_ms,
        connection: 0,
        ntfy: feed.resume == ResumeMode::NtfySince,
        may_be_ntfy: feed.resume == ResumeMode::Auto && super::ntfy::looks_like_ntfy(&feed.url),
        reason: None,
    };
    match supervisor.run(&mut Controls(Some(control))).await {
        Ok(result) => result,
        Err(Closed) => Ok(()),
    }
}

/// The state one feed's loop owns.
struct Supervisor {
    client: reqwest::Client,
    feed: Arc<FeedConfig>,
    options: FeedOptions,
    /// Where events and statuses go; bounded, so a slow consumer slows reading, not memory.
    tx: mpsc::Sender<FeedMessage>,
    /// The stream's last event id, kept across reconnects.
    last_event_id: String,
    /// The server's last `retry:`, as the owner knows it.
    retry_ms: Option<u64>,
    backoff: Backoff,
    /// The number of the open stream (see [`Received::connection`]).
    connection: u64,
    /// The feed speaks ntfy: it resumes with `since=`, its message ids come from the JSON,
    /// and its `open` and `keepalive` events are not passed on.
    ntfy: bool,
    /// The feed may be ntfy's (resume mode `auto`, a URL ending in `/sse`): each connection's
    /// first event tells.
    may_be_ntfy: bool,
    /// Why the next connection is made, when it is not routine (shown in the status).
    reason: Option<String>,
}

impl Supervisor {
    async fn run(&mut self, control: &mut Controls) -> Result<Result<(), FeedError>, Closed> {
        let mut next = if self.feed.paused {
            Next::Wait(StopReason::User)
        } else {
            Next::Connect
        };
        loop {
            if let Next::Wait(reason) = next {
                self.emit(FeedUpdate::Status(FeedStatus::Stopped { reason }))
                    .await?;
                loop {
                    match control.recv().await {
                        Control::Pause | Control::Refresh(_) => continue,
                        Control::Resume => break,
                        Control::Reconnect(why) => {
                            self.reason = Some(why);
                            break;
                        }
                    }
                }
                self.backoff.reset();
            }
            next = Next::Connect;
            let connecting = FeedStatus::Connecting {
                attempt: self.backoff.attempt(),
                reason: self.reason.take(),
            };
            self.emit(FeedUpdate::Status(connecting)).await?;
            // A server that accepts and never answers counts as idle, like one that goes silent.
            let resume = if self.ntfy {
                connection::ResumeFrom::NtfySince(&self.last_event_id)
            } else {
                connection::ResumeFrom::LastEventId(&self.last_event_id)
            };
            let open = connection::open(&self.client, &self.feed, resume);
            let opened = tokio::select! {
                opened = tokio::time::timeout(self.options.idle_timeout, open) => opened,
                wanted = control.recv() => {
                    next = self.obey(wanted);
                    continue;
                }
            };
            let ending = match opened {
                Err(_) => Ending {
                    progressed: false,
                    error: Some(self.idle_error("no response")),
                },
                Ok(Ok(Opened::StopRequested)) => {
                    tracing::info!(feed = %self.feed.id, "server answered 204: stopping");
                    if !self.options.reconnect {
                        self.emit(FeedUpdate::Status(FeedStatus::Stopped {
                            reason: StopReason::Server,
                        }))
                        .await?;
                        return Ok(Ok(()));
                    }
                    next = Next::Wait(StopReason::Server);
                    continue;
                }
                Ok(Ok(Opened::Stream(response))) => {
                    tracing::info!(feed = %self.feed.id, url = %self.feed.redacted_url(), "live");
                    self.emit(FeedUpdate::Status(FeedStatus::Live { since: now_ms() }))
                        .await?;
                    match self.read(response, control).await? {
                        ReadEnd::Ended(ending) => ending,
                        ReadEnd::Control(wanted) => {
                            next = self.obey(wanted);
                            continue;
                        }
                    }
                }
                Ok(Err(error)) => Ending {
                    progressed: false,
                    error: Some(error),
                },
            };
            if !self.options.reconnect {
                return Ok(ending.error.map_or(Ok(()), Err));
            }
            if ending.progressed {
                self.backoff.reset();
            }
            let error = ending.error.unwrap_or_else(|| {
                FeedError::new(ErrorKind::Stream, "the server closed the stream")
            });
            let (delay, status) = self.schedule(error);
            self.emit(FeedUpdate::Status(status)).await?;
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                wanted = control.recv() => next = self.obey(wanted),
            }
        }
    }

    /// What the loop does after the owner asked for `control`.
    fn obey(&mut self, control: Control) -> Next {
        match control {
            Control::Reconnect(why) | Control::Refresh(why) => {
                tracing::info!(feed = %self.feed.id, reason = %why, "reconnecting now");
                self.reason = Some(why);
                Next::Connect
            }
            Control::Pause => Next::Wait(StopReason::User),
            Control::Resume => Next::Connect,
        }
    }

    /// The error for a connection that stayed silent for the idle timeout.
    fn idle_error(&self, what: &str) -> FeedError {
        let idle = self.options.idle_timeout; // Debug prints "90s" or "500ms"
        FeedError::new(
            ErrorKind::Stream,
            format!("{what} for {idle:?}: the connection looks dead"),
        )
    }

    /// Decides how long to wait after `error`, and the status that says so.
    fn schedule(&mut self, error: FeedError) -> (Duration, FeedStatus) {
        if !error.is_retryable() {
            tracing::warn!(feed = %self.feed.id, %error, "needs attention");
            let delay = match error.retry_after {
                Some(asked) => server_wait(asked, self.backoff.next_delay(fastrand::f64())),
                None => ATTENTION_RETRY,
            };
            return (
                delay,
                FeedStatus::NeedsAttention {
                    next_try_at: ms_after(delay),
                    error,
                },
            );
        }
        let jittered = self.backoff.next_delay(fastrand::f64());
        let delay = error
            .retry_after
            .map_or(jittered, |asked| server_wait(asked, jittered));
        tracing::info!(feed = %self.feed.id, %error, ?delay, "reconnecting after a pause");
        let status = FeedStatus::Backoff {
            attempt: self.backoff.attempt(),
            next_try_at: ms_after(delay),
            error,
        };
        (delay, status)
    }

    pub(super) async fn emit(&self, update: FeedUpdate) -> Result<(), Closed> {
        let message = FeedMessage {
            feed: self.feed.id.clone(),
            update,
        };
        self.tx.send(message).await.map_err(|_| Closed)
    }
}
