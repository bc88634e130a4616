//! Herald's demo feed: a small SSE server with realistic events.
//!
//! It serves `GET /events` on loopback: numbered ids, several event types, a `retry:` field, JSON
//! payloads with title/message/priority, multi-line data and comment heartbeats. It resumes after
//! the `Last-Event-ID` it is sent, like a real server that keeps history. The app starts it for
//! the first-run demo feed; `herald demo-server` runs it alone; tests and benchmarks reuse it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub mod http;

/// The port the app's demo feed uses on 127.0.0.1.
pub const DEFAULT_PORT: u16 = 47_801;

/// The demo feed's URL on `port`.
pub fn feed_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/events")
}

/// How the demo server paces its events.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Time between two events.
    pub interval: Duration,
    /// Time between comment heartbeats while waiting.
    pub heartbeat: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            interval: Duration::from_secs(4),
            heartbeat: Duration::from_secs(15),
        }
    }
}

/// A running demo server; dropping it stops the server.
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    /// The accept loop; aborted on drop so the port is freed with the handle.
    task: JoinHandle<()>,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DemoServer {
    /// Binds `addr` (use port 0 for any free port) and starts serving.
    pub async fn start(addr: SocketAddr, options: DemoOptions) -> io::Result<DemoServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(accept_loop(listener, options));
        Ok(DemoServer { addr, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of its event stream.
    pub fn url(&self) -> String {
        format!("http://{}/events", self.addr)
    }

    /// Serves until the task is stopped.
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

async fn accept_loop(listener: TcpListener, options: DemoOptions) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(async move {
                    if let Err(e) = serve(socket, options).await {
                        tracing::debug!(error = %e, "demo client went away");
                    }
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "demo server cannot accept");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn serve(mut socket: TcpStream, options: DemoOptions) -> io::Result<()> {
    let request = http::read_request(&mut socket).await?;
    if request.path != "/events" {
        let body = "Herald demo server: the event stream is at /events\n";
        return http::write_response(&mut socket, 404, "text/plain; charset=utf-8", body).await;
    }
    let resume_after: u64 = request
        .header("last-event-id")
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or(0);
    socket
        .write_all(http::stream_head("text/event-stream").as_bytes())
        .await?;
    socket
        .write_all(b": Herald demo feed\nretry: 3000\n\n")
        .await?;
    let mut next = resume_after + 1;
    let mut since_event = Duration::ZERO;
    let tick = options.heartbeat.min(options.interval);
    loop {
        if next == resume_after + 1 || since_event >= options.interval {
            socket.write_all(demo_event(next).as_bytes()).await?;
            next += 1;
            since_event = Duration::ZERO;
        } else {
            socket.write_all(b": heartbeat\n\n").await?;
        }
        socket.flush().await?;
        tokio::time::sleep(tick).await;
        since_event += tick;
    }
}

/// The `n`th demo event, in wire format: ntfy-shaped JSON (title, message, priority, emoji tags,
/// a click link, a button) so a first run shows rich notifications, and a plain-text build event.
pub fn demo_event(n: u64) -> String {
    match n % 4 {
        0 => format!(
            "event: deploy\nid: {n}\ndata: {{\"topic\":\"demo\",\"title\":\"Deploy finished\",\
             \"message\":\"api v2.{n} is live in eu-west\",\"priority\":3,\"tags\":[\"rocket\",\
             \"eu-west\"],\"click\":\"https://example.com/deploys/{n}\"}}\n\n"
        ),
        1 => format!(
            "id: {n}\ndata: {{\"topic\":\"demo\",\"title\":\"New comment\",\"message\":\"Dana \
             replied on \\\"Q3 roadmap\\\" (#{n})\",\"priority\":2,\"tags\":[\"speech_balloon\"],\
             \"click\":\"https://example.com/roadmap#comment-{n}\"}}\n\n"
        ),
        2 => format!(
            "event: alert\nid: {n}\ndata: {{\"topic\":\"demo\",\"title\":\"Disk almost full\",\
             \"message\":\"db-1: {}% used on /var\",\"priority\":4,\"tags\":[\"warning\",\"db-1\"],\
             \"actions\":[{{\"action\":\"view\",\"label\":\"Runbook\",\
             \"url\":\"https://example.com/runbooks/disk\"}}]}}\n\n",
            80 + n % 20
        ),
        _ => format!(
            "event: build\nid: {n}\ndata: build #{n} passed\ndata: 42 tests, 0 failures\n\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Parser;

    #[test]
    fn demo_events_parse_with_ids_types_and_json() {
        let mut parser = Parser::default();
        for n in 1..=8 {
            parser.push_slice(demo_event(n).as_bytes());
        }
        let events: Vec<_> = std::iter::from_fn(|| parser.next())
            .map(Result::unwrap)
            .collect();
        assert_eq!(events.len(), 8);
        let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types[..4], ["message", "alert", "build", "deploy"]);
        assert_eq!(events[7].last_event_id, "8");
        assert_eq!(events[2].data, "build #3 passed\n42 tests, 0 failures");
        for event in events.iter().filter(|e| e.event_type != "build") {
            let json: serde_json::Value = serde_json::from_str(&event.data).unwrap();
            assert!(
                json["title"].is_string() && json["priority"].is_number(),
                "{}",
                event.data
            );
        }
    }
}
