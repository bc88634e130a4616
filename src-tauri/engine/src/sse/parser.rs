//! The push parser: bytes in, events out.
//!
//! The caller pushes network chunks (`bytes::Bytes`) and pulls events; parsing happens lazily in
//! [`Parser::next`], so a 64 KiB chunk of tiny events never becomes a queue of a thousand events.
//! Line ends are found 64 bytes at a time (see `scan`) and never searched for twice. A line that
//! lies inside one chunk is read in place: a one-line `data:` value is a zero-copy slice of the
//! chunk. Only a line split across chunks is copied (once) into a carry-over buffer, and only
//! multi-line data is joined into a scratch buffer that becomes the event's own storage. UTF-8 is
//! validated once per field. So a dispatched event costs at most one allocation, and usually none.
//!
//! A network may deliver a few bytes at a time: a push that completes no line is taken at once,
//! and `next` then answers "nothing yet" without a call. Several functions here are inlined or
//! kept out of line on purpose; each says why (the reasons were measured, see BENCHMARKS.md).

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::copy::append;
use super::scan::{LineEnds, find_line_end};
use super::{Event, Text};

/// One leading UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The most bytes the parser will hold for one line, and for one event's data.
///
/// A hostile or broken server must not get unbounded memory out of Herald: a line or an event
/// larger than these is dropped (reported as an [`Oversize`]) and parsing resumes at the next
/// event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line, in bytes, without its line ending.
    pub max_line: usize,
    /// Largest event, in bytes of data (the joined `data:` values).
    pub max_event: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 1 << 20,
            max_event: 1 << 20,
        }
    }
}

/// Why an event was dropped instead of dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Oversize {
    /// A line was longer than [`Limits::max_line`].
    #[error("a line longer than {limit} bytes was dropped, with the event it belonged to")]
    Line {
        /// The limit in force.
        limit: usize,
    },
    /// An event's data grew past [`Limits::max_event`].
    #[error("an event larger than {limit} bytes was dropped")]
    Event {
        /// The limit in force.
        limit: usize,
    },
}

/// What [`Parser::next`] yields: an event, or the report of one dropped for its size.
type Item = Result<Event, Oversize>;

/// The data buffer of the event being read.
#[derive(Debug, Default)]
enum Data {
    /// No `data:` field yet: the spec's empty data buffer (dispatches nothing).
    #[default]
    None,
    /// One `data:` value, a zero-copy slice of the chunk it arrived in.
    Slice(Bytes),
    /// The values joined with LF in `Parser::joined` (several lines, or a line split across
    /// chunks).
    Joined,
}

/// A push parser for one event stream (one HTTP response).
///
/// Feed it with [`Parser::push`], take events with [`Parser::next`] until it returns `None`
/// (more input needed), and call [`Parser::finish`] when the stream ends. Each connection gets a
/// fresh parser, seeded with the last event id the client kept
/// (see [`Parser::with_last_event_id`]).
///
/// Memory: besides what the caller pushed and has not drained, the parser holds at most one
/// partial line (≤ [`Limits::max_line`]) and one event's data (≤ [`Limits::max_event`]).
#[derive(Debug)]
pub struct Parser {
    /// The chunk being parsed; `current[at..]` is not parsed yet.
    current: Bytes,
    /// How far `current` is parsed.
    at: usize,
    /// The line ends of `current` found ahead of `at`, kept between calls to [`Parser::next`].
    ends: LineEnds,
    /// Pushed chunks not parsed yet, oldest first (usually none: callers drain after each push).
    queued: VecDeque<Bytes>,
    /// [`Parser::finish`] was called: no more input will come.
    ended: bool,
    /// Everything else. Kept apart from the input so that a chunk is parsed where it lies
    /// (`state` borrows `current`), not moved out and back for every push.
    state: State,
}

