//! What the tray shows, worked out from the engine's state: pure, so it is tested without a tray.
//!
//! The icon has three looks — all live, something needs attention, paused or quiet — and the
//! menu names the feeds that need attention. A feed that is merely reconnecting does not count:
//! Herald says nothing about a drop it is already mending, only about one that lasts.

use herald_engine::feed::{FeedId, FeedStatus};
use herald_engine::notify::rule::Mute;
use herald_engine::report::FeedView;

/// Failures in a row after which a reconnecting feed counts as needing attention.
const ATTENTION_AFTER_ATTEMPTS: u32 = 3;
/// The longest feed label in the menu, in characters.
const MAX_LABEL_CHARS: usize = 60;

/// The icon's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Every running feed is live (or on its way), notifications on.
    Live,
    /// At least one feed needs the user.
    Attention,
    /// Notifications are quiet, or every feed is paused.
    Quiet,
}

/// Whether notifications are quiet now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quiet {
    /// They are on.
    Off,
    /// "Quiet" from the tray, until this wall-clock time (ms) or, with `None`, until turned off.
    Muted(Option<u64>),
    /// The user's quiet hours hold now.
    Hours,
}

impl Quiet {
    /// The quiet that a mute for every feed and the quiet hours make at `now_ms`.
    pub fn of(mute: Mute, quiet_hours_now: bool, now_ms: u64) -> Quiet {
        match mute {
            Mute::Forever => Quiet::Muted(None),
            Mute::Until { until_ms } if now_ms < until_ms => Quiet::Muted(Some(until_ms)),
            _ if quiet_hours_now => Quiet::Hours,
            _ => Quiet::Off,
        }
    }
}

/// A feed the menu lists because it needs the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Troubled {
    /// Which feed (its menu item opens the window on it).
    pub id: FeedId,
    /// "Name: what is wrong", cut to fit a menu.
    pub label: String,
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The icon.
    pub look: Look,
    /// Beside the icon, where the desktop shows it: the unread count, or nothing.
    pub title: String,
    /// One line on the state: "3 feeds live · 12 unread".
    pub status: String,
    /// The feeds that need attention, in the user's order.
    pub troubled: Vec<Troubled>,
    /// Whether any feed runs (so the menu offers "Pause all" rather than "Resume all").
    pub any_running: bool,
    /// Whether there is any feed at all.
    pub any_feed: bool,
    /// Notifications quiet now, and why.
    pub quiet: Quiet,
}

/// Whether `status` should bother the user.
fn needs_attention(status: &FeedStatus) -> Option<&str> {
    match status {
        FeedStatus::NeedsAttention { error, .. } => Some(&error.message),
        FeedStatus::Backoff { attempt, error, .. } if *attempt >= ATTENTION_AFTER_ATTEMPTS => {
            Some(&error.message)
        }
        _ => None,
    }
}

/// Cuts `text` to `max` characters, with an ellipsis when it was longer.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "1 thing" / "2 things".
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What the tray shows for these feeds, this many unread events and this quiet.
pub fn summarize(feeds: &[FeedView], unread: u64, quiet: Quiet) -> Summary {
    let troubled: Vec<Troubled> = feeds
        .iter()
        .filter(|f| !f.paused)
        .filter_map(|f| {
            let why = needs_attention(&f.status)?;
            let label = cut(&format!("{}: {why}", f.name), MAX_LABEL_CHARS);
            Some(Troubled {
                id: f.id.clone(),
                label,
            })
        })
        .collect();
    let running = feeds.iter().filter(|f| !f.paused).count();
    let live = feeds
        .iter()
        .filter(|f| !f.paused && matches!(f.status, FeedStatus::Live { .. }))
        .count();
    let look = if !troubled.is_empty() {
        Look::Attention
    } else if quiet != Quiet::Off || (!feeds.is_empty() && running == 0) {
        Look::Quiet
    } else {
        Look::Live
    };
    let mut parts = Vec::new();
    if feeds.is_empty() {
        parts.push("No feeds yet".to_owned());
    } else if running == 0 {
        parts.push("All feeds paused".to_owned());
    } else if !troubled.is_empty() {
        parts.push(format!(
            "{} need{} attention",
            count(troubled.len(), "feed", "feeds"),
            if troubled.len() == 1 { "s" } else { "" }
        ));
    } else if live == running {
        parts.push(format!("{} live", count(live, "feed", "feeds")));
    } else {
        parts.push(format!("{live} of {running} feeds live"));
    }
    if unread > 0 {
        parts.push(format!("{unread} unread"));
    }
    Summary {
        look,
        title: if unread > 0 {
            unread.to_string()
        } else {
            String::new()
        },
        status: parts.join(" · "),
        troubled,
        any_running: running > 0,
        any_feed: !feeds.is_empty(),
        quiet,
    }
}

