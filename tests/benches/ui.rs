//! Figures for BENCHMARKS.md: the window. Needs a display and a session bus, and the app built
//! in release mode (the bench profile runs `target/release/herald`):
//!
//! ```sh
//! cargo build --release -p herald
//! dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' cargo bench -p herald-tests --bench ui
//! ```
//!
//! Measured, never asserted, on the real app driven by WebDriver:
//! 1. Server write → row in the DOM and painted, p50 / p99, over paced live events (each
//!    carries its write time; a MutationObserver in the page notes when its row appears, and
//!    the next animation frame when it is painted). Its limit: an IPC round trip from the page.
//! 2. A store of 100,000 events: launch → first row on screen; scrolling 400 px per frame
//!    through it (frame time p50 / p99 / max, frames showing a row still loading); how many row
//!    elements the DOM holds; the web process's memory (PSS) next to the same window with an
//!    empty store.

use std::time::{Duration, Instant};

use herald_tests::app::Home;
use herald_tests::bench::{Row, paced_server, quantile_ms};
use herald_tests::ui::{App, WAIT, many_events, one_feed_settings};
use serde_json::Value;

const LIVE_EVENTS: u64 = 200;
const LIVE_PACE: Duration = Duration::from_millis(50);
const STORED: u64 = 100_000;
const SCROLL_FRAMES: u64 = 300;

fn main() {
    let runtime = herald_tests::bench::runtime();
    let machine = herald_tests::bench::Machine::now();
    let mut rows = Vec::new();
    eprintln!("ui bench: {LIVE_EVENTS} live events, server write → row…");
    rows.extend(runtime.block_on(live_latency()));
    eprintln!("ui bench: {STORED} stored events…");
    rows.extend(runtime.block_on(big_store()));
    machine.print_report(
        "The window (`cargo bench -p herald-tests --bench ui`, release build, Xvfb)",
        &rows,
    );
}

/// Installs the observer: `window.__seen[id] = [in the DOM, painted]`, ms since the epoch. The
/// events' ids are their write times (µs since the epoch).
const OBSERVE: &str = "window.__seen = {}; \
    const list = document.getElementById('timeline'); \
    const now = () => performance.timeOrigin + performance.now(); \
    new MutationObserver(() => { const t = now(); \
      for (const r of list.querySelectorAll('.event-row:not(.placeholder)')) { \
        const id = r.querySelector('.event-id').textContent; \
        if (id && !(id in window.__seen)) { const e = [t, 0]; window.__seen[id] = e; \
          requestAnimationFrame(() => { e[1] = now(); }); } } }) \
      .observe(list, {subtree: true, childList: true, characterData: true}); return true";

/// Starts `n` IPC round trips from the page, one after another; `window.__ipc` gets their ms.
const IPC_ROUND_TRIPS: &str = "window.__ipc = []; (async () => { \
    for (let i = 0; i < 100; i++) { const t = performance.now(); \
      await window.__TAURI__.core.invoke('notification_health'); \
      window.__ipc.push(performance.now() - t); } })(); return true";

