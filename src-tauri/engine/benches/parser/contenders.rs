//! The parsers under test, each behind the same signature: chunks in, a timed [`Sample`] out.
//!
//! Every adapter consumes the same owned `Bytes` chunks from a [`Feed`], counts each dispatched
//! event and its data bytes, and drops the event: the cost of producing an event the caller
//! owns is part of each parser's time. Setup that a real client does once per connection
//! (building a client) stays outside the timed part; creating the parser is inside it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use eventsource_client::{Client, ClientBuilder, ReconnectOptions, SSE};
use futures_util::stream;
use herald_engine::sse::{self, Limits, Parser};
use launchdarkly_sdk_transport::{
    ByteStream, HttpTransport, Request, ResponseFuture, TransportError,
};

use crate::measure::{Feed, Sample, Tally, drain_stream, measure};

/// Parses all `chunks`, stopping early after `cap`.
pub type ParseFn = fn(&Arc<Vec<Bytes>>, Duration) -> Sample;

/// One column of the report.
pub struct Contender {
    /// Column header.
    pub name: &'static str,
    pub role: Role,
    pub parse: ParseFn,
}

/// What a column is compared as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Herald,
    Peer,
    /// Not a parser: the row's upper bound.
    Limit,
    /// Not a parser: the upper bound of a parser that hands out each line as one contiguous
    /// string, so must copy the lines that arrive split across chunks.
    CopyLimit,
}

impl Role {
    /// Whether the column is a parser (its events are counted, not its newlines).
    pub fn is_parser(self) -> bool {
        matches!(self, Role::Herald | Role::Peer)
    }
}

/// The columns, in report order.
pub const ALL: [Contender; 6] = [
    Contender {
        name: "Herald",
        role: Role::Herald,
        parse: herald,
    },
    Contender {
        name: "eventsource-stream",
        role: Role::Peer,
        parse: eventsource_stream,
    },
    Contender {
        name: "sse-stream",
        role: Role::Peer,
        parse: sse_stream,
    },
    Contender {
        name: "ld eventsource-client",
        role: Role::Peer,
        parse: launchdarkly,
    },
    Contender {
        name: "memchr limit",
        role: Role::Limit,
        parse: memchr_limit,
    },
    Contender {
        name: "split-line copy limit",
        role: Role::CopyLimit,
        parse: split_line_copy_limit,
    },
];

/// Herald's `sse::Parser`: push each chunk (zero-copy), drain events after every push.
fn herald(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    measure(|| {
        let mut tally = Tally::default();
        let mut parser = Parser::new(Limits::default());
        let mut drain = |parser: &mut Parser| {
            while let Some(item) = parser.next() {
                match item {
                    Ok(event) => tally.event(&event.data),
                    Err(_) => tally.errors += 1,
                }
            }
        };
        for chunk in Feed::new(chunks, cap) {
            parser.push(chunk);
            drain(&mut parser);
        }
        parser.finish();
        drain(&mut parser);
        tally
    })
}

/// A stream of the feed's chunks that never fails, as the stream-based peers take input.
fn byte_stream(
    chunks: &Arc<Vec<Bytes>>,
    cap: Duration,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send + Sync + 'static {
    stream::iter(Feed::new(chunks, cap).map(Ok))
}

/// `eventsource-stream` 0.2 (the parser inside reqwest-eventsource).
fn eventsource_stream(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    measure(|| {
        let mut tally = Tally::default();
        let events = eventsource_stream::EventStream::new(byte_stream(chunks, cap));
        drain_stream(events, |item| match item {
            Ok(event) => tally.event(&event.data),
            Err(_) => tally.errors += 1,
        });
        tally
    })
}

/// `sse-stream` 0.3, through `SseByteStream` (its docs prefer it to `SseStream` for bytes).
fn sse_stream(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    measure(|| {
        let mut tally = Tally::default();
        let blocks = sse_stream::SseByteStream::new(byte_stream(chunks, cap));
        drain_stream(blocks, |item| match item {
            // It returns every non-empty block; the spec dispatches only those with data.
            Ok(block) => match block.data.as_deref() {
                Some(data) if !data.is_empty() => tally.event(data),
                _ => {}
            },
            Err(_) => tally.errors += 1,
        });
        tally
    })
}

/// launchdarkly `eventsource-client` 0.18.0. Its parser is private, so it runs inside the
/// client, with a transport that answers from memory; reconnecting is off so the stream ends
/// with the body.
fn launchdarkly(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    let transport = MemoryTransport {
        chunks: Arc::clone(chunks),
        cap,
    };
    let client = ClientBuilder::for_url("http://herald.invalid/events")
        .expect("a valid URL")
        .reconnect(ReconnectOptions::reconnect(false).build())
        .build_with_transport(transport);
    measure(|| {
        let mut tally = Tally::default();
        drain_stream(client.stream(), |item| match item {
            Ok(SSE::Event(event)) => tally.event(&event.data),
            Ok(SSE::Connected(_) | SSE::Comment(_)) => {}
            // How the body's end is reported; the stream closes right after.
            Err(eventsource_client::Error::Eof) => {}
            Err(_) => tally.errors += 1,
        });
        tally
    })
}

/// An HTTP transport that answers every request with `200 text/event-stream` and the chunks.
#[derive(Clone)]
struct MemoryTransport {
    chunks: Arc<Vec<Bytes>>,
    cap: Duration,
}

impl HttpTransport for MemoryTransport {
    fn request(&self, _request: Request<Option<Bytes>>) -> ResponseFuture {
        let feed = Feed::new(&self.chunks, self.cap);
        let body: ByteStream = Box::pin(stream::iter(feed.map(Ok::<_, TransportError>)));
        let response = launchdarkly_sdk_transport::Response::builder()
            .status(200)
            .header("content-type", "text/event-stream")
            .body(body)
            .map_err(TransportError::new);
        Box::pin(std::future::ready(response))
    }
}

/// Not a parser: the newlines of every chunk counted with `memchr`, the least any line-based
/// parser has to do. Each row's upper bound.
fn memchr_limit(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    measure(|| {
        let mut tally = Tally::default();
        for chunk in Feed::new(chunks, cap) {
            tally.events += memchr::memchr_iter(b'\n', &chunk).count() as u64;
        }
        tally
    })
}

/// Not a parser: the memchr limit plus one copy of every line that arrives split across chunks
/// into a reused buffer, as any parser must do that hands out a line as one contiguous string
/// (a line within one chunk is not copied: a zero-copy parser can slice it). On rows of long
/// lines that copy, not the search, is what bounds every such parser.
fn split_line_copy_limit(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Sample {
    measure(|| {
        let mut tally = Tally::default();
        let mut line = Vec::with_capacity(64 << 10);
        for chunk in Feed::new(chunks, cap) {
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', &chunk) {
                tally.events += 1;
                if !line.is_empty() {
                    // The end of a split line: join it, hand it out, start afresh.
                    sse::append(&mut line, &chunk[start..end]);
                    std::hint::black_box(&line);
                    line.clear();
                }
                start = end + 1;
            }
            // The start of a line that ends in a later chunk (with the parser's own copy, so
            // that a few bytes cost no more here than there).
            sse::append(&mut line, &chunk[start..]);
        }
        tally
    })
}
