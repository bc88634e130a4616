//! The settings file in the OS config dir: reading, atomic writing, and what happens to a file
//! that cannot be read.
//!
//! Written atomically (temp file, fsync, rename), so a crash or a full disk never leaves a half
//! file. A file that cannot be parsed is never overwritten: it is moved aside with a timestamp and
//! the user is told where it went.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Settings, VERSION, Vault};
use crate::report::{Notice, NoticeLevel};

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The OS gave no home/config directory.
    #[error("cannot find a config directory for Herald (is $HOME set?)")]
    NoConfigDir,
    /// The file is not settings Herald can read.
    #[error("cannot read {path}: {why}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong and where (values left out).
        why: String,
    },
    /// Reading, writing or moving the file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What Herald was doing.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

impl SettingsError {
    /// The file could be read but Herald cannot understand it.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, SettingsError::Unreadable { .. })
    }
}

/// The result of loading the settings at startup.
#[derive(Debug)]
pub struct Loaded {
    /// The settings to run with.
    pub settings: Settings,
    /// No settings file existed: this is Herald's first run.
    pub first_run: bool,
    /// Something the user must be told (e.g. the file was corrupt and moved aside).
    pub notice: Option<Notice>,
    /// The file is from a newer Herald: run with it, but never write over it.
    pub read_only: bool,
}

/// Where the settings live, and how they are read and written.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
    /// False once the file could not be read: never overwrite what we could not read.
    writable: bool,
    /// Where header values go: the keychain, or this file.
    vault: Vault,
}

/// Herald's directories (config, data) as the OS wants them; honours `XDG_*` on Linux.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "herald")
}

