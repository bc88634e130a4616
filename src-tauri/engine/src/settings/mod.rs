//! The user's settings: the feeds and the defaults they fall back on, and how they change.
//!
//! - [`file`]: the settings file (versions and their upgrades, atomic private writes, corrupt
//!   files moved aside).
//! - [`feeds`]: finding a feed by id or name; import and export of the feed list.
//!
//! Every edit goes through [`Settings::change`]: edit a copy, save it, keep it only once saved.

pub mod feeds;
mod file;

use serde::{Deserialize, Serialize};

pub use self::file::{Loaded, SettingsError, SettingsFile, project_dirs};
use crate::feed::{FeedConfig, Retention};
use crate::notify::rule::NotifySettings;

/// The settings format version this build writes (see `file.rs` for the steps from older ones).
pub const VERSION: u32 = 3;

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: VERSION,
            feeds: Vec::new(),
            retention: Retention::default(),
            notifications: NotifySettings::default(),
        }
    }
}

impl Settings {
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
        if let Err(e) = file.save_in_background(next.clone()).await {
            tracing::error!(error = %e, "settings not saved");
            return Err(e.into());
        }
        *self = next;
        Ok(out)
    }
}
