//! `herald`: the desktop shell around `herald-engine`.
//!
//! Thin on purpose: it starts the engine, exposes it to the web UI through a few commands, and
//! turns the engine's reports into UI events. Everything else lives in the engine, where it is
//! tested without a display.
//!
//! - [`cli`]: the command line (`herald`, `herald tail`, `herald demo-server`).
//! - [`commands`]: the `#[tauri::command]`s the UI invokes.
//! - [`models`]: what the shell itself sends the UI (app info, where an export went).
//! - [`bridge`]: the one place engine reports become UI events.
//! - [`error`]: the error the UI receives, as `{code, message, field?}`.
//! - [`logging`]: tracing to stderr and to a log file in the OS data dir.
//! - [`lifecycle`]: one instance, the control socket, signals, a clean end.
//! - [`window`]: the main window, built on demand and destroyed on close.
//! - [`tray`]: the tray icon and its menu, kept current by one task.

pub mod bridge;
pub mod cli;
pub mod commands;
pub mod error;
pub mod lifecycle;
pub mod logging;
pub mod models;
pub mod tray;
pub mod window;

use std::sync::Arc;

use anyhow::Context;
use herald_engine::instance::Paths;
use herald_engine::notify::DesktopNotifier;
use herald_engine::settings::SettingsFile;
use herald_engine::{EngineHandle, EngineOptions};
use tauri::{Manager, Runtime};

/// Runs the desktop app until it quits (or hands over to the Herald already running). The
/// window opens on `open`, or with `None` it starts in the tray without it (as at login).
pub fn run(open: Option<window::Intent>) -> anyhow::Result<()> {
    let _log = logging::init(logging::Target::StderrAndFile)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Herald starting");
    let handed = open.clone().unwrap_or_default();
    let (lock, paths) = match lifecycle::claim(&handed)? {
        lifecycle::Launch::First(lock, paths) => (lock, paths),
        lifecycle::Launch::Second => return Ok(()),
    };
    let app = build_app(tauri::Builder::default(), Some(paths), open)
        .build(tauri::generate_context!())
        .context("the desktop app failed to start")?;
    app.run(move |app, event| match event {
        // The window closed: Herald lives on in the tray. Quit (`app.exit`) has a code.
        tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::CloseRequested { .. },
            ..
        } if label == window::MAIN => window::closed(app),
        tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } if label == window::MAIN => window::destroyed(),
        tauri::RunEvent::Exit => {
            // Quit or a signal: nothing received may be lost on the way out.
            let engine = app.state::<EngineHandle>().inner().clone();
            tauri::async_runtime::block_on(lifecycle::shutdown(&engine));
            let _ = &lock; // held until here
        }
        _ => {}
    });
    Ok(())
}

/// The app's builder, generic over the runtime so tests can pass `tauri::test::mock_builder()`.
/// With `instance` (the lock is held), it serves the control socket there; with `open`, the
/// window opens at once, on what it says.
pub fn build_app<R: Runtime>(
    builder: tauri::Builder<R>,
    instance: Option<Paths>,
    open: Option<window::Intent>,
) -> tauri::Builder<R> {
    use tauri_plugin_window_state::StateFlags;
    // Size, maximized and (where the desktop allows: not on Wayland) position, across closes
    // and restarts.
    let window_state = tauri_plugin_window_state::Builder::default()
        .with_state_flags(StateFlags::SIZE | StateFlags::MAXIMIZED | StateFlags::POSITION)
        .build();
    builder
        .plugin(tauri_plugin_opener::init())
        .plugin(window_state)
        // Start at login: an entry in the desktop's autostart folder that starts Herald in the
        // tray. Turned on and off from the settings screen only.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .invoke_handler(tauri::generate_handler![
            commands::list_feeds,
            commands::add_feed,
            commands::update_feed,
            commands::test_feed,
            commands::add_demo_feed,
            commands::remove_feed,
            commands::reconnect_feed,
            commands::set_feed_paused,
            commands::list_events,
            commands::count_events,
            commands::unread_counts,
            commands::mark_read,
            commands::notices,
            commands::notification_settings,
            commands::set_feed_rule,
            commands::set_notification_defaults,
            commands::mute_feed,
            commands::preview_notification,
            commands::send_test_notification,
            commands::notification_health,
            commands::general_settings,
            commands::set_general_settings,
            commands::app_info,
            commands::open_log_folder,
            commands::open_link,
            commands::export_feeds,
            commands::import_feeds,
            commands::login_start,
            commands::set_login_start,
        ])
        .setup(move |app| {
            let (engine, reports) = start_engine(app.handle())?;
            let poke = tray::install(app.handle(), engine.clone());
            app.manage(poke.clone());
            tauri::async_runtime::spawn(bridge::run(app.handle().clone(), reports, poke));
            if let Some(paths) = &instance {
                lifecycle::serve(app.handle(), engine, paths);
            }
            if let Some(intent) = open.clone() {
                window::open(app.handle(), intent);
            }
            Ok(())
        })
}

