//! What the benchmarks share: the machine they ran on, read at the start, their Markdown table,
//! and a paced SSE server for latency figures.

use std::time::Duration;

use herald_engine::demo::http;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// The `q` quantile (0–1) of `sorted` microseconds, in milliseconds (nearest rank).
pub fn quantile_ms(sorted: &[u64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0
}

/// The multi-threaded runtime a benchmark runs on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// One figure of a benchmark: (figure, value, how it was measured).
pub type Row = (String, String, String);

/// The machine as a benchmark starts: cores and load average, before any work skews them.
pub struct Machine {
    cores: usize,
    load: String,
}

impl Machine {
    /// Reads the machine now; call it before the benchmark's first figure.
    pub fn now() -> Machine {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            load: load
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Prints BENCHMARKS.md's section: the heading, the machine, and one table row per figure.
    pub fn print_report(&self, heading: &str, rows: &[Row]) {
        println!("## {heading}\n");
        println!(
            "- Machine: {} cores, load average {} at start; bench profile (release)\n",
            self.cores, self.load
        );
        println!("| figure | value | how |\n|---|---:|---|");
        for (figure, value, how) in rows {
            println!("| {figure} | {value} | {how} |");
        }
    }
}

/// A one-connection SSE server for latency figures: a comment at once, then after `start_after`
/// (past the catch-up window a connection opens with, so what follows is live) `events` from
/// `event(n)`, each after `pace` (zero: all in one write). `event` may put the write time
/// (`crate::wall_us`) in the event, so the receiver can tell each one's delay. Returns its URL.
pub async fn paced_server(
    events: u64,
    pace: Duration,
    start_after: Duration,
    event: fn(u64) -> String,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        http::read_request(&mut socket).await.unwrap();
        let _ = socket.set_nodelay(true);
        let head = http::stream_head("text/event-stream");
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(b": open\n\n").await.unwrap();
        tokio::time::sleep(start_after).await;
        if pace.is_zero() {
            let body: String = (1..=events).map(event).collect();
            let _ = socket.write_all(body.as_bytes()).await;
        } else {
            let mut tick = tokio::time::interval(pace);
            for n in 1..=events {
                tick.tick().await;
                if socket.write_all(event(n).as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        std::future::pending::<()>().await;
    });
    format!("http://{addr}/bench")
}

/// A process and everything it started, as /proc shows them now: the app, its WebKit web and
/// network processes, anything they spawned.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let ppid = status
            .lines()
            .find_map(|l| l.strip_prefix("PPid:"))
            .and_then(|v| v.trim().parse().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    tree
}

/// A process's short name (`/proc/PID/comm`).
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// A process's proportional set size in kB (`/proc/PID/smaps_rollup`): its private memory plus
/// its share of what it shares, so the PSS of several processes adds up honestly.
pub fn pss_kb(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A process's CPU time so far (user + system, all threads), from `/proc/PID/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    // After the command name (which may hold spaces): field 3 on; utime and stime are 14, 15.
    let fields: Vec<u64> = stat[close + 2..]
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    if fields.len() < 13 {
        return Duration::ZERO;
    }
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis((fields[11] + fields[12]) * 1000 / ticks)
}

/// How many times each thread of a process was woken so far (voluntary and involuntary
/// context switches, `/proc/PID/task/TID/status`), by thread id. Threads come and go (idle
/// pool threads end), so compare two readings thread by thread: [`woken_between`].
pub fn wakeups(pid: u32) -> std::collections::HashMap<u32, u64> {
    let mut threads = std::collections::HashMap::new();
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"));
    for task in tasks.into_iter().flatten().flatten() {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        let switches = status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split(':').nth(1)?.trim().parse::<u64>().ok())
            .sum::<u64>();
        threads.insert(tid, switches);
    }
    threads
}

/// The wakeups between two readings of [`wakeups`]: every thread alive at the second, less
/// what it had at the first (a thread that ended in between is not counted: an undercount of
/// its last switches only).
pub fn woken_between(
    before: &std::collections::HashMap<u32, u64>,
    after: &std::collections::HashMap<u32, u64>,
) -> u64 {
    after
        .iter()
        .map(|(tid, n)| n.saturating_sub(before.get(tid).copied().unwrap_or(0)))
        .sum()
}
