//! End to end: the real app in a real window (Xvfb), driven by WebDriver, with notifications
//! recorded on a private D-Bus. Run by the test command's end-to-end stage:
//! `xvfb-run cargo test --workspace -- --ignored --test-threads=1`.

use std::time::Duration;

use herald_tests::app::Home;
use herald_tests::server::{Reply, TestServer};
use herald_tests::ui::{App, Row, WAIT};
use serde_json::Value;

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

/// The rows the journey's feed shows, newest first, under the feed name `feed`.
fn journey_rows(feed: &str) -> Vec<Row> {
    let row = |kind: &str, text: &str, id: &str| Row {
        feed: feed.into(),
        kind: kind.into(),
        text: text.into(),
        id: id.into(),
        // Untitled data is titled as its notification: the feed, and a type other than message.
        title: if kind == "message" {
            feed.into()
        } else {
            format!("{feed} · {kind}")
        },
    };
    vec![
        row("message", "third <b>not bold</b>", "3"),
        row("deploy", "api v2 is live in eu-west", "2"),
        row("message", "first event", ""),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn journey_add_test_save_read_search_edit_restart_delete() {
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

    // The editor: an invalid URL gets a field error and is not saved.
    app.click("#add-feed").await;
    app.type_into("#feed-name", "E2E feed").await;
    app.type_into("#feed-url", "not a url").await;
    app.click("#feed-save").await;
    let error = app
        .wait_text("#feed-url-error", "a URL error", |t| !t.is_empty())
        .await;
    assert!(error.contains("not a valid URL"), "{error}");
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

    // A valid URL and a header; Test connects once and shows what came.
    app.type_into("#feed-url", &server.url()).await;
    app.wait_text("#feed-url-error", "the URL error to clear", str::is_empty)
        .await;
    app.type_into(".header-row .header-name", "Authorization")
        .await;
    app.type_into(".header-row .header-value", "Bearer e2e-token")
        .await;
    app.click("#feed-test").await;
    let tested = app
        .wait_text("#feed-test-result .test-title", "the test's result", |t| {
            t.starts_with("Connected")
        })
        .await;
    assert!(tested.contains("event"), "{tested}");
    assert_eq!(
        app.text_of("#feed-test-result .test-data").await.as_deref(),
        Some("first event")
    );
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer e2e-token"),
        "the test sends the feed's headers"
    );
    app.screenshot("editor.png").await;

    // Saved: the timeline shows the feed, live, with its events as text, never markup.
    app.click("#feed-save").await;
    app.wait_text("#timeline-title", "the feed's timeline", |t| {
        t == "E2E feed"
    })
    .await;
    app.wait_live("E2E feed").await;
    let rows = app.wait_for_rows(3).await;
    assert_eq!(rows, journey_rows("E2E feed"));
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
    app.wait_text("#feed-list .unread-badge", "3 unread", |t| t == "3")
        .await;

    // Settings: "Send a test notification".
    app.click("#open-settings").await;
    app.click("#send-test").await;
    let tested = app.recorder.wait_for(4, WAIT).await;
    assert_eq!(tested[3].summary, "Herald test notification");
    app.wait_text("#outcome-test", "the test's outcome", |t| {
        t.starts_with("Sent")
    })
    .await;

    // A click on a notification without a link brings the window to that event, opened;
    // opening it marks it read.
    app.recorder.invoke(calls[1].id, "default").await;
    app.wait_text(
        "#timeline .event-row.selected .event-data",
        "the clicked event selected",
        |t| t == "api v2 is live in eu-west",
    )
    .await;
    assert_eq!(
        app.text_of("#detail-raw").await.as_deref(),
        Some("api v2 is live\nin eu-west")
    );
    app.wait_text("#feed-list .unread-badge", "2 unread", |t| t == "2")
        .await;
    app.click("#mark-all-read").await;
    herald_tests::eventually_async("no unread left", WAIT, || async {
        s.script("return document.querySelector('#feed-list .unread-badge').hidden")
            .await
            == Value::Bool(true)
    })
    .await;

    // Search runs in the store and marks what matched.
    app.search("west").await;
    app.wait_text("#timeline-count", "one match", |t| t == "1 match")
        .await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].id, "2");
    assert_eq!(
        app.text_of("#timeline .event-row mark").await.as_deref(),
        Some("west")
    );
    app.search("").await;
    app.wait_text("#timeline-count", "every event again", |t| t == "3 events")
        .await;

    // Edit: rename; the saved header is kept (masked), the history stays.
    app.click("#edit-feed").await;
    app.wait_text("#editor-title", "the editor", |t| t == "Edit E2E feed")
        .await;
    let placeholder = s
        .script("return document.querySelector('.header-row .header-value').placeholder")
        .await;
    assert!(
        placeholder.as_str().unwrap().contains("saved"),
        "{placeholder}"
    );
    app.type_into("#feed-name", "E2E renamed").await;
    app.click("#feed-save").await;
    app.wait_text("#timeline-title", "the renamed feed", |t| {
        t == "E2E renamed"
    })
    .await;
    app.wait_live("E2E renamed").await;
    herald_tests::eventually_async("the history under the new name", WAIT, || async {
        app.rows().await == journey_rows("E2E renamed")
    })
    .await;
    let last = server.requests().last().cloned().unwrap();
    assert_eq!(
        last.header("authorization"),
        Some("Bearer e2e-token"),
        "the secret was kept"
    );
    assert_eq!(
        last.header("last-event-id"),
        Some("3"),
        "an edit resumes, it does not start over"
    );
    app.screenshot("timeline.png").await;

    // Settings that survive a restart: the theme and quiet hours.
    app.click("#open-settings").await;
    app.click("input[name=theme][value=dark]").await;
    app.wait_text("#outcome-appearance", "the theme saved", |t| t == "Saved.")
        .await;
    app.click("#quiet-on").await;
    app.click("#save-quiet").await;
    app.wait_text("#outcome-quiet", "quiet hours saved", |t| t == "Saved.")
        .await;
    app.close().await;

    // Quit and restart: the feed is still there and Herald resumes it; history comes back
    // from the store, once; no notification repeats; the settings are as they were.
    let saved = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(
        saved.contains(&server.url()) && saved.contains("E2E renamed"),
        "{saved}"
    );
    let before = server.requests().len();
    let app = App::launch(&home).await;
    let s = &app.session;
    app.wait_live("E2E renamed").await;
    assert_eq!(server.requests().len(), before + 1, "one request per run");
    assert_eq!(
        server.requests().last().unwrap().header("last-event-id"),
        Some("3"),
        "it resumed where the first run stopped"
    );
    let rows = app.wait_for_rows(3).await;
    assert_eq!(rows, journey_rows("E2E renamed"));
    assert_eq!(
        s.script("return document.documentElement.dataset.theme")
            .await,
        "dark"
    );
    app.click("#open-settings").await;
    herald_tests::eventually_async("quiet hours on, as saved", WAIT, || async {
        s.script("return document.getElementById('quiet-on').checked")
            .await
            == true
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.recorder.calls().is_empty(),
        "{:?}",
        app.recorder.calls()
    );

    // Delete, after a confirmation: the feed and its events go.
    app.open_feed("E2E renamed").await;
    app.click("#edit-feed").await;
    app.click("#feed-delete").await;
    app.wait_text("#delete-question", "the question", |t| {
        t.contains("E2E renamed")
    })
    .await;
    app.click("#delete-yes").await;
    herald_tests::eventually_async("the feed gone", WAIT, || async {
        s.script("return document.querySelectorAll('#feed-list .feed-item').length")
            .await
            == 0
    })
    .await;
    app.wait_text("#timeline-empty-title", "the first-run state", |t| {
        t == "Welcome to Herald"
    })
    .await;
    let saved = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(!saved.contains(&server.url()), "{saved}");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn first_run_shows_the_demo_feed_with_notifications() {
    let home = Home::new(); // no settings file: a first run
    let app = App::launch(&home).await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(rows[0].feed, "Herald demo");
    assert_eq!(rows[0].id, "1");
    // The demo speaks ntfy's JSON: rows and notifications show its title, tags and link.
    assert_eq!(rows[0].title, "💬 New comment");
    let calls = app.recorder.wait_for(1, WAIT).await;
    assert_eq!(calls[0].summary, "💬 New comment");
    assert!(calls[0].body.contains("Dana replied"), "{}", calls[0].body);
    assert_eq!(calls[0].actions[..2], ["default", "Open"]);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn corrupt_settings_are_moved_aside_and_the_user_is_told() {
    let home = Home::new();
    home.write_settings("{ \"version\": 1, \"feeds\": [ oops");
    let app = App::launch(&home).await;
    let notice = app.find("#notices .notice").await;
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
    // Herald started: the editor works.
    app.click("#add-feed").await;
    app.find("#feed-form").await;
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
    app.find("#add-feed").await;

    // `herald feeds add` while the app runs: the window shows the feed, live, at once.
    let url = server.url();
    herald_tests::app::assert_success(&home.run(&["feeds", "add", "From the CLI", &url]).await);
    app.wait_live("From the CLI").await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(rows[0].text, "via the cli");
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

    // A feed whose URL and headers carry secrets: they reach the server, never the log.
    let secret_url = format!(
        "http://feeduser:url-password-1@{}/events?token=query-secret-2",
        server.addr()
    );
    herald_tests::app::assert_success(
        &home
            .run(&[
                "feeds",
                "add",
                "Secret",
                &secret_url,
                "-H",
                "X-Api-Key: header-secret-3",
            ])
            .await,
    );
    herald_tests::eventually_async("the secret feed's request", WAIT, || async {
        server
            .requests()
            .iter()
            .any(|r| r.header("x-api-key") == Some("header-secret-3"))
    })
    .await;

    // `herald quit`: the app quits cleanly and the command returns once it has.
    let quit = herald_tests::app::assert_success(&home.run(&["quit"]).await);
    assert!(quit.contains("Herald has quit"), "{quit}");
    let again = herald_tests::app::assert_success(&home.run(&["quit"]).await);
    assert!(again.contains("Herald is not running"), "{again}");
    let history = home.run(&["history", "--json"]).await;
    let stdout = String::from_utf8_lossy(&history.stdout);
    assert!(
        stdout.contains("via the cli"),
        "the event was saved: {stdout}"
    );
    let logs = home.data().join("herald/logs");
    let mut logged = String::new();
    for entry in std::fs::read_dir(&logs).expect("the app's log folder") {
        logged += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
    }
    assert!(
        logged.contains("feed added"),
        "the log is the app's: {logged}"
    );
    for secret in ["url-password-1", "query-secret-2", "header-secret-3"] {
        assert!(!logged.contains(secret), "{secret} in the log:\n{logged}");
    }
    app.close().await;
}
