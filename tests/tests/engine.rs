//! The engine against a real HTTP server on 127.0.0.1: what reaches the sink, and the statuses.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_engine::feed::{ErrorKind, FeedDraft, FeedOptions, FeedStatus, StopReason};
use herald_engine::notify::{Notification, Notifier, NotifyError};
use herald_engine::settings::SettingsStore;
use herald_engine::{EngineHandle, EngineOptions, Report, engine};
use herald_tests::server::{Reply, TestServer, dead_port};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

/// A notifier that records instead of showing.
#[derive(Default)]
struct Recording(Mutex<Vec<Notification>>);

impl Notifier for Recording {
    fn show(&self, notification: &Notification) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notification.clone());
        Ok(())
    }
}

struct Harness {
    engine: EngineHandle,
    reports: mpsc::Receiver<Report>,
    notifier: Arc<Recording>,
    _dir: tempfile::TempDir,
}

fn start_engine() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let notifier = Arc::new(Recording::default());
    let mut options = EngineOptions::new(
        SettingsStore::new(dir.path().join("settings.json")),
        notifier.clone(),
    );
    options.demo_on_first_run = false;
    options.demo_port = 0;
    let (engine, reports) = engine::start(options);
    Harness {
        engine,
        reports,
        notifier,
        _dir: dir,
    }
}

impl Harness {
    async fn add(&self, url: &str) -> herald_engine::feed::FeedId {
        let draft = FeedDraft {
            name: "Test feed".into(),
            url: url.into(),
            headers: String::new(),
            ..Default::default()
        };
        self.engine.add_feed(draft).await.expect("valid feed").id
    }

    /// The next report that `pick` accepts, skipping others.
    async fn next_matching<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(Report) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let report = tokio::time::timeout_at(deadline, self.reports.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                .expect("engine running");
            if let Some(found) = pick(report) {
                return found;
            }
        }
    }

    /// The next event that reaches the sink.
    async fn next_event(&mut self) -> herald_engine::EventRecord {
        self.next_matching("an event", |r| match r {
            Report::Event(e) => Some(e),
            _ => None,
        })
        .await
    }

    async fn next_error_status(&mut self) -> FeedStatus {
        self.next_matching("an error status", |r| match r {
            Report::Status {
                status: s @ (FeedStatus::Backoff { .. } | FeedStatus::NeedsAttention { .. }),
                ..
            } => Some(s),
            _ => None,
        })
        .await
    }
}

#[tokio::test]
async fn events_arrive_at_the_sink_complete_and_in_order() {
    let body: String = (1..=50)
        .map(|n| format!("id: {n}\nevent: tick\ndata: event {n}\ndata: line two\n\n"))
        .collect();
    // Split into awkward 7-byte chunks, paced, so events straddle reads.
    let chunks = body.as_bytes().chunks(7).map(<[u8]>::to_vec).collect();
    let server = TestServer::always(Reply::stream("").chunked(chunks).held_open()).await;
    let mut h = start_engine();
    let id = h.add(&server.url()).await;

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
    let notified = herald_tests::eventually("50 notifications", WAIT, || {
        let n = h.notifier.0.lock().unwrap().clone();
        (n.len() == 50).then_some(n)
    })
    .await;
    assert_eq!(
        notified[0],
        Notification {
            summary: "Test feed · tick".into(),
            body: "event 1\nline two".into()
        }
    );
}

#[tokio::test]
async fn feed_goes_live_and_status_is_listed() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let mut h = start_engine();
    let id = h.add(&server.url()).await;
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
    let mut h = start_engine();
    h.add(&server.url()).await;
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
    let mut h = start_engine();
    h.add(&format!("http://127.0.0.1:{}/events", dead_port()))
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
    let mut h = start_engine();
    h.add(&server.url()).await;
    let FeedStatus::NeedsAttention { error, .. } = h.next_error_status().await else {
        panic!("a web page is not an event stream");
    };
    assert_eq!(error.kind, ErrorKind::ContentType);
    assert!(error.message.contains("text/html"), "{}", error.message);
}

