//! The user's notification rules: data in [`crate::settings::Settings`], read by the pipeline.
//!
//! Per feed ([`FeedRule`]; a feed without one has the defaults) and for all feeds
//! ([`NotifySettings`]: quiet hours, flood limits, silence rules). Nothing here decides anything:
//! [`super::policy`] and [`super::gate`] do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Priority;
use crate::feed::FeedId;

/// Every notification rule the user set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NotifySettings {
    /// Per-feed rules; a feed that has none uses [`FeedRule::default`].
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub feeds: BTreeMap<FeedId, FeedRule>,
    /// Quiet hours for every feed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<QuietHours>,
    /// How many notifications may be shown how fast.
    pub flood: FloodLimits,
    /// Silence rules for every feed: a title or body containing one (any case) is not notified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub silence: Vec<String>,
    /// Quiet for every feed ("Quiet for 1 hour" in the tray): as a feed's mute, for all of them.
    #[serde(skip_serializing_if = "Mute::is_off")]
    pub mute: Mute,
}

impl NotifySettings {
    /// The rule of `feed` (the defaults when it has none).
    pub fn feed(&self, feed: &FeedId) -> FeedRule {
        self.feeds.get(feed).cloned().unwrap_or_default()
    }
}

/// One feed's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeedRule {
    /// Notifications for this feed at all.
    pub enabled: bool,
    /// Events below this priority are not notified.
    pub min_priority: Priority,
    /// Only these event types are notified; empty: every type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Muted: nothing is notified until then.
    #[serde(skip_serializing_if = "Mute::is_off")]
    pub mute: Mute,
    /// The sound a notification asks for.
    pub sound: Sound,
    /// Where title, body, URL, priority and group come from, instead of the defaults.
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    pub mapping: Mapping,
    /// Silence rules for this feed (as [`NotifySettings::silence`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub silence: Vec<String>,
    /// Say so once when the feed has been down this many minutes; `None`: never.
    pub connection_alert_mins: Option<u32>,
    /// Say so once when a connected feed has sent no event for this many hours; `None`: never.
    pub silence_alert_hours: Option<u32>,
}

/// The connection alert's default threshold, in minutes.
pub const CONNECTION_ALERT_MINS: u32 = 10;

impl Default for FeedRule {
    fn default() -> Self {
        FeedRule {
            enabled: true,
            min_priority: Priority::Min,
            types: Vec::new(),
            mute: Mute::Off,
            sound: Sound::Default,
            mapping: Mapping::default(),
            silence: Vec::new(),
            connection_alert_mins: Some(CONNECTION_ALERT_MINS),
            silence_alert_hours: None,
        }
    }
}

/// Whether a feed is muted, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum Mute {
    /// Not muted.
    #[default]
    Off,
    /// Muted until this wall-clock time, in ms since the Unix epoch.
    Until {
        /// The end.
        until_ms: u64,
    },
    /// Muted until the user unmutes it.
    Forever,
}

impl Mute {
    /// Not muted at all.
    pub fn is_off(&self) -> bool {
        *self == Mute::Off
    }

    /// The longer of two mutes: a feed muted for an hour while every feed is quiet until
    /// tomorrow is quiet until tomorrow.
    pub fn or(self, other: Mute) -> Mute {
        match (self, other) {
            (Mute::Forever, _) | (_, Mute::Forever) => Mute::Forever,
            (Mute::Off, other) | (other, Mute::Off) => other,
            (Mute::Until { until_ms: a }, Mute::Until { until_ms: b }) => {
                Mute::Until { until_ms: a.max(b) }
            }
        }
    }

    /// Muted at wall-clock time `now_ms`.
    pub fn active(&self, now_ms: u64) -> bool {
        match *self {
            Mute::Off => false,
            Mute::Until { until_ms } => now_ms < until_ms,
            Mute::Forever => true,
        }
    }
}

/// The sound of a feed's notifications.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "name")]
pub enum Sound {
    /// The notification server's default sound.
    #[default]
    Default,
    /// A sound by its freedesktop sound-theme name, such as `message-new-instant`.
    Named(String),
    /// No sound (`suppress-sound`).
    None,
}

/// JSON pointers (RFC 6901) into an event's data, each overriding one part of the message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Mapping {
    /// The title, such as `/title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The body, such as `/message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The click URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The priority (a number 1–5, or a name: min, low, default, high, max, urgent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// The group key: events with the same one replace each other on screen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Mapping {
    /// No pointer set: the defaults apply.
    pub fn is_empty(&self) -> bool {
        *self == Mapping::default()
    }
}

/// Quiet hours: on these days, between these times (local), nothing is shown; what arrives is
/// summarised when they end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    /// The days quiet hours start on, Monday = 0 … Sunday = 6. A range that crosses midnight
    /// belongs to the day it starts on.
    pub days: Vec<u8>,
    /// Start, in minutes after local midnight (0–1439).
    pub start_min: u16,
    /// End, in minutes after local midnight; before `start_min`: the next day.
    pub end_min: u16,
    /// Critical (priority 5) events still notify.
    #[serde(default)]
    pub critical_passes: bool,
}

/// Flood control: a token bucket per feed and a cap for all feeds together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FloodLimits {
    /// Notifications a feed may show at once…
    pub feed_burst: u32,
    /// …refilled over this many seconds.
    pub feed_window_secs: u32,
    /// Notifications all feeds together may show per minute.
    pub global_per_minute: u32,
}

impl Default for FloodLimits {
    fn default() -> Self {
        FloodLimits {
            feed_burst: 5,
            feed_window_secs: 10,
            global_per_minute: 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mute;

    #[test]
    fn the_longer_mute_wins() {
        let until = |until_ms| Mute::Until { until_ms };
        assert_eq!(Mute::Off.or(Mute::Off), Mute::Off);
        assert_eq!(Mute::Off.or(until(5)), until(5));
        assert_eq!(until(5).or(Mute::Off), until(5));
        assert_eq!(until(5).or(until(9)), until(9));
        assert_eq!(until(9).or(until(5)), until(9));
        assert_eq!(until(9).or(Mute::Forever), Mute::Forever);
        assert_eq!(Mute::Forever.or(Mute::Off), Mute::Forever);
    }
}
