//! The writer thread: the only connection that writes, fed in order through one queue.
//!
//! Whatever is queued when the thread wakes is written as one batch in one transaction: the
//! events, the resume points they moved, read marks. Only after the commit do the events go
//! back to the engine (and from there to the UI and to notifications), so nothing is shown or
//! notified that a crash could take back. The replay rule (see [`crate::feed::replay`]) is
//! applied here, inside the transaction, against what is stored.
//!
//! When a batch cannot be written (a full disk, a read-only folder, a database that cannot be
//! opened) it is kept and tried again every [`RETRY`]; meanwhile new writes are queued behind it,
//! up to [`MAX_WAITING`], and the engine is told once. Beyond that the queue stops being read,
//! so feeds slow down (the servers keep what is not read) rather than memory growing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tokio::sync::{mpsc, oneshot};

use super::retention::{self, Policy};
use super::{ReadMark, StoreError, StoreReport, schema};
use crate::feed::replay::ReplayRule;
use crate::feed::{Cursor, FeedId, Received};
use crate::report::EventRecord;
use crate::sse::Event;
use crate::time::now_ms;

/// The most writes in one transaction.
const MAX_BATCH: usize = 4096;
/// How long to wait before trying a failed batch again.
pub const RETRY: Duration = Duration::from_secs(2);
/// The most writes kept waiting while writing fails.
pub const MAX_WAITING: usize = 50_000;
/// Events indexed for search between two batches: small, so a flood commits at full speed and
/// the index catches up once it is over.
const INDEX_BETWEEN: usize = 256;
/// Events indexed at a time while the queue is empty.
const INDEX_IDLE: usize = 2_000;

/// One thing to write, in queue order.
pub enum Write {
    /// An event of `feed`, received at `received_at` (ms since the epoch).
    Event {
        feed: FeedId,
        received: Received,
        received_at: u64,
    },
    /// `feed`'s resume point moved without an event.
    Cursor { feed: FeedId, cursor: Cursor },
    /// `feed` exists under `name` (added, renamed, or known at start).
    Feed { feed: FeedId, name: String },
    /// `feed` was removed: its events go, in the background.
    Forget(FeedId),
    /// Events were read.
    MarkRead(ReadMark, oneshot::Sender<Result<(), StoreError>>),
    /// These events were notified.
    MarkNotified(Vec<u64>),
    /// A silence rule kept these events from being notified.
    MarkSilenced(Vec<u64>),
    /// The retention to prune to from now on.
    Retention(Policy),
    /// Time to prune.
    Prune,
    /// Answer once everything queued before is committed.
    Flush(oneshot::Sender<()>),
}

/// The writer's state. Only its thread touches it.
pub struct Writer {
    path: PathBuf,
    /// `None` while the database cannot be opened.
    conn: Option<Connection>,
    /// The replay rule's state per feed.
    rules: HashMap<FeedId, ReplayRule>,
    /// Feed names, for the records sent after commit.
    names: HashMap<FeedId, String>,
    policy: Policy,
    /// Retention work is left: do a step between batches.
    prune_due: bool,
    /// The search index may be behind the events: index between batches and when idle.
    index_behind: bool,
    /// Events written since pruning last started; at `prune_every`, it starts again.
    since_prune: usize,
    /// How many new events call for pruning: a tenth of the smallest count limit, so a feed
    /// never holds much more than its limit, and a step's cost (which grows with the limit) is
    /// spread over as many events.
    prune_every: usize,
    /// Where committed events and failures go. Unbounded, so the writer never waits for the
    /// engine while the engine waits for the writer's queue; it holds at most what the bounded
    /// queue let in.
    reports: mpsc::UnboundedSender<StoreReport>,
    /// Why writing fails, while it does.
    failing: Option<String>,
}

impl Writer {
    /// A writer for the database at `path`; it opens it on its thread.
    pub fn new(path: PathBuf, reports: mpsc::UnboundedSender<StoreReport>) -> Writer {
        Writer {
            path,
            conn: None,
            rules: HashMap::new(),
            names: HashMap::new(),
            policy: Policy::default(),
            prune_due: false,
            index_behind: true, // whatever an earlier run left unindexed
            since_prune: 0,
            prune_every: prune_every(&Policy::default()),
            reports,
            failing: None,
        }
    }

