//! A scripted SSE server on 127.0.0.1:0 that records the requests it gets.
//!
//! Each test says, per request number, what to answer: a status, a content type, body chunks
//! (sent one at a time, with an optional pause), and whether to hold the connection open after
//! the last chunk. Real sockets, real HTTP/1.1 — the engine cannot tell it from a real server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_engine::demo::http::{self, Request};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: String,
    /// Body pieces, written (and flushed) one by one.
    pub chunks: Vec<Vec<u8>>,
    /// Pause between two chunks (the first goes at once).
    pub pause: Duration,
    /// Keep the connection open after the last chunk (a live stream) instead of closing it.
    pub hold_open: bool,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// A 200 `text/event-stream` reply with `body` in one chunk, then the server closes.
    pub fn stream(body: impl AsRef<[u8]>) -> Reply {
        Reply {
            status: 200,
            content_type: "text/event-stream".into(),
            chunks: vec![body.as_ref().to_vec()],
            pause: Duration::ZERO,
            hold_open: false,
            headers: Vec::new(),
        }
    }

    /// An error status with a short text body.
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain".into(),
            chunks: vec![body.as_bytes().to_vec()],
            pause: Duration::ZERO,
            hold_open: false,
            headers: Vec::new(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status, "moved").with_header("Location", location)
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same reply with its body split into `chunks`.
    pub fn chunked(mut self, chunks: Vec<Vec<u8>>) -> Reply {
        self.chunks = chunks;
        self
    }

    /// The same reply, pausing `pause` between two chunks.
    pub fn paced(mut self, pause: Duration) -> Reply {
        self.pause = pause;
        self
    }

    /// The same reply, kept open after the last chunk.
    pub fn held_open(mut self) -> Reply {
        self.hold_open = true;
        self
    }
}

type Script = dyn Fn(usize, &Request) -> Reply + Send + Sync;

/// A running scripted server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    /// Every request received, in order; shared with the connection tasks.
    requests: Arc<Mutex<Vec<Request>>>,
    /// The accept loop, aborted on drop.
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server answering request `n` (0-based) with `script(n, &request)`.
    pub async fn start(
        script: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::serve(None, Arc::new(script)).await
    }

    /// Like [`TestServer::start`], over TLS with `tls`'s certificate (see [`TestCa`]).
    pub async fn start_tls(
        tls: tokio_rustls::TlsAcceptor,
        script: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::serve(Some(tls), Arc::new(script)).await
    }

    async fn serve(tls: Option<tokio_rustls::TlsAcceptor>, script: Arc<Script>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            // Connection tasks die with the server, so held-open streams close when it drops.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                let script = Arc::clone(&script);
                let recorded = Arc::clone(&recorded);
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        None => answer(socket, &*script, &recorded).await,
                        Some(tls) => {
                            // A failed handshake is the client refusing our certificate.
                            if let Ok(socket) = tls.accept(socket).await {
                                answer(socket, &*script, &recorded).await;
                            }
                        }
                    }
                });
            }
        });
        TestServer {
            addr,
            requests,
            task,
        }
    }

    /// Starts a server that gives every request the same reply.
    pub async fn always(reply: Reply) -> TestServer {
        TestServer::start(move |_, _| reply.clone()).await
    }

    /// The URL of path `/events` on this server.
    pub fn url(&self) -> String {
        format!("http://{}/events", self.addr)
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Reads one request, records it, and writes the scripted reply.
async fn answer<S>(mut socket: S, script: &Script, recorded: &Mutex<Vec<Request>>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Ok(request) = http::read_request(&mut socket).await else {
        return;
    };
    let n = {
        let mut all = recorded.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    let reply = script(n, &request);
    let _ = write_reply(&mut socket, &reply).await;
    if reply.hold_open {
        std::future::pending::<()>().await;
    }
}

async fn write_reply<S: AsyncWrite + Unpin>(socket: &mut S, reply: &Reply) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reply.status, reply.content_type
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    socket.flush().await?;
    for (n, chunk) in reply.chunks.iter().enumerate() {
        if n > 0 {
            tokio::time::sleep(reply.pause).await;
        }
        socket.write_all(chunk).await?;
        socket.flush().await?;
    }
    Ok(())
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A throwaway certificate authority and a server certificate it signed for 127.0.0.1, for
/// testing feeds on self-hosted TLS servers.
pub struct TestCa {
    /// The CA certificate, PEM: what a user points a feed's "CA certificate" at.
    pub ca_pem: String,
    /// A TLS acceptor presenting the server certificate.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// The server's TLS configuration (for servers that add ALPN, such as HTTP/2).
    pub server_config: Arc<tokio_rustls::rustls::ServerConfig>,
}

impl TestCa {
    /// Makes the CA and the server certificate.
    pub fn new() -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        use tokio_rustls::rustls;
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let server_key = KeyPair::generate().unwrap();
        let server_params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        let server = server_params.signed_by(&server_key, &issuer).unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![server.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
            )
            .unwrap();
        let server_config = Arc::new(config);
        TestCa {
            ca_pem: ca.pem(),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::clone(&server_config)),
            server_config,
        }
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}
