//! `herald-engine`: everything Herald does that is not a window.
//!
//! The engine speaks the Server-Sent Events protocol, keeps one long-lived connection per feed,
//! remembers the user's feeds, and decides what becomes an OS notification. It has no Tauri
//! dependency, so all of it is tested without a display; the desktop shell (`herald`) and the
//! `herald tail` command are thin clients of it.
//!
//! # Layout
//! - [`sse`]: the protocol. A push parser with no I/O: bytes in, [`sse::Event`]s out.
//! - [`feed`]: one feed's life: its settings, the HTTP clients and request, the supervisor loop,
//!   the backoff policy, the status the user sees, and the feed test (one connection, its
//!   failure named exactly).
//! - [`engine`]: the actor that owns every feed; callers hold an [`EngineHandle`]. Split into its
//!   handle, the feed registry, the notices and the demo host.
//! - [`settings`]: the settings file in the OS config dir, written atomically, never clobbered;
//!   every edit goes through [`settings::Settings::change`].
//! - [`store`]: SQLite: every event kept, each feed's resume point, search, retention.
//! - [`notify`]: the notification pipeline: rules, templates, policy, the gate (quiet hours,
//!   flood control, catch-up), the dispatcher and the D-Bus sender.
//! - [`demo`]: a small SSE server with realistic events, for the first-run demo and for tests.
//! - [`report`]: what the engine tells its owner (events, statuses, notices): the one sink.
//! - [`triggers`]: what makes every feed reconnect at once (waking from sleep, network changes).
//! - [`instance`]: one app per user: the instance lock and the control socket the CLI uses.
//! - [`files`]: private folders and atomic, user-only file writes.
//! - [`time`]: wall-clock milliseconds, the unit of every timestamp the engine reports.
//! - [`error`]: the crate's error type.
//!
//! # The path of one event
//! socket bytes → [`feed::supervisor`] (reqwest stream, idle watchdog) → [`sse::Parser`] →
//! `FeedMessage` on one bounded channel → [`engine`] actor → [`store`] writer (the replay rule;
//! the event and the feed's last id in one transaction) → after the commit, back to the actor →
//! [`Report::Event`] to the shell, and [`notify::dispatcher`] (template → policy → gate) →
//! [`notify::Notifier`] → OS.
#![deny(missing_docs)]

pub mod demo;
pub mod engine;
pub mod error;
pub mod feed;
pub mod files;
pub mod instance;
pub mod notify;
pub mod report;
pub mod settings;
pub mod sse;
pub mod store;
pub mod triggers;

pub mod time;

pub use engine::{EngineHandle, EngineOptions};
pub use error::Error;
pub use report::{EventRecord, Notice, NoticeLevel, Report};
