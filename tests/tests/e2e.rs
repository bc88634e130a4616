//! End to end: the real app in a real window (Xvfb), driven by WebDriver, with notifications
//! recorded on a private D-Bus. Run by the test command's end-to-end stage:
//! `xvfb-run cargo test -p herald-tests --test e2e -- --ignored --test-threads=1`.

use std::path::PathBuf;
use std::time::Duration;

use herald_tests::app::{Home, herald_binary};
use herald_tests::dbus::{PrivateBus, Recorder};
use herald_tests::server::{Reply, TestServer, dead_port};
use herald_tests::webdriver::{Driver, Session};
use serde_json::Value;

/// Generous: a loaded CI machine can take a while to start WebKit.
const WAIT: Duration = Duration::from_secs(60);

/// Everything one app run needs: a home, a private bus with a recorder, a driver, a session.
struct App {
    session: Session,
    recorder: Recorder,
    _driver: Driver,
    _bus: PrivateBus,
}

impl App {
    async fn launch(home: &Home) -> App {
        let bus = PrivateBus::start();
        let recorder = Recorder::start(&bus.address).await;
        let demo_port = dead_port().to_string();
        let mut env: Vec<(&str, std::ffi::OsString)> = home
            .env()
            .into_iter()
            .map(|(k, v)| (k, v.into_os_string()))
            .collect();
        env.push(("DBUS_SESSION_BUS_ADDRESS", bus.address.clone().into()));
        env.push(("HERALD_DEMO_PORT", demo_port.into()));
        let env: Vec<(&str, &std::ffi::OsStr)> =
            env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        let driver = Driver::start(&env).await;
        let session = driver.session(&herald_binary()).await;
        App {
            session,
            recorder,
            _driver: driver,
            _bus: bus,
        }
    }

    /// Ends the session (the app quits), then stops the driver and the bus.
    async fn close(self) {
        self.session.close().await;
    }

    /// Rows of the timeline as [feed, type, data, id], newest first.
    async fn timeline(&self) -> Vec<[String; 4]> {
        let rows = self
            .session
            .script(
                "return Array.from(document.querySelectorAll('#timeline .event-row')).map(r => \
                 ['.event-feed', '.event-type', '.event-data', '.event-id']\
                 .map(c => r.querySelector(c).textContent));",
            )
            .await;
        serde_json::from_value(rows).expect("rows of four strings")
    }

