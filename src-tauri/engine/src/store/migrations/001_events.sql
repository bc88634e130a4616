-- Herald's store, version 1: events, the feeds they belong to, and full-text search.

-- One row per feed the store has seen: where it resumes, and its name for the timeline.
CREATE TABLE feeds (
    feed_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    -- The stream's last event id (sent as Last-Event-ID, or as ntfy's since=).
    last_event_id TEXT NOT NULL DEFAULT '',
    -- The server's retry: in milliseconds.
    retry_ms      INTEGER,
    -- For the notification policy: the newest event it notified about, and when.
    last_notified_seq INTEGER,
    last_notified_at  INTEGER,
    -- The feed was removed: its events are deleted in the background, then this row.
    removed       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every event kept. seq is the row id: one order everywhere, never reused (AUTOINCREMENT).
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    -- When Herald received it, in ms since the Unix epoch.
    received_at INTEGER NOT NULL,
    read        INTEGER NOT NULL DEFAULT 0,
    -- It came in the catch-up burst after a (re)connection.
    catch_up    INTEGER NOT NULL DEFAULT 0,
    notified    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A feed's timeline, and retention by count.
CREATE INDEX events_by_feed ON events (feed_id, seq);
-- The replay check: is (id, type, data) already kept for this feed?
CREATE INDEX events_by_event_id ON events (feed_id, event_id);
-- Retention by age.
CREATE INDEX events_by_time ON events (feed_id, received_at);
-- Unread counts stay cheap however much has been read.
CREATE INDEX events_unread ON events (feed_id) WHERE read = 0;

-- Full-text search over type and data, kept in step with events by the triggers below.
CREATE VIRTUAL TABLE events_fts USING fts5 (
    type, data,
    content = 'events', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, type, data) VALUES (new.seq, new.type, new.data);
END;

CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, type, data)
        VALUES ('delete', old.seq, old.type, old.data);
END;
