//! The notices the engine keeps for a window that opens later: bounded, each kept once.

use crate::report::Notice;

/// Notices kept for [`super::EngineHandle::notices`].
pub const MAX_NOTICES: usize = 50;

/// The latest notices, oldest first.
#[derive(Debug, Default)]
pub struct Notices {
    kept: Vec<Notice>,
}

impl Notices {
    /// Keeps `notice`. A repeat (a feed sending oversize events one after another) is kept once,
    /// and only the latest [`MAX_NOTICES`] are kept: an app that runs for weeks must not grow.
    pub fn keep(&mut self, notice: &Notice) {
        if self.kept.contains(notice) {
            return;
        }
        if self.kept.len() >= MAX_NOTICES {
            self.kept.remove(0);
        }
        self.kept.push(notice.clone());
    }

    /// Every notice kept, oldest first.
    pub fn all(&self) -> Vec<Notice> {
        self.kept.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::NoticeLevel;

    #[test]
    fn repeats_are_kept_once_and_the_oldest_go_first() {
        let mut notices = Notices::default();
        let notice = |n: usize| Notice::new(NoticeLevel::Warning, format!("notice {n}"));
        notices.keep(&notice(0));
        notices.keep(&notice(0));
        assert_eq!(notices.all(), [notice(0)]);
        for n in 1..=MAX_NOTICES {
            notices.keep(&notice(n));
        }
        let all = notices.all();
        assert_eq!(all.len(), MAX_NOTICES);
        assert_eq!(all[0], notice(1), "the oldest went");
        assert_eq!(all[MAX_NOTICES - 1], notice(MAX_NOTICES));
    }
}
