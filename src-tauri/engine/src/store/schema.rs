//! Opening the database: its pragmas, its numbered migrations, and what to do with one that is
//! corrupt.
//!
//! Migrations are SQL files applied in order inside one transaction each; `PRAGMA user_version`
//! says how many have run. A database from a newer Herald is refused rather than guessed at.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// The migrations, in order: migration `n` (1-based) brings the database to `user_version` n.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_events.sql"),
    include_str!("migrations/002_deferred_search_index.sql"),
    include_str!("migrations/003_unnotified_index.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How long a connection waits for another's lock before giving up (a CLI reading while the
/// app checkpoints, for example).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database at `path` for writing, brought up to date.
pub fn open_for_writing(path: &Path) -> Result<Connection, StoreError> {
    let at = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir).map_err(|e| StoreError::Io {
            path: dir.to_owned(),
            source: e,
        })?;
    }
    let mut conn = Connection::open(path).map_err(at)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(at)?;
    // WAL: readers (the UI's pages, `herald history`) never wait for the writer. NORMAL: a
    // commit is durable once the WAL is synced at checkpoints; a power cut may lose the last
    // commits but never corrupts, and the server still has what was lost (we resume from the
    // last id that was kept).
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(at)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(at)?;
    migrate(&mut conn).map_err(|e| match e {
        StoreError::Sqlite(source) => at(source),
        other => other,
    })?;
    // Events may be private: only the user reads the file.
    for file in [
        path.to_owned(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ] {
        let _ = fs::set_permissions(&file, fs::Permissions::from_mode(0o600));
    }
    Ok(conn)
}

/// Opens the database at `path` read-only (for `herald history`, beside a running app).
///
/// A WAL database needs its shared-memory file to be read; in a folder nobody can write (a
/// read-only mount), SQLite cannot create one, so the file is then opened as immutable: nobody
/// can be writing to it there either.
pub fn open_for_reading(path: &Path) -> Result<Connection, StoreError> {
    let at = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let opened = Connection::open_with_flags(path, flags).and_then(|conn| {
        let version = user_version(&conn)?;
        Ok((conn, version))
    });
    let (conn, version) = match opened {
        Ok(opened) => opened,
        Err(e)
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) && path.exists() =>
        {
            let uri = format!("file:{}?immutable=1", path.display());
            let conn =
                Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI).map_err(at)?;
            let version = user_version(&conn).map_err(at)?;
            (conn, version)
        }
        Err(e) => return Err(at(e)),
    };
    conn.busy_timeout(BUSY_TIMEOUT).map_err(at)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Newer {
            path: path.to_owned(),
            version,
        });
    }
    Ok(conn)
}

/// Applies the migrations `conn` has not had yet.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Newer {
            path: conn.path().map(PathBuf::from).unwrap_or_default(),
            version,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "store migrated");
    }
    Ok(())
}

/// How many migrations the database has had.
fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or(0))
}

/// Whether `error` says the file is not a usable database (as opposed to, say, a full disk).
pub fn is_corrupt(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Moves a corrupt database (and its WAL and shared-memory files) aside as
/// `<name>.corrupt-<UTC time>.db`, so a fresh one can start and the old one is kept for repair.
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(':', "");
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("herald");
    let aside = path.with_file_name(format!("{stem}.corrupt-{stamp}.db"));
    fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            let _ = fs::rename(&from, with_suffix(&aside, suffix));
        }
    }
    Ok(aside)
}

/// `path` with `suffix` appended to its file name (`herald.db` → `herald.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_every_migration_and_fts5() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/herald.db");
        let conn = open_for_writing(&path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute(
            "INSERT INTO events (feed_id, event_id, type, data, received_at) \
             VALUES ('f', '1', 'message', 'the disk is full', 0)",
            [],
        )
        .unwrap();
        let hits = |conn: &Connection| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'disk'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(hits(&conn), 0, "indexing is the writer's, later");
        let mut conn = conn;
        assert_eq!(super::super::search::index_step(&mut conn, 10).unwrap(), 1);
        assert_eq!(hits(&conn), 1, "indexed");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        drop(conn);
        // Opening again runs nothing twice.
        open_for_writing(&path).unwrap();
    }

    #[test]
    fn a_database_from_a_newer_herald_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION as i64 + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(
            open_for_writing(&path),
            Err(StoreError::Newer { .. })
        ));
        assert!(matches!(
            open_for_reading(&path),
            Err(StoreError::Newer { .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_corrupt_and_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        fs::write(&path, vec![b'x'; 8192]).unwrap();
        let error = match open_for_writing(&path) {
            Err(StoreError::Open { source, .. }) => source,
            other => panic!("expected an open error, got {other:?}"),
        };
        assert!(is_corrupt(&error), "{error}");
        let aside = move_aside(&path).unwrap();
        assert!(!path.exists());
        assert_eq!(
            fs::read(&aside).unwrap(),
            vec![b'x'; 8192],
            "kept as it was"
        );
        assert!(open_for_writing(&path).is_ok(), "a fresh one starts");
    }
}
