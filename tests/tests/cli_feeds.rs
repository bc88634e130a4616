//! `herald feeds …` and `herald history`: the real binary, with Herald running (an engine
//! playing the app on the control socket of the test's home) and without it.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;
use std::time::{Duration, Instant};

use herald_engine::Report;
use herald_tests::app::Home;
use herald_tests::scenario::Harness;
use herald_tests::server::{Reply, TestServer};

/// Runs `herald ARGS…` in `home` (no display needed).
async fn herald(home: &Home, args: &[&str]) -> Output {
    home.run(args).await
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

#[tokio::test]
async fn without_the_app_feeds_are_added_listed_exported_and_removed_in_the_settings_file() {
    let home = Home::new();
    let out = herald(
        &home,
        &[
            "feeds",
            "add",
            "CI",
            "https://ci.example/events?token=q",
            "-H",
            "Authorization: Bearer s3cret",
        ],
    )
    .await;
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("Added CI (id "),
        "{}",
        stdout(&out)
    );
    let settings = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(settings.contains("Bearer s3cret"), "saved with its header");
    let mode = std::fs::metadata(home.settings_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let list = herald(&home, &["feeds", "list"]).await;
    assert_exit(&list, 0);
    let table = stdout(&list);
    assert!(
        table.contains("CI") && table.contains("not running"),
        "{table}"
    );
    assert!(table.contains("https://ci.example/events"), "{table}");
    assert!(
        !table.contains("token=q"),
        "no query (tokens) in the list: {table}"
    );

    let json = herald(&home, &["feeds", "list", "--json"]).await;
    assert_exit(&json, 0);
    let listed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(listed[0]["name"], "CI");
    assert_eq!(listed[0]["headerNames"][0], "Authorization");
    assert_eq!(listed[0]["state"], serde_json::Value::Null);

    let export = herald(&home, &["feeds", "export"]).await;
    assert_exit(&export, 0);
    assert!(
        !stdout(&export).contains("s3cret"),
        "no secrets unless asked"
    );
    let file = home.config().join("feeds.json");
    let with = herald(
        &home,
        &["feeds", "export", "--with-secrets", file.to_str().unwrap()],
    )
    .await;
    assert_exit(&with, 0);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("Bearer s3cret")
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "an export with secrets is private");

    // Into another home: the same feed, id and secret included.
    let other = Home::new();
    let import = herald(&other, &["feeds", "import", file.to_str().unwrap()]).await;
    assert_exit(&import, 0);
    assert_eq!(stdout(&import).trim(), "Added CI.");
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.settings_file()).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(other.settings_file()).unwrap()).unwrap();
    assert_eq!(a["feeds"], b["feeds"]);

    let remove = herald(&home, &["feeds", "remove", "ci"]).await;
    assert_exit(&remove, 0);
    assert!(
        stdout(&remove).starts_with("Removed CI"),
        "{}",
        stdout(&remove)
    );
    let settings = std::fs::read_to_string(home.settings_file()).unwrap();
    assert!(!settings.contains("ci.example"), "{settings}");
}

#[tokio::test]
async fn bad_input_exits_2_with_one_line_and_changes_nothing() {
    let home = Home::new();
    for args in [
        &["feeds", "add", "X", "ftp://nope"][..],
        &["feeds", "add", "X", "https://h/", "-H", "no colon"],
        &["feeds", "remove", "nothing-by-that-name"],
        &["feeds", "import", "/nonexistent/export.json"],
        &["history", "--since", "the day before"],
        &["feeds", "frobnicate"],
    ] {
        let out = herald(&home, args).await;
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(!err.trim().is_empty(), "{args:?} says why");
        if args[0] != "feeds" || args[1] != "frobnicate" {
            assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
        }
    }
    assert!(!home.settings_file().exists(), "nothing was written");
}

