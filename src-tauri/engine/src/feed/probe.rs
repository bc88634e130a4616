//! The feed test: connect once with a feed's real request, read a few seconds, and say exactly
//! what happened.
//!
//! The editor's "Test" button runs this before a feed is saved. It sends the request the
//! supervisor would send ([`connection::send`]: the same client choice, CA file included, the
//! same headers, `Accept` and redirects), waits at most [`Limits::headers`] for the answer, then
//! reads for at most [`Limits::read`] or until [`Limits::events`] events came. Nothing is stored
//! and no running feed is touched.
//!
//! A failure is named precisely ([`FailureKind`]) from the error's source chain, in
//! `probe/classify.rs`. Messages name the host at most: never a header value, URL credentials
//! or query.

mod classify;

use std::time::{Duration, Instant};

use reqwest::header;
use serde::Serialize;

use self::classify::{Target, chain_text, classify, timeout};
use super::clients::Clients;
use super::connection::{self, ResumeFrom, SendError};
use super::{ErrorKind, FeedConfig};
use crate::sse::{Limits as ParserLimits, Parser};

/// How long a test may take and how much it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the start until the response's headers (DNS, connecting, TLS, redirects included).
    pub headers: Duration,
    /// How long the stream is read once open.
    pub read: Duration,
    /// Reading stops once this many events came.
    pub events: usize,
    /// Each event's data is cut to this many characters.
    pub data_chars: usize,
}

impl Default for Limits {
    /// 10 s to the headers, then 3 s or 5 events, 2,000 characters of data each.
    fn default() -> Self {
        Limits {
            headers: Duration::from_secs(10),
            read: Duration::from_secs(3),
            events: 5,
            data_chars: 2_000,
        }
    }
}

/// What a test found (the UI's `FeedTest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedTest {
    /// The server answered 200 with `text/event-stream` (even if no event came in time).
    pub ok: bool,
    /// The HTTP status of the (last) response, when there was one.
    pub status: Option<u16>,
    /// Its `Content-Type`, when it had one.
    pub content_type: Option<String>,
    /// How long the test took, in milliseconds.
    pub elapsed_ms: u64,
    /// The first events, as parsed.
    pub events: Vec<TestEvent>,
    /// What went wrong; `None` when nothing did. With `ok`, only a stream that broke while
    /// being read.
    pub failure: Option<TestFailure>,
}

/// One event a test read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEvent {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The data, cut to [`Limits::data_chars`].
    pub data: String,
    /// The last event id when it was dispatched.
    pub last_event_id: String,
}

/// Why a test failed, for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestFailure {
    /// The class of failure.
    pub kind: FailureKind,
    /// What happened, in one sentence.
    pub message: String,
    /// The HTTP status, for [`FailureKind::Http`].
    pub status: Option<u16>,
    /// What the user can do about it.
    pub hint: Option<String>,
}

/// Classes of test failure, finer than the feed's own [`ErrorKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The host name does not resolve.
    Dns,
    /// Nothing listens on the port.
    Refused,
    /// No answer in time.
    Timeout,
    /// The TLS handshake failed (the message says which certificate problem).
    Tls,
    /// An HTTP status other than 200 (or a redirect that leads nowhere).
    Http,
    /// 200, but not `text/event-stream`.
    ContentType,
    /// The request could not be built (a CA file that cannot be used, a bad header).
    Request,
    /// No connection, for another reason.
    Connect,
    /// The stream broke while being read.
    Stream,
}

impl TestFailure {
    fn new(kind: FailureKind, message: impl Into<String>, hint: Option<&str>) -> TestFailure {
        TestFailure {
            kind,
            message: message.into(),
            status: None,
            hint: hint.map(str::to_owned),
        }
    }
}

/// Tests `feed` with the default [`Limits`].
pub async fn probe(feed: &FeedConfig) -> FeedTest {
    probe_with(feed, Limits::default()).await
}

/// Tests `feed` within `limits`.
pub async fn probe_with(feed: &FeedConfig, limits: Limits) -> FeedTest {
    let started = Instant::now();
    let mut test = FeedTest {
        ok: false,
        status: None,
        content_type: None,
        elapsed_ms: 0,
        events: Vec::new(),
        failure: None,
    };
    test.failure = run(feed, limits, &mut test).await.err();
    test.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let kind = test.failure.as_ref().map(|f| f.kind);
    tracing::info!(url = %feed.redacted_url(), ok = test.ok, events = test.events.len(), ?kind, "feed tested");
    test
}

