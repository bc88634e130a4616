//! The main window: built on demand, destroyed on close.
//!
//! Closing the window destroys it and its webview — the web process's memory goes back to the
//! system — while the engine keeps every feed, the store and the notifications running. Open
//! (the tray, a second launch, a notification click) builds it again from the configuration;
//! the UI loads its state from the store as at any start. The first close ever says, once,
//! that Herald keeps running in the tray.

use herald_engine::EngineHandle;
use herald_engine::feed::FeedId;
use herald_engine::settings::hints;
use serde::Serialize;
use tauri::{Emitter, Manager, Runtime, WebviewWindowBuilder};

/// The main window's label (tauri.conf.json, the capability).
pub const MAIN: &str = "main";

/// What the window should show when it opens: a feed, an event of it, or just itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// Select this feed.
    #[serde(rename = "feedId")]
    pub feed: Option<FeedId>,
    /// Open this event (a store seq).
    pub seq: Option<u64>,
}

impl Intent {
    fn is_empty(&self) -> bool {
        self.feed.is_none() && self.seq.is_none()
    }
}

/// The payload of [`crate::bridge::ACTIVATE`].
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ActivatePayload<'a> {
    feed_id: Option<&'a FeedId>,
    seq: Option<u64>,
}

/// Brings the main window forward, building it if it is closed, and shows `intent` in it.
pub fn open<R: Runtime>(app: &tauri::AppHandle<R>, intent: Intent) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if !intent.is_empty() {
            let payload = ActivatePayload {
                feed_id: intent.feed.as_ref(),
                seq: intent.seq,
            };
            if let Err(e) = window.emit(crate::bridge::ACTIVATE, payload) {
                tracing::warn!(error = %e, "cannot send the window what to show");
            }
        }
        return;
    }
    if let Err(e) = build(app, &intent) {
        tracing::error!(error = %e, "the window could not be opened");
    }
}

/// Builds the main window from tauri.conf.json. A fresh page has no listener yet, so the
/// intent goes in as a value the UI reads when it starts (`window.heraldIntent`).
fn build<R: Runtime>(app: &tauri::AppHandle<R>, intent: &Intent) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    if !intent.is_empty() {
        // JSON is a JavaScript expression; the ids in it are Herald's own.
        let json = serde_json::to_string(intent).unwrap_or_else(|_| "null".into());
        builder = builder.initialization_script(format!("window.heraldIntent = {json};"));
    }
    builder.build()?;
    Ok(())
}

/// The user closed the window: the first time ever, say that Herald keeps running.
pub fn closed<R: Runtime>(app: &tauri::AppHandle<R>) {
    let engine = app.state::<EngineHandle>().inner().clone();
    tauri::async_runtime::spawn(async move {
        match engine.first_time(hints::CLOSED_TO_TRAY).await {
            Ok(true) => {
                let title = "Herald is still running".to_owned();
                let body = "Your feeds stay connected and notify you. Open Herald again from \
                            its tray icon; quit it from the tray menu."
                    .to_owned();
                if let Ok(Err(e)) = engine.tell(title, body).await {
                    tracing::info!(error = %e, "the closed-to-tray hint was not shown");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "closed-to-tray hint not recorded"),
        }
    });
}
