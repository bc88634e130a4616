//! The commands the UI invokes. Each parses its arguments, calls the engine and maps errors;
//! names match the JS `invoke` names.

use std::collections::HashMap;

use herald_engine::engine::MuteFor;
use herald_engine::feed::probe::FeedTest;
use herald_engine::feed::{FeedDraft, FeedId};
use herald_engine::notify::rule::{FeedRule, Mapping, Mute, NotifySettings};
use herald_engine::notify::{Message, Opener, link};
use herald_engine::report::{FeedView, NotifyHealth};
use herald_engine::settings::GeneralSettings;
use herald_engine::settings::feeds::{self, Exported, ImportSummary};
use herald_engine::store::{Query, ReadMark};
use herald_engine::{EngineHandle, EventRecord, Notice};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::BrowserOpener;
use crate::error::IpcError;
use crate::models::{AppInfo, ExportResult};

/// Every feed with its status.
#[tauri::command]
pub async fn list_feeds(engine: State<'_, EngineHandle>) -> Result<Vec<FeedView>, IpcError> {
    Ok(engine.list_feeds().await?)
}

/// Validates, saves and starts a feed from the settings form.
#[tauri::command]
pub async fn add_feed(
    engine: State<'_, EngineHandle>,
    draft: FeedDraft,
) -> Result<FeedView, IpcError> {
    Ok(engine.add_feed(draft).await?)
}

/// Saves an edit of feed `id` and reconnects it; a header whose value is left blank keeps
/// its saved value.
#[tauri::command]
pub async fn update_feed(
    engine: State<'_, EngineHandle>,
    id: String,
    draft: FeedDraft,
) -> Result<FeedView, IpcError> {
    Ok(engine.update_feed(FeedId(id), draft).await?)
}

/// Connects once with the draft's request (as an edit of feed `id` when given) and says what
/// came back; saves nothing. An invalid draft is refused as `add_feed` refuses it.
#[tauri::command]
pub async fn test_feed(
    engine: State<'_, EngineHandle>,
    draft: FeedDraft,
    id: Option<String>,
) -> Result<FeedTest, IpcError> {
    Ok(engine.test_feed(draft, id.map(FeedId)).await?)
}

/// Subscribes the built-in demo feed.
#[tauri::command]
pub async fn add_demo_feed(engine: State<'_, EngineHandle>) -> Result<FeedView, IpcError> {
    Ok(engine.add_demo_feed().await?)
}

/// Stops and forgets a feed.
#[tauri::command]
pub async fn remove_feed(engine: State<'_, EngineHandle>, id: String) -> Result<(), IpcError> {
    Ok(engine.remove_feed(FeedId(id)).await?)
}

/// Drops a feed's connection or wait and connects now.
#[tauri::command]
pub async fn reconnect_feed(engine: State<'_, EngineHandle>, id: String) -> Result<(), IpcError> {
    Ok(engine.reconnect(FeedId(id)).await?)
}

/// Pauses (`paused: true`) or resumes a feed.
#[tauri::command]
pub async fn set_feed_paused(
    engine: State<'_, EngineHandle>,
    id: String,
    paused: bool,
) -> Result<(), IpcError> {
    Ok(engine.set_paused(FeedId(id), paused).await?)
}

/// One page of stored events, newest first: the newest page, or the one `before` a seq, with
/// the filters and search of `query`.
#[tauri::command]
pub async fn list_events(
    engine: State<'_, EngineHandle>,
    query: Query,
) -> Result<Vec<EventRecord>, IpcError> {
    Ok(engine.events(query).await?)
}

/// How many stored events match `query` (its `offset` and `limit` ignored).
#[tauri::command]
pub async fn count_events(engine: State<'_, EngineHandle>, query: Query) -> Result<u64, IpcError> {
    Ok(engine.count_events(query).await?)
}