impl SettingsFile {
    /// The settings file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> SettingsFile {
        SettingsFile {
            path: path.into(),
            writable: true,
            vault: Vault::file_only(),
        }
    }

    /// Keeps header values through `vault` (the system keychain) instead of in the file only.
    pub fn with_vault(mut self, vault: Vault) -> SettingsFile {
        self.vault = vault;
        self
    }

    /// Where header values go.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// From now on, saving keeps changes in memory only and leaves the file alone: for a file
    /// Herald could not read, which it must not replace with what it knows.
    pub fn stop_writing(&mut self) {
        self.writable = false;
    }

    /// The settings file in the OS config dir (`$XDG_CONFIG_HOME/herald/settings.json` on Linux),
    /// with header values in the system keychain where one answers.
    pub fn default_location() -> Result<SettingsFile, SettingsError> {
        let dirs = project_dirs().ok_or(SettingsError::NoConfigDir)?;
        Ok(SettingsFile::new(dirs.config_dir().join("settings.json")).with_vault(Vault::system()))
    }

    /// The settings file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the settings and changes nothing: a missing file reads as no feeds, a file that
    /// cannot be read is an error (for commands that only look; [`SettingsFile::load`] is for
    /// the app, which moves a corrupt file aside).
    pub fn read(&self) -> Result<Settings, SettingsError> {
        match fs::read(&self.path) {
            Ok(text) => match upgrade(&text) {
                Ok(Upgraded::Current(mut settings) | Upgraded::Newer(mut settings, _)) => {
                    self.vault.fill(&mut settings.feeds);
                    Ok(settings)
                }
                Err(why) => Err(SettingsError::Unreadable {
                    path: self.path.clone(),
                    why: without_values(&why.to_string()),
                }),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(source) => Err(self.io_error("read", source)),
        }
    }

    /// Loads the settings. A missing file is a first run; a corrupt one is moved aside.
    pub fn load(&self) -> Result<Loaded, SettingsError> {
        let text = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    settings: Settings::default(),
                    first_run: true,
                    notice: None,
                    read_only: false,
                });
            }
            Err(source) => return Err(self.io_error("read", source)),
        };
        let mut parsed = upgrade(&text);
        if let Ok(Upgraded::Current(settings) | Upgraded::Newer(settings, _)) = &mut parsed {
            self.vault.fill(&mut settings.feeds);
        }
        match parsed {
            Ok(Upgraded::Current(settings)) => Ok(Loaded {
                settings,
                first_run: false,
                notice: None,
                read_only: false,
            }),
            Ok(Upgraded::Newer(settings, version)) => {
                // Fields this build does not know would be lost on the next save: keep the
                // file as it is, and run with what could be read.
                tracing::warn!(version, "settings file is from a newer Herald: not saving");
                let message = format!(
                    "Your settings file was written by a newer Herald (format {version}). Herald \
                     runs with the feeds it can read and will not save changes; update Herald."
                );
                Ok(Loaded {
                    settings,
                    first_run: false,
                    notice: Some(Notice::new(NoticeLevel::Error, message)),
                    read_only: true,
                })
            }
            Err(why) => {
                let aside = self.move_aside()?;
                let why = without_values(&why.to_string());
                tracing::warn!(path = %aside.display(), %why, "settings file was corrupt");
                let message = format!(
                    "Your settings file could not be read ({why}). It was kept as {} \
                     and Herald started with no feeds; re-add your feeds or repair that file.",
                    aside.display()
                );
                Ok(Loaded {
                    settings: Settings::default(),
                    first_run: false,
                    notice: Some(Notice::new(NoticeLevel::Error, message)),
                    read_only: false,
                })
            }
        }
    }

    /// [`SettingsFile::save`] on tokio's blocking pool, so the fsync (and the keychain) never
    /// stalls an async task.
    pub async fn save_in_background(&self, settings: Settings) -> Result<Settings, SettingsError> {
        let file = self.clone();
        tokio::task::spawn_blocking(move || file.save(&settings))
            .await
            .unwrap_or_else(|e| Err(self.io_error("write", io::Error::other(e.to_string()))))
    }

    /// Writes the settings atomically (temp file, fsync, rename), readable by the user only in
    /// a folder only the user can enter: the file may hold header secrets. Header values go to
    /// the keychain first where they are kept there ([`Vault::place`]). Returns the settings as
    /// saved (each feed saying where its values are). Does nothing after
    /// [`SettingsFile::stop_writing`].
    pub fn save(&self, settings: &Settings) -> Result<Settings, SettingsError> {
        let mut saved = settings.clone();
        if !self.writable {
            return Ok(saved);
        }
        let (for_file, after) = self.vault.place(&mut saved);
        let mut json = serde_json::to_vec_pretty(&for_file).expect("settings always serialize");
        json.push(b'\n');
        crate::files::write_atomically(&self.path, &json).map_err(|e| self.io_error("write", e))?;
        self.vault.after_write(after);
        Ok(saved)
    }

    /// Renames the settings file to `settings.corrupt-<UTC time>.json` beside it.
    fn move_aside(&self) -> Result<PathBuf, SettingsError> {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "");
        let stem = self
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("settings");
        let aside = self
            .path
            .with_file_name(format!("{stem}.corrupt-{stamp}.json"));
        fs::rename(&self.path, &aside).map_err(|e| self.io_error("move aside", e))?;
        Ok(aside)
    }

    fn io_error(&self, action: &'static str, source: io::Error) -> SettingsError {
        SettingsError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }
}

/// What a settings file turned out to be.
enum Upgraded {
    /// Settings in this build's format (upgraded from an older one if need be).
    Current(Settings),
    /// Settings from a newer Herald (format version given), read as far as they could be.
    Newer(Settings, u64),
}

/// Why a settings file's text is not settings. Its message may quote values from the file
/// (serde's do): [`without_values`] takes them out before anyone sees it.
#[derive(Debug, thiserror::Error)]
enum Malformed {
    /// Not JSON, or JSON that is not this build's settings (serde says where).
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// JSON, but not an object.
    #[error("the file does not hold a settings object")]
    NotAnObject,
    /// `version` is there but no whole number.
    #[error("`version` is not a number")]
    BadVersion,
}

