//! The engine with its SQLite store, on real sockets and real database files: history and resume
//! points survive a restart, replays are stored once, catch-up bursts are flagged.

use std::time::Duration;

use herald_engine::feed::{FeedDraft, FeedOptions, Retention};
use herald_engine::store::{Query, ReadMark, StoreReader};
use herald_tests::scenario::Harness;
use herald_tests::server::{Reply, TestServer};

/// Events `from..=to` with ids, as one stream body.
fn numbered(from: u64, to: u64) -> String {
    (from..=to)
        .map(|n| format!("id: {n}\ndata: event {n}\n\n"))
        .collect()
}

#[tokio::test]
async fn a_restart_resumes_from_the_stored_last_event_id_and_the_history_is_kept() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream(format!("retry: 1500\n{}", numbered(1, 3))).held_open(),
        _ => Reply::stream(numbered(4, 5)).held_open(),
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut first = Harness::builder().home(home.path()).start();
    let id = first.add("Resumed", &server.url()).await;
    for _ in 0..3 {
        first.next_event().await;
    }
    first.stop().await;

    let mut second = Harness::builder().home(home.path()).start();
    let event = second.next_event().await;
    assert_eq!(event.data, "event 4");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("last-event-id"), None);
    assert_eq!(
        requests[1].header("last-event-id"),
        Some("3"),
        "resumed, not from scratch"
    );
    second.next_event().await;
    let history = second.engine.events(Query::default()).await.unwrap();
    let data: Vec<&str> = history.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(
        data,
        ["event 5", "event 4", "event 3", "event 2", "event 1"]
    );
    assert!(
        history.windows(2).all(|w| w[0].seq > w[1].seq),
        "one order: by seq"
    );
    assert!(
        history
            .iter()
            .all(|e| e.feed_id == id && e.feed_name == "Resumed")
    );
    // The resume point, read beside the running engine as `herald history` reads it: the last
    // id, and the retry the server asked for before the restart.
    let reader = StoreReader::open_read_only(&second.store_file()).unwrap();
    let cursor = &reader.cursors().unwrap()[&id];
    assert_eq!(
        (cursor.last_event_id.as_str(), cursor.retry_ms),
        ("5", Some(1500))
    );
}

