//! Figures for BENCHMARKS.md: `cargo bench -p herald-tests --bench feeds` prints a markdown table.
//!
//! Measured, never asserted (the suites assert behaviour; timings belong to the machine):
//! 1. 1,000 idle feeds: RSS per feed and CPU over 10 s without traffic. Measured first, while
//!    this process is fresh, against a server in a child process, so neither earlier runs nor
//!    the server's own sockets are counted.
//! 2. Loopback latency from the server's write to the event at the sink, over 10,000 paced events.
//! 3. Upstream restarts under the app's default backoff: how long after the upstream is back the
//!    feed is live, against when the backoff had scheduled the next try.
//! 4. The chaos run of the test suite (100,000 events, hundreds of cuts): events lost, duplicated.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use herald_engine::Report;
use herald_engine::demo::http;
use herald_engine::feed::{FeedConfig, FeedDraft, FeedOptions, FeedStatus};
use herald_tests::chaos::{ChaosProxy, Plan};
use herald_tests::numbered::{NumberedOptions, NumberedServer};
use herald_tests::scenario::{ChaosRun, DEFAULT_CHAOS_SEED, Harness, raise_fd_limit, run_chaos};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Set in the environment of the child process that serves the idle feeds.
const SERVER_ROLE: &str = "HERALD_FEEDS_BENCH_SERVER";
const IDLE_FEEDS: usize = 1000;
const IDLE_WINDOW: Duration = Duration::from_secs(10);
const LATENCY_EVENTS: u64 = 10_000;
const RESTARTS: usize = 5;
const RESTART_PAUSE: Duration = Duration::from_secs(3);
const CHAOS_EVENTS: u64 = 100_000;

fn main() {
    raise_fd_limit(2 * IDLE_FEEDS as u64 + 512); // inherited by the server child
    let runtime = herald_tests::bench::runtime();
    if std::env::var_os(SERVER_ROLE).is_some() {
        runtime.block_on(serve_idle_feeds());
        return;
    }
    let machine = herald_tests::bench::Machine::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        eprintln!("feeds bench: {IDLE_FEEDS} idle feeds…");
        rows.extend(idle_feeds().await);
        eprintln!("feeds bench: latency over {LATENCY_EVENTS} events…");
        rows.push(latency().await);
        eprintln!("feeds bench: {RESTARTS} upstream restarts…");
        rows.extend(restarts().await);
        eprintln!("feeds bench: chaos run of {CHAOS_EVENTS} events…");
        rows.push(chaos().await);
    });
    machine.print_report("Feeds (`cargo bench -p herald-tests --bench feeds`)", &rows);
}

use herald_tests::bench::Row;

/// The child process: one event on every path, then silence (no heartbeat within the window),
/// until the parent closes our stdin.
async fn serve_idle_feeds() {
    let server = NumberedServer::start(NumberedOptions {
        total: 1,
        burst: 1..=1,
        pause_chance: 0.0,
        replay_chance: 0.0,
        heartbeat: Duration::from_secs(3600),
        retry_ms: None,
        ..NumberedOptions::default()
    })
    .await;
    println!("{}", server.addr().port());
    std::io::stdout().flush().unwrap();
    // The parent holds our stdin: EOF means it is gone.
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
}

/// The server child; killed when dropped.
struct ServerChild(Child);

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_server() -> (ServerChild, u16) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(SERVER_ROLE, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server child");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the child prints its port");
    (ServerChild(child), port)
}

/// A field of /proc/self/status in KiB (e.g. `VmRSS`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time of this process (user + system) from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime
    // are fields 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis((fields[11] + fields[12]) * 1000 / ticks)
}