/// The parser's state between chunks: the line being read and the spec's buffers.
#[derive(Debug)]
struct State {
    limits: Limits,
    /// Bytes of a line whose end has not arrived yet (its start, from earlier chunks).
    partial: Vec<u8>,
    /// Drop bytes until the end of the current line (it is over the limit, or a comment).
    skipping_line: bool,
    /// The current line is a `data:` line whose value is being appended to the data buffer as
    /// it arrives, so a long value is copied once, not into `partial` first.
    data_line_open: bool,
    /// Bytes of the current line seen so far, while `data_line_open`.
    open_line_len: usize,
    /// The open `data:` line went over a limit; which one is decided at its end, as for a line
    /// read whole, so every chunking reports the same reason.
    open_line_overflowed: bool,
    /// The previous chunk ended in CR: an LF starting the next chunk belongs to that line end.
    after_cr: bool,
    /// No line has been completed yet: the first one may start with a BOM.
    at_start: bool,
    /// The spec's "data buffer".
    data: Data,
    /// Storage for [`Data::Joined`]; split off (not copied) into each event that uses it.
    joined: BytesMut,
    /// Size of the data buffer in bytes, counting the LF between lines.
    data_len: usize,
    /// The spec's "event type buffer" (`None` when empty).
    event_type: Option<Text>,
    /// The type of the last dispatched event, to reuse when the next one has the same.
    last_type: Option<Text>,
    /// The spec's "last event ID buffer", when an `id:` field set it in the current block.
    id_buffer: Text,
    /// An `id:` field set `id_buffer` in the current block. (A flag beside the buffer rather
    /// than an `Option`, so the buffer's storage is reused: an id is written in place.)
    id_set: bool,
    /// The event source's "last event ID string": what a reconnect sends as `Last-Event-ID`.
    last_event_id: Text,
    /// The last valid `retry:` value, in milliseconds.
    retry: Option<u64>,
    /// The event being read is over a limit: discard it at the next blank line.
    dropping: Option<Oversize>,
    /// The last dispatched event's block had its own `id:` field.
    had_id: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(Limits::default())
    }
}

impl Parser {
    /// A parser for a new stream, with the given memory limits.
    pub fn new(limits: Limits) -> Parser {
        Parser {
            current: Bytes::new(),
            at: 0,
            ends: LineEnds::default(),
            queued: VecDeque::new(),
            ended: false,
            state: State {
                limits,
                partial: Vec::new(),
                skipping_line: false,
                data_line_open: false,
                open_line_len: 0,
                open_line_overflowed: false,
                after_cr: false,
                at_start: true,
                data: Data::None,
                joined: BytesMut::new(),
                data_len: 0,
                event_type: None,
                last_type: None,
                id_buffer: Text::EMPTY,
                id_set: false,
                last_event_id: Text::EMPTY,
                retry: None,
                dropping: None,
                had_id: false,
            },
        }
    }

    /// A parser for a reconnection: the last event id survives reconnects, so events of the new
    /// stream carry it until the server sends another `id:`.
    pub fn with_last_event_id(limits: Limits, last_event_id: &str) -> Parser {
        let mut parser = Parser::new(limits);
        parser.state.last_event_id = Text::from(last_event_id);
        parser
    }

    /// The stream's last event id: what the next request sends as `Last-Event-ID`.
    pub fn last_event_id(&self) -> &str {
        &self.state.last_event_id
    }

    /// Whether the event [`Parser::next`] returned last had an `id:` field of its own (rather
    /// than carrying on an earlier one). Only such an event can be recognised when a server
    /// replays it after a reconnect.
    pub fn event_had_id(&self) -> bool {
        self.state.had_id
    }

