//! The store: every event Herald keeps and every feed's resume point, in SQLite.
//!
//! One writer thread owns the only writing connection ([`writer`]); a reader thread answers
//! queries on a second connection ([`query`]), so a search never waits for a batch of writes.
//! Callers hold a clonable [`StoreHandle`]. Events go in through [`StoreHandle::append`] in
//! arrival order and come back as [`StoreReport::Committed`] once they are on disk, together
//! with the resume point they moved: a restart, or a kill -9, resumes from exactly what was kept.
//!
//! - [`schema`]: opening, pragmas (WAL, `synchronous=NORMAL`), numbered migrations, corruption.
//! - [`writer`]: the writer thread: batches, one transaction each, the replay rule, retries.
//! - [`query`]: pages, search, filters, resume points, unread counts.
//! - [`search`]: the full-text index, filled in the background, and how searches read it.
//! - [`retention`]: how much each feed keeps, pruned in small steps.

pub mod query;
pub mod retention;
pub mod schema;
pub mod search;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use self::query::{Query, StoreReader};
pub use self::retention::{Policy, Retention};
use self::writer::{Write, Writer};
use crate::feed::{Cursor, FeedId, Received};
use crate::report::EventRecord;

/// Writes waiting for the writer thread. Bounded: a writer that falls behind slows the engine,
/// and through it the sockets, instead of growing memory.
const WRITE_QUEUE: usize = 8192;
/// How long the reader keeps its connection open without a query. Closing it when idle matters
/// after the folder was read-only: SQLite shares a file's shared-memory state between the
/// connections of a process, so one reader kept open from then would keep the writer's new
/// connection read-only too.
const READER_IDLE: Duration = Duration::from_secs(1);

/// The database's file name in Herald's data dir.
pub const FILE_NAME: &str = "herald.db";

/// Why the store could not do something.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or set up.
    #[error("cannot open the event store {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// A folder for the database could not be made.
    #[error("cannot create {}: {source}", path.display())]
    Io {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database was written by a newer Herald.
    #[error(
        "the event store {} is from a newer Herald (schema {version}); update Herald",
        path.display()
    )]
    Newer {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        version: usize,
    },
    /// A query or write failed.
    #[error("event store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database cannot be read now (the reader could not open it).
    #[error("the event store cannot be read: {0}")]
    Unavailable(String),
    /// The store's threads have stopped.
    #[error("the event store has stopped: quit and restart Herald (its log says why)")]
    Stopped,
}

/// Which events to mark read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadMark {
    /// One event, by seq.
    Event(u64),
    /// Every event of one feed.
    Feed(FeedId),
    /// Every event.
    All,
}

/// What the store tells the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreReport {
    /// These events are on disk, in order (replays left out).
    Committed(Vec<EventRecord>),
    /// Writing fails for this reason; writes wait in memory and are retried.
    Failing(String),
    /// Writing works again; what waited is written.
    Recovered,
    /// The database was corrupt: it was moved here and a fresh one started.
    MovedAside(PathBuf),
}

/// A query for the reader thread.
type ReadJob = Box<dyn FnOnce(Result<&StoreReader, &StoreError>) + Send>;

/// A handle to the store's threads. Cheap to clone; the threads end when the last is dropped.
#[derive(Clone)]
pub struct StoreHandle {
    /// The writer's queue.
    writes: mpsc::Sender<Write>,
    /// The reader's queue (unbounded: each caller waits for its answer, so it holds at most one
    /// query per waiting caller).
    reads: std::sync::mpsc::Sender<ReadJob>,
    path: PathBuf,
}

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreHandle")
            .field("path", &self.path)
            .finish()
    }
}

/// The store in Herald's data dir (`$XDG_DATA_HOME/herald/herald.db` on Linux).
pub fn default_path() -> Option<PathBuf> {
    crate::settings::project_dirs().map(|dirs| dirs.data_dir().join(FILE_NAME))
}

/// Starts the store's threads on the database at `path` (created if missing). Returns the
/// handle and the receiver of what the writer reports.
pub fn open(path: &Path) -> (StoreHandle, mpsc::UnboundedReceiver<StoreReport>) {
    let (write_tx, write_rx) = mpsc::channel(WRITE_QUEUE);
    let (read_tx, read_rx) = std::sync::mpsc::channel::<ReadJob>();
    let (report_tx, report_rx) = mpsc::unbounded_channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let writer_path = path.to_owned();
    std::thread::Builder::new()
        .name("herald-store-writer".into())
        .spawn(move || {
            let mut writer = Writer::new(writer_path, report_tx);
            writer.open(); // a failure is reported and retried with the first write
            drop(ready_tx); // the schema exists (or cannot): the reader may open
            writer.run(write_rx);
        })
        .expect("the store's writer thread starts");
    let reader_path = path.to_owned();
    std::thread::Builder::new()
        .name("herald-store-reader".into())
        .spawn(move || {
            let _ = ready_rx.recv();
            read_loop(&reader_path, read_rx);
        })
        .expect("the store's reader thread starts");
    let handle = StoreHandle {
        writes: write_tx,
        reads: read_tx,
        path: path.to_owned(),
    };
    (handle, report_rx)
}

