//! kill -9 in the middle of a flood: the real app (under Xvfb, notifications on a private bus)
//! is killed while a resumable server floods it with 10,000 events, then started again. Every
//! event the server sent must be in the history exactly once and in order, no notification may
//! come twice (what the kill kept from being notified is summarised once, with the restart's
//! catch-up), and the restart must resume from the last id the store kept.
//!
//! Needs a display: run by the end-to-end stage (`-- --ignored` under xvfb-run).

use std::collections::HashSet;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use herald_engine::store::StoreReader;
use herald_tests::app::{Home, herald_binary};
use herald_tests::dbus::{PrivateBus, Recorder};
use herald_tests::numbered::{self, NumberedOptions, NumberedServer};
use herald_tests::scenario::stored_events;
use herald_tests::server::dead_port;

const TOTAL: u64 = 10_000;
const PATH: &str = "/flood";

/// Starts the app in its own process group (so kill -9 takes its WebKit processes too).
fn launch(home: &Home, bus: &PrivateBus) -> Child {
    Command::new(herald_binary())
        .envs(home.env())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HERALD_DEMO_PORT", dead_port().to_string())
        .process_group(0)
        .spawn()
        .expect("start herald")
}

/// Sends `signal` to the app's process group.
fn signal(child: &Child, signal: i32) {
    // SAFETY: kill only sends a signal; a negative pid names the process group we created.
    unsafe {
        libc::kill(-(child.id() as i32), signal);
    }
}

/// Events stored, oldest first, as (id, type, data) (read-only, beside the running app).
fn stored(home: &Home) -> Vec<(String, String, String)> {
    stored_events(&home.store_file())
        .into_iter()
        .map(|e| (e.last_event_id, e.event_type, e.data))
        .collect()
}

/// Waits until `done` holds for the stored events, or panics after `within`.
async fn wait_stored(home: &Home, within: Duration, what: &str, done: impl Fn(usize) -> bool) {
    let deadline = Instant::now() + within;
    loop {
        let n = stored(home).len();
        if done(n) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {n} events stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn kill_9_mid_flood_loses_nothing_duplicates_nothing_and_resumes_from_the_stored_id() {
    // About 2.5 events per millisecond: the flood lasts seconds, so the kill lands inside it.
    let server = NumberedServer::start(NumberedOptions {
        total: TOTAL,
        burst: 1..=4,
        pause_chance: 1.0,
        pause: Duration::from_millis(1),
        replay_chance: 1.0, // a resumed stream replays 1–3 events first: they must be dropped
        ..NumberedOptions::default()
    })
    .await;
    let home = Home::new();
    home.write_settings(&format!(
        r#"{{"version": 2, "feeds": [{{"id": "flood0000001", "name": "Flood", "url": "{}"}}]}}"#,
        server.url(PATH)
    ));
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;

    let mut first = launch(&home, &bus);
    wait_stored(&home, Duration::from_secs(60), "before the kill", |n| {
        n >= 2_000
    })
    .await;
    signal(&first, libc::SIGKILL);
    let status = first.wait().unwrap();
    assert!(!status.success(), "killed: {status:?}");
    let at_kill = stored(&home);
    assert!(at_kill.len() < TOTAL as usize, "the kill came mid-flood");
    let kept_id: u64 = at_kill.last().unwrap().0.parse().unwrap();
    let cursor = StoreReader::open_read_only(&home.store_file())
        .unwrap()
        .cursors()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .last_event_id
        .clone();
    assert_eq!(
        cursor,
        kept_id.to_string(),
        "the resume point is the last event kept"
    );

    let requests_before = server.resumed_from().len();
    let mut second = launch(&home, &bus);
    wait_stored(&home, Duration::from_secs(120), "after the restart", |n| {
        n >= TOTAL as usize
    })
    .await;
    // What the kill kept from being notified and what the restart caught up on: one summary
    // per feed, once the burst has settled — not thousands of notifications.
    let calls = herald_tests::eventually("the catch-up summary", Duration::from_secs(20), || {
        let calls = recorder.calls();
        calls
            .iter()
            .any(|c| c.summary.ends_with("events from Flood while you were away"))
            .then_some(calls)
    })
    .await;
    // SIGTERM quits cleanly (feeds closed, the store flushed): exit 0.
    signal(&second, libc::SIGTERM);
    let status = second.wait().unwrap();
    assert!(status.success(), "SIGTERM: {status:?}");

    let resumed = server.resumed_from();
    assert_eq!(resumed[0], 0, "the first run started from scratch");
    assert_eq!(
        resumed[requests_before], kept_id,
        "the restart resumed from the last stored id"
    );

    let all = stored(&home);
    assert_eq!(all.len(), TOTAL as usize, "each event exactly once");
    for (n, (id, event_type, data)) in (1..=TOTAL).zip(&all) {
        let want = numbered::expected(PATH, n);
        assert_eq!(
            (id.as_str(), event_type.as_str(), data.as_str()),
            (n.to_string().as_str(), want.event_type, want.data.as_str()),
            "event {n}, in order"
        );
    }
    assert!(calls.len() <= 3, "a flood is summarised: {calls:#?}");
    let mut seen = HashSet::new();
    for call in calls
        .iter()
        .filter(|c| c.hint("category") == Some("x-herald.event"))
    {
        assert!(
            seen.insert(call.body.clone()),
            "notified twice: {}",
            call.body
        );
    }
    let summary = calls
        .iter()
        .find(|c| c.summary.ends_with("while you were away"))
        .unwrap();
    let count: u64 = summary.summary.split(' ').next().unwrap().parse().unwrap();
    assert!(
        count > TOTAL - at_kill.len() as u64 && count <= TOTAL,
        "it counts the events since the kill and those the kill kept from being notified: {count}"
    );
}
