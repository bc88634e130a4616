//! Figures for BENCHMARKS.md: `cargo bench -p herald-tests --bench store` prints a markdown table.
//!
//! Measured, never asserted:
//! 1. Sustained events/s through parse → store (one transaction per batch) → report: one feed,
//!    and 100 feeds at once, from a local server writing as fast as the socket takes it.
//! 2. Its limit: the same rows inserted by a bare rusqlite loop in one transaction, with the
//!    full-text index and without it.
//! 3. Search over 1,000,000 stored events (p50/p95 of 50 queries × 5), and a first page of the
//!    timeline (newest, one feed, unread only).
//! 4. Database size per 100,000 events of the demo feed's shape.

use std::time::{Duration, Instant};

use herald_engine::Report;
use herald_engine::demo;
use herald_engine::feed::{FeedDraft, FeedId, FeedOptions, Received};
use herald_engine::sse::Event;
use herald_engine::store::{self, Policy, Query, Retention, StoreReader, StoreReport};
use herald_tests::scenario::{Harness, raise_fd_limit};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const PIPELINE_EVENTS: u64 = 200_000;
const FEEDS: u64 = 100;
const SEARCH_EVENTS: u64 = 1_000_000;
const SIZE_EVENTS: u64 = 100_000;

use herald_tests::bench::Row;

fn main() {
    raise_fd_limit(4096);
    let runtime = herald_tests::bench::runtime();
    let machine = herald_tests::bench::Machine::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        eprintln!("store bench: pipeline, one feed…");
        rows.push(pipeline(1).await);
        eprintln!("store bench: pipeline, {FEEDS} feeds…");
        rows.push(pipeline(FEEDS).await);
    });
    eprintln!("store bench: bare inserts…");
    rows.extend(bare_inserts(false));
    rows.extend(bare_inserts(true));
    eprintln!("store bench: {SEARCH_EVENTS} events for search…");
    rows.extend(runtime.block_on(search()));
    eprintln!("store bench: size…");
    rows.push(runtime.block_on(size()));
    machine.print_report("Store (`cargo bench -p herald-tests --bench store`)", &rows);
}

/// The demo feed's event `n` as (type, data), the shape most figures use.
fn demo_shaped(n: u64) -> (String, String) {
    let wire = demo::demo_event(n);
    let mut event_type = "message".to_owned();
    let mut data = Vec::new();
    for line in wire.lines() {
        if let Some(t) = line.strip_prefix("event: ") {
            event_type = t.to_owned();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data.push(d);
        }
    }
    (event_type, data.join("\n"))
}

/// An event with its own id `n`, on connection 1, as a supervisor hands it on.
fn received(n: u64, event_type: &str, data: &str) -> Received {
    Received {
        event: Event {
            event_type: event_type.into(),
            data: data.into(),
            last_event_id: n.to_string().as_str().into(),
        },
        had_id: true,
        connection: 1,
        catch_up: false,
    }
}

/// Serves `per_feed` demo-shaped events on every path, as fast as the socket takes them.
async fn fast_server(per_feed: u64) -> std::net::SocketAddr {
    let mut body = String::new();
    for n in 1..=per_feed {
        body.push_str(&demo::demo_event(n));
    }
    let body = std::sync::Arc::new(body);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                continue;
            };
            let body = std::sync::Arc::clone(&body);
            tokio::spawn(async move {
                if demo::http::read_request(&mut socket).await.is_err() {
                    return;
                }
                let head = demo::http::stream_head("text/event-stream");
                let _ = socket.write_all(head.as_bytes()).await;
                for chunk in body.as_bytes().chunks(64 * 1024) {
                    if socket.write_all(chunk).await.is_err() {
                        return;
                    }
                }
                std::future::pending::<()>().await;
            });
        }
    });
    addr
}

