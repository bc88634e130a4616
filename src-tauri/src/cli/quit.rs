//! `herald quit`: asks the running app to quit as its Quit menu does (feeds closed, everything
//! received saved), and waits until it has.

use std::process::ExitCode;
use std::time::Duration;

use herald_engine::instance::client::{self, CallError};
use herald_engine::instance::protocol::Request;
use herald_engine::instance::{InstanceLock, Paths};

use super::{Failure, finish};

/// How long the app may take to close its feeds and flush the store.
const QUIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `herald quit`: 0 once Herald has quit (or when none was running), 1 when it would not.
pub async fn quit() -> ExitCode {
    finish("quit", run().await)
}

async fn run() -> Result<(), Failure> {
    let paths = Paths::default_location().ok_or_else(|| {
        Failure::runtime("cannot find a runtime or data directory (is $HOME set?)")
    })?;
    match client::call::<()>(&paths.socket, &Request::Quit).await {
        // An app that quits at once may close the socket before its answer: wait all the same.
        Ok(()) | Err(CallError::Broken(_)) => {}
        Err(CallError::NotRunning) => {
            eprintln!("herald quit: Herald is not running");
            return Ok(());
        }
        Err(e) => return Err(Failure::runtime(e.to_string())),
    }
    // The app holds the instance lock until its process ends: once the lock is free, it has quit.
    let lock = paths.lock.clone();
    let gone =
        tokio::task::spawn_blocking(move || InstanceLock::acquire_within(&lock, QUIT_TIMEOUT))
            .await
            .map_err(|e| Failure::runtime(e.to_string()))?
            .map_err(|e| Failure::runtime(format!("cannot read the instance lock: {e}")))?;
    match gone {
        Some(_released_at_once) => {
            eprintln!("herald quit: Herald has quit");
            Ok(())
        }
        None => Err(Failure::runtime(format!(
            "Herald was asked to quit but still runs after {} s",
            QUIT_TIMEOUT.as_secs()
        ))),
    }
}
