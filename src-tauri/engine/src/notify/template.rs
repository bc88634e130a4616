//! The template: one event → one [`Message`], in words.
//!
//! The event's data is read in the first shape that fits: a Gotify message, an ntfy message (or
//! any JSON object with a string `message`), or else plain text under the feed's name. The
//! feed's [`Mapping`] then overrides single parts through JSON pointers. Links go through
//! [`link::http_url`]; the text stays plain, neither cut nor escaped (the sender does both).

use serde_json::{Map, Value};

use super::rule::Mapping;
use super::{Message, Priority, ViewAction, link, text};

/// What ntfy allows on one notification, and so what Herald keeps.
const MAX_ACTIONS: usize = 3;

/// The event a message is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The feed's name: the title when the data has none.
    pub feed_name: &'a str,
    /// The SSE event type (`message` unless the server named another).
    pub event_type: &'a str,
    /// The event's data, as received.
    pub data: &'a str,
}

/// Renders the event `source` as a message, with `mapping`'s overrides.
pub fn render(source: &Source<'_>, mapping: &Mapping) -> Message {
    let json: Option<Value> = serde_json::from_str(source.data).ok();
    let object = json.as_ref().and_then(Value::as_object);
    let mut message = match object.and_then(|o| Some((o, o.get("message")?.as_str()?))) {
        Some((object, body)) if is_gotify(object) => gotify(source, object, body),
        Some((object, body)) => ntfy(source, object, body),
        None => plain(source),
    };
    if let Some(json) = &json {
        apply(mapping, json, &mut message, source.feed_name);
    }
    message.title = text::one_line(&message.title);
    message
}

/// Gotify's stream sends `MessageExternal` (gotify/server `model/message.go`): `id`, `appid`,
/// `message`, `title`, `priority` 0–10, `extras`, `date`. ntfy has neither `appid` nor
/// `extras`, so either one marks Gotify.
fn is_gotify(object: &Map<String, Value>) -> bool {
    object.get("appid").is_some_and(Value::is_number)
        || object.get("extras").is_some_and(Value::is_object)
}

/// The feed's name, plus the event type when it is not the default `message`.
fn default_title(source: &Source<'_>) -> String {
    if source.event_type == "message" {
        source.feed_name.to_owned()
    } else {
        format!("{} · {}", source.feed_name, source.event_type)
    }
}

/// Anything that is not a JSON object with a string `message`: the data under the feed's name.
fn plain(source: &Source<'_>) -> Message {
    Message {
        title: default_title(source),
        body: source.data.trim().to_owned(),
        priority: Priority::Default,
        click: None,
        actions: Vec::new(),
        group: None,
        tags: Vec::new(),
    }
}

/// A string field, when present and not blank.
fn string<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key)?.as_str().filter(|s| !s.trim().is_empty())
}

/// Whether a content type is Markdown (`text/markdown`, with or without parameters).
fn is_markdown(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| {
        let essence = t.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("text/markdown")
    })
}

/// The body, stripped of Markdown when the sender said it is Markdown.
fn body(message: &str, markdown: bool) -> String {
    if markdown {
        text::markdown_to_plain(message)
    } else {
        message.to_owned()
    }
}

/// `raw` as a link the notification may open; a refused one is dropped with a log line naming
/// the feed and why (the scheme), never the link or the data.
fn keep_link(raw: &str, feed: &str, what: &'static str) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    link::http_url(raw)
        .inspect_err(|refused| tracing::warn!(feed, what, %refused, "dropped a link"))
        .ok()
}