    /// The reconnection time the server asked for with `retry:`, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.state.retry
    }

    /// Feeds a chunk of the stream, in whatever size the network delivered it. Nothing is
    /// parsed until [`Parser::next`] is called; drain it after every push.
    // Always inlined: it runs once per network read, and a call that passes the chunk through
    // memory costs more than its fast path (measured at 7-byte chunks: 300 vs 200 MB/s).
    #[inline(always)]
    pub fn push(&mut self, chunk: impl Into<Bytes>) {
        let chunk = chunk.into();
        if chunk.is_empty() || self.ended {
            return;
        }
        if !self.input_is_empty() {
            // Earlier input is not parsed yet: this chunk waits its turn.
            self.queued.push_back(chunk);
        } else if find_line_end(&chunk).is_none() {
            // No line ends here (the network delivering a few bytes at a time, or the middle of
            // a long line): nothing to dispatch, so take the bytes now rather than store the
            // chunk and come back for it. An LF cannot follow a CR here: there is none.
            self.state.after_cr = false;
            self.state.carry(&chunk);
        } else {
            // The usual case (the caller drained): parsed on the next call to `next`.
            self.start_chunk(chunk);
        }
    }

    /// Whether all pushed input is parsed.
    #[inline(always)]
    fn input_is_empty(&self) -> bool {
        self.at >= self.current.len() && self.queued.is_empty()
    }

    /// Makes `chunk` the one being parsed.
    #[inline(always)]
    fn start_chunk(&mut self, chunk: Bytes) {
        self.current = chunk;
        self.at = 0;
        self.ends = LineEnds::default();
    }

    /// Like [`Parser::push`], for bytes that are not in a `Bytes` (they are copied).
    pub fn push_slice(&mut self, chunk: &[u8]) {
        self.push(Bytes::copy_from_slice(chunk));
    }

    /// Parses until the next event (or report of a dropped one) and returns it; `None` means
    /// all pushed input is consumed and more is needed.
    #[allow(clippy::should_implement_trait)] // an Iterator would hide that more input may come
    #[inline]
    pub fn next(&mut self) -> Option<Item> {
        // Inlined so that the usual answer after a push of a few bytes, "nothing yet", costs the
        // caller no call. (With no input left after `finish`, the leftovers are already gone.)
        if self.input_is_empty() {
            return None;
        }
        self.parse_next()
    }

    /// [`Parser::next`] when there is input to parse.
    #[inline(never)]
    fn parse_next(&mut self) -> Option<Item> {
        loop {
            if self.at >= self.current.len() {
                match self.queued.pop_front() {
                    Some(chunk) => self.start_chunk(chunk),
                    None => {
                        if self.ended {
                            self.current = Bytes::new();
                            self.state.discard_pending();
                        }
                        return None;
                    }
                }
            }
            let item = self
                .state
                .parse_chunk(&self.current, &mut self.at, &mut self.ends);
            if item.is_some() {
                return item;
            }
        }
    }

    /// Signals the end of the stream.
    ///
    /// Complete events still in pushed input keep coming out of [`Parser::next`]; then, per the
    /// spec, "Once the end of the file is reached, any pending data must be discarded. (If the
    /// file ends in the middle of an event, before the final empty line, the incomplete event is
    /// not dispatched.)" Buffers are freed so a finished parser holds no memory; the last event
    /// id and retry value stay readable. Input pushed after this is ignored.
    pub fn finish(&mut self) {
        self.ended = true;
        if self.input_is_empty() {
            self.current = Bytes::new();
            self.state.discard_pending();
        }
    }
}

impl State {
    /// Drops the unfinished line and block at the end of the stream.
    fn discard_pending(&mut self) {
        self.partial = Vec::new();
        self.skipping_line = false;
        self.data_line_open = false;
        self.after_cr = false;
        self.data = Data::None;
        self.joined = BytesMut::new();
        self.data_len = 0;
        self.event_type = None;
        self.id_set = false;
        self.dropping = None;
    }