    async fn wait_for_rows(&self, n: usize) -> Vec<[String; 4]> {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let rows = self.timeline().await;
            if rows.len() >= n {
                return rows;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{n} timeline rows expected, have {rows:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn feed_state(&self) -> Value {
        self.session
            .script("const s = document.querySelector('#feed-list .feed-item .feed-status'); return s && [s.dataset.state, s.textContent];")
            .await
    }

    async fn screenshot(&self, name: &str) {
        // Let the last DOM change paint before a picture meant for people.
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.session.screenshot(&screenshot_dir().join(name)).await;
    }
}

fn screenshot_dir() -> PathBuf {
    herald_binary().parent().unwrap().join("e2e")
}

/// Three live events, each a little over a second after the last: none is in the catch-up
/// burst a connection opens with (that would be one summary), so each is notified.
fn three_events() -> Reply {
    Reply::stream("")
        .chunked(vec![
            b": welcome\n\n".to_vec(),
            b"data: first event\n\n".to_vec(),
            b"event: deploy\nid: 2\ndata: api v2 is live\ndata: in eu-west\n\n".to_vec(),
            b"id: 3\ndata: third <b>not bold</b>\n\n".to_vec(),
        ])
        .paced(Duration::from_millis(1_200))
        .held_open()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn journey_settings_to_timeline_and_notifications() {
    // A server that resumes: after Last-Event-ID 3 it has nothing new.
    let server = TestServer::start(|_, request| match request.header("last-event-id") {
        Some("3") => Reply::stream(": up to date\n\n").held_open(),
        _ => three_events(),
    })
    .await;
    let home = Home::new();
    home.write_settings(r#"{"version": 1, "feeds": []}"#); // not a first run: no demo feed
    let app = App::launch(&home).await;
    let s = &app.session;

    s.click(&s.find("#open-settings", WAIT).await).await;
    let name = s.find("#feed-name", WAIT).await;
    let url = s.find("#feed-url", WAIT).await;
    let headers = s.find("#feed-headers", WAIT).await;
    let save = s.find("#feed-save", WAIT).await;

    // An invalid URL gets a field error and is not saved.
    s.type_into(&name, "E2E feed").await;
    s.type_into(&url, "not a url").await;
    s.click(&save).await;
    let error = s.find("#feed-url-error", WAIT).await;
    herald_tests::eventually_async("a URL error", WAIT, || async {
        !s.text(&error).await.is_empty()
    })
    .await;
    assert!(s.text(&error).await.contains("not a valid URL"));
    assert_eq!(
        s.script("return document.querySelectorAll('#feed-list .feed-item').length")
            .await,
        0
    );
    assert!(
        !std::fs::read_to_string(home.settings_file())
            .unwrap()
            .contains("not a url")
    );

    // A valid one is saved, connects and goes live. Editing the URL clears its error at the
    // next frame, which moves the button up: wait for that, as a person would see it, so the
    // click does not land where the button was (it did once, in a cold CI run).
    s.type_into(&url, &server.url()).await;
    herald_tests::eventually_async("the URL error to clear", WAIT, || async {
        s.text(&error).await.is_empty()
    })
    .await;
    s.type_into(&headers, "Authorization: Bearer e2e-token")
        .await;
    s.click(&save).await;
    s.find("#feed-list .feed-item", WAIT).await;
    herald_tests::eventually_async("the feed to be live", WAIT, || async {
        let state = app.feed_state().await;
        state[0] == "live"
    })
    .await;
    app.screenshot("settings.png").await;

    s.click(&s.find("#open-timeline", WAIT).await).await;
    let rows = app.wait_for_rows(3).await;
    let want = [
        ["E2E feed", "message", "third <b>not bold</b>", "3"],
        ["E2E feed", "deploy", "api v2 is live\nin eu-west", "2"],
        ["E2E feed", "message", "first event", ""],
    ];
    assert_eq!(rows, want.map(|r| r.map(str::to_owned)));
    let bold = s
        .script("return document.querySelectorAll('#timeline b').length")
        .await;
    assert_eq!(bold, 0, "event data is text, never markup");

    let calls = app.recorder.wait_for(3, WAIT).await;
    let got: Vec<_> = calls
        .iter()
        .map(|c| (c.app_name.as_str(), c.summary.as_str(), c.body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Herald", "E2E feed", "first event"),
            ("Herald", "E2E feed · deploy", "api v2 is live\nin eu-west"),
            ("Herald", "E2E feed", "third &lt;b&gt;not bold&lt;/b&gt;"),
        ]
    );
    assert!(
        calls
            .iter()
            .all(|c| c.hint("desktop-entry") == Some("herald")),
        "{calls:?}"
    );
    // "Send a test notification", as the settings screen will call it.
    s.script("window.__TAURI__.core.invoke('send_test_notification'); return true")
        .await;
    let tested = app.recorder.wait_for(4, WAIT).await;
    assert_eq!(tested[3].summary, "Herald test notification");
    // A click on a notification without a link brings the window to that event.
    s.click(&s.find("#open-settings", WAIT).await).await;
    app.recorder.invoke(calls[1].id, "default").await;
    herald_tests::eventually_async("the clicked event selected", WAIT, || async {
        s.script(
            "const r = document.querySelector('#timeline .event-row.selected .event-data'); \
             return r && r.textContent",
        )
        .await
            == Value::String("api v2 is live\nin eu-west".into())
    })
    .await;
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer e2e-token")
    );
    app.screenshot("timeline.png").await;
    app.close().await;

    // Quit and restart: the feed is still there and Herald reconnects to it.
    let saved = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(
        saved.contains(&server.url()) && saved.contains("E2E feed"),
        "{saved}"
    );
    let app = App::launch(&home).await;
    app.session
        .click(&app.session.find("#open-settings", WAIT).await)
        .await;
    herald_tests::eventually_async("the feed to be live", WAIT, || async {
        let state = app.feed_state().await;
        state[0] == "live"
    })
    .await;
    assert_eq!(server.requests().len(), 2, "one request per run");
    assert_eq!(
        server.requests()[1].header("last-event-id"),
        Some("3"),
        "it resumed where the first run stopped"
    );
    // The history came back from the store, once: nothing was lost or shown twice, and no
    // notification repeated.
    app.session
        .click(&app.session.find("#open-timeline", WAIT).await)
        .await;
    let rows = app.wait_for_rows(3).await;
    assert_eq!(rows, want.map(|r| r.map(str::to_owned)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.recorder.calls().is_empty(),
        "{:?}",
        app.recorder.calls()
    );
    app.screenshot("timeline-after-restart.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn first_run_shows_the_demo_feed_with_notifications() {
    let home = Home::new(); // no settings file: a first run
    let app = App::launch(&home).await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(rows[0][0], "Herald demo");
    assert_eq!(rows[0][3], "1");
    // The demo speaks ntfy's JSON: its notifications have titles, emoji tags and a link.
    let calls = app.recorder.wait_for(1, WAIT).await;
    assert_eq!(calls[0].summary, "💬 New comment");
    assert!(calls[0].body.contains("Dana replied"), "{}", calls[0].body);
    assert_eq!(calls[0].actions[..2], ["default", "Open"]);
    app.screenshot("first-run.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn corrupt_settings_are_moved_aside_and_the_user_is_told() {
    let home = Home::new();
    home.write_settings("{ \"version\": 1, \"feeds\": [ oops");
    let app = App::launch(&home).await;
    let notice = app.session.find("#notices .notice", WAIT).await;
    let text = app.session.text(&notice).await;
    assert!(text.contains("could not be read"), "{text}");
    let aside: Vec<_> = std::fs::read_dir(home.settings_file().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("settings.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the corrupt file is kept");
    assert!(text.contains(&aside[0]), "the notice says where: {text}");
    let kept = std::fs::read_to_string(home.settings_file().with_file_name(&aside[0])).unwrap();
    assert_eq!(kept, "{ \"version\": 1, \"feeds\": [ oops");
    // Herald started: the settings screen works.
    app.session
        .click(&app.session.find("#open-settings", WAIT).await)
        .await;
    app.session.find("#feed-form", WAIT).await;
    app.screenshot("corrupt-settings.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn older_events_come_from_the_store_on_demand() {
    use herald_tests::numbered::{NumberedOptions, NumberedServer};
    let server = NumberedServer::start(NumberedOptions {
        total: 650,
        replay_chance: 0.0,
        ..NumberedOptions::default()
    })
    .await;
    let home = Home::new();
    home.write_settings(&format!(
        r#"{{"version": 2, "feeds": [{{"id": "older000001", "name": "Many", "url": "{}"}}]}}"#,
        server.url("/many")
    ));
    let app = App::launch(&home).await;
    let s = &app.session;
    // Live batches keep the newest 500 on screen; the rest stay in the store, a page away.
    let rows = app.wait_for_rows(500).await;
    assert_eq!(rows[0][3], "650");
    let older = s.find("#timeline-older", WAIT).await;
    herald_tests::eventually_async("all 650 stored and the button offered", WAIT, || async {
        std::fs::metadata(home.store_file()).is_ok() && s.text(&older).await == "Show older events"
    })
    .await;
    s.click(&older).await;
    let rows = app.wait_for_rows(650).await;
    assert_eq!(
        rows[649][3], "1",
        "the oldest event, paged in from the store"
    );
    let ids: Vec<u64> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=650).rev().collect::<Vec<_>>(),
        "each once, newest first"
    );
    herald_tests::eventually_async("the button to go once nothing is older", WAIT, || async {
        s.script("return document.getElementById('timeline-older').hidden")
            .await
            == Value::Bool(true)
    })
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn the_cli_reaches_the_running_app_and_a_second_launch_hands_over() {
    let server =
        TestServer::always(Reply::stream("id: 1\ndata: via the cli\n\n").held_open()).await;
    let home = Home::new();
    home.write_settings(r#"{"version": 2, "feeds": []}"#);
    let app = App::launch(&home).await;
    let s = &app.session;
    s.click(&s.find("#open-settings", WAIT).await).await;
    s.find("#feed-form", WAIT).await;

    // `herald feeds add` while the app runs: the window shows the feed, live, at once.
    let url = server.url();
    herald_tests::app::assert_success(&home.run(&["feeds", "add", "From the CLI", &url]).await);
    herald_tests::eventually_async("the CLI's feed in the window", Duration::from_secs(5), || async {
        s.script("const n = document.querySelector('#feed-list .feed-item .feed-name'); return n && n.textContent")
            .await
            == Value::String("From the CLI".into())
    })
    .await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(rows[0][2], "via the cli");
    let listed = home.run(&["feeds", "list", "--json"]).await;
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["state"], "live");

    // A second launch asks the first to show itself and exits at once.
    let mut second = home.command();
    second.env_remove("DBUS_SESSION_BUS_ADDRESS");
    let stderr = herald_tests::app::assert_success(&herald_tests::app::output(second).await);
    assert!(stderr.contains("already running"), "{stderr}");
    assert_eq!(
        server.requests().len(),
        1,
        "the second launch ran no feeds of its own"
    );
    app.close().await;
}
