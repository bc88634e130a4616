//! The notification policy: which text an event turns into.

use crate::feed::FeedConfig;
use crate::report::EventRecord;

/// The longest body shown, in characters: notification servers cut or reflow long text badly.
pub const MAX_BODY_CHARS: usize = 300;
/// The longest summary shown, in characters.
pub const MAX_SUMMARY_CHARS: usize = 100;

/// One notification, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The title line: the feed's name, plus the event type when it is not `message`.
    pub summary: String,
    /// The event's data, truncated.
    pub body: String,
}

/// Turns a stored event of `feed` into a notification.
pub fn render(feed: &FeedConfig, event: &EventRecord) -> Notification {
    let summary = if event.event_type == "message" {
        feed.name.clone()
    } else {
        format!("{} · {}", feed.name, event.event_type)
    };
    Notification {
        summary: truncate(&summary, MAX_SUMMARY_CHARS),
        body: truncate(event.data.trim(), MAX_BODY_CHARS),
    }
}

/// `text` cut to at most `max` characters (not bytes: never inside a UTF-8 sequence), with an
/// ellipsis when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", keep.trim_end())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedId;

    fn feed(name: &str) -> FeedConfig {
        FeedConfig {
            id: FeedId("f".into()),
            name: name.into(),
            url: "http://h/".into(),
            headers: vec![],
            demo: false,
            paused: false,
            ca_cert: None,
            idle_timeout_secs: None,
            retention: None,
            resume: Default::default(),
        }
    }

    fn event(event_type: &str, data: &str) -> EventRecord {
        EventRecord {
            seq: 1,
            feed_id: FeedId("f".into()),
            feed_name: "F".into(),
            event_type: event_type.into(),
            data: data.into(),
            last_event_id: String::new(),
            received_at: 0,
            read: false,
            catch_up: false,
        }
    }

    #[test]
    fn summary_is_feed_name_plus_type_unless_message() {
        let table = [("message", "Builds"), ("deploy", "Builds · deploy")];
        for (event_type, want) in table {
            assert_eq!(
                render(&feed("Builds"), &event(event_type, "x")).summary,
                want
            );
        }
    }

    #[test]
    fn truncate_cuts_on_characters_with_an_ellipsis() {
        let table = [
            ("short", 10, "short"),
            ("exactly10!", 10, "exactly10!"),
            ("eleven chars", 10, "eleven ch…"),
            ("ééééééé", 4, "ééé…"),
            ("🔔🔔🔔", 2, "🔔…"),
            ("", 3, ""),
        ];
        for (text, max, want) in table {
            assert_eq!(truncate(text, max), want, "{text:?} {max}");
        }
    }

    #[test]
    fn long_body_is_truncated() {
        let n = render(&feed("F"), &event("message", &"x".repeat(5000)));
        assert_eq!(n.body.chars().count(), MAX_BODY_CHARS);
        assert!(n.body.ends_with('…'));
    }
}
