//! The store through its handle, on real SQLite files: what is committed, in what order, with
//! which resume point; the replay rule; queries; read marks; forgetting; failing and recovering.

use std::time::Duration;

use super::*;
use crate::sse::Event;

const WAIT: Duration = Duration::from_secs(10);

fn received(connection: u64, id: &str, event_type: &str, data: &str) -> Received {
    Received {
        event: Event {
            event_type: event_type.into(),
            data: data.into(),
            last_event_id: id.into(),
        },
        had_id: !id.is_empty(),
        connection,
        catch_up: false,
    }
}

fn feed(id: &str) -> FeedId {
    FeedId(id.into())
}

struct Opened {
    store: StoreHandle,
    reports: mpsc::UnboundedReceiver<StoreReport>,
    _dir: tempfile::TempDir,
}

/// A store in a temporary dir that keeps everything (the tests' events are "received" at the
/// epoch, which an age limit would prune at once).
async fn open_temp() -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let (store, reports) = open(&dir.path().join(FILE_NAME));
    let keep_all = Retention {
        max_events: None,
        max_age_days: None,
    };
    store
        .set_retention(Policy {
            default: keep_all,
            ..Policy::default()
        })
        .await
        .unwrap();
    Opened {
        store,
        reports,
        _dir: dir,
    }
}

impl Opened {
    /// Appends `events` to `feed` (named after it) and waits for them to be committed.
    async fn append_all(&mut self, feed_id: &str, events: Vec<Received>) -> Vec<EventRecord> {
        self.store
            .set_feed(feed(feed_id), format!("Feed {feed_id}"))
            .await
            .unwrap();
        for (n, r) in events.into_iter().enumerate() {
            self.store.append(feed(feed_id), r, n as u64).await.unwrap();
        }
        self.store.flush().await.unwrap();
        self.committed()
    }

    /// Everything committed so far.
    fn committed(&mut self) -> Vec<EventRecord> {
        let mut all = Vec::new();
        while let Ok(report) = self.reports.try_recv() {
            if let StoreReport::Committed(records) = report {
                all.extend(records);
            }
        }
        all
    }
}

fn data(records: &[EventRecord]) -> Vec<&str> {
    records.iter().map(|r| r.data.as_str()).collect()
}

