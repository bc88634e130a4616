//! How a feed reconnects: `Last-Event-ID`, the server's `retry:` and `Retry-After`, the backoff
//! schedule, the idle watchdog, a 204 stop, and the user's "Reconnect now".

use std::sync::Arc;
use std::time::Duration;

use herald_engine::feed::{FeedDraft, FeedOptions, FeedStatus, StopReason};
use herald_engine::{Report, triggers};
use herald_tests::scenario::{Harness, REPORT_WAIT as WAIT, fast_feed_options};
use herald_tests::server::{Reply, TestServer, dead_port};
use herald_tests::wall_ms;
use tokio::sync::mpsc;

#[tokio::test]
async fn reconnect_sends_last_event_id() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream("id: 7\ndata: first\n\nretry: 300\n\n"),
        _ => Reply::stream("data: second\n\n").held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
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
async fn an_id_no_header_can_carry_is_left_out_rather_than_stopping_the_feed() {
    // A valid SSE id (only NUL is refused) with a control character, which HTTP forbids.
    let server = TestServer::start(|n, _| match n {
        0 => Reply::stream("id: a\u{1}b\ndata: first\n\n"),
        _ => Reply::stream("data: second\n\n").held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let first = h.next_event().await;
    assert_eq!(first.last_event_id, "a\u{1}b");
    let second = h.next_event().await;
    assert_eq!(second.data, "second");
    assert_eq!(server.requests()[1].header("last-event-id"), None);
}

#[tokio::test]
async fn reconnect_now_skips_the_wait() {
    let server = TestServer::start(|n, _| match n {
        // Come back in an hour, says the server…
        0 => Reply::status(503, "maintenance").with_header("Retry-After", "3600"),
        _ => Reply::stream("data: back\n\n").held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    let id = h.add("Test feed", &server.url()).await;
    let FeedStatus::Backoff { next_try_at, .. } = h.next_error_status().await else {
        panic!("a 503 is retried with backoff");
    };
    let wait_ms = next_try_at.saturating_sub(wall_ms());
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
    // A backoff of milliseconds: a wrong reconnect would land well within the wait below.
    let mut h = Harness::start(fast_feed_options(Duration::from_secs(30)));
    let id = h.add("Test feed", &server.url()).await;
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
async fn waking_or_a_network_change_leaves_stopped_feeds_stopped() {
    // Three feeds: one live, one the user paused, one the server stopped with a 204.
    let live = TestServer::always(Reply::stream("id: 5\ndata: x\n\n").held_open()).await;
    let paused = TestServer::always(Reply::stream(": hi\n\n").held_open()).await;
    let stopped = TestServer::start(|n, _| match n {
        0 => Reply::status(204, ""),
        _ => Reply::stream(": hi\n\n").held_open(),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    let live_id = h.add("Live", &live.url()).await;
    let paused_id = h.add("Paused", &paused.url()).await;
    let stopped_id = h.add("Stopped", &stopped.url()).await;
    // Two live, one stopped by its server, and the live one's event (id 5) delivered, in
    // whatever order the reports come.
    let mut settled = std::collections::HashSet::new();
    let mut live_event = false;
    while settled.len() < 3 || !live_event {
        let report = h.next_matching("the feeds to settle", Some).await;
        let (feed, status) = match report {
            Report::Status { feed, status } => (feed, status),
            Report::Event(e) => {
                live_event |= e.feed_id == live_id;
                continue;
            }
            _ => continue,
        };
        let want_stopped = feed == stopped_id;
        match status {
            FeedStatus::Live { .. } if !want_stopped => settled.insert(feed),
            FeedStatus::Stopped { reason } if want_stopped && reason == StopReason::Server => {
                settled.insert(feed)
            }
            _ => false,
        };
    }
    h.engine.set_paused(paused_id.clone(), true).await.unwrap();
    status_of(
        &mut h,
        &paused_id,
        "paused",
        |s| matches!(s, FeedStatus::Stopped { reason } if *reason == StopReason::User),
    )
    .await;

    h.triggers.send(triggers::WOKE).await.unwrap();
    // The live feed reconnects, saying why.
    let reason = connecting_reason(&mut h, &live_id).await;
    assert_eq!(reason.as_deref(), Some(triggers::WOKE));
    status_of(&mut h, &live_id, "live again", |s| {
        matches!(s, FeedStatus::Live { .. })
    })
    .await;
    // The stopped ones were told in the same go; had they obeyed, they would have connected
    // within a few milliseconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(live.requests().len(), 2, "the live feed reconnected");
    assert_eq!(
        live.requests()[1].header("last-event-id"),
        Some("5"),
        "and resumed after its last event"
    );
    assert_eq!(paused.requests().len(), 1, "the paused feed stayed paused");
    assert_eq!(
        stopped.requests().len(),
        1,
        "the feed the server stopped stayed stopped"
    );
    // Each comes back when the user says so.
    h.engine.set_paused(paused_id.clone(), false).await.unwrap();
    status_of(&mut h, &paused_id, "live again", |s| {
        matches!(s, FeedStatus::Live { .. })
    })
    .await;
    h.engine.reconnect(stopped_id.clone()).await.unwrap();
    status_of(&mut h, &stopped_id, "live again", |s| {
        matches!(s, FeedStatus::Live { .. })
    })
    .await;
}

/// Waits for a status of feed `id` that `want` accepts.
async fn status_of(
    h: &mut Harness,
    id: &herald_engine::feed::FeedId,
    what: &str,
    want: impl Fn(&FeedStatus) -> bool,
) -> FeedStatus {
    h.next_matching(what, |r| match r {
        Report::Status { feed, status } if &feed == id && want(&status) => Some(status),
        _ => None,
    })
    .await
}

/// The reason of feed `id`'s next connection attempt.
async fn connecting_reason(h: &mut Harness, id: &herald_engine::feed::FeedId) -> Option<String> {
    match status_of(h, id, "an attempt", |s| {
        matches!(s, FeedStatus::Connecting { .. })
    })
    .await
    {
        FeedStatus::Connecting { reason, .. } => reason,
        _ => unreachable!(),
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
        Default::default(),
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
        if let herald_engine::feed::FeedUpdate::Event(r) = message.update {
            data.push(r.event.data.to_string());
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
        FeedStatus::Backoff { next_try_at, .. } => next_try_at.saturating_sub(wall_ms()),
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
        let mut h = Harness::start(FeedOptions::default()); // (its temp dir draws from the generator: seed after it)
        fastrand::seed(7);
        h.add("Test feed", &server.url()).await;
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
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let status = h.next_error_status().await;
    let wait = wait_of(&status);
    assert!((118_000..=120_000).contains(&wait), "waits {wait} ms");
    let FeedStatus::Backoff { error, .. } = status else {
        unreachable!()
    };
    assert_eq!(error.status, Some(429));
}

#[tokio::test]
async fn a_retry_after_of_zero_still_backs_off() {
    // `Retry-After: 0` on every answer: taken at its word, it would be a request loop.
    let server =
        TestServer::always(Reply::status(503, "busy").with_header("Retry-After", "0")).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    for attempt in 0..2 {
        let wait = wait_of(&h.next_error_status().await);
        // The policy's shortest wait is 250 ms; a little of it has passed by now.
        assert!(wait >= 150, "attempt {attempt} waits only {wait} ms");
    }
}

#[tokio::test]
async fn a_huge_retry_after_is_cut_to_the_longest_wait() {
    use herald_engine::feed::backoff::MAX_SERVER_WAIT;
    let server = TestServer::always(
        Reply::status(503, "later").with_header("Retry-After", "18446744073709551615"),
    )
    .await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let wait = wait_of(&h.next_error_status().await);
    let max = MAX_SERVER_WAIT.as_millis() as u64;
    assert!(
        (max - 5_000..=max).contains(&wait),
        "waits {wait} ms, the longest wait is {max} ms"
    );
}

#[tokio::test]
async fn a_retry_after_of_zero_on_an_error_that_needs_attention_still_backs_off() {
    let server =
        TestServer::always(Reply::status(401, "who are you").with_header("Retry-After", "0")).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let FeedStatus::NeedsAttention { next_try_at, .. } = h.next_error_status().await else {
        panic!("a 401 needs the user's attention");
    };
    let wait = next_try_at.saturating_sub(wall_ms());
    // At least the backoff's shortest wait; and the server's ask, not the 15 min the
    // attention retry would be without it.
    assert!((150..2_000).contains(&wait), "waits {wait} ms");
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
        Default::default(),
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
