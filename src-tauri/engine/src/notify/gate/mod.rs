//! The gate: a pure state machine on an injected clock that turns messages the policy let
//! through into what is shown — or folded into one summary, or held, or dropped.
//!
//! In the order it asks:
//! 1. **Mute**: a muted feed shows nothing (its events are still stored and shown in the app).
//! 2. **Quiet hours**: held, and summarised per feed once they end (critical ones may pass).
//! 3. **Catch-up**: the burst after a resume or restart is folded into one summary per feed,
//!    shown once the burst has settled ("14 events from Builds while you were away").
//! 4. **Flood control**: a token bucket per feed and one for all feeds; what exceeds them is
//!    folded into "N more from FEED", one notification that updates in place, at most every
//!    [`OVERFLOW_EVERY_MS`].
//! 5. Shown, in a [`Slot`]: an event's own, or its group's (so a group replaces itself).
//!
//! Summaries and alerts are not charged to the buckets: there is at most one per feed. Every
//! card carries the seqs of the events it speaks for, so the dispatcher can record them as
//! notified once it is shown: whatever a crash kept from being shown is summarised next start.

mod bucket;
mod clock;
mod fold;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use self::bucket::Bucket;
pub use self::clock::Now;
use self::fold::Fold;
use super::rule::{FloodLimits, Mute, QuietHours};
use super::{Message, Priority, ViewAction};
use crate::feed::FeedId;

/// How long a catch-up burst must be quiet before its summary is shown…
pub const CATCH_UP_SETTLE_MS: u64 = 1_500;
/// …and the longest a summary waits for a burst that does not stop.
pub const CATCH_UP_MAX_WAIT_MS: u64 = 10_000;
/// The "N more" notification of a flood updates at most this often.
pub const OVERFLOW_EVERY_MS: u64 = 2_000;
/// While events are held for quiet hours, the gate looks at the clock this often.
pub const QUIET_CHECK_MS: u64 = 30_000;

/// Where a notification goes on screen: a slot shown again replaces what it showed before.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// One event's own notification (its store seq).
    Event(u64),
    /// The latest event of a group (a group key, or ntfy's sequence id).
    Group(FeedId, String),
    /// A feed's "N more" during a flood.
    Overflow(FeedId),
    /// A feed's summary after catch-up or quiet hours.
    Summary(FeedId),
    /// A feed's "unreachable" / "back" alert.
    Connection(FeedId),
    /// A feed's "no event for N h" alert.
    Silence(FeedId),
    /// "Send a test notification".
    Test,
    /// Herald's own word to the user (the window closed to the tray).
    App,
}

/// What a click on a notification does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Opens this http(s) URL in the browser.
    Url(String),
    /// Brings Herald forward with this event selected.
    Event {
        /// Its feed.
        feed: FeedId,
        /// Its seq.
        seq: u64,
    },
    /// Brings Herald forward with this feed selected.
    Feed(FeedId),
    /// Brings Herald forward.
    App,
}

/// One notification as the gate decided it: plain text, not cut or escaped yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// Its priority (urgency, and whether quiet hours let it through).
    pub priority: Priority,
    /// The feed it speaks of (its sound), if any.
    pub feed: Option<FeedId>,
    /// What a click does.
    pub target: Target,
    /// Buttons.
    pub actions: Vec<ViewAction>,
    /// The events it speaks for (store seqs): once it is shown, they count as notified.
    pub seqs: Vec<u64>,
    /// The freedesktop category, when the slot's own does not fit (alerts).
    pub category: Option<&'static str>,
}

/// What the gate asks the dispatcher to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// Shows `Card` in `Slot`, replacing what the slot shows.
    Show(Slot, Card),
    /// Takes the slot's notification off the screen.
    Close(Slot),
    /// Nothing to show for these events (muted), but they are dealt with.
    Done(Vec<u64>),
}

