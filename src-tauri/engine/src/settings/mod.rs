//! The user's settings: the feeds, the defaults they fall back on, the app's look, and how they
//! change.
//!
//! - [`file`]: the settings file (versions and their upgrades, atomic private writes, corrupt
//!   files moved aside).
//! - [`feeds`]: finding a feed by id or name; import and export of the feed list.
//! - [`secrets`]: where header values are kept (the system keychain, else the file), and
//!   [`keychain`]: the keychain itself.
//!
//! Every edit goes through [`Settings::change`]: edit a copy, save it, keep it only once saved.

pub mod feeds;
mod file;
pub mod keychain;
pub mod secrets;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use self::file::{Loaded, SettingsError, SettingsFile, project_dirs};
pub use self::secrets::Vault;
use crate::feed::{FeedConfig, Retention};
use crate::notify::rule::NotifySettings;

/// The settings format version this build writes (see `file.rs` for the steps from older ones).
pub const VERSION: u32 = 5;

/// Everything the user configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Format version, for future migrations.
    pub version: u32,
    /// The subscribed feeds, in the order the user added them.
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
    /// How much history a feed keeps unless it says otherwise.
    #[serde(default)]
    pub retention: Retention,
    /// When and how events become notifications, per feed and for all feeds.
    #[serde(default)]
    pub notifications: NotifySettings,
    /// How the window looks.
    #[serde(default)]
    pub appearance: Appearance,
    /// The one-time hints the user has been given ([`hints`]), so none is said twice. Names, not
    /// an enum: a hint a newer Herald knows must not make the file unreadable here.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub hints: BTreeSet<String>,
    /// Keep header values in the system keychain when one answers (else in this file).
    #[serde(default = "yes")]
    pub keychain: bool,
}

fn yes() -> bool {
    true
}

/// The one-time hints ([`Settings::hints`]).
pub mod hints {
    /// "Herald keeps running in the tray": said the first time the window is closed.
    pub const CLOSED_TO_TRAY: &str = "closedToTray";
}

/// How the window looks: the UI reads it, the engine only keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appearance {
    /// Light, dark, or as the desktop is.
    #[serde(default)]
    pub theme: Theme,
}

/// The window's colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Follow the desktop's light or dark preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The settings for the whole app the settings screen edits in one form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneralSettings {
    /// How much history a feed keeps unless it says otherwise ([`Settings::retention`]).
    pub retention: Retention,
    /// The window's colours ([`Appearance::theme`]).
    pub theme: Theme,
    /// Header values in the system keychain when one answers ([`Settings::keychain`]).
    pub keychain: bool,
}

impl GeneralSettings {
    /// Refuses limits that would keep nothing (0 events, 0 days), naming the field.
    pub fn validate(&self) -> Result<(), crate::feed::ValidationError> {
        let invalid = |field, message: &str| crate::feed::ValidationError {
            field,
            message: message.to_owned(),
        };
        if self.retention.max_events == Some(0) {
            return Err(invalid(
                "maxEvents",
                "Keep at least 1 event per feed, or no limit.",
            ));
        }
        if self.retention.max_age_days == Some(0) {
            return Err(invalid(
                "maxAgeDays",
                "Keep events at least 1 day, or no limit.",
            ));
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: VERSION,
            feeds: Vec::new(),
            retention: Retention::default(),
            notifications: NotifySettings::default(),
            appearance: Appearance::default(),
            hints: BTreeSet::new(),
            keychain: true,
        }
    }
}

impl Settings {
    /// The settings for the whole app, as the settings screen shows them.
    pub fn general(&self) -> GeneralSettings {
        GeneralSettings {
            retention: self.retention,
            theme: self.appearance.theme,
            keychain: self.keychain,
        }
    }

    /// Takes `general` as the settings for the whole app.
    pub fn set_general(&mut self, general: GeneralSettings) {
        self.retention = general.retention;
        self.appearance.theme = general.theme;
        self.keychain = general.keychain;
    }

    /// The retention of every feed, as the store prunes to it.
    pub fn retention_policy(&self) -> crate::store::Policy {
        crate::store::Policy {
            default: self.retention,
            feeds: self
                .feeds
                .iter()
                .filter_map(|f| Some((f.id.clone(), f.retention?)))
                .collect(),
        }
    }

    /// Changes the settings and saves them, or changes nothing: `change` edits a copy, the copy
    /// is saved, and only a saved copy replaces `self`. Every edit of the settings goes through
    /// here, so none can leave memory and the file disagreeing.
    pub async fn change<T, E: From<SettingsError>>(
        &mut self,
        file: &SettingsFile,
        change: impl FnOnce(&mut Settings) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut next = self.clone();
        let out = change(&mut next)?;
        match file.save_in_background(next).await {
            // As saved: each feed says where its header values went.
            Ok(saved) => *self = saved,
            Err(e) => {
                tracing::error!(error = %e, "settings not saved");
                return Err(e.into());
            }
        }
        Ok(out)
    }
}
