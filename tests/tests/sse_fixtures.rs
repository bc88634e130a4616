//! The SSE parser against byte-exact fixtures, in every chunking.
//!
//! Each `tests/fixtures/NAME*.sse` is a stream written by `tests/fixtures/generate.py` (LF, CRLF
//! and lone-CR variants of the same stream, plus one with mixed line ends); `NAME.events.json`
//! lists what the WHATWG spec says it dispatches, written by hand, never by running the parser.
//! The network may cut a stream anywhere (inside a CRLF, a BOM, a multi-byte character), so each
//! fixture is parsed in one chunk, split in two at every byte offset, and byte by byte, and every
//! way must give exactly the expected events, last event id and retry.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use herald_engine::sse::{Limits, Parser};
use serde::Deserialize;

/// Feeds one chunk. The only place that knows how `Parser::push` takes its bytes (today
/// `impl Into<Bytes>`, which a `Vec<u8>` converts to without another copy).
fn push(parser: &mut Parser, chunk: &[u8]) {
    parser.push(chunk.to_vec());
}

/// What a stream parses to: the events in order, then the parser's state at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Seen>,
    last_event_id: String,
    retry: Option<u64>,
}

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    event_type: String,
    data: String,
    last_event_id: String,
}

/// `NAME.events.json`; `about` and each event's optional `note` are for readers only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    #[allow(dead_code)] // read by people, not by the test
    about: String,
    events: Vec<ExpectedEvent>,
    #[serde(rename = "lastEventId")]
    last_event_id: String,
    retry: Option<u64>,
}

/// One entry of `events` in `NAME.events.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExpectedEvent {
    #[serde(rename = "type")]
    event_type: String,
    data: String,
    last_event_id: String,
    #[serde(default)]
    #[allow(dead_code)] // read by people, not by the test
    note: String,
}

impl From<Expectation> for Outcome {
    fn from(e: Expectation) -> Outcome {
        Outcome {
            events: e
                .events
                .into_iter()
                .map(|ev| Seen {
                    event_type: ev.event_type,
                    data: ev.data,
                    last_event_id: ev.last_event_id,
                })
                .collect(),
            last_event_id: e.last_event_id,
            retry: e.retry,
        }
    }
}

/// One `.sse` file and what it must parse to.
struct Fixture {
    file: String,
    bytes: Vec<u8>,
    expected: Outcome,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The fixture's name: the file name up to the first dot (`ids.crlf.sse` -> `ids`).
fn stem(file: &str) -> &str {
    file.split('.').next().unwrap_or(file)
}

/// Every `.sse` fixture with its expectation. Panics on a fixture without an expectation file or
/// an expectation without a fixture, so neither can be silently skipped.
fn load_fixtures() -> Vec<Fixture> {
    let mut streams = BTreeMap::new();
    let mut expectations = BTreeMap::new();
    for entry in fs::read_dir(fixtures_dir()).expect("tests/fixtures is readable") {
        let path = entry.expect("a directory entry").path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(".events.json") {
            let text = fs::read_to_string(&path).expect("an expectation file is UTF-8");
            let expectation: Expectation = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{file} is not a valid expectation: {e}"));
            expectations.insert(name.to_owned(), Outcome::from(expectation));
        } else if file.ends_with(".sse") {
            streams.insert(file, fs::read(&path).expect("a fixture is readable"));
        }
    }
    for name in expectations.keys() {
        assert!(
            streams.keys().any(|file| stem(file) == name),
            "{name}.events.json has no {name}*.sse fixture"
        );
    }
    let fixtures: Vec<Fixture> = streams
        .into_iter()
        .map(|(file, bytes)| {
            // The three line-end variants of a stream share one expectation.
            let expected = expectations
                .get(stem(&file))
                .cloned()
                .unwrap_or_else(|| panic!("{file} has no {}.events.json", stem(&file)));
            Fixture {
                file,
                bytes,
                expected,
            }
        })
        .collect();
    assert!(
        fixtures.len() >= 30,
        "expected the generated fixtures in tests/fixtures, found {}",
        fixtures.len()
    );
    fixtures
}

/// Parses `chunks` as one stream the way a client does: drain after every push, then finish
/// and drain again.
fn parse<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut parser = Parser::new(Limits::default());
    let mut events = Vec::new();
    let mut drain = |parser: &mut Parser| {
        while let Some(item) = parser.next() {
            let event = item.expect("no fixture is anywhere near the default limits");
            events.push(Seen {
                event_type: String::from(&*event.event_type),
                data: String::from(&*event.data),
                last_event_id: String::from(&*event.last_event_id),
            });
        }
    };
    for chunk in chunks {
        push(&mut parser, chunk);
        drain(&mut parser);
    }
    parser.finish();
    drain(&mut parser);
    Outcome {
        events,
        last_event_id: parser.last_event_id().to_owned(),
        retry: parser.retry(),
    }
}

