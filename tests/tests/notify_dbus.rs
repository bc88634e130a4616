//! Notifications over real D-Bus: Herald's desktop notifier talks to a recording
//! `org.freedesktop.Notifications` server on a private session bus.
//!
//! This file holds one test on purpose: it points `DBUS_SESSION_BUS_ADDRESS` of this test
//! process at the private bus, which must happen before any other thread reads the environment.

use std::sync::Arc;
use std::time::Duration;

use herald_engine::feed::FeedDraft;
use herald_engine::notify::{APP_NAME, DesktopNotifier, Notification, Notifier};
use herald_tests::dbus::{PrivateBus, Recorder};
use herald_tests::scenario::Harness;
use herald_tests::server::{Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_notifier_sends_notify_calls_over_dbus() {
    let bus = PrivateBus::start();
    // SAFETY: the only test in this binary sets it before starting anything that reads the
    // environment (notify-rust reads it when it connects).
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let recorder = Recorder::start(&bus.address).await;

    // The notifier alone…
    let direct = Notification {
        summary: "Direct".into(),
        body: "straight to the bus".into(),
    };
    tokio::task::spawn_blocking(move || DesktopNotifier.show(&direct))
        .await
        .unwrap()
        .unwrap();
    let calls = recorder.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(calls[0].app_name, APP_NAME);
    assert_eq!(
        (calls[0].summary.as_str(), calls[0].body.as_str()),
        ("Direct", "straight to the bus")
    );

    // …and the whole path: a feed's events through the engine's policy onto the bus.
    let server = TestServer::always(
        Reply::stream("event: deploy\ndata: api is live\n\ndata: plain message\n\n").held_open(),
    )
    .await;
    let h = Harness::builder()
        .notifier(Arc::new(DesktopNotifier))
        .start();
    let draft = FeedDraft {
        name: "Ops".into(),
        url: server.url(),
        headers: String::new(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let calls = recorder.wait_for(3, Duration::from_secs(10)).await;
    let got: Vec<_> = calls[1..]
        .iter()
        .map(|c| (c.app_name.as_str(), c.summary.as_str(), c.body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Herald", "Ops · deploy", "api is live"),
            ("Herald", "Ops", "plain message")
        ]
    );
}
