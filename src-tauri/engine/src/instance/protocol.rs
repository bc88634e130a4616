//! What travels on the control socket: one [`Request`] per connection, one JSON line, answered
//! by one [`Reply`] line.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::feed::FeedDraft;
use crate::settings::feeds::Exported;

/// What a command asks of the running app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "camelCase")]
pub enum Request {
    /// Every feed with its status (`Vec<FeedView>`).
    ListFeeds,
    /// Subscribe a feed (`FeedView`).
    AddFeed {
        /// The feed, as the settings form would send it.
        draft: FeedDraft,
    },
    /// Unsubscribe the feed with this id or name (`FeedView` of the removed feed).
    RemoveFeed {
        /// An id, or a name only one feed has.
        key: String,
    },
    /// The feed list as an export (`Exported`).
    ExportFeeds {
        /// Include header values.
        with_secrets: bool,
    },
    /// Add or update feeds from an export (`ImportSummary`).
    ImportFeeds {
        /// The export.
        exported: Box<Exported>,
    },
    /// Bring the window forward (a second launch asks this before it exits).
    Show,
    /// Quit cleanly, as the Quit menu does.
    Quit,
    /// Open the feed editor on a new feed with this URL and name (a subscribe link, `herald
    /// subscribe`); nothing is subscribed until the user saves it.
    Subscribe {
        /// The feed's URL (http or https).
        url: String,
        /// Its name, if the link gave one.
        name: Option<String>,
    },
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    /// It worked; what the request returns.
    Ok(serde_json::Value),
    /// It did not.
    Err(ReplyError),
}

/// Why a request failed, as `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ReplyError {
    /// `invalid` (the input is at fault: exit 2), `notFound` (likewise), or `failed` (exit 1).
    pub code: String,
    /// What happened and what to do.
    pub message: String,
}

impl ReplyError {
    /// The input was at fault (the command exits 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self.code.as_str(), "invalid" | "notFound")
    }
}

impl From<&Error> for ReplyError {
    fn from(error: &Error) -> ReplyError {
        let code = match error {
            Error::Invalid(_) | Error::Ambiguous { .. } | Error::BadImport(_) => "invalid",
            Error::NotFound(_) => "notFound",
            Error::Settings(_) | Error::Store(_) | Error::Stopped => "failed",
        };
        let message = match error {
            Error::Invalid(invalid) => format!("{}: {}", invalid.field, invalid.message),
            other => other.to_string(),
        };
        ReplyError {
            code: code.to_owned(),
            message,
        }
    }
}
