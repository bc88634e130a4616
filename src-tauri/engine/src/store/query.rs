//! Reading the store: pages of the timeline (filtered, searched, at an offset), how many match,
//! resume points, unread counts.
//!
//! [`StoreReader`] is plain synchronous SQLite on a connection of its own: the store's reader
//! thread uses it for the app, and `herald history` opens one read-only beside a running app
//! (WAL lets it read while the writer writes).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use serde::Deserialize;

use super::{StoreError, schema, search};
use crate::feed::{Cursor, FeedId};
use crate::report::EventRecord;

/// The most events one page may hold.
pub const MAX_PAGE: usize = 1000;

/// Which events to read: every filter is optional; pages go newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Query {
    /// Only this feed's events.
    pub feed: Option<FeedId>,
    /// Only events of this type.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Full-text search over type and data: every word must appear (the last one as a prefix,
    /// so results follow typing). Blank text filters nothing.
    pub text: Option<String>,
    /// Received at or after this time (ms since the epoch).
    pub since: Option<u64>,
    /// Received before this time (ms since the epoch).
    pub until: Option<u64>,
    /// Only unread events.
    pub unread: bool,
    /// Only events older than this seq: the next page after one that ended there.
    pub before: Option<u64>,
    /// Skip this many matches (after `before`): a position far down the timeline in one
    /// request from a fixed seq.
    pub offset: usize,
    /// At most this many (0: a default page of 200; never more than [`MAX_PAGE`]).
    pub limit: usize,
}

/// One `SELECT` of a query: what it reads, in which order, with which filters.
struct Part {
    /// The `FROM` clause (the event table is always `e`).
    from: &'static str,
    /// The column pages go down by, newest first.
    order: &'static str,
    /// Conditions, all required, with `?` for each of `params` in order.
    filters: Vec<&'static str>,
    params: Vec<Value>,
}

impl Part {
    fn where_clause(&self) -> String {
        match self.filters.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", self.filters.join(" AND ")),
        }
    }
}

/// Reads the store on one connection.
pub struct StoreReader {
    conn: Connection,
}

/// The columns every page selects, in the order [`record`] reads them.
const COLUMNS: &str = "e.seq, e.feed_id, coalesce(f.name, ''), e.type, e.data, e.event_id, \
                       e.received_at, e.read, e.catch_up, e.notified = 2";

impl StoreReader {
    /// Reads through `conn` (one the caller opened).
    pub fn new(conn: Connection) -> StoreReader {
        StoreReader { conn }
    }

    /// Opens the database at `path` read-only.
    pub fn open_read_only(path: &Path) -> Result<StoreReader, StoreError> {
        schema::open_for_reading(path).map(StoreReader::new)
    }

    /// One page of events matching `query`, newest first: after `before`, `offset` matches
    /// skipped, at most `limit`.
    pub fn page(&self, query: &Query) -> Result<Vec<EventRecord>, StoreError> {
        let limit = match query.limit {
            0 => 200,
            n => n.min(MAX_PAGE),
        };
        let parts = self.parts(query)?;
        let last = parts.len().saturating_sub(1);
        let mut skip = query.offset;
        let mut page = Vec::new();
        for (n, part) in parts.iter().enumerate() {
            if page.len() == limit {
                break;
            }
            let rows = self.select(part, limit - page.len(), skip)?;
            if skip > 0 && n < last {
                // Rows came: the skip ended inside this part. None: it holds no more than the
                // skip, which goes on into the next part less what this one held.
                skip = match rows.is_empty() {
                    true => skip.saturating_sub(self.count_part(part)?),
                    false => 0,
                };
            }
            page.extend(rows);
        }
        Ok(page)
    }

    /// How many events match `query` (after `before`; `offset` and `limit` ignored).
    pub fn count_matching(&self, query: &Query) -> Result<u64, StoreError> {
        let mut total = 0;
        for part in &self.parts(query)? {
            total += self.count_part(part)? as u64;
        }
        Ok(total)
    }