#[tokio::test]
async fn with_the_app_running_commands_go_through_it_and_reach_it_at_once() {
    let home = Home::new();
    let server = TestServer::always(Reply::stream("id: 1\ndata: hello\n\n").held_open()).await;
    let mut app = Harness::builder().app_home(&home).start();
    let _shell = app.serve_control(&home.instance());

    let url = server.url();
    let started = Instant::now();
    let out = herald(&home, &["feeds", "add", "Live one", &url]).await;
    assert_exit(&out, 0);
    // The running app has it, and connects, without a restart.
    let feeds = app.engine.list_feeds().await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(feeds[0].name, "Live one");
    let event = app.next_event().await;
    assert_eq!(event.data, "hello");
    assert!(started.elapsed() < Duration::from_secs(5));

    let list = herald(&home, &["feeds", "list", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(
        listed[0]["state"], "live",
        "a running app knows each feed's state"
    );

    // An error from the app keeps its exit code.
    let bad = herald(&home, &["feeds", "add", "X", "not a url"]).await;
    assert_exit(&bad, 2);

    let remove = herald(&home, &["feeds", "remove", "live one"]).await;
    assert_exit(&remove, 0);
    assert!(app.engine.list_feeds().await.unwrap().is_empty());
    let saw_list = app
        .next_matching("the feed list after the removal", |r| match r {
            Report::Feeds(feeds) if feeds.is_empty() => Some(()),
            _ => None,
        })
        .await;
    let () = saw_list;
}

#[tokio::test]
async fn the_cli_and_a_running_app_adding_feeds_at_once_lose_none() {
    let home = Home::new();
    let mut app = Harness::builder().app_home(&home).start();
    let _shell = app.serve_control(&home.instance());
    let mut tasks = Vec::new();
    for n in 0..6 {
        let (engine, url) = (app.engine.clone(), format!("http://127.0.0.1:9/app-{n}"));
        tasks.push(tokio::spawn(async move {
            let draft = herald_engine::feed::FeedDraft {
                name: format!("app-{n}"),
                url,
                ..Default::default()
            };
            engine.add_feed(draft).await.unwrap();
        }));
    }
    let mut commands = Vec::new();
    for n in 0..6 {
        let name = format!("cli-{n}");
        let url = format!("http://127.0.0.1:9/cli-{n}");
        let mut command = home.command();
        command.args(["feeds", "add", &name, &url]);
        commands.push(tokio::task::spawn_blocking(move || {
            command.output().unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for command in commands {
        assert_exit(&command.await.unwrap(), 0);
    }
    let mut names: Vec<String> = app
        .engine
        .list_feeds()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    names.sort();
    let mut want: Vec<String> = (0..6)
        .flat_map(|n| [format!("app-{n}"), format!("cli-{n}")])
        .collect();
    want.sort();
    assert_eq!(names, want);
    let saved = std::fs::read_to_string(home.settings_file()).unwrap();
    for name in &want {
        assert!(saved.contains(&format!("\"{name}\"")), "{name} saved");
    }
}

#[tokio::test]
async fn a_feed_added_while_the_app_is_closed_starts_with_it() {
    let home = Home::new();
    let server = TestServer::always(Reply::stream("data: after start\n\n").held_open()).await;
    let url = server.url();
    assert_exit(&herald(&home, &["feeds", "add", "Offline", &url]).await, 0);
    let mut app = Harness::builder().app_home(&home).start();
    assert_eq!(app.next_event().await.data, "after start");
}

#[tokio::test]
async fn history_prints_stored_events_newest_first_beside_a_running_app() {
    let home = Home::new();
    let body = "id: 1\nevent: deploy\ndata: api is live\n\n\
                id: 2\nevent: alert\ndata: disk full\ndata: on db-1\n\n\
                id: 3\ndata: plain\n\n";
    let server = TestServer::always(Reply::stream(body).held_open()).await;
    let mut app = Harness::builder().app_home(&home).start();
    app.add("Ops", &server.url()).await;
    for _ in 0..3 {
        app.next_event().await;
    }
    // Read while the engine (and its writer) runs.
    let json = herald(&home, &["history", "--json"]).await;
    assert_exit(&json, 0);
    let lines: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["data", "feed", "lastEventId", "receivedAt", "seq", "type"]
    );
    assert_eq!(lines[0]["data"], "plain");
    assert_eq!(lines[1]["data"], "disk full\non db-1");
    assert_eq!(lines[1]["type"], "alert");
    assert_eq!(lines[1]["feed"], "Ops");
    assert_eq!(lines[2]["lastEventId"], "1");
    assert!(lines[0]["seq"].as_u64() > lines[1]["seq"].as_u64());
    assert!(lines[0]["receivedAt"].as_str().unwrap().ends_with('Z'));

    for (args, want) in [
        (
            &["history", "--search", "disk"][..],
            vec!["disk full ⏎ on db-1"],
        ),
        (&["history", "--type", "deploy"], vec!["api is live"]),
        (&["history", "--feed", "ops", "--limit", "1"], vec!["plain"]),
        (
            &["history", "--since", "1h", "--limit", "2"],
            vec!["plain", "disk full ⏎ on db-1"],
        ),
        (&["history", "--since", "2999-01-01"], vec![]),
    ] {
        let out = herald(&home, args).await;
        assert_exit(&out, 0);
        let data: Vec<String> = stdout(&out)
            .lines()
            .map(|l| l.rsplit("  ").next().unwrap().to_owned())
            .collect();
        assert_eq!(data, want, "{args:?}");
    }
    let unknown = herald(&home, &["history", "--feed", "nope"]).await;
    assert_exit(&unknown, 2);

    // …and after the app quit, the same history.
    app.stop().await;
    let after = herald(&home, &["history", "--json"]).await;
    assert_exit(&after, 0);
    assert_eq!(stdout(&after), stdout(&json));
}
