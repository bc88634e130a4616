//! Build script: tauri-build embeds tauri.conf.json, the capabilities and the ui/ folder, and
//! makes an `allow-<command>` permission for each of Herald's commands, which
//! capabilities/default.json grants. A command not listed here is refused to the webview.

/// Every `#[tauri::command]` in src/commands.rs (a unit test in src/lib.rs keeps this list,
/// the commands and the invoke handler the same).
const COMMANDS: &[&str] = &[
    "list_feeds",
    "add_feed",
    "update_feed",
    "test_feed",
    "add_demo_feed",
    "remove_feed",
    "reconnect_feed",
    "set_feed_paused",
    "list_events",
    "count_events",
    "unread_counts",
    "mark_read",
    "notices",
    "notification_settings",
    "set_feed_rule",
    "set_notification_defaults",
    "mute_feed",
    "preview_notification",
    "send_test_notification",
    "notification_health",
    "general_settings",
    "set_general_settings",
    "app_info",
    "open_log_folder",
    "open_link",
    "export_feeds",
    "import_feeds",
    "login_start",
    "set_login_start",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