    /// `query` as SQL, in the order a page reads it: one part, or for a search, the events the
    /// index has not reached yet (matched here), then the index, walked newest first down from
    /// where it has got.
    fn parts(&self, query: &Query) -> Result<Vec<Part>, StoreError> {
        let mut filters: Vec<&'static str> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(feed) = &query.feed {
            filters.push("e.feed_id = ?");
            params.push(Value::Text(feed.0.clone()));
        }
        if let Some(event_type) = &query.event_type {
            filters.push("e.type = ?");
            params.push(Value::Text(event_type.clone()));
        }
        if let Some(since) = query.since {
            filters.push("e.received_at >= ?");
            params.push(Value::Integer(clamp(since)));
        }
        if let Some(until) = query.until {
            filters.push("e.received_at < ?");
            params.push(Value::Integer(clamp(until)));
        }
        if query.unread {
            filters.push("e.read = 0");
        }
        if let Some(before) = query.before {
            filters.push("e.seq < ?");
            params.push(Value::Integer(clamp(before)));
        }
        // Blank search text searches nothing: the page is unfiltered by text.
        let Some(fts) = query.text.as_deref().and_then(search::fts_query) else {
            return Ok(vec![Part {
                from: "events e",
                order: "e.seq",
                filters,
                params,
            }]);
        };
        let upto = search::indexed_upto(&self.conn)?;
        let mut tail = Part {
            from: "events e",
            order: "e.seq",
            filters: filters.clone(),
            params: params.clone(),
        };
        tail.filters.push("e.seq > ?");
        tail.params.push(Value::Integer(upto));
        for word in search::words(query.text.as_deref().unwrap_or_default()) {
            tail.filters
                .push("(e.type || ' ' || e.data) LIKE ? ESCAPE '\\'");
            tail.params.push(Value::Text(search::like_pattern(word)));
        }
        let mut indexed = Part {
            from: "events_fts s JOIN events e ON e.seq = s.rowid",
            order: "s.rowid",
            filters: vec!["events_fts MATCH ?", "s.rowid <= ?"],
            params: vec![Value::Text(fts), Value::Integer(upto)],
        };
        indexed.filters.extend(filters);
        indexed.params.extend(params);
        Ok(vec![tail, indexed])
    }

    /// `SELECT` the page's columns of `part`, newest first, `offset` rows skipped.
    fn select(
        &self,
        part: &Part,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {} LEFT JOIN feeds f ON f.feed_id = e.feed_id \
             {} ORDER BY {} DESC LIMIT {limit} OFFSET {offset}",
            part.from,
            part.where_clause(),
            part.order
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(&part.params), record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many rows `part` matches.
    fn count_part(&self, part: &Part) -> Result<usize, StoreError> {
        let sql = format!("SELECT count(*) FROM {} {}", part.from, part.where_clause());
        let mut statement = self.conn.prepare_cached(&sql)?;
        let n: i64 =
            statement.query_row(rusqlite::params_from_iter(&part.params), |row| row.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// What notifications have not dealt with (a crash came first): the newest `limit` events,
    /// oldest first, and the seqs of any older ones (too many to summarise one by one).
    pub fn unnotified(&self, limit: usize) -> Result<(Vec<EventRecord>, Vec<u64>), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events e JOIN feeds f ON f.feed_id = e.feed_id \
             WHERE e.notified = 0 AND f.removed = 0 ORDER BY e.seq DESC LIMIT ?1"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([clamp(limit as u64)], record)?;
        let mut newest: Vec<EventRecord> = rows.collect::<Result<_, _>>()?;
        newest.reverse();
        let older = match newest.first() {
            Some(oldest) if newest.len() == limit => {
                let mut statement = self
                    .conn
                    .prepare_cached("SELECT seq FROM events WHERE notified = 0 AND seq < ?1")?;
                let rows = statement.query_map([clamp(oldest.seq)], |row| {
                    Ok(row.get::<_, i64>(0)?.max(0) as u64)
                })?;
                rows.collect::<Result<_, _>>()?
            }
            _ => Vec::new(),
        };
        Ok((newest, older))
    }

    /// Every feed's resume point, by feed (removed feeds left out).
    pub fn cursors(&self) -> Result<HashMap<FeedId, Cursor>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT feed_id, last_event_id, retry_ms FROM feeds WHERE removed = 0",
        )?;
        let rows = statement.query_map([], |row| {
            let cursor = Cursor {
                last_event_id: row.get(1)?,
                retry_ms: row.get::<_, Option<i64>>(2)?.map(|ms| ms.max(0) as u64),
            };
            Ok((FeedId(row.get(0)?), cursor))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every feed the store keeps events for, with its name (removed feeds left out).
    pub fn feeds(&self) -> Result<Vec<(FeedId, String)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT feed_id, name FROM feeds WHERE removed = 0 ORDER BY rowid")?;
        let rows = statement.query_map([], |row| Ok((FeedId(row.get(0)?), row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many unread events each feed has (feeds with none left out).
    pub fn unread_counts(&self) -> Result<HashMap<FeedId, u64>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT feed_id, count(*) FROM events WHERE read = 0 GROUP BY feed_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((FeedId(row.get(0)?), row.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many events the store holds.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM events", [], |row| row.get(0))?;
        Ok(n.max(0) as u64)
    }
}

/// One row of [`COLUMNS`] as a record.
fn record(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        seq: row.get::<_, i64>(0)?.max(0) as u64,
        feed_id: FeedId(row.get(1)?),
        feed_name: row.get(2)?,
        event_type: row.get(3)?,
        data: row.get(4)?,
        last_event_id: row.get(5)?,
        received_at: row.get::<_, i64>(6)?.max(0) as u64,
        read: row.get(7)?,
        catch_up: row.get(8)?,
        silenced: row.get(9)?,
    })
}

/// An integer SQLite can hold.
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