async fn live_latency() -> Vec<Row> {
    // Past the catch-up window, and time for the page's observer to be installed.
    let url = paced_server(LIVE_EVENTS, LIVE_PACE, Duration::from_secs(4), |_| {
        format!(
            "id: {}\ndata: {{\"title\":\"bench\",\"message\":\"live\"}}\n\n",
            herald_tests::wall_us()
        )
    })
    .await;
    let home = Home::new();
    home.write_settings(&one_feed_settings("bench0000001", "Bench", &url));
    let app = App::launch(&home).await;
    app.find("#timeline").await;
    app.session.script(OBSERVE).await;
    herald_tests::eventually_async("every live row", WAIT * 2, || async {
        let seen = app
            .session
            .script("return Object.values(window.__seen).filter(e => e[1] > 0).length")
            .await;
        seen.as_u64().unwrap_or(0) >= LIVE_EVENTS
    })
    .await;
    let seen: std::collections::HashMap<String, [f64; 2]> =
        serde_json::from_value(app.session.script("return window.__seen").await).unwrap();
    let (mut in_dom, mut painted) = (Vec::new(), Vec::new());
    for (id, [dom, paint]) in &seen {
        let written: u64 = id.parse().unwrap();
        in_dom.push(((dom * 1000.0) as u64).saturating_sub(written));
        painted.push(((paint * 1000.0) as u64).saturating_sub(written));
    }
    in_dom.sort_unstable();
    painted.sort_unstable();

    app.session.script(IPC_ROUND_TRIPS).await;
    herald_tests::eventually_async("the IPC round trips", WAIT, || async {
        app.session.script("return window.__ipc.length").await == 100
    })
    .await;
    let ipc: Vec<f64> =
        serde_json::from_value(app.session.script("return window.__ipc").await).unwrap();
    let mut ipc: Vec<u64> = ipc.iter().map(|ms| (ms * 1000.0) as u64).collect();
    ipc.sort_unstable();
    app.close().await;

    let how = format!(
        "{LIVE_EVENTS} events {} ms apart; wall clock of server write vs page",
        LIVE_PACE.as_millis()
    );
    vec![
        (
            "server write → row in the DOM, p50 / p99".into(),
            format!(
                "{:.1} / {:.1} ms",
                quantile_ms(&in_dom, 0.5),
                quantile_ms(&in_dom, 0.99)
            ),
            how.clone(),
        ),
        (
            "server write → row painted, p50 / p99 (goal p99 ≤ 50 ms)".into(),
            format!(
                "{:.1} / {:.1} ms",
                quantile_ms(&painted, 0.5),
                quantile_ms(&painted, 0.99)
            ),
            format!("{how}; the animation frame after the row appeared"),
        ),
        (
            "limit: one IPC round trip from the page, p50 / p99".into(),
            format!(
                "{:.2} / {:.2} ms",
                quantile_ms(&ipc, 0.5),
                quantile_ms(&ipc, 0.99)
            ),
            "100 × `invoke('notification_health')`, one after another".into(),
        ),
    ]
}

/// Scrolls STEP px per animation frame for FRAMES frames; `window.__frames` gets each frame's
/// interval (ms) and `window.__blank` the frames that showed a row still loading.
const SCROLL: &str = "window.__frames = []; window.__blank = 0; \
    const list = document.getElementById('timeline'); let last = performance.now(); let n = 0; \
    const step = (t) => { window.__frames.push(t - last); last = t; \
      if (list.querySelector('.event-row.placeholder')) window.__blank++; \
      list.scrollTop += STEP; if (++n < FRAMES) requestAnimationFrame(step); }; \
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(step); }); return true";

/// Runs `SCROLL` with `step` px per frame: the frame intervals (µs, sorted) and how many frames
/// showed a row still loading.
async fn frames(app: &App, step: u32) -> (Vec<u64>, u64) {
    let script = SCROLL
        .replace("FRAMES", &SCROLL_FRAMES.to_string())
        .replace("STEP", &step.to_string());
    app.session.script(&script).await;
    herald_tests::eventually_async("the frames", WAIT, || async {
        app.session
            .script("return window.__frames.length")
            .await
            .as_u64()
            == Some(SCROLL_FRAMES)
    })
    .await;
    let intervals: Vec<f64> =
        serde_json::from_value(app.session.script("return window.__frames").await).unwrap();
    let blank = app
        .session
        .script("return window.__blank")
        .await
        .as_u64()
        .unwrap_or(0);
    let mut intervals: Vec<u64> = intervals.iter().map(|ms| (ms * 1000.0) as u64).collect();
    intervals.sort_unstable();
    (intervals, blank)
}

