//! ntfy's event stream (`/<topic>/sse`): it sends no `id:` field, so `Last-Event-ID` cannot
//! resume it. Each message's JSON carries its `id`; a request resumes after one with
//! `?since=<id>`. Its `open` and `keepalive` events are protocol chatter, not messages.
//!
//! ntfy's format (its docs, "Subscribe via API"): `event: open` with
//! `data: {"id":…,"time":…,"event":"open","topic":…}` first, then one `data:` JSON object per
//! message with `"event":"message"`, and `event: keepalive` now and then.

use serde::Deserialize;

use crate::sse::Event;

/// The part of an ntfy event's JSON Herald reads here.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: Option<&'a str>,
    #[serde(borrow)]
    event: Option<&'a str>,
}

fn head(event: &Event) -> Option<Head<'_>> {
    serde_json::from_str(&event.data).ok()
}

/// Whether `url` looks like an ntfy stream: its path ends in `/sse`.
pub fn looks_like_ntfy(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path().ends_with("/sse"))
}

/// Whether `event` is ntfy's `open`: the first thing ntfy sends on every connection.
pub fn is_open(event: &Event) -> bool {
    &*event.event_type == "open" && head(event).is_some_and(|h| h.event == Some("open"))
}

/// Whether `event` is ntfy chatter (`open`, `keepalive`, `poll_request`) rather than a message.
pub fn is_chatter(event: &Event) -> bool {
    matches!(&*event.event_type, "open" | "keepalive" | "poll_request")
}

/// The ntfy message id in `event`'s JSON, if it has one.
pub fn message_id(event: &Event) -> Option<String> {
    head(event)?
        .id
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// `url` with `since=<id>` in its query (replacing any `since` already there).
pub fn since_url(url: &str, id: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| name != "since")
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("since", id);
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, data: &str) -> Event {
        Event {
            event_type: event_type.into(),
            data: data.into(),
            last_event_id: "".into(),
        }
    }

    #[test]
    fn ntfy_events_are_told_apart_and_message_ids_read() {
        let open = event("open", r#"{"id":"o1","time":1,"event":"open","topic":"t"}"#);
        let message = event(
            "message",
            r#"{"id":"sPs71M8A2T","time":2,"event":"message","topic":"t","message":"hi"}"#,
        );
        let keepalive = event("keepalive", r#"{"id":"k","time":3,"event":"keepalive"}"#);
        assert!(is_open(&open) && !is_open(&message) && !is_open(&event("open", "not json")));
        assert!(is_chatter(&open) && is_chatter(&keepalive) && !is_chatter(&message));
        assert_eq!(message_id(&message).as_deref(), Some("sPs71M8A2T"));
        assert_eq!(message_id(&event("message", "plain text")), None);
        assert_eq!(message_id(&event("message", r#"{"id":""}"#)), None);
    }

    #[test]
    fn urls_ending_in_sse_look_like_ntfy_and_since_replaces_any_earlier_one() {
        let table = [
            ("https://ntfy.sh/alerts/sse", true),
            ("https://ntfy.example/a,b/sse?auth=x", true),
            ("https://example.com/events", false),
            ("https://example.com/sse/more", false),
        ];
        for (url, want) in table {
            assert_eq!(looks_like_ntfy(url), want, "{url}");
        }
        assert_eq!(
            since_url("https://ntfy.sh/t/sse?auth=x&since=old", "m2"),
            "https://ntfy.sh/t/sse?auth=x&since=m2"
        );
        assert_eq!(
            since_url("https://ntfy.sh/t/sse", "m1"),
            "https://ntfy.sh/t/sse?since=m1"
        );
    }
}
