//! The push parser: bytes in, events out.
//!
//! Lines are found with `memchr` and never re-scanned: a partial line is copied once into a
//! carry-over buffer and completed by the next chunk. Each complete line is decoded as UTF-8
//! once (lossily, as the spec's decoder does) and interpreted at once, so the only state between
//! lines is the spec's own buffers (data, event type, last event id).

use std::collections::VecDeque;

use super::Event;

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

/// A push parser for one event stream (one HTTP response).
///
/// Feed it with [`Parser::push`], take events with [`Parser::next`], and call [`Parser::finish`]
/// when the stream ends. Each connection gets a fresh parser, seeded with the last event id the
/// client kept (see [`Parser::with_last_event_id`]).
#[derive(Debug)]
pub struct Parser {
    limits: Limits,
    /// Bytes of a line whose end has not arrived yet.
    line: Vec<u8>,
    /// The current line is over the limit: drop bytes until its end.
    skipping_line: bool,
    /// The previous chunk ended in CR: an LF starting the next chunk belongs to that line end.
    after_cr: bool,
    /// No line has been completed yet: the first one may start with a BOM.
    at_start: bool,
    /// The spec's "data buffer".
    data: String,
    /// The spec's "event type buffer".
    event_type: String,
    /// The spec's "last event ID buffer": set by `id:`, copied out at dispatch.
    id_buffer: String,
    /// The event source's "last event ID string": what a reconnect sends as `Last-Event-ID`.
    last_event_id: String,
    /// The last valid `retry:` value, in milliseconds.
    retry: Option<u64>,
    /// The event being read is over a limit: discard it at the next blank line.
    dropping: Option<Oversize>,
    /// Dispatched events and drop reports, in stream order, waiting to be taken.
    ready: VecDeque<Result<Event, Oversize>>,
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
            limits,
            line: Vec::new(),
            skipping_line: false,
            after_cr: false,
            at_start: true,
            data: String::new(),
            event_type: String::new(),
            id_buffer: String::new(),
            last_event_id: String::new(),
            retry: None,
            dropping: None,
            ready: VecDeque::new(),
        }
    }

    /// A parser for a reconnection: the last event id survives reconnects, so events of the new
    /// stream carry it until the server sends another `id:`.
    pub fn with_last_event_id(limits: Limits, last_event_id: &str) -> Parser {
        let mut parser = Parser::new(limits);
        parser.id_buffer = last_event_id.to_owned();
        parser.last_event_id = last_event_id.to_owned();
        parser
    }

    /// The stream's last event id: what the next request sends as `Last-Event-ID`.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time the server asked for with `retry:`, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// Takes the next dispatched event (or report of a dropped one), in stream order.
    #[allow(clippy::should_implement_trait)] // an Iterator would hide that more input may come
    pub fn next(&mut self) -> Option<Result<Event, Oversize>> {
        self.ready.pop_front()
    }

    /// Feeds bytes of the stream, in whatever chunks the network delivered them.
    ///
    /// Spec: "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
    /// character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
    /// RETURN (CR) character."
    pub fn push(&mut self, mut input: &[u8]) {
        if self.after_cr && !input.is_empty() {
            // A CRLF split across chunks: the LF is part of the line end already seen.
            self.after_cr = false;
            if input[0] == b'\n' {
                input = &input[1..];
            }
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', input) {
            let head = &input[..end];
            let mut rest = &input[end + 1..];
            if input[end] == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            self.complete_line(head);
            input = rest;
        }
        self.carry(input);
    }

    /// Signals the end of the stream.
    ///
    /// Spec: "Once the end of the file is reached, any pending data must be discarded. (If the
    /// file ends in the middle of an event, before the final empty line, the incomplete event is
    /// not dispatched.)" Buffers are cleared so the parser holds no memory afterwards; the last
    /// event id and retry value stay readable.
    pub fn finish(&mut self) {
        self.line = Vec::new();
        self.skipping_line = false;
        self.after_cr = false;
        self.data = String::new();
        self.event_type = String::new();
        self.id_buffer = self.last_event_id.clone();
        self.dropping = None;
    }

    /// Keeps the bytes of an unfinished line for the next push, within the line limit.
    fn carry(&mut self, partial: &[u8]) {
        if partial.is_empty() || self.skipping_line {
            return;
        }
        if self.line.len() + partial.len() > self.limits.max_line {
            self.start_skipping_line();
        } else {
            self.line.extend_from_slice(partial);
        }
    }

    /// Handles a line whose end was just found; `tail` is its part in the current chunk.
    fn complete_line(&mut self, tail: &[u8]) {
        if self.skipping_line {
            self.skipping_line = false;
            return;
        }
        if self.line.is_empty() {
            if tail.len() > self.limits.max_line {
                self.start_skipping_line();
                self.skipping_line = false;
                return;
            }
            self.process_line(tail);
        } else if self.line.len() + tail.len() > self.limits.max_line {
            self.start_skipping_line();
            self.skipping_line = false;
        } else {
            let mut line = std::mem::take(&mut self.line);
            line.extend_from_slice(tail);
            self.process_line(&line);
            line.clear();
            self.line = line;
        }
    }

    /// The current line is too long: drop it, and the event it belongs to.
    fn start_skipping_line(&mut self) {
        self.line = Vec::new();
        self.skipping_line = true;
        self.at_start = false;
        self.drop_event(Oversize::Line {
            limit: self.limits.max_line,
        });
    }

    /// Marks the current event as dropped; it is reported once, at its end.
    fn drop_event(&mut self, why: Oversize) {
        if self.dropping.is_none() {
            self.dropping = Some(why);
        }
        self.data = String::new();
    }

    /// Interprets one complete line, without its line ending.
    fn process_line(&mut self, mut line: &[u8]) {
        if self.at_start {
            // Spec: "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM),
            // if any." Only the stream's first line can start with it.
            self.at_start = false;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        // Spec: "If the line is empty (a blank line) -> Dispatch the event."
        if line.is_empty() {
            self.dispatch();
            return;
        }
        // Spec: "If the line starts with a U+003A COLON character (:) -> Ignore the line."
        if line[0] == b':' {
            return;
        }
        // Spec: "If the line contains a U+003A COLON character (:) -> Collect the characters on
        // the line before the first U+003A COLON character (:), and let field be that string.
        // Collect the characters on the line after the first U+003A COLON character (:), and let
        // value be that string. If value starts with a U+0020 SPACE character, remove it from
        // value." Otherwise the whole line is the field name and the value is empty.
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        self.process_field(field, value);
    }

    /// Spec: "Process the field". Field names are compared byte for byte (case-sensitive).
    fn process_field(&mut self, field: &[u8], value: &[u8]) {
        match field {
            b"event" => {
                // Spec: "Set the event type buffer to field value."
                self.event_type = String::from_utf8_lossy(value).into_owned();
            }
            b"data" => {
                // Spec: "Append the field value to the data buffer, then append a single U+000A
                // LINE FEED (LF) character to the data buffer."
                if self.dropping.is_some() {
                    return;
                }
                if self.data.len() + value.len() + 1 > self.limits.max_event {
                    self.drop_event(Oversize::Event {
                        limit: self.limits.max_event,
                    });
                    return;
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            // Spec: "If the field value does not contain U+0000 NULL, then set the last event ID
            // buffer to the field value. Otherwise, ignore the field."
            b"id" if !value.contains(&0) => {
                self.id_buffer = String::from_utf8_lossy(value).into_owned();
            }
            // Spec: "If the field value consists of only ASCII digits, then interpret the field
            // value as an integer in base ten, and set the event stream's reconnection time to
            // that integer. Otherwise, ignore the field."
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = value
                    .iter()
                    .try_fold(0u64, |n, d| {
                        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                    })
                    .unwrap_or(u64::MAX);
                self.retry = Some(ms);
            }
            // Spec: "Otherwise: The field is ignored." (Also an `id` with NUL, a bad `retry`.)
            _ => {}
        }
    }

    /// Spec: "Dispatch the event".
    fn dispatch(&mut self) {
        // Step 1: "Set the last event ID string of the event source to the value of the last
        // event ID buffer." This happens even when no event is dispatched.
        if self.last_event_id != self.id_buffer {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        let event_type = std::mem::take(&mut self.event_type);
        if let Some(why) = self.dropping.take() {
            self.data.clear();
            self.ready.push_back(Err(why));
            return;
        }
        // Step 2: "If the data buffer is an empty string, set the data buffer and the event type
        // buffer to the empty string and return."
        if self.data.is_empty() {
            return;
        }
        // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character,
        // then remove the last character from the data buffer."
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        // Steps 4-5: the event's type is the event type buffer, or "message" when empty.
        let event_type = if event_type.is_empty() {
            "message".to_owned()
        } else {
            event_type
        };
        self.ready.push_back(Ok(Event {
            event_type,
            data,
            last_event_id: self.last_event_id.clone(),
        }));
    }
}

#[cfg(test)]
mod tests;
