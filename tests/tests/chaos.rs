//! The engine behind a chaos proxy: connections cut at any byte hundreds of times, links stalled
//! half-open, the server restarted — and still every event arrives exactly once, in order, intact.
//!
//! `HERALD_CHAOS_SEED` replays a run (each run prints its seed); `HERALD_CHAOS_EVENTS` shrinks the
//! long run while working on the engine (the fault minimums scale with it).

use std::time::{Duration, Instant};

use herald_engine::Report;
use herald_engine::feed::{ErrorKind, FeedStatus};
use herald_tests::chaos::{ChaosProxy, Fault, IncidentKind, Plan};
use herald_tests::numbered::{NumberedOptions, NumberedServer};
use herald_tests::scenario::{
    ChaosRun, DEFAULT_CHAOS_SEED, Harness, SequenceCheck, env_u64, fast_feed_options, run_chaos,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_events_survive_five_hundred_cuts_in_order_without_duplicates() {
    let events = env_u64("HERALD_CHAOS_EVENTS", 100_000);
    let seed = env_u64("HERALD_CHAOS_SEED", DEFAULT_CHAOS_SEED);
    let run = ChaosRun::standard(events, seed);
    // The run has its own deadline; this one catches a hang outside it (e.g. adding the feed).
    let outcome = tokio::time::timeout(run.deadline + Duration::from_secs(20), run_chaos(&run))
        .await
        .unwrap_or_else(|_| panic!("the chaos run hung (seed {seed})"));
    println!("{outcome}");
    let (chaos, check) = (outcome.chaos, &outcome.check);
    assert!(
        check.complete(),
        "not every event arrived before the deadline\n{outcome}"
    );
    assert_eq!(
        (check.missing(), check.duplicates, check.garbled),
        (0, 0, 0),
        "events lost, duplicated or garbled\n{outcome}"
    );
    assert_eq!(check.delivered, events, "{outcome}");
    // The run was as rough as the name says (in proportion when HERALD_CHAOS_EVENTS is smaller).
    let at_least = |per_100k: u64| per_100k * events / 100_000;
    assert!(chaos.cuts >= at_least(500), "too few cuts\n{outcome}");
    assert!(chaos.restarts >= at_least(2), "too few restarts\n{outcome}");
    assert!(chaos.stalls >= at_least(2), "too few stalls\n{outcome}");
    assert!(
        outcome.refused >= chaos.restarts,
        "connections refused while the upstream was down\n{outcome}"
    );
    assert!(
        chaos.resets > 0 && chaos.resets < chaos.cuts,
        "cuts by RST and by FIN\n{outcome}"
    );
    if events >= 100_000 {
        assert!(
            chaos.landings.iter().all(|&n| n > 0),
            "faults struck inside UTF-8 sequences, lines and events, and between events\n{outcome}"
        );
    }
    assert!(
        outcome.upstream.replayed > 0,
        "the server replayed events\n{outcome}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connection_is_replaced_within_the_idle_timeout() {
    const IDLE: Duration = Duration::from_millis(500);
    // Backoff (≤ 50 ms), a reconnect, and a machine busy with the test running beside this one.
    const MARGIN: Duration = Duration::from_millis(1000);
    const EVENTS: u64 = 100;
    let upstream = NumberedServer::start(NumberedOptions {
        total: EVENTS,
        burst: 1..=1,
        pause_chance: 1.0,
        pause: Duration::from_millis(10),
        replay_chance: 0.0,
        ..NumberedOptions::default()
    })
    .await;
    // About 2 KB is the head and some 25 events; then silence on a socket that stays open.
    let plan = Plan::script(vec![Fault::Stall { after: 2000 }]);
    let proxy = ChaosProxy::start(upstream.addr(), plan).await;
    let mut h = Harness::start(fast_feed_options(IDLE));
    tokio::time::timeout(
        Duration::from_secs(5),
        h.add("stalled", &proxy.url("/events")),
    )
    .await
    .expect("feed added");

    let mut check = SequenceCheck::new("/events", EVENTS);
    let (mut lives, mut events, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check.complete() {
        let report = h
            .next_report(deadline)
            .await
            .unwrap_or_else(|| panic!("timed out: {check:?}"));
        match report {
            Report::Event(record) => {
                check.observe(&record);
                events.push((Instant::now(), record.last_event_id));
            }
            Report::Status { status, .. } => match status {
                FeedStatus::Live { .. } => lives.push(Instant::now()),
                FeedStatus::Backoff { error, .. } => errors.push(error),
                _ => {}
            },
            _ => {}
        }
    }
    assert!(check.clean(), "{check:?}");

    let stalled_at = proxy
        .incidents()
        .iter()
        .find(|i| i.kind == IncidentKind::Stall)
        .expect("the link stalled")
        .at;
    let live_again = *lives
        .iter()
        .find(|&&t| t > stalled_at)
        .expect("live again after the stall");
    let (resumed_at, resumed_id) = events
        .iter()
        .find(|(t, _)| *t > live_again)
        .expect("events after the stall");
    let replaced = live_again - stalled_at;
    let resumed = *resumed_at - stalled_at;
    println!(
        "stall → live again {replaced:.1?}, → event {resumed_id} {resumed:.1?} \
         (idle timeout {IDLE:?}; the feed said {:?})",
        errors.first().map(|e| &e.message)
    );
    assert!(
        replaced >= IDLE - Duration::from_millis(50),
        "replaced after {replaced:?}, before the watchdog could fire: something else closed it"
    );
    assert!(
        replaced < IDLE + MARGIN,
        "replaced after {replaced:?}: over the idle timeout {IDLE:?} + {MARGIN:?}"
    );
    assert!(resumed < IDLE + MARGIN, "events resumed after {resumed:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, ErrorKind::Stream);
    assert!(
        errors[0].message.contains("no data"),
        "{}",
        errors[0].message
    );
    let counts = proxy.counts();
    assert_eq!((counts.stalls, counts.connections), (1, 2), "{counts:?}");
}
