//! Figures for BENCHMARKS.md: Herald as a desktop citizen. Needs a display and the app built in
//! release mode (the bench profile runs `target/release/herald`):
//!
//! ```sh
//! cargo build --release -p herald
//! xvfb-run -a -s '-screen 0 1280x800x24' cargo bench -p herald-tests --bench desktop
//! ```
//!
//! Measured, never asserted, on the real app started as a user starts it (no WebDriver), with a
//! private session bus holding a notification server and a tray (as a desktop has), 20 feeds
//! on a local server that sends only a keep-alive comment every 20 s, and 10,000 stored events:
//! 1. Start → window mapped and → every feed live (median of 3 starts).
//! 2. Memory, all of Herald's processes summed as PSS (`/proc/PID/smaps_rollup`), idle with the
//!    window open, then closed to the tray; next to it, the shell started with `--hidden` (no
//!    window ever: the limit for "closed") and, when python3-gi and WebKit's typelib are
//!    installed, an empty WebKitGTK window (the limit for "open").
//! 3. CPU and wakeups per second over 30 s with the window closed.
//! 4. The release binary's size.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use herald_engine::instance::{client, protocol::Request};
use herald_engine::report::FeedView;
use herald_engine::store::Query;
use herald_tests::app::{Home, herald_binary};
use herald_tests::bench::{
    Row, cpu_time, process_name, process_tree, pss_kb, wakeups, woken_between,
};
use herald_tests::dbus::{PrivateBus, Recorder};
use herald_tests::numbered::{NumberedOptions, NumberedServer};
use herald_tests::scenario::Harness;
use herald_tests::tray::TrayHost;

const FEEDS: usize = 20;
const HISTORY: u64 = 10_000;
const WAIT: Duration = Duration::from_secs(60);
const SETTLE: Duration = Duration::from_secs(10);
const IDLE_SPAN: Duration = Duration::from_secs(30);
const STARTS: usize = 3;

fn main() {
    let runtime = herald_tests::bench::runtime();
    let machine = herald_tests::bench::Machine::now();
    let rows = runtime.block_on(run());
    machine.print_report(
        "The desktop app (`cargo bench -p herald-tests --bench desktop`, release build, Xvfb)",
        &rows,
    );
}

/// The settings for 20 feeds, feed `i` at `url(i)`.
fn settings(url: impl Fn(usize) -> String) -> String {
    let feeds: Vec<_> = (0..FEEDS)
        .map(|i| serde_json::json!({"id": format!("feed{i:08}"), "name": format!("Feed {i}"), "url": url(i)}))
        .collect();
    serde_json::json!({"version": 4, "feeds": feeds}).to_string()
}

/// A home with 20 feeds on `quiet` and 10,000 events of history in feed 0, filled by the engine
/// itself from a numbered server.
async fn prepare(quiet: &NumberedServer) -> Home {
    let home = Home::new();
    let history = NumberedServer::start(NumberedOptions {
        total: HISTORY,
        pause_chance: 0.0,
        replay_chance: 0.0,
        burst: 64..=256,
        ..NumberedOptions::default()
    })
    .await;
    home.write_settings(&settings(|i| {
        if i == 0 {
            history.url("/history")
        } else {
            quiet.url(&format!("/quiet{i}"))
        }
    }));
    let mut h = Harness::builder().app_home(&home).start();
    for _ in 0..HISTORY {
        h.next_event().await; // reading the reports keeps the engine going
    }
    let stored = h.engine.count_events(Query::default()).await.unwrap();
    assert_eq!(stored, HISTORY);
    h.engine.shutdown().await.unwrap();
    drop(h);
    home.write_settings(&settings(|i| quiet.url(&format!("/quiet{i}"))));
    home
}

/// The app started for `home` on `bus`, killed on drop if it is still running.
struct Running {
    child: Child,
    home_instance: herald_engine::instance::Paths,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(home: &Home, bus: &PrivateBus, args: &[&str]) -> Running {
        Running::start_with(home, bus, args, &[])
    }

