//! `herald-tests`: black-box suites for Herald and the real parts they run against.
//!
//! - [`server`]: a scripted HTTP/SSE server on 127.0.0.1 (plain or TLS) that records every request.
//! - [`h2`]: an HTTP/2-only TLS server that counts its TCP connections.
//! - [`dbus`]: a private D-Bus session bus and a recording `org.freedesktop.Notifications` server.
//! - [`app`]: the built `herald` binary, run with its own temporary config and data dirs.
//! - [`webdriver`]: WebKitWebDriver driving the real app window (for the end-to-end suite).
//! - [`chaos`]: a seeded TCP proxy that cuts, stalls and restarts connections.
//! - [`numbered`]: a resumable SSE server whose numbered events the tests can check byte for byte.
//! - [`scenario`]: the engine under test (a `Harness` that waits for reports), and the chaos run.
//! - [`recording`]: the notifier and opener a `Harness` records with.
//! - [`tray`]: a panel on the private bus (`org.kde.StatusNotifierWatcher`) that reads the app's
//!   tray icon and clicks its menu over `com.canonical.dbusmenu`.
//! - [`x11`]: the app's windows as a window manager sees them; closing one as a click on × does.
//!
//! The suites themselves live in `tests/tests/`: `engine.rs`, `reconnect.rs` and `transport.rs`
//! (the engine on real sockets),
//! `cli.rs` (`herald tail`), `notify_dbus.rs` (notifications over real D-Bus), `sse_fixtures.rs`
//! (the SSE parser against the byte-exact streams in `tests/fixtures/`, in every chunking),
//! `e2e.rs` (the whole journey under Xvfb, run by the test command's end-to-end stage),
//! `chaos.rs` (events through hundreds of cuts, stalls and restarts), `scale.rs` (1,000 feeds) and
//! `network.rs` (a network change, in a namespace of its own).
//! `benches/feeds.rs` and `benches/store.rs` print the figures of BENCHMARKS.md ([`bench`]: their table).

pub mod app;
pub mod bench;
pub mod chaos;
pub mod dbus;
pub mod h2;
pub mod keychain;
pub mod numbered;
pub mod recording;
pub mod scenario;
pub mod server;
pub mod tray;
pub mod ui;
pub mod webdriver;
pub mod x11;

use std::time::{Duration, Instant};

/// Wall-clock milliseconds since the Unix epoch: the clock of the engine's status timestamps.
pub use herald_engine::time::now_ms as wall_ms;

/// Wall-clock microseconds since the Unix epoch: timestamps that can be compared across
/// threads and processes on this machine (latency figures).
pub fn wall_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Polls `check` every 50 ms until it returns `Some`, or panics with `what` after `timeout`.
pub async fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls the async `check` every 100 ms until it is true, or panics with `what` after `timeout`.
pub async fn eventually_async<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    eventually_some(what, timeout, || {
        let checked = check();
        async move { checked.await.then_some(()) }
    })
    .await;
}

/// Polls the async `check` every 100 ms until it gives a value, or panics with `what` after
/// `timeout`.
pub async fn eventually_some<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
