//! Header values in the system keychain: the real binary against a real Secret Service
//! (gnome-keyring-daemon on a private bus, unlocked for the test), and without one. The
//! commands that edit the settings file while no Herald runs go through the same code as the
//! app's saves, so what they leave in the file and the keychain is what the app leaves.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use herald_tests::app::Home;
use herald_tests::dbus::PrivateBus;
use herald_tests::keychain::Keyring;

const TOKEN: &str = "Bearer s3cret-t0ken";

/// `herald ARGS…` in `home`, on `bus`.
async fn herald(home: &Home, bus: &PrivateBus, args: &[&str]) -> Output {
    let mut command = home.command();
    command
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    let out = herald_tests::app::output(command).await;
    assert!(
        out.status.success(),
        "herald {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn settings(home: &Home) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(home.settings_file()).unwrap()).unwrap()
}

/// The id of the feed named `name` in the settings file.
fn feed_id(home: &Home, name: &str) -> String {
    settings(home)["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no feed {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The header values an export with secrets holds for `name` (what the app would send).
async fn exported_value(home: &Home, bus: &PrivateBus, name: &str) -> String {
    let out = herald(home, bus, &["feeds", "export", "--with-secrets"]).await;
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let feed = exported["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
        .clone();
    feed["headers"][0]["value"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Subscribes "CI" with the token as its Authorization header, as Herald is closed.
async fn add_ci(home: &Home, bus: &PrivateBus) {
    let header = format!("Authorization: {TOKEN}");
    let args = [
        "feeds",
        "add",
        "CI",
        "https://ci.example/events",
        "-H",
        &header,
    ];
    herald(home, bus, &args).await;
}

#[tokio::test]
async fn with_a_keychain_values_live_there_and_the_file_keeps_only_their_names() {
    let home = Home::new();
    let bus = PrivateBus::start();
    let keyring = Keyring::start(&bus.address, &home.root().join("keyring")).await;
    add_ci(&home, &bus).await;

    let text = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(
        !text.contains("s3cret"),
        "the value is not in the file:\n{text}"
    );
    let feed = &settings(&home)["feeds"][0];
    assert_eq!(feed["secrets"], "keychain");
    assert_eq!(feed["headers"][0]["name"], "Authorization");
    let id = feed_id(&home, "CI");
    let item = keyring.lookup(&id).expect("Herald's item in the keychain");
    assert!(item.contains(TOKEN), "the keychain holds the value");

    // Read back through the keychain, as the app reads it at start.
    assert_eq!(exported_value(&home, &bus, "CI").await, TOKEN);

    // Removing the feed removes its item.
    herald(&home, &bus, &["feeds", "remove", "CI"]).await;
    assert_eq!(keyring.lookup(&id), None);
}

#[tokio::test]
async fn without_a_keychain_values_stay_in_the_private_file_and_move_once_one_answers() {
    let home = Home::new();
    let bus = PrivateBus::start(); // nothing owns org.freedesktop.secrets on it
    add_ci(&home, &bus).await;
    let text = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(text.contains(TOKEN), "kept in the file");
    assert!(!text.contains("\"secrets\""), "{text}");
    let mode = std::fs::metadata(home.settings_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable by the user only");

    // A keychain appears (installed, or unlocked): the next save moves the values into it.
    let keyring = Keyring::start(&bus.address, &home.root().join("keyring")).await;
    herald(
        &home,
        &bus,
        &["feeds", "add", "Other", "https://other.example/events"],
    )
    .await;
    let text = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(!text.contains("s3cret"), "moved out of the file:\n{text}");
    let id = feed_id(&home, "CI");
    assert!(keyring.lookup(&id).unwrap().contains(TOKEN));
    assert_eq!(exported_value(&home, &bus, "CI").await, TOKEN);
}

#[tokio::test]
async fn a_keychain_that_stops_answering_loses_nothing() {
    let home = Home::new();
    let bus = PrivateBus::start();
    let dir = home.root().join("keyring");
    let keyring = Keyring::start(&bus.address, &dir).await;
    add_ci(&home, &bus).await;
    let id = feed_id(&home, "CI");

    // The keychain goes away (logged out of it, or its daemon died); settings change meanwhile.
    keyring.stop();
    herald(
        &home,
        &bus,
        &["feeds", "add", "Other", "https://other.example/events"],
    )
    .await;
    assert_eq!(exported_value(&home, &bus, "CI").await, "", "not known now");
    let feed = &settings(&home)["feeds"][0];
    assert_eq!(
        feed["secrets"], "keychain",
        "still said to be in the keychain"
    );
    let text = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(!text.contains("s3cret"), "{text}");

    // It answers again with what it held: nothing was lost or written over.
    let keyring = Keyring::start(&bus.address, &dir).await;
    assert!(keyring.lookup(&id).unwrap().contains(TOKEN));
    assert_eq!(exported_value(&home, &bus, "CI").await, TOKEN);
}
