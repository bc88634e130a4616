//! The state a feed is in, as the user sees it, and the errors that put it there.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A feed's state. One per feed, owned by its supervisor, mirrored by the engine and the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FeedStatus {
    /// A request is on its way (`attempt` counts failures since the feed was last live).
    Connecting {
        /// 0 for the first try, then 1, 2, … while it keeps failing.
        attempt: u32,
        /// Why it reconnects now, when it is not routine (e.g. "the computer woke from sleep").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The server answered with an event stream.
    Live {
        /// When the stream was opened, in ms since the Unix epoch.
        since: u64,
    },
    /// The last attempt failed with an error worth retrying; the next one is scheduled.
    Backoff {
        /// Failures in a row.
        attempt: u32,
        /// When the next attempt starts, in ms since the Unix epoch.
        next_try_at: u64,
        /// Why the last attempt failed.
        error: FeedError,
    },
    /// The server refused in a way retrying will not fix (wrong URL, token, content type):
    /// Herald retries only rarely until the user acts.
    NeedsAttention {
        /// When Herald tries again by itself, in ms since the Unix epoch.
        next_try_at: u64,
        /// What the server said.
        error: FeedError,
    },
    /// Nothing will happen until the user resumes the feed (or asks to reconnect).
    Stopped {
        /// Who stopped it.
        reason: StopReason,
    },
}

impl FeedStatus {
    /// The state of a feed that was just started.
    pub const STARTING: FeedStatus = FeedStatus::Connecting {
        attempt: 0,
        reason: None,
    };
}

/// Who stopped a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StopReason {
    /// The server answered 204 No Content: the spec's way to say "stop reconnecting".
    Server,
    /// The user paused or removed it.
    User,
}

/// What went wrong with a feed, for the user: kind, message and a hint on what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct FeedError {
    /// The class of failure, which decides how Herald retries.
    pub kind: ErrorKind,
    /// What happened, in one sentence.
    pub message: String,
    /// The HTTP status code, when the server answered.
    pub status: Option<u16>,
    /// What the user can do about it, when there is something.
    pub hint: Option<String>,
    /// How long the server asked us to wait (`Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

/// Classes of feed failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// No connection: refused, unreachable, DNS, TLS handshake.
    Connect,
    /// The server answered with an HTTP status other than 200.
    Http,
    /// The server answered 200 but not with `text/event-stream`.
    ContentType,
    /// The stream broke or went silent after it was open.
    Stream,
    /// The request could not even be built (e.g. a header the HTTP stack refuses).
    Request,
}

impl FeedError {
    /// An error of `kind` with a message and no status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> FeedError {
        FeedError {
            kind,
            message: message.into(),
            status: None,
            hint: None,
            retry_after: None,
        }
    }

    /// Adds a hint for the user.
    pub fn with_hint(mut self, hint: impl Into<String>) -> FeedError {
        self.hint = Some(hint.into());
        self
    }

    /// Whether Herald should keep retrying with backoff (`true`), or park the feed as "needs
    /// attention" and retry only rarely (`false`): retrying a wrong URL or token every few
    /// seconds only hammers the server.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Connect | ErrorKind::Stream => true,
            ErrorKind::ContentType | ErrorKind::Request => false,
            // 408 and 429 ask us to come back later; a redirect that leads nowhere and other
            // 4xx need the user to fix something.
            ErrorKind::Http => !matches!(
                self.status,
                Some(300..=399 | 400..=407 | 409..=428 | 430..=499)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_decision_per_error() {
        let http = |status| FeedError {
            status: Some(status),
            ..FeedError::new(ErrorKind::Http, "")
        };
        let table = [
            (FeedError::new(ErrorKind::Connect, ""), true),
            (FeedError::new(ErrorKind::Stream, ""), true),
            (FeedError::new(ErrorKind::ContentType, ""), false),
            (FeedError::new(ErrorKind::Request, ""), false),
            (http(500), true),
            (http(502), true),
            (http(503), true),
            (http(408), true),
            (http(429), true),
            (http(310), false),
            (http(401), false),
            (http(403), false),
            (http(404), false),
            (http(410), false),
        ];
        for (error, want) in table {
            assert_eq!(error.is_retryable(), want, "{error:?}");
        }
    }
}
