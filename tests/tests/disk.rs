//! A full disk and a read-only data folder, for real: the engine's store lives on a small tmpfs
//! (or a read-only bind mount) in a mount namespace of the test's own (`unshare --user
//! --map-root-user --mount`: no root needed, the machine's mounts never touched).
//!
//! Each outer test runs this same test binary inside the namespace, where the matching inner
//! test (a no-op anywhere else) makes the mount, starts the engine, fills or locks the folder,
//! checks the notice, the feed and the rows already kept, then gives the space back and checks
//! that every event waited and was written, once and in order.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use herald_engine::feed::FeedDraft;
use herald_engine::store::StoreReader;
use herald_engine::{NoticeLevel, Report};
use herald_tests::numbered::{self, NumberedOptions, NumberedServer};
use herald_tests::scenario::{Harness, stored_events};

/// Set in the namespace: the inner tests run only there.
const INSIDE: &str = "HERALD_DISK_TEST_INSIDE";
const TOTAL: u64 = 3_000;

/// Runs the inner test `name` of this binary in a user + mount namespace; asserts it passed.
fn in_namespace(name: &str) {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount"])
        .arg(&exe)
        .args([
            "--exact",
            name,
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (util-linux) must be installed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "inner test {name} failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn mount(args: &[&str]) {
    let status = Command::new("mount").args(args).status().unwrap();
    assert!(status.success(), "mount {args:?}");
}

#[test]
fn a_full_disk_is_said_loses_nothing_and_writing_resumes_when_space_returns() {
    in_namespace("inner_full_disk");
}

#[test]
fn a_read_only_data_folder_is_said_loses_nothing_and_writing_resumes_when_writable() {
    in_namespace("inner_read_only");
}

#[tokio::test]
#[ignore = "runs inside the mount namespace of its outer test"]
async fn inner_full_disk() {
    if std::env::var_os(INSIDE).is_none() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data = home.path();
    // Room for the schema and a few hundred events of about 1 KiB, then full.
    mount(&[
        "-t",
        "tmpfs",
        "-o",
        "size=768k",
        "tmpfs",
        data.to_str().unwrap(),
    ]);
    scenario(
        data,
        || {
            mount(&["-o", "remount,size=64m", data.to_str().unwrap()]);
        },
        "the disk is full",
    )
    .await;
}

#[tokio::test]
#[ignore = "runs inside the mount namespace of its outer test"]
async fn inner_read_only() {
    if std::env::var_os(INSIDE).is_none() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data = home.path().to_str().unwrap().to_owned();
    mount(&["--bind", &data, &data]);
    let server = flood().await;
    // A first run keeps some events; then the folder turns read-only while Herald is closed.
    let mut first = Harness::builder().home(home.path()).start();
    first.engine.add_feed(draft(&server)).await.unwrap();
    while first.next_event().await.seq < 50 {}
    first.stop().await;
    remount_when_closed(&data, "remount,bind,ro");
    let mut h = Harness::builder().home(home.path()).start();
    let notice = wait_notice(&mut h, NoticeLevel::Error).await;
    assert!(notice.contains("read-only"), "{notice}");
    check_while_failing(&mut h, home.path()).await;
    mount(&["-o", "remount,bind,rw", &data]);
    finish(&mut h, home.path()).await;
}

/// Remounts `dir` with `options` once nothing has files open in it (the stopped engine's store
/// threads close theirs a moment after it stops).
fn remount_when_closed(dir: &str, options: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = Command::new("mount")
            .args(["-o", options, dir])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        if status.success() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "mount -o {options} {dir} stayed busy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The full-disk run: events flow until the disk fills, then `make_room` is called.
async fn scenario(home: &Path, make_room: impl FnOnce(), why: &str) {
    let server = flood().await;
    let mut h = Harness::builder().home(home).start();
    add(&h, &server).await;
    let notice = wait_notice(&mut h, NoticeLevel::Error).await;
    assert!(notice.contains(why), "{notice}");
    check_while_failing(&mut h, home).await;
    make_room();
    finish(&mut h, home).await;
}

async fn flood() -> NumberedServer {
    NumberedServer::start(NumberedOptions {
        total: TOTAL,
        burst: 1..=8,
        pause_chance: 1.0,
        pause: Duration::from_millis(2),
        replay_chance: 0.0,
        ..NumberedOptions::default()
    })
    .await
}

fn draft(server: &NumberedServer) -> FeedDraft {
    FeedDraft {
        name: "Flood".into(),
        url: server.url("/flood"),
        ..FeedDraft::default()
    }
}

async fn add(h: &Harness, server: &NumberedServer) {
    h.engine.add_feed(draft(server)).await.unwrap();
}

/// The first notice of `level`, skipping everything else.
async fn wait_notice(h: &mut Harness, level: NoticeLevel) -> String {
    h.next_matching("a notice", |r| match r {
        Report::Notice(n) if n.level == level => Some(n.message),
        _ => None,
    })
    .await
}

/// While writing fails: the feed stays live, and what was kept before can still be read.
async fn check_while_failing(h: &mut Harness, home: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = h.engine.list_feeds().await.unwrap()[0].status.clone();
        if matches!(status, herald_engine::feed::FeedStatus::Live { .. }) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the feed keeps running: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kept = StoreReader::open_read_only(&home.join("herald.db"))
        .unwrap()
        .count()
        .unwrap();
    assert!(kept > 0, "rows written before are intact and readable");
}

/// Once writing works again: every event 1..=TOTAL is stored once, in order.
async fn finish(h: &mut Harness, home: &Path) {
    let recovered = wait_notice(h, NoticeLevel::Info).await;
    assert!(recovered.contains("save events again"), "{recovered}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let reader = StoreReader::open_read_only(&home.join("herald.db")).unwrap();
    while reader.count().unwrap() < TOTAL {
        // Keep the report queue drained so the engine never waits for the test.
        let _ = h
            .next_report(Instant::now() + Duration::from_millis(50))
            .await;
        assert!(
            Instant::now() < deadline,
            "{} of {TOTAL} stored",
            reader.count().unwrap()
        );
    }
    let events = stored_events(&home.join("herald.db"));
    assert_eq!(events.len() as u64, TOTAL, "each event once");
    for (n, e) in (1..=TOTAL).zip(&events) {
        assert_eq!(e.last_event_id, n.to_string(), "in order");
        assert_eq!(e.data, numbered::expected("/flood", n).data);
    }
}
