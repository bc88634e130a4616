//! What the shell itself sends the UI (everything else comes from the engine's types), as serde
//! DTOs in the UI's camelCase names.

use std::path::Path;

use serde::Serialize;

/// The about box: the version and where Herald keeps its files (the UI's `AppInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Herald's version.
    pub version: String,
    /// The folder of the settings file.
    pub config_dir: String,
    /// The folder of the event store (and the logs' folder).
    pub data_dir: String,
    /// The folder of the daily log files.
    pub log_dir: String,
    /// The settings file.
    pub settings_file: String,
    /// The event store's database file.
    pub database_file: String,
}

impl AppInfo {
    /// The info of an app with its settings at `settings`, its store at `database` and its
    /// logs in `logs`.
    pub fn new(settings: &Path, database: &Path, logs: &Path) -> AppInfo {
        let shown = |path: &Path| path.display().to_string();
        let folder = |path: &Path| path.parent().map(shown).unwrap_or_default();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            config_dir: folder(settings),
            data_dir: folder(database),
            log_dir: shown(logs),
            settings_file: shown(settings),
            database_file: shown(database),
        }
    }
}

/// Where an export was written (the UI's `ExportResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    /// The file written.
    pub path: String,
    /// How many feeds it holds.
    pub count: usize,
}
