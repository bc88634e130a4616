//! Notifications over real D-Bus: the engine's pipeline, through Herald's desktop notifier, to a
//! recording `org.freedesktop.Notifications` server on a private bus of each test's own — the
//! content and hints, clicks and buttons, replace-by-group, flood control, catch-up, connection
//! alerts, and a service that is not there yet.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use herald_engine::Report;
use herald_engine::feed::{FeedDraft, FeedId};
use herald_engine::notify::rule::{FeedRule, NotifySettings, Sound};
use herald_engine::notify::{APP_NAME, DesktopNotifier, NotifyError};
use herald_tests::dbus::{NotifyCall, PrivateBus, Recorder};
use herald_tests::scenario::{Harness, RecordingOpener};
use herald_tests::server::{Reply, TestServer};

const WAIT: Duration = Duration::from_secs(10);
const ICON: &str = "/tmp/herald-test-icon.png";

/// An engine that notifies on `bus`, opening links through the returned opener.
fn harness(bus: &PrivateBus) -> (Harness, Arc<RecordingOpener>) {
    let opener = Arc::new(RecordingOpener::default());
    let h = Harness::builder()
        .notifier(Arc::new(DesktopNotifier::on_bus(&bus.address, ICON)))
        .opener(opener.clone())
        .start();
    (h, opener)
}

/// An engine notifying on `bus` that starts with one feed, `name` on `server`, under `rule`.
fn with_rule(bus: &PrivateBus, name: &str, server: &TestServer, rule: FeedRule) -> Harness {
    let mut config = FeedDraft {
        name: name.into(),
        url: server.url(),
        ..FeedDraft::default()
    }
    .validate()
    .unwrap();
    config.id = FeedId(format!("{:0<12}", name.to_lowercase()));
    let mut rules = NotifySettings::default();
    rules.feeds.insert(config.id.clone(), rule);
    Harness::builder()
        .notifier(Arc::new(DesktopNotifier::on_bus(&bus.address, ICON)))
        .feeds(vec![config])
        .notifications(rules)
        .start()
}

/// Live events: a comment as the stream opens, then one event per `data` line, each a little
/// over a second after the one before — so none is in the catch-up burst a connection opens with
/// (those are summarised; see the last test).
async fn serve(data: &[&str]) -> TestServer {
    let chunks = std::iter::once(": open\n\n".to_owned())
        .chain(data.iter().map(|d| format!("data: {d}\n\n")))
        .map(String::into_bytes)
        .collect();
    TestServer::always(live(chunks)).await
}

/// A stream of `chunks`, the first at once and the others after the burst window.
fn live(chunks: Vec<Vec<u8>>) -> Reply {
    Reply::stream("")
        .chunked(chunks)
        .paced(Duration::from_millis(1_200))
        .held_open()
}

