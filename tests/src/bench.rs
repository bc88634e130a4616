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