/// Reads a settings file of any version into this build's format.
///
/// - 1 → 2: `retention` (a default for every feed) and per-feed `retention` and `resume` were
///   added; a file without them means the defaults, so nothing needs rewriting.
/// - 2 → 3: `notifications` (per-feed rules, quiet hours, flood limits, silence rules) was
///   added; absent means the defaults. Version 2 readers would drop it, so the version moved.
/// - 3 → 4: `appearance` (the theme) was added; absent means the system's. It moved the version
///   for the same reason: a version 3 Herald, seeing a newer file, leaves it alone instead of
///   saving it without the theme.
/// - 4 → 5: header values may live in the system keychain: such a feed says `"secrets":
///   "keychain"` and its values here are blank, and `keychain` (keep them there, default true)
///   was added. A version 4 Herald would connect such a feed without its values, and drop the
///   marker on its next save: it must leave a version 5 file alone.
///
/// A later step that has to rewrite fields would edit the parsed JSON before the final read;
/// until one does, the file is read straight from its text, so errors keep their line numbers.
fn upgrade(text: &[u8]) -> Result<Upgraded, Malformed> {
    let value: serde_json::Value = serde_json::from_slice(text)?;
    let Some(object) = value.as_object() else {
        return Err(Malformed::NotAnObject);
    };
    let version = match object.get("version") {
        None => 1,
        Some(v) => v.as_u64().ok_or(Malformed::BadVersion)?,
    };
    let mut settings: Settings = serde_json::from_slice(text)?;
    if version > u64::from(VERSION) {
        return Ok(Upgraded::Newer(settings, version));
    }
    settings.version = VERSION;
    Ok(Upgraded::Current(settings))
}