/// Unread events per feed id (feeds with none left out).
#[tauri::command]
pub async fn unread_counts(
    engine: State<'_, EngineHandle>,
) -> Result<HashMap<FeedId, u64>, IpcError> {
    Ok(engine.unread_counts().await?)
}

/// Marks events read: one (`seq`), a feed's (`feedId`), or all (neither).
#[tauri::command]
pub async fn mark_read(
    engine: State<'_, EngineHandle>,
    tray: State<'_, crate::tray::Poke>,
    seq: Option<u64>,
    feed_id: Option<String>,
) -> Result<(), IpcError> {
    let mark = match (seq, feed_id) {
        (Some(seq), _) => ReadMark::Event(seq),
        (None, Some(feed)) => ReadMark::Feed(FeedId(feed)),
        (None, None) => ReadMark::All,
    };
    engine.mark_read(mark).await?;
    tray.poke(); // the unread count beside the icon
    Ok(())
}

/// Notices raised since startup.
#[tauri::command]
pub async fn notices(engine: State<'_, EngineHandle>) -> Result<Vec<Notice>, IpcError> {
    Ok(engine.notices().await?)
}

/// The notification rules: per feed (by id), quiet hours, flood limits, silence rules.
#[tauri::command]
pub async fn notification_settings(
    engine: State<'_, EngineHandle>,
) -> Result<NotifySettings, IpcError> {
    Ok(engine.notification_settings().await?)
}

/// Saves one feed's notification rule.
#[tauri::command]
pub async fn set_feed_rule(
    engine: State<'_, EngineHandle>,
    id: String,
    rule: FeedRule,
) -> Result<(), IpcError> {
    Ok(engine.set_feed_rule(FeedId(id), rule).await?)
}

/// Saves quiet hours, flood limits and the silence rules for every feed.
#[tauri::command]
pub async fn set_notification_defaults(
    engine: State<'_, EngineHandle>,
    rules: NotifySettings,
) -> Result<(), IpcError> {
    Ok(engine.set_notification_defaults(rules).await?)
}

/// Mutes a feed for `1 h`, `8 h`, until tomorrow, until unmuted, or unmutes it (`off`);
/// answers with the mute as saved (its end time included).
#[tauri::command]
pub async fn mute_feed(
    engine: State<'_, EngineHandle>,
    id: String,
    how_long: MuteFor,
) -> Result<Mute, IpcError> {
    Ok(engine.mute(FeedId(id), how_long).await?)
}

/// The feed's newest stored event as a notification with `mapping` (the editor's live
/// preview), or `null` when the feed has no event yet.
#[tauri::command]
pub async fn preview_notification(
    engine: State<'_, EngineHandle>,
    id: String,
    mapping: Mapping,
) -> Result<Option<Message>, IpcError> {
    Ok(engine.preview_notification(FeedId(id), mapping).await?)
}

/// Whether notifications work: `{problem}` says why not (null while they do).
#[tauri::command]
pub async fn notification_health(
    engine: State<'_, EngineHandle>,
) -> Result<NotifyHealth, IpcError> {
    Ok(engine.notification_health().await?)
}

/// Shows a test notification; the error says why it could not be shown (no notification
/// service, or it refused).
#[tauri::command]
pub async fn send_test_notification(engine: State<'_, EngineHandle>) -> Result<(), IpcError> {
    engine
        .send_test_notification()
        .await?
        .map_err(|e| IpcError {
            code: "failed",
            message: format!("The test notification was not shown: {e}."),
            field: None,
        })
}

/// Whether Herald starts when the user logs in (its entry in the autostart folder).
#[tauri::command]
pub fn login_start<R: Runtime>(app: AppHandle<R>) -> Result<bool, IpcError> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(|e| {
        IpcError::failed(format!(
            "Herald cannot tell whether it starts at login: {e}."
        ))
    })
}