    /// Parses lines of `chunk` from `*at` until an item is ready or the chunk is used up,
    /// moving `*at` past what it parsed. `ends` holds line ends already found in `chunk`.
    ///
    /// Spec: "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
    /// character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
    /// RETURN (CR) character."
    fn parse_chunk(
        &mut self,
        chunk: &Bytes,
        at_ref: &mut usize,
        ends: &mut LineEnds,
    ) -> Option<Item> {
        let mut at = *at_ref;
        if self.after_cr {
            // A CRLF split across chunks (only ever at a chunk's start): this LF is part of the
            // line end already seen.
            self.after_cr = false;
            if chunk.get(at) == Some(&b'\n') {
                at += 1;
            }
        }
        while at < chunk.len() {
            if !self.data_line_open
                && !self.skipping_line
                && self.partial.is_empty()
                && !self.at_start
            {
                // A line that starts here. The commonest lines between events, a blank line
                // that ends an empty block and a comment (heartbeat), change nothing: they are
                // passed over without the general path.
                let first = chunk[at];
                if first == b'\n' || first == b'\r' {
                    // Spec: "If the line is empty (a blank line) -> Dispatch the event."
                    at = self.past_line_end(chunk, at);
                    if !self.block_is_empty()
                        && let Some(item) = self.dispatch()
                    {
                        *at_ref = at;
                        return Some(item);
                    }
                    continue;
                }
                let Some(end) = ends.next(chunk, at) else {
                    self.carry_rest(&chunk[at..]);
                    *at_ref = chunk.len();
                    return None;
                };
                if first != b':' {
                    // A field: not blank, as `first` is not a line end.
                    self.line_in_chunk(chunk, at, end);
                }
                at = self.past_line_end(chunk, end);
                continue;
            }
            // A line begun in an earlier chunk, or the stream's first line.
            let Some(end) = ends.next(chunk, at) else {
                self.carry_rest(&chunk[at..]);
                *at_ref = chunk.len();
                return None;
            };
            let blank = if self.data_line_open {
                self.close_data_line(&chunk[at..end]);
                false
            } else if self.partial.is_empty() && !self.skipping_line {
                self.line_in_chunk(chunk, at, end)
            } else {
                self.line_across_chunks(&chunk[at..end])
            };
            at = self.past_line_end(chunk, end);
            // Only a blank line can complete an event. (The line functions answer with a flag
            // rather than the event: an `Option<Item>` is ~100 bytes, copied at every return.)
            if blank && let Some(item) = self.dispatch() {
                *at_ref = at;
                return Some(item);
            }
        }
        *at_ref = at;
        None
    }

    /// Keeps the start of an unfinished line for the next chunk, within the line limit.
    ///
    /// Inlined for the cases that follow a network delivering a few bytes at a time: inside a
    /// comment, a `data:` line or a line already begun. The rest is out of line, so that this
    /// part needs no stack frame.
    #[inline(always)]
    fn carry(&mut self, start: &[u8]) {
        if self.skipping_line {
            return;
        }
        if self.data_line_open {
            self.extend_data_line(start);
            return;
        }
        if !self.partial.is_empty() && self.partial.len() + start.len() <= self.limits.max_line {
            append(&mut self.partial, start);
            return;
        }
        self.carry_line_start(start);
    }

    /// Where the line ending at `chunk[end]` (CR or LF) is followed by the next line: past a
    /// CRLF pair, noting a CR that ends the chunk (its LF may start the next one).
    #[inline(always)]
    fn past_line_end(&mut self, chunk: &[u8], end: usize) -> usize {
        let next = end + 1;
        if chunk[end] == b'\r' {
            match chunk.get(next) {
                Some(b'\n') => return next + 1,
                Some(_) => {}
                None => self.after_cr = true,
            }
        }
        next
    }

    /// [`State::carry`], out of line: the parse loop's hot path stays small (inlining it there
    /// cost the heartbeat workload 7 %).
    #[inline(never)]
    fn carry_rest(&mut self, start: &[u8]) {
        self.carry(start);
    }

    /// [`State::carry`] for a line's first bytes, or a line that goes over the limit.
    #[inline(never)]
    fn carry_line_start(&mut self, start: &[u8]) {
        if self.partial.is_empty() && !self.at_start {
            // A comment is ignored whole: no need to keep it.
            if start.first() == Some(&b':') {
                self.skipping_line = true;
                return;
            }
            // A `data:` value goes straight to the data buffer. Only once a byte after the colon
            // has arrived, so the one-space rule can be applied now.
            if let Some(after) = start.strip_prefix(b"data:")
                && !after.is_empty()
            {
                let value = after.strip_prefix(b" ").unwrap_or(after);
                self.open_data_line(start.len() - value.len(), value);
                return;
            }
        }
        if self.partial.len() + start.len() > self.limits.max_line {
            if !self.starts_comment(start) {
                self.drop_event(Oversize::Line {
                    limit: self.limits.max_line,
                });
            }
            self.at_start = false;
            self.partial = Vec::new(); // give the memory back: this line may be endless
            self.skipping_line = true;
        } else {
            append(&mut self.partial, start);
        }
    }

