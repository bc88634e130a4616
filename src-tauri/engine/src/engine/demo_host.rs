//! Herald serves its own demo feed: the demo server runs while a demo feed is subscribed.

use std::net::{Ipv4Addr, SocketAddr};

use crate::demo::{DemoOptions, DemoServer};

/// The demo server, while one is needed.
pub struct DemoHost {
    server: Option<DemoServer>,
    /// The loopback port to serve on (0: any free port, for tests).
    port: u16,
    options: DemoOptions,
}

impl DemoHost {
    /// No server yet; [`DemoHost::ensure`] starts one on `port`.
    pub fn new(port: u16, options: DemoOptions) -> DemoHost {
        DemoHost {
            server: None,
            port,
            options,
        }
    }

    /// Starts the demo server if it is not running; returns its port.
    pub async fn ensure(&mut self) -> u16 {
        if let Some(server) = &self.server {
            return server.addr().port();
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        match DemoServer::start(addr, self.options).await {
            Ok(server) => {
                let port = server.addr().port();
                tracing::info!(%port, "demo server started");
                self.server = Some(server);
                port
            }
            Err(e) => {
                // Perhaps another Herald (or `herald demo-server`) already serves it: the feed
                // connects to whatever is there and its status tells the user.
                tracing::warn!(error = %e, port = self.port, "demo server not started");
                self.port
            }
        }
    }

    /// Stops the server (freeing its port).
    pub fn stop(&mut self) {
        self.server = None;
    }
}
