//! The template's rules, one table row per case. The fixtures are ntfy's and Gotify's documented
//! message shapes (`notify/fixtures/`).

use super::*;

mod mapping;

const NTFY_MESSAGE: &str = include_str!("../fixtures/ntfy_message.json");
const NTFY_MARKDOWN: &str = include_str!("../fixtures/ntfy_markdown.json");
const NTFY_ACTIONS: &str = include_str!("../fixtures/ntfy_actions.json");
const NTFY_SEQUENCE: &str = include_str!("../fixtures/ntfy_sequence.json");
const GOTIFY_MESSAGE: &str = include_str!("../fixtures/gotify_message.json");
const GOTIFY_CLICK: &str = include_str!("../fixtures/gotify_click.json");

/// The message with only a title and a body; [`Expect`] sets what else a case expects.
fn message(title: &str, body: &str) -> Message {
    Message {
        title: title.into(),
        body: body.into(),
        priority: Priority::Default,
        click: None,
        actions: Vec::new(),
        group: None,
        tags: Vec::new(),
    }
}

/// Short ways to say what a case expects besides title and body, so rows fit on a line.
trait Expect {
    fn priority(self, priority: Priority) -> Self;
    fn click(self, url: &str) -> Self;
    fn group(self, group: &str) -> Self;
    fn tags(self, tags: &[&str]) -> Self;
    fn views(self, views: &[(&str, &str)]) -> Self;
}

impl Expect for Message {
    fn priority(self, priority: Priority) -> Self {
        Message { priority, ..self }
    }
    fn click(self, url: &str) -> Self {
        Message {
            click: Some(url.into()),
            ..self
        }
    }
    fn group(self, group: &str) -> Self {
        Message {
            group: Some(group.into()),
            ..self
        }
    }
    fn tags(self, tags: &[&str]) -> Self {
        Message {
            tags: tags.iter().map(|&t| t.into()).collect(),
            ..self
        }
    }
    fn views(self, views: &[(&str, &str)]) -> Self {
        let actions = views.iter().map(|&(l, u)| ViewAction {
            label: l.into(),
            url: u.into(),
        });
        Message {
            actions: actions.collect(),
            ..self
        }
    }
}

/// A mapping from `(part, pointer)` pairs.
fn mapping(pairs: &[(&str, &str)]) -> Mapping {
    let mut mapping = Mapping::default();
    for &(part, pointer) in pairs {
        let slot = match part {
            "title" => &mut mapping.title,
            "body" => &mut mapping.body,
            "url" => &mut mapping.url,
            "priority" => &mut mapping.priority,
            "group" => &mut mapping.group,
            other => panic!("no mapping part {other}"),
        };
        *slot = Some(pointer.into());
    }
    mapping
}

/// Renders `data` of event type `event_type` from the feed "Home".
fn render_as(event_type: &str, data: &str, pairs: &[(&str, &str)]) -> Message {
    let source = Source {
        feed_name: "Home",
        event_type,
        data,
    };
    render(&source, &mapping(pairs))
}

/// Checks rows of `(data, expected message)` of one event type, without a mapping.
fn check<const N: usize>(event_type: &str, table: [(&str, Message); N]) {
    for (data, want) in table {
        assert_eq!(
            render_as(event_type, data, &[]),
            want,
            "{event_type} {data}"
        );
    }
}