fn call_with<'a>(calls: &'a [NotifyCall], summary: &str) -> &'a NotifyCall {
    calls
        .iter()
        .find(|c| c.summary == summary)
        .unwrap_or_else(|| panic!("no notification titled {summary:?} in {calls:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ntfy_event_becomes_a_rich_notification_whose_click_and_button_open_links() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (h, opener) = harness(&bus);
    let ntfy = r#"{"id":"k1","time":1700000000,"event":"message","topic":"ops","title":"Disk <b>full</b>","message":"sda1 at 99% & <i>rising</i>","priority":5,"tags":["warning","prod"],"click":"https://grafana.example/d/1","actions":[{"action":"view","label":"Runbook","url":"https://wiki.example/runbook"},{"action":"view","label":"Local","url":"file:///etc/passwd"}]}"#;
    let server = serve(&[ntfy]).await;
    h.add("Ops", &server.url()).await;

    let calls = recorder.wait_for(1, WAIT).await;
    let call = &calls[0];
    assert_eq!(call.app_name, APP_NAME);
    assert_eq!(call.app_icon, ICON);
    assert_eq!(
        call.summary, "⚠️ Disk <b>full</b>",
        "the title is plain text"
    );
    assert_eq!(
        call.body, "sda1 at 99% &amp; &lt;i&gt;rising&lt;/i&gt;",
        "the server reads markup: the body is escaped"
    );
    assert_eq!(call.replaces_id, 0);
    assert_eq!(call.hint("urgency"), Some("2"), "priority 5 is critical");
    assert_eq!(call.hint("desktop-entry"), Some("herald"));
    assert_eq!(call.hint("category"), Some("x-herald.event"));
    assert_eq!(
        call.actions,
        ["default", "Open", "view:0", "Runbook"],
        "a file: link is no button"
    );

    recorder.invoke(call.id, "default").await;
    recorder.invoke(call.id, "view:0").await;
    let opened = herald_tests::eventually("two links opened", WAIT, || {
        let opened = opener.opened();
        (opened.len() == 2).then_some(opened)
    })
    .await;
    assert_eq!(
        opened,
        [
            "https://grafana.example/d/1",
            "https://wiki.example/runbook"
        ]
    );
    // A key that is not Herald's, and an id that is not Herald's, open nothing.
    recorder.invoke(call.id, "view:7").await;
    recorder.invoke(call.id + 100, "default").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(opener.opened().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_without_a_safe_link_brings_herald_forward_on_the_event() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (mut h, opener) = harness(&bus);
    let server = serve(&[
        r#"{"title":"Sneaky","message":"click me","click":"javascript:alert(1)"}"#,
        "plain text <img src=x onerror=alert(1)>",
    ])
    .await;
    let feed = h.add("Web", &server.url()).await;
    let calls = recorder.wait_for(2, WAIT).await;
    let sneaky = call_with(&calls, "Sneaky");
    let plain = call_with(&calls, "Web");
    assert_eq!(plain.body, "plain text &lt;img src=x onerror=alert(1)&gt;");

    recorder.invoke(sneaky.id, "default").await;
    let (got, seq) = h
        .next_matching("activate", |r| match r {
            Report::Activate { feed, seq } => Some((feed, seq)),
            _ => None,
        })
        .await;
    assert_eq!(got, Some(feed.clone()));
    let first = h.engine.recent_events(2).await.unwrap();
    assert_eq!(seq, Some(first[1].seq), "the event that was clicked");
    assert!(
        opener.opened().is_empty(),
        "javascript: is never opened: {:?}",
        opener.opened()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_replaces_itself_on_screen_until_dismissed() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (h, _) = harness(&bus);
    let step = |n: u32, text: &str| {
        format!(r#"{{"title":"Deploy {n}","message":"{text}","sequence_id":"deploy-42"}}"#)
    };
    let (a, b) = (step(1, "started"), step(2, "halfway"));
    let server = serve(&[&a, &b]).await;
    h.add("Ci", &server.url()).await;
    let calls = recorder.wait_for(2, WAIT).await;
    assert_eq!(
        calls[1].replaces_id, calls[0].id,
        "the second replaced the first"
    );
    assert_eq!(calls[1].summary, "Deploy 2");

    // Once the user dismissed it, the group's next event is a new notification.
    recorder.dismiss(calls[1].id).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let c = step(3, "done");
    let second = serve(&[&c]).await;
    h.add("Ci again", &second.url()).await; // another feed: its own group slot
    let calls = recorder.wait_for(3, WAIT).await;
    assert_eq!(calls[2].replaces_id, 0, "another feed's group is its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_1000_events_gives_the_bucket_and_one_summary_updated_in_place() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (h, _) = harness(&bus);
    let body: String = (1..=1000)
        .map(|n| format!("id: {n}\ndata: build {n}\n\n"))
        .collect();
    let chunks = vec![b": open\n\n".to_vec(), body.into_bytes()];
    let server = TestServer::always(live(chunks)).await;
    h.add("Builds", &server.url()).await;
    let calls = herald_tests::eventually("all 1000 accounted for", Duration::from_secs(20), || {
        let calls = recorder.calls();
        let singles = calls.iter().filter(|c| c.summary == "Builds").count();
        let more = calls
            .iter()
            .rev()
            .find_map(|c| c.summary.strip_suffix(" more from Builds"))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        (singles + more == 1000).then_some(calls)
    })
    .await;
    let summary_ids: BTreeSet<u32> = calls
        .iter()
        .filter(|c| c.summary.ends_with(" more from Builds"))
        .map(|c| c.id)
        .collect();
    assert_eq!(
        summary_ids.len(),
        1,
        "one summary, updated in place: {calls:#?}"
    );
    let singles = calls.iter().filter(|c| c.summary == "Builds").count();
    assert!(
        (5..=7).contains(&singles),
        "the bucket's 5 (and what refilled during the burst): {singles}"
    );
    assert_eq!(
        calls[..5]
            .iter()
            .map(|c| c.body.as_str())
            .collect::<Vec<_>>(),
        ["build 1", "build 2", "build 3", "build 4", "build 5"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notification_service_herald_says_so_and_shows_what_it_missed_once_one_appears() {
    let bus = PrivateBus::start();
    let (mut h, _) = harness(&bus);
    let tested = h.engine.send_test_notification().await.unwrap();
    assert_eq!(tested, Err(NotifyError::NoService));
    let health = h.engine.notification_health().await.unwrap();
    assert!(
        health
            .problem
            .as_deref()
            .unwrap()
            .contains("no notification service"),
        "{health:?}"
    );
    let server = serve(&["while nobody listened"]).await;
    h.add("Early", &server.url()).await;
    let notice = h
        .next_matching("a notice", |r| match r {
            Report::Notice(notice) => Some(notice),
            _ => None,
        })
        .await;
    assert!(
        notice
            .message
            .contains("no notification service is running"),
        "{}",
        notice.message
    );

    // The service starts: what could not be shown is shown now, without a new event.
    let recorder = Recorder::start(&bus.address).await;
    let calls = recorder.wait_for(1, WAIT).await;
    assert_eq!(
        (calls[0].summary.as_str(), calls[0].body.as_str()),
        ("Early", "while nobody listened")
    );
    assert_eq!(h.engine.send_test_notification().await.unwrap(), Ok(()));
    assert_eq!(h.engine.notification_health().await.unwrap().problem, None);
    let calls = recorder.wait_for(2, WAIT).await;
    assert_eq!(calls[1].summary, "Herald test notification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_connection_opens_with_is_one_catch_up_summary() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (h, _) = harness(&bus);
    let body: String = (1..=300)
        .map(|n| format!("id: {n}\ndata: missed {n}\n\n"))
        .collect();
    let server = TestServer::always(Reply::stream(body).held_open()).await;
    h.add("Builds", &server.url()).await;
    let calls = recorder.wait_for(1, WAIT).await;
    assert_eq!(
        calls[0].summary,
        "300 events from Builds while you were away"
    );
    assert_eq!(
        calls[0].body,
        "missed 300\nmissed 299\nmissed 298\n…and 297 more"
    );
    assert_eq!(calls[0].hint("category"), Some("x-herald.summary"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(recorder.calls().len(), 1, "one summary, not one per event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_that_went_down_says_so_once_and_the_same_notification_says_it_is_back() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    // Down for its first three requests, then live.
    let server = TestServer::start(|n, _| match n {
        0..=2 => Reply::status(503, "maintenance"),
        _ => Reply::stream(": up\n\n").held_open(),
    })
    .await;
    let alert_at_once = FeedRule {
        connection_alert_mins: Some(0), // (10 by default: a test cannot wait that long)
        ..FeedRule::default()
    };
    let _h = with_rule(&bus, "Flaky", &server, alert_at_once);

    let calls = recorder.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(calls[0].summary, "Flaky is unreachable");
    assert!(calls[0].body.contains("503"), "{}", calls[0].body);
    assert_eq!(calls[0].hint("urgency"), Some("0"), "low urgency");
    assert_eq!(calls[0].hint("category"), Some("network.disconnected"));
    assert_eq!(calls[1].summary, "Flaky is back");
    assert_eq!(calls[1].replaces_id, calls[0].id, "the same notification");
    assert_eq!(calls[1].hint("category"), Some("network.connected"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recorder.calls().len(), 2, "said once per outage");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_rule_keeps_an_event_from_notifying_but_not_from_the_timeline() {
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let server = serve(&["Nightly build passed", "deploy done"]).await;
    let quiet_nightlies = FeedRule {
        silence: vec!["NIGHTLY".into()],
        sound: Sound::None,
        ..FeedRule::default()
    };
    let mut h = with_rule(&bus, "Ci", &server, quiet_nightlies);

    let silenced = h
        .next_matching("the silenced report", |r| match r {
            Report::Silenced(seqs) => Some(seqs),
            _ => None,
        })
        .await;
    let calls = recorder.wait_for(1, WAIT).await;
    assert_eq!(calls[0].body, "deploy done");
    assert_eq!(
        calls[0].hint("suppress-sound"),
        Some("true"),
        "the feed's sound: none"
    );
    assert_eq!(calls[0].hint("sound-name"), None);
    let stored = h.engine.recent_events(2).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|e| (e.data.as_str(), e.silenced))
            .collect::<Vec<_>>(),
        [("deploy done", false), ("Nightly build passed", true)],
        "both stored, the silenced one marked"
    );
    assert_eq!(silenced, [stored[1].seq]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recorder.calls().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_for_every_feed_stores_but_does_not_notify_until_it_is_turned_off() {
    use herald_engine::engine::MuteFor;
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let server = serve(&["while quiet", "after quiet"]).await;
    let mut h = with_rule(&bus, "Ops", &server, FeedRule::default());
    // Before the first event (a little over a second after the stream opens).
    h.engine.mute_all(MuteFor::Hour).await.unwrap();
    let first = h.next_event().await;
    assert_eq!(first.data, "while quiet");
    h.engine.mute_all(MuteFor::Off).await.unwrap();
    let second = h.next_event().await;
    assert_eq!(second.data, "after quiet");
    let calls = recorder.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bodies: Vec<String> = recorder.calls().into_iter().map(|c| c.body).collect();
    assert_eq!(bodies, ["after quiet"], "{calls:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn herald_tells_the_user_something_past_every_rule() {
    use herald_engine::engine::MuteFor;
    let bus = PrivateBus::start();
    let recorder = Recorder::start(&bus.address).await;
    let (h, _opener) = harness(&bus);
    h.engine.mute_all(MuteFor::Forever).await.unwrap();
    let told = h
        .engine
        .tell("Herald is still running".into(), "In the tray.".into())
        .await
        .unwrap();
    assert_eq!(told, Ok(()));
    let calls = recorder.wait_for(1, WAIT).await;
    let call = call_with(&calls, "Herald is still running");
    assert_eq!(call.body, "In the tray.");
    assert_eq!(call.app_name, APP_NAME);
}