/// An ntfy message, as its JSON stream and SSE stream send it (ntfy `server/types.go`,
/// `docs/subscribe/api.md`): `title`, `message`, `priority` 1–5, `tags`, `click`, `actions`,
/// `content_type`, and since ntfy 2.16 `sequence_id`, which ties updates of one notification
/// together. A bare `{"message": …}` from any other server is read the same way.
fn ntfy(source: &Source<'_>, object: &Map<String, Value>, message: &str) -> Message {
    let feed = source.feed_name;
    let (mut emoji, mut tags) = (Vec::new(), Vec::new());
    let tag_names = object.get("tags").and_then(Value::as_array);
    for tag in tag_names.into_iter().flatten().filter_map(Value::as_str) {
        match emojis::get_by_shortcode(tag.trim()) {
            Some(e) => emoji.push(e.as_str()),
            None if !tag.trim().is_empty() => tags.push(tag.trim().to_owned()),
            None => {}
        }
    }
    let mut title = string(object, "title").map_or_else(|| default_title(source), str::to_owned);
    if !emoji.is_empty() {
        // As ntfy's apps show them: "⚠️ 💀 Disk full".
        title = format!("{} {title}", emoji.join(" "));
    }
    let actions = object.get("actions").and_then(Value::as_array);
    let actions = actions
        .into_iter()
        .flatten()
        .filter_map(|action| view_action(action, feed))
        .take(MAX_ACTIONS)
        .collect();
    Message {
        title,
        body: body(message, is_markdown(string(object, "content_type"))),
        priority: object
            .get("priority")
            .and_then(Value::as_i64)
            .and_then(Priority::from_ntfy)
            .unwrap_or_default(),
        click: string(object, "click").and_then(|url| keep_link(url, feed, "click")),
        actions,
        group: string(object, "sequence_id").map(str::to_owned),
        tags,
    }
}

/// An ntfy `view` action with a label and an http(s) `url`; `http` and `broadcast` actions
/// (a request or an Android intent on press) are not for the desktop.
fn view_action(action: &Value, feed: &str) -> Option<ViewAction> {
    let action = action.as_object()?;
    if !string(action, "action")?
        .trim()
        .eq_ignore_ascii_case("view")
    {
        return None;
    }
    let label = text::one_line(string(action, "label")?);
    let url = keep_link(string(action, "url")?, feed, "action")?;
    Some(ViewAction { label, url })
}

/// A Gotify message: its priority on Gotify's 0–10 scale, and the `extras` Gotify's clients
/// read (gotify/website `docs/msgextras.md`): `client::display.contentType` and
/// `client::notification.click.url`.
fn gotify(source: &Source<'_>, object: &Map<String, Value>, message: &str) -> Message {
    let extras = object.get("extras");
    let extra = |pointer: &str| {
        extras
            .and_then(|e| e.pointer(pointer))
            .and_then(Value::as_str)
    };
    Message {
        title: string(object, "title").map_or_else(|| default_title(source), str::to_owned),
        body: body(message, is_markdown(extra("/client::display/contentType"))),
        priority: object
            .get("priority")
            .and_then(Value::as_i64)
            .and_then(Priority::from_gotify)
            .unwrap_or_default(),
        click: extra("/client::notification/click/url")
            .and_then(|url| keep_link(url, source.feed_name, "click")),
        actions: Vec::new(),
        group: None,
        tags: Vec::new(),
    }
}

/// What `pointer` finds in `json`; a pointer that is unset, does not resolve or finds `null`
/// leaves the default.
fn lookup<'a>(json: &'a Value, pointer: Option<&String>) -> Option<&'a Value> {
    json.pointer(pointer?).filter(|v| !v.is_null())
}

/// A value as text: a string as it is, anything else as its compact JSON.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A priority from ntfy's number 1–5, or a name (as ntfy's `Priority` header takes them).
fn priority(value: &Value) -> Option<Priority> {
    let number = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "min" => 1,
            "low" => 2,
            "default" => 3,
            "high" => 4,
            "max" | "urgent" => 5,
            other => other.parse().ok()?,
        },
        _ => return None,
    };
    match number {
        1..=5 => Priority::from_ntfy(number),
        _ => None,
    }
}

/// Overrides each part of `message` whose pointer in `mapping` resolves in `json`.
fn apply(mapping: &Mapping, json: &Value, message: &mut Message, feed: &str) {
    if let Some(title) = lookup(json, mapping.title.as_ref()) {
        message.title = as_text(title);
    }
    if let Some(body) = lookup(json, mapping.body.as_ref()) {
        message.body = as_text(body);
    }
    if let Some(url) = lookup(json, mapping.url.as_ref())
        && let Some(url) = keep_link(&as_text(url), feed, "mapped url")
    {
        message.click = Some(url);
    }
    if let Some(p) = lookup(json, mapping.priority.as_ref()).and_then(priority) {
        message.priority = p;
    }
    if let Some(group) = lookup(json, mapping.group.as_ref())
        && matches!(group, Value::String(_) | Value::Number(_))
    {
        message.group = Some(as_text(group));
    }
}

#[cfg(test)]
mod tests;
