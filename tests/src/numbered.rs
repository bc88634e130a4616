//! A resumable SSE upstream on 127.0.0.1: numbered events 1..=N on every path, resumed after the
//! request's `Last-Event-ID`.
//!
//! The chaos and scale suites need a server whose every byte is predictable, so they can tell
//! exactly which events the engine lost, doubled or garbled: event `n` of the stream at `path` is
//! a pure function of both ([`expected`]), with multi-byte UTF-8 in every event and a second data
//! line in some. What is random is the shape of the byte stream, from a seeded generator: burst
//! sizes and the small pauses between them (so a proxy's cut lands anywhere in a line, an event or
//! a UTF-8 sequence), comment lines between events, and whether a resumed stream first replays the
//! last 1–3 events before the one asked for, as real servers do. The engine must drop those.

use std::io;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use herald_engine::demo::http;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How the server shapes its streams.
#[derive(Debug, Clone)]
pub struct NumberedOptions {
    /// Events per stream: ids 1..=total. After the last one, only heartbeats.
    pub total: u64,
    /// Seed of the server's random choices; connection `k` (0-based) uses `seed + k`.
    pub seed: u64,
    /// Events written per burst (one `write` each), drawn per burst.
    pub burst: RangeInclusive<usize>,
    /// Chance of a pause after a burst; otherwise the writer only yields to the runtime.
    pub pause_chance: f64,
    /// That pause.
    pub pause: Duration,
    /// Chance that a resumed stream first replays 1–3 events before the one asked for.
    pub replay_chance: f64,
    /// How often a comment is sent once every event is out, to keep idle watchdogs quiet.
    pub heartbeat: Duration,
    /// The `retry:` sent at the start of every stream, if any.
    pub retry_ms: Option<u64>,
}

impl Default for NumberedOptions {
    fn default() -> Self {
        NumberedOptions {
            total: 100,
            seed: 1,
            burst: 1..=16,
            pause_chance: 0.3,
            pause: Duration::from_millis(1),
            replay_chance: 0.25,
            heartbeat: Duration::from_millis(100),
            retry_ms: Some(10),
        }
    }
}

/// What the server sent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberedCounts {
    /// Requests answered.
    pub requests: u64,
    /// Events written (replays included), whether or not they reached the client.
    pub events: u64,
    /// Of those, events at or before the `Last-Event-ID` asked for: replays.
    pub replayed: u64,
}

/// Counters shared by the connection tasks.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    events: AtomicU64,
    replayed: AtomicU64,
    /// The `Last-Event-ID` of every request, in order (0: none).
    resumed_from: std::sync::Mutex<Vec<u64>>,
}

/// A running numbered-event server; stops (and closes every stream) when dropped.
pub struct NumberedServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    /// The accept loop, which owns the connection tasks; aborted on drop.
    task: JoinHandle<()>,
}

impl Drop for NumberedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl NumberedServer {
    /// Starts a server on 127.0.0.1:0.
    pub async fn start(options: NumberedOptions) -> NumberedServer {
        NumberedServer::start_on("127.0.0.1:0".parse().unwrap(), options)
            .await
            .expect("bind 127.0.0.1:0")
    }