async fn idle_feeds() -> Vec<Row> {
    let (_server, port) = spawn_server();
    let feeds: Vec<FeedConfig> = (0..IDLE_FEEDS)
        .map(|i| {
            // Through the form's validation, so new settings fields get their defaults.
            let draft = FeedDraft {
                name: format!("idle {i}"),
                url: format!("http://127.0.0.1:{port}/idle/{i}"),
                ..FeedDraft::default()
            };
            draft.validate().expect("valid feed")
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_before = status_kib("VmRSS");
    let started = Instant::now();
    let mut h = Harness::start_with(FeedOptions::default(), feeds);
    let (mut live, mut events) = (0, 0);
    let deadline = started + Duration::from_secs(120);
    while live < IDLE_FEEDS || events < IDLE_FEEDS {
        match h.next_report(deadline).await {
            Some(Report::Event(_)) => events += 1,
            Some(Report::Status {
                status: FeedStatus::Live { .. },
                ..
            }) => live += 1,
            Some(_) => {}
            None => panic!("{live} of {IDLE_FEEDS} feeds live, {events} events, at the deadline"),
        }
    }
    let all_live = started.elapsed();
    // Let the start-up settle, then measure; reports are still drained, as the app does.
    drain(&mut h, Instant::now() + Duration::from_secs(1)).await;
    let rss_after = status_kib("VmRSS");
    let cpu_before = cpu_time();
    let window = Instant::now();
    let stray = drain(&mut h, window + IDLE_WINDOW).await;
    let cpu = cpu_time() - cpu_before;
    let wall = window.elapsed();
    let per_feed = rss_after.saturating_sub(rss_before) as f64 / IDLE_FEEDS as f64;
    vec![
        (
            format!("RSS per idle feed ({IDLE_FEEDS} feeds)"),
            format!("{per_feed:.1} KiB"),
            format!(
                "VmRSS {:.1} → {:.1} MiB; feeds from the settings file at start-up, all live in \
                 {all_live:.1?}; the server runs in a child process",
                rss_before as f64 / 1024.0,
                rss_after as f64 / 1024.0
            ),
        ),
        (
            format!("CPU with {IDLE_FEEDS} idle feeds"),
            format!(
                "{:.2} % of one core ({} ms in {wall:.1?})",
                cpu.as_secs_f64() / wall.as_secs_f64() * 100.0,
                cpu.as_millis()
            ),
            format!(
                "utime+stime from /proc/self/stat (10 ms ticks); no bytes on any stream \
                 ({stray} reports); the default 90 s watchdog armed on every feed"
            ),
        ),
    ]
}

/// Drains reports until `until`; returns how many there were.
async fn drain(h: &mut Harness, until: Instant) -> usize {
    let mut count = 0;
    while h.next_report(until).await.is_some() {
        count += 1;
    }
    count
}

/// Waits for the next event, skipping other reports.
async fn next_event(h: &mut Harness, deadline: Instant) {
    loop {
        match h.next_report(deadline).await {
            Some(Report::Event(_)) => return,
            Some(_) => {}
            None => panic!("no event before the deadline"),
        }
    }
}

/// Where the latency server's timestamps count from.
static EPOCH: OnceLock<Instant> = OnceLock::new();

fn micros() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

async fn latency() -> Row {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        http::read_request(&mut socket).await.unwrap();
        let _ = socket.set_nodelay(true);
        let head = http::stream_head("text/event-stream");
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut pace = tokio::time::interval(Duration::from_millis(1));
        for n in 1..=LATENCY_EVENTS {
            pace.tick().await;
            let event = format!("id: {n}\ndata: {}\n\n", micros());
            if socket.write_all(event.as_bytes()).await.is_err() {
                return;
            }
        }
        std::future::pending::<()>().await;
    });
    let mut h = Harness::start(FeedOptions::default());
    h.add("latency", &format!("http://{addr}/latency")).await;
    let mut delays = Vec::with_capacity(LATENCY_EVENTS as usize);
    let deadline = Instant::now() + Duration::from_secs(120);
    while (delays.len() as u64) < LATENCY_EVENTS {
        match h.next_report(deadline).await {
            Some(Report::Event(record)) => {
                let sent: u64 = record.data.parse().unwrap();
                delays.push(micros().saturating_sub(sent));
            }
            Some(_) => {}
            None => panic!(
                "{} of {LATENCY_EVENTS} events at the deadline",
                delays.len()
            ),
        }
    }
    server.abort();
    delays.sort_unstable();
    let at = |q| herald_tests::bench::quantile_ms(&delays, q);
    (
        "latency, server write → event at the sink".into(),
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(0.5),
            at(0.99),
            at(1.0)
        ),
        format!("{LATENCY_EVENTS} events, 1 per ms, one feed on loopback"),
    )
}

