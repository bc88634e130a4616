//! The app's end of the control socket: each connection carries one request, answered through
//! the engine's handle; `Show` and `Quit` are handed to the shell, which owns the window.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::protocol::{Reply, ReplyError, Request};
use crate::{EngineHandle, Error};

/// The longest request line accepted (an import of thousands of feeds fits).
const MAX_REQUEST: u64 = 8 * 1024 * 1024;
/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What only the shell can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellRequest {
    /// Bring the window forward.
    Show,
    /// Quit cleanly.
    Quit,
    /// Open the feed editor prefilled with this URL and name.
    Subscribe {
        /// The feed's URL.
        url: String,
        /// Its name, if given.
        name: Option<String>,
    },
}

/// Listens on `path`, readable and writable by the user only. Call it while holding the
/// instance lock, after removing a stale socket.
pub fn bind(path: &Path) -> io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir)?;
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Answers requests on `listener` until the task is aborted or the engine stops.
pub fn serve(
    listener: UnixListener,
    engine: EngineHandle,
    shell: mpsc::Sender<ShellRequest>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "control socket: cannot accept");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let (engine, shell) = (engine.clone(), shell.clone());
            tokio::spawn(async move {
                if let Err(e) = answer(stream, &engine, &shell).await {
                    tracing::debug!(error = %e, "control socket: client went away");
                }
            });
        }
    })
}

/// Reads one request from `stream` and writes its reply.
async fn answer(
    stream: UnixStream,
    engine: &EngineHandle,
    shell: &mpsc::Sender<ShellRequest>,
) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(MAX_REQUEST));
    tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no request"))??;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => {
            tracing::info!(request = name(&request), "control socket request");
            run(request, engine, shell).await
        }
        Err(e) => Reply::Err(ReplyError {
            code: "invalid".into(),
            message: format!("not a request Herald understands: {e}"),
        }),
    };
    let mut out = serde_json::to_vec(&reply).expect("replies serialize");
    out.push(b'\n');
    write.write_all(&out).await?;
    write.shutdown().await
}

/// A request's name for the log (never its contents: drafts and imports hold secrets).
fn name(request: &Request) -> &'static str {
    match request {
        Request::ListFeeds => "listFeeds",
        Request::AddFeed { .. } => "addFeed",
        Request::RemoveFeed { .. } => "removeFeed",
        Request::ExportFeeds { .. } => "exportFeeds",
        Request::ImportFeeds { .. } => "importFeeds",
        Request::Show => "show",
        Request::Quit => "quit",
        Request::Subscribe { .. } => "subscribe", // (the URL may carry a token: not logged)
    }
}

async fn run(request: Request, engine: &EngineHandle, shell: &mpsc::Sender<ShellRequest>) -> Reply {
    let result: Result<serde_json::Value, Error> = async {
        Ok(match request {
            Request::ListFeeds => json(engine.list_feeds().await?),
            Request::AddFeed { draft } => json(engine.add_feed(draft).await?),
            Request::RemoveFeed { key } => {
                let feed = engine.find_feed(key).await?;
                engine.remove_feed(feed.id.clone()).await?;
                json(feed)
            }
            Request::ExportFeeds { with_secrets } => json(engine.export_feeds(with_secrets).await?),
            Request::ImportFeeds { exported } => json(engine.import_feeds(*exported).await?),
            Request::Show => to_shell(shell, ShellRequest::Show).await?,
            Request::Quit => to_shell(shell, ShellRequest::Quit).await?,
            Request::Subscribe { url, name } => {
                to_shell(shell, ShellRequest::Subscribe { url, name }).await?
            }
        })
    }
    .await;
    match result {
        Ok(value) => Reply::Ok(value),
        Err(e) => Reply::Err(ReplyError::from(&e)),
    }
}

/// Hands a request only the shell can carry out to it; answers `null`.
async fn to_shell(
    shell: &mpsc::Sender<ShellRequest>,
    request: ShellRequest,
) -> Result<serde_json::Value, Error> {
    shell.send(request).await.map_err(|_| Error::Stopped)?;
    Ok(serde_json::Value::Null)
}

fn json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("engine answers serialize")
}
