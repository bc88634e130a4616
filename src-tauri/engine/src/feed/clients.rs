//! Which HTTP client a feed connects with: one shared client for the OS trust store, and one
//! per CA certificate file for self-hosted servers.
//!
//! Feeds share clients so that feeds on one host share connections (over HTTP/2, one connection
//! carries them all). The engine, `herald tail` and the feed test all choose clients here.
//! Building a client reads files (the OS root store, a CA file), so it runs on a blocking thread,
//! never on the async task that asked.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{ErrorKind, FeedConfig, FeedError, connection};

/// The clients built so far, reused for every feed that needs the same trust.
#[derive(Debug, Default)]
pub struct Clients {
    /// The client for the OS trust store, once built. A failure is kept too, so every feed
    /// reports the same reason instead of each trying again.
    shared: Option<Result<reqwest::Client, FeedError>>,
    /// Clients for feeds with their own CA certificate, one per certificate file.
    with_ca: HashMap<PathBuf, reqwest::Client>,
}

impl Clients {
    /// No clients yet; they are built on first use.
    pub fn new() -> Clients {
        Clients::default()
    }

    /// The client `feed` connects with, building it (off the async runtime) on first use.
    pub async fn for_feed(&mut self, feed: &FeedConfig) -> Result<reqwest::Client, FeedError> {
        match &feed.ca_cert {
            None => self.shared().await,
            Some(path) => {
                if let Some(client) = self.with_ca.get(path) {
                    return Ok(client.clone());
                }
                let owned = path.clone();
                let client = blocking(move || connection::client_with_ca(&owned)).await?;
                self.with_ca.insert(path.clone(), client.clone());
                Ok(client)
            }
        }
    }

    /// The shared client for the OS trust store.
    pub async fn shared(&mut self) -> Result<reqwest::Client, FeedError> {
        if self.shared.is_none() {
            self.shared = Some(blocking(connection::client).await);
        }
        self.shared.clone().expect("just set")
    }
}

/// Runs `build` on tokio's blocking pool.
async fn blocking(
    build: impl FnOnce() -> Result<reqwest::Client, FeedError> + Send + 'static,
) -> Result<reqwest::Client, FeedError> {
    tokio::task::spawn_blocking(build)
        .await
        .unwrap_or_else(|e| {
            Err(FeedError::new(
                ErrorKind::Request,
                format!("cannot set up HTTP: {e}"),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedDraft;

    fn feed(ca_cert: Option<PathBuf>) -> FeedConfig {
        let mut feed = FeedDraft {
            url: "https://127.0.0.1:1/e".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        feed.ca_cert = ca_cert;
        feed
    }

    #[tokio::test]
    async fn an_unreadable_ca_file_is_a_feed_error_with_a_hint() {
        let mut clients = Clients::new();
        let missing = PathBuf::from("/nonexistent/herald-ca.pem");
        let error = clients.for_feed(&feed(Some(missing))).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Request);
        assert!(
            error.message.contains("/nonexistent/herald-ca.pem"),
            "{error}"
        );
        assert!(error.hint.is_some());
        // …while feeds on the OS trust store still get a client.
        assert!(clients.for_feed(&feed(None)).await.is_ok());
    }

    #[tokio::test]
    async fn a_bad_ca_file_is_read_again_a_good_one_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, b"not a certificate").unwrap();
        let mut clients = Clients::new();
        assert!(clients.for_feed(&feed(Some(path.clone()))).await.is_err());
        // A good certificate replaces the bad one: a failure was not cached.
        let ca = test_ca_pem();
        std::fs::write(&path, ca).unwrap();
        assert!(clients.for_feed(&feed(Some(path.clone()))).await.is_ok());
        // Now it is kept: feeds with that file share the client, which reads it no more.
        std::fs::remove_file(&path).unwrap();
        assert!(clients.for_feed(&feed(Some(path))).await.is_ok());
    }

    /// A real self-signed CA certificate (made once with openssl; only its form matters here).
    fn test_ca_pem() -> &'static str {
        include_str!("clients/test-ca.pem")
    }
}
