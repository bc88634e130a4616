//! Resuming a feed: where it resumes from ([`Cursor`]), and which events are the catch-up burst a
//! server sends right after a connection opens ([`Burst`]).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How a feed tells the server where to resume.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResumeMode {
    /// `Last-Event-ID`, unless the feed turns out to be ntfy's (a URL ending in `/sse` whose
    /// first event is ntfy's `open`): then as [`ResumeMode::NtfySince`].
    #[default]
    Auto,
    /// The standard `Last-Event-ID` header.
    LastEventId,
    /// ntfy sends no `id:` field: the last message id comes from the JSON, and the request
    /// resumes with `?since=<id>`.
    NtfySince,
}

impl ResumeMode {
    /// The default, which the settings file leaves out.
    pub fn is_auto(&self) -> bool {
        *self == ResumeMode::Auto
    }
}

/// Where a feed resumes: what the store keeps per feed and hands the supervisor at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    /// The stream's last event id (sent as `Last-Event-ID`; empty: none yet).
    pub last_event_id: String,
    /// The server's `retry:` in milliseconds, if it sent one.
    pub retry_ms: Option<u64>,
}

/// How long after a connection opens, or after the previous event of the burst, an event still
/// belongs to the burst: servers replay what was missed at once, live events come later.
pub const BURST_GAP: Duration = Duration::from_secs(1);
/// The longest a burst lasts, however busy the stream: after this, events are live.
pub const MAX_BURST: Duration = Duration::from_secs(30);

/// The catch-up burst of one connection. Whatever a server sends the moment a connection opens
/// (after a restart, a reconnect, a wake, or to a new subscriber) is what was missed, not news:
/// those events are flagged so notifications can sum them up instead of flooding.
#[derive(Debug, Clone)]
pub struct Burst {
    opened: Instant,
    /// When the last event of the burst arrived (the opening, before any).
    last: Instant,
    /// False once an event came too late: the burst is over for this connection.
    open: bool,
}

impl Burst {
    /// The burst of a connection that opened at `now`.
    pub fn new(now: Instant) -> Burst {
        Burst {
            opened: now,
            last: now,
            open: true,
        }
    }

    /// Whether an event arriving at `now` belongs to the burst.
    pub fn contains(&mut self, now: Instant) -> bool {
        if self.open
            && now.duration_since(self.last) <= BURST_GAP
            && now.duration_since(self.opened) <= MAX_BURST
        {
            self.last = now;
            return true;
        }
        self.open = false;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_what_comes_without_a_pause_right_after_opening() {
        let ms = Duration::from_millis;
        // (name, arrival times in ms after opening, in the burst)
        let table: [(&str, &[u64], &[bool]); 3] = [
            ("a replay at once", &[0, 1, 2, 3], &[true, true, true, true]),
            ("a live event later", &[5, 10, 2_000], &[true, true, false]),
            (
                "once over, never again",
                &[1_500, 1_600, 1_700],
                &[false, false, false],
            ),
        ];
        for (name, times, want) in table {
            let opened = Instant::now();
            let mut burst = Burst::new(opened);
            let got: Vec<bool> = times
                .iter()
                .map(|&t| burst.contains(opened + ms(t)))
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn a_steady_flood_stops_being_a_burst_at_the_cap() {
        let opened = Instant::now();
        let mut burst = Burst::new(opened);
        let every = Duration::from_millis(900);
        let in_burst = (0..40)
            .take_while(|&i| burst.contains(opened + every * i))
            .count();
        // 0, 0.9 s, …, 29.7 s are in; 30.6 s is past the cap.
        assert_eq!(in_burst, 34);
    }
}
