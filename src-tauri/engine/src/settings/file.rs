//! The settings file in the OS config dir: reading, atomic writing, and what happens to a file
//! that cannot be read.
//!
//! Written atomically (temp file, fsync, rename), so a crash or a full disk never leaves a half
//! file. A file that cannot be parsed is never overwritten: it is moved aside with a timestamp and
//! the user is told where it went.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Settings;
use crate::report::{Notice, NoticeLevel};

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The OS gave no home/config directory.
    #[error("cannot find a config directory for Herald (is $HOME set?)")]
    NoConfigDir,
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

/// The result of loading the settings at startup.
#[derive(Debug)]
pub struct Loaded {
    /// The settings to run with.
    pub settings: Settings,
    /// No settings file existed: this is Herald's first run.
    pub first_run: bool,
    /// Something the user must be told (e.g. the file was corrupt and moved aside).
    pub notice: Option<Notice>,
}

/// Where the settings live, and how they are read and written.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
    /// False once the file could not be read: never overwrite what we could not read.
    writable: bool,
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
        }
    }

    /// From now on, saving keeps changes in memory only and leaves the file alone: for a file
    /// Herald could not read, which it must not replace with what it knows.
    pub fn stop_writing(&mut self) {
        self.writable = false;
    }

    /// The settings file in the OS config dir (`$XDG_CONFIG_HOME/herald/settings.json` on Linux).
    pub fn default_location() -> Result<SettingsFile, SettingsError> {
        let dirs = project_dirs().ok_or(SettingsError::NoConfigDir)?;
        Ok(SettingsFile::new(dirs.config_dir().join("settings.json")))
    }

    /// The settings file's path.
    pub fn path(&self) -> &Path {
        &self.path
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
                });
            }
            Err(source) => return Err(self.io_error("read", source)),
        };
        match serde_json::from_slice::<Settings>(&text) {
            Ok(settings) => Ok(Loaded {
                settings,
                first_run: false,
                notice: None,
            }),
            Err(parse_error) => {
                let aside = self.move_aside()?;
                let why = without_values(&parse_error.to_string());
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
                })
            }
        }
    }

    /// [`SettingsFile::save`] on tokio's blocking pool, so the fsync never stalls an async task.
    pub async fn save_in_background(&self, settings: Settings) -> Result<(), SettingsError> {
        let file = self.clone();
        tokio::task::spawn_blocking(move || file.save(&settings))
            .await
            .unwrap_or_else(|e| Err(self.io_error("write", io::Error::other(e.to_string()))))
    }

    /// Writes the settings atomically: temp file, fsync, rename over the old one. Does nothing
    /// after [`SettingsFile::stop_writing`].
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        if !self.writable {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| self.io_error("create the folder of", e))?;
        let tmp = self.path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(settings).expect("settings always serialize");
        let write = || -> io::Result<()> {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.write_all(b"\n")?;
            file.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(self.io_error("write", e));
        }
        fs::rename(&tmp, &self.path).map_err(|e| self.io_error("replace", e))?;
        // Make the rename itself durable.
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
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
    use crate::settings::VERSION;

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
            version: VERSION,
            feeds: vec![feed()],
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
            version: VERSION,
            feeds: vec![feed()],
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
