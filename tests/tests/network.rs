//! A network change makes a feed reconnect at once, without waiting for its idle timeout.
//!
//! The real `herald demo-server` and `herald tail` run in a network namespace of their own
//! (`unshare --user --map-root-user --net`: no root needed where user namespaces are allowed, and
//! the machine's real network is never touched). The test then adds an address to that
//! namespace's loopback interface; the kernel tells Herald over netlink, as it would after the
//! laptop joins another Wi-Fi network.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use herald_tests::app::{Home, herald_binary};

/// Runs inside the namespace. The idle timeout is long, so only the change can cause the
/// reconnect within the few seconds the script waits.
const SCRIPT: &str = r#"
set -eu
ip link set lo up
"$HERALD" demo-server --port 0 --interval-ms 100 > "$DIR/url" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$DIR/url" ] && break; sleep 0.1; done
"$HERALD" tail --idle-timeout 600 "$(cat "$DIR/url")" > "$DIR/events" 2> "$DIR/status" &
tail=$!
sleep 2
# Chatter that changes nothing a connection depends on: a route to another network, an address
# written again as it was. No reconnect may follow.
ip route add 10.9.0.0/16 dev lo
ip addr change 127.0.0.1/8 dev lo
sleep 2.5
wc -c < "$DIR/status" > "$DIR/mark"
ip addr add 127.0.0.2/8 dev lo
sleep 3
kill "$tail" "$server"
"#;

#[test]
fn a_network_change_makes_a_feed_reconnect_at_once_and_resume_where_it_left_off() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c", SCRIPT])
        .env("HERALD", herald_binary())
        .env("DIR", dir.path())
        .envs(home.env())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("unshare (util-linux) must be installed");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the namespace script did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the namespace script failed: {status}");

    let stderr = std::fs::read_to_string(dir.path().join("status")).unwrap();
    let mark = std::fs::read_to_string(dir.path().join("mark")).unwrap();
    let (before, after) = stderr.split_at(mark.trim().parse().unwrap());
    assert!(
        !before.contains("the network changed"),
        "no reconnect for a route to another network or an address written again:\n{stderr}"
    );
    assert!(
        after.contains("connecting (the network changed)"),
        "the tail said why it reconnected:\n{stderr}"
    );
    let events = std::fs::read_to_string(dir.path().join("events")).unwrap();
    let ids: Vec<u64> = events
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            event["lastEventId"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    assert!(ids.len() > 20, "events kept coming: {ids:?}");
    let expected: Vec<u64> = (1..=ids.len() as u64).collect();
    assert_eq!(
        ids, expected,
        "resumed after the last id: none lost, none twice"
    );
}