    /// Opens the database; a corrupt one is moved aside and a fresh one started. Returns
    /// whether it is open.
    pub fn open(&mut self) -> bool {
        if self.conn.is_some() {
            return true;
        }
        match schema::open_for_writing(&self.path) {
            Ok(conn) => {
                self.conn = Some(conn);
                true
            }
            Err(StoreError::Open { source, .. }) if schema::is_corrupt(&source) => {
                match schema::move_aside(&self.path) {
                    Ok(aside) => {
                        tracing::error!(path = %aside.display(), error = %source, "store was corrupt: moved aside");
                        let _ = self.reports.send(StoreReport::MovedAside(aside));
                        self.open()
                    }
                    Err(e) => {
                        self.fail(&format!(
                            "the database is damaged and cannot be moved aside: {e}"
                        ));
                        false
                    }
                }
            }
            Err(e) => {
                let why = self.describe(&e);
                self.fail(&why);
                false
            }
        }
    }

    /// What went wrong, in the user's words.
    fn describe(&self, error: &StoreError) -> String {
        let code = match error {
            StoreError::Sqlite(e) | StoreError::Open { source: e, .. } => e.sqlite_error_code(),
            _ => None,
        };
        use rusqlite::ErrorCode::{CannotOpen, DiskFull, PermissionDenied, ReadOnly};
        match code {
            Some(DiskFull) => "the disk is full".to_owned(),
            Some(ReadOnly | PermissionDenied | CannotOpen) if folder_is_read_only(&self.path) => {
                "the data folder is read-only".to_owned()
            }
            Some(ReadOnly | PermissionDenied) => "the database file is read-only".to_owned(),
            Some(CannotOpen) => "the database cannot be opened".to_owned(),
            _ => error.to_string(),
        }
    }

    /// Runs until every sender is gone, then writes what is left and ends.
    pub fn run(mut self, mut queue: mpsc::Receiver<Write>) {
        let mut waiting: Vec<Write> = Vec::new();
        loop {
            if waiting.is_empty() {
                let next = if self.prune_due || self.index_behind {
                    match queue.try_recv() {
                        Ok(write) => Some(write),
                        Err(mpsc::error::TryRecvError::Empty) => {
                            // Idle: catch the index up first (searches read it), then prune.
                            if self.index_behind {
                                self.index(INDEX_IDLE);
                            } else {
                                self.prune_step();
                            }
                            continue;
                        }
                        Err(mpsc::error::TryRecvError::Disconnected) => None,
                    }
                } else {
                    queue.blocking_recv()
                };
                match next {
                    Some(write) => waiting.push(write),
                    None => break,
                }
            }
            let limit = if self.failing.is_some() {
                MAX_WAITING
            } else {
                MAX_BATCH
            };
            while waiting.len() < limit {
                match queue.try_recv() {
                    Ok(write) => waiting.push(write),
                    Err(_) => break,
                }
            }
            if self.write(&mut waiting) {
                // A little of each between batches: live events never wait long.
                if self.index_behind {
                    self.index(INDEX_BETWEEN);
                }
                if self.prune_due {
                    self.prune_step();
                }
            } else {
                std::thread::sleep(RETRY);
            }
        }
        // The engine is gone: a last try for what is still waiting.
        if !waiting.is_empty() && !self.write(&mut waiting) {
            tracing::error!(writes = waiting.len(), "store: writes lost at shutdown");
        }
        tracing::info!("store writer stopped");
    }

