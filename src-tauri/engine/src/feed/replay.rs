//! Exactly once: which events are replays of events already kept, decided one way everywhere.
//!
//! The rule: replays are what a server re-sends at the start of a connection. So from the start
//! of each connection, an event that matches one already kept for the feed (same id, type and
//! data) is a replay, until the first event that does not match; from then on the stream is
//! trusted. A later event that repeats an id (servers that send `id: 0` throughout) is new, and
//! an event without an `id:` of its own cannot be told from a new one, so it is new and ends
//! the replay too.
//!
//! [`ReplayRule`] holds the rule's state for one feed; what "already kept" means is the caller's:
//! the store looks in SQLite, `herald tail` in a bounded [`Recent`] memory.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::Received;
use crate::sse::Event;

/// The rule's state for one feed: which connection it is on, and whether that one is trusted.
#[derive(Debug, Default, Clone)]
pub struct ReplayRule {
    /// The connection the last event came on.
    connection: u64,
    /// A non-matching event has been seen on this connection: no more replays on it.
    trusted: bool,
}

impl ReplayRule {
    /// Says whether `received` is a replay; `kept` answers whether an event with the same id,
    /// type and data is already kept (it is asked only while a replay is possible).
    pub fn is_replay(&mut self, received: &Received, kept: impl FnOnce(&Event) -> bool) -> bool {
        if received.connection != self.connection {
            self.connection = received.connection;
            self.trusted = false;
        }
        if self.trusted {
            return false;
        }
        let checkable = received.had_id && !received.event.last_event_id.is_empty();
        if checkable && kept(&received.event) {
            return true;
        }
        self.trusted = true;
        false
    }
}

/// How many events [`Recent`] remembers: far more than any server replays on reconnect.
pub const REMEMBERED: usize = 4096;

/// A bounded memory of recent events with ids, oldest forgotten first: what "already kept"
/// means where there is no store (`herald tail`).
#[derive(Debug)]
pub struct Recent {
    /// Keys in arrival order, to forget the oldest.
    order: VecDeque<u64>,
    /// The same keys, for lookup.
    seen: HashSet<u64>,
    capacity: usize,
}

impl Default for Recent {
    fn default() -> Self {
        Recent::with_capacity(REMEMBERED)
    }
}

impl Recent {
    /// A memory of at most `capacity` events.
    pub fn with_capacity(capacity: usize) -> Recent {
        Recent {
            order: VecDeque::new(),
            seen: HashSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// Whether an event with `event`'s id, type and data is remembered.
    pub fn contains(&self, event: &Event) -> bool {
        self.seen.contains(&key(event))
    }

    /// Remembers `event` (events without an id are not worth remembering: they never match).
    pub fn remember(&mut self, event: &Event) {
        if event.last_event_id.is_empty() {
            return;
        }
        let key = key(event);
        if !self.seen.insert(key) {
            return;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
    }
}

/// A 64-bit digest of id, type and data (a collision would drop one event in 2^64: accepted).
fn key(event: &Event) -> u64 {
    let mut hasher = DefaultHasher::new();
    (&*event.last_event_id, &*event.event_type, &*event.data).hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(connection: u64, id: &str, data: &str, had_id: bool) -> Received {
        Received {
            event: Event {
                event_type: "message".into(),
                data: data.into(),
                last_event_id: id.into(),
            },
            had_id,
            connection,
            catch_up: false,
        }
    }

    /// Runs `stream` through the rule with a memory of what was kept; returns what was kept.
    fn run(stream: &[Received]) -> Vec<String> {
        let mut rule = ReplayRule::default();
        let mut recent = Recent::default();
        let mut kept = Vec::new();
        for r in stream {
            if !rule.is_replay(r, |e| recent.contains(e)) {
                recent.remember(&r.event);
                kept.push(format!("{}:{}", r.event.last_event_id, r.event.data));
            }
        }
        kept
    }

    #[test]
    fn replays_at_the_start_of_a_connection_are_dropped_and_nothing_else() {
        // (name, stream, kept)
        let table: [(&str, Vec<Received>, &[&str]); 5] = [
            (
                "a server that replays the last two on reconnect",
                vec![
                    received(1, "1", "a", true),
                    received(1, "2", "b", true),
                    received(1, "3", "c", true),
                    received(2, "2", "b", true),
                    received(2, "3", "c", true),
                    received(2, "4", "d", true),
                ],
                &["1:a", "2:b", "3:c", "4:d"],
            ),
            (
                "id 0 on every event: each is new",
                vec![
                    received(1, "0", "a", true),
                    received(1, "0", "b", true),
                    received(2, "0", "c", true),
                    received(2, "0", "d", true),
                ],
                &["0:a", "0:b", "0:c", "0:d"],
            ),
            (
                "a repeat after the stream was trusted is new",
                vec![
                    received(1, "1", "a", true),
                    received(1, "2", "b", true),
                    received(1, "1", "a", true),
                ],
                &["1:a", "2:b", "1:a"],
            ),
            (
                "no ids at all: all kept",
                vec![
                    received(1, "", "ping", false),
                    received(2, "", "ping", false),
                    received(2, "", "ping", false),
                ],
                &[":ping", ":ping", ":ping"],
            ),
            (
                "an inherited id cannot be checked and ends the replay",
                vec![
                    received(1, "1", "a", true),
                    received(1, "2", "b", true),
                    received(2, "1", "a", true),
                    received(2, "1", "x", false),
                    received(2, "2", "b", true),
                ],
                &["1:a", "2:b", "1:x", "2:b"],
            ),
        ];
        for (name, stream, want) in table {
            assert_eq!(run(&stream), want, "{name}");
        }
    }

    #[test]
    fn the_kept_lookup_is_asked_only_while_a_replay_is_possible() {
        let mut rule = ReplayRule::default();
        let mut asked = 0;
        for r in [
            received(1, "1", "a", true),
            received(1, "2", "b", true),
            received(1, "3", "c", true),
        ] {
            rule.is_replay(&r, |_| {
                asked += 1;
                false
            });
        }
        assert_eq!(asked, 1, "after the first new event the stream is trusted");
    }

    #[test]
    fn memory_is_bounded_and_forgets_the_oldest() {
        let mut recent = Recent::with_capacity(2);
        let event = |id: &str| received(1, id, "d", true).event;
        for id in ["1", "2", "3"] {
            recent.remember(&event(id));
        }
        assert_eq!(recent.seen.len(), 2);
        assert!(!recent.contains(&event("1")), "1 was forgotten");
        assert!(recent.contains(&event("3")), "3 is remembered");
    }
}
