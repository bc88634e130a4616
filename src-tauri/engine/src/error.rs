//! The crate's error type: what a caller of the engine can get back.

use crate::feed::ValidationError;
use crate::settings::SettingsError;
use crate::store::StoreError;

/// An error from an engine operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is invalid; the field and message say how.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No feed has that id.
    #[error("no feed with id {0}: it was removed, perhaps from another window")]
    NotFound(String),
    /// Two or more feeds have that name: use an id.
    #[error("more than one feed is named {name:?}: use one of the ids {}", ids.join(", "))]
    Ambiguous {
        /// The name given.
        name: String,
        /// The ids of the feeds with that name.
        ids: Vec<String>,
    },
    /// A feed list to import is not acceptable; nothing was imported.
    #[error("cannot import: {0}")]
    BadImport(String),
    /// The settings could not be saved; nothing was changed.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine has shut down.
    #[error("Herald's engine has stopped: quit and restart Herald (its log says why)")]
    Stopped,
}