/// A message the policy let through, with what the gate needs to know about its event.
#[derive(Debug, Clone)]
pub struct Offer {
    /// The feed.
    pub feed: FeedId,
    /// Its name, for summaries.
    pub feed_name: String,
    /// The event's store seq.
    pub seq: u64,
    /// The rendered message.
    pub message: Message,
    /// It came in a catch-up burst (after a resume, or left over from before a restart).
    pub catch_up: bool,
    /// The feed's mute setting.
    pub mute: Mute,
}

impl Offer {
    fn slot(&self) -> Slot {
        match &self.message.group {
            Some(key) => Slot::Group(self.feed.clone(), key.clone()),
            None => Slot::Event(self.seq),
        }
    }

    fn card(self) -> Card {
        let target = match self.message.click {
            Some(url) => Target::Url(url),
            None => Target::Event {
                feed: self.feed.clone(),
                seq: self.seq,
            },
        };
        Card {
            title: self.message.title,
            body: self.message.body,
            priority: self.message.priority,
            feed: Some(self.feed),
            target,
            actions: self.message.actions,
            seqs: vec![self.seq],
            category: None,
        }
    }
}

/// One feed's flood, catch-up and quiet-hours state.
struct FeedGate {
    bucket: Bucket,
    overflow: Fold,
    /// "N more" counts the whole flood, across its updates.
    overflow_total: u64,
    overflow_shown_ms: Option<u64>,
    catch_up: Fold,
    quiet: Fold,
}

/// The gate. See the module docs for the order of its questions.
pub struct Gate {
    limits: FloodLimits,
    quiet: Option<QuietHours>,
    global: Bucket,
    feeds: BTreeMap<FeedId, FeedGate>,
}

impl Gate {
    /// A gate with full buckets at `now`.
    pub fn new(limits: FloodLimits, quiet: Option<QuietHours>, now: &Now) -> Gate {
        Gate {
            global: Bucket::new(limits.global_per_minute, 60_000, now.wall_ms),
            limits,
            quiet,
            feeds: BTreeMap::new(),
        }
    }

    /// New limits and quiet hours from the settings (buckets restart full).
    pub fn set_rules(&mut self, limits: FloodLimits, quiet: Option<QuietHours>, now: &Now) {
        if limits != self.limits {
            self.global = Bucket::new(limits.global_per_minute, 60_000, now.wall_ms);
            for feed in self.feeds.values_mut() {
                feed.bucket = feed_bucket(&limits, now);
            }
            self.limits = limits;
        }
        self.quiet = quiet;
    }

    /// Quiet hours hold at `now`.
    pub fn is_quiet(&self, now: &Now) -> bool {
        self.quiet.as_ref().is_some_and(|q| q.contains(now))
    }

    /// A message through the gate: shown now, or kept for a summary, or dropped.
    pub fn offer(&mut self, now: &Now, offer: Offer) -> Vec<Out> {
        if offer.mute.active(now.wall_ms) {
            return vec![Out::Done(vec![offer.seq])];
        }
        let critical_passes = self.quiet.as_ref().is_some_and(|q| q.critical_passes);
        let quiet =
            self.is_quiet(now) && !(critical_passes && offer.message.priority == Priority::Max);
        let limits = self.limits;
        let feed = self
            .feeds
            .entry(offer.feed.clone())
            .or_insert_with(|| FeedGate {
                bucket: feed_bucket(&limits, now),
                overflow: Fold::default(),
                overflow_total: 0,
                overflow_shown_ms: None,
                catch_up: Fold::default(),
                quiet: Fold::default(),
            });
        let (name, slot) = (offer.feed_name.clone(), offer.slot());
        if quiet {
            feed.quiet.add(now, &name, slot, offer.card());
        } else if offer.catch_up {
            feed.catch_up.add(now, &name, slot, offer.card());
        } else if feed.bucket.has_token(now.wall_ms) && self.global.has_token(now.wall_ms) {
            feed.bucket.take();
            self.global.take();
            return vec![Out::Show(slot, offer.card())];
        } else {
            feed.overflow.add(now, &name, slot, offer.card());
            feed.overflow_total += 1;
        }
        Vec::new()
    }