/// Events/s from adding `feeds` feeds until all their events were reported after the commit.
async fn pipeline(feeds: u64) -> Row {
    let per_feed = PIPELINE_EVENTS / feeds;
    let addr = fast_server(per_feed).await;
    let mut h = Harness::start(FeedOptions::default());
    let started = Instant::now();
    // Added from a task of their own while this one drains the reports: the first feeds' events
    // fill the report queue long before the last feed is added.
    let engine = h.engine.clone();
    tokio::spawn(async move {
        for f in 0..feeds {
            let draft = FeedDraft {
                name: format!("feed {f}"),
                url: format!("http://{addr}/f{f}"),
                ..FeedDraft::default()
            };
            engine.add_feed(draft).await.expect("valid feed");
        }
    });
    let total = per_feed * feeds;
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while seen < total {
        match h.next_report(deadline).await {
            Some(Report::Event(_)) => seen += 1,
            Some(_) => {}
            None => panic!("pipeline stalled at {seen} of {total}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // Then: how long until the search index has caught up with the last of them.
    let reader = StoreReader::open_read_only(&h.store_file()).unwrap();
    let newest = reader
        .page(&Query {
            limit: 1,
            ..Query::default()
        })
        .unwrap()[0]
        .seq as i64;
    let waited = Instant::now();
    let conn = rusqlite::Connection::open_with_flags(
        h.store_file(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    while store::search::indexed_upto(&conn).unwrap() < newest {
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "the index never caught up"
        );
    }
    let searchable = waited.elapsed().as_secs_f64();
    let name = match feeds {
        1 => "pipeline, 1 feed".to_owned(),
        n => format!("pipeline, {n} feeds at once"),
    };
    (
        name,
        format!("{:.0} events/s", total as f64 / secs),
        format!(
            "{total} demo-shaped events (~130 B of JSON each) from 127.0.0.1, parsed, committed, reported; {secs:.2} s; all searchable {searchable:.1} s later"
        ),
    )
}

/// The same rows by a bare rusqlite loop in one transaction: the limit of the store's writes.
/// With `fts`, the search index is filled in the same transaction by a trigger (as schema 1
/// did); then the background indexer's own rate over the rows without it.
fn bare_inserts(fts: bool) -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::schema::open_for_writing(&dir.path().join("bare.db")).unwrap();
    if fts {
        conn.execute_batch(
            "CREATE TRIGGER bench_fts_insert AFTER INSERT ON events BEGIN \
             INSERT INTO events_fts (rowid, type, data) VALUES (new.seq, new.type, new.data); END; \
             UPDATE fts_state SET indexed_upto = 9223372036854775807;",
        )
        .unwrap();
    }
    let rows: Vec<(String, String)> = (1..=PIPELINE_EVENTS).map(demo_shaped).collect();
    let started = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO events (feed_id, event_id, type, data, received_at, catch_up) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            )
            .unwrap();
        for (n, (event_type, data)) in rows.iter().enumerate() {
            insert
                .execute(rusqlite::params![
                    "bench",
                    n.to_string(),
                    event_type,
                    data,
                    n as i64
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let mut out = vec![(
        format!(
            "limit: bare rusqlite inserts, {}",
            if fts {
                "search index in the same transaction"
            } else {
                "no search index"
            }
        ),
        format!("{:.0} rows/s", PIPELINE_EVENTS as f64 / secs),
        format!(
            "the same {PIPELINE_EVENTS} rows and indexes, one transaction, no network or parsing; {secs:.2} s"
        ),
    )];
    if !fts {
        let started = Instant::now();
        while store::search::index_step(&mut conn, 2_000).unwrap() > 0 {}
        let secs = started.elapsed().as_secs_f64();
        out.push((
            "search index, filled in the background".into(),
            format!("{:.0} rows/s", PIPELINE_EVENTS as f64 / secs),
            format!("the writer's own index steps (2,000 rows a transaction) over those rows; {secs:.2} s"),
        ));
    }
    out
}

/// A word list with a skew: low indexes are common, high ones rare.
fn word(i: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "ta", "vo", "xe", "zi", "po", "da", "fu", "gi", "ho", "je",
        "sa",
    ];
    let mut w = String::new();
    let mut n = i + 16;
    while n > 0 {
        w.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    w
}

/// Fills a store with `SEARCH_EVENTS` events of 10 feeds whose words follow a skew, then times
/// searches and first pages on a read-only connection, as `herald history` or the UI would.
async fn search() -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(store::FILE_NAME);
    let (handle, mut reports) = store::open(&path);
    let keep_all = Retention {
        max_events: None,
        max_age_days: None,
    };
    handle
        .set_retention(Policy {
            default: keep_all,
            ..Policy::default()
        })
        .await
        .unwrap();
    for f in 0..10 {
        handle
            .set_feed(FeedId(format!("f{f}")), format!("Feed {f}"))
            .await
            .unwrap();
    }
    let drain = tokio::spawn(async move { while reports.recv().await.is_some() {} });
    let mut rng = fastrand::Rng::with_seed(7);
    let started = Instant::now();
    for n in 1..=SEARCH_EVENTS {
        // Word i drawn with weight ~ 1/(i+1) over 4,000 words: a few common, a long tail.
        let words: Vec<String> = (0..10)
            .map(|_| word((4000.0f64.powf(rng.f64()) as usize).saturating_sub(1)))
            .collect();
        let data = format!(
            "{{\"title\":\"{} {}\",\"message\":\"{}\",\"priority\":{}}}",
            words[0],
            words[1],
            words[2..].join(" "),
            n % 5 + 1
        );
        let event_type = if n % 7 == 0 { "alert" } else { "message" };
        let received = received(n, event_type, &data);
        handle
            .append(
                FeedId(format!("f{}", n % 10)),
                received,
                herald_engine::time::now_ms(),
            )
            .await
            .unwrap();
    }
    handle.flush().await.unwrap();
    let fill = started.elapsed().as_secs_f64();
    let reader = StoreReader::open_read_only(&path).unwrap();
    let mut queries: Vec<String> = (0..20).map(word).collect(); // common
    queries.extend((3000..3020).map(word)); // rare
    queries.extend((0..10).map(|i| format!("{} {}", word(i), word(i + 40)))); // two words
    let mut times = Vec::new();
    let mut hits = 0;
    for _ in 0..5 {
        for q in &queries {
            let t = Instant::now();
            let page = reader
                .page(&Query {
                    text: Some(q.clone()),
                    limit: 50,
                    ..Query::default()
                })
                .unwrap();
            times.push(t.elapsed());
            hits += page.len();
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    let first_page = |query: Query| {
        let mut best = Duration::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            let page = reader.page(&query).unwrap();
            best = best.min(t.elapsed());
            assert!(!page.is_empty());
        }
        best
    };
    let newest = first_page(Query {
        limit: 200,
        ..Query::default()
    });
    let one_feed = first_page(Query {
        feed: Some(FeedId("f3".into())),
        limit: 200,
        ..Query::default()
    });
    let unread = first_page(Query {
        unread: true,
        limit: 200,
        ..Query::default()
    });
    drop(handle);
    let _ = drain.await;
    vec![
        (
            format!("search over {SEARCH_EVENTS} events, p50 / p95"),
            format!("{:.2} / {:.2} ms", ms(pct(0.5)), ms(pct(0.95))),
            format!(
                "50 queries (common, rare, two words; last word as a prefix) × 5, 50 results a page, {hits} rows returned; store filled at {:.0} events/s",
                SEARCH_EVENTS as f64 / fill
            ),
        ),
        (
            "first timeline page (200 rows): newest / one feed / unread".into(),
            format!(
                "{:.2} / {:.2} / {:.2} ms",
                ms(newest),
                ms(one_feed),
                ms(unread)
            ),
            format!("best of 20, over the same {SEARCH_EVENTS} events"),
        ),
    ]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Bytes on disk per 100,000 demo-shaped events, after a checkpoint.
async fn size() -> Row {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(store::FILE_NAME);
    let (handle, mut reports) = store::open(&path);
    handle
        .set_feed(FeedId("demo".into()), "Herald demo".into())
        .await
        .unwrap();
    let drain = tokio::spawn(async move {
        while let Some(report) = reports.recv().await {
            if let StoreReport::Failing(why) = report {
                panic!("{why}");
            }
        }
    });
    for n in 1..=SIZE_EVENTS {
        let (event_type, data) = demo_shaped(n);
        let received = received(n, &event_type, &data);
        handle
            .append(
                FeedId("demo".into()),
                received,
                herald_engine::time::now_ms(),
            )
            .await
            .unwrap();
    }
    handle.flush().await.unwrap();
    drop(handle);
    let _ = drain.await;
    // The writer's last connection closes with the thread; checkpoint what the WAL holds.
    std::thread::sleep(Duration::from_millis(500));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .unwrap();
    drop(conn);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let data_bytes: usize = (1..=SIZE_EVENTS).map(|n| demo_shaped(n).1.len()).sum();
    (
        format!("database size per {SIZE_EVENTS} events"),
        format!("{:.1} MB", bytes as f64 / 1e6),
        format!(
            "demo-shaped events (their data alone: {:.1} MB), with indexes and FTS",
            data_bytes as f64 / 1e6
        ),
    )
}
