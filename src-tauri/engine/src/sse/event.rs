//! One dispatched event, named as the browser's `MessageEvent` names it.

use serde::Serialize;

use super::Text;

/// An event dispatched by the parser: what a browser would hand to `onmessage`.
///
/// Serialized in the browser's names (`type`, `data`, `lastEventId`), which is also the line
/// `herald tail` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The event type: the last `event:` field of the block, or `message`.
    #[serde(rename = "type")]
    pub event_type: Text,
    /// The `data:` lines of the block joined with LF, without the final LF.
    pub data: Text,
    /// The stream's last event id when the event was dispatched (it persists across events).
    #[serde(rename = "lastEventId")]
    pub last_event_id: Text,
}