#[test]
fn ntfy_messages_use_their_fields() {
    let documented = "Movement detected in the yard. You better go check";
    let markdown = "Backup finished\nLook ma, bold text, *italics*, ...\nSee the log, took 12m 3s.";
    check(
        "message",
        [
            (
                NTFY_MESSAGE,
                message("⚠️ 💀 Unauthorized access detected", documented)
                    .priority(Priority::Max)
                    .click("https://homecam.mynet.lan/incident/1234"),
            ),
            (NTFY_MARKDOWN, message("Nightly backup", markdown)),
            (
                NTFY_SEQUENCE,
                message("⬇️ Downloading ubuntu.iso", "50% done").group("download-7"),
            ),
            (
                r#"{"id":"wze9zgqK41","event":"message","topic":"a","message":"m"}"#,
                message("Home", "m"),
            ),
            (
                r#"{"message":"  deploy done  "}"#,
                message("Home", "  deploy done  "),
            ),
            (
                r#"{"message":"db down","service":"api"}"#,
                message("Home", "db down"),
            ),
            (
                r#"{"message":"**x**","content_type":"text/markdown; charset=utf-8"}"#,
                message("Home", "x"),
            ),
            (
                r#"{"message":"**x**","content_type":"text/plain"}"#,
                message("Home", "**x**"),
            ),
            (r#"{"title":"  ","message":"x"}"#, message("Home", "x")),
            (
                r#"{"title":" Disk\nfull \t now ","message":"x"}"#,
                message("Disk full now", "x"),
            ),
            (r#"{"message":"x","sequence_id":7}"#, message("Home", "x")),
        ],
    );
    check(
        "deploy",
        [
            (
                r#"{"message":"v1.2 live"}"#,
                message("Home · deploy", "v1.2 live"),
            ),
            (
                r#"{"title":"Shipped","message":"v1.2"}"#,
                message("Shipped", "v1.2"),
            ),
        ],
    );
}

#[test]
fn ntfy_tags_that_are_emoji_go_before_the_title_and_others_are_kept() {
    check(
        "message",
        [
            (
                r#"{"message":"x","tags":["tada","backup","warning"," host-a ",7,""]}"#,
                message("🎉 ⚠️ Home", "x").tags(&["backup", "host-a"]),
            ),
            (
                r#"{"message":"x","tags":["backup","nas"]}"#,
                message("Home", "x").tags(&["backup", "nas"]),
            ),
            (r#"{"message":"x","tags":"warning"}"#, message("Home", "x")),
        ],
    );
}

#[test]
fn ntfy_priority_outside_one_to_five_is_the_default() {
    let table = [
        ("1", Priority::Min),
        ("2", Priority::Low),
        ("3", Priority::Default),
        ("4", Priority::High),
        ("5", Priority::Max),
        ("0", Priority::Default),
        ("6", Priority::Default),
        ("9", Priority::Default),
        ("-1", Priority::Default),
        ("4.5", Priority::Default),
        (r#""4""#, Priority::Default),
        ("null", Priority::Default),
    ];
    for (priority, want) in table {
        let data = format!(r#"{{"message":"x","priority":{priority}}}"#);
        assert_eq!(
            render_as("message", &data, &[]).priority,
            want,
            "{priority}"
        );
    }
}

#[test]
fn ntfy_links_keep_only_http_and_view_actions() {
    let refused = r#"{"message":"x","click":"javascript:alert(1)","actions":[
        {"action":"view","label":"Evil","url":"javascript:alert(1)"},
        {"action":"view","label":"File","url":"file:///etc/passwd"},
        {"action":"VIEW","label":"  Status\npage ","url":" https://ok.example/ "},
        {"action":"broadcast","label":"Intent","intent":"io.heckel.ntfy.USER_ACTION"},
        {"action":"view","label":"","url":"https://no-label.example/"},
        {"action":"view","label":"No URL"}, "view"]}"#;
    let many = r#"{"message":"x","click":"https://a.example","actions":[
        {"action":"view","label":"1","url":"https://1.example/"},
        {"action":"view","label":"2","url":"https://2.example/"},
        {"action":"view","label":"3","url":"https://3.example/"},
        {"action":"view","label":"4","url":"https://4.example/"}]}"#;
    let three = [
        ("1", "https://1.example/"),
        ("2", "https://2.example/"),
        ("3", "https://3.example/"),
    ];
    let documented = "You left the house. Turn down the A/C?";
    check(
        "message",
        [
            (
                NTFY_ACTIONS,
                message("Home", documented).views(&[("Open portal", "https://home.nest.com/")]),
            ),
            (
                refused,
                message("Home", "x").views(&[("Status page", "https://ok.example/")]),
            ),
            (
                many,
                message("Home", "x")
                    .click("https://a.example/")
                    .views(&three),
            ),
            (
                r#"{"message":"x","click":"data:text/html,hi"}"#,
                message("Home", "x"),
            ),
            (
                r#"{"message":"x","click":"mailto:ops@example.com"}"#,
                message("Home", "x"),
            ),
            (r#"{"message":"x","click":" "}"#, message("Home", "x")),
        ],
    );
}

#[test]
fn gotify_messages_use_their_fields_and_extras() {
    let click = |url| format!(r#"{{"client::notification":{{"click":{{"url":"{url}"}}}}}}"#);
    let refused = format!(
        r#"{{"appid":2,"message":"m","extras":{}}}"#,
        click("javascript:x")
    );
    check(
        "message",
        [
            (
                GOTIFY_MESSAGE,
                message("Backup", "**Backup** was successfully finished.").priority(Priority::Low),
            ),
            (
                GOTIFY_CLICK,
                message("Backup", "Backup failed on nas-1, see the log.")
                    .priority(Priority::High)
                    .click("https://gotify.net/"),
            ),
            (
                r#"{"id":1,"appid":2,"message":"m","title":"","priority":0}"#,
                message("Home", "m").priority(Priority::Min),
            ),
            // `extras` alone marks Gotify, whose scale has a 10; ntfy's stops at 5.
            (
                r#"{"message":"m","priority":10,"extras":{}}"#,
                message("Home", "m").priority(Priority::Max),
            ),
            (r#"{"message":"m","priority":10}"#, message("Home", "m")),
            (
                r#"{"appid":2,"message":"m","priority":11}"#,
                message("Home", "m"),
            ),
            (
                r#"{"appid":2,"message":"m","priority":null}"#,
                message("Home", "m"),
            ),
            (&refused, message("Home", "m")),
            (
                r#"{"appid":2,"message":"m","tags":["warning"],"click":"https://x.example/"}"#,
                message("Home", "m"),
            ),
            (
                r#"{"appid":"2","message":"m","priority":10}"#,
                message("Home", "m"),
            ),
        ],
    );
    check(
        "alert",
        [(
            r#"{"appid":2,"message":"m","title":""}"#,
            message("Home · alert", "m"),
        )],
    );
}

#[test]
fn anything_else_is_the_data_under_the_feed_name() {
    let open = r#"{"id":"2pgIAaGrQ8","time":1638542215,"event":"open","topic":"phil_alerts"}"#;
    let keepalive = r#"{"id":"371sevb0pD","time":1638542275,"event":"keepalive","topic":"a"}"#;
    check(
        "message",
        [
            ("  disk full \n", message("Home", "disk full")),
            ("", message("Home", "")),
            (" [1, 2] ", message("Home", "[1, 2]")),
            (r#""hi""#, message("Home", r#""hi""#)),
            ("42", message("Home", "42")),
            (r#"{"message":5}"#, message("Home", r#"{"message":5}"#)),
            (r#"{"message":"x""#, message("Home", r#"{"message":"x""#)),
        ],
    );
    check(
        "deploy",
        [("v1.2 live", message("Home · deploy", "v1.2 live"))],
    );
    check("open", [(open, message("Home · open", open))]);
    check(
        "keepalive",
        [(keepalive, message("Home · keepalive", keepalive))],
    );
}
