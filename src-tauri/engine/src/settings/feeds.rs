//! The feed list: finding a feed by id or name, and moving the list between installs as JSON
//! (`herald feeds export` / `import`, and the settings screen's import and export).
//!
//! An export leaves header values out unless asked for them: they are often bearer tokens. An
//! import goes through the same validation as the settings form; a feed whose id is already
//! subscribed is updated as an edit would (a header exported without its value keeps the saved
//! one), any other is added.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Settings;
use crate::Error;
use crate::feed::{FeedConfig, FeedDraft, FeedId, Header, ResumeMode, Retention};

/// What an export file says it is, so an import can refuse anything else.
pub const EXPORT_KIND: &str = "herald-feeds";
/// The export format version this build writes.
pub const EXPORT_VERSION: u32 = 1;

/// A feed list as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// Always [`EXPORT_KIND`].
    pub kind: String,
    /// The export format version.
    pub version: u32,
    /// Whether header values are included.
    pub with_secrets: bool,
    /// The feeds, in the user's order (Herald's demo feed left out: each install has its own).
    pub feeds: Vec<ExportedFeed>,
}

/// One feed of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFeed {
    /// The feed's id: importing where it exists updates that feed (and keeps its history).
    pub id: FeedId,
    /// Display name.
    pub name: String,
    /// The URL.
    pub url: String,
    /// Request headers; `value` is absent in an export without secrets.
    #[serde(default)]
    pub headers: Vec<ExportedHeader>,
    /// Paused.
    #[serde(default)]
    pub paused: bool,
    /// A CA certificate file to trust (a path on the machine it was exported from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    /// Idle timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_secs: Option<u64>,
    /// History kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// How it resumes.
    #[serde(default)]
    pub resume: ResumeMode,
}

/// One header of an exported feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedHeader {
    /// The header name.
    pub name: String,
    /// The value, when exported with secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// Feeds added, by name.
    pub added: Vec<String>,
    /// Feeds that existed and were updated, by name.
    pub updated: Vec<String>,
    /// New feeds with headers that came without a value (exported without secrets): the user
    /// has to fill those in.
    pub missing_secrets: Vec<String>,
}

impl Exported {
    /// Reads an export from its text. Anything else is [`Error::BadImport`], described by
    /// position only: serde quotes wrong values, and an export's values can be secrets.
    pub fn parse(text: &str) -> Result<Exported, Error> {
        serde_json::from_str(text).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => "this is not a Herald feed export",
                _ => "this is not a Herald feed export (it is not JSON)",
            };
            Error::BadImport(format!("{what}: line {}, column {}", e.line(), e.column()))
        })
    }

    /// The export as a file's text (pretty JSON, ending in a newline).
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("an export always serializes");
        text.push('\n');
        text
    }

    /// Writes the export as `herald-feeds-YYYY-MM-DD.json` (today, local time) into `folder`,
    /// readable by the user only (it may hold secrets), atomically; returns its path. An
    /// export written earlier the same day is replaced.
    pub fn write_into(&self, folder: &Path) -> io::Result<PathBuf> {
        let today = jiff::Zoned::now().date();
        let path = folder.join(format!("herald-feeds-{today}.json"));
        crate::files::write_private_file(&path, self.to_text().as_bytes())?;
        Ok(path)
    }
}

/// Where exports go: the user's Downloads folder, else the home folder (`None`: no home).
pub fn export_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    match dirs.download_dir() {
        Some(downloads) if downloads.is_dir() => Some(downloads.to_owned()),
        _ => Some(dirs.home_dir().to_owned()),
    }
}

impl Settings {
    /// Where the feed `key` is in the list: `key` is an id, or else a name (ignoring case). A
    /// name two feeds share is an error that lists their ids.
    pub fn find_feed(&self, key: &str) -> Result<usize, Error> {
        let key = key.trim();
        if let Some(index) = self.feeds.iter().position(|f| f.id.0 == key) {
            return Ok(index);
        }
        let named: Vec<usize> = (0..self.feeds.len())
            .filter(|&i| self.feeds[i].name.eq_ignore_ascii_case(key))
            .collect();
        match named[..] {
            [index] => Ok(index),
            [] => Err(Error::NotFound(key.to_owned())),
            _ => Err(Error::Ambiguous {
                name: key.to_owned(),
                ids: named.iter().map(|&i| self.feeds[i].id.0.clone()).collect(),
            }),
        }
    }

    /// The feed list as an export; header values only `with_secrets`.
    pub fn export(&self, with_secrets: bool) -> Exported {
        let feeds = self
            .feeds
            .iter()
            .filter(|f| !f.demo)
            .map(|f| ExportedFeed {
                id: f.id.clone(),
                name: f.name.clone(),
                url: f.url.clone(),
                headers: f
                    .headers
                    .iter()
                    .map(|h| ExportedHeader {
                        name: h.name.clone(),
                        value: with_secrets.then(|| h.value.clone()),
                    })
                    .collect(),
                paused: f.paused,
                ca_cert: f.ca_cert.as_ref().map(|p| p.display().to_string()),
                idle_timeout_secs: f.idle_timeout_secs,
                retention: f.retention,
                resume: f.resume,
            })
            .collect();
        Exported {
            kind: EXPORT_KIND.to_owned(),
            version: EXPORT_VERSION,
            with_secrets,
            feeds,
        }
    }

