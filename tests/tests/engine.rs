//! The engine against a real HTTP server on 127.0.0.1: what reaches the sink, the statuses a
//! feed goes through, and what is saved.

use std::time::Duration;

use herald_engine::Report;
use herald_engine::demo::DemoOptions;
use herald_engine::engine::MuteFor;
use herald_engine::feed::{ErrorKind, FeedDraft, FeedOptions, FeedStatus, StopReason};
use herald_engine::notify::Priority;
use herald_engine::notify::rule::{FeedRule, Mapping, Mute, NotifySettings, QuietHours};
use herald_tests::scenario::{Harness, REPORT_WAIT as WAIT, fast_feed_options};
use herald_tests::server::{Reply, TestServer, dead_port};

#[tokio::test]
async fn events_arrive_at_the_sink_complete_and_in_order() {
    let body: String = (1..=50)
        .map(|n| format!("id: {n}\nevent: tick\ndata: event {n}\ndata: line two\n\n"))
        .collect();
    // Split into awkward 7-byte chunks, paced, so events straddle reads.
    let chunks = body.as_bytes().chunks(7).map(<[u8]>::to_vec).collect();
    let reply = Reply::stream("")
        .chunked(chunks)
        .paced(Duration::from_millis(1));
    let server = TestServer::always(reply.held_open()).await;
    let mut h = Harness::start(FeedOptions::default());
    let id = h.add("Test feed", &server.url()).await;

    let mut seen = Vec::new();
    while seen.len() < 50 {
        let event = h.next_event().await;
        seen.push(event);
    }
    for (i, event) in seen.iter().enumerate() {
        let n = i + 1;
        assert_eq!(event.feed_id, id);
        assert_eq!(event.event_type, "tick");
        assert_eq!(event.data, format!("event {n}\nline two"));
        assert_eq!(event.last_event_id, n.to_string());
        assert_eq!(event.feed_name, "Test feed");
    }
    assert!(
        seen.windows(2).all(|w| w[0].seq < w[1].seq),
        "sequence numbers increase"
    );
    let recent = h.engine.recent_events(3).await.unwrap();
    assert_eq!(
        recent
            .iter()
            .map(|e| e.last_event_id.as_str())
            .collect::<Vec<_>>(),
        ["50", "49", "48"]
    );
    // All 50 came in the burst the connection opened with: one catch-up summary, not 50.
    let notified = herald_tests::eventually("the catch-up summary", WAIT, || {
        let n = h.notifier.kept();
        (!n.is_empty()).then_some(n)
    })
    .await;
    assert_eq!(
        (notified[0].summary.as_str(), notified[0].category.as_str()),
        (
            "50 events from Test feed while you were away",
            "x-herald.summary"
        )
    );
    assert_eq!(
        notified[0].body,
        "event 50 line two\nevent 49 line two\nevent 48 line two\n…and 47 more"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(h.notifier.kept().len(), 1);
}

#[tokio::test]
async fn feed_goes_live_and_status_is_listed() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let mut h = Harness::start(FeedOptions::default());
    let id = h.add("Test feed", &server.url()).await;
    h.next_matching("live", |r| {
        matches!(
            r,
            Report::Status {
                status: FeedStatus::Live { .. },
                ..
            }
        )
        .then_some(())
    })
    .await;
    let feeds = h.engine.list_feeds().await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(feeds[0].id, id);
    assert!(
        matches!(feeds[0].status, FeedStatus::Live { .. }),
        "{:?}",
        feeds[0].status
    );
}

#[tokio::test]
async fn not_found_reports_an_error_status_with_the_status_code() {
    let server = TestServer::always(Reply::status(404, "no such feed")).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let FeedStatus::NeedsAttention { error, .. } = h.next_error_status().await else {
        panic!("a 404 needs the user's attention");
    };
    assert_eq!(error.kind, ErrorKind::Http);
    assert_eq!(error.status, Some(404));
    assert!(
        error.message.contains("404") && error.message.contains("no such feed"),
        "{}",
        error.message
    );
    assert!(error.hint.is_some());
}

