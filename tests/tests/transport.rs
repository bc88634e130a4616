//! What carries a feed: redirects (and whose credentials follow them), TLS with a feed's own CA
//! certificate, and HTTP/2 connections shared by feeds on one host.

use herald_engine::Report;
use herald_engine::feed::{ErrorKind, FeedDraft, FeedOptions, FeedStatus};
use herald_tests::scenario::Harness;
use herald_tests::server::{Reply, TestServer};

#[tokio::test]
async fn redirects_are_followed_and_credentials_stay_on_their_origin() {
    let target = TestServer::always(Reply::stream("data: arrived\n\n").held_open()).await;
    let target_url = target.url();
    let origin = TestServer::start(move |n, _| match n {
        0 => Reply::redirect(307, "/moved"),
        _ => Reply::redirect(302, &target_url),
    })
    .await;
    let mut h = Harness::start(FeedOptions::default());
    let draft = FeedDraft {
        name: "A".into(),
        url: origin.url(),
        headers: "Authorization: Bearer s3cret\nX-Api-Key: k".into(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let event = h.next_event().await;
    assert_eq!(event.data, "arrived");
    let same_origin = &origin.requests()[1];
    assert_eq!(same_origin.path, "/moved");
    assert_eq!(same_origin.header("authorization"), Some("Bearer s3cret"));
    let other_origin = &target.requests()[0];
    assert_eq!(other_origin.header("authorization"), None);
    assert_eq!(other_origin.header("x-api-key"), None);
    assert_eq!(other_origin.header("accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn endless_redirects_need_attention() {
    let server = TestServer::always(Reply::redirect(302, "/again")).await;
    let mut h = Harness::start(FeedOptions::default());
    h.add("Test feed", &server.url()).await;
    let FeedStatus::NeedsAttention { error, .. } = h.next_error_status().await else {
        panic!("a redirect loop is not retried with backoff");
    };
    assert!(error.message.contains("redirects"), "{}", error.message);
    assert_eq!(
        server.requests().len(),
        6,
        "the first request and 5 redirects, then it stops"
    );
}

#[tokio::test]
async fn a_feed_trusts_its_own_ca_certificate_and_only_that_feed_does() {
    let ca = herald_tests::server::TestCa::new();
    let server = TestServer::start_tls(ca.acceptor.clone(), |_, _| {
        Reply::stream("data: over tls\n\n").held_open()
    })
    .await;
    let url = format!("https://{}/events", server.addr());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let mut h = Harness::start(FeedOptions::default());
    // Without the CA certificate the server is not trusted…
    h.add("Test feed", &url).await;
    let FeedStatus::Backoff { error, .. } = h.next_error_status().await else {
        panic!("an untrusted certificate is a connect error");
    };
    assert_eq!(error.kind, ErrorKind::Connect);
    assert!(
        error.message.to_lowercase().contains("certificate"),
        "{}",
        error.message
    );
    // …with it, it is.
    let draft = FeedDraft {
        name: "Self-hosted".into(),
        url: url.clone(),
        ca_cert: ca_file.display().to_string(),
        ..Default::default()
    };
    h.engine.add_feed(draft).await.unwrap();
    let event = h.next_event().await;
    assert_eq!(
        (event.feed_name.as_str(), event.data.as_str()),
        ("Self-hosted", "over tls")
    );
    // …and a feed added after it, without the certificate, still does not trust the server.
    let later = h.add("Added later", &url).await;
    let status = h
        .next_matching("the later feed's error", |r| match r {
            Report::Status { feed, status } if feed == later => match status {
                FeedStatus::Backoff { .. } | FeedStatus::NeedsAttention { .. } => Some(status),
                _ => None,
            },
            _ => None,
        })
        .await;
    let FeedStatus::Backoff { error, .. } = status else {
        panic!("an untrusted certificate is a connect error, got {status:?}");
    };
    assert!(
        error.message.to_lowercase().contains("certificate"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn feeds_on_one_host_share_one_http2_connection() {
    let ca = herald_tests::server::TestCa::new();
    let server = herald_tests::h2::H2Server::start(&ca).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let mut h = Harness::start(FeedOptions::default());
    let mut paths = Vec::new();
    for path in ["/a", "/b", "/c"] {
        let draft = FeedDraft {
            url: server.url(path),
            ca_cert: ca_file.display().to_string(),
            ..Default::default()
        };
        h.engine.add_feed(draft).await.unwrap();
        // One after the other, as a user adds them: each finds the connection already open.
        let event = h.next_event().await;
        paths.push(event.data);
    }
    assert_eq!(paths, ["/a", "/b", "/c"]);
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 1, "three streams, one connection");
}

#[tokio::test]
async fn a_feed_whose_ca_certificate_went_missing_needs_attention_until_reconnected() {
    let ca = herald_tests::server::TestCa::new();
    let server = TestServer::start_tls(ca.acceptor.clone(), |_, _| {
        Reply::stream("data: trusted again\n\n").held_open()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let config = FeedDraft {
        url: format!("https://{}/events", server.addr()),
        ca_cert: ca_file.display().to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    // Saved while the file existed; by the next start it is gone.
    std::fs::remove_file(&ca_file).unwrap();
    let mut h = Harness::start_with(FeedOptions::default(), vec![config]);
    let feeds = h.engine.list_feeds().await.unwrap();
    let FeedStatus::NeedsAttention { error, .. } = &feeds[0].status else {
        panic!(
            "an unreadable CA file needs the user: {:?}",
            feeds[0].status
        );
    };
    assert_eq!(error.kind, ErrorKind::Request);
    assert!(error.message.contains("ca.pem"), "{}", error.message);
    // The user puts the file back and asks to reconnect.
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    h.engine.reconnect(feeds[0].id.clone()).await.unwrap();
    assert_eq!(h.next_event().await.data, "trusted again");
}