    /// Starts a server on `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        options: NumberedOptions,
    ) -> io::Result<NumberedServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(serve(listener, Arc::new(options), Arc::clone(&counters)));
        Ok(NumberedServer {
            addr,
            counters,
            task,
        })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the stream at `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// What it sent so far.
    pub fn counts(&self) -> NumberedCounts {
        NumberedCounts {
            requests: self.counters.requests.load(Ordering::Relaxed),
            events: self.counters.events.load(Ordering::Relaxed),
            replayed: self.counters.replayed.load(Ordering::Relaxed),
        }
    }

    /// The `Last-Event-ID` each request carried, in order (0 when it carried none).
    pub fn resumed_from(&self) -> Vec<u64> {
        self.counters.resumed_from.lock().unwrap().clone()
    }

    /// Serves until the task is stopped (for a server run as its own process).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Event `n` of the stream at `path`, as the engine must deliver it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Every fifth event is a `tick`; the others are plain messages.
    pub event_type: &'static str,
    /// One line, or two (every third event), with 2-, 3- and 4-byte UTF-8 sequences.
    pub data: String,
}

/// Event `n` of the stream at `path`.
pub fn expected(path: &str, n: u64) -> Expected {
    let first = format!("{path} #{n} · héllo wörld ✓ 日本語 🚀");
    let data = if n.is_multiple_of(3) {
        format!("{first}\nsecond line ∑ {n} — ü")
    } else {
        first
    };
    Expected {
        event_type: if n.is_multiple_of(5) {
            "tick"
        } else {
            "message"
        },
        data,
    }
}

/// Appends event `n` of the stream at `path` to `out`, in wire format.
fn encode(out: &mut String, path: &str, n: u64) {
    let event = expected(path, n);
    out.push_str(&format!("id: {n}\n"));
    if event.event_type != "message" {
        out.push_str(&format!("event: {}\n", event.event_type));
    }
    for line in event.data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}

async fn serve(listener: TcpListener, options: Arc<NumberedOptions>, counters: Arc<Counters>) {
    // Owned here, so aborting the accept loop closes every stream.
    let mut streams = JoinSet::new();
    let mut accepted: u64 = 0;
    loop {
        tokio::select! {
            socket = listener.accept() => {
                let Ok((socket, _)) = socket else {
                    // E.g. out of file descriptors: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let seed = options.seed.wrapping_add(accepted);
                accepted += 1;
                let (options, counters) = (Arc::clone(&options), Arc::clone(&counters));
                streams.spawn(async move {
                    // A client that goes away ends its stream; nothing to report.
                    let _ = stream(socket, &options, &counters, seed).await;
                });
            }
            Some(_) = streams.join_next(), if !streams.is_empty() => {}
        }
    }
}

/// Serves one request: events after its `Last-Event-ID` (perhaps replaying a few), then
/// heartbeats until the client leaves.
async fn stream(
    mut socket: TcpStream,
    options: &NumberedOptions,
    counters: &Counters,
    seed: u64,
) -> io::Result<()> {
    let request = http::read_request(&mut socket).await?;
    counters.requests.fetch_add(1, Ordering::Relaxed);
    let _ = socket.set_nodelay(true);
    let mut rng = fastrand::Rng::with_seed(seed);
    let last: u64 = request
        .header("last-event-id")
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or(0);
    counters.resumed_from.lock().unwrap().push(last);
    let mut next = last + 1;
    if last > 0 && rng.f64() < options.replay_chance {
        next = (last + 1).saturating_sub(rng.u64(1..=3)).max(1);
    }
    socket
        .write_all(http::stream_head("text/event-stream").as_bytes())
        .await?;
    if let Some(retry) = options.retry_ms {
        socket
            .write_all(format!("retry: {retry}\n\n").as_bytes())
            .await?;
    }
    let mut out = String::new();
    while next <= options.total {
        out.clear();
        let mut written = 0;
        for _ in 0..rng.usize(options.burst.clone()) {
            if next > options.total {
                break;
            }
            if rng.u8(..16) == 0 {
                out.push_str(": ping\n");
            }
            encode(&mut out, &request.path, next);
            if next <= last {
                counters.replayed.fetch_add(1, Ordering::Relaxed);
            }
            written += 1;
            next += 1;
        }
        socket.write_all(out.as_bytes()).await?;
        counters.events.fetch_add(written, Ordering::Relaxed);
        if rng.f64() < options.pause_chance {
            tokio::time::sleep(options.pause).await;
        } else {
            tokio::task::yield_now().await;
        }
    }
    loop {
        tokio::time::sleep(options.heartbeat).await;
        socket.write_all(b": heartbeat\n").await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_multi_byte_text_and_sometimes_two_lines() {
        let mut out = String::new();
        encode(&mut out, "/p", 15);
        assert_eq!(
            out,
            "id: 15\nevent: tick\ndata: /p #15 · héllo wörld ✓ 日本語 🚀\n\
             data: second line ∑ 15 — ü\n\n"
        );
        assert!(out.chars().any(|c| c.len_utf8() == 4));
        assert_eq!(expected("/p", 1).data.lines().count(), 1);
        assert_eq!(expected("/p", 1).event_type, "message");
    }
}
