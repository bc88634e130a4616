//! The tray icon: Herald's face while its window is closed.
//!
//! On Linux the tray (a StatusNotifierItem through libayatana-appindicator) gets no clicks, so
//! everything lives in its menu: Open Herald, the feeds that need attention, Pause all / Resume
//! all, Quiet for 1 hour / until tomorrow / off, the log folder, Quit. The icon shows the state
//! ([`summary::Look`]) and, where the desktop shows a label, the unread count.
//!
//! One task owns the tray. Anything that may change what it shows (every report the bridge
//! forwards, a read mark) only pokes it; the task then reads the engine's state once, works
//! out the [`summary::Summary`] and touches the tray only when that changed.
//!
//! - [`summary`]: what the tray shows, from the feeds, unread count and quiet (pure).

pub mod summary;

use std::time::Duration;

use herald_engine::EngineHandle;
use herald_engine::engine::MuteFor;
use herald_engine::feed::FeedId;
use herald_engine::notify::gate::Now;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc;

use self::summary::{Look, Quiet, Summary};
use crate::window::{self, Intent};

/// The tray's id (appindicator names its item after it).
const ID: &str = "herald";
/// How long after a poke the tray waits for more before it reads the state: a flood of events
/// costs one refresh, not one per batch.
const SETTLE: Duration = Duration::from_millis(300);
/// How often the tray looks again while quiet depends on the clock (a mute's end, quiet hours).
const CLOCK_TICK: Duration = Duration::from_secs(60);

const LIVE_ICON: &[u8] = include_bytes!("../../../icons/tray/live.png");
const ATTENTION_ICON: &[u8] = include_bytes!("../../../icons/tray/attention.png");
const QUIET_ICON: &[u8] = include_bytes!("../../../icons/tray/quiet.png");

/// Tells the tray that something it shows may have changed. Cheap; pokes coalesce.
#[derive(Clone)]
pub struct Poke(mpsc::Sender<()>);

impl Poke {
    /// Asks the tray to look again.
    pub fn poke(&self) {
        let _ = self.0.try_send(()); // full: a refresh is already due
    }
}

/// Puts Herald's icon in the tray and starts the task that keeps it current. Without a tray
/// (no StatusNotifierItem host, no appindicator library) Herald runs on, said in the log; the
/// window and the notifications do not depend on it.
pub fn install<R: Runtime>(app: &AppHandle<R>, engine: EngineHandle) -> Poke {
    let (tx, rx) = mpsc::channel(1);
    let poke = Poke(tx);
    let built = TrayIconBuilder::with_id(ID)
        .icon(icon(Look::Live))
        .tooltip("Herald")
        .temp_dir_path(icon_dir())
        .on_menu_event(on_menu)
        .build(app);
    match built {
        Ok(tray) => {
            tauri::async_runtime::spawn(keep_current(app.clone(), tray, engine, rx));
            poke.poke();
        }
        Err(e) => tracing::warn!(error = %e, "no tray icon: Herald runs without one"),
    }
    poke
}

/// Where the tray library writes the icon files the tray host reads: Herald's runtime dir
/// (private, emptied at logout) rather than a shared /tmp.
fn icon_dir() -> std::path::PathBuf {
    herald_engine::instance::Paths::default_location()
        .and_then(|p| p.lock.parent().map(|dir| dir.join("tray")))
        .unwrap_or_else(|| std::env::temp_dir().join("herald-tray"))
}

fn icon(look: Look) -> Image<'static> {
    let bytes = match look {
        Look::Live => LIVE_ICON,
        Look::Attention => ATTENTION_ICON,
        Look::Quiet => QUIET_ICON,
    };
    Image::from_bytes(bytes).expect("the tray icons are valid PNG files")
}

/// The tray's task: waits for pokes (and the clock, while quiet depends on it), then shows
/// the state if it changed.
async fn keep_current<R: Runtime>(
    app: AppHandle<R>,
    tray: TrayIcon<R>,
    engine: EngineHandle,
    mut pokes: mpsc::Receiver<()>,
) {
    let mut shown: Option<Summary> = None;
    let mut ticking = false;
    loop {
        let poked = if ticking {
            tokio::time::timeout(CLOCK_TICK, pokes.recv()).await.ok()
        } else {
            Some(pokes.recv().await)
        };
        if poked == Some(None) {
            return; // every Poke is gone: the app is ending
        }
        tokio::time::sleep(SETTLE).await;
        while pokes.try_recv().is_ok() {}
        let Some((summary, clock_matters)) = read_state(&engine).await else {
            return; // the engine stopped
        };
        ticking = clock_matters;
        if shown.as_ref() != Some(&summary) {
            show(&app, &tray, &summary);
            shown = Some(summary);
        }
    }
}

/// The summary of the engine's state now, and whether the clock can change it.
async fn read_state(engine: &EngineHandle) -> Option<(Summary, bool)> {
    let feeds = engine.list_feeds().await.ok()?;
    let unread: u64 = engine.unread_counts().await.ok()?.values().sum();
    let rules = engine.notification_settings().await.ok()?;
    let now = Now::local();
    let quiet_hours = rules.quiet.as_ref().is_some_and(|q| q.contains(&now));
    let quiet = Quiet::of(rules.mute, quiet_hours, now.wall_ms);
    let clock_matters = rules.quiet.is_some() || matches!(quiet, Quiet::Muted(Some(_)));
    Some((summary::summarize(&feeds, unread, quiet), clock_matters))
}