/// Connects and reads into `test`; the error is the failure to report.
async fn run(feed: &FeedConfig, limits: Limits, test: &mut FeedTest) -> Result<(), TestFailure> {
    let target = Target::of(&feed.url);
    // A fresh set of clients: the same choice the engine makes, shared with no running feed.
    let client = Clients::new()
        .for_feed(feed)
        .await
        .map_err(|e| TestFailure {
            kind: FailureKind::Request,
            message: e.message,
            status: None,
            hint: e.hint,
        })?;
    let sent = tokio::time::timeout(
        limits.headers,
        connection::send(&client, feed, ResumeFrom::LastEventId("")),
    )
    .await;
    let response = match sent {
        Err(_) => return Err(timeout(&target, limits.headers)),
        Ok(Err(SendError::Transport(e))) => return Err(classify(&e, &target, limits.headers)),
        Ok(Err(SendError::Refused(e))) => {
            let kind = match e.kind {
                ErrorKind::Http => FailureKind::Http,
                _ => FailureKind::Request,
            };
            return Err(TestFailure {
                kind,
                message: e.message,
                status: e.status,
                hint: e.hint,
            });
        }
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    test.status = Some(status.as_u16());
    test.content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if status != reqwest::StatusCode::OK {
        return Err(http_failure(response, test.content_type.as_deref()).await);
    }
    let content_type = test.content_type.as_deref().unwrap_or("");
    if !connection::is_event_stream(content_type) {
        let shown = match content_type {
            "" => "no content type",
            other => other,
        };
        return Err(TestFailure::new(
            FailureKind::ContentType,
            format!("the server answered with {shown}, not text/event-stream"),
            Some("check that the URL points at the event stream itself, not a web page"),
        ));
    }
    test.ok = true;
    read(response, limits, &mut test.events).await
}

/// Reads events until `limits` say stop (or the server ends the stream).
async fn read(
    mut response: reqwest::Response,
    limits: Limits,
    events: &mut Vec<TestEvent>,
) -> Result<(), TestFailure> {
    let deadline = tokio::time::Instant::now() + limits.read;
    let mut parser = Parser::new(ParserLimits::default());
    loop {
        let chunk = match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Ok(()), // read long enough
            Ok(chunk) => chunk,
        };
        let ended = match chunk {
            Ok(Some(bytes)) => {
                parser.push(bytes);
                false
            }
            Ok(None) => {
                parser.finish();
                true
            }
            Err(e) => {
                return Err(TestFailure::new(
                    FailureKind::Stream,
                    format!("the stream broke: {}", chain_text(&e)),
                    None,
                ));
            }
        };
        // An event over the parser's limits is left out: the test shows what fits.
        while let Some(item) = parser.next() {
            let Ok(event) = item else { continue };
            events.push(TestEvent {
                event_type: event.event_type.to_string(),
                data: crate::notify::text::cut(&event.data, limits.data_chars),
                last_event_id: event.last_event_id.to_string(),
            });
            if events.len() >= limits.events {
                return Ok(());
            }
        }
        if ended {
            return Ok(());
        }
    }
}

/// The longest part of an error body quoted in a test's message.
const MAX_BODY: usize = 300;

/// A status other than 200: the status, its reason, and the start of what the server said
/// when it said it in text or JSON.
async fn http_failure(response: reqwest::Response, content_type: Option<&str>) -> TestFailure {
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or("");
    let mut message = format!("HTTP {} {reason}", status.as_u16())
        .trim_end()
        .to_owned();
    if status == reqwest::StatusCode::NO_CONTENT {
        message.push_str(": the server asks clients not to connect");
    } else if content_type.is_some_and(is_text) {
        let said = connection::short_body(response, MAX_BODY).await;
        let said = said.trim();
        if !said.is_empty() {
            message = format!("{message}: {said}");
        }
    }
    TestFailure {
        kind: FailureKind::Http,
        message,
        status: Some(status.as_u16()),
        hint: connection::http_hint(status).map(str::to_owned),
    }
}

/// Text a person can read: `text/*`, JSON (`application/json`, `…+json`).
fn is_text(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/") || essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_quoted_when_they_are_text_or_json() {
        let table = [
            ("text/plain", true),
            ("text/html; charset=utf-8", true),
            ("application/json", true),
            ("application/problem+json", true),
            ("Application/JSON", true),
            ("application/octet-stream", false),
            ("image/png", false),
            ("", false),
        ];
        for (content_type, want) in table {
            assert_eq!(is_text(content_type), want, "{content_type:?}");
        }
    }

    #[test]
    fn a_failure_serializes_as_the_ui_reads_it() {
        let failure = TestFailure::new(FailureKind::ContentType, "m", None);
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "contentType", "message": "m", "status": null, "hint": null})
        );
    }
}