#[tokio::test]
async fn committed_events_come_back_in_order_with_increasing_seqs_and_their_feed_name() {
    let mut s = open_temp().await;
    let events = (1..=300)
        .map(|n| received(1, &n.to_string(), "tick", &format!("event {n}")))
        .collect();
    let committed = s.append_all("a", events).await;
    assert_eq!(committed.len(), 300);
    assert!(committed.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(committed[0].feed_name, "Feed a");
    assert_eq!(committed[299].data, "event 300");
    let page = s.store.page(Query::default()).await.unwrap();
    assert_eq!(page.len(), 200, "a default page");
    assert_eq!(page[0], committed[299], "newest first, as committed");
}

#[tokio::test]
async fn the_resume_point_is_kept_with_the_events_that_moved_it_and_without_events_too() {
    let mut s = open_temp().await;
    s.append_all("a", vec![received(1, "7", "m", "x")]).await;
    let cursors = s.store.cursors().await.unwrap();
    assert_eq!(cursors[&feed("a")].last_event_id, "7");
    assert_eq!(cursors[&feed("a")].retry_ms, None);
    let moved = Cursor {
        last_event_id: "8".into(),
        retry_ms: Some(2500),
    };
    s.store.set_cursor(feed("a"), moved.clone()).await.unwrap();
    s.store.flush().await.unwrap();
    assert_eq!(s.store.cursors().await.unwrap()[&feed("a")], moved);
    // A later event moves the id and keeps the retry.
    s.append_all("a", vec![received(2, "9", "m", "y")]).await;
    let cursor = &s.store.cursors().await.unwrap()[&feed("a")];
    assert_eq!(
        (cursor.last_event_id.as_str(), cursor.retry_ms),
        ("9", Some(2500))
    );
}

#[tokio::test]
async fn replays_at_a_connection_start_are_dropped_and_repeated_ids_later_are_kept() {
    let mut s = open_temp().await;
    let first = vec![
        received(1, "1", "m", "a"),
        received(1, "2", "m", "b"),
        received(1, "3", "m", "c"),
    ];
    let second = vec![
        // The server replays its last three, then goes on.
        received(2, "1", "m", "a"),
        received(2, "2", "m", "b"),
        received(2, "3", "m", "c"),
        received(2, "4", "m", "d"),
        // Later, an id that repeats is a new event.
        received(2, "1", "m", "a"),
    ];
    assert_eq!(data(&s.append_all("f", first).await), ["a", "b", "c"]);
    assert_eq!(data(&s.append_all("f", second).await), ["d", "a"]);
    // id 0 throughout: every event is new, across connections too.
    let zeros = (0..3)
        .flat_map(|c| (0..2).map(move |n| received(c + 1, "0", "m", &format!("{c}.{n}"))))
        .collect();
    assert_eq!(
        data(&s.append_all("z", zeros).await),
        ["0.0", "0.1", "1.0", "1.1", "2.0", "2.1"]
    );
    // The rule survives a restart of the store: a replay after it is still a replay.
    drop(s.store);
    let path = s._dir.path().join(FILE_NAME);
    let (store, mut reports) = open(&path);
    store.set_feed(feed("f"), "F".into()).await.unwrap();
    store
        .append(feed("f"), received(1, "4", "m", "d"), 0)
        .await
        .unwrap();
    store
        .append(feed("f"), received(1, "5", "m", "e"), 0)
        .await
        .unwrap();
    store.flush().await.unwrap();
    let mut kept = Vec::new();
    while let Ok(StoreReport::Committed(records)) = reports.try_recv() {
        kept.extend(records);
    }
    assert_eq!(data(&kept), ["e"]);
}

#[tokio::test]
async fn queries_filter_by_feed_type_time_unread_and_words_newest_first() {
    let mut s = open_temp().await;
    s.append_all(
        "a",
        vec![
            received(1, "1", "deploy", "api is live"),
            received(1, "2", "alert", "Disk full on db-1"),
            received(1, "3", "deploy", "web is live"),
        ],
    )
    .await;
    s.append_all("b", vec![received(1, "1", "alert", "disk at 80 %")])
        .await;
    let page = |query: Query| {
        let store = s.store.clone();
        async move { store.page(query).await.unwrap() }
    };
    let q = Query::default;
    assert_eq!(
        data(
            &page(Query {
                feed: Some(feed("a")),
                ..q()
            })
            .await
        ),
        ["web is live", "Disk full on db-1", "api is live"]
    );
    assert_eq!(
        data(
            &page(Query {
                event_type: Some("alert".into()),
                ..q()
            })
            .await
        ),
        ["disk at 80 %", "Disk full on db-1"]
    );
    // Words in any case, in type or data; the last one as a prefix.
    for (text, want) in [
        ("disk", vec!["disk at 80 %", "Disk full on db-1"]),
        ("DISK ful", vec!["Disk full on db-1"]),
        ("deploy", vec!["web is live", "api is live"]),
        ("live -x", vec![]),
        ("\"unbalanced", vec![]),
        (
            "   ",
            vec![
                "disk at 80 %",
                "web is live",
                "Disk full on db-1",
                "api is live",
            ],
        ),
    ] {
        let query = Query {
            text: Some(text.into()),
            ..q()
        };
        assert_eq!(data(&page(query).await), want, "{text:?}");
    }
    // received_at was the append index: 0, 1, 2 for a, 0 for b.
    assert_eq!(
        data(
            &page(Query {
                since: Some(1),
                until: Some(2),
                ..q()
            })
            .await
        ),
        ["Disk full on db-1"]
    );
    // Paging: limit and before, with and without a search.
    let first = page(Query { limit: 2, ..q() }).await;
    let next = page(Query {
        limit: 2,
        before: Some(first[1].seq),
        ..q()
    })
    .await;
    assert_eq!(data(&next), ["Disk full on db-1", "api is live"]);
    let searched = page(Query {
        text: Some("live".into()),
        before: Some(first[1].seq),
        ..q()
    })
    .await;
    assert_eq!(data(&searched), ["api is live"]);
}

#[tokio::test]
async fn offset_pages_join_up_as_before_seq_pages_do_and_counts_match_the_lists() {
    let mut s = open_temp().await;
    for f in ["a", "b", "c"] {
        let events = (0..25)
            .map(|n| {
                let event_type = if n % 3 == 0 { "alert" } else { "deploy" };
                let word = if n % 2 == 0 { "disk" } else { "cpu" };
                received(1, &n.to_string(), event_type, &format!("{word} {f} {n}"))
            })
            .collect();
        s.append_all(f, events).await;
    }
    s.store.mark_read(ReadMark::Feed(feed("b"))).await.unwrap();
    let all = s.store.page(Query::default()).await.unwrap();
    let middle = all[all.len() / 2].seq;
    let q = Query::default;
    let queries = [
        q(),
        Query {
            feed: Some(feed("a")),
            ..q()
        },
        Query {
            event_type: Some("alert".into()),
            ..q()
        },
        Query {
            unread: true,
            ..q()
        },
        Query {
            text: Some("disk".into()),
            ..q()
        },
        Query {
            text: Some("disk c".into()),
            ..q()
        },
        Query {
            before: Some(middle),
            ..q()
        },
        Query {
            feed: Some(feed("c")),
            event_type: Some("deploy".into()),
            text: Some("cpu".into()),
            unread: true,
            before: Some(all[5].seq),
            ..q()
        },
        Query {
            text: Some("nothing".into()),
            ..q()
        },
    ];
    let seqs = |records: &[EventRecord]| records.iter().map(|r| r.seq).collect::<Vec<_>>();
    for base in queries {
        let whole = s
            .store
            .page(Query {
                limit: 1000,
                ..base.clone()
            })
            .await
            .unwrap();
        let count = s.store.count(base.clone()).await.unwrap();
        assert_eq!(count, whole.len() as u64, "{base:?}");
        let (mut by_seq, mut by_offset) = (Vec::new(), Vec::new());
        let mut before = base.before;
        loop {
            let query = Query {
                limit: 7,
                before,
                ..base.clone()
            };
            let page = s.store.page(query).await.unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            by_seq.extend(page);
        }
        loop {
            let query = Query {
                limit: 7,
                offset: by_offset.len(),
                ..base.clone()
            };
            let page = s.store.page(query).await.unwrap();
            if page.is_empty() {
                break;
            }
            by_offset.extend(page);
        }
        assert_eq!(seqs(&by_seq), seqs(&whole), "before-seq pages of {base:?}");
        assert_eq!(seqs(&by_offset), seqs(&whole), "offset pages of {base:?}");
    }
    // An offset past the end is an empty page, not an error.
    let past = Query {
        offset: 10_000,
        ..q()
    };
    assert!(s.store.page(past).await.unwrap().is_empty());
}

#[tokio::test]
async fn read_marks_change_unread_counts_for_one_a_feed_or_all() {
    let mut s = open_temp().await;
    let a = s
        .append_all(
            "a",
            (1..=3)
                .map(|n| received(1, &n.to_string(), "m", "x"))
                .collect(),
        )
        .await;
    s.append_all("b", vec![received(1, "1", "m", "y")]).await;
    let counts = || {
        let store = s.store.clone();
        async move {
            let mut counts: Vec<_> = store.unread_counts().await.unwrap().into_iter().collect();
            counts.sort();
            counts
        }
    };
    assert_eq!(counts().await, [(feed("a"), 3), (feed("b"), 1)]);
    s.store.mark_read(ReadMark::Event(a[0].seq)).await.unwrap();
    assert_eq!(counts().await, [(feed("a"), 2), (feed("b"), 1)]);
    let unread = Query {
        unread: true,
        ..Query::default()
    };
    assert_eq!(s.store.page(unread.clone()).await.unwrap().len(), 3);
    s.store.mark_read(ReadMark::Feed(feed("a"))).await.unwrap();
    assert_eq!(counts().await, [(feed("b"), 1)]);
    s.store.mark_read(ReadMark::All).await.unwrap();
    assert!(counts().await.is_empty());
    assert!(s.store.page(unread).await.unwrap().is_empty());
    assert!(s.store.page(Query::default()).await.unwrap()[0].read);
}

#[tokio::test]
async fn a_forgotten_feed_loses_its_resume_point_at_once_and_its_events_soon() {
    let mut s = open_temp().await;
    s.append_all(
        "gone",
        (1..=1200)
            .map(|n| received(1, &n.to_string(), "m", "x"))
            .collect(),
    )
    .await;
    s.append_all("kept", vec![received(1, "1", "m", "y")]).await;
    s.store.forget(feed("gone")).await.unwrap();
    s.store.flush().await.unwrap();
    assert!(!s.store.cursors().await.unwrap().contains_key(&feed("gone")));
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = s.store.read(|r| r.count()).await.unwrap();
        if left == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{left} events left");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(data(&s.store.page(Query::default()).await.unwrap()), ["y"]);
}

#[tokio::test]
async fn writes_that_cannot_be_made_wait_and_are_made_once_they_can() {
    // The data folder's place is taken by a file: opening fails until it is a folder again.
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("data");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let (store, mut reports) = open(&blocked.join(FILE_NAME));
    store.set_feed(feed("a"), "A".into()).await.unwrap();
    store
        .append(feed("a"), received(1, "1", "m", "kept"), 0)
        .await
        .unwrap();
    let report = tokio::time::timeout(WAIT, reports.recv())
        .await
        .unwrap()
        .unwrap();
    let StoreReport::Failing(why) = report else {
        panic!("expected a failure, got {report:?}");
    };
    assert!(why.contains("data"), "{why}");
    // More events queue up behind the one that waits.
    store
        .append(feed("a"), received(1, "2", "m", "also kept"), 0)
        .await
        .unwrap();
    std::fs::remove_file(&blocked).unwrap();
    let mut kept = Vec::new();
    let mut recovered = false;
    while kept.len() < 2 {
        match tokio::time::timeout(WAIT, reports.recv())
            .await
            .unwrap()
            .unwrap()
        {
            StoreReport::Recovered => recovered = true,
            StoreReport::Committed(records) => kept.extend(records),
            StoreReport::Failing(_) => {} // the same reason, said once; or not yet
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(recovered, "the engine hears that writing works again");
    assert_eq!(data(&kept), ["kept", "also kept"]);
}

#[tokio::test]
async fn a_corrupt_database_is_kept_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, vec![7u8; 4096]).unwrap();
    let (store, mut reports) = open(&path);
    let report = tokio::time::timeout(WAIT, reports.recv())
        .await
        .unwrap()
        .unwrap();
    let StoreReport::MovedAside(aside) = report else {
        panic!("expected the file moved aside, got {report:?}");
    };
    assert_eq!(std::fs::read(&aside).unwrap(), vec![7u8; 4096]);
    store.set_feed(feed("a"), "A".into()).await.unwrap();
    store
        .append(feed("a"), received(1, "1", "m", "fresh"), 0)
        .await
        .unwrap();
    store.flush().await.unwrap();
    assert_eq!(
        data(&store.page(Query::default()).await.unwrap()),
        ["fresh"]
    );
}

#[tokio::test]
async fn a_feed_over_its_count_limit_is_pruned_as_events_arrive() {
    let s = open_temp().await;
    let mut policy = Policy {
        default: Retention {
            max_events: None,
            max_age_days: None,
        },
        ..Policy::default()
    };
    policy.feeds.insert(
        feed("busy"),
        Retention {
            max_events: Some(100),
            max_age_days: None,
        },
    );
    s.store.set_retention(policy).await.unwrap();
    s.store.set_feed(feed("busy"), "Busy".into()).await.unwrap();
    for n in 1..=3_000u64 {
        let r = received(1, &n.to_string(), "m", &n.to_string());
        s.store
            .append(feed("busy"), r, crate::time::now_ms())
            .await
            .unwrap();
    }
    s.store.flush().await.unwrap();
    // Pruning runs in steps between batches and when the queue is idle: soon, not at once.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let kept = s.store.read(|r| r.count()).await.unwrap();
        if kept <= 110 {
            assert!(kept >= 100, "{kept} kept: pruned below the limit");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{kept} kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let newest = s.store.page(Query::default()).await.unwrap();
    assert_eq!(newest[0].data, "3000", "the newest are kept");
}
