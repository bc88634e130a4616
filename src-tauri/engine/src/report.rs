//! What the engine tells its owner: the one sink every event and status change leaves through.
//!
//! The desktop shell turns these into UI events and the tests read them directly. All types here
//! serialize in camelCase, the names the UI uses.

use serde::{Deserialize, Serialize};

use crate::feed::{FeedConfig, FeedId, FeedStatus, ResumeMode, SecretsAt};

/// One message from the engine to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// An event arrived (already in the history).
    Event(EventRecord),
    /// A feed's state changed.
    Status {
        /// The feed.
        feed: FeedId,
        /// Its new state.
        status: FeedStatus,
    },
    /// Notifications stopped or started working (a status for the window to show).
    Notifications(NotifyHealth),
    /// A silence rule kept these events (seqs) from being notified: the timeline marks them.
    Silenced(Vec<u64>),
    /// The list of feeds changed (added, removed).
    Feeds(Vec<FeedView>),
    /// Something the user must be told that belongs to no single event.
    Notice(Notice),
    /// The user clicked a notification that has no link: bring Herald forward, on this feed
    /// and event when given.
    Activate {
        /// The feed to select.
        feed: Option<FeedId>,
        /// The event to select.
        seq: Option<u64>,
    },
}

/// Whether notifications can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyHealth {
    /// Why the last notification could not be shown; `None` while they work (or none was tried).
    pub problem: Option<String>,
}

/// An event as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// The event's place in the store: increasing in arrival order, never reused.
    pub seq: u64,
    /// The feed it came from.
    pub feed_id: FeedId,
    /// That feed's name when the event arrived.
    pub feed_name: String,
    /// The event type (`message` unless the server said otherwise).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The event's data.
    pub data: String,
    /// The last event id when it was dispatched.
    pub last_event_id: String,
    /// When Herald received it, in ms since the Unix epoch.
    pub received_at: u64,
    /// The user has seen it.
    pub read: bool,
    /// It came in the catch-up burst right after a (re)connection.
    pub catch_up: bool,
    /// A silence rule kept it from being notified (it is stored and shown all the same).
    pub silenced: bool,
}

/// A feed as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedView {
    /// Stable id.
    pub id: FeedId,
    /// Display name.
    pub name: String,
    /// The URL.
    pub url: String,
    /// The names of its request headers. Their values may be secrets: they stay in the engine
    /// and the settings file, and never go to the UI.
    pub header_names: Vec<String>,
    /// Herald's built-in demo feed.
    pub demo: bool,
    /// The user paused it: it stays disconnected until resumed.
    #[serde(default)]
    pub paused: bool,
    /// The PEM CA certificate file it trusts besides the OS store (`None`: none).
    #[serde(default)]
    pub ca_cert: Option<String>,
    /// Its idle timeout in seconds (`None`: the default).
    #[serde(default)]
    pub idle_timeout_secs: Option<u64>,
    /// How it resumes after a reconnect.
    #[serde(default)]
    pub resume: ResumeMode,
    /// Where its header values are kept (the editor says so).
    #[serde(default)]
    pub secrets: SecretsPlace,
    /// Current state.
    pub status: FeedStatus,
}

/// Where a feed's header values are kept, as the editor tells the user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretsPlace {
    /// In the settings file, readable by the user only.
    #[default]
    File,
    /// In the system keychain.
    Keychain,
    /// In the system keychain, which has not given them to Herald yet (locked, not running).
    KeychainWaiting,
}

impl FeedView {
    /// The view of `config` in state `status`.
    pub fn new(config: &FeedConfig, status: FeedStatus) -> FeedView {
        FeedView {
            id: config.id.clone(),
            name: config.name.clone(),
            url: config.url.clone(),
            header_names: config.headers.iter().map(|h| h.name.clone()).collect(),
            demo: config.demo,
            paused: config.paused,
            ca_cert: config.ca_cert.as_ref().map(|p| p.display().to_string()),
            idle_timeout_secs: config.idle_timeout_secs,
            resume: config.resume,
            secrets: match config.secrets {
                SecretsAt::File => SecretsPlace::File,
                SecretsAt::Keychain => SecretsPlace::Keychain,
                SecretsAt::KeychainLocked => SecretsPlace::KeychainWaiting,
            },
            status,
        }
    }
}

/// A message for the user that is not an event: a corrupt settings file, notifications down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// How serious it is.
    pub level: NoticeLevel,
    /// What happened and what to do, in one or two sentences.
    pub message: String,
}

impl Notice {
    /// A notice of `level`.
    pub fn new(level: NoticeLevel, message: impl Into<String>) -> Notice {
        Notice {
            level,
            message: message.into(),
        }
    }
}

/// How serious a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NoticeLevel {
    /// For information.
    Info,
    /// Something degraded; Herald goes on.
    Warning,
    /// Something failed and needs the user.
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedDraft;

    #[test]
    fn a_feed_view_carries_header_names_not_values() {
        let config = FeedDraft {
            name: "CI".into(),
            url: "https://ci.example/events".into(),
            headers: "Authorization: Bearer s3cret\nX-Api-Key: k3y".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let json = serde_json::to_string(&FeedView::new(&config, FeedStatus::STARTING)).unwrap();
        assert!(
            json.contains(r#""headerNames":["Authorization","X-Api-Key"]"#),
            "{json}"
        );
        assert!(!json.contains("s3cret") && !json.contains("k3y"), "{json}");
    }
}
