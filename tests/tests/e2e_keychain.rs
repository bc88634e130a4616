//! The real app with its header values in a real keychain (gnome-keyring-daemon on the app's
//! private bus): it connects with the value the keychain gives, the editor says where the value
//! is, Settings moves values to the file and back, and a keychain that is not there at start
//! makes the feed wait — never connect without its value — until it answers.
//!
//! `dbus-run-session -- xvfb-run -a cargo test --workspace --test e2e_keychain -- --ignored`.

use herald_tests::app::Home;
use herald_tests::dbus::PrivateBus;
use herald_tests::keychain::Keyring;
use herald_tests::server::{Reply, TestServer};
use herald_tests::ui::{App, WAIT};

const TOKEN: &str = "Bearer s3cret-t0ken";

fn settings_text(home: &Home) -> String {
    std::fs::read_to_string(home.settings_file()).unwrap()
}

/// Requests that carried the token.
fn with_token(server: &TestServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.header("authorization") == Some(TOKEN))
        .count()
}

async fn wait_requests_with_token(server: &TestServer, at_least: usize) {
    herald_tests::eventually_async("a request with the token", WAIT, || async {
        with_token(server) >= at_least
    })
    .await;
}

#[tokio::test]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn header_values_come_from_the_keychain_move_to_the_file_and_back_and_are_waited_for() {
    let server = TestServer::always(Reply::stream("data: hello\n\n").held_open()).await;
    let home = Home::new();
    let dir = home.root().join("keyring");
    let url = server.url();

    // Subscribed from a terminal while Herald was closed: the value goes to the keychain.
    {
        let bus = PrivateBus::start();
        let _keyring = Keyring::start(&bus.address, &dir).await;
        let mut add = home.command();
        let header = format!("Authorization: {TOKEN}");
        add.args(["feeds", "add", "CI", &url, "-H", &header])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
        herald_tests::app::assert_success(&herald_tests::app::output(add).await);
    }
    assert!(!settings_text(&home).contains("s3cret"));
    let id = {
        let settings: serde_json::Value = serde_json::from_str(&settings_text(&home)).unwrap();
        settings["feeds"][0]["id"].as_str().unwrap().to_owned()
    };

    // Herald starts with the keychain there: the server gets the value.
    let bus = PrivateBus::start();
    let keyring = Keyring::start(&bus.address, &dir).await;
    let app = App::launch_on(&home, &[], bus).await;
    app.wait_live("CI").await;
    wait_requests_with_token(&server, 1).await;
    app.open_feed("CI").await;
    app.click("#edit-feed").await;
    app.wait_text("#feed-secrets", "where the value is", |t| {
        t == "Saved values are in the system keychain."
    })
    .await;
    app.click("#editor-cancel").await;

    // Settings → Header values, off: the value moves into the file, the keychain lets go.
    app.click("#open-settings").await;
    app.wait_text("#keychain", "the switch loaded", |_| true)
        .await;
    app.click("#keychain").await;
    app.wait_text("#outcome-secrets", "saved", |t| t.starts_with("Saved"))
        .await;
    assert!(settings_text(&home).contains(TOKEN));
    assert_eq!(keyring.lookup(&id), None);
    // And on again: back into the keychain.
    app.click("#keychain").await;
    app.wait_text("#outcome-secrets", "saved", |t| t.contains("keychain"))
        .await;
    herald_tests::eventually("the value in the keychain again", WAIT, || {
        keyring
            .lookup(&id)
            .is_some_and(|item| item.contains(TOKEN))
            .then_some(())
    })
    .await;
    assert!(!settings_text(&home).contains("s3cret"));
    app.screenshot("keychain-settings.png").await;
    app.close().await;

    // Herald starts while the keychain is gone: the feed waits and says why; nothing is sent
    // without the value.
    let keyring_dir = keyring.stop();
    let sent = server.requests().len();
    let app = App::launch_on(&home, &[], PrivateBus::start()).await;
    herald_tests::eventually_async("CI waiting for the keychain", WAIT, || async {
        app.feed_state("CI")
            .await
            .is_some_and(|s| s[0] == "attention")
    })
    .await;
    app.open_feed("CI").await;
    app.click("#edit-feed").await;
    app.wait_text("#feed-secrets", "the editor says it waits", |t| {
        t.contains("has not given them to Herald yet")
    })
    .await;
    app.screenshot("keychain-waiting.png").await;
    assert_eq!(
        server.requests().len(),
        sent,
        "no request without the value"
    );

    // The keychain is back (unlocked): Reconnect reads it now and the feed connects with it.
    let _keyring = Keyring::start(app.bus_address(), &keyring_dir).await;
    let before = with_token(&server);
    app.click("#feed-reconnect").await;
    wait_requests_with_token(&server, before + 1).await;
    app.wait_live("CI").await;
    app.close().await;
}