#[tokio::test]
async fn a_server_that_replays_its_last_three_on_every_reconnect_is_stored_once_each() {
    // Connection n sends the three events before n*2+1 again, then two new ones, and closes.
    let server = TestServer::start(|n, _| {
        let n = n as u64;
        let replayed = numbered((n * 2).saturating_sub(2).max(1), n * 2);
        let body = if n == 0 { String::new() } else { replayed };
        Reply::stream(format!(
            "retry: 1\n{body}{}",
            numbered(n * 2 + 1, n * 2 + 2)
        ))
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Replays", &server.url()).await;
    let mut got = Vec::new();
    while got.len() < 10 {
        got.push(h.next_event().await.data);
    }
    let want: Vec<String> = (1..=10).map(|n| format!("event {n}")).collect();
    assert_eq!(got, want, "each once, in order");
    assert!(server.requests().len() >= 5);
    let stored = h
        .engine
        .events(Query {
            limit: 20,
            ..Query::default()
        })
        .await
        .unwrap();
    assert!(stored.len() >= 10);
    let mut data: Vec<&str> = stored.iter().map(|e| e.data.as_str()).collect();
    data.dedup();
    assert_eq!(data.len(), stored.len(), "no event stored twice");
}

#[tokio::test]
async fn a_server_that_sends_id_0_on_every_event_has_every_event_kept() {
    let server = TestServer::start(|n, _| {
        Reply::stream(format!(
            "retry: 1\nid: 0\ndata: a{n}\n\nid: 0\ndata: b{n}\n\n"
        ))
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Zero", &server.url()).await;
    let mut got = Vec::new();
    while got.len() < 6 {
        got.push(h.next_event().await.data);
    }
    assert_eq!(got, ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

#[tokio::test]
async fn the_burst_right_after_connecting_is_catch_up_and_later_events_are_not() {
    let body = numbered(1, 3).into_bytes();
    let later = b"id: 4\ndata: live\n\n".to_vec();
    let reply = Reply::stream("")
        .chunked(vec![body, later])
        .paced(Duration::from_millis(1_500))
        .held_open();
    let server = TestServer::always(reply).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Burst", &server.url()).await;
    let mut flags = Vec::new();
    while flags.len() < 4 {
        let e = h.next_event().await;
        flags.push((e.data, e.catch_up));
    }
    let want = [
        ("event 1", true),
        ("event 2", true),
        ("event 3", true),
        ("live", false),
    ];
    assert_eq!(flags, want.map(|(d, c)| (d.to_owned(), c)));
}

#[tokio::test]
async fn unread_counts_follow_new_events_and_read_marks() {
    let server = TestServer::always(Reply::stream(numbered(1, 4)).held_open()).await;
    let mut h = Harness::start(FeedOptions::default());
    let id = h.add("Unread", &server.url()).await;
    let mut seqs = Vec::new();
    for _ in 0..4 {
        seqs.push(h.next_event().await.seq);
    }
    assert_eq!(h.engine.unread_counts().await.unwrap()[&id], 4);
    h.engine.mark_read(ReadMark::Event(seqs[0])).await.unwrap();
    assert_eq!(h.engine.unread_counts().await.unwrap()[&id], 3);
    h.engine
        .mark_read(ReadMark::Feed(id.clone()))
        .await
        .unwrap();
    assert!(!h.engine.unread_counts().await.unwrap().contains_key(&id));
}

#[tokio::test]
async fn a_removed_feed_takes_its_history_and_resume_point_with_it() {
    let server = TestServer::always(Reply::stream(numbered(1, 2)).held_open()).await;
    let mut h = Harness::start(FeedOptions::default());
    let id = h.add("Gone", &server.url()).await;
    h.next_event().await;
    h.next_event().await;
    h.engine.remove_feed(id.clone()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = h
            .engine
            .events(Query {
                feed: Some(id.clone()),
                ..Query::default()
            })
            .await
            .unwrap();
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} left",
            left.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_edit_keeps_the_feeds_history_resume_point_and_saved_secret() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream(numbered(1, 2)).held_open(),
        _ => Reply::stream(numbered(3, 3)).held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        name: "Before".into(),
        url: server.url(),
        headers: "X-Token: s3cret".into(),
        ..FeedDraft::default()
    };
    let id = h.engine.add_feed(draft).await.unwrap().id;
    h.next_event().await;
    h.next_event().await;
    // The form sends the header name with a blank value: the saved secret stays.
    let edit = FeedDraft {
        name: "After".into(),
        url: server.url(),
        headers: "X-Token:\nX-Extra: 1".into(),
        ..FeedDraft::default()
    };
    let view = h.engine.update_feed(id.clone(), edit).await.unwrap();
    assert_eq!((view.id.clone(), view.name.as_str()), (id.clone(), "After"));
    assert_eq!(h.next_event().await.data, "event 3");
    let requests = server.requests();
    let last = requests.last().unwrap();
    assert_eq!(last.header("x-token"), Some("s3cret"));
    assert_eq!(last.header("x-extra"), Some("1"));
    assert_eq!(
        last.header("last-event-id"),
        Some("2"),
        "the resume point stayed"
    );
    let history = h.engine.events(Query::default()).await.unwrap();
    assert_eq!(history.len(), 3, "the history stayed");
    assert!(
        history
            .iter()
            .all(|e| e.feed_id == id && e.feed_name == "After")
    );
    let saved = std::fs::read_to_string(h.settings_file()).unwrap();
    assert!(
        saved.contains("s3cret") && saved.contains("After"),
        "{saved}"
    );
}

#[tokio::test]
async fn an_import_adds_new_feeds_and_updates_known_ones_in_one_save() {
    let server = TestServer::always(Reply::stream(numbered(1, 1)).held_open()).await;
    let mut h = Harness::start(FeedOptions::default());
    let known = h.add("Known", &server.url()).await;
    h.next_event().await;
    let mut exported = h.engine.export_feeds(false).await.unwrap();
    exported.feeds[0].name = "Known, renamed".into();
    let mut added = exported.feeds[0].clone();
    added.id = herald_engine::feed::FeedId("importedfeed".into());
    added.name = "Imported".into();
    exported.feeds.push(added);
    let summary = h.engine.import_feeds(exported).await.unwrap();
    assert_eq!(summary.added, ["Imported"]);
    assert_eq!(summary.updated, ["Known, renamed"]);
    let feeds = h.engine.list_feeds().await.unwrap();
    let names: Vec<(&str, &str)> = feeds
        .iter()
        .map(|f| (f.id.0.as_str(), f.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (known.0.as_str(), "Known, renamed"),
            ("importedfeed", "Imported")
        ]
    );
    // The new feed connects and delivers.
    let event = h.next_event().await;
    assert_eq!(event.feed_name, "Imported");
}

#[tokio::test]
async fn retention_prunes_a_feed_to_its_limit_while_its_events_keep_arriving() {
    const TOTAL: u64 = 3_000;
    let server = TestServer::always(Reply::stream(numbered(1, TOTAL)).held_open()).await;
    let mut config = FeedDraft {
        name: "Busy".into(),
        url: server.url(),
        ..FeedDraft::default()
    }
    .validate()
    .unwrap();
    config.retention = Some(Retention {
        max_events: Some(100),
        max_age_days: None,
    });
    let id = config.id.clone();
    let mut h = Harness::start_with(FeedOptions::default(), vec![config]);
    // Every event reaches the sink, in order, while pruning runs between batches.
    for n in 1..=TOTAL {
        assert_eq!(h.next_event().await.data, format!("event {n}"));
    }
    // Pruning runs in steps between batches and while the queue is idle: soon, not at once.
    let reader = StoreReader::open_read_only(&h.store_file()).unwrap();
    let page = || {
        reader.page(&Query {
            feed: Some(id.clone()),
            limit: 1000,
            ..Query::default()
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut kept = page().unwrap();
    while kept.len() > 110 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        kept = page().unwrap();
    }
    // At most a tenth of the limit more than it (what came since the last step); the newest.
    assert!((100..=110).contains(&kept.len()), "{} kept", kept.len());
    assert_eq!(kept[0].data, format!("event {TOTAL}"));
}

/// An ntfy `/sse` stream as ntfy's docs describe it: `open` first, messages as JSON with their
/// own `id`, `keepalive` now and then, and no `id:` field at all.
fn ntfy_stream(messages: &[(&str, &str)]) -> String {
    let mut body = String::from(
        "event: open\ndata: {\"id\":\"o\",\"time\":1,\"event\":\"open\",\"topic\":\"t\"}\n\n",
    );
    for (id, text) in messages {
        body.push_str(&format!(
            "data: {{\"id\":\"{id}\",\"time\":2,\"event\":\"message\",\"topic\":\"t\",\"message\":\"{text}\"}}\n\n"
        ));
        body.push_str("event: keepalive\ndata: {\"id\":\"k\",\"time\":3,\"event\":\"keepalive\",\"topic\":\"t\"}\n\n");
    }
    body
}

#[tokio::test]
async fn an_ntfy_stream_is_detected_and_resumed_with_since_across_cuts_and_restarts() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream(format!(
            "retry: 1\n{}",
            ntfy_stream(&[("m1", "one"), ("m2", "two")])
        )),
        1 => Reply::stream(ntfy_stream(&[("m3", "three")])).held_open(),
        _ => Reply::stream(ntfy_stream(&[("m4", "four")])).held_open(),
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut h = Harness::builder().home(home.path()).start();
    let url = format!("http://{}/alerts/sse?auth=x", server.addr());
    let id = h.add("ntfy", &url).await;
    let mut got = Vec::new();
    while got.len() < 3 {
        let e = h.next_event().await;
        got.push((e.last_event_id, e.event_type));
    }
    // Only messages, each with ntfy's id as its id; open and keepalive are not events.
    let want = [("m1", "message"), ("m2", "message"), ("m3", "message")];
    assert_eq!(got, want.map(|(i, t)| (i.to_owned(), t.to_owned())));
    h.stop().await;
    let saved = std::fs::read_to_string(home.path().join("settings.json")).unwrap();
    assert!(
        saved.contains(r#""resume": "ntfySince""#),
        "detected and saved: {saved}"
    );

    let mut h = Harness::builder().home(home.path()).start();
    assert_eq!(h.next_event().await.last_event_id, "m4");
    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/alerts/sse?auth=x",
            "/alerts/sse?auth=x&since=m2",
            "/alerts/sse?auth=x&since=m3"
        ]
    );
    assert!(
        requests.iter().all(|r| r.header("last-event-id").is_none()),
        "ntfy gets since=, not Last-Event-ID"
    );
    let stored = h
        .engine
        .events(Query {
            feed: Some(id),
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 4, "each message once");
}

#[tokio::test]
async fn general_settings_survive_a_restart_and_a_new_retention_prunes_at_once() {
    use herald_engine::settings::{GeneralSettings, Theme};
    let server = TestServer::always(Reply::stream(numbered(1, 300)).held_open()).await;
    let home = tempfile::tempdir().unwrap();
    let mut h = Harness::builder().home(home.path()).start();
    let defaults = h.engine.general_settings().await.unwrap();
    assert_eq!(defaults.theme, Theme::System);
    assert_eq!(defaults.retention, Retention::default());
    let id = h.add("Busy", &server.url()).await;
    for _ in 0..300 {
        h.next_event().await;
    }
    let chosen = GeneralSettings {
        retention: Retention {
            max_events: Some(50),
            max_age_days: None,
        },
        theme: Theme::Dark,
        keychain: false,
    };
    assert!(
        defaults.keychain,
        "header values go to the keychain unless the user says not"
    );
    h.engine.set_general_settings(chosen).await.unwrap();
    assert_eq!(h.engine.general_settings().await.unwrap(), chosen);
    // The store prunes to the new default without waiting for its next round.
    let all = Query {
        feed: Some(id.clone()),
        ..Query::default()
    };
    let engine = h.engine.clone();
    herald_tests::eventually_async("the feed pruned to 50", Duration::from_secs(10), || {
        let (engine, all) = (engine.clone(), all.clone());
        async move { engine.count_events(all).await.unwrap() == 50 }
    })
    .await;
    // Limits that keep nothing are refused and change nothing.
    let nothing = GeneralSettings {
        retention: Retention {
            max_events: Some(0),
            max_age_days: None,
        },
        ..chosen
    };
    match h.engine.set_general_settings(nothing).await {
        Err(herald_engine::Error::Invalid(e)) => assert_eq!(e.field, "maxEvents"),
        other => panic!("expected invalid, got {other:?}"),
    }
    h.stop().await;

    let h = Harness::builder().home(home.path()).start();
    assert_eq!(h.engine.general_settings().await.unwrap(), chosen);
    let saved = std::fs::read_to_string(home.path().join("settings.json")).unwrap();
    assert!(saved.contains(r#""theme": "dark""#), "{saved}");
    assert_eq!(h.engine.count_events(all).await.unwrap(), 50);
}
