//! Calm alerts about feeds themselves, a pure state machine on the gate's clock:
//!
//! - **Connection**: a feed down (from its first failure until it is live again) for longer than its
//!   threshold gets one low-urgency notification; when it is live again that notification is
//!   replaced by "back", which closes itself shortly after. Once per outage, never repeated.
//! - **Silence** (opt-in): a live feed that sent no event for its number of hours gets one
//!   notification, taken away by its next event. Not raised while the feed is down.
//!
//! Neither is shown during quiet hours: a still-down feed is announced when they end, and a
//! feed back before then is never mentioned.

use std::collections::BTreeMap;

use super::Priority;
use super::gate::{Card, Now, Out, Slot, Target};
use super::rule::NotifySettings;
use crate::feed::{FeedId, FeedStatus};

/// How long "back" stays before Herald closes it.
pub const BACK_SHOWN_MS: u64 = 10_000;

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;

#[derive(Debug, Default)]
struct FeedAlerts {
    name: String,
    /// Down since then (wall ms), with the latest error.
    down: Option<(u64, String)>,
    /// "Unreachable" is on screen for the current outage.
    alerted: bool,
    /// "Back" closes then.
    close_back_at: Option<u64>,
    /// Live since then, and the newest event: silence counts from the later one.
    live_since: Option<u64>,
    last_event_ms: u64,
    silence_alerted: bool,
}

/// The alert state of every feed.
#[derive(Debug, Default)]
pub struct Alerts {
    feeds: BTreeMap<FeedId, FeedAlerts>,
}

impl Alerts {
    /// A feed's status changed.
    pub fn on_status(
        &mut self,
        now: &Now,
        feed: &FeedId,
        name: &str,
        status: &FeedStatus,
    ) -> Vec<Out> {
        let state = self.feeds.entry(feed.clone()).or_default();
        name.clone_into(&mut state.name);
        let mut out = Vec::new();
        match status {
            FeedStatus::Live { .. } => {
                state.live_since.get_or_insert(now.wall_ms);
                if let Some((since, _)) = state.down.take()
                    && std::mem::take(&mut state.alerted)
                {
                    let minutes = now.wall_ms.saturating_sub(since).div_ceil(MINUTE_MS);
                    out.push(show(
                        Slot::Connection(feed.clone()),
                        feed,
                        format!("{name} is back"),
                        format!("Connected again after {minutes} min; nothing was missed."),
                        "network.connected",
                    ));
                    state.close_back_at = Some(now.wall_ms + BACK_SHOWN_MS);
                }
            }
            // Connecting again after a failure: still the same outage.
            FeedStatus::Connecting { .. } => state.live_since = None,
            // An outage starts with its first failure (a connect that hangs ends in one).
            FeedStatus::Backoff { error, .. } | FeedStatus::NeedsAttention { error, .. } => {
                state.live_since = None;
                match &mut state.down {
                    Some((_, latest)) => error.message.clone_into(latest),
                    None => state.down = Some((now.wall_ms, error.message.clone())),
                }
            }
            FeedStatus::Stopped { .. } => {
                // Paused by the user, or told to stop by the server: not an outage to report.
                state.down = None;
                state.live_since = None;
                if std::mem::take(&mut state.alerted) {
                    out.push(Out::Close(Slot::Connection(feed.clone())));
                }
            }
        }
        out
    }

    /// An event arrived from `feed`: it is not silent, and a silence alert goes away.
    pub fn on_event(&mut self, now: &Now, feed: &FeedId) -> Vec<Out> {
        let state = self.feeds.entry(feed.clone()).or_default();
        state.last_event_ms = now.wall_ms;
        if std::mem::take(&mut state.silence_alerted) {
            return vec![Out::Close(Slot::Silence(feed.clone()))];
        }
        Vec::new()
    }

    /// What is due at `now` under `rules` (nothing new is shown while `quiet`).
    pub fn tick(&mut self, now: &Now, rules: &NotifySettings, quiet: bool) -> Vec<Out> {
        let mut out = Vec::new();
        for (feed, state) in &mut self.feeds {
            if state.close_back_at.is_some_and(|at| now.wall_ms >= at) {
                state.close_back_at = None;
                out.push(Out::Close(Slot::Connection(feed.clone())));
            }
            if quiet {
                continue;
            }
            let rule = rules.feed(feed);
            if let (Some((since, error)), Some(mins), false) =
                (&state.down, rule.connection_alert_mins, state.alerted)
                && now.wall_ms.saturating_sub(*since) >= u64::from(mins) * MINUTE_MS
            {
                let minutes = now.wall_ms.saturating_sub(*since) / MINUTE_MS;
                let why = error.trim_end_matches('.');
                out.push(show(
                    Slot::Connection(feed.clone()),
                    feed,
                    format!("{} is unreachable", state.name),
                    format!("Down for {minutes} min: {why}. Herald keeps trying and resumes where it stopped."),
                    "network.disconnected",
                ));
                state.alerted = true;
                state.close_back_at = None;
            }
            if let (Some(live), Some(hours), false) = (
                state.live_since,
                rule.silence_alert_hours,
                state.silence_alerted,
            ) && now.wall_ms.saturating_sub(live.max(state.last_event_ms))
                >= u64::from(hours) * HOUR_MS
            {
                out.push(show(
                    Slot::Silence(feed.clone()),
                    feed,
                    format!("No event from {} for {hours} h", state.name),
                    "The feed is connected but quiet: check what sends to it.".to_owned(),
                    "x-herald.alert",
                ));
                state.silence_alerted = true;
            }
        }
        out
    }

    /// When [`Alerts::tick`] next has something to do (wall ms), if ever.
    pub fn next_wake(&self, rules: &NotifySettings) -> Option<u64> {
        let mut wake: Option<u64> = None;
        let mut at = |t: u64| wake = Some(wake.map_or(t, |w| w.min(t)));
        for (feed, state) in &self.feeds {
            if let Some(close) = state.close_back_at {
                at(close);
            }
            let rule = rules.feed(feed);
            if let (Some((since, _)), Some(mins), false) =
                (&state.down, rule.connection_alert_mins, state.alerted)
            {
                at(since + u64::from(mins) * MINUTE_MS);
            }
            if let (Some(live), Some(hours), false) = (
                state.live_since,
                rule.silence_alert_hours,
                state.silence_alerted,
            ) {
                at(live.max(state.last_event_ms) + u64::from(hours) * HOUR_MS);
            }
        }
        wake
    }

    /// Forgets a removed feed.
    pub fn forget(&mut self, feed: &FeedId) {
        self.feeds.remove(feed);
    }
}

fn show(slot: Slot, feed: &FeedId, title: String, body: String, category: &'static str) -> Out {
    Out::Show(
        slot,
        Card {
            title,
            body,
            priority: Priority::Low,
            feed: Some(feed.clone()),
            target: Target::Feed(feed.clone()),
            actions: Vec::new(),
            seqs: Vec::new(),
            category: Some(category),
        },
    )
}

#[cfg(test)]
mod tests;
