//! One HTTP request for a feed, and the checks that decide whether its response is a stream.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::{Response, StatusCode};

use super::{ErrorKind, FeedConfig, FeedError};

/// How many redirects one connection attempt follows.
const MAX_REDIRECTS: usize = 5;

/// Longest part of an error body quoted back to the user.
const MAX_ERROR_BODY: usize = 200;

/// The HTTP client feeds share, so requests to one host share connections (and, over TLS with
/// ALPN, one HTTP/2 connection). It trusts the OS root store and honours the system proxy
/// settings (`HTTPS_PROXY`, `NO_PROXY`, …).
pub fn client() -> Result<reqwest::Client, FeedError> {
    builder()
        .build()
        .map_err(|e| FeedError::new(ErrorKind::Request, format!("cannot set up HTTP: {e}")))
}

/// A client for a feed that trusts its own CA certificate too (a self-hosted server).
pub fn client_with_ca(ca_cert: &Path) -> Result<reqwest::Client, FeedError> {
    let unusable = |why: String| {
        FeedError::new(ErrorKind::Request, why)
            .with_hint("check the CA certificate file in the feed's settings")
    };
    let mut builder = builder();
    for certificate in read_ca_file(ca_cert).map_err(unusable)? {
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| unusable(format!("cannot set up HTTP: {e}")))
}

/// The certificates in a PEM file (one CA, or a bundle). A file with none is an error: without
/// this check a wrong file would be accepted and trust nothing.
pub fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certificates) if !certificates.is_empty() => Ok(certificates),
        _ => Err(format!(
            "{} is not a PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )),
    }
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        // Redirects are followed by `open`, which keeps the feed's headers on their origin.
        .redirect(reqwest::redirect::Policy::none())
}

/// What a successful request produced.
pub enum Opened {
    /// 200 with `text/event-stream`: read the body.
    Stream(Response),
    /// 204 No Content: the server asks the client to stop reconnecting.
    StopRequested,
}