/// Starts Herald at login, in the tray (`--hidden`), or no longer.
#[tauri::command]
pub fn set_login_start<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<(), IpcError> {
    use tauri_plugin_autostart::ManagerExt;
    let manager = app.autolaunch();
    let done = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    done.map_err(|e| {
        let what = if enabled { "turned on" } else { "turned off" };
        IpcError::failed(format!(
            "Starting at login could not be {what}: {e}. Check that your autostart folder              (~/.config/autostart) is writable."
        ))
    })?;
    tracing::info!(enabled, "start at login changed");
    Ok(())
}

/// The settings for the whole app: default retention and theme.
#[tauri::command]
pub async fn general_settings(
    engine: State<'_, EngineHandle>,
) -> Result<GeneralSettings, IpcError> {
    Ok(engine.general_settings().await?)
}

/// Saves the settings for the whole app (the store prunes to a new retention).
#[tauri::command]
pub async fn set_general_settings(
    engine: State<'_, EngineHandle>,
    settings: GeneralSettings,
) -> Result<(), IpcError> {
    Ok(engine.set_general_settings(settings).await?)
}

/// Herald's version and where it keeps its files.
#[tauri::command]
pub fn app_info(info: State<'_, AppInfo>) -> AppInfo {
    info.inner().clone()
}

/// Opens the folder of the log files in the system's file manager.
#[tauri::command]
pub fn open_log_folder<R: Runtime>(
    app: AppHandle<R>,
    info: State<'_, AppInfo>,
) -> Result<(), IpcError> {
    use tauri_plugin_opener::OpenerExt;
    // The logger made it at startup; it may have been removed since.
    let _ = std::fs::create_dir_all(&info.log_dir);
    app.opener()
        .open_path(info.log_dir.clone(), None::<&str>)
        .map_err(|e| IpcError::failed(format!("The log folder could not be opened: {e}.")))
}

/// Opens the log folder for the tray menu, which has nowhere to show an error but the log.
pub(crate) fn open_logs<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = open_log_folder(app.clone(), app.state::<AppInfo>()) {
        tracing::warn!(error = %e.message, "the log folder could not be opened");
    }
}

/// Opens an http(s) link in the browser, as a notification click does; anything else is
/// refused (`refused`).
#[tauri::command]
pub fn open_link<R: Runtime>(app: AppHandle<R>, url: String) -> Result<(), IpcError> {
    let url = link::http_url(&url).map_err(|why| IpcError {
        code: "refused",
        message: format!("Herald opens only web links (http and https): {why}."),
        field: None,
    })?;
    BrowserOpener(app)
        .open(&url)
        .map_err(|e| IpcError::failed(format!("The link could not be opened: {e}.")))
}

/// Writes the feed list (header values only `with_secrets`) as a user-only
/// `herald-feeds-YYYY-MM-DD.json` in the Downloads folder (else the home folder).
#[tauri::command]
pub async fn export_feeds(
    engine: State<'_, EngineHandle>,
    with_secrets: bool,
) -> Result<ExportResult, IpcError> {
    let exported = engine.export_feeds(with_secrets).await?;
    let folder = feeds::export_folder()
        .ok_or_else(|| IpcError::failed("There is no home folder to write the export to."))?;
    let count = exported.feeds.len();
    let written = tauri::async_runtime::spawn_blocking(move || exported.write_into(&folder))
        .await
        .map_err(|e| IpcError::failed(format!("The export was not written: {e}.")))?;
    let path =
        written.map_err(|e| IpcError::failed(format!("The export was not written: {e}.")))?;
    tracing::info!(path = %path.display(), count, with_secrets, "feeds exported");
    Ok(ExportResult {
        path: path.display().to_string(),
        count,
    })
}

/// Adds or updates the feeds of an export's text; text that is not an export is `invalid`.
#[tauri::command]
pub async fn import_feeds(
    engine: State<'_, EngineHandle>,
    json: String,
) -> Result<ImportSummary, IpcError> {
    let exported = Exported::parse(&json)?;
    Ok(engine.import_feeds(exported).await?)
}