fn show<R: Runtime>(app: &AppHandle<R>, tray: &TrayIcon<R>, summary: &Summary) {
    let shown = tray
        .set_icon(Some(icon(summary.look)))
        .and_then(|()| tray.set_title(Some(&summary.title)))
        .and_then(|()| tray.set_tooltip(Some(format!("Herald — {}", summary.status))))
        .and_then(|()| menu(app, summary))
        .and_then(|menu| tray.set_menu(Some(menu)));
    if let Err(e) = shown {
        tracing::warn!(error = %e, "the tray could not be updated");
    }
}

/// Menu item ids.
mod item {
    pub const OPEN: &str = "open";
    pub const PAUSE_ALL: &str = "pause-all";
    pub const RESUME_ALL: &str = "resume-all";
    pub const QUIET_HOUR: &str = "quiet-hour";
    pub const QUIET_TOMORROW: &str = "quiet-tomorrow";
    pub const QUIET_OFF: &str = "quiet-off";
    pub const LOGS: &str = "logs";
    pub const QUIT: &str = "quit";
    /// Followed by a feed id: open the window on that feed.
    pub const FEED: &str = "feed:";
}

/// "14:05" in local time, for a quiet's end.
fn clock_time(ms: u64) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX)) else {
        return String::new();
    };
    ts.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%H:%M")
        .to_string()
}

fn menu<R: Runtime>(app: &AppHandle<R>, s: &Summary) -> tauri::Result<Menu<R>> {
    let entry = |id: &str, text: &str, enabled: bool| {
        MenuItem::with_id(app, id, text, enabled, None::<&str>)
    };
    let status = entry("status", &s.status, false)?;
    let open = entry(item::OPEN, "Open Herald", true)?;
    let troubled = s
        .troubled
        .iter()
        .map(|t| {
            entry(
                &format!("{}{}", item::FEED, t.id),
                &format!("⚠ {}", t.label),
                true,
            )
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let pause = if s.any_running || !s.any_feed {
        entry(item::PAUSE_ALL, "Pause all feeds", s.any_running)?
    } else {
        entry(item::RESUME_ALL, "Resume all feeds", true)?
    };
    let quiet_label = match s.quiet {
        Quiet::Off => "Quiet notifications".to_owned(),
        Quiet::Muted(Some(until)) => format!("Quiet until {}", clock_time(until)),
        Quiet::Muted(None) => "Quiet until turned off".to_owned(),
        Quiet::Hours => "Quiet hours now".to_owned(),
    };
    let muted = matches!(s.quiet, Quiet::Muted(_));
    let quiet = Submenu::with_items(
        app,
        quiet_label,
        true,
        &[
            &entry(item::QUIET_HOUR, "For 1 hour", true)?,
            &entry(item::QUIET_TOMORROW, "Until tomorrow morning", true)?,
            &entry(item::QUIET_OFF, "Off", muted)?,
        ],
    )?;
    let logs = entry(item::LOGS, "Open log folder", true)?;
    let quit = entry(item::QUIT, "Quit Herald", true)?;
    let (sep1, sep2, sep3) = (
        PredefinedMenuItem::separator(app)?,
        PredefinedMenuItem::separator(app)?,
        PredefinedMenuItem::separator(app)?,
    );
    let mut items: Vec<&dyn IsMenuItem<R>> = vec![&open, &status];
    items.extend(troubled.iter().map(|t| t as &dyn IsMenuItem<R>));
    items.extend([
        &sep1 as &dyn IsMenuItem<R>,
        &pause,
        &quiet,
        &sep2,
        &logs,
        &sep3,
        &quit,
    ]);
    Menu::with_items(app, &items)
}

/// What a menu item does.
fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref().to_owned();
    let app = app.clone();
    let engine = app.state::<EngineHandle>().inner().clone();
    tauri::async_runtime::spawn(async move {
        let done = match id.as_str() {
            item::OPEN => {
                window::open(&app, Intent::default());
                Ok(())
            }
            item::PAUSE_ALL => engine.set_all_paused(true).await,
            item::RESUME_ALL => engine.set_all_paused(false).await,
            item::QUIET_HOUR => engine.mute_all(MuteFor::Hour).await.map(drop),
            item::QUIET_TOMORROW => engine.mute_all(MuteFor::UntilTomorrow).await.map(drop),
            item::QUIET_OFF => engine.mute_all(MuteFor::Off).await.map(drop),
            item::LOGS => {
                crate::commands::open_logs(&app);
                Ok(())
            }
            item::QUIT => {
                crate::lifecycle::quit(&app, &engine).await;
                Ok(())
            }
            other => {
                if let Some(feed) = other.strip_prefix(item::FEED) {
                    let intent = Intent {
                        feed: Some(FeedId(feed.to_owned())),
                        seq: None,
                        subscribe: None,
                    };
                    window::open(&app, intent);
                }
                Ok(())
            }
        };
        match done {
            Ok(()) => app.state::<Poke>().poke(),
            Err(e) => tracing::warn!(item = %id, error = %e, "a tray menu item failed"),
        }
    });
}
