//! Many feeds in one engine: 1,000 streams from one local server, each live, each with its own
//! events and nobody else's.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use herald_engine::feed::{FeedDraft, FeedId, FeedStatus};
use herald_engine::{EventRecord, Report};
use herald_tests::numbered::{self, NumberedOptions, NumberedServer};
use herald_tests::scenario::{Harness, raise_fd_limit};

const FEEDS: usize = 1000;
const EVENTS: u64 = 3;

fn path(i: usize) -> String {
    format!("/feed/{i}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_feeds_on_one_server_are_all_live_and_each_gets_its_own_events() {
    // Two sockets per feed (client and server side) in this one process, plus some to spare.
    let want = 2 * FEEDS as u64 + 512;
    let limit = raise_fd_limit(want);
    assert!(
        limit >= want,
        "this test needs {want} open files; the hard limit allows {limit}"
    );
    let server = NumberedServer::start(NumberedOptions {
        total: EVENTS,
        burst: 1..=3,
        pause_chance: 0.0,
        replay_chance: 0.0,
        heartbeat: Duration::from_secs(5),
        retry_ms: None,
        ..NumberedOptions::default()
    })
    .await;
    let mut h = Harness::start(Default::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(90);

    // Feeds are added by a task while this one drains the reports: the engine waits when its
    // report queue is full, and 1,000 feeds report far more than it holds.
    let engine = h.engine.clone();
    let urls: Vec<String> = (0..FEEDS).map(|i| server.url(&path(i))).collect();
    let mut adder = tokio::spawn(async move {
        let mut ids = Vec::with_capacity(FEEDS);
        for (i, url) in urls.into_iter().enumerate() {
            let draft = FeedDraft {
                name: format!("feed {i}"),
                url,
                ..FeedDraft::default()
            };
            ids.push(engine.add_feed(draft).await.expect("valid feed").id);
        }
        ids
    });
    let mut ids: Option<Vec<FeedId>> = None;
    let mut added_in = Duration::ZERO;
    let mut live: HashSet<FeedId> = HashSet::new();
    let mut events: HashMap<FeedId, Vec<EventRecord>> = HashMap::new();
    let all_in = |live: &HashSet<FeedId>, events: &HashMap<FeedId, Vec<EventRecord>>| {
        live.len() == FEEDS
            && events.len() == FEEDS
            && events.values().all(|e| e.len() as u64 >= EVENTS)
    };
    while ids.is_none() || !all_in(&live, &events) {
        let report = tokio::select! {
            done = &mut adder, if ids.is_none() => {
                ids = Some(done.expect("feeds added"));
                added_in = started.elapsed();
                continue;
            }
            report = h.next_report(deadline) => report,
        };
        let Some(report) = report else {
            panic!(
                "timed out after {:?}: {} feeds added, {} live, {} with all their events",
                started.elapsed(),
                ids.as_ref().map_or(0, Vec::len),
                live.len(),
                events.values().filter(|e| e.len() as u64 >= EVENTS).count()
            );
        };
        match report {
            Report::Event(record) => events
                .entry(record.feed_id.clone())
                .or_default()
                .push(record),
            Report::Status {
                feed,
                status: FeedStatus::Live { .. },
            } => {
                live.insert(feed);
            }
            _ => {}
        }
    }
    let all_live_in = started.elapsed();
    // Anything more (a duplicate, an event of another feed) would come now.
    let settle = Instant::now() + Duration::from_millis(500);
    while let Some(report) = h.next_report(settle).await {
        if let Report::Event(record) = report {
            events
                .entry(record.feed_id.clone())
                .or_default()
                .push(record);
        }
    }
    println!(
        "{FEEDS} feeds added in {added_in:.1?}, all live with their {EVENTS} events after \
         {all_live_in:.1?}; server answered {} requests",
        server.counts().requests
    );

    let ids = ids.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let got: Vec<(&str, &str, &str)> = events[id]
            .iter()
            .map(|e| {
                (
                    e.last_event_id.as_str(),
                    e.event_type.as_str(),
                    e.data.as_str(),
                )
            })
            .collect();
        let want: Vec<(String, numbered::Expected)> = (1..=EVENTS)
            .map(|n| (n.to_string(), numbered::expected(&path(i), n)))
            .collect();
        let want: Vec<(&str, &str, &str)> = want
            .iter()
            .map(|(n, e)| (n.as_str(), e.event_type, e.data.as_str()))
            .collect();
        assert_eq!(got, want, "feed {i} got other events than its own");
    }
    let feeds = tokio::time::timeout(Duration::from_secs(10), h.engine.list_feeds())
        .await
        .expect("the engine answers")
        .unwrap();
    assert_eq!(feeds.len(), FEEDS);
    let not_live: Vec<_> = feeds
        .iter()
        .filter(|f| !matches!(f.status, FeedStatus::Live { .. }))
        .map(|f| (&f.name, &f.status))
        .collect();
    assert!(not_live.is_empty(), "feeds not live: {not_live:?}");
    assert_eq!(
        server.counts().requests,
        FEEDS as u64,
        "one connection per feed, none dropped"
    );
}
