//! The real app in the tray, under Xvfb: closing the window keeps Herald running (its feeds,
//! store and notifications) without a window, the tray icon and its menu follow the state and
//! act on it, and the window comes back from the store. A panel on the test's private bus plays
//! the desktop's tray (`herald_tests::tray`); the window is closed as a click on × closes it.
//!
//! Run by the test command's end-to-end stage:
//! `dbus-run-session -- xvfb-run -a cargo test --workspace --test e2e_tray -- --ignored`.

use std::time::Duration;

use herald_tests::app::Home;
use herald_tests::bench::paced_server;
use herald_tests::server::{Reply, TestServer};
use herald_tests::ui::{App, WAIT, one_feed_settings};
use serde_json::Value;

/// The feeds as `herald feeds list --json` gives them: (name, state).
async fn feed_states(home: &Home) -> Vec<(String, String)> {
    let out = home.run(&["feeds", "list", "--json"]).await;
    let list: Value = serde_json::from_slice(&out.stdout).expect("feeds list --json");
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (text("name"), text("state"))
        })
        .collect()
}

async fn wait_states(home: &Home, what: &str, check: impl Fn(&[(String, String)]) -> bool) {
    herald_tests::eventually_async(what, WAIT, || async { check(&feed_states(home).await) }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn closed_to_the_tray_herald_keeps_notifying_and_its_menu_acts_then_the_window_returns() {
    let before =
        TestServer::always(Reply::stream("id: 1\ndata: before closing\n\n").held_open()).await;
    let home = Home::new();
    home.write_settings(&one_feed_settings("alpha0000001", "Alpha", &before.url()));
    let app = App::launch(&home).await;
    app.wait_live("Alpha").await;
    app.wait_for_rows(1).await;
    app.session.set_window_size(900, 600).await;
    let size = app.session.window_size().await;
    assert_eq!(size, (900, 600), "not the default 1100 × 720");

    // The tray icon registered with the panel; its menu says how things are.
    let item = app.tray.item(WAIT).await;
    item.wait_entry("1 feed live", WAIT).await;
    let live_icon = std::fs::read(item.icon_file().await).expect("the tray icon's file");

    // Close the window as the × does: the window and its webview go, Herald stays.
    assert_eq!(herald_tests::x11::close_titled("Herald"), 1, "one window");
    herald_tests::eventually("the window to close", WAIT, || {
        (herald_tests::x11::count_titled("Herald") == 0).then_some(())
    })
    .await;
    let calls = app.recorder.wait_for(1, WAIT).await;
    assert!(
        calls
            .iter()
            .any(|c| c.summary == "Herald is still running" && c.body.contains("tray icon")),
        "said once, the first time: {calls:#?}"
    );
    assert!(app.session.window_handles().await.is_empty());
    wait_states(&home, "Alpha live with the window closed", |f| {
        f == [("Alpha".to_owned(), "live".to_owned())]
    })
    .await;

    // While closed: a new feed's event is stored and notified, and the tray counts it.
    let paced = paced_server(1, Duration::from_millis(100), Duration::from_secs(2), |n| {
        format!("id: {n}\ndata: while closed {n}\n\n")
    })
    .await;
    herald_tests::app::assert_success(&home.run(&["feeds", "add", "Beta", &paced]).await);
    herald_tests::eventually("the notification of what came while closed", WAIT, || {
        let calls = app.recorder.calls();
        calls
            .iter()
            .any(|c| c.body == "while closed 1")
            .then_some(())
    })
    .await;
    herald_tests::eventually_async("the unread count beside the icon", WAIT, || async {
        let label = item.label().await;
        !label.is_empty() && label.chars().all(|c| c.is_ascii_digit())
    })
    .await;

    // A feed the server refuses needs attention: the icon and the menu say so.
    let refusing = TestServer::always(Reply::status(401, "token expired")).await;
    herald_tests::app::assert_success(&home.run(&["feeds", "add", "Gamma", &refusing.url()]).await);
    let gamma = item.wait_entry("⚠ Gamma: ", WAIT).await;
    assert!(gamma.enabled, "{gamma:?}");
    item.wait_entry("1 feed needs attention", WAIT).await;
    let attention_icon = std::fs::read(item.icon_file().await).unwrap();
    assert_ne!(attention_icon, live_icon, "the icon shows it");

    // Quiet for an hour, then off again.
    item.click("For 1 hour").await;
    item.wait_entry("Quiet until ", WAIT).await;
    let rules = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(rules.contains("\"mute\""), "saved: {rules}");
    item.click("Off").await;
    item.wait_entry("Quiet notifications", WAIT).await;

    // Pause all, resume all.
    item.click("Pause all feeds").await;
    wait_states(&home, "every feed paused", |f| {
        f.len() == 3 && f.iter().all(|(_, s)| s == "paused")
    })
    .await;
    item.wait_entry("All feeds paused", WAIT).await;
    item.click("Resume all feeds").await;
    wait_states(&home, "Alpha live again", |f| {
        f.iter().any(|(n, s)| n == "Alpha" && s == "live")
    })
    .await;

    // The troubled feed's entry opens the window on that feed, rebuilt from the store.
    item.click("⚠ Gamma: ").await;
    app.wait_window().await;
    assert_eq!(herald_tests::x11::count_titled("Herald"), 1);
    assert_eq!(app.session.window_size().await, size, "its size remembered");
    app.wait_text("#timeline-title", "Gamma's timeline", |t| {
        t.contains("Gamma")
    })
    .await;
    app.open_feed("Beta").await;
    let rows = app.wait_for_rows(1).await;
    assert_eq!(
        rows[0].text, "while closed 1",
        "what came while closed is there"
    );
    let calls = app.recorder.calls();
    let hints = calls
        .iter()
        .filter(|c| c.summary == "Herald is still running")
        .count();
    assert_eq!(hints, 1);

    // Quit from the tray: the app ends, everything saved.
    item.click("Quit Herald").await;
    herald_tests::eventually_async("the app to quit", WAIT, || async {
        let out = home.run(&["quit"]).await;
        String::from_utf8_lossy(&out.stderr).contains("not running")
    })
    .await;
    let history = home.run(&["history", "--json"]).await;
    let stdout = String::from_utf8_lossy(&history.stdout);
    assert!(stdout.contains("before closing") && stdout.contains("while closed 1"));
    app.close().await;
}

/// The desktop entries in the autostart folder of `home` (`~/.config/autostart`: the autostart
/// library Herald uses writes there even when `XDG_CONFIG_HOME` points elsewhere), with their
/// text.
fn autostart_entries(home: &Home) -> Vec<(String, String)> {
    let dir = home.root().join(".config/autostart");
    let mut entries: Vec<(String, String)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap_or_default())
        })
        .collect();
    entries.sort();
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn start_at_login_is_an_autostart_entry_that_starts_herald_in_the_tray() {
    let home = Home::new();
    home.write_settings(r#"{"version": 4, "feeds": []}"#);
    let app = App::launch(&home).await;
    app.click("#open-settings").await;
    let switch = app.find("#login-start").await;
    assert!(autostart_entries(&home).is_empty());
    app.session.click(&switch).await;
    app.wait_text("#outcome-startup", "the switch's outcome", |t| {
        t.contains("will start when you log in")
    })
    .await;
    let entries = autostart_entries(&home);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (_, entry) = &entries[0];
    let exec = entry
        .lines()
        .find(|l| l.starts_with("Exec="))
        .unwrap_or_default();
    assert!(
        exec.contains("herald") && exec.ends_with("--hidden"),
        "{entry}"
    );
    // Off again: the entry goes.
    app.session.click(&switch).await;
    app.wait_text("#outcome-startup", "the switch's outcome", |t| {
        t.contains("will not start at login")
    })
    .await;
    assert!(autostart_entries(&home).is_empty());
    app.close().await;

    // What the entry runs: Herald in the tray, no window, until it is asked for one.
    let bus = herald_tests::dbus::PrivateBus::start();
    let _recorder = herald_tests::dbus::Recorder::start(&bus.address).await;
    let tray = herald_tests::tray::TrayHost::start(&bus.address).await;
    let mut hidden = home.command();
    hidden
        .arg("--hidden")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = hidden.spawn().expect("herald --hidden");
    let item = tray.item(WAIT).await;
    item.wait_entry("No feeds yet", WAIT).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(herald_tests::x11::count_titled("Herald"), 0, "no window");
    item.click("Open Herald").await;
    herald_tests::eventually("the window to open", WAIT, || {
        (herald_tests::x11::count_titled("Herald") == 1).then_some(())
    })
    .await;
    herald_tests::ui::quit(&home.instance()).await;
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn without_a_tray_the_first_close_says_how_to_open_herald_again() {
    let home = Home::new();
    let app = App::launch(&home).await;
    app.tray.item(WAIT).await;
    app.tray.leave().await; // a desktop that shows no tray icons
    assert_eq!(herald_tests::x11::close_titled("Herald"), 1, "one window");
    let calls = app.recorder.wait_for(1, WAIT).await;
    let hint = calls
        .iter()
        .find(|c| c.summary == "Herald is still running")
        .expect("the hint");
    assert!(
        hint.body
            .contains("start Herald again from your applications")
            && hint.body.contains("herald quit")
            && !hint.body.contains("tray icon;"),
        "{}",
        hint.body
    );
    // Starting it again is the way back.
    let mut again = home.command();
    again.env("DBUS_SESSION_BUS_ADDRESS", app.bus_address());
    herald_tests::app::assert_success(&herald_tests::app::output(again).await);
    app.wait_window().await;
    assert_eq!(herald_tests::x11::count_titled("Herald"), 1);
    app.close().await;
}
