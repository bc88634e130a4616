//! A feed as the user configured it, and the validation of the settings form.

use std::fmt;
use std::path::PathBuf;

use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::resume::ResumeMode;

/// A feed's stable identity, kept in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeedId(pub String);

impl FeedId {
    /// A new random id.
    pub fn random() -> FeedId {
        FeedId(uuid::Uuid::new_v4().simple().to_string()[..12].to_owned())
    }
}

impl fmt::Display for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request header the feed sends, such as `Authorization: Bearer …`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The header name as the user typed it.
    pub name: String,
    /// The value; may be a secret, so `Debug` never prints it.
    pub value: String,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: <redacted>", self.name)
    }
}

/// A subscribed feed, as stored in the settings file. Its `Debug` shows the URL redacted and
/// header values hidden: both may hold secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedConfig {
    /// Stable identity.
    pub id: FeedId,
    /// The name shown in the timeline and as the notification title.
    pub name: String,
    /// An `http` or `https` URL answering with `text/event-stream`.
    pub url: String,
    /// Extra request headers, in order.
    #[serde(default)]
    pub headers: Vec<Header>,
    /// This is Herald's built-in demo feed (Herald serves it itself).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// The user paused the feed: it stays disconnected, across restarts, until resumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
    /// A PEM CA certificate to trust for this feed, besides the OS store (self-hosted servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// Reconnect after this many seconds without any bytes (default: the app's, 90 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_secs: Option<u64>,
    /// How much history this feed keeps (`None`: the default in the settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// How the feed resumes after a reconnect (`Last-Event-ID`, or ntfy's `since=`).
    #[serde(default, skip_serializing_if = "ResumeMode::is_auto")]
    pub resume: ResumeMode,
    /// Where its header values are kept: in the settings file, or in the system keychain (the
    /// file then holds only their names). Decided when the settings are saved.
    #[serde(default, skip_serializing_if = "SecretsAt::is_file")]
    pub secrets: SecretsAt,
}

/// Where a feed's header values are kept ([`FeedConfig::secrets`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretsAt {
    /// In the settings file (readable by the user only), with the rest of the feed.
    #[default]
    File,
    /// In the system keychain (the Secret Service on Linux); the values are in memory.
    Keychain,
    /// In the system keychain, which has not answered yet (not running, or locked): the values
    /// are not known, so the feed waits instead of connecting without them. Saved as `keychain`.
    #[serde(skip_deserializing, rename = "keychain")]
    KeychainLocked,
}

impl SecretsAt {
    /// True for [`SecretsAt::File`] (the default, left out of the file).
    pub fn is_file(&self) -> bool {
        *self == SecretsAt::File
    }
}

/// How much history a feed keeps: events beyond either limit are pruned, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    /// Keep at most this many events (the newest).
    pub max_events: Option<u64>,
    /// Keep events at most this many days old.
    pub max_age_days: Option<u32>,
}

impl Default for Retention {
    /// 100,000 events or 90 days per feed: months of a busy feed, a few hundred MB at most.
    fn default() -> Self {
        Retention {
            max_events: Some(100_000),
            max_age_days: Some(90),
        }
    }
}

impl fmt::Debug for FeedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Taken apart whole, so a field added later cannot be left out (or printed raw) unseen.
        let FeedConfig {
            id,
            name,
            url: _,
            headers,
            demo,
            paused,
            ca_cert,
            idle_timeout_secs,
            retention,
            resume,
            secrets,
        } = self;
        f.debug_struct("FeedConfig")
            .field("id", id)
            .field("name", name)
            .field("url", &self.redacted_url())
            .field("headers", headers)
            .field("demo", demo)
            .field("paused", paused)
            .field("ca_cert", ca_cert)
            .field("idle_timeout_secs", idle_timeout_secs)
            .field("retention", retention)
            .field("resume", resume)
            .field("secrets", secrets)
            .finish()
    }
}

impl FeedConfig {
    /// The URL without credentials, query or fragment: safe to log (tokens often sit in the
    /// query string).
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}

/// `url` without user info, query or fragment, for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => "<invalid url>".to_owned(),
    }
}

/// What the settings form sends: free text, not yet validated. Its `Debug` shows header names
/// and the URL redacted, never header values: they are often tokens.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedDraft {
    /// The feed's display name; when empty, the URL's host is used.
    #[serde(default)]
    pub name: String,
    /// The URL as typed.
    pub url: String,
    /// Request headers, one `Name: value` per line.
    #[serde(default)]
    pub headers: String,
    /// Path of a PEM CA certificate to trust for this feed (empty: none).
    #[serde(default)]
    pub ca_cert: String,
    /// Idle timeout in seconds (`None`: the default).
    #[serde(default)]
    pub idle_timeout_secs: Option<u64>,
    /// How the feed resumes (`None`: a new feed's is `auto`, an edit keeps the saved one).
    #[serde(default)]
    pub resume: Option<ResumeMode>,
}

