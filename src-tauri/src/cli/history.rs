//! `herald history`: stored events, newest first, read straight from the store (read-only, so
//! it runs beside the app: WAL lets readers read while the writer writes).

use std::io::Write;
use std::time::{Duration, SystemTime};

use herald_engine::feed::FeedId;
use herald_engine::report::EventRecord;
use herald_engine::store::{self, Query, StoreReader};
use serde::Serialize;

use super::{Failure, HistoryArgs, finish};

/// Runs `herald history`.
pub async fn history(args: HistoryArgs) -> std::process::ExitCode {
    finish("history", run(args))
}

fn run(args: HistoryArgs) -> Result<(), Failure> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let path = store::default_path()
        .ok_or_else(|| Failure::runtime("cannot find a data directory (is $HOME set?)"))?;
    if !path.exists() {
        eprintln!(
            "herald history: no events yet ({} does not exist)",
            path.display()
        );
        return Ok(());
    }
    let reader = StoreReader::open_read_only(&path).map_err(|e| Failure::runtime(e.to_string()))?;
    let feed = match &args.feed {
        Some(key) => Some(find_feed(&reader, key)?),
        None => None,
    };
    let query = Query {
        feed,
        event_type: args.event_type,
        text: args.search,
        since,
        limit: args.limit.clamp(1, store::query::MAX_PAGE),
        ..Query::default()
    };
    let events = reader
        .page(&query)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    for event in &events {
        let line = if args.json {
            serde_json::to_string(&Line::from(event)).expect("history lines serialize")
        } else {
            plain(event)
        };
        if writeln!(stdout, "{line}").is_err() {
            return Ok(()); // the reader went away (e.g. `| head`)
        }
    }
    Ok(())
}

/// One event of `--json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    seq: u64,
    /// The feed's name.
    feed: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    data: &'a str,
    last_event_id: &'a str,
    /// RFC 3339, UTC, to the millisecond.
    received_at: String,
}

impl<'a> From<&'a EventRecord> for Line<'a> {
    fn from(event: &'a EventRecord) -> Line<'a> {
        Line {
            seq: event.seq,
            feed: &event.feed_name,
            event_type: &event.event_type,
            data: &event.data,
            last_event_id: &event.last_event_id,
            received_at: timestamp(event.received_at),
        }
    }
}

/// One event on one line: time, feed, type, data (its line breaks shown as `⏎`).
fn plain(event: &EventRecord) -> String {
    let data = event
        .data
        .replace("\r\n", "\n")
        .replace(['\n', '\r'], " ⏎ ");
    format!(
        "{}  {}  {}  {data}",
        timestamp(event.received_at),
        event.feed_name,
        event.event_type
    )
}

fn timestamp(ms: u64) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
    humantime::format_rfc3339_millis(at).to_string()
}

/// The feed with id `key`, or else the one named `key` (ignoring case).
fn find_feed(reader: &StoreReader, key: &str) -> Result<FeedId, Failure> {
    let feeds = reader
        .feeds()
        .map_err(|e| Failure::runtime(e.to_string()))?;
    if let Some((id, _)) = feeds.iter().find(|(id, _)| id.0 == key) {
        return Ok(id.clone());
    }
    let named: Vec<&FeedId> = feeds
        .iter()
        .filter(|(_, name)| name.eq_ignore_ascii_case(key))
        .map(|(id, _)| id)
        .collect();
    match named[..] {
        [id] => Ok(id.clone()),
        [] => Err(Failure::input(format!(
            "no feed has the id or name {key:?}"
        ))),
        _ => {
            let ids: Vec<&str> = named.iter().map(|id| id.0.as_str()).collect();
            Err(Failure::input(format!(
                "more than one feed is named {key:?}: use one of the ids {}",
                ids.join(", ")
            )))
        }
    }
}

/// `--since`: an RFC 3339 time, a date (midnight UTC), or a span back from now.
fn parse_since(text: &str) -> Result<u64, Failure> {
    let text = text.trim();
    let at = if let Ok(span) = humantime::parse_duration(text) {
        SystemTime::now()
            .checked_sub(span)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    } else if let Ok(time) = humantime::parse_rfc3339_weak(text) {
        time
    } else if let Ok(day) = humantime::parse_rfc3339_weak(&format!("{text} 00:00:00")) {
        day
    } else {
        return Err(Failure::input(format!(
            "--since {text:?}: use a time (2026-12-01T08:00:00Z), a date (2026-12-01) or a span \
             back from now (90m, 2h, 3d)"
        )));
    };
    Ok(herald_engine::time::to_ms(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_a_date_or_a_span() {
        let day = 86_400_000;
        let table = [
            ("2026-12-01T08:00:00Z", Some(20_788 * day + 8 * 3_600_000)),
            ("2026-12-01", Some(20_788 * day)),
            ("yesterday", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_since(text).ok(), want, "{text:?}");
        }
        let two_hours_ago = parse_since("2h").unwrap();
        let expected = herald_engine::time::now_ms() - 2 * 3_600_000;
        assert!(two_hours_ago.abs_diff(expected) < 5_000);
    }
}
