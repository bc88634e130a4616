//! The app's life: one instance per user, the control socket, and a clean end.
//!
//! At start Herald takes the instance lock. If another Herald holds it, this launch asks that
//! one to show its window and exits. Otherwise it serves the control socket (`herald feeds …`
//! talk to it) and hands `Show` and `Quit` to the window. Quit, SIGTERM, SIGINT and closing the
//! last window all end the same way: feeds closed, the store flushed, then exit.

use std::time::Duration;

use anyhow::Context;
use herald_engine::EngineHandle;
use herald_engine::instance::server::{self, ShellRequest};
use herald_engine::instance::{self, InstanceLock, Paths, client, protocol::Request};
use tauri::Runtime;

use crate::window::Intent;
use tokio::sync::mpsc;

/// How long a launch waits for the lock (a command editing the settings holds it briefly).
const LOCK_WAIT: Duration = Duration::from_secs(3);
/// How long shutdown may take before Herald exits anyway.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

/// What a launch found.
pub enum Launch {
    /// This is the only Herald: run, holding the lock.
    First(InstanceLock, Paths),
    /// Another Herald runs and was asked to show its window: exit.
    Second,
}

/// Takes the instance lock, or hands over to the Herald that holds it: asks it to show its
/// window, on what `intent` wants shown.
pub fn claim(intent: &Intent) -> anyhow::Result<Launch> {
    let paths = Paths::default_location().context("cannot find a runtime or data directory")?;
    if let Some(lock) = InstanceLock::acquire_within(&paths.lock, LOCK_WAIT)
        .with_context(|| format!("cannot open the instance lock {}", paths.lock.display()))?
    {
        return Ok(Launch::First(lock, paths));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (request, said) = match &intent.subscribe {
        Some(prefill) => (
            Request::Subscribe {
                url: prefill.url.clone(),
                name: prefill.name.clone(),
            },
            "confirm the new feed in its window",
        ),
        None => (Request::Show, "its window was brought forward"),
    };
    match runtime.block_on(client::call::<()>(&paths.socket, &request)) {
        Ok(()) => {
            eprintln!("herald: Herald is already running; {said}");
            Ok(Launch::Second)
        }
        Err(e) => anyhow::bail!(
            "another Herald holds {} but does not answer ({e}); quit it, or end its process",
            paths.lock.display()
        ),
    }
}

/// Serves the control socket and carries out what only the shell can do.
pub fn serve<R: Runtime>(app: &tauri::AppHandle<R>, engine: EngineHandle, paths: &Paths) {
    instance::remove_stale_socket(&paths.socket); // we hold the lock: nobody else serves it
    let (shell_tx, mut shell_rx) = mpsc::channel(8);
    let (socket, control) = (paths.socket.clone(), shell_tx.clone());
    let served = engine.clone();
    // Binding needs the async runtime's reactor: it happens on it.
    tauri::async_runtime::spawn(async move {
        match server::bind(&socket) {
            Ok(listener) => drop(server::serve(listener, served, control)),
            Err(e) => tracing::error!(
                path = %socket.display(),
                error = %e,
                "control socket not served: `herald feeds` will not reach this app"
            ),
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(request) = shell_rx.recv().await {
            match request {
                ShellRequest::Show => crate::window::open(&handle, Intent::default()),
                ShellRequest::Subscribe { url, name } => {
                    let prefill = crate::window::Prefill { url, name };
                    let intent = Intent {
                        subscribe: Some(prefill),
                        ..Intent::default()
                    };
                    crate::window::open(&handle, intent);
                }
                ShellRequest::Quit => quit(&handle, &engine).await,
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received: quitting");
        let _ = shell_tx.send(ShellRequest::Quit).await;
    });
}

/// Stops the engine (feeds closed, store flushed), then exits.
pub async fn quit<R: Runtime>(app: &tauri::AppHandle<R>, engine: &EngineHandle) {
    shutdown(engine).await;
    app.exit(0);
}

/// Stops the engine, waiting at most [`SHUTDOWN_WAIT`].
pub async fn shutdown(engine: &EngineHandle) {
    match tokio::time::timeout(SHUTDOWN_WAIT, engine.shutdown()).await {
        Ok(Ok(())) => tracing::info!("engine shut down cleanly"),
        Ok(Err(e)) => tracing::debug!(error = %e, "engine already stopped"),
        Err(_) => tracing::error!("engine did not shut down in time"),
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM/SIGINT");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
