//! An HTTP/2-only SSE server over TLS that counts the TCP connections it accepts, to show that
//! feeds on one host share one connection (HTTP/2 multiplexes their streams over it).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http_body_util::StreamBody;
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::server::TestCa;

/// A running server; stops when dropped.
pub struct H2Server {
    addr: SocketAddr,
    /// TCP connections accepted so far.
    connections: Arc<AtomicUsize>,
    /// HTTP/2 requests (streams) served so far.
    requests: Arc<AtomicUsize>,
    /// The accept loop, aborted on drop.
    task: JoinHandle<()>,
}

impl Drop for H2Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl H2Server {
    /// Starts the server with `ca`'s certificate, offering only `h2` by ALPN. Every request gets
    /// a stream with one event naming its path, then stays open.
    pub async fn start(ca: &TestCa) -> H2Server {
        let mut config = (*ca.server_config).clone();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (counted, served) = (Arc::clone(&connections), Arc::clone(&requests));
        let task = tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let (acceptor, served) = (acceptor.clone(), Arc::clone(&served));
                tasks.spawn(async move {
                    let Ok(tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        served.fetch_add(1, Ordering::SeqCst);
                        async move { Ok::<_, Infallible>(stream_for(request.uri().path())) }
                    });
                    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        H2Server {
            addr,
            connections,
            requests,
            task,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Requests served so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

type Body = StreamBody<futures_util::stream::BoxStream<'static, Result<Frame<Bytes>, Infallible>>>;

/// An event stream with one event carrying `path`, kept open.
fn stream_for(path: &str) -> hyper::Response<Body> {
    let event = Frame::data(Bytes::from(format!("data: {path}\n\n")));
    let frames = stream::iter([Ok(event)]).chain(stream::pending()).boxed();
    hyper::Response::builder()
        .header("content-type", "text/event-stream")
        .body(StreamBody::new(frames))
        .unwrap()
}
