//! The mapping's overrides, over a custom JSON shape and over ntfy's.

use super::*;

/// The custom shape the mapping cases read.
const BUILD: &str =
    r#"{"build":{"name":"api","status":"failed","url":"https://ci/1"},"level":5,"ok":false}"#;

/// One case: the data, the mapping's `(part, pointer)` pairs, the message expected.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Message);

#[test]
fn mapping_overrides_each_part_it_resolves() {
    let all = [
        ("title", "/build/name"),
        ("body", "/build/status"),
        ("url", "/build/url"),
        ("priority", "/level"),
        ("group", "/build/name"),
    ];
    let refused = r#"{"message":"m","click":"https://a.example/","u":"javascript:x"}"#;
    let documented = "Movement detected in the yard. You better go check";
    let build_json = r#"{"name":"api","status":"failed","url":"https://ci/1"}"#;
    let table: [Case; 14] = [
        (
            BUILD,
            &all,
            message("api", "failed")
                .priority(Priority::Max)
                .click("https://ci/1")
                .group("api"),
        ),
        (
            BUILD,
            &[("title", "/nope"), ("body", "/build/0"), ("url", "/x")],
            message("Home", BUILD),
        ),
        (BUILD, &[("title", "build/name")], message("Home", BUILD)),
        (
            BUILD,
            &[("title", "/level"), ("body", "/build")],
            message("5", build_json),
        ),
        (BUILD, &[("title", "/ok")], message("false", BUILD)),
        (
            BUILD,
            &[("group", "/level")],
            message("Home", BUILD).group("5"),
        ),
        (BUILD, &[("group", "/ok")], message("Home", BUILD)),
        (
            r#"{"a":1}"#,
            &[("title", "")],
            message(r#"{"a":1}"#, r#"{"a":1}"#),
        ),
        (
            r#"{"t":null}"#,
            &[("title", "/t")],
            message("Home", r#"{"t":null}"#),
        ),
        (
            r#"[{"msg":"first"}]"#,
            &[("body", "/0/msg")],
            message("Home", "first"),
        ),
        (
            r#"{"t":"a\n b"}"#,
            &[("title", "/t")],
            message("a b", r#"{"t":"a\n b"}"#),
        ),
        (
            NTFY_MESSAGE,
            &[("title", "/topic"), ("group", "/id")],
            message("mytopic", documented)
                .priority(Priority::Max)
                .click("https://homecam.mynet.lan/incident/1234")
                .group("sPs71M8A2T"),
        ),
        (
            refused,
            &[("url", "/u")],
            message("Home", "m").click("https://a.example/"),
        ),
        (
            "/build/name",
            &[("title", "")],
            message("Home", "/build/name"),
        ),
    ];
    for (data, pairs, want) in table {
        assert_eq!(render_as("message", data, pairs), want, "{data} {pairs:?}");
    }
}

#[test]
fn mapped_priority_takes_numbers_and_names() {
    let table = [
        ("1", Priority::Min),
        ("5", Priority::Max),
        (r#""min""#, Priority::Min),
        (r#""LOW""#, Priority::Low),
        (r#""default""#, Priority::Default),
        (r#"" high ""#, Priority::High),
        (r#""max""#, Priority::Max),
        (r#""urgent""#, Priority::Max),
        (r#""4""#, Priority::High),
        // Not 1–5 nor a name: the default rendering's priority (ntfy's 2 here) stays.
        ("0", Priority::Low),
        ("7", Priority::Low),
        (r#""7""#, Priority::Low),
        (r#""loud""#, Priority::Low),
        ("true", Priority::Low),
        ("2.5", Priority::Low),
    ];
    for (value, want) in table {
        let data = format!(r#"{{"message":"m","priority":2,"p":{value}}}"#);
        let got = render_as("message", &data, &[("priority", "/p")]).priority;
        assert_eq!(got, want, "{value}");
    }
}
