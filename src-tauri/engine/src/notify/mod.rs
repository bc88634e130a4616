//! Notifications: what an event looks like as one ([`policy`]), and who shows it ([`Notifier`]).
//!
//! The engine decides *what* to show; a [`Notifier`] only shows it. The desktop app uses
//! [`DesktopNotifier`] (notify-rust, over D-Bus on Linux); unit tests use a recording notifier.

pub mod policy;
mod sender;

pub use policy::Notification;
pub use sender::{APP_NAME, DesktopNotifier, Notifier, NotifyError, spawn_dispatcher};