/// Opens links in the system browser (the opener plugin): notification clicks and the UI's
/// `open_link`.
pub(crate) struct BrowserOpener<R: Runtime>(pub(crate) tauri::AppHandle<R>);

impl<R: Runtime> herald_engine::notify::Opener for BrowserOpener<R> {
    fn open(&self, url: &str) -> Result<(), herald_engine::notify::OpenError> {
        use tauri_plugin_opener::OpenerExt;
        self.0
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| herald_engine::notify::OpenError::Failed(e.to_string()))
    }
}

/// The icon notifications carry: the installed theme icon when the package put one there, else
/// a copy of the app icon beside the store (the notification server reads it by path).
fn notification_icon(store: &std::path::Path) -> String {
    const INSTALLED: &str = "/usr/share/icons/hicolor/128x128/apps/herald.png";
    const ICON: &[u8] = include_bytes!("../../icons/128x128.png");
    if std::path::Path::new(INSTALLED).exists() {
        return "herald".into();
    }
    let Some(dir) = store.parent() else {
        return String::new();
    };
    let path = dir.join("icon.png");
    if std::fs::read(&path).ok().as_deref() != Some(ICON) {
        let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, ICON));
        if let Err(e) = written {
            tracing::debug!(error = %e, "notification icon not written");
            return String::new();
        }
    }
    path.display().to_string()
}

/// Starts the engine on Tauri's runtime; returns it and its reports, for the bridge.
fn start_engine<R: Runtime>(
    app: &tauri::AppHandle<R>,
) -> anyhow::Result<(
    EngineHandle,
    tokio::sync::mpsc::Receiver<herald_engine::Report>,
)> {
    let settings = SettingsFile::default_location()?;
    let store = herald_engine::store::default_path().context("cannot find a data directory")?;
    let logs = logging::log_dir().context("cannot find a data directory")?;
    app.manage(models::AppInfo::new(settings.path(), &store, &logs));
    let icon = notification_icon(&store);
    let mut options = EngineOptions::new(settings, store, Arc::new(DesktopNotifier::new(icon)));
    options.opener = Arc::new(BrowserOpener(app.clone()));
    // Lets tests (and anyone whose port 47801 is taken) move the demo feed elsewhere.
    if let Some(port) = std::env::var("HERALD_DEMO_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        options.demo_port = port;
    }
    // `start` spawns tasks, so it must run inside the runtime.
    let (engine, reports) =
        tauri::async_runtime::block_on(async { herald_engine::engine::start(options) });
    app.manage(engine.clone());
    Ok((engine, reports))
}

#[cfg(test)]
mod tests {
    /// The quoted names in `list`, the text between `start` and the next `]`.
    fn between<'a>(text: &'a str, start: &str) -> &'a str {
        let from = text.find(start).expect("the list is there") + start.len();
        let to = from + text[from..].find(']').expect("the list ends");
        &text[from..to]
    }

    #[test]
    fn every_command_is_registered_and_permitted() {
        let mut defined: Vec<&str> = include_str!("commands.rs")
            .split("#[tauri::command]")
            .skip(1)
            .filter_map(|rest| {
                let name = rest.split("fn ").nth(1)?;
                name.split(['(', '<']).next()
            })
            .collect();
        let mut handled: Vec<&str> = between(include_str!("lib.rs"), "generate_handler![")
            .split(',')
            .filter_map(|entry| entry.trim().strip_prefix("commands::"))
            .collect();
        let mut permitted: Vec<&str> =
            between(include_str!("../build.rs"), "COMMANDS: &[&str] = &[")
                .split(',')
                .map(|entry| entry.trim().trim_matches('"'))
                .filter(|name| !name.is_empty())
                .collect();
        for list in [&mut defined, &mut handled, &mut permitted] {
            list.sort_unstable();
        }
        assert_eq!(defined.len(), 29);
        assert_eq!(handled, defined, "lib.rs's invoke handler");
        assert_eq!(permitted, defined, "build.rs's COMMANDS");
    }
}
