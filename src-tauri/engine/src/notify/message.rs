//! What the template makes of an event: the [`Message`], in words, before any policy or limit.

use serde::{Deserialize, Serialize};

/// How much an event matters, on ntfy's scale of 1 to 5 (Gotify's 0–10 is mapped onto it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Priority {
    /// 1: no sound, no popup where the server can tell.
    Min,
    /// 2.
    Low,
    /// 3: most events.
    #[default]
    Default,
    /// 4.
    High,
    /// 5: shown as critical; may pass through quiet hours.
    Max,
}

impl Priority {
    /// ntfy's number for it, 1–5.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The priority of ntfy's number 1–5 (0 or absent is ntfy's default, 3); others are `None`.
    pub fn from_ntfy(n: i64) -> Option<Priority> {
        Some(match n {
            0 | 3 => Priority::Default,
            1 => Priority::Min,
            2 => Priority::Low,
            4 => Priority::High,
            5 => Priority::Max,
            _ => return None,
        })
    }

    /// The priority of Gotify's number 0–10, as Gotify's own clients treat it: 0 quiet, 1–3 low,
    /// 4–7 normal, 8–9 high, 10 the most urgent. Outside 0–10: `None`.
    pub fn from_gotify(n: i64) -> Option<Priority> {
        Some(match n {
            0 => Priority::Min,
            1..=3 => Priority::Low,
            4..=7 => Priority::Default,
            8 | 9 => Priority::High,
            10 => Priority::Max,
            _ => return None,
        })
    }

    /// The freedesktop urgency it is shown with.
    pub fn urgency(self) -> Urgency {
        match self {
            Priority::Min | Priority::Low => Urgency::Low,
            Priority::Default | Priority::High => Urgency::Normal,
            Priority::Max => Urgency::Critical,
        }
    }
}

/// The freedesktop notification urgency (the `urgency` hint: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// 0.
    Low,
    /// 1.
    Normal,
    /// 2: servers keep it on screen until dismissed.
    Critical,
}

impl Urgency {
    /// The hint's byte value.
    pub fn byte(self) -> u8 {
        self as u8
    }
}

/// A button that opens a URL (ntfy's `view` action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewAction {
    /// The button's text.
    pub label: String,
    /// An `http` or `https` URL (the template keeps no other).
    pub url: String,
}

/// An event in words, as the template rendered it: plain text, not cut, not escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The title line.
    pub title: String,
    /// The text.
    pub body: String,
    /// How much it matters.
    pub priority: Priority,
    /// What a click opens: an `http` or `https` URL (the template keeps no other).
    pub click: Option<String>,
    /// Buttons, in order.
    pub actions: Vec<ViewAction>,
    /// Events with the same group key replace each other on screen instead of stacking.
    pub group: Option<String>,
    /// Tags that are not emoji (emoji short codes are already in the title).
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntfy_and_gotify_priorities_map_onto_one_scale_and_urgency() {
        let ntfy = [
            (0, Some(Priority::Default)),
            (1, Some(Priority::Min)),
            (2, Some(Priority::Low)),
            (3, Some(Priority::Default)),
            (4, Some(Priority::High)),
            (5, Some(Priority::Max)),
            (6, None),
            (-1, None),
        ];
        for (n, want) in ntfy {
            assert_eq!(Priority::from_ntfy(n), want, "ntfy {n}");
        }
        let gotify = [
            (0, Some(Priority::Min)),
            (1, Some(Priority::Low)),
            (3, Some(Priority::Low)),
            (4, Some(Priority::Default)),
            (7, Some(Priority::Default)),
            (8, Some(Priority::High)),
            (9, Some(Priority::High)),
            (10, Some(Priority::Max)),
            (11, None),
        ];
        for (n, want) in gotify {
            assert_eq!(Priority::from_gotify(n), want, "gotify {n}");
        }
        let urgency: Vec<u8> = [
            Priority::Min,
            Priority::Low,
            Priority::Default,
            Priority::High,
            Priority::Max,
        ]
        .map(|p| p.urgency().byte())
        .to_vec();
        assert_eq!(urgency, [0, 0, 1, 1, 2]);
        assert_eq!(Priority::Max.number(), 5);
    }
}