    /// Whether the line whose bytes are `partial` + `more` is a comment (after a BOM on the
    /// stream's first line). Comments are ignored, so they are never "too long".
    fn starts_comment(&self, more: &[u8]) -> bool {
        let mut head = [0u8; 4];
        let n = self.partial.len().min(4);
        head[..n].copy_from_slice(&self.partial[..n]);
        let m = more.len().min(4 - n);
        head[n..n + m].copy_from_slice(&more[..m]);
        let head = &head[..n + m];
        let head = if self.at_start {
            head.strip_prefix(BOM).unwrap_or(head)
        } else {
            head
        };
        head.first() == Some(&b':')
    }

    /// Starts a `data:` line whose end has not arrived: `prefix` bytes of field name, colon and
    /// space, then the first bytes of the value.
    fn open_data_line(&mut self, prefix: usize, value: &[u8]) {
        self.data_line_open = true;
        self.open_line_len = prefix;
        self.open_line_overflowed = false;
        if self.dropping.is_some() {
            return;
        }
        // Spec: data values are joined with LF; this one is appended as it arrives.
        match std::mem::take(&mut self.data) {
            Data::None => {}
            Data::Slice(first) => {
                self.joined.extend_from_slice(&first);
                self.joined.extend_from_slice(b"\n");
                self.data_len += 1;
            }
            Data::Joined => {
                self.joined.extend_from_slice(b"\n");
                self.data_len += 1;
            }
        }
        self.data = Data::Joined;
        self.extend_data_line(value);
    }

    /// More bytes of an open `data:` line, within the line and event limits.
    #[inline(always)]
    fn extend_data_line(&mut self, bytes: &[u8]) {
        self.open_line_len += bytes.len();
        if self.open_line_overflowed || self.dropping.is_some() {
            return;
        }
        if self.open_line_len > self.limits.max_line
            || self.data_len + bytes.len() > self.limits.max_event
        {
            self.open_line_overflowed = true;
            return;
        }
        append(&mut self.joined, bytes);
        self.data_len += bytes.len();
    }

    /// The end of an open `data:` line: its last bytes are `tail`.
    #[inline(never)] // keeps the parse loop small
    fn close_data_line(&mut self, tail: &[u8]) {
        self.extend_data_line(tail);
        self.data_line_open = false;
        if self.open_line_overflowed {
            // The reason a line read whole would get: too long a line, else too big an event.
            let why = if self.open_line_len > self.limits.max_line {
                Oversize::Line {
                    limit: self.limits.max_line,
                }
            } else {
                Oversize::Event {
                    limit: self.limits.max_event,
                }
            };
            self.drop_event(why);
        }
    }

    /// A complete line that lies in `chunk[start..end]`: read in place. True if it is blank.
    fn line_in_chunk(&mut self, chunk: &Bytes, start: usize, end: usize) -> bool {
        let line = &chunk[start..end];
        if line.len() > self.limits.max_line {
            if !self.starts_comment(line) {
                self.drop_event(Oversize::Line {
                    limit: self.limits.max_line,
                });
            }
            self.at_start = false;
            return false;
        }
        self.process_line(line, Some(chunk))
    }

    /// A line that began in an earlier chunk and ends with `tail`. True if it is blank.
    fn line_across_chunks(&mut self, tail: &[u8]) -> bool {
        if self.skipping_line {
            self.skipping_line = false;
            return false;
        }
        if self.partial.len() + tail.len() > self.limits.max_line {
            if !self.starts_comment(tail) {
                self.drop_event(Oversize::Line {
                    limit: self.limits.max_line,
                });
            }
            self.partial = Vec::new();
            self.at_start = false;
            return false;
        }
        let mut line = std::mem::take(&mut self.partial);
        append(&mut line, tail);
        let blank = self.process_line(&line, None);
        line.clear();
        self.partial = line; // keep the capacity for the next split line
        blank
    }
}

mod interpret;
#[cfg(test)]
mod tests;
