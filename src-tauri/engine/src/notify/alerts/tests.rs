//! Connection and silence alerts on a fake clock.

use super::*;
use crate::feed::{ErrorKind, FeedError, StopReason};
use crate::notify::rule::FeedRule;

const T0: Now = Now {
    wall_ms: 1_000_000_000,
    weekday: 2,
    minute: 600,
};

fn feed() -> FeedId {
    FeedId("ci".into())
}

fn at_min(minutes: u64) -> Now {
    T0.plus_ms(minutes * MINUTE_MS)
}

fn refused() -> FeedStatus {
    FeedStatus::Backoff {
        attempt: 3,
        next_try_at: 0,
        error: FeedError::new(ErrorKind::Connect, "connection refused"),
    }
}

fn live() -> FeedStatus {
    FeedStatus::Live { since: 0 }
}

/// (slot, title, body, category) of each Show; "close SLOT" for each Close.
fn seen(out: &[Out]) -> Vec<String> {
    out.iter()
        .map(|o| match o {
            Out::Show(slot, card) => format!(
                "{slot:?} | {} | {} | {}",
                card.title,
                card.body,
                card.category.unwrap_or("-")
            ),
            Out::Close(slot) => format!("close {slot:?}"),
            Out::Done(seqs) => format!("done {seqs:?}"),
        })
        .collect()
}

#[test]
fn one_alert_per_outage_then_back_which_closes_itself() {
    let rules = NotifySettings::default(); // 10 minutes
    let mut a = Alerts::default();
    assert!(a.on_status(&T0, &feed(), "CI", &live()).is_empty());
    assert!(
        a.on_status(&at_min(1), &feed(), "CI", &refused())
            .is_empty()
    );
    assert_eq!(a.next_wake(&rules), Some(at_min(11).wall_ms));
    assert!(
        a.tick(&at_min(10), &rules, false).is_empty(),
        "9 minutes down"
    );
    let down = seen(&a.tick(&at_min(11), &rules, false));
    assert_eq!(
        down,
        [
            "Connection(FeedId(\"ci\")) | CI is unreachable | Down for 10 min: connection refused. \
          Herald keeps trying and resumes where it stopped. | network.disconnected"
        ]
    );
    // It keeps failing: never said again.
    a.on_status(&at_min(12), &feed(), "CI", &refused());
    assert!(a.tick(&at_min(60), &rules, false).is_empty());
    assert_eq!(a.next_wake(&rules), None);

    let back = seen(&a.on_status(&at_min(61), &feed(), "CI", &live()));
    assert_eq!(
        back,
        [
            "Connection(FeedId(\"ci\")) | CI is back | Connected again after 60 min; nothing was \
          missed. | network.connected"
        ]
    );
    let closes = at_min(61).plus_ms(BACK_SHOWN_MS);
    assert!(a.tick(&at_min(61), &rules, false).is_empty());
    assert_eq!(
        seen(&a.tick(&closes, &rules, false)),
        ["close Connection(FeedId(\"ci\"))"]
    );
}

#[test]
fn a_short_outage_says_nothing() {
    let rules = NotifySettings::default();
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    assert!(a.on_status(&at_min(9), &feed(), "CI", &live()).is_empty());
    assert!(a.tick(&at_min(30), &rules, false).is_empty());
}

#[test]
fn the_threshold_is_per_feed_and_can_be_off() {
    let mut rules = NotifySettings::default();
    let quick = FeedRule {
        connection_alert_mins: Some(1),
        ..FeedRule::default()
    };
    rules.feeds.insert(feed(), quick);
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    assert_eq!(a.tick(&at_min(1), &rules, false).len(), 1);

    let off = FeedRule {
        connection_alert_mins: None,
        ..FeedRule::default()
    };
    rules.feeds.insert(feed(), off);
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    assert!(a.tick(&at_min(600), &rules, false).is_empty());
    assert_eq!(a.next_wake(&rules), None);
}

#[test]
fn quiet_hours_hold_the_alert_until_they_end() {
    let rules = NotifySettings::default();
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    assert!(a.tick(&at_min(20), &rules, true).is_empty(), "quiet");
    assert_eq!(
        a.tick(&at_min(40), &rules, false).len(),
        1,
        "said when quiet hours end"
    );

    // Back before quiet hours end: never mentioned.
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    a.tick(&at_min(20), &rules, true);
    assert!(a.on_status(&at_min(30), &feed(), "CI", &live()).is_empty());
    assert!(a.tick(&at_min(40), &rules, false).is_empty());
}

#[test]
fn pausing_a_feed_takes_its_alert_away() {
    let rules = NotifySettings::default();
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "CI", &refused());
    a.tick(&at_min(10), &rules, false);
    let paused = FeedStatus::Stopped {
        reason: StopReason::User,
    };
    assert_eq!(
        seen(&a.on_status(&at_min(11), &feed(), "CI", &paused)),
        ["close Connection(FeedId(\"ci\"))"]
    );
    assert!(a.tick(&at_min(100), &rules, false).is_empty());
}

#[test]
fn a_silent_live_feed_is_mentioned_once_and_its_next_event_takes_it_away() {
    let mut rules = NotifySettings::default();
    let heartbeat = FeedRule {
        silence_alert_hours: Some(24),
        ..FeedRule::default()
    };
    rules.feeds.insert(feed(), heartbeat);
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "Backups", &live());
    a.on_event(&at_min(60), &feed());
    assert_eq!(a.next_wake(&rules), Some(at_min(60 + 24 * 60).wall_ms));
    assert!(a.tick(&at_min(60 + 24 * 60 - 1), &rules, false).is_empty());
    let silent = seen(&a.tick(&at_min(60 + 24 * 60), &rules, false));
    assert_eq!(
        silent,
        [
            "Silence(FeedId(\"ci\")) | No event from Backups for 24 h | The feed is connected but \
          quiet: check what sends to it. | x-herald.alert"
        ]
    );
    assert!(a.tick(&at_min(4000), &rules, false).is_empty(), "once");
    assert_eq!(
        seen(&a.on_event(&at_min(4001), &feed())),
        ["close Silence(FeedId(\"ci\"))"]
    );
}

#[test]
fn a_disconnected_feed_is_not_called_silent() {
    let mut rules = NotifySettings::default();
    let heartbeat = FeedRule {
        silence_alert_hours: Some(1),
        connection_alert_mins: None,
        ..FeedRule::default()
    };
    rules.feeds.insert(feed(), heartbeat);
    let mut a = Alerts::default();
    a.on_status(&T0, &feed(), "Backups", &live());
    a.on_status(&at_min(10), &feed(), "Backups", &refused());
    assert!(a.tick(&at_min(600), &rules, false).is_empty());
    // Back: silence counts from the reconnection.
    a.on_status(&at_min(600), &feed(), "Backups", &live());
    assert!(a.tick(&at_min(659), &rules, false).is_empty());
    assert_eq!(a.tick(&at_min(660), &rules, false).len(), 1);
}

#[test]
fn connecting_is_not_down_until_something_failed() {
    let rules = NotifySettings::default();
    let mut a = Alerts::default();
    let connecting = FeedStatus::STARTING;
    a.on_status(&T0, &feed(), "CI", &connecting);
    assert!(a.tick(&at_min(60), &rules, false).is_empty());
    // A failure starts the outage; connecting again does not end it.
    a.on_status(&at_min(60), &feed(), "CI", &refused());
    a.on_status(&at_min(61), &feed(), "CI", &connecting);
    assert_eq!(a.tick(&at_min(70), &rules, false).len(), 1);
}