/// A parse error's message with the values it quotes from the file left out: serde quotes a
/// wrong-typed string whole (`invalid type: string "Authorization: Bearer …"`), and values in the
/// settings can be secrets. Field names (quoted with backticks) and positions stay.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            // Skip to the closing quote (serde writes the value as a Rust string literal).
            let mut escaped = false;
            for c in chars.by_ref() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => break,
                    _ => {}
                }
            }
            out.push_str("…\"");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::{FeedConfig, FeedDraft};

    fn feed() -> FeedConfig {
        FeedDraft {
            name: "A".into(),
            url: "http://127.0.0.1:1/e".into(),
            headers: "X: y".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn missing_file_is_a_first_run() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = SettingsFile::new(dir.path().join("s.json")).load().unwrap();
        assert!(loaded.first_run);
        assert!(loaded.settings.feeds.is_empty());
    }

    #[test]
    fn saved_settings_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path().join("nested/s.json"));
        let settings = Settings {
            feeds: vec![feed()],
            ..Settings::default()
        };
        file.save(&settings).unwrap();
        let loaded = file.load().unwrap();
        assert!(!loaded.first_run);
        assert_eq!(loaded.settings, settings);
        assert!(!dir.path().join("nested/s.json.tmp").exists());
    }

    #[tokio::test]
    async fn a_change_is_kept_only_once_saved() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path().join("s.json"));
        let mut settings = Settings::default();
        let added = settings
            .change(&file, |s| {
                s.feeds.push(feed());
                Ok::<_, SettingsError>(s.feeds.len())
            })
            .await
            .unwrap();
        assert_eq!(added, 1);
        assert_eq!(file.load().unwrap().settings, settings);

        // A save that fails (a folder where the temp file goes) leaves memory and file as they were.
        std::fs::create_dir(dir.path().join("s.json.tmp")).unwrap();
        let failed = settings
            .change(&file, |s| {
                s.feeds.clear();
                Ok::<_, SettingsError>(())
            })
            .await;
        assert!(
            matches!(failed, Err(SettingsError::Io { .. })),
            "{failed:?}"
        );
        assert_eq!(settings.feeds.len(), 1, "rolled back");
        assert_eq!(file.load().unwrap().settings.feeds.len(), 1);

        // A change that refuses itself saves nothing.
        let refused: Result<(), SettingsError> = settings
            .change(&file, |s| {
                s.feeds.clear();
                Err(SettingsError::NoConfigDir)
            })
            .await;
        assert!(refused.is_err());
        assert_eq!(settings.feeds.len(), 1);
    }

    #[test]
    fn a_version_1_file_loads_as_the_current_version_with_defaults() {
        // Exactly what Herald wrote before the store existed.
        let v1 = r#"{
  "version": 1,
  "feeds": [
    {
      "id": "0123456789ab",
      "name": "CI",
      "url": "https://ci.example/events",
      "headers": [{ "name": "Authorization", "value": "Bearer t" }],
      "paused": true,
      "idleTimeoutSecs": 30
    }
  ]
}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, v1).unwrap();
        let loaded = SettingsFile::new(&path).load().unwrap();
        assert!(loaded.notice.is_none() && !loaded.read_only);
        let settings = loaded.settings;
        assert_eq!(settings.version, VERSION);
        assert_eq!(settings.retention, crate::feed::Retention::default());
        let feed = &settings.feeds[0];
        assert_eq!(
            (feed.id.0.as_str(), feed.name.as_str()),
            ("0123456789ab", "CI")
        );
        assert_eq!(feed.headers[0].value, "Bearer t");
        assert!(feed.paused);
        assert_eq!(feed.idle_timeout_secs, Some(30));
        assert_eq!(
            (feed.retention, feed.resume),
            (None, crate::feed::ResumeMode::Auto)
        );
    }

    #[test]
    fn a_version_3_file_loads_with_the_system_theme_and_saves_as_the_current_version() {
        let v3 = r#"{"version": 3, "feeds": [], "retention": {"maxEvents": 10, "maxAgeDays": null},
                    "notifications": {}}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, v3).unwrap();
        let file = SettingsFile::new(&path);
        let loaded = file.load().unwrap();
        assert!(loaded.notice.is_none() && !loaded.read_only);
        let mut settings = loaded.settings;
        assert_eq!(settings.version, VERSION);
        assert_eq!(settings.appearance.theme, super::super::Theme::System);
        assert_eq!(settings.retention.max_events, Some(10));
        settings.appearance.theme = super::super::Theme::Dark;
        file.save(&settings).unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(saved["version"], VERSION);
        assert_eq!(saved["appearance"]["theme"], "dark");
        assert_eq!(file.load().unwrap().settings, settings);
    }

    #[test]
    fn a_file_from_a_newer_herald_is_read_but_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let newer = r#"{"version": 99, "feeds": [], "somethingNew": {"a": 1}}"#;
        fs::write(&path, newer).unwrap();
        let mut file = SettingsFile::new(&path);
        let loaded = file.load().unwrap();
        assert!(loaded.read_only);
        assert!(loaded.notice.unwrap().message.contains("newer Herald"));
        file.stop_writing();
        file.save(&loaded.settings).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), newer, "kept as it was");
    }

    #[test]
    fn the_file_is_readable_by_the_user_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald/settings.json");
        SettingsFile::new(&path).save(&Settings::default()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn corrupt_file_is_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, b"{ this is not json").unwrap();
        let file = SettingsFile::new(&path);
        let loaded = file.load().unwrap();
        assert!(loaded.settings.feeds.is_empty());
        let notice = loaded.notice.expect("the user is told");
        assert_eq!(notice.level, NoticeLevel::Error);
        let aside: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("settings.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "one file moved aside");
        assert_eq!(fs::read(&aside[0]).unwrap(), b"{ this is not json");
        assert!(notice.message.contains(&*aside[0].to_string_lossy()));
        assert!(!path.exists());
    }

    #[test]
    fn a_corrupt_file_is_described_without_its_values() {
        // Headers hand-edited into plain strings: a token ends up where serde quotes it.
        let settings = Settings {
            feeds: vec![feed()],
            ..Settings::default()
        };
        let mut json = serde_json::to_value(&settings).unwrap();
        json["feeds"][0]["headers"] = serde_json::json!(["Authorization: Bearer s3cr\"et"]);
        let text = serde_json::to_vec_pretty(&json).unwrap();
        let raw = serde_json::from_slice::<Settings>(&text)
            .unwrap_err()
            .to_string();
        assert!(raw.contains("s3cr"), "serde quotes the value: {raw}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, &text).unwrap();
        let notice = SettingsFile::new(&path).load().unwrap().notice.unwrap();
        assert!(!notice.message.contains("s3cr"), "{}", notice.message);
        assert!(!notice.message.contains("Bearer"), "{}", notice.message);
        // What is wrong, and where, is still said.
        assert!(
            notice.message.contains("invalid type: string \"…\""),
            "{}",
            notice.message
        );
        assert!(notice.message.contains("line "), "{}", notice.message);
    }
}