#[cfg(test)]
mod tests {
    use herald_engine::feed::{ErrorKind, FeedError};

    use super::*;

    fn feed(name: &str, status: FeedStatus) -> FeedView {
        let config = herald_engine::feed::FeedDraft {
            name: name.into(),
            url: "http://127.0.0.1:1/events".into(),
            ..Default::default()
        }
        .validate()
        .expect("a valid feed");
        FeedView::new(&config, status)
    }

    fn error(message: &str) -> FeedError {
        FeedError {
            kind: ErrorKind::Http,
            message: message.into(),
            status: Some(401),
            hint: None,
            retry_after: None,
        }
    }

    fn live() -> FeedStatus {
        FeedStatus::Live { since: 1 }
    }

    fn backoff(attempt: u32) -> FeedStatus {
        FeedStatus::Backoff {
            attempt,
            next_try_at: 5,
            error: error("connection refused"),
        }
    }

    #[test]
    fn all_live_with_unread_shows_the_count() {
        let feeds = [feed("A", live()), feed("B", live())];
        let s = summarize(&feeds, 12, Quiet::Off);
        assert_eq!(s.look, Look::Live);
        assert_eq!(s.title, "12");
        assert_eq!(s.status, "2 feeds live · 12 unread");
        assert!(s.troubled.is_empty());
        assert!(s.any_running);
    }

    #[test]
    fn a_short_drop_is_not_trouble_but_a_lasting_one_is() {
        let feeds = [feed("A", live()), feed("B", backoff(1))];
        let s = summarize(&feeds, 0, Quiet::Off);
        assert_eq!(s.look, Look::Live);
        assert_eq!(s.status, "1 of 2 feeds live");
        assert_eq!(s.title, "");

        let feeds = [feed("A", live()), feed("B", backoff(3))];
        let s = summarize(&feeds, 0, Quiet::Off);
        assert_eq!(s.look, Look::Attention);
        assert_eq!(s.status, "1 feed needs attention");
        assert_eq!(s.troubled.len(), 1);
        assert_eq!(s.troubled[0].label, "B: connection refused");
        assert_eq!(s.troubled[0].id, feeds[1].id);
    }

    #[test]
    fn a_refusal_needs_attention_even_while_quiet_and_labels_are_cut() {
        let long = "x".repeat(200);
        let status = FeedStatus::NeedsAttention {
            next_try_at: 9,
            error: error(&long),
        };
        let feeds = [feed("Tokens", status.clone()), feed("Other", status)];
        let s = summarize(&feeds, 0, Quiet::Muted(None));
        assert_eq!(s.look, Look::Attention, "trouble outranks quiet");
        assert_eq!(s.status, "2 feeds need attention");
        assert_eq!(s.troubled[0].label.chars().count(), MAX_LABEL_CHARS);
        assert!(s.troubled[0].label.starts_with("Tokens: xxx"));
        assert!(s.troubled[0].label.ends_with('…'));
    }

    #[test]
    fn quiet_or_all_paused_looks_quiet() {
        let s = summarize(&[feed("A", live())], 0, Quiet::Hours);
        assert_eq!(s.look, Look::Quiet);

        let mut paused = feed("A", backoff(9));
        paused.paused = true;
        let s = summarize(&[paused], 3, Quiet::Off);
        assert_eq!(
            s.look,
            Look::Quiet,
            "a paused feed's trouble does not count"
        );
        assert_eq!(s.status, "All feeds paused · 3 unread");
        assert!(!s.any_running);
        assert!(s.any_feed);
    }

    #[test]
    fn no_feeds_is_said() {
        let s = summarize(&[], 0, Quiet::Off);
        assert_eq!(s.look, Look::Live);
        assert_eq!(s.status, "No feeds yet");
        assert!(!s.any_feed);
    }

    #[test]
    fn quiet_comes_from_the_mute_then_the_quiet_hours() {
        let until = Mute::Until { until_ms: 100 };
        assert_eq!(Quiet::of(until, false, 50), Quiet::Muted(Some(100)));
        assert_eq!(Quiet::of(until, false, 100), Quiet::Off, "ended");
        assert_eq!(Quiet::of(until, true, 100), Quiet::Hours);
        assert_eq!(Quiet::of(Mute::Forever, true, 0), Quiet::Muted(None));
        assert_eq!(Quiet::of(Mute::Off, false, 0), Quiet::Off);
    }
}
