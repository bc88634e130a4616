//! Fuzz target for `herald_engine::sse::Parser`: any bytes, in any chunking, under any limits.
//!
//! The network decides where chunks end and a hostile server decides what the bytes are, so for
//! every input this proves that the parser
//! - never panics, and its text is valid UTF-8 (it builds `str`s without re-checking);
//! - keeps within its `Limits`: no event's data is longer than `max_event`, no type or id
//!   longer than `max_line`, and every drop report names the limit in force;
//! - gives the same events, drop reports, last event id and retry however the stream is cut
//!   (compared with a one-chunk parse of the same bytes);
//! - when the limits cannot be reached, gives what a literal transcription of the spec gives
//!   (`reference` below), so a bug that is the same in every chunking is caught too.
//!
//! Input layout (the first bytes are the plan, the rest is the stream):
//! `[max_line][max_event][flags][sizes; flags & 7][stream...]`. A limit byte with its high bit
//! set means the default 1 MiB, else 0..=127 bytes (small, so drops happen). The low 3 bits of
//! `flags` give how many chunk-size bytes follow (used in a cycle; 0 is an empty push, none means
//! byte by byte); its high bit means "drain only at the end" instead of after every push.

#![no_main]

use herald_engine::sse::{Event, Limits, Oversize, Parser};
use libfuzzer_sys::fuzz_target;

/// Feeds one chunk. The only place that knows how `Parser::push` takes its bytes.
fn push(parser: &mut Parser, chunk: &[u8]) {
    parser.push(chunk.to_vec());
}

/// What a parse produced, in a form that compares across parses.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    items: Vec<Result<Event, Oversize>>,
    last_event_id: String,
    retry: Option<u64>,
}

/// How the fuzz input says to feed the stream.
struct Plan<'a> {
    limits: Limits,
    sizes: Vec<usize>,
    drain_each_push: bool,
    stream: &'a [u8],
}

impl<'a> Plan<'a> {
    fn read(input: &'a [u8]) -> Option<Plan<'a>> {
        let (&[line, event, flags], rest) = input.split_first_chunk::<3>()?;
        let count = usize::from(flags & 7);
        if rest.len() < count {
            return None;
        }
        let (sizes, stream) = rest.split_at(count);
        let mut sizes: Vec<usize> = sizes.iter().map(|&s| usize::from(s)).collect();
        if sizes.iter().all(|&s| s == 0) {
            // Only empty pushes would never consume the stream: go byte by byte instead.
            sizes = vec![1];
        }
        Some(Plan {
            limits: Limits {
                max_line: limit(line),
                max_event: limit(event),
            },
            sizes,
            drain_each_push: flags & 0x80 == 0,
            stream,
        })
    }
}

/// A limit byte: high bit set means the default (1 MiB), else a tiny limit of 0..=127 bytes.
fn limit(byte: u8) -> usize {
    if byte & 0x80 != 0 {
        1 << 20
    } else {
        usize::from(byte & 0x7f)
    }
}

/// Parses `chunks` with `limits`, draining after each push or only at the end.
fn parse<'a>(
    limits: Limits,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    drain_each_push: bool,
) -> Outcome {
    let mut parser = Parser::new(limits);
    let mut items = Vec::new();
    for chunk in chunks {
        push(&mut parser, chunk);
        if drain_each_push {
            items.extend(std::iter::from_fn(|| parser.next()));
        }
    }
    parser.finish();
    items.extend(std::iter::from_fn(|| parser.next()));
    Outcome {
        items,
        last_event_id: parser.last_event_id().to_owned(),
        retry: parser.retry(),
    }
}

/// The fewest stream bytes that can decode to `text`: each U+FFFD (3 bytes in UTF-8) may stand
/// for a single invalid byte. Limits count stream bytes, so this is what to hold against them.
fn min_stream_len(text: &str) -> usize {
    text.len() - 2 * text.matches('\u{FFFD}').count()
}

