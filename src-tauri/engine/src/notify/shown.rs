//! What is on screen: which notification id each slot holds, and what a click on each does.
//! Bounded: the oldest entries are forgotten first (a click on one that old brings Herald
//! forward instead).

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::ViewAction;
use super::gate::{Slot, Target};

/// How many notifications Herald remembers clicks for.
pub const REMEMBERED: usize = 512;

/// One notification on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnScreen {
    /// Its slot.
    pub slot: Slot,
    /// What a click does.
    pub target: Target,
    /// Its buttons, by index (`view:N`).
    pub actions: Vec<ViewAction>,
}

/// The notifications Herald showed and has not seen closed.
#[derive(Debug, Default)]
pub struct Shown {
    by_id: HashMap<u32, OnScreen>,
    by_slot: BTreeMap<Slot, u32>,
    order: VecDeque<u32>,
}

impl Shown {
    /// The id the slot shows now, if any (0 is never an id).
    pub fn id_of(&self, slot: &Slot) -> Option<u32> {
        self.by_slot.get(slot).copied()
    }

    /// Notification `id` now shows `entry`.
    pub fn insert(&mut self, id: u32, entry: OnScreen) {
        if let Some(old) = self.by_slot.insert(entry.slot.clone(), id)
            && old != id
        {
            self.by_id.remove(&old);
        }
        if self.by_id.insert(id, entry).is_none() {
            self.order.push_back(id);
        }
        while self.by_id.len() > REMEMBERED {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.forget(oldest);
        }
        if self.order.len() > 2 * REMEMBERED {
            self.order.retain(|id| self.by_id.contains_key(id));
        }
    }

    /// What notification `id` is, if Herald still knows.
    pub fn get(&self, id: u32) -> Option<&OnScreen> {
        self.by_id.get(&id)
    }

    /// Notification `id` is gone: its slot shows a new one next time.
    pub fn forget(&mut self, id: u32) -> Option<OnScreen> {
        let entry = self.by_id.remove(&id)?;
        if self.by_slot.get(&entry.slot) == Some(&id) {
            self.by_slot.remove(&entry.slot);
        }
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedId;

    fn entry(slot: Slot) -> OnScreen {
        OnScreen {
            slot,
            target: Target::App,
            actions: Vec::new(),
        }
    }

    #[test]
    fn a_slot_holds_its_latest_id_until_it_closes() {
        let mut shown = Shown::default();
        let group = Slot::Group(FeedId("f".into()), "g".into());
        shown.insert(7, entry(group.clone()));
        assert_eq!(shown.id_of(&group), Some(7));
        // The server may answer a replace with a new id: the old one is forgotten.
        shown.insert(9, entry(group.clone()));
        assert_eq!(shown.id_of(&group), Some(9));
        assert!(shown.get(7).is_none());
        assert!(shown.forget(9).is_some());
        assert_eq!(shown.id_of(&group), None);
    }

    #[test]
    fn memory_is_bounded() {
        let mut shown = Shown::default();
        for id in 1..=(REMEMBERED as u32 * 3) {
            shown.insert(id, entry(Slot::Event(u64::from(id))));
        }
        assert_eq!(shown.by_id.len(), REMEMBERED);
        assert!(shown.order.len() <= 2 * REMEMBERED);
        assert!(shown.get(1).is_none());
        assert!(shown.get(REMEMBERED as u32 * 3).is_some());
    }
}