/// The reader thread: opens its connection when a query comes, closes it when idle.
fn read_loop(path: &Path, jobs: std::sync::mpsc::Receiver<ReadJob>) {
    let mut reader: Option<StoreReader> = None;
    loop {
        let job = match jobs.recv_timeout(READER_IDLE) {
            Ok(job) => job,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                reader = None;
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        if reader.is_none() {
            match schema::open_for_reading(path) {
                Ok(conn) => reader = Some(StoreReader::new(conn)),
                Err(e) => {
                    job(Err(&e));
                    continue;
                }
            }
        }
        job(Ok(reader.as_ref().expect("opened")));
    }
}

impl StoreHandle {
    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write(&self, write: Write) -> Result<(), StoreError> {
        self.writes
            .send(write)
            .await
            .map_err(|_| StoreError::Stopped)
    }

    /// Queues an event of `feed` for writing; it comes back in [`StoreReport::Committed`]
    /// unless it is a replay. Waits only when the writer's queue is full.
    pub async fn append(
        &self,
        feed: FeedId,
        received: Received,
        received_at: u64,
    ) -> Result<(), StoreError> {
        self.write(Write::Event {
            feed,
            received,
            received_at,
        })
        .await
    }

    /// Queues a move of `feed`'s resume point that came without an event.
    pub async fn set_cursor(&self, feed: FeedId, cursor: Cursor) -> Result<(), StoreError> {
        self.write(Write::Cursor { feed, cursor }).await
    }

    /// Records `feed`'s name (for the timeline); a removed feed of that id comes back.
    pub async fn set_feed(&self, feed: FeedId, name: String) -> Result<(), StoreError> {
        self.write(Write::Feed { feed, name }).await
    }

    /// Forgets `feed`: its resume point at once, its events in the background.
    pub async fn forget(&self, feed: FeedId) -> Result<(), StoreError> {
        self.write(Write::Forget(feed)).await
    }

    /// Records that a silence rule kept these events from being notified (so the timeline
    /// marks them, and a restart does not notify them).
    pub async fn mark_silenced(&self, seqs: Vec<u64>) -> Result<(), StoreError> {
        self.write(Write::MarkSilenced(seqs)).await
    }

    /// Records that these events were notified.
    pub async fn mark_notified(&self, seqs: Vec<u64>) -> Result<(), StoreError> {
        self.write(Write::MarkNotified(seqs)).await
    }

    /// Sets the retention to prune to (and prunes).
    pub async fn set_retention(&self, policy: Policy) -> Result<(), StoreError> {
        self.write(Write::Retention(policy)).await
    }

    /// Prunes to the retention (the engine calls it now and then).
    pub async fn prune(&self) -> Result<(), StoreError> {
        self.write(Write::Prune).await
    }

    /// Marks events read; returns once that is on disk.
    pub async fn mark_read(&self, mark: ReadMark) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        self.write(Write::MarkRead(mark, reply)).await?;
        done.await.map_err(|_| StoreError::Stopped)?
    }

    /// Returns once everything queued before is on disk.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        self.write(Write::Flush(reply)).await?;
        done.await.map_err(|_| StoreError::Stopped)
    }

    /// Runs `query` on the reader thread.
    pub async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&StoreReader) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job: ReadJob = Box::new(move |reader| {
            let result = match reader {
                Ok(reader) => query(reader),
                Err(e) => Err(StoreError::Unavailable(e.to_string())),
            };
            let _ = reply.send(result);
        });
        self.reads.send(job).map_err(|_| StoreError::Stopped)?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// One page of the timeline.
    pub async fn page(&self, query: Query) -> Result<Vec<EventRecord>, StoreError> {
        self.read(move |reader| reader.page(&query)).await
    }

    /// How many events match `query` (its `offset` and `limit` ignored).
    pub async fn count(&self, query: Query) -> Result<u64, StoreError> {
        self.read(move |reader| reader.count_matching(&query)).await
    }

    /// Every feed's resume point.
    pub async fn cursors(&self) -> Result<HashMap<FeedId, Cursor>, StoreError> {
        self.read(StoreReader::cursors).await
    }

    /// What notifications have not dealt with: see [`StoreReader::unnotified`].
    pub async fn unnotified(
        &self,
        limit: usize,
    ) -> Result<(Vec<EventRecord>, Vec<u64>), StoreError> {
        self.read(move |reader| reader.unnotified(limit)).await
    }

    /// Unread events per feed.
    pub async fn unread_counts(&self) -> Result<HashMap<FeedId, u64>, StoreError> {
        self.read(StoreReader::unread_counts).await
    }
}

#[cfg(test)]
mod tests;