    /// Adds or updates the feeds of `exported`. Every feed is checked first: one invalid feed
    /// changes nothing and the error names it.
    pub fn import(&mut self, exported: &Exported) -> Result<ImportSummary, Error> {
        if exported.kind != EXPORT_KIND {
            return Err(Error::BadImport(format!(
                "this is not a Herald feed export (kind {:?}, expected {EXPORT_KIND:?})",
                exported.kind
            )));
        }
        if exported.version > EXPORT_VERSION {
            return Err(Error::BadImport(format!(
                "this export is from a newer Herald (format {}); update Herald",
                exported.version
            )));
        }
        let mut next = self.feeds.clone();
        let mut summary = ImportSummary::default();
        for (n, feed) in exported.feeds.iter().enumerate() {
            let draft = FeedDraft {
                name: feed.name.clone(),
                url: feed.url.clone(),
                headers: feed
                    .headers
                    .iter()
                    .map(|h| format!("{}: {}", h.name, h.value.as_deref().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("\n"),
                ca_cert: feed.ca_cert.clone().unwrap_or_default(),
                idle_timeout_secs: feed.idle_timeout_secs,
                resume: Some(feed.resume),
            };
            let invalid = |e: crate::feed::ValidationError| {
                Error::BadImport(format!(
                    "feed {} ({:?}): {}: {}",
                    n + 1,
                    feed.name,
                    e.field,
                    e.message
                ))
            };
            let existing = next.iter().position(|f| f.id == feed.id);
            let config = match existing {
                Some(i) => draft.validate_edit(&next[i]).map_err(invalid)?,
                None => {
                    let mut config = draft.validate().map_err(invalid)?;
                    config.id = feed.id.clone();
                    config
                }
            };
            let config = FeedConfig {
                paused: feed.paused,
                retention: feed.retention,
                resume: feed.resume,
                ..config
            };
            match existing {
                Some(i) => {
                    summary.updated.push(config.name.clone());
                    next[i] = config;
                }
                None => {
                    if config.headers.iter().any(|h: &Header| h.value.is_empty()) {
                        summary.missing_secrets.push(config.name.clone());
                    }
                    summary.added.push(config.name.clone());
                    next.push(config);
                }
            }
        }
        self.feeds = next;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        let feed = |name: &str, headers: &str| {
            FeedDraft {
                name: name.into(),
                url: format!("https://{}.example/events", name.to_lowercase()),
                headers: headers.into(),
                ..Default::default()
            }
            .validate()
            .unwrap()
        };
        Settings {
            feeds: vec![
                feed("CI", "Authorization: Bearer s3cret"),
                feed("Alerts", ""),
                feed("alerts", ""),
            ],
            ..Settings::default()
        }
    }

    #[test]
    fn a_feed_is_found_by_id_or_by_a_name_only_it_has() {
        let s = settings();
        assert_eq!(s.find_feed(&s.feeds[0].id.0).unwrap(), 0);
        assert_eq!(s.find_feed(" ci ").unwrap(), 0);
        assert!(matches!(s.find_feed("nope"), Err(Error::NotFound(_))));
        match s.find_feed("ALERTS") {
            Err(Error::Ambiguous { ids, .. }) => {
                assert_eq!(ids, [s.feeds[1].id.0.clone(), s.feeds[2].id.0.clone()])
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }

    #[test]
    fn an_export_without_secrets_has_header_names_only() {
        let json = serde_json::to_string(&settings().export(false)).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
        assert!(json.contains(r#""name":"Authorization""#), "{json}");
        let with = serde_json::to_string(&settings().export(true)).unwrap();
        assert!(with.contains("Bearer s3cret"), "{with}");
    }

    #[test]
    fn an_import_round_trips_and_keeps_ids_secrets_and_history_links() {
        let original = settings();
        let exported = original.export(true);
        let text = serde_json::to_string_pretty(&exported).unwrap();
        let mut fresh = Settings::default();
        let summary = fresh.import(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(summary.added, ["CI", "Alerts", "alerts"]);
        assert_eq!(fresh.feeds, original.feeds, "the same feeds, ids included");

        // Without secrets, into the install it came from: the saved secret stays.
        let mut same = original.clone();
        let summary = same.import(&original.export(false)).unwrap();
        assert_eq!(summary.updated.len(), 3);
        assert_eq!(same.feeds[0].headers[0].value, "Bearer s3cret");
        // …and into a new install: added, with the missing secret said.
        let mut other = Settings::default();
        let summary = other.import(&original.export(false)).unwrap();
        assert_eq!(summary.missing_secrets, ["CI"]);
        assert_eq!(other.feeds[0].headers[0].value, "");
    }

    #[test]
    fn an_export_file_is_private_named_by_date_and_parses_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let exported = settings().export(true);
        let path = exported.write_into(dir.path()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("herald-feeds-20") && name.ends_with(".json") && name.len() == 28,
            "{name}"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(Exported::parse(&text).unwrap(), exported);
    }

    #[test]
    fn text_that_is_not_an_export_is_refused_without_quoting_it() {
        let table = [
            "not json at all",
            r#"{"kind": "herald-feeds"}"#,
            r#"{"kind": "herald-feeds", "version": 1, "withSecrets": true,
                "feeds": [{"id": "a", "name": "A", "url": "https://a/", "headers": "Bearer s3cret"}]}"#,
            "[]",
        ];
        for text in table {
            let error = Exported::parse(text).unwrap_err();
            assert!(matches!(error, Error::BadImport(_)), "{error:?}");
            let message = error.to_string();
            assert!(message.contains("not a Herald feed export"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn one_invalid_feed_in_an_import_changes_nothing_and_is_named() {
        let mut exported = settings().export(true);
        exported.feeds[1].url = "ftp://nope".into();
        let mut target = Settings::default();
        let error = target.import(&exported).unwrap_err().to_string();
        assert!(
            error.contains("feed 2") && error.contains("Alerts"),
            "{error}"
        );
        assert!(target.feeds.is_empty());
        exported.kind = "something else".into();
        assert!(
            target
                .import(&exported)
                .unwrap_err()
                .to_string()
                .contains("not a Herald")
        );
    }
}