#[tokio::test]
async fn reconnect_sends_last_event_id() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream("id: 7\ndata: first\n\nretry: 300\n\n"),
        _ => Reply::stream("data: second\n\n").held_open(),
    })
    .await;
    let mut h = start_engine();
    h.add(&server.url()).await;
    for want in ["first", "second"] {
        let event = h
            .next_matching(want, |r| match r {
                Report::Event(e) => Some(e),
                _ => None,
            })
            .await;
        assert_eq!(event.data, want);
        assert_eq!(event.last_event_id, "7");
    }
    let requests = server.requests();
    assert_eq!(requests[0].header("last-event-id"), None);
    assert_eq!(requests[1].header("last-event-id"), Some("7"));
    assert_eq!(requests[1].header("accept"), Some("text/event-stream"));
    assert_eq!(requests[1].header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn feed_headers_are_sent() {
    let server = TestServer::always(Reply::stream(": ok\n\n").held_open()).await;
    let h = start_engine();
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
    let h = start_engine();
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
    assert!(
        !h._dir.path().join("settings.json").exists(),
        "nothing was written"
    );
}

#[tokio::test]
async fn removed_feed_stops_and_is_forgotten() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let h = start_engine();
    let id = h.add(&server.url()).await;
    h.engine.remove_feed(id.clone()).await.unwrap();
    assert!(h.engine.list_feeds().await.unwrap().is_empty());
    let saved = std::fs::read_to_string(h._dir.path().join("settings.json")).unwrap();
    assert!(!saved.contains(&id.0), "{saved}");
    assert!(matches!(
        h.engine.remove_feed(id).await,
        Err(herald_engine::Error::NotFound(_))
    ));
}

#[tokio::test]
async fn feeds_survive_a_restart() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let start = || {
        let mut options = EngineOptions::new(
            SettingsStore::new(&settings),
            Arc::new(Recording::default()),
        );
        options.demo_on_first_run = false;
        engine::start(options)
    };
    let (first, _reports) = start();
    let draft = FeedDraft {
        name: "Kept".into(),
        url: server.url(),
        headers: "X-A: 1".into(),
        ..Default::default()
    };
    let id = first.add_feed(draft).await.unwrap().id;
    drop(first);
    let (second, mut reports) = start();
    let feeds = second.list_feeds().await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!((feeds[0].id.clone(), feeds[0].name.as_str()), (id, "Kept"));
    // …and it reconnects.
    loop {
        match tokio::time::timeout(WAIT, reports.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Report::Status {
                status: FeedStatus::Live { .. },
                ..
            } => break,
            _ => continue,
        }
    }
}