#[tokio::test]
async fn unreachable_port_reports_a_connect_error() {
    let mut h = Harness::start(FeedOptions::default());
    h.add(
        "Test feed",
        &format!("http://127.0.0.1:{}/events", dead_port()),
    )
    .await;
    let FeedStatus::Backoff { error, attempt, .. } = h.next_error_status().await else {
        panic!("a refused connection is retried with backoff");
    };
    assert_eq!(error.kind, ErrorKind::Connect);
    assert_eq!(error.status, None);
    assert_eq!(attempt, 1);
}

#[tokio::test]
async fn wrong_content_type_is_refused() {
    let server = TestServer::always(Reply {
        content_type: "text/html".into(),
        ..Reply::stream("<html>")
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let FeedStatus::NeedsAttention { error, .. } = h.next_error_status().await else {
        panic!("a web page is not an event stream");
    };
    assert_eq!(error.kind, ErrorKind::ContentType);
    assert!(error.message.contains("text/html"), "{}", error.message);
}

#[tokio::test]
async fn feed_headers_are_sent() {
    let server = TestServer::always(Reply::stream(": ok\n\n").held_open()).await;
    let h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        name: "A".into(),
        url: server.url(),
        headers: "Authorization: Bearer s3cret\nX-Team: ops".into(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let requests = herald_tests::eventually("a request", WAIT, || {
        let r = server.requests();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(requests[0].header("authorization"), Some("Bearer s3cret"));
    assert_eq!(requests[0].header("x-team"), Some("ops"));
}

#[tokio::test]
async fn invalid_url_is_a_field_error_and_nothing_is_saved() {
    let h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        name: "A".into(),
        url: "localhost:8080/events".into(),
        headers: String::new(),
        ..Default::default()
    };
    match h.engine.add_feed(draft).await {
        Err(herald_engine::Error::Invalid(e)) => assert_eq!(e.field, "url"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert!(h.engine.list_feeds().await.unwrap().is_empty());
    assert!(!h.settings_file().exists(), "nothing was written");
}

#[tokio::test]
async fn removed_feed_stops_and_is_forgotten() {
    // Each connection ends at once and the backoff is milliseconds: a feed still running would
    // reconnect many times during the wait below.
    let server = TestServer::always(Reply::stream("data: x\n\n")).await;
    let mut h = Harness::start(fast_feed_options(Duration::from_secs(30)));
    let id = h.add("Test feed", &server.url()).await;
    h.next_event().await;
    h.engine.remove_feed(id.clone()).await.unwrap();
    let requests = server.requests().len();
    while h.reports.try_recv().is_ok() {} // what was reported before the removal
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        server.requests().len() <= requests + 1, // one may have been on its way
        "a removed feed stopped connecting: {requests} then {}",
        server.requests().len()
    );
    while let Ok(report) = h.reports.try_recv() {
        if let Report::Event(e) = report {
            assert_ne!(e.feed_id, id, "no event from a removed feed after the wait");
        }
    }
    assert!(h.engine.list_feeds().await.unwrap().is_empty());
    let saved = std::fs::read_to_string(h.settings_file()).unwrap();
    assert!(!saved.contains(&id.0), "{saved}");
    assert!(matches!(
        h.engine.remove_feed(id).await,
        Err(herald_engine::Error::NotFound(_))
    ));
}

#[tokio::test]
async fn feeds_survive_a_restart() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let home = tempfile::tempdir().unwrap();
    let first = Harness::builder().home(home.path()).start();
    let draft = FeedDraft {
        name: "Kept".into(),
        url: server.url(),
        headers: "X-A: 1".into(),
        ..Default::default()
    };
    let id = first.engine.add_feed(draft).await.unwrap().id;
    drop(first);
    let mut second = Harness::builder().home(home.path()).start();
    let feeds = second.engine.list_feeds().await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!((feeds[0].id.clone(), feeds[0].name.as_str()), (id, "Kept"));
    assert_eq!(feeds[0].header_names, ["X-A"]);
    // …and it reconnects.
    second
        .next_status("live", |s| matches!(s, FeedStatus::Live { .. }))
        .await;
    // …with its header, as saved.
    let last = server.requests().last().cloned().unwrap();
    assert_eq!(last.header("x-a"), Some("1"));
}

#[tokio::test]
async fn first_run_subscribes_the_demo_feed_which_delivers_events() {
    let demo = DemoOptions {
        interval: Duration::from_millis(50),
        ..DemoOptions::default()
    };
    let mut h = Harness::builder().first_run_demo(demo).start();
    let mut events = Vec::new();
    while events.len() < 3 {
        events.push(h.next_event().await);
    }
    let feeds = h.engine.list_feeds().await.unwrap();
    assert!(feeds[0].demo);
    assert_eq!(events[0].feed_name, "Herald demo");
    assert_eq!(
        events
            .iter()
            .map(|e| e.last_event_id.as_str())
            .collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
}

#[tokio::test]
async fn events_a_server_replays_after_a_reconnect_are_delivered_once() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream("retry: 1\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n"),
        // The server ignores Last-Event-ID and replays everything it has, then a new event.
        _ => Reply::stream("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n").held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let mut got = Vec::new();
    while got.len() < 3 {
        let event = h.next_event().await;
        got.push((event.last_event_id, event.data));
    }
    let want = [("1", "a"), ("2", "b"), ("3", "c")];
    assert_eq!(got, want.map(|(i, d)| (i.to_owned(), d.to_owned())));
    assert_eq!(server.requests()[1].header("last-event-id"), Some("2"));
    // Nothing else arrives: the replayed 1 and 2 were dropped, not delayed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while let Ok(report) = h.reports.try_recv() {
        assert!(!matches!(report, Report::Event(_)), "unexpected {report:?}");
    }
}

#[tokio::test]
async fn paused_feed_disconnects_and_stays_paused_across_a_restart() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let home = tempfile::tempdir().unwrap();
    let stopped_by_user = |s: &FeedStatus| {
        matches!(
            s,
            FeedStatus::Stopped {
                reason: StopReason::User
            }
        )
    };
    let mut h = Harness::builder().home(home.path()).start();
    let draft = FeedDraft {
        name: "P".into(),
        url: server.url(),
        headers: String::new(),
        ..Default::default()
    };
    let id = h.engine.add_feed(draft).await.unwrap().id;
    h.next_status("live", |s| matches!(s, FeedStatus::Live { .. }))
        .await;
    h.engine.set_paused(id.clone(), true).await.unwrap();
    h.next_status("paused", stopped_by_user).await;
    drop(h);
    let mut h = Harness::builder().home(home.path()).start();
    h.next_status("paused at start", stopped_by_user).await;
    // A wrong connection would follow the status within milliseconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server.requests().len(),
        1,
        "a paused feed does not connect at start"
    );
    h.engine.set_paused(id, false).await.unwrap();
    h.next_status("live again", |s| matches!(s, FeedStatus::Live { .. }))
        .await;
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_missing_ca_certificate_is_a_field_error() {
    let h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        url: "https://127.0.0.1:1/events".into(),
        ca_cert: "/nonexistent/ca.pem".into(),
        ..Default::default()
    };
    match h.engine.add_feed(draft).await {
        Err(herald_engine::Error::Invalid(e)) => {
            assert_eq!(e.field, "caCert");
            assert!(e.message.contains("/nonexistent/ca.pem"), "{}", e.message);
        }
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_settings_file_that_cannot_be_written_is_an_error_and_changes_nothing() {
    // A folder where the temporary file must go: every save fails, as on a full disk (a
    // permission trick would not work for root).
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("settings.json");
    std::fs::write(&path, br#"{"version": 1, "feeds": []}"#).unwrap();
    std::fs::create_dir(home.path().join("settings.json.tmp")).unwrap();
    let h = Harness::builder().home(home.path()).start();
    assert_eq!(h.settings_file(), path);
    let draft = FeedDraft {
        url: "http://127.0.0.1:1/events".into(),
        ..Default::default()
    };
    let error = h.engine.add_feed(draft).await.unwrap_err();
    assert!(
        matches!(error, herald_engine::Error::Settings(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("settings.json"), "{error}");
    assert!(
        h.engine.list_feeds().await.unwrap().is_empty(),
        "nothing half-added"
    );
    let kept = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        kept, r#"{"version": 1, "feeds": []}"#,
        "the old file is intact"
    );
}

#[tokio::test]
async fn a_run_of_oversize_events_leaves_one_notice_not_one_each() {
    // 200 events over the limit, then one within it.
    let big = format!("data: {}\n\n", "x".repeat(64));
    let body = big.repeat(200) + "data: ok\n\n";
    let server = TestServer::always(Reply::stream(body).held_open()).await;
    let options = FeedOptions {
        limits: herald_engine::sse::Limits {
            max_line: 32,
            max_event: 32,
        },
        ..FeedOptions::default()
    };
    let mut h = Harness::start(options);
    h.add("Big", &server.url()).await;
    assert_eq!(h.next_event().await.data, "ok");
    let notices = h.engine.notices().await.unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].message.starts_with("Big: "), "{notices:?}");
}

#[tokio::test]
async fn notification_rules_are_saved_and_the_preview_renders_the_newest_event() {
    let home = tempfile::tempdir().unwrap();
    let server = TestServer::always(
        Reply::stream(
            "data: {\"build\":{\"name\":\"api\",\"status\":\"failed\",\"url\":\"https://ci.example/7\"},\"level\":5}\n\n",
        )
        .held_open(),
    )
    .await;
    let mut h = Harness::builder().home(home.path()).start();
    let id = h.add("Builds", &server.url()).await;
    h.next_event().await;

    // The editor's live preview: the newest stored event through a mapping.
    let mapping = Mapping {
        title: Some("/build/name".into()),
        body: Some("/build/status".into()),
        url: Some("/build/url".into()),
        priority: Some("/level".into()),
        group: None,
    };
    let preview = h
        .engine
        .preview_notification(id.clone(), mapping.clone())
        .await
        .unwrap()
        .expect("the feed has an event");
    assert_eq!(
        (
            preview.title.as_str(),
            preview.body.as_str(),
            preview.priority
        ),
        ("api", "failed", Priority::Max)
    );
    assert_eq!(preview.click.as_deref(), Some("https://ci.example/7"));

    // Rules and mutes are saved, and come back after a restart.
    let rule = FeedRule {
        mapping,
        min_priority: Priority::High,
        silence: vec!["flaky".into()],
        ..FeedRule::default()
    };
    h.engine.set_feed_rule(id.clone(), rule).await.unwrap();
    let mute = h.engine.mute(id.clone(), MuteFor::Hour).await.unwrap();
    let Mute::Until { until_ms } = mute else {
        panic!("an hour's mute has an end: {mute:?}")
    };
    let in_an_hour = herald_tests::wall_ms() + 3_600_000;
    assert!(
        until_ms.abs_diff(in_an_hour) < 60_000,
        "{until_ms} vs {in_an_hour}"
    );
    let quiet = NotifySettings {
        quiet: Some(QuietHours {
            days: vec![0, 1, 2, 3, 4],
            start_min: 22 * 60,
            end_min: 7 * 60,
            critical_passes: true,
        }),
        ..NotifySettings::default()
    };
    h.engine
        .set_notification_defaults(quiet.clone())
        .await
        .unwrap();
    let unknown = h
        .engine
        .set_feed_rule(
            herald_engine::feed::FeedId("nope".into()),
            FeedRule::default(),
        )
        .await;
    assert!(unknown.is_err(), "a rule for no feed is refused");
    h.stop().await;

    let h = Harness::builder().home(home.path()).start();
    let saved = h.engine.notification_settings().await.unwrap();
    let rule = &saved.feeds[&id];
    assert_eq!(rule.min_priority, Priority::High);
    assert_eq!(rule.silence, ["flaky"]);
    assert_eq!(rule.mapping.title.as_deref(), Some("/build/name"));
    assert_eq!(rule.mute, mute);
    assert_eq!(saved.quiet, quiet.quiet);
}

#[tokio::test]
async fn pause_all_stops_every_feed_in_one_save_and_resume_all_brings_them_back() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let home = tempfile::tempdir().unwrap();
    let mut h = Harness::builder().home(home.path()).start();
    for name in ["One", "Two"] {
        let draft = FeedDraft {
            name: name.into(),
            url: server.url(),
            ..Default::default()
        };
        h.engine.add_feed(draft).await.unwrap();
        h.next_status("live", |s| matches!(s, FeedStatus::Live { .. }))
            .await;
    }
    h.engine.set_all_paused(true).await.unwrap();
    let feeds = h.engine.list_feeds().await.unwrap();
    assert!(feeds.iter().all(|f| f.paused), "{feeds:?}");
    let settings = std::fs::read_to_string(home.path().join("settings.json")).unwrap();
    assert_eq!(
        settings.matches("\"paused\": true").count(),
        2,
        "{settings}"
    );
    for _ in 0..2 {
        h.next_status("paused", |s| {
            matches!(
                s,
                FeedStatus::Stopped {
                    reason: StopReason::User
                }
            )
        })
        .await;
    }
    h.engine.set_all_paused(false).await.unwrap();
    for _ in 0..2 {
        h.next_status("live again", |s| matches!(s, FeedStatus::Live { .. }))
            .await;
    }
    assert_eq!(server.requests().len(), 4, "each feed connected twice");
}

#[tokio::test]
async fn a_hint_is_said_once_even_across_a_restart() {
    use herald_engine::settings::hints::CLOSED_TO_TRAY;
    let home = tempfile::tempdir().unwrap();
    let h = Harness::builder().home(home.path()).start();
    assert!(h.engine.first_time(CLOSED_TO_TRAY).await.unwrap());
    assert!(!h.engine.first_time(CLOSED_TO_TRAY).await.unwrap());
    drop(h);
    let h = Harness::builder().home(home.path()).start();
    assert!(!h.engine.first_time(CLOSED_TO_TRAY).await.unwrap());
}

#[tokio::test]
async fn quiet_for_every_feed_is_saved_and_ends_when_turned_off() {
    let home = tempfile::tempdir().unwrap();
    let h = Harness::builder().home(home.path()).start();
    let mute = h.engine.mute_all(MuteFor::Hour).await.unwrap();
    let Mute::Until { until_ms } = mute else {
        panic!("an hour's quiet ends: {mute:?}");
    };
    let now = herald_engine::time::now_ms();
    assert!((now + 3_590_000..=now + 3_600_000).contains(&until_ms));
    drop(h);
    let h = Harness::builder().home(home.path()).start();
    let rules = h.engine.notification_settings().await.unwrap();
    assert_eq!(rules.mute, mute, "kept across a restart");
    // The settings screen's save of the other rules leaves the quiet alone.
    h.engine
        .set_notification_defaults(NotifySettings::default())
        .await
        .unwrap();
    assert_eq!(h.engine.notification_settings().await.unwrap().mute, mute);
    assert_eq!(h.engine.mute_all(MuteFor::Off).await.unwrap(), Mute::Off);
    assert_eq!(
        h.engine.notification_settings().await.unwrap().mute,
        Mute::Off
    );
}
