//! Notifications: a pipeline of small rooms, fed with stored events after the store's commit,
//! one way:
//!
//! - [`rule`]: the user's rules (data kept in the settings): per feed and for all feeds.
//! - [`template`]: an event → a [`Message`] (ntfy's and Gotify's JSON fields, a JSON-pointer
//!   mapping, or the feed's name and the data); [`text`] cuts and escapes, [`link`] keeps only
//!   http(s) URLs.
//! - [`policy`]: pure: is this message notified at all (on/off, priority, types, silence rules)?
//! - [`gate`]: a pure state machine on an injected clock: mute, quiet hours, catch-up, flood
//!   control, replace-by-group.
//! - [`alerts`]: pure: a feed down too long (once, then "back"), or silent too long.
//! - [`dispatcher`]: the task that runs them and the sender, remembers what is on screen
//!   ([`shown`]) and answers clicks through an [`Opener`]; [`present`] cuts a card to size.
//! - [`Notifier`]: who shows it; [`DesktopNotifier`] speaks D-Bus, tests record.

pub mod alerts;
#[cfg(target_os = "linux")]
mod desktop;
pub mod dispatcher;
pub mod gate;
pub mod link;
mod message;
mod opener;
pub mod policy;
pub mod present;
pub mod rule;
mod sender;
pub mod shown;
pub mod template;
pub mod text;

#[cfg(target_os = "linux")]
pub use desktop::DesktopNotifier;
pub use dispatcher::{Input, Pipeline};
pub use message::{Message, Priority, Urgency, ViewAction};
pub use opener::{NoOpener, OpenError, Opener};
pub use sender::{APP_NAME, BoxFuture, DESKTOP_ENTRY, Notification, Notifier, NotifyError, Signal};