#[tokio::test]
async fn first_run_subscribes_the_demo_feed_which_delivers_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = EngineOptions::new(
        SettingsStore::new(dir.path().join("s.json")),
        Arc::new(Recording::default()),
    );
    options.demo_port = 0;
    options.demo_options.interval = Duration::from_millis(50);
    let (engine, mut reports) = engine::start(options);
    let mut events = Vec::new();
    while events.len() < 3 {
        if let Report::Event(e) = tokio::time::timeout(WAIT, reports.recv())
            .await
            .unwrap()
            .unwrap()
        {
            events.push(e);
        }
    }
    let feeds = engine.list_feeds().await.unwrap();
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
async fn redirects_are_followed_and_credentials_stay_on_their_origin() {
    let target = TestServer::always(Reply::stream("data: arrived\n\n").held_open()).await;
    let target_url = target.url();
    let origin = TestServer::start(move |n, _| match n {
        0 => Reply::redirect(307, "/moved"),
        _ => Reply::redirect(302, &target_url),
    })
    .await;
    let mut h = start_engine();
    let draft = FeedDraft {
        name: "A".into(),
        url: origin.url(),
        headers: "Authorization: Bearer s3cret\nX-Api-Key: k".into(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let event = h.next_event().await;
    assert_eq!(event.data, "arrived");
    let same_origin = &origin.requests()[1];
    assert_eq!(same_origin.path, "/moved");
    assert_eq!(same_origin.header("authorization"), Some("Bearer s3cret"));
    let other_origin = &target.requests()[0];
    assert_eq!(other_origin.header("authorization"), None);
    assert_eq!(other_origin.header("x-api-key"), None);
    assert_eq!(other_origin.header("accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn endless_redirects_need_attention() {
    let server = TestServer::always(Reply::redirect(302, "/again")).await;
    let mut h = start_engine();
    h.add(&server.url()).await;
    let FeedStatus::NeedsAttention { error, .. } = h.next_error_status().await else {
        panic!("a redirect loop is not retried with backoff");
    };
    assert!(error.message.contains("redirects"), "{}", error.message);
    assert_eq!(
        server.requests().len(),
        6,
        "the first request and 5 redirects, then it stops"
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
    let mut h = start_engine();
    h.add(&server.url()).await;
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
async fn reconnect_now_skips_the_wait() {
    let server = TestServer::start(|n, _| match n {
        // Come back in an hour, says the server…
        0 => Reply::status(503, "maintenance").with_header("Retry-After", "3600"),
        _ => Reply::stream("data: back\n\n").held_open(),
    })
    .await;
    let mut h = start_engine();
    let id = h.add(&server.url()).await;
    let FeedStatus::Backoff { next_try_at, .. } = h.next_error_status().await else {
        panic!("a 503 is retried with backoff");
    };
    let wait_ms = next_try_at.saturating_sub(now_ms());
    assert!(
        wait_ms > 3_500_000,
        "Retry-After is honoured: waits {wait_ms} ms"
    );
    // …but the user asks now.
    h.engine.reconnect(id).await.unwrap();
    let reason = h
        .next_matching("a reconnect", |r| match r {
            Report::Status {
                status: FeedStatus::Connecting { reason, .. },
                ..
            } => reason,
            _ => None,
        })
        .await;
    assert_eq!(reason, "you asked to reconnect");
    let event = h.next_event().await;
    assert_eq!(event.data, "back");
}

#[tokio::test]
async fn server_204_stops_the_feed_until_resumed() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::status(204, ""),
        _ => Reply::stream("data: resumed\n\n").held_open(),
    })
    .await;
    let mut h = start_engine();
    let id = h.add(&server.url()).await;
    h.next_matching("stopped by server", |r| {
        matches!(
            r,
            Report::Status {
                status: FeedStatus::Stopped {
                    reason: StopReason::Server
                },
                ..
            }
        )
        .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.requests().len(), 1, "no reconnect after 204");
    h.engine.set_paused(id, false).await.unwrap();
    let event = h.next_event().await;
    assert_eq!(event.data, "resumed");
}

#[tokio::test]
async fn paused_feed_disconnects_and_stays_paused_across_a_restart() {
    let server = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let start = || {
        let store = SettingsStore::new(&settings);
        let mut options = EngineOptions::new(store, Arc::new(Recording::default()));
        options.demo_on_first_run = false;
        engine::start(options)
    };
    let (engine, mut reports) = start();
    let draft = FeedDraft {
        name: "P".into(),
        url: server.url(),
        headers: String::new(),
        ..Default::default()
    };
    let id = engine.add_feed(draft).await.unwrap().id;
    wait_for_status(&mut reports, |s| matches!(s, FeedStatus::Live { .. })).await;
    engine.set_paused(id.clone(), true).await.unwrap();
    wait_for_status(&mut reports, |s| {
        matches!(
            s,
            FeedStatus::Stopped {
                reason: StopReason::User
            }
        )
    })
    .await;
    drop(engine);
    let (engine, mut reports) = start();
    wait_for_status(&mut reports, |s| {
        matches!(
            s,
            FeedStatus::Stopped {
                reason: StopReason::User
            }
        )
    })
    .await;
    assert_eq!(
        server.requests().len(),
        1,
        "a paused feed does not connect at start"
    );
    engine.set_paused(id, false).await.unwrap();
    wait_for_status(&mut reports, |s| matches!(s, FeedStatus::Live { .. })).await;
    assert_eq!(server.requests().len(), 2);
}

async fn wait_for_status(reports: &mut mpsc::Receiver<Report>, want: impl Fn(&FeedStatus) -> bool) {
    loop {
        match tokio::time::timeout(WAIT, reports.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Report::Status { status, .. } if want(&status) => return,
            _ => continue,
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn a_feed_trusts_its_own_ca_certificate_and_only_that_feed_does() {
    let ca = herald_tests::server::TestCa::new();
    let server = TestServer::start_tls(ca.acceptor.clone(), |_, _| {
        Reply::stream("data: over tls\n\n").held_open()
    })
    .await;
    let url = format!("https://{}/events", server.addr());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let mut h = start_engine();
    // Without the CA certificate the server is not trusted…
    h.add(&url).await;
    let FeedStatus::Backoff { error, .. } = h.next_error_status().await else {
        panic!("an untrusted certificate is a connect error");
    };
    assert_eq!(error.kind, ErrorKind::Connect);
    assert!(
        error.message.to_lowercase().contains("certificate"),
        "{}",
        error.message
    );
    // …with it, it is.
    let draft = FeedDraft {
        name: "Self-hosted".into(),
        url,
        ca_cert: ca_file.display().to_string(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let event = h.next_event().await;
    assert_eq!(
        (event.feed_name.as_str(), event.data.as_str()),
        ("Self-hosted", "over tls")
    );
}

#[tokio::test]
async fn a_missing_ca_certificate_is_a_field_error() {
    let h = start_engine();
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
async fn a_feed_idle_timeout_replaces_a_silent_connection() {
    // The first connection sends one event and then nothing at all, not even a comment.
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream("id: 1\ndata: then silence\n\n").held_open(),
        _ => Reply::stream("data: fresh\n\n").held_open(),
    })
    .await;
    let mut config = FeedDraft {
        url: server.url(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    config.idle_timeout_secs = Some(1); // below the form's minimum, to keep the test short
    let mut options = FeedOptions::default();
    options.backoff.min = Duration::from_millis(10);
    options.backoff.initial = Duration::from_millis(10);
    let (tx, mut rx) = mpsc::channel(16);
    let (_control, control_rx) = mpsc::channel(1);
    let client = herald_engine::feed::connection::client().unwrap();
    let started = std::time::Instant::now();
    let run = herald_engine::feed::supervisor::run(
        client,
        Arc::new(config),
        options,
        String::new(),
        tx,
        control_rx,
    );
    let _supervisor = tokio::spawn(run);
    let mut data = Vec::new();
    while data.len() < 2 {
        let message = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let herald_engine::feed::FeedUpdate::Event(e) = message.update {
            data.push(e.data.to_string());
        }
    }
    assert_eq!(data, ["then silence", "fresh"]);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "replaced after {elapsed:?}"
    );
    assert_eq!(server.requests()[1].header("last-event-id"), Some("1"));
}

/// How far in the future a backoff status schedules the next try, in ms.
fn wait_of(status: &FeedStatus) -> u64 {
    match status {
        FeedStatus::Backoff { next_try_at, .. } => next_try_at.saturating_sub(now_ms()),
        other => panic!("expected a backoff, got {other:?}"),
    }
}

#[tokio::test] // one thread: the engine draws its jitter from this thread's seeded generator
async fn the_server_retry_field_sets_the_reconnection_delay() {
    use herald_engine::feed::backoff::{Backoff, BackoffPolicy};
    // Each connection ends at once; one server said `retry: 3000`, the other nothing.
    let with_retry = TestServer::always(Reply::stream("retry: 3000\ndata: x\n\n")).await;
    let without = TestServer::always(Reply::stream("data: x\n\n")).await;
    for (server, retry) in [(&with_retry, Some(3000)), (&without, None)] {
        // The same jitter the engine will draw, computed by the policy itself.
        let unit = fastrand::Rng::with_seed(7).f64();
        let mut backoff = Backoff::new(BackoffPolicy::default());
        if let Some(ms) = retry {
            backoff.set_retry(ms);
        }
        let want = backoff.next_delay(unit).as_millis() as u64;
        let mut h = start_engine(); // (its temp dir draws from the generator: seed after it)
        fastrand::seed(7);
        h.add(&server.url()).await;
        let wait = wait_of(&h.next_error_status().await);
        assert!(
            want.abs_diff(wait) <= 100,
            "waits {wait} ms, the policy says {want} ms"
        );
    }
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_the_server_asks() {
    let server =
        TestServer::always(Reply::status(429, "slow down").with_header("Retry-After", "120")).await;
    let mut h = start_engine();
    h.add(&server.url()).await;
    let status = h.next_error_status().await;
    let wait = wait_of(&status);
    assert!((118_000..=120_000).contains(&wait), "waits {wait} ms");
    let FeedStatus::Backoff { error, .. } = status else {
        unreachable!()
    };
    assert_eq!(error.status, Some(429));
}

#[tokio::test]
async fn feeds_on_one_host_share_one_http2_connection() {
    let ca = herald_tests::server::TestCa::new();
    let server = herald_tests::h2::H2Server::start(&ca).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let mut h = start_engine();
    let mut paths = Vec::new();
    for path in ["/a", "/b", "/c"] {
        let draft = FeedDraft {
            url: server.url(path),
            ca_cert: ca_file.display().to_string(),
            ..Default::default()
        };
        h.engine.add_feed(draft).await.unwrap();
        // One after the other, as a user adds them: each finds the connection already open.
        let event = h.next_event().await;
        paths.push(event.data);
    }
    assert_eq!(paths, ["/a", "/b", "/c"]);
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 1, "three streams, one connection");
}

/// With tokio's clock paused, waits take no real time, so a run of failures shows the whole
/// schedule: each wait is exactly what the policy draws, growing to the cap.
#[tokio::test(start_paused = true)]
async fn backoff_waits_follow_the_policy_with_paused_time() {
    use herald_engine::feed::backoff::{Backoff, BackoffPolicy};
    use herald_engine::feed::{FeedUpdate, supervisor};
    let config = FeedDraft {
        url: format!("http://127.0.0.1:{}/events", dead_port()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let client = herald_engine::feed::connection::client().unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let (_control, control_rx) = mpsc::channel(1);
    fastrand::seed(11);
    let run = supervisor::run(
        client,
        Arc::new(config),
        FeedOptions::default(),
        String::new(),
        tx,
        control_rx,
    );
    let _supervisor = tokio::spawn(run);
    // When each attempt started, on the paused clock.
    let mut attempts = Vec::new();
    while attempts.len() < 9 {
        let message = rx.recv().await.unwrap();
        if let FeedUpdate::Status(FeedStatus::Connecting { .. }) = message.update {
            attempts.push(tokio::time::Instant::now());
        }
    }
    let waits: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    let mut policy = Backoff::new(BackoffPolicy::default());
    let mut rng = fastrand::Rng::with_seed(11);
    let want: Vec<Duration> = (0..8).map(|_| policy.next_delay(rng.f64())).collect();
    for (got, want) in waits.iter().zip(&want) {
        let diff = got.abs_diff(*want);
        assert!(
            diff < Duration::from_millis(5),
            "waits {waits:?}, policy {want:?}"
        );
    }
    // The ceiling doubles from 1 s and stops at the 60 s cap.
    let ceilings = [1, 2, 4, 8, 16, 32, 60, 60].map(Duration::from_secs);
    for (wait, ceiling) in waits.iter().zip(ceilings) {
        assert!(
            *wait <= ceiling + Duration::from_millis(5),
            "{wait:?} > {ceiling:?}"
        );
    }
}

#[tokio::test]
async fn a_settings_file_that_cannot_be_written_is_an_error_and_changes_nothing() {
    // A folder where the temporary file must go: every save fails, as on a full disk (a
    // permission trick would not work for root).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, br#"{"version": 1, "feeds": []}"#).unwrap();
    std::fs::create_dir(dir.path().join("settings.json.tmp")).unwrap();
    let mut options = EngineOptions::new(SettingsStore::new(&path), Arc::new(Recording::default()));
    options.demo_on_first_run = false;
    let (engine, _reports) = engine::start(options);
    let draft = FeedDraft {
        url: "http://127.0.0.1:1/events".into(),
        ..Default::default()
    };
    let error = engine.add_feed(draft).await.unwrap_err();
    assert!(
        matches!(error, herald_engine::Error::Settings(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("settings.json"), "{error}");
    assert!(
        engine.list_feeds().await.unwrap().is_empty(),
        "nothing half-added"
    );
    let kept = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        kept, r#"{"version": 1, "feeds": []}"#,
        "the old file is intact"
    );
}
