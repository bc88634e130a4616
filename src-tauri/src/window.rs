//! The main window: built on demand, destroyed on close.
//!
//! Closing the window destroys it and its webview — the web process's memory goes back to the
//! system — while the engine keeps every feed, the store and the notifications running. Open
//! (the tray, a second launch, a notification click) builds it again from the configuration;
//! the UI loads its state from the store as at any start. The first close ever says, once,
//! that Herald keeps running in the tray (or, on a desktop without one, how to open it again).

use herald_engine::EngineHandle;
use herald_engine::feed::FeedId;
use herald_engine::settings::hints;
use serde::Serialize;
use tauri::{Emitter, Manager, Runtime, WebviewWindowBuilder};

/// The main window's label (tauri.conf.json, the capability).
pub const MAIN: &str = "main";

/// What the window should show when it opens: a feed, an event of it, the editor prefilled
/// for a new feed, or just itself. Sent as it is to the UI ([`crate::bridge::ACTIVATE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// Select this feed.
    #[serde(rename = "feedId")]
    pub feed: Option<FeedId>,
    /// Open this event (a store seq).
    pub seq: Option<u64>,
    /// Open the editor on a new feed with these fields (nothing is saved until the user does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<Prefill>,
}

/// A new feed's fields from a subscribe link or `herald subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prefill {
    /// The URL (already checked to be http or https).
    pub url: String,
    /// The name, if one was given.
    pub name: Option<String>,
}

impl Intent {
    /// Nothing to show but the window.
    pub fn is_empty(&self) -> bool {
        self.feed.is_none() && self.seq.is_none() && self.subscribe.is_none()
    }
}

/// Brings the main window forward, building it if it is closed, and shows `intent` in it.
pub fn open<R: Runtime>(app: &tauri::AppHandle<R>, intent: Intent) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if !intent.is_empty()
            && let Err(e) = window.emit(crate::bridge::ACTIVATE, &intent)
        {
            tracing::warn!(error = %e, "cannot send the window what to show");
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
                let body = if tray_shown().await {
                    "Your feeds stay connected and notify you. Open Herald again from its tray \
                     icon; quit it from the tray menu."
                } else {
                    // GNOME without an AppIndicator extension shows no tray icons at all.
                    "Your feeds stay connected and notify you. This desktop shows no tray icons: \
                     start Herald again from your applications to open it; quit it with \
                     `herald quit`."
                }
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

/// Whether the desktop shows tray icons now: a panel owns the StatusNotifierWatcher name on
/// the session bus (where libappindicator registers Herald's icon).
async fn tray_shown() -> bool {
    let Ok(connection) = zbus::Connection::session().await else {
        return false;
    };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&connection).await else {
        return false;
    };
    let name =
        zbus::names::BusName::try_from("org.kde.StatusNotifierWatcher").expect("a valid bus name");
    dbus.name_has_owner(name).await.unwrap_or(false)
}

/// How long after the window is gone its memory is given back: the webview's last frees
/// happen on the main loop after the destroy event.
const TRIM_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// The window and its webview are gone: once their last frees have run, hand the heap they used
/// back to the system. glibc keeps freed memory for reuse otherwise, and a window closed to
/// the tray would cost as much as an open one.
pub fn destroyed() {
    tauri::async_runtime::spawn(async {
        tokio::time::sleep(TRIM_AFTER).await;
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only releases free memory at the top of, and inside, the heap.
        unsafe {
            libc::malloc_trim(0);
        }
    });
}