/// "p50 / p99 / max ms" of sorted µs.
fn spread(sorted: &[u64]) -> String {
    format!(
        "{:.1} / {:.1} / {:.1} ms",
        quantile_ms(sorted, 0.5),
        quantile_ms(sorted, 0.99),
        quantile_ms(sorted, 1.0)
    )
}

/// PSS (kB) of every process whose command line starts with `name`, summed.
fn pss_kb(name: &str) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let first = cmdline.split(|b| *b == 0).next().unwrap_or_default();
        if String::from_utf8_lossy(first).ends_with(name) {
            total += herald_tests::bench::pss_kb(pid);
        }
    }
    total
}

/// The web process's and the app's PSS now, in MB, after the page settled.
async fn memory() -> (f64, f64) {
    tokio::time::sleep(Duration::from_secs(2)).await;
    (
        pss_kb("WebKitWebProcess") as f64 / 1024.0,
        pss_kb("herald") as f64 / 1024.0,
    )
}

async fn big_store() -> Vec<Row> {
    // An empty window first: the memory baseline.
    let empty = Home::new();
    empty.write_settings(r#"{"version": 4, "feeds": []}"#);
    let app = App::launch(&empty).await;
    app.find("#timeline-empty").await;
    let (web_empty, app_empty) = memory().await;
    app.close().await;

    // Fill a store: one run receives every event.
    let (_server, home) = many_events(STORED).await;
    let app = App::launch(&home).await;
    let filled = Instant::now();
    app.wait_count(STORED).await;
    let fill_secs = filled.elapsed().as_secs_f64();
    app.close().await;

    // Launch on the full store: how soon the first row is on screen.
    let started = Instant::now();
    let app = App::launch(&home).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let shown = app
            .session
            .script(
                "return document.querySelector('#timeline .event-row:not(.placeholder)') !== null",
            )
            .await;
        if shown == Value::Bool(true) {
            break;
        }
        assert!(Instant::now() < deadline, "no row on screen");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first_row = started.elapsed();
    app.wait_count(STORED).await;

    let (web_opened, _) = memory().await;
    let (idle, _) = frames(&app, 0).await;
    let (scrolled, blank) = frames(&app, 400).await;
    let dom_rows = app
        .session
        .script("return document.querySelectorAll('#timeline .event-row').length")
        .await;
    let (web_full, app_full) = memory().await;
    app.close().await;

    vec![
        (
            format!("launch → first row on screen, {STORED} stored"),
            format!("{:.2} s", first_row.as_secs_f64()),
            format!(
                "WebDriver session start (app + webview) to a row in the DOM; filling the store took {fill_secs:.1} s"
            ),
        ),
        (
            "scroll frame time p50 / p99 / max".into(),
            spread(&scrolled),
            format!(
                "{SCROLL_FRAMES} animation frames scrolling 400 px (6 rows) each, from the top"
            ),
        ),
        (
            "limit: frame time with nothing moving p50 / p99 / max".into(),
            spread(&idle),
            format!(
                "{SCROLL_FRAMES} animation frames of the same window, no scrolling (Xvfb, software rendering)"
            ),
        ),
        (
            "frames showing a row still loading".into(),
            format!("{blank} of {SCROLL_FRAMES}"),
            "a placeholder row on screen in that frame (its page not read yet)".into(),
        ),
        (
            "row elements in the DOM".into(),
            dom_rows.to_string(),
            format!("after the scroll, {STORED} rows in the list"),
        ),
        (
            "web process PSS: 100,000 stored, after the scroll / before it / empty store (limit)"
                .into(),
            format!("{web_full:.0} / {web_opened:.0} / {web_empty:.0} MB"),
            "WebKitWebProcess, /proc/PID/smaps_rollup, 2 s after the page settled".into(),
        ),
        (
            "app process PSS, 100,000 stored / empty store".into(),
            format!("{app_full:.0} / {app_empty:.0} MB"),
            "the herald process (engine, store, shell)".into(),
        ),
    ]
}
