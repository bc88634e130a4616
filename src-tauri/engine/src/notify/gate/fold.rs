//! A fold: events kept back for one summary (a flood's "N more", a catch-up burst, quiet
//! hours), remembering how many, the newest titles and the highest priority.

use std::collections::VecDeque;

use super::{Card, Now, Out, Slot, Target};
use crate::feed::FeedId;
use crate::notify::{Priority, text};

/// How many of the newest titles a summary lists.
pub const TITLES: usize = 3;
/// The longest line a summary lists for one event.
const LINE_CHARS: usize = 80;

/// Events folded into one summary.
#[derive(Debug, Default)]
pub struct Fold {
    count: u64,
    /// The newest first.
    titles: VecDeque<String>,
    /// The only event, while there is just one: shown as itself rather than as "1 event".
    single: Option<(Slot, Card)>,
    priority: Priority,
    feed_name: String,
    /// Every event folded in (their seqs).
    seqs: Vec<u64>,
    /// When the first and the latest event were folded (wall ms).
    pub first_ms: u64,
    pub last_ms: u64,
}

impl Fold {
    /// Nothing folded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Folds one event in.
    pub fn add(&mut self, now: &Now, feed_name: &str, slot: Slot, card: Card) {
        if self.count == 0 {
            self.first_ms = now.wall_ms;
            self.priority = card.priority;
        }
        self.count += 1;
        self.last_ms = now.wall_ms;
        self.priority = self.priority.max(card.priority);
        feed_name.clone_into(&mut self.feed_name);
        self.titles.push_front(line(&card, feed_name));
        self.seqs.extend_from_slice(&card.seqs);
        self.titles.truncate(TITLES);
        self.single = (self.count == 1).then_some((slot, card));
    }

    /// Folds another fold in (what was waiting when quiet hours began).
    pub fn merge(&mut self, other: Fold) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = other;
            return;
        }
        self.count += other.count;
        self.seqs.extend(other.seqs);
        self.last_ms = self.last_ms.max(other.last_ms);
        self.priority = self.priority.max(other.priority);
        for title in other.titles.into_iter().rev() {
            self.titles.push_front(title);
        }
        self.titles.truncate(TITLES);
        self.single = None;
    }

    /// Empties the fold into one notification: the event itself when it is the only one and
    /// `single_ok`, else a summary in `slot` titled by `title(count, feed name)` that lists the
    /// newest titles; a click brings Herald forward on the feed.
    pub fn take(
        &mut self,
        slot: Slot,
        feed: &FeedId,
        single_ok: bool,
        title: impl FnOnce(u64, &str) -> String,
    ) -> Out {
        let fold = std::mem::take(self);
        if let (true, Some((slot, card))) = (single_ok, fold.single) {
            return Out::Show(slot, card);
        }
        let mut body: Vec<String> = fold.titles.into_iter().collect();
        let listed = body.len() as u64;
        if fold.count > listed {
            body.push(format!("…and {} more", fold.count - listed));
        }
        Out::Show(
            slot,
            Card {
                title: title(fold.count, &fold.feed_name),
                body: body.join("\n"),
                priority: fold.priority,
                feed: Some(feed.clone()),
                target: Target::Feed(feed.clone()),
                actions: Vec::new(),
                seqs: fold.seqs,
                category: None,
            },
        )
    }
}

/// How an event is listed in a summary: its title, or — when the title is only the feed's name
/// (events that are not ntfy- or Gotify-shaped) — the start of its text.
fn line(card: &Card, feed_name: &str) -> String {
    let only_the_feed = card.title == feed_name
        || card
            .title
            .strip_prefix(feed_name)
            .is_some_and(|rest| rest.starts_with(" · "));
    if only_the_feed && !card.body.trim().is_empty() {
        text::cut(&text::one_line(&card.body), LINE_CHARS)
    } else {
        card.title.clone()
    }
}
