//! Figures for BENCHMARKS.md: `cargo bench -p herald-tests --bench notify` prints a markdown table.
//!
//! Measured, never asserted, through the whole path — server write → parser → store commit →
//! pipeline → D-Bus `Notify` on a recording notification server on a private bus:
//! 1. Latency, p50 / p99, over paced live events (flood limits lifted, so every event is shown).
//!    Next to it, its limit: `Notify` round trips on the same bus with nothing else.
//! 2. A 10,000-event burst with the default limits: how many `Notify` calls it made (the goal is
//!    the bucket's 5 plus one summary updated in place), and when the last event was stored.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_engine::Report;
use herald_engine::notify::rule::{FloodLimits, NotifySettings};
use herald_engine::notify::{DesktopNotifier, Notification, Notifier};
use herald_tests::bench::{Row, paced_server, quantile_ms};
use herald_tests::dbus::{PrivateBus, Recorder};
use herald_tests::scenario::Harness;

const LATENCY_EVENTS: u64 = 500;
const LATENCY_PACE: Duration = Duration::from_millis(10);
const BURST: u64 = 10_000;
/// After the catch-up window a connection opens with: what follows is live.
const AFTER_BURST_WINDOW: Duration = Duration::from_millis(1_200);

fn main() {
    let runtime = herald_tests::bench::runtime();
    let machine = herald_tests::bench::Machine::now();
    let mut rows = Vec::new();
    eprintln!("notify bench: latency over {LATENCY_EVENTS} events…");
    rows.push(runtime.block_on(latency()));
    eprintln!("notify bench: the bus alone…");
    rows.push(runtime.block_on(bus_alone()));
    eprintln!("notify bench: a burst of {BURST} events…");
    rows.extend(runtime.block_on(burst()));
    machine.print_report(
        "Notifications (`cargo bench -p herald-tests --bench notify`)",
        &rows,
    );
}

fn engine_on(bus: &PrivateBus, rules: NotifySettings) -> Harness {
    Harness::builder()
        .notifier(Arc::new(DesktopNotifier::on_bus(&bus.address, "")))
        .notifications(rules)
        .start()
}

async fn latency() -> Row {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let unlimited = NotifySettings {
        flood: FloodLimits {
            feed_burst: 1_000_000,
            feed_window_secs: 1,
            global_per_minute: 1_000_000,
        },
        ..NotifySettings::default()
    };
    let h = engine_on(&bus, unlimited);
    let url = paced_server(LATENCY_EVENTS, LATENCY_PACE, AFTER_BURST_WINDOW, |n| {
        format!("id: {n}\ndata: {}\n\n", herald_tests::wall_us())
    })
    .await;
    h.add("latency", &url).await;
    let calls = recorder
        .wait_for(LATENCY_EVENTS as usize, Duration::from_secs(120))
        .await;
    let mut delays: Vec<u64> = calls
        .iter()
        .map(|c| c.at_us.saturating_sub(c.body.parse::<u64>().unwrap()))
        .collect();
    delays.sort_unstable();
    let at = |q| quantile_ms(&delays, q);
    (
        "latency, server write → `Notify` on the bus".into(),
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(0.5),
            at(0.99),
            at(1.0)
        ),
        format!(
            "{LATENCY_EVENTS} live events, 1 per {} ms, through the store; flood limits lifted",
            LATENCY_PACE.as_millis()
        ),
    )
}

/// The limit under the latency: `Notify` round trips on the same private bus, sent straight
/// through Herald's notifier (no feed, store or pipeline).
async fn bus_alone() -> Row {
    let bus = PrivateBus::start();
    let _recorder = Recorder::start(&bus.address).await;
    let notifier = DesktopNotifier::on_bus(&bus.address, "");
    let mut took = Vec::with_capacity(LATENCY_EVENTS as usize);
    for n in 0..=LATENCY_EVENTS {
        let start = Instant::now();
        notifier
            .show(Notification::plain("bench", n.to_string()), 0)
            .await
            .expect("Notify");
        if n > 0 {
            took.push(start.elapsed().as_micros() as u64); // the first one also connects
        }
    }
    took.sort_unstable();
    let at = |q| quantile_ms(&took, q);
    (
        "limit: one `Notify` round trip on the bus".into(),
        format!("p50 {:.2} ms, p99 {:.2} ms", at(0.5), at(0.99)),
        format!("{LATENCY_EVENTS} calls in a row from the notifier, nothing else"),
    )
}

async fn burst() -> Vec<Row> {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let mut h = engine_on(&bus, NotifySettings::default());
    let url = paced_server(BURST, Duration::ZERO, AFTER_BURST_WINDOW, |n| {
        format!("id: {n}\ndata: build {n} passed\n\n")
    })
    .await;
    h.add("Builds", &url).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut first: Option<Instant> = None;
    let mut stored = 0;
    while stored < BURST {
        match h.next_report(deadline).await {
            Some(Report::Event(_)) => {
                first.get_or_insert_with(Instant::now);
                stored += 1;
            }
            Some(_) => {}
            None => panic!("{stored} of {BURST} events at the deadline"),
        }
    }
    let took = first.unwrap().elapsed();
    // The summary follows within its 2 s; give it time, and any update after it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let calls = recorder.calls();
    let singles = calls.iter().filter(|c| c.summary == "Builds").count();
    let summaries: Vec<_> = calls
        .iter()
        .filter(|c| c.summary.ends_with(" more from Builds"))
        .collect();
    let ids: BTreeSet<u32> = summaries.iter().map(|c| c.id).collect();
    vec![
        (
            format!("{BURST}-event burst: `Notify` calls"),
            format!(
                "{} ({singles} events + {} summary call(s) on {} notification)",
                calls.len(),
                summaries.len(),
                ids.len()
            ),
            "default limits (5 per 10 s per feed, 20 per minute); goal: bucket + 1 summary".into(),
        ),
        (
            format!("{BURST}-event burst: first to last event stored"),
            format!("{} ms", took.as_millis()),
            "one write of 10,000 events, live (after the catch-up window)".into(),
        ),
    ]
}