/// Where a request resumes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeFrom<'a> {
    /// The standard `Last-Event-ID` header (nothing when empty).
    LastEventId(&'a str),
    /// ntfy's `?since=<message id>` (nothing when empty).
    NtfySince(&'a str),
}

/// Why a request got no response to check.
#[derive(Debug)]
pub enum SendError {
    /// The HTTP stack failed (building the request, DNS, connecting, TLS, the exchange): its
    /// source chain says what happened. Its URL is already removed (a query may hold a token).
    Transport(reqwest::Error),
    /// Herald stopped on the way: an invalid URL, a redirect that leads nowhere, too many.
    Refused(FeedError),
}

/// Sends the feed's request, resuming from `resume`, and checks that the answer is a stream.
pub async fn open(
    client: &reqwest::Client,
    feed: &FeedConfig,
    resume: ResumeFrom<'_>,
) -> Result<Opened, FeedError> {
    match send(client, feed, resume).await {
        Ok(response) => check(response).await,
        Err(SendError::Transport(e)) => Err(request_error(e)),
        Err(SendError::Refused(e)) => Err(e),
    }
}

/// Sends the feed's request, resuming from `resume`, following redirects; the response is
/// not checked (see [`open`]). The feed test sends through here too, so it asks exactly what
/// the feed will.
///
/// Spec (HTML, "Server-sent events", processing model): the request carries
/// `Accept: text/event-stream`, `Cache-Control: no-store`, and `Last-Event-ID` when the last event
/// ID string is not empty.
pub async fn send(
    client: &reqwest::Client,
    feed: &FeedConfig,
    resume: ResumeFrom<'_>,
) -> Result<Response, SendError> {
    let (url, last_event_id) = match resume {
        ResumeFrom::LastEventId(id) => (feed.url.clone(), id),
        ResumeFrom::NtfySince("") => (feed.url.clone(), ""),
        ResumeFrom::NtfySince(id) => (super::ntfy::since_url(&feed.url, id), ""),
    };
    let start = url::Url::parse(&url).map_err(|e| {
        SendError::Refused(FeedError::new(
            ErrorKind::Request,
            format!("invalid URL: {e}"),
        ))
    })?;
    let mut url = start.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut request = client
            .get(url.as_str())
            .header(header::ACCEPT, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-store");
        // The feed's headers often carry credentials: they go to the feed's own origin only,
        // never to another origin a redirect points at.
        if url.origin() == start.origin() {
            for h in &feed.headers {
                request = request.header(h.name.as_str(), h.value.as_str());
            }
        }
        if !last_event_id.is_empty() {
            match HeaderValue::from_str(last_event_id) {
                Ok(value) => request = request.header("Last-Event-ID", value),
                // The spec lets an id hold control characters; an HTTP header cannot. Resuming
                // without the id beats a feed that can never connect again.
                Err(_) => tracing::warn!(
                    feed = %feed.id,
                    "the last event id has control characters a header cannot carry: \
                     reconnecting without Last-Event-ID"
                ),
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Transport(e.without_url()))?;
        match redirect_target(&url, &response) {
            Some(next) => url = next.map_err(SendError::Refused)?,
            None => return Ok(response),
        }
    }
    let mut error = FeedError::new(
        ErrorKind::Http,
        format!("more than {MAX_REDIRECTS} redirects"),
    )
    .with_hint("check the feed's URL: the server keeps redirecting");
    error.status = Some(310); // "too many redirects", as browsers' network logs call it
    Err(SendError::Refused(error))
}

/// Where a redirect response points, resolved against the URL that answered it.
fn redirect_target(url: &url::Url, response: &Response) -> Option<Result<url::Url, FeedError>> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let status = response.status().as_u16();
    let invalid = |why: &str| {
        let mut error = FeedError::new(ErrorKind::Http, format!("HTTP {status} redirect {why}"))
            .with_hint("check the feed's URL");
        error.status = Some(status);
        error
    };
    let Some(location) = response.headers().get(header::LOCATION) else {
        return Some(Err(invalid("without a Location")));
    };
    let target = location.to_str().ok().and_then(|l| url.join(l).ok());
    Some(match target {
        Some(target) if matches!(target.scheme(), "http" | "https") => Ok(target),
        _ => Err(invalid("to an invalid location")),
    })
}

/// Sorts a response into stream, stop, or an error with the server's words and a hint.
async fn check(response: Response) -> Result<Opened, FeedError> {
    let status = response.status();
    if status == StatusCode::NO_CONTENT {
        return Ok(Opened::StopRequested);
    }
    if status != StatusCode::OK {
        let retry_after = retry_after(&response);
        let reason = status.canonical_reason().unwrap_or("");
        let said = short_body(response, MAX_ERROR_BODY).await;
        let mut message = format!("HTTP {} {reason}", status.as_u16())
            .trim_end()
            .to_owned();
        if !said.is_empty() {
            message = format!("{message}: {said}");
        }
        let mut error = FeedError::new(ErrorKind::Http, message);
        error.status = Some(status.as_u16());
        error.retry_after = retry_after;
        error.hint = http_hint(status).map(str::to_owned);
        return Err(error);
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !is_event_stream(&content_type) {
        let shown = if content_type.is_empty() {
            "no content type"
        } else {
            &content_type
        };
        return Err(FeedError::new(
            ErrorKind::ContentType,
            format!("the server answered with {shown}, not text/event-stream"),
        )
        .with_hint("check that the URL points at the event stream itself, not a web page"));
    }
    Ok(Opened::Stream(response))
}

/// `text/event-stream`, ignoring parameters and letter case.
pub fn is_event_stream(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/event-stream")
}

/// The `Retry-After` header in seconds (the HTTP-date form is rare on streaming APIs).
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The start of an error body (at most `max` characters), on one line, so the user sees what
/// the server said.
pub(super) async fn short_body(response: Response, max: usize) -> String {
    // Bounded: read at most a few chunks, never a whole (possibly endless) body.
    let mut response = response;
    let mut body = Vec::new();
    while body.len() < max {
        match tokio::time::timeout(Duration::from_secs(2), response.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::notify::text::cut(&one_line, max)
}

/// What the user can do about an HTTP status.
pub(super) fn http_hint(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        401 | 403 => "check the token or credentials in the feed's headers",
        404 | 410 => "check the feed's URL",
        429 | 503 => "the server is busy; Herald waits as long as it asks",
        400..=499 => "the server refused the request; check the URL and headers",
        _ => return None,
    })
}

/// Turns a reqwest error from sending the request into a feed error.
fn request_error(e: reqwest::Error) -> FeedError {
    if e.is_builder() {
        return FeedError::new(ErrorKind::Request, format!("cannot build the request: {e}"));
    }
    let kind = if e.is_connect() || e.is_timeout() {
        ErrorKind::Connect
    } else {
        ErrorKind::Stream
    };
    // The URL may carry a token in its query: never put it in a message (`send` removed it).
    // reqwest's Display of a connect error is generic; its sources say what happened.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    let error = FeedError::new(kind, message);
    if kind == ErrorKind::Connect {
        error.with_hint("is the server running and reachable?")
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_stream_content_type_ignores_parameters_and_case() {
        let table = [
            ("text/event-stream", true),
            ("text/event-stream; charset=utf-8", true),
            ("Text/Event-Stream", true),
            (" text/event-stream ;x=y", true),
            ("text/plain", false),
            ("text/event-streams", false),
            ("", false),
        ];
        for (value, want) in table {
            assert_eq!(is_event_stream(value), want, "{value:?}");
        }
    }
}