impl fmt::Debug for FeedDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FeedDraft {
            name,
            url,
            headers,
            ca_cert,
            idle_timeout_secs,
            resume,
        } = self;
        let header_names: Vec<&str> = headers
            .lines()
            .filter_map(|line| line.split_once(':').map(|(name, _)| name.trim()))
            .collect();
        f.debug_struct("FeedDraft")
            .field("name", name)
            .field("url", &redact_url(url))
            .field("header_names", &header_names)
            .field("ca_cert", ca_cert)
            .field("idle_timeout_secs", idle_timeout_secs)
            .field("resume", resume)
            .finish()
    }
}

/// A settings-form field that failed validation, with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The form field at fault: `name`, `url` or `headers`.
    pub field: &'static str,
    /// What is wrong and what to do, in the user's words.
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        message: message.into(),
    }
}

impl FeedDraft {
    /// Checks the draft and turns it into a feed with a new id (resuming `auto` unless the draft
    /// says otherwise).
    pub fn validate(&self) -> Result<FeedConfig, ValidationError> {
        let url_text = self.url.trim();
        if url_text.is_empty() {
            return Err(invalid(
                "url",
                "Enter the feed's URL, e.g. https://example.com/events",
            ));
        }
        let url = url::Url::parse(url_text).map_err(|e| {
            invalid(
                "url",
                format!("This is not a valid URL ({e}). Use a full http(s) address."),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(
                "url",
                format!(
                    "Herald reads http and https feeds, not “{}:”.",
                    url.scheme()
                ),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("url", "The URL needs a host name."));
        }
        let name = match self.name.trim() {
            "" => url.host_str().unwrap_or("feed").to_owned(),
            name if name.chars().count() > 80 => {
                return Err(invalid("name", "Keep the name under 80 characters."));
            }
            name => name.to_owned(),
        };
        let headers = parse_headers(&self.headers)?;
        let ca_cert = match self.ca_cert.trim() {
            "" => None,
            path => Some(check_ca_cert(path)?),
        };
        let idle_timeout_secs = match self.idle_timeout_secs {
            Some(secs) if !(MIN_IDLE_SECS..=MAX_IDLE_SECS).contains(&secs) => {
                return Err(invalid(
                    "idleTimeout",
                    format!("Use between {MIN_IDLE_SECS} and {MAX_IDLE_SECS} seconds."),
                ));
            }
            secs => secs,
        };
        Ok(FeedConfig {
            id: FeedId::random(),
            name,
            url: url.to_string(),
            headers,
            demo: false,
            paused: false,
            ca_cert,
            idle_timeout_secs,
            retention: None,
            resume: self.resume.unwrap_or_default(),
            secrets: SecretsAt::File,
        })
    }

    /// Checks the draft as an edit of `existing`: the result keeps its id, whether it is the
    /// demo or paused, its retention, and its resume mode unless the draft names one. A header whose value is left blank keeps
    /// the saved value of the header of that name (the form never shows saved values).
    pub fn validate_edit(&self, existing: &FeedConfig) -> Result<FeedConfig, ValidationError> {
        let mut edited = self.validate()?;
        for header in &mut edited.headers {
            if header.value.is_empty()
                && let Some(saved) = existing
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(&header.name))
            {
                header.value = saved.value.clone();
            }
        }
        // Values still in a keychain that has not answered stay there, and the feed keeps
        // waiting for them; once every value is typed anew, saving decides where they go.
        let waiting = existing.secrets == SecretsAt::KeychainLocked
            && edited.headers.iter().any(|h| h.value.is_empty());
        Ok(FeedConfig {
            id: existing.id.clone(),
            demo: existing.demo,
            paused: existing.paused,
            retention: existing.retention,
            resume: self.resume.unwrap_or(existing.resume),
            secrets: if waiting {
                SecretsAt::KeychainLocked
            } else {
                existing.secrets
            },
            ..edited
        })
    }
}

/// The shortest idle timeout accepted: servers' heartbeats are rarely more frequent.
const MIN_IDLE_SECS: u64 = 5;
/// The longest idle timeout accepted (a day).
const MAX_IDLE_SECS: u64 = 86_400;

/// Checks that `path` holds a PEM certificate, so a wrong path is a form error, not a feed that
/// fails later.
fn check_ca_cert(path: &str) -> Result<PathBuf, ValidationError> {
    let path = PathBuf::from(path);
    super::connection::read_ca_file(&path).map_err(|why| invalid("caCert", format!("{why}.")))?;
    Ok(path)
}

/// Parses `Name: value` lines; blank lines are skipped.
fn parse_headers(text: &str) -> Result<Vec<Header>, ValidationError> {
    let mut headers = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(
                "headers",
                format!("Line {number}: write each header as “Name: value”."),
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(invalid(
                "headers",
                format!("Line {number}: “{name}” is not a header name."),
            ));
        }
        if HeaderValue::from_str(value).is_err() {
            return Err(invalid(
                "headers",
                format!("Line {number}: the value of {name} has characters a header cannot carry."),
            ));
        }
        headers.push(Header {
            name: name.to_owned(),
            value: value.to_owned(),
        });
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, url: &str, headers: &str) -> FeedDraft {
        FeedDraft {
            name: name.into(),
            url: url.into(),
            headers: headers.into(),
            ..Default::default()
        }
    }

