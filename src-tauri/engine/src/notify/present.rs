//! How things look: an event rendered by its feed's template, and a card as the sender shows
//! it — cut to size, with its buttons, category and urgency.

use super::gate::{Card, Slot};
use super::rule::{Mapping, Sound};
use super::sender::Notification;
use super::template::{self, Source};
use super::{Message, Urgency, text};
use crate::report::EventRecord;

/// The longest title shown, in characters (grapheme clusters).
pub const MAX_SUMMARY_CHARS: usize = 100;
/// The longest body shown: notification servers cut or reflow long text badly.
pub const MAX_BODY_CHARS: usize = 300;

/// The event as its feed's template renders it.
pub fn render(record: &EventRecord, mapping: &Mapping) -> Message {
    let source = Source {
        feed_name: &record.feed_name,
        event_type: &record.event_type,
        data: &record.data,
    };
    template::render(&source, mapping)
}

/// A card as the sender shows it: cut to size, with its actions and category.
pub fn notification(slot: &Slot, card: &Card, sound: Sound) -> Notification {
    let mut actions = vec![("default".to_owned(), "Open".to_owned())];
    actions.extend(
        card.actions
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("view:{i}"), text::cut(&a.label, 40))),
    );
    let category = match slot {
        Slot::Connection(_) => "network",
        Slot::Overflow(_) | Slot::Summary(_) => "x-herald.summary",
        Slot::Silence(_) | Slot::Test | Slot::App => "x-herald.alert",
        Slot::Event(_) | Slot::Group(..) => "x-herald.event",
    };
    let urgency = match slot {
        Slot::Connection(_) | Slot::Silence(_) => Urgency::Low,
        _ => card.priority.urgency(),
    };
    Notification {
        summary: text::cut(&text::one_line(&card.title), MAX_SUMMARY_CHARS),
        body: text::cut(card.body.trim(), MAX_BODY_CHARS),
        urgency,
        sound,
        actions,
        category: card.category.unwrap_or(category).into(),
    }
}