/// Asserts `got == expected`, naming the first event that differs rather than printing both
/// whole streams.
fn assert_outcome(got: &Outcome, expected: &Outcome, how: &str) {
    for (i, (g, e)) in got.events.iter().zip(&expected.events).enumerate() {
        assert_eq!(g, e, "{how}: event #{i} differs");
    }
    assert_eq!(
        got.events.len(),
        expected.events.len(),
        "{how}: wrong number of events; got {:#?}",
        got.events
    );
    assert_eq!(
        got.last_event_id, expected.last_event_id,
        "{how}: final last event id"
    );
    assert_eq!(got.retry, expected.retry, "{how}: final retry");
}

#[test]
fn every_fixture_parsed_in_one_chunk_gives_the_expected_events() {
    for fixture in load_fixtures() {
        let got = parse([&fixture.bytes[..]]);
        assert_outcome(
            &got,
            &fixture.expected,
            &format!("{} in one chunk", fixture.file),
        );
    }
}

#[test]
fn every_fixture_split_at_every_offset_gives_the_expected_events() {
    for fixture in load_fixtures() {
        let bytes = &fixture.bytes[..];
        for at in 0..=bytes.len() {
            // The empty chunk between the halves is what a network read of zero bytes delivers;
            // it must not lose a pending CR (the first half may end in the CR of a CRLF).
            let (head, tail) = bytes.split_at(at);
            let got = parse([head, &[][..], tail]);
            assert_outcome(
                &got,
                &fixture.expected,
                &format!("{} split at byte {at}", fixture.file),
            );
        }
    }
}

#[test]
fn every_fixture_fed_byte_by_byte_gives_the_expected_events() {
    for fixture in load_fixtures() {
        let got = parse(fixture.bytes.chunks(1));
        assert_outcome(
            &got,
            &fixture.expected,
            &format!("{} byte by byte", fixture.file),
        );
    }
}

/// The three variants of a stream must be the same stream, so one expectation fits them all:
/// guards against a hand edit of one variant (regenerate with generate.py instead).
#[test]
fn line_end_variants_of_a_fixture_differ_only_in_their_line_ends() {
    let fixtures = load_fixtures();
    let find = |file: &str| fixtures.iter().find(|f| f.file == file).map(|f| &f.bytes);
    let mut checked = 0;
    for lf in fixtures.iter().filter(|f| f.file.ends_with(".lf.sse")) {
        let name = stem(&lf.file);
        assert!(!lf.bytes.contains(&b'\r'), "{} has a CR", lf.file);
        let crlf = find(&format!("{name}.crlf.sse"));
        let cr = find(&format!("{name}.cr.sse"));
        let with = |end: &[u8]| -> Vec<u8> {
            let mut out = Vec::new();
            for &b in &lf.bytes {
                if b == b'\n' {
                    out.extend_from_slice(end);
                } else {
                    out.push(b);
                }
            }
            out
        };
        assert_eq!(
            crlf,
            Some(&with(b"\r\n")),
            "{name}.crlf.sse is not {name}.lf.sse in CRLF"
        );
        assert_eq!(
            cr,
            Some(&with(b"\r")),
            "{name}.cr.sse is not {name}.lf.sse in CR"
        );
        checked += 1;
    }
    let variants = fixtures
        .iter()
        .filter(|f| stem(&f.file) != "mixed-line-ends")
        .count();
    assert_eq!(
        variants,
        checked * 3,
        "every stream has exactly .lf, .crlf and .cr variants"
    );
}