    fn ca(path: &str) -> FeedDraft {
        FeedDraft {
            ca_cert: path.into(),
            ..draft("a", "https://h/", "")
        }
    }

    #[test]
    fn validation_names_the_field_at_fault() {
        let table = [
            (draft("a", "", ""), "url"),
            (draft("a", "not a url", ""), "url"),
            (draft("a", "ftp://example.com/x", ""), "url"),
            (draft("a", "file:///etc/passwd", ""), "url"),
            (draft(&"n".repeat(81), "http://h/", ""), "name"),
            (draft("a", "http://h/", "no colon here"), "headers"),
            (draft("a", "http://h/", "bad name: x"), "headers"),
            (draft("a", "http://h/", "X-Ok: line\u{7}bell"), "headers"),
            (ca("/nonexistent/ca.pem"), "caCert"),
            (
                ca(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")),
                "caCert",
            ), // not a certificate
        ];
        for (draft, field) in table {
            assert_eq!(draft.validate().unwrap_err().field, field, "{draft:?}");
        }
    }

    #[test]
    fn valid_draft_becomes_a_feed() {
        let feed = draft(
            " ",
            " https://example.com/sse?x=1 ",
            "Authorization: Bearer t\n\nX-A:b",
        )
        .validate()
        .unwrap();
        assert_eq!(feed.name, "example.com");
        assert_eq!(feed.url, "https://example.com/sse?x=1");
        assert_eq!(feed.headers.len(), 2);
        assert_eq!(
            feed.headers[1],
            Header {
                name: "X-A".into(),
                value: "b".into()
            }
        );
    }

    #[test]
    fn an_edit_keeps_the_id_and_a_blank_header_value_keeps_the_saved_secret() {
        let mut saved = draft(
            "CI",
            "https://ci.example/events",
            "Authorization: Bearer s3cret\nX-A: 1",
        )
        .validate()
        .unwrap();
        saved.paused = true;
        let edit = draft(
            "CI builds",
            "https://ci.example/v2/events",
            "Authorization:\nX-A: 2\nX-New:",
        );
        let edited = edit.validate_edit(&saved).unwrap();
        assert_eq!(edited.id, saved.id);
        assert_eq!(edited.name, "CI builds");
        assert_eq!(edited.url, "https://ci.example/v2/events");
        assert!(edited.paused, "an edit does not resume a paused feed");
        assert_eq!(
            edited.resume, saved.resume,
            "a draft without a mode keeps the saved one"
        );
        let headers: Vec<(&str, &str)> = edited
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(
            headers,
            [
                ("Authorization", "Bearer s3cret"),
                ("X-A", "2"),
                ("X-New", "")
            ]
        );
        let ntfy = FeedDraft {
            resume: Some(ResumeMode::NtfySince),
            ..edit.clone()
        };
        assert_eq!(ntfy.validate().unwrap().resume, ResumeMode::NtfySince);
        let mut saved_ntfy = saved.clone();
        saved_ntfy.resume = ResumeMode::NtfySince;
        let standard = FeedDraft {
            resume: Some(ResumeMode::LastEventId),
            ..edit.clone()
        };
        assert_eq!(
            standard.validate_edit(&saved_ntfy).unwrap().resume,
            ResumeMode::LastEventId
        );
        assert_eq!(
            edit.validate_edit(&saved_ntfy).unwrap().resume,
            ResumeMode::NtfySince
        );
        // A header left out is removed; an invalid edit is refused as a new feed would be.
        let fewer = draft("CI", "https://ci.example/events", "")
            .validate_edit(&saved)
            .unwrap();
        assert!(fewer.headers.is_empty());
        assert_eq!(
            draft("CI", "ftp://x", "")
                .validate_edit(&saved)
                .unwrap_err()
                .field,
            "url"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_and_redacted_urls() {
        let feed = draft(
            "a",
            "https://u:p@h.example/s?token=sec#f",
            "Authorization: Bearer sec",
        )
        .validate()
        .unwrap();
        let debug = format!("{feed:?}");
        for secret in ["Bearer sec", "token=sec", "u:p@", "#f"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        let draft = draft(
            "a",
            "https://u:p@h.example/s?token=sec#f",
            "Authorization: Bearer sec",
        );
        let debug = format!("{draft:?}");
        for secret in ["Bearer sec", "token=sec", "u:p@", "#f"] {
            assert!(!debug.contains(secret), "{secret} in the draft's {debug}");
        }
        assert!(debug.contains("Authorization"), "{debug}");
        assert!(debug.contains("https://h.example/s"), "{debug}");
        assert_eq!(feed.redacted_url(), "https://h.example/s");
    }
}
