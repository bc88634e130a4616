//! A command's end of the control socket.

use std::io;
use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use super::protocol::{Reply, ReplyError, Request};

/// How long a reply may take (an import saves the settings and restarts feeds).
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request got no answer from the app.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No app listens on the socket (none runs, or it is starting).
    #[error("Herald is not running")]
    NotRunning,
    /// The app answered with an error.
    #[error(transparent)]
    Refused(#[from] ReplyError),
    /// The conversation broke off.
    #[error("the running Herald did not answer: {0}")]
    Broken(String),
}

/// Sends `request` to the app listening on `socket` and returns its answer as `T`.
pub async fn call<T: DeserializeOwned>(socket: &Path, request: &Request) -> Result<T, CallError> {
    let stream = match UnixStream::connect(socket).await {
        Ok(stream) => stream,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Err(CallError::NotRunning);
        }
        Err(e) => return Err(CallError::Broken(e.to_string())),
    };
    let exchange = async {
        let (read, mut write) = stream.into_split();
        let mut line = serde_json::to_vec(request).expect("requests serialize");
        line.push(b'\n');
        write.write_all(&line).await?;
        write.shutdown().await?;
        let mut answer = String::new();
        BufReader::new(read).read_line(&mut answer).await?;
        Ok::<_, io::Error>(answer)
    };
    let answer = tokio::time::timeout(REPLY_TIMEOUT, exchange)
        .await
        .map_err(|_| CallError::Broken("no reply within 30 s".into()))?
        .map_err(|e| CallError::Broken(e.to_string()))?;
    match serde_json::from_str::<Reply>(&answer) {
        Ok(Reply::Ok(value)) => {
            serde_json::from_value(value).map_err(|e| CallError::Broken(e.to_string()))
        }
        Ok(Reply::Err(e)) => Err(CallError::Refused(e)),
        Err(e) => Err(CallError::Broken(format!(
            "an answer Herald cannot read: {e}"
        ))),
    }
}