/// One restart: when the upstream was back, when the backoff had scheduled the try that made it
/// live, and when it was live (all wall-clock ms, the clock of the engine's statuses).
struct Sample {
    back: u64,
    scheduled: u64,
    live: u64,
    /// Backoff waits in the outage: the one after the cut, then one per refused try.
    waits: u32,
}

async fn restarts() -> Vec<Row> {
    // An event every 100 ms, so every connection makes progress and the backoff starts over.
    let upstream = NumberedServer::start(NumberedOptions {
        total: u64::MAX / 2,
        burst: 1..=1,
        pause_chance: 1.0,
        pause: Duration::from_millis(100),
        replay_chance: 0.0,
        retry_ms: None,
        ..NumberedOptions::default()
    })
    .await;
    let proxy = ChaosProxy::start(upstream.addr(), Plan::pass_through()).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("restarts", &proxy.url("/events")).await;
    let deadline = Instant::now() + Duration::from_secs(30 * RESTARTS as u64);
    next_event(&mut h, deadline).await;
    let mut samples = Vec::new();
    for _ in 0..RESTARTS {
        let back = proxy.restart(RESTART_PAUSE).await.wall_ms;
        let (mut scheduled, mut waits) = (0, 0);
        let live = loop {
            match h.next_report(deadline).await {
                Some(Report::Status { status, .. }) => match status {
                    FeedStatus::Backoff { next_try_at, .. } => {
                        scheduled = next_try_at;
                        waits += 1;
                    }
                    FeedStatus::Live { since } => break since,
                    _ => {}
                },
                Some(_) => {}
                None => panic!("not live again before the deadline"),
            }
        };
        samples.push(Sample {
            back,
            scheduled,
            live,
            waits,
        });
        next_event(&mut h, deadline).await;
    }
    let spread = |f: &dyn Fn(&Sample) -> i64| {
        let mut v: Vec<i64> = samples.iter().map(f).collect();
        v.sort_unstable();
        format!(
            "median {} ms (min {}, max {})",
            v[v.len() / 2],
            v[0],
            v[v.len() - 1]
        )
    };
    let waits: Vec<String> = samples.iter().map(|s| s.waits.to_string()).collect();
    let how = format!(
        "{RESTARTS} restarts, upstream down {RESTART_PAUSE:?} each; app backoff (1 s base, \
         ×2 per try, 60 s cap, jitter); backoff waits per outage (after the cut, then per refused \
         try): {}",
        waits.join(", ")
    );
    vec![
        (
            "upstream back → feed live".into(),
            spread(&|s| s.live as i64 - s.back as i64),
            how,
        ),
        (
            "upstream back → scheduled try".into(),
            spread(&|s| s.scheduled as i64 - s.back as i64),
            "the wait the backoff had already chosen when the upstream came back".into(),
        ),
        (
            "scheduled try → feed live".into(),
            spread(&|s| s.live as i64 - s.scheduled as i64),
            "connect + response head, after the timer fires".into(),
        ),
    ]
}

async fn chaos() -> Row {
    let outcome = run_chaos(&ChaosRun::standard(CHAOS_EVENTS, DEFAULT_CHAOS_SEED)).await;
    let (c, k) = (outcome.chaos, &outcome.check);
    (
        "chaos run: events lost / duplicated / garbled".into(),
        format!(
            "{} / {} / {} of {}",
            k.missing(),
            k.duplicates,
            k.garbled,
            outcome.events
        ),
        format!(
            "{} cuts ({} RST), {} stalls, {} upstream restarts, {} replayed events sent; {:.1?}",
            c.cuts, c.resets, c.stalls, c.restarts, outcome.upstream.replayed, outcome.elapsed
        ),
    )
}
