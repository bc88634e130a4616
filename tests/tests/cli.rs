//! `herald tail`: the real binary against a real local server, no display needed.

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::Duration;

use herald_tests::app::Home;
use herald_tests::server::{Reply, TestServer, dead_port};

async fn tail(args: &[&str]) -> Output {
    let home = Home::new();
    let mut all = vec!["tail"];
    all.extend_from_slice(args);
    home.run(&all).await
}

#[tokio::test]
async fn tail_no_reconnect_prints_exactly_the_expected_json_lines() {
    let body = ": comment\nretry: 1000\n\
                data: plain\n\n\
                event: deploy\nid: 42\ndata: {\"ok\":true}\n\n\
                data: line one\ndata: line two\n\n\
                id: 43\n\n\
                data: \u{e9}t\u{e9} \u{1F514}\n\n\
                data: never dispatched";
    let server = TestServer::always(Reply::stream(body)).await;
    let out = tail(&["--no-reconnect", &server.url()]).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let want = [
        r#"{"type":"message","data":"plain","lastEventId":""}"#,
        r#"{"type":"deploy","data":"{\"ok\":true}","lastEventId":"42"}"#,
        r#"{"type":"message","data":"line one\nline two","lastEventId":"42"}"#,
        "{\"type\":\"message\",\"data\":\"\u{e9}t\u{e9} \u{1F514}\",\"lastEventId\":\"43\"}",
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), want);
}

#[tokio::test]
async fn tail_sends_headers_and_last_event_id() {
    let server = TestServer::always(Reply::stream("data: x\n\n")).await;
    let out = tail(&[
        "--no-reconnect",
        "-H",
        "Authorization: Bearer t0k",
        "--header",
        "X-B: 2",
        "--last-event-id",
        "99",
        &server.url(),
    ])
    .await;
    assert!(out.status.success());
    let request = &server.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer t0k"));
    assert_eq!(request.header("x-b"), Some("2"));
    assert_eq!(request.header("last-event-id"), Some("99"));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"type\":\"message\",\"data\":\"x\",\"lastEventId\":\"99\"}\n"
    );
}

#[tokio::test]
async fn tail_http_error_exits_non_zero_with_the_reason_on_stderr() {
    let server = TestServer::always(Reply::status(401, "bad token")).await;
    let out = tail(&["--no-reconnect", &server.url()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("bad token") && stderr.contains("token"),
        "{stderr}"
    );
}

#[tokio::test]
async fn tail_ends_when_the_server_says_stop() {
    // 204 No Content: "do not reconnect". A reconnecting tail used to wait forever for a user.
    let server = TestServer::always(Reply::status(204, "")).await;
    let home = Home::new();
    let mut child = home
        .command()
        .args(["tail", &server.url()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run herald");
    let (status, stderr) = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("herald tail still running 20 s after the server said stop");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        (status, stderr)
    })
    .await
    .unwrap();
    drop(home);
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[tokio::test]
async fn tail_dead_server_exits_non_zero() {
    let out = tail(&[
        "--no-reconnect",
        &format!("http://127.0.0.1:{}/", dead_port()),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.to_lowercase().contains("connect"), "{stderr}");
}

#[tokio::test]
async fn tail_invalid_url_is_a_usage_error() {
    let out = tail(&["not-a-url"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("not a valid URL")
    );
}

#[test]
fn tail_reads_the_demo_server() {
    // The demo server the app uses, run as its own command on a free port.
    let home = Home::new();
    let mut server = home.command();
    server
        .args(["demo-server", "--port", "0", "--interval-ms", "20"])
        .stdout(Stdio::piped());
    let mut server = server.spawn().unwrap();
    let mut url = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let mut tail = home.command();
    tail.args(["tail", url.trim()]).stdout(Stdio::piped());
    let mut tail = tail.spawn().unwrap();
    // Read on a thread so a silent feed fails the test instead of hanging it.
    let stdout = tail.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().take(4) {
            let _ = tx.send(line.unwrap());
        }
    });
    let first: Vec<serde_json::Value> = (0..4)
        .map(|_| {
            rx.recv_timeout(Duration::from_secs(20))
                .expect("an event within 20 s")
        })
        .map(|line| serde_json::from_str(&line).unwrap())
        .collect();
    let _ = (tail.kill(), server.kill(), tail.wait(), server.wait());
    let ids: Vec<_> = first
        .iter()
        .map(|e| e["lastEventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let types: Vec<_> = first
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["message", "alert", "build", "deploy"]);
}

#[tokio::test]
async fn tail_honours_the_system_proxy_settings() {
    // The "proxy" is a local server: it gets the absolute URL and answers for the origin. The
    // origin's name never resolves (.invalid), so only a proxied request can succeed.
    let proxy = TestServer::always(Reply::stream("id: 9\ndata: via proxy\n\n")).await;
    let home = Home::new();
    let mut command = home.command();
    command
        .args([
            "tail",
            "--no-reconnect",
            "http://feeds.example.invalid/events",
        ])
        .env("HTTP_PROXY", format!("http://{}", proxy.addr()))
        .env("http_proxy", format!("http://{}", proxy.addr()))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let out = herald_tests::app::output(command).await;
    herald_tests::app::assert_success(&out);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"type\":\"message\",\"data\":\"via proxy\",\"lastEventId\":\"9\"}\n"
    );
    assert_eq!(
        proxy.requests()[0].path,
        "http://feeds.example.invalid/events"
    );
}