    /// Writes `batch` in one transaction. On success the batch is emptied, its events reported
    /// and its waiters answered; on failure it is kept whole for the next try.
    fn write(&mut self, batch: &mut Vec<Write>) -> bool {
        if !self.open() {
            return false;
        }
        let conn = self.conn.as_mut().expect("opened");
        let rules_before = self.rules.clone();
        let result = apply(conn, &mut self.rules, &self.names, batch);
        let committed = match result {
            Ok(committed) => committed,
            Err(e) => {
                self.rules = rules_before; // the retry must judge the same events the same way
                let e = StoreError::Sqlite(e);
                tracing::warn!(error = %e, writes = batch.len(), "store: batch not written");
                let why = self.describe(&e);
                self.fail(&why);
                // Open afresh for the next try: a connection opened while the folder was
                // read-only stays read-only after it is writable again, and reopening a
                // corrupt file moves it aside.
                self.conn = None;
                return false;
            }
        };
        if self.failing.take().is_some() {
            tracing::info!("store: writing works again");
            let _ = self.reports.send(StoreReport::Recovered);
        }
        self.since_prune += committed.len();
        self.index_behind |= !committed.is_empty();
        if self.since_prune >= self.prune_every {
            self.since_prune = 0;
            self.prune_due = true;
        }
        // The events go out before any waiter hears "done": a flush means they are reported.
        if !committed.is_empty() {
            let _ = self.reports.send(StoreReport::Committed(committed));
        }
        for write in batch.drain(..) {
            match write {
                Write::Feed { feed, name } => {
                    self.names.insert(feed, name);
                }
                Write::Forget(feed) => {
                    self.names.remove(&feed);
                    self.rules.remove(&feed);
                    self.prune_due = true;
                }
                Write::Retention(policy) => {
                    self.prune_every = prune_every(&policy);
                    self.policy = policy;
                    self.prune_due = true;
                }
                Write::Prune => self.prune_due = true,
                Write::MarkRead(_, reply) => drop(reply.send(Ok(()))),
                Write::Flush(reply) => drop(reply.send(())),
                Write::Event { .. }
                | Write::Cursor { .. }
                | Write::MarkNotified(_)
                | Write::MarkSilenced(_) => {}
            }
        }
        true
    }

    /// Indexes up to `max` new events for search; clears `index_behind` once caught up.
    fn index(&mut self, max: usize) {
        let Some(conn) = self.conn.as_mut() else {
            self.index_behind = false;
            return;
        };
        match super::search::index_step(conn, max) {
            Ok(n) if n < max => self.index_behind = false,
            Ok(_) => {}
            Err(e) => {
                // Searches still find these events (they match the unindexed ones
                // themselves); the next batch tries again.
                tracing::warn!(error = %e, "store: search index not updated");
                self.index_behind = false;
            }
        }
    }

    /// One retention step; clears `prune_due` when there is nothing left.
    fn prune_step(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            self.prune_due = false;
            return;
        };
        match retention::prune_step(conn, &self.policy, now_ms()) {
            Ok(n) if n < retention::STEP => self.prune_due = false,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "store: pruning failed; trying again at the next tick");
                self.prune_due = false;
            }
        }
    }

    /// Tells the engine once that writing fails (and again if the reason changes).
    fn fail(&mut self, why: &str) {
        if self.failing.as_deref() == Some(why) {
            return;
        }
        self.failing = Some(why.to_owned());
        let _ = self.reports.send(StoreReport::Failing(why.to_owned()));
    }
}

/// How many new events call for pruning under `policy` (see [`Writer::prune_every`]).
fn prune_every(policy: &Policy) -> usize {
    let smallest = std::iter::once(policy.default)
        .chain(policy.feeds.values().copied())
        .filter_map(|r| r.max_events)
        .min()
        .unwrap_or(u64::MAX);
    usize::try_from(smallest / 10)
        .unwrap_or(usize::MAX)
        .clamp(1, 5_000)
}