/// Asserts the per-item promises: valid UTF-8, sizes within the limits, honest drop reports.
fn check_items(outcome: &Outcome, limits: Limits) {
    for item in &outcome.items {
        match item {
            Ok(event) => {
                for text in [&*event.event_type, &*event.data, &*event.last_event_id] {
                    assert!(
                        std::str::from_utf8(text.as_bytes()).is_ok(),
                        "invalid UTF-8"
                    );
                }
                assert!(
                    min_stream_len(&event.data) <= limits.max_event,
                    "data of {} bytes passed max_event {}",
                    event.data.len(),
                    limits.max_event
                );
                // The type and the id each come from one line (or the type is the default).
                let event_type = &*event.event_type;
                assert!(event_type == "message" || min_stream_len(event_type) <= limits.max_line);
                assert!(min_stream_len(&event.last_event_id) <= limits.max_line);
            }
            Err(Oversize::Line { limit }) => assert_eq!(*limit, limits.max_line),
            Err(Oversize::Event { limit }) => assert_eq!(*limit, limits.max_event),
        }
    }
    assert!(min_stream_len(&outcome.last_event_id) <= limits.max_line);
}

fuzz_target!(|input: &[u8]| {
    let Some(plan) = Plan::read(input) else {
        return;
    };
    let stream = plan.stream;
    let mut chunks = Vec::new();
    let mut at = 0;
    for &size in plan.sizes.iter().cycle() {
        if at == stream.len() {
            break;
        }
        let end = (at + size).min(stream.len());
        chunks.push(&stream[at..end]);
        at = end;
    }

    let chunked = parse(plan.limits, chunks, plan.drain_each_push);
    check_items(&chunked, plan.limits);
    let whole = parse(plan.limits, [stream], true);
    assert_eq!(chunked, whole, "the chunking changed the outcome");

    // Every line and every event is shorter than the stream, so no limit can be reached and the
    // parser must agree with the spec's own steps.
    if plan.limits.max_line >= stream.len() && plan.limits.max_event >= stream.len() {
        let expected = reference::parse(stream);
        let got: Vec<(&str, &str, &str)> = whole
            .items
            .iter()
            .map(|item| {
                let event = item.as_ref().expect("no limit can be reached");
                (&*event.event_type, &*event.data, &*event.last_event_id)
            })
            .collect();
        let want: Vec<(&str, &str, &str)> = expected
            .events
            .iter()
            .map(|(t, d, id)| (t.as_str(), d.as_str(), id.as_str()))
            .collect();
        assert_eq!(got, want, "events differ from the spec's");
        assert_eq!(whole.last_event_id, expected.last_event_id, "last event id");
        assert_eq!(whole.retry, expected.retry, "retry");
    }
});

/// The WHATWG steps transcribed as plainly as possible, whole stream at once, no limits: slow
/// and obviously right, so the fast parser has something independent to agree with.
mod reference {
    /// Events as (type, data, lastEventId), then the final last event id and retry.
    pub struct Outcome {
        pub events: Vec<(String, String, String)>,
        pub last_event_id: String,
        pub retry: Option<u64>,
    }

    pub fn parse(stream: &[u8]) -> Outcome {
        // "Streams must be decoded using the UTF-8 decode algorithm", which strips one leading
        // BOM and replaces invalid sequences with U+FFFD.
        let decoded = String::from_utf8_lossy(stream);
        let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
        let mut out = Outcome {
            events: Vec::new(),
            last_event_id: String::new(),
            retry: None,
        };
        let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), None);
        let mut rest = text;
        // Lines end in CRLF, LF or CR; a last line without an end is discarded with the
        // unfinished event ("any pending data must be discarded").
        while let Some(end) = rest.find(['\r', '\n']) {
            let line = &rest[..end];
            let skip = if rest[end..].starts_with("\r\n") {
                2
            } else {
                1
            };
            rest = &rest[end + skip..];
            if line.is_empty() {
                // Dispatch: commit the id, then dispatch only when there is data.
                if let Some(id) = id_buffer.take() {
                    out.last_event_id = id;
                }
                if !data.is_empty() {
                    data.pop(); // the data buffer always ends in LF here
                    let kind = if event_type.is_empty() {
                        "message"
                    } else {
                        &event_type
                    };
                    let last_id = out.last_event_id.clone();
                    out.events
                        .push((kind.to_owned(), std::mem::take(&mut data), last_id));
                }
                data.clear();
                event_type.clear();
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line, ""),
            };
            match field {
                "event" => event_type = value.to_owned(),
                "data" => {
                    data.push_str(value);
                    data.push('\n');
                }
                "id" if !value.contains('\0') => id_buffer = Some(value.to_owned()),
                "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                    // Herald's choice for a number past u64: saturate.
                    out.retry = Some(value.parse().unwrap_or(u64::MAX));
                }
                _ => {}
            }
        }
        out
    }
}
