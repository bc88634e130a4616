//! The feed test (`test_feed`) against real local servers: what it reads, and each failure
//! named for what it is — refused, HTTP with the server's words, a wrong content type, TLS
//! with and without the feed's CA, a timeout — and an edit's blank header sent with the saved
//! secret, with nothing saved.

use std::time::Duration;

use herald_engine::Error;
use herald_engine::feed::probe::{self, FailureKind, FeedTest, Limits};
use herald_engine::feed::{FeedConfig, FeedDraft, FeedOptions};
use herald_tests::scenario::Harness;
use herald_tests::server::{Reply, TestCa, TestServer, dead_port};

fn config(url: &str) -> FeedConfig {
    FeedDraft {
        url: url.into(),
        ..FeedDraft::default()
    }
    .validate()
    .unwrap()
}

async fn test(url: &str) -> FeedTest {
    probe::probe(&config(url)).await
}

/// The failure's kind, or a panic saying what came instead.
fn kind(test: &FeedTest) -> FailureKind {
    test.failure
        .as_ref()
        .unwrap_or_else(|| panic!("expected a failure: {test:?}"))
        .kind
}

#[tokio::test]
async fn a_stream_gives_its_first_five_events_parsed_and_cut() {
    let long = "x".repeat(3_000);
    let body = format!(
        "retry: 1000\nid: 1\nevent: deploy\ndata: one\n\n: comment\nid: 2\ndata: {long}\n\n{}",
        (3..=8)
            .map(|n| format!("id: {n}\ndata: {n}\n\n"))
            .collect::<String>()
    );
    let server = TestServer::always(Reply::stream(body).held_open()).await;
    let test = test(&server.url()).await;
    assert!(test.ok && test.failure.is_none(), "{test:?}");
    assert_eq!(test.status, Some(200));
    assert_eq!(test.content_type.as_deref(), Some("text/event-stream"));
    assert_eq!(test.events.len(), 5, "at most five");
    let first = &test.events[0];
    assert_eq!(
        (
            first.event_type.as_str(),
            first.data.as_str(),
            first.last_event_id.as_str()
        ),
        ("deploy", "one", "1")
    );
    assert_eq!(test.events[1].event_type, "message");
    assert!(test.events[1].data.chars().count() <= 2_000);
    assert!(test.events[1].data.starts_with("xxxx"));
    assert_eq!(test.events[4].last_event_id, "5");
    assert!(
        test.elapsed_ms < 2_500,
        "five events end the read at once: {test:?}"
    );
    let request = &server.requests()[0];
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_stream_without_events_is_ok_and_read_for_a_few_seconds_at_most() {
    let server = TestServer::always(Reply::stream(": nothing yet\n\n").held_open()).await;
    let limits = Limits {
        read: Duration::from_millis(300),
        ..Limits::default()
    };
    let test = probe::probe_with(&config(&server.url()), limits).await;
    assert!(test.ok && test.failure.is_none(), "{test:?}");
    assert!(test.events.is_empty());
    assert!(
        test.elapsed_ms >= 300 && test.elapsed_ms < 3_000,
        "{test:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let url = format!("http://127.0.0.1:{}/events", dead_port());
    let test = test(&url).await;
    assert!(!test.ok);
    assert_eq!(kind(&test), FailureKind::Refused, "{test:?}");
    assert_eq!(test.status, None);
    let failure = test.failure.unwrap();
    assert!(failure.message.contains("refused"), "{failure:?}");
    assert!(failure.hint.is_some());
}

#[tokio::test]
async fn a_401_says_what_the_server_said() {
    let server = TestServer::always(Reply::status(401, "  {\"error\": \"token expired\"}\n")).await;
    let test = test(&server.url()).await;
    assert!(!test.ok);
    assert_eq!(kind(&test), FailureKind::Http, "{test:?}");
    assert_eq!(test.status, Some(401));
    let failure = test.failure.unwrap();
    assert_eq!(failure.status, Some(401));
    assert_eq!(
        failure.message,
        "HTTP 401 Unauthorized: {\"error\": \"token expired\"}"
    );
    assert!(failure.hint.unwrap().contains("token"));
}

#[tokio::test]
async fn a_web_page_is_the_wrong_content_type() {
    let mut page = Reply::status(200, "<html>hello</html>");
    page.content_type = "text/html; charset=utf-8".into();
    let server = TestServer::always(page).await;
    let test = test(&server.url()).await;
    assert!(!test.ok);
    assert_eq!(kind(&test), FailureKind::ContentType, "{test:?}");
    assert_eq!(test.status, Some(200));
    assert_eq!(
        test.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        test.failure.unwrap().message.contains("text/html"),
        "the content type is said"
    );
}

#[tokio::test]
async fn endless_redirects_are_an_http_failure() {
    let server = TestServer::always(Reply::redirect(302, "/again")).await;
    let test = test(&server.url()).await;
    assert_eq!(kind(&test), FailureKind::Http, "{test:?}");
    assert_eq!(test.failure.unwrap().status, Some(310));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Listening, so the connection opens, but never accepted: the request gets no answer.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let limits = Limits {
        headers: Duration::from_millis(300),
        ..Limits::default()
    };
    let test = probe::probe_with(&config(&url), limits).await;
    assert_eq!(kind(&test), FailureKind::Timeout, "{test:?}");
    drop(listener);
}

#[tokio::test]
async fn tls_without_the_ca_is_an_unknown_issuer_and_works_with_it() {
    let ca = TestCa::new();
    let server = TestServer::start_tls(ca.acceptor.clone(), |_, _| {
        Reply::stream("id: 7\ndata: over tls\n\n").held_open()
    })
    .await;
    let url = format!("https://{}/events", server.addr());
    let untrusted = test(&url).await;
    assert_eq!(kind(&untrusted), FailureKind::Tls, "{untrusted:?}");
    let failure = untrusted.failure.unwrap();
    assert!(failure.message.contains("unknown issuer"), "{failure:?}");
    assert!(failure.hint.unwrap().contains("CA certificate"));

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let trusted = FeedDraft {
        url: url.clone(),
        ca_cert: ca_file.display().to_string(),
        ..FeedDraft::default()
    }
    .validate()
    .unwrap();
    let test = probe::probe(&trusted).await;
    assert!(test.ok && test.failure.is_none(), "{test:?}");
    assert_eq!(test.events[0].data, "over tls");
}

#[tokio::test]
async fn an_edits_blank_header_is_sent_with_the_saved_secret_and_nothing_is_saved() {
    let saved = TestServer::always(Reply::stream(": live\n\n").held_open()).await;
    let tried = TestServer::always(Reply::stream("data: tried\n\n").held_open()).await;
    let h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        name: "CI".into(),
        url: saved.url(),
        headers: "Authorization: Bearer s3cret\nX-Team: ops".into(),
        ..FeedDraft::default()
    };
    let view = h.engine.add_feed(draft).await.unwrap();
    let before = h.engine.list_feeds().await.unwrap();
    let edit = FeedDraft {
        name: "CI v2".into(),
        url: tried.url(),
        headers: "Authorization:\nX-Team: dev".into(),
        ..FeedDraft::default()
    };
    let test = h
        .engine
        .test_feed(edit.clone(), Some(view.id.clone()))
        .await
        .unwrap();
    assert!(test.ok, "{test:?}");
    assert_eq!(test.events[0].data, "tried");
    let request = &tried.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer s3cret"));
    assert_eq!(request.header("x-team"), Some("dev"));
    // Nothing changed: the same feeds, saved as they were.
    let after = h.engine.list_feeds().await.unwrap();
    let urls = |views: &[herald_engine::report::FeedView]| {
        views
            .iter()
            .map(|v| (v.name.clone(), v.url.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(urls(&after), urls(&before));
    let settings = std::fs::read_to_string(h.settings_file()).unwrap();
    assert!(!settings.contains(&tried.url()) && !settings.contains("CI v2"));

    // As a new feed, the blank header stays blank.
    h.engine.test_feed(edit.clone(), None).await.unwrap();
    assert_eq!(tried.requests()[1].header("authorization"), Some(""));
    // An invalid draft is refused as adding it would be; an unknown feed is not found.
    let invalid = FeedDraft {
        url: "ftp://nope".into(),
        ..FeedDraft::default()
    };
    match h.engine.test_feed(invalid, None).await {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "url"),
        other => panic!("expected invalid, got {other:?}"),
    }
    let missing = h
        .engine
        .test_feed(edit, Some(herald_engine::feed::FeedId("nope".into())))
        .await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
}
