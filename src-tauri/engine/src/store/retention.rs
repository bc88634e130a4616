//! Retention: how much history each feed keeps, and pruning to it in small steps.
//!
//! Pruning runs on the writer thread between batches of new events, at most [`STEP`] rows per
//! transaction, so live events never wait behind a big delete. The same steps delete the
//! events of removed feeds.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::feed::FeedId;
pub use crate::feed::Retention;

/// Rows deleted per transaction.
pub const STEP: usize = 500;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The retention of every feed: a default and per-feed overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// For feeds without their own.
    pub default: Retention,
    /// Feeds with their own.
    pub feeds: HashMap<FeedId, Retention>,
}

impl Policy {
    /// The retention of `feed`.
    pub fn of(&self, feed: &FeedId) -> Retention {
        self.feeds.get(feed).copied().unwrap_or(self.default)
    }
}

/// Deletes at most [`STEP`] events that the policy or a removal no longer keeps, in one
/// transaction. Returns how many went: fewer than [`STEP`] means there is nothing left to do.
pub fn prune_step(conn: &mut Connection, policy: &Policy, now_ms: u64) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let mut deleted = 0;
    let feeds: Vec<(String, bool)> = {
        let mut statement = tx.prepare_cached("SELECT feed_id, removed FROM feeds")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (feed, removed) in feeds {
        let budget = (STEP - deleted) as i64;
        if budget == 0 {
            break;
        }
        if removed {
            let n = tx.execute(
                "DELETE FROM events WHERE seq IN \
                 (SELECT seq FROM events WHERE feed_id = ?1 LIMIT ?2)",
                params![feed, budget],
            )?;
            if (n as i64) < budget {
                tx.execute("DELETE FROM feeds WHERE feed_id = ?1", [&feed])?;
            }
            deleted += n;
            continue;
        }
        let retention = policy.of(&FeedId(feed.clone()));
        if let Some(max) = retention.max_events {
            // The newest event beyond the limit, found by walking the feed's index from the top.
            let cutoff: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM events WHERE feed_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2",
                    params![feed, i64::try_from(max).unwrap_or(i64::MAX)],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(cutoff) = cutoff {
                deleted += tx.execute(
                    "DELETE FROM events WHERE seq IN (SELECT seq FROM events \
                     WHERE feed_id = ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3)",
                    params![feed, cutoff, (STEP - deleted) as i64],
                )?;
            }
        }
        if let Some(days) = retention.max_age_days
            && deleted < STEP
        {
            let oldest_kept = now_ms.saturating_sub(u64::from(days) * DAY_MS);
            deleted += tx.execute(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events \
                 WHERE feed_id = ?1 AND received_at < ?2 LIMIT ?3)",
                params![
                    feed,
                    i64::try_from(oldest_kept).unwrap_or(i64::MAX),
                    (STEP - deleted) as i64
                ],
            )?;
        }
    }
    tx.commit()?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    fn store_with(events: &[(&str, u64)]) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = schema::open_for_writing(&dir.path().join("h.db")).unwrap();
        let tx = conn.transaction().unwrap();
        for (feed, received_at) in events {
            tx.execute(
                "INSERT INTO feeds (feed_id) VALUES (?1) ON CONFLICT DO NOTHING",
                [feed],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO events (feed_id, event_id, type, data, received_at) \
                 VALUES (?1, '', 'message', 'x', ?2)",
                params![feed, *received_at as i64],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        (dir, conn)
    }

    fn seqs(conn: &Connection, feed: &str) -> Vec<i64> {
        let mut s = conn
            .prepare("SELECT seq FROM events WHERE feed_id = ?1 ORDER BY seq")
            .unwrap();
        s.query_map([feed], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn prune_all(conn: &mut Connection, policy: &Policy, now: u64) -> Vec<usize> {
        let mut steps = Vec::new();
        loop {
            let n = prune_step(conn, policy, now).unwrap();
            steps.push(n);
            if n < STEP {
                return steps;
            }
        }
    }

    #[test]
    fn the_newest_events_within_the_count_limit_stay() {
        let events: Vec<(&str, u64)> = (0..1_200).map(|_| ("a", 0)).chain([("b", 0)]).collect();
        let (_dir, mut conn) = store_with(&events);
        let mut policy = Policy::default();
        policy.default.max_age_days = None;
        policy.feeds.insert(
            FeedId("a".into()),
            Retention {
                max_events: Some(100),
                max_age_days: None,
            },
        );
        let steps = prune_all(&mut conn, &policy, 0);
        assert_eq!(steps, [500, 500, 100], "in steps of at most {STEP}");
        assert_eq!(seqs(&conn, "a"), (1_101..=1_200).collect::<Vec<_>>());
        assert_eq!(seqs(&conn, "b").len(), 1, "another feed's events untouched");
    }

    #[test]
    fn events_older_than_the_age_limit_go() {
        let now = 100 * DAY_MS;
        let (_dir, mut conn) = store_with(&[("a", 0), ("a", 95 * DAY_MS), ("a", now)]);
        let policy = Policy {
            default: Retention {
                max_events: None,
                max_age_days: Some(7),
            },
            ..Policy::default()
        };
        prune_all(&mut conn, &policy, now);
        assert_eq!(seqs(&conn, "a"), [2, 3]);
    }

    #[test]
    fn a_removed_feed_loses_its_events_then_its_row() {
        let events: Vec<(&str, u64)> = (0..700).map(|_| ("gone", 0)).chain([("kept", 0)]).collect();
        let (_dir, mut conn) = store_with(&events);
        conn.execute("UPDATE feeds SET removed = 1 WHERE feed_id = 'gone'", [])
            .unwrap();
        // Half of them are in the search index when they go, half are not indexed yet.
        assert_eq!(
            crate::store::search::index_step(&mut conn, 350).unwrap(),
            350
        );
        let policy = Policy {
            default: Retention {
                max_events: None,
                max_age_days: None,
            },
            ..Policy::default()
        };
        prune_all(&mut conn, &policy, 0);
        crate::store::search::index_step(&mut conn, 1000).unwrap();
        assert!(seqs(&conn, "gone").is_empty());
        assert_eq!(seqs(&conn, "kept").len(), 1);
        let rows: i64 = conn
            .query_row(
                "SELECT count(*) FROM feeds WHERE feed_id = 'gone'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 0);
        let fts: i64 = conn
            .query_row(
                "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'x'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(fts, 1, "the search index lost the deleted rows too");
        // …and what it holds is exactly what the events table holds.
        conn.execute(
            "INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the index agrees with the events");
    }
}
