//! Full-text search: the index the writer fills in the background, and how a search reads it.
//!
//! Events commit without waiting for the index (FTS5 costs about 30 µs an event, most of a
//! flood's write time). The writer indexes what is new between batches and while idle
//! ([`index_step`]), moving `fts_state.indexed_upto`. A search reads the index up to there and
//! matches the few newer events itself (case-insensitive substrings of type and data), so it
//! always finds everything stored.

use rusqlite::{Connection, OptionalExtension, params};

/// Indexes up to `max` events newer than `indexed_upto`, in one transaction; returns how many.
pub fn index_step(conn: &mut Connection, max: usize) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let upto = indexed_upto(&tx)?;
    let new_upto: Option<i64> = tx
        .query_row(
            "SELECT max(seq) FROM (SELECT seq FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
            params![upto, max as i64],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let Some(new_upto) = new_upto else {
        return Ok(0);
    };
    let indexed = tx.execute(
        "INSERT INTO events_fts (rowid, type, data) \
         SELECT seq, type, data FROM events WHERE seq > ?1 AND seq <= ?2",
        params![upto, new_upto],
    )?;
    tx.execute(
        "UPDATE fts_state SET indexed_upto = ?1 WHERE id = 1",
        [new_upto],
    )?;
    tx.commit()?;
    Ok(indexed)
}

/// Every event with a seq up to this is in the index. A database from before the index was
/// deferred (schema 1, read by an older app's files) has everything indexed.
pub fn indexed_upto(conn: &Connection) -> rusqlite::Result<i64> {
    match conn.query_row(
        "SELECT indexed_upto FROM fts_state WHERE id = 1",
        [],
        |row| row.get(0),
    ) {
        Ok(upto) => Ok(upto),
        Err(rusqlite::Error::SqliteFailure(_, Some(message)))
            if message.contains("no such table") =>
        {
            Ok(i64::MAX)
        }
        Err(e) => Err(e),
    }
}

/// The search text's words (split on white space).
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// The words as an FTS5 query: each word quoted (so `-`, `:` or `"` in it are text, never query
/// syntax), all required, the last one as a prefix. `None` when there is no word.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = words(text)
        .into_iter()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// A `LIKE` pattern matching `word` anywhere (`%`, `_` and `\` in it taken literally, with
/// `ESCAPE '\'`), for the events not indexed yet.
pub fn like_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_become_a_quoted_fts_query() {
        let table = [
            ("disk", Some(r#""disk"*"#)),
            ("  disk   full ", Some(r#""disk" "full"*"#)),
            (r#"say "hi""#, Some(r#""say" """hi"""*"#)),
            ("NOT OR -x col:y", Some(r#""NOT" "OR" "-x" "col:y"*"#)),
            ("   ", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(fts_query(text).as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn a_search_finds_indexed_and_not_yet_indexed_events_newest_first() {
        use crate::store::{Query, StoreReader, schema};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let mut conn = schema::open_for_writing(&path).unwrap();
        for (n, data) in [
            "disk full",
            "cpu hot",
            "Disk FULL again",
            "50% disk_usage",
            "disk ok",
        ]
        .iter()
        .enumerate()
        {
            conn.execute(
                "INSERT INTO events (feed_id, event_id, type, data, received_at) \
                 VALUES ('f', ?1, 'alert', ?2, 0)",
                params![n.to_string(), data],
            )
            .unwrap();
        }
        // The first three are indexed; the last two are not yet.
        assert_eq!(index_step(&mut conn, 3).unwrap(), 3);
        let reader = StoreReader::new(schema::open_for_reading(&path).unwrap());
        let search = |text: &str, limit: usize| -> Vec<String> {
            let query = Query {
                text: Some(text.into()),
                limit,
                ..Query::default()
            };
            reader
                .page(&query)
                .unwrap()
                .into_iter()
                .map(|e| e.data)
                .collect()
        };
        assert_eq!(
            search("disk", 10),
            ["disk ok", "50% disk_usage", "Disk FULL again", "disk full"]
        );
        assert_eq!(
            search("disk", 3),
            ["disk ok", "50% disk_usage", "Disk FULL again"]
        );
        assert_eq!(search("full", 10), ["Disk FULL again", "disk full"]);
        assert_eq!(
            search("50%", 10),
            ["50% disk_usage"],
            "a % is a character, not a wildcard"
        );
        assert_eq!(
            search("alert hot", 10),
            ["cpu hot"],
            "the type is searched too"
        );
        // Offsets run across the two parts (two not indexed yet, then the index), and the
        // count is both parts'.
        let all = search("disk", 10);
        for limit in [1, 2, 3] {
            for offset in 0..=all.len() {
                let query = Query {
                    text: Some("disk".into()),
                    limit,
                    offset,
                    ..Query::default()
                };
                let page: Vec<String> = reader
                    .page(&query)
                    .unwrap()
                    .into_iter()
                    .map(|e| e.data)
                    .collect();
                let want: Vec<String> = all.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(page, want, "limit {limit}, offset {offset}");
            }
        }
        let count = |text: &str| {
            let query = Query {
                text: Some(text.into()),
                ..Query::default()
            };
            reader.count_matching(&query).unwrap()
        };
        assert_eq!((count("disk"), count("full"), count("nothing")), (4, 2, 0));
        // Caught up, the same answers.
        index_step(&mut conn, 10).unwrap();
        assert_eq!(search("disk", 10).len(), 4);
        assert_eq!(search("full", 10), ["Disk FULL again", "disk full"]);
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        let table = [
            ("disk", "%disk%"),
            ("50%", r"%50\%%"),
            ("a_b", r"%a\_b%"),
            (r"c:\x", r"%c:\\x%"),
        ];
        for (word, want) in table {
            assert_eq!(like_pattern(word), want, "{word:?}");
        }
    }
}