/// Applies `batch` in one transaction; returns the events kept, as records.
fn apply(
    conn: &mut Connection,
    rules: &mut HashMap<FeedId, ReplayRule>,
    names: &HashMap<FeedId, String>,
    batch: &[Write],
) -> rusqlite::Result<Vec<EventRecord>> {
    let tx = conn.transaction()?;
    let mut committed = Vec::new();
    // Resume points moved by this batch, written once per feed at the end.
    let mut cursors: HashMap<&FeedId, (&str, Option<u64>)> = HashMap::new();
    // Names of feeds added in this batch, for their first events.
    let mut new_names: HashMap<&FeedId, &str> = HashMap::new();
    for write in batch {
        match write {
            Write::Event {
                feed,
                received,
                received_at,
            } => {
                let event = &received.event;
                let retry = cursors.get(feed).and_then(|c| c.1);
                cursors.insert(feed, (&event.last_event_id, retry));
                let rule = rules.entry(feed.clone()).or_default();
                let mut lookup = Ok(false);
                let replay = rule.is_replay(received, |e| {
                    lookup = is_kept(&tx, feed, e);
                    *lookup.as_ref().unwrap_or(&false)
                });
                lookup?;
                if replay {
                    tracing::debug!(%feed, id = %event.last_event_id, "replayed event dropped");
                    continue;
                }
                let mut insert = tx.prepare_cached(
                    "INSERT INTO events (feed_id, event_id, type, data, received_at, catch_up) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                let at = i64::try_from(*received_at).unwrap_or(i64::MAX);
                insert.execute(params![
                    feed.0,
                    &*event.last_event_id,
                    &*event.event_type,
                    &*event.data,
                    at,
                    received.catch_up
                ])?;
                let name = new_names
                    .get(feed)
                    .copied()
                    .or_else(|| names.get(feed).map(String::as_str))
                    .unwrap_or_default();
                committed.push(EventRecord {
                    seq: tx.last_insert_rowid().max(0) as u64,
                    feed_id: feed.clone(),
                    feed_name: name.to_owned(),
                    event_type: event.event_type.to_string(),
                    data: event.data.to_string(),
                    last_event_id: event.last_event_id.to_string(),
                    received_at: *received_at,
                    read: false,
                    catch_up: received.catch_up,
                    silenced: false,
                });
            }
            Write::Cursor { feed, cursor } => {
                let retry = cursor.retry_ms.or(cursors.get(feed).and_then(|c| c.1));
                cursors.insert(feed, (&cursor.last_event_id, retry));
            }
            Write::Feed { feed, name } => {
                tx.prepare_cached(
                    "INSERT INTO feeds (feed_id, name) VALUES (?1, ?2) \
                     ON CONFLICT (feed_id) DO UPDATE SET name = excluded.name, removed = 0",
                )?
                .execute(params![feed.0, name])?;
                new_names.insert(feed, name);
            }
            Write::Forget(feed) => {
                tx.prepare_cached("UPDATE feeds SET removed = 1 WHERE feed_id = ?1")?
                    .execute([&feed.0])?;
                cursors.remove(feed);
            }
            Write::MarkRead(mark, _) => mark_read(&tx, mark)?,
            Write::MarkNotified(seqs) => mark_notified(&tx, seqs, 1)?,
            Write::MarkSilenced(seqs) => mark_notified(&tx, seqs, 2)?,
            Write::Retention(_) | Write::Prune | Write::Flush(_) => {}
        }
    }
    let mut upsert = tx.prepare_cached(
        "INSERT INTO feeds (feed_id, last_event_id, retry_ms) VALUES (?1, ?2, ?3) \
         ON CONFLICT (feed_id) DO UPDATE SET last_event_id = excluded.last_event_id, \
         retry_ms = coalesce(excluded.retry_ms, feeds.retry_ms)",
    )?;
    for (feed, (last_event_id, retry_ms)) in &cursors {
        let retry = retry_ms.map(|ms| i64::try_from(ms).unwrap_or(i64::MAX));
        upsert.execute(params![feed.0, last_event_id, retry])?;
    }
    drop(upsert);
    tx.commit()?;
    Ok(committed)
}

/// Whether `feed` already keeps an event with `event`'s id, type and data.
fn is_kept(tx: &Transaction<'_>, feed: &FeedId, event: &Event) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT 1 FROM events WHERE feed_id = ?1 AND event_id = ?2 AND type = ?3 AND data = ?4 \
         LIMIT 1",
    )?
    .query_row(
        params![
            feed.0,
            &*event.last_event_id,
            &*event.event_type,
            &*event.data
        ],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
}

fn mark_read(tx: &Transaction<'_>, mark: &ReadMark) -> rusqlite::Result<()> {
    match mark {
        ReadMark::Event(seq) => tx.execute(
            "UPDATE events SET read = 1 WHERE seq = ?1",
            [i64::try_from(*seq).unwrap_or(i64::MAX)],
        ),
        ReadMark::Feed(feed) => tx.execute(
            "UPDATE events SET read = 1 WHERE feed_id = ?1 AND read = 0",
            [&feed.0],
        ),
        ReadMark::All => tx.execute("UPDATE events SET read = 1 WHERE read = 0", []),
    }
    .map(drop)
}

/// Whether the folder `path` is in cannot be written (a read-only mount, or permissions).
fn folder_is_read_only(path: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let Ok(dir) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access only reads the NUL-terminated path.
    unsafe { libc::access(dir.as_ptr(), libc::W_OK) != 0 }
}

/// Sets `notified` of these events: 1 notified (or dealt with), 2 kept back by a silence rule.
fn mark_notified(tx: &Transaction<'_>, seqs: &[u64], value: i64) -> rusqlite::Result<()> {
    let mut update = tx.prepare_cached("UPDATE events SET notified = ?2 WHERE seq = ?1")?;
    for seq in seqs {
        update.execute([i64::try_from(*seq).unwrap_or(i64::MAX), value])?;
    }
    Ok(())
}
