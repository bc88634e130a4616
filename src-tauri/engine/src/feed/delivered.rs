//! Exactly once: which events a feed has already delivered, so a server that replays events
//! after a reconnect does not show them twice.
//!
//! Only events with an `id:` of their own are remembered (an event without one cannot be told
//! from a new one). The key is the id *with* the type and data, so a server that reuses one id for
//! every event (some send `id: 0` throughout) still gets its new events through.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::sse::Event;

/// How many delivered events a feed remembers: far more than any server replays on reconnect.
pub const REMEMBERED: usize = 4096;

/// A bounded memory of delivered events, oldest forgotten first.
#[derive(Debug)]
pub struct Delivered {
    /// Keys in delivery order, to forget the oldest.
    order: VecDeque<u64>,
    /// The same keys, for lookup.
    seen: HashSet<u64>,
    capacity: usize,
}

impl Default for Delivered {
    fn default() -> Self {
        Delivered::with_capacity(REMEMBERED)
    }
}

impl Delivered {
    /// A memory of at most `capacity` events.
    pub fn with_capacity(capacity: usize) -> Delivered {
        Delivered {
            order: VecDeque::new(),
            seen: HashSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// Records `event` and says whether it is new. `had_id` says whether its block carried its
    /// own `id:` (see `Parser::event_had_id`); events without one are always new.
    pub fn first_delivery(&mut self, event: &Event, had_id: bool) -> bool {
        if !had_id || event.last_event_id.is_empty() {
            return true;
        }
        let key = key(event);
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        true
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

    fn event(id: &str, data: &str) -> Event {
        Event {
            event_type: "message".into(),
            data: data.into(),
            last_event_id: id.into(),
        }
    }

    #[test]
    fn replayed_events_are_dropped_new_ones_pass() {
        let mut delivered = Delivered::default();
        let table = [
            (event("1", "a"), true, true),
            (event("2", "b"), true, true),
            (event("1", "a"), true, false), // replayed after a reconnect
            (event("2", "b"), true, false),
            (event("2", "b"), false, true), // inherited id: cannot be a replay we can tell
            (event("", "x"), true, true),
            (event("", "x"), true, true),
            (event("0", "first"), true, true), // a server that reuses one id
            (event("0", "second"), true, true),
        ];
        for (i, (event, had_id, want)) in table.iter().enumerate() {
            assert_eq!(delivered.first_delivery(event, *had_id), *want, "row {i}");
        }
    }

    #[test]
    fn memory_is_bounded_and_forgets_the_oldest() {
        let mut delivered = Delivered::with_capacity(2);
        for id in ["1", "2", "3"] {
            assert!(delivered.first_delivery(&event(id, "d"), true));
        }
        assert_eq!(delivered.seen.len(), 2);
        assert!(
            delivered.first_delivery(&event("1", "d"), true),
            "1 was forgotten"
        );
        assert!(
            !delivered.first_delivery(&event("3", "d"), true),
            "3 is remembered"
        );
    }
}
