//! The commands the UI invokes. Each parses its arguments, calls the engine and maps errors;
//! names match the JS `invoke` names.

use herald_engine::feed::{FeedDraft, FeedId};
use herald_engine::report::FeedView;
use herald_engine::{EngineHandle, EventRecord, Notice};
use tauri::State;

use crate::error::IpcError;

/// The most events the UI may ask for at once.
const MAX_RECENT: usize = 1000;

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

/// Recent events, newest first.
#[tauri::command]
pub async fn recent_events(
    engine: State<'_, EngineHandle>,
    limit: Option<usize>,
) -> Result<Vec<EventRecord>, IpcError> {
    let limit = limit.unwrap_or(200).min(MAX_RECENT);
    Ok(engine.recent_events(limit).await?)
}

/// Notices raised since startup.
#[tauri::command]
pub async fn notices(engine: State<'_, EngineHandle>) -> Result<Vec<Notice>, IpcError> {
    Ok(engine.notices().await?)
}