    fn start_with(home: &Home, bus: &PrivateBus, args: &[&str], env: &[(&str, &str)]) -> Running {
        let child = home
            .command()
            .args(args)
            .envs(env.iter().copied())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env(
                "HERALD_DEMO_PORT",
                herald_tests::server::dead_port().to_string(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start herald");
        Running {
            child,
            home_instance: home.instance(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether every feed is live, asked on the control socket.
    async fn all_live(&self) -> bool {
        let feeds: Result<Vec<FeedView>, _> =
            client::call(&self.home_instance.socket, &Request::ListFeeds).await;
        feeds.is_ok_and(|f| {
            f.len() == FEEDS
                && f.iter()
                    .all(|f| matches!(f.status, herald_engine::feed::FeedStatus::Live { .. }))
        })
    }

    async fn quit(mut self) {
        herald_tests::ui::quit(&self.home_instance).await;
        let _ = self.child.wait();
    }
}

/// PSS (MB) of the app's processes by kind: (app, web, network, other), and their sum.
fn memory(root: u32) -> (f64, String) {
    let (mut total, mut parts) = (0u64, std::collections::BTreeMap::<String, u64>::new());
    for pid in process_tree(root) {
        let kb = pss_kb(pid);
        total += kb;
        *parts.entry(process_name(pid)).or_default() += kb;
    }
    let mb = |kb: u64| kb as f64 / 1024.0;
    let parts: Vec<String> = parts
        .iter()
        .map(|(name, kb)| format!("{name} {:.0}", mb(*kb)))
        .collect();
    (mb(total), parts.join(" + "))
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn run() -> Vec<Row> {
    let quiet = NumberedServer::start(NumberedOptions {
        total: 0,
        heartbeat: Duration::from_secs(20),
        ..NumberedOptions::default()
    })
    .await;
    eprintln!("desktop bench: filling {HISTORY} events of history…");
    let home = prepare(&quiet).await;
    let bus = PrivateBus::start();
    let _recorder = Recorder::start(&bus.address).await;
    let tray = TrayHost::start(&bus.address).await;
    let mut rows = Vec::new();

    // 1. Starts.
    let (mut mapped, mut live) = (Vec::new(), Vec::new());
    for n in 0..STARTS {
        eprintln!("desktop bench: start {}…", n + 1);
        let start = Instant::now();
        let app = Running::start(&home, &bus, &[]);
        herald_tests::eventually("the window to map", WAIT, || {
            (herald_tests::x11::count_titled("Herald") == 1).then_some(())
        })
        .await;
        mapped.push(start.elapsed().as_secs_f64());
        herald_tests::eventually_async("every feed live", WAIT, || app.all_live()).await;
        live.push(start.elapsed().as_secs_f64());
        app.quit().await;
    }
    rows.push((
        "start → window mapped".into(),
        format!("{:.2} s", median(mapped.clone())),
        format!("median of {STARTS} starts; {FEEDS} feeds, {HISTORY} stored events (goal ≤ 1 s)"),
    ));
    rows.push((
        "start → all 20 feeds live".into(),
        format!("{:.2} s", median(live)),
        "same starts, asked on the control socket".into(),
    ));

    // 2. Memory open, then closed to the tray; 3. idle while closed.
    let app = Running::start(&home, &bus, &[]);
    herald_tests::eventually_async("every feed live", WAIT, || app.all_live()).await;
    tray.item(WAIT).await;
    tokio::time::sleep(SETTLE).await;
    let (open, open_parts) = memory(app.pid());
    rows.push((
        "memory, window open, idle".into(),
        format!("{open:.0} MB"),
        format!("PSS of every process: {open_parts} (goal ≤ 150 MB)"),
    ));
    assert_eq!(herald_tests::x11::close_titled("Herald"), 1);
    let closing = Instant::now();
    herald_tests::eventually("the web process to end", WAIT, || {
        let web = process_tree(app.pid())
            .into_iter()
            .any(|p| process_name(p).starts_with("WebKitWebProces"));
        (!web).then_some(())
    })
    .await;
    let web_gone = closing.elapsed();
    tokio::time::sleep(SETTLE).await;
    let (closed, closed_parts) = memory(app.pid());
    rows.push((
        "memory, closed to the tray, idle".into(),
        format!("{closed:.0} MB"),
        format!(
            "{closed_parts}; the web process ended {:.1} s after closing, measured {} s later (goal ≤ 40 MB)",
            web_gone.as_secs_f64(),
            SETTLE.as_secs()
        ),
    ));
    let pids = process_tree(app.pid());
    let cpu0: Vec<Duration> = pids.iter().map(|&p| cpu_time(p)).collect();
    let wake0: Vec<_> = pids.iter().map(|&p| wakeups(p)).collect();
    tokio::time::sleep(IDLE_SPAN).await;
    assert_eq!(
        process_tree(app.pid()),
        pids,
        "the same processes throughout"
    );
    let cpu1: Vec<Duration> = pids.iter().map(|&p| cpu_time(p)).collect();
    let wake1: Vec<_> = pids.iter().map(|&p| wakeups(p)).collect();
    let (cpu0, cpu1): (Duration, Duration) = (cpu0.into_iter().sum(), cpu1.into_iter().sum());
    let woken: u64 = wake0
        .iter()
        .zip(&wake1)
        .map(|(before, after)| woken_between(before, after))
        .sum();
    let span = IDLE_SPAN.as_secs_f64();
    rows.push((
        "CPU, closed, 20 quiet feeds".into(),
        format!("{:.2} %", (cpu1 - cpu0).as_secs_f64() / span * 100.0),
        format!("user + system over {span:.0} s, every process (goal ≈ 0 %)"),
    ));
    rows.push((
        "wakeups, closed".into(),
        format!("{:.1} /s", woken as f64 / span),
        "context switches of every thread (keep-alives arrive every 20 s per feed)".into(),
    ));
    app.quit().await;

    // What WebKitGTK offers to spend less, each tried alone.
    for (what, env) in [(
        "window open, WebKit without compositing",
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    )] {
        let app = Running::start_with(&home, &bus, &[], &[env]);
        herald_tests::eventually_async("every feed live", WAIT, || app.all_live()).await;
        tokio::time::sleep(SETTLE).await;
        let (mb, parts) = memory(app.pid());
        rows.push((
            format!("memory, {what}"),
            format!("{mb:.0} MB"),
            format!("{}={}: {parts}", env.0, env.1),
        ));
        app.quit().await;
    }

    // The limits: the shell with no window at all, and an empty WebKitGTK window.
    let app = Running::start(&home, &bus, &["--hidden"]);
    herald_tests::eventually_async("every feed live", WAIT, || app.all_live()).await;
    tokio::time::sleep(SETTLE).await;
    let (hidden, hidden_parts) = memory(app.pid());
    rows.push((
        "limit: the shell, no window ever (`--hidden`)".into(),
        format!("{hidden:.0} MB"),
        hidden_parts,
    ));
    app.quit().await;
    rows.push(empty_webkit_window(None).await);
    rows.push(empty_webkit_window(Some(("WEBKIT_DISABLE_COMPOSITING_MODE", "1"))).await);

    let size = std::fs::metadata(herald_binary()).map_or(0, |m| m.len());
    rows.push((
        "release binary".into(),
        format!("{:.1} MB", size as f64 / 1e6),
        "target/release/herald (the UI embedded)".into(),
    ));
    rows
}

/// An empty WebKitGTK 4.1 window (about:blank) from Python's GObject bindings: what any
/// WebKitGTK app pays for a window before it shows anything.
async fn empty_webkit_window(env: Option<(&str, &str)>) -> Row {
    const SCRIPT: &str = "import gi; gi.require_version('Gtk', '3.0'); \
        gi.require_version('WebKit2', '4.1'); from gi.repository import Gtk, WebKit2; \
        w = Gtk.Window(title='empty'); v = WebKit2.WebView(); w.add(v); \
        v.load_uri('about:blank'); w.show_all(); Gtk.main()";
    let name = match env {
        None => "limit: an empty WebKitGTK window".to_owned(),
        Some((k, v)) => format!("limit: an empty WebKitGTK window, {k}={v}"),
    };
    // Debian's python3, where apt installs python3-gi.
    let Ok(mut child) = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT])
        .envs(env)
        .stderr(Stdio::null())
        .spawn()
    else {
        return (name, "n/a".into(), "python3 not found".into());
    };
    tokio::time::sleep(SETTLE).await;
    let alive = child.try_wait().ok().flatten().is_none();
    let row = if alive && process_tree(child.id()).len() > 1 {
        let (mb, parts) = memory(child.id());
        (
            name,
            format!("{mb:.0} MB"),
            format!("about:blank from python3-gi, every process: {parts}"),
        )
    } else {
        (
            name,
            "n/a".into(),
            "needs python3-gi and gir1.2-webkit2-4.1 (apt)".into(),
        )
    };
    let _ = child.kill();
    let _ = child.wait();
    row
}