    /// What is due at `now`: summaries of settled catch-up bursts and of quiet hours that
    /// ended, and the "N more" of floods.
    pub fn tick(&mut self, now: &Now) -> Vec<Out> {
        let quiet = self.is_quiet(now);
        let mut out = Vec::new();
        for (id, feed) in &mut self.feeds {
            if !quiet && !feed.quiet.is_empty() {
                out.push(feed.quiet.take(summary(id), id, true, |n, name| {
                    format!("{n} events from {name} during quiet hours")
                }));
            }
            if !feed.catch_up.is_empty() && now.wall_ms >= catch_up_due(&feed.catch_up) {
                if quiet {
                    let held = std::mem::take(&mut feed.catch_up);
                    feed.quiet.merge(held);
                } else {
                    out.push(feed.catch_up.take(summary(id), id, true, |n, name| {
                        format!("{n} events from {name} while you were away")
                    }));
                }
            }
            if !feed.overflow.is_empty() {
                if quiet {
                    let held = std::mem::take(&mut feed.overflow);
                    feed.quiet.merge(held);
                } else if now.wall_ms >= overflow_due(feed) {
                    let total = feed.overflow_total;
                    let slot = Slot::Overflow(id.clone());
                    out.push(feed.overflow.take(slot, id, total == 1, |_, name| {
                        format!("{total} more from {name}")
                    }));
                    feed.overflow_shown_ms = Some(now.wall_ms);
                }
            } else if feed.overflow_total > 0 && feed.bucket.is_full(now.wall_ms) {
                feed.overflow_total = 0;
                feed.overflow_shown_ms = None;
            }
        }
        out
    }

    /// When [`Gate::tick`] next has something to do (wall ms), if ever.
    pub fn next_wake(&self, now: &Now) -> Option<u64> {
        let mut wake: Option<u64> = None;
        let mut at = |t: u64| wake = Some(wake.map_or(t, |w| w.min(t)));
        for feed in self.feeds.values() {
            if !feed.quiet.is_empty() {
                at(now.wall_ms + QUIET_CHECK_MS);
            }
            if !feed.catch_up.is_empty() {
                at(catch_up_due(&feed.catch_up));
            }
            if !feed.overflow.is_empty() {
                at(overflow_due(feed));
            } else if feed.overflow_total > 0 {
                // Until its bucket is full again, a flood is the same flood.
                at(now.wall_ms + OVERFLOW_EVERY_MS);
            }
        }
        wake
    }

    /// Forgets a feed that was removed.
    pub fn forget(&mut self, feed: &FeedId) {
        self.feeds.remove(feed);
    }
}

fn summary(feed: &FeedId) -> Slot {
    Slot::Summary(feed.clone())
}

fn feed_bucket(limits: &FloodLimits, now: &Now) -> Bucket {
    Bucket::new(
        limits.feed_burst,
        u64::from(limits.feed_window_secs) * 1_000,
        now.wall_ms,
    )
}

fn catch_up_due(fold: &Fold) -> u64 {
    (fold.last_ms + CATCH_UP_SETTLE_MS).min(fold.first_ms + CATCH_UP_MAX_WAIT_MS)
}

/// The first "N more" of a flood waits a little for the flood to show its size; later ones
/// follow at most every [`OVERFLOW_EVERY_MS`].
fn overflow_due(feed: &FeedGate) -> u64 {
    match feed.overflow_shown_ms {
        None => feed.overflow.first_ms + OVERFLOW_EVERY_MS,
        Some(shown) => feed.overflow.first_ms.max(shown + OVERFLOW_EVERY_MS),
    }
}
