//! The spec's "Interpreting an event stream": what each complete line does to the event being
//! read, and dispatching it. The parser (the parent module) finds the lines; this reads them.

use bytes::{Bytes, BytesMut};

use super::{BOM, Data, Item, Oversize, State};
use crate::sse::{Event, Text};

impl State {
    /// Interprets one complete line, without its line ending. `source` is the chunk the line
    /// lies in (values can then be sliced from it), or `None` for a line copied together.
    /// Returns true for a blank line: the caller dispatches the event.
    pub(super) fn process_line(&mut self, line: &[u8], source: Option<&Bytes>) -> bool {
        let mut line = line;
        if self.at_start {
            // Spec: "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM),
            // if any." Only the stream's first line can start with it.
            self.at_start = false;
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        // Spec: "If the line is empty (a blank line) -> Dispatch the event."
        let Some(&first) = line.first() else {
            return true;
        };
        // Spec: "If the line starts with a U+003A COLON character (:) -> Ignore the line."
        if first == b':' {
            return false;
        }
        // Spec: "If the line contains a U+003A COLON character (:) -> Collect the characters on
        // the line before the first U+003A COLON character (:), and let field be that string.
        // Collect the characters on the line after the first U+003A COLON character (:), and let
        // value be that string. If value starts with a U+0020 SPACE character, remove it from
        // value." Otherwise the whole line is the field name and the value is empty.
        // Field names are short: a plain loop finds the colon sooner than a vectorised search.
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        self.process_field(field, value, source);
        false
    }

    /// Spec: "Process the field". Field names are compared byte for byte (case-sensitive).
    fn process_field(&mut self, field: &[u8], value: &[u8], source: Option<&Bytes>) {
        match field {
            // Spec: "Append the field value to the data buffer, then append a single U+000A LINE
            // FEED (LF) character to the data buffer." (Stored without the LFs; they are put
            // between lines when joining, which is the same once the last LF is removed.)
            b"data" => self.append_data(value, source),
            // Spec: "Set the event type buffer to field value."
            b"event" => {
                // Servers repeat a few types: reuse the last one instead of decoding it again.
                self.event_type = match &self.last_type {
                    Some(last) if last.as_bytes() == value => Some(last.clone()),
                    _ => Some(Text::copy_from_utf8_lossy(value)),
                };
            }
            // Spec: "If the field value does not contain U+0000 NULL, then set the last event ID
            // buffer to the field value. Otherwise, ignore the field."
            b"id" if !value.contains(&0) => {
                self.id_buffer.assign_from_utf8_lossy(value);
                self.id_set = true;
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

    /// Adds one `data:` value to the event being read.
    fn append_data(&mut self, value: &[u8], source: Option<&Bytes>) {
        if self.dropping.is_some() {
            return;
        }
        let separator = usize::from(!matches!(self.data, Data::None));
        let len = self.data_len + separator + value.len();
        if len > self.limits.max_event {
            self.drop_event(Oversize::Event {
                limit: self.limits.max_event,
            });
            return;
        }
        self.data_len = len;
        match (std::mem::take(&mut self.data), source) {
            (Data::None, Some(chunk)) => self.data = Data::Slice(chunk.slice_ref(value)),
            (Data::None, None) => {
                self.joined.extend_from_slice(value);
                self.data = Data::Joined;
            }
            (Data::Slice(first), _) => {
                self.joined.reserve(first.len() + 1 + value.len());
                self.joined.extend_from_slice(&first);
                self.joined.extend_from_slice(b"\n");
                self.joined.extend_from_slice(value);
                self.data = Data::Joined;
            }
            (Data::Joined, _) => {
                self.joined.extend_from_slice(b"\n");
                self.joined.extend_from_slice(value);
                self.data = Data::Joined;
            }
        }
    }

    /// Whether the current block has no field yet (a blank line would dispatch nothing).
    pub(super) fn block_is_empty(&self) -> bool {
        matches!(self.data, Data::None)
            && self.event_type.is_none()
            && !self.id_set
            && self.dropping.is_none()
    }

    /// Marks the current event as dropped; it is reported once, at its end.
    pub(super) fn drop_event(&mut self, why: Oversize) {
        if self.dropping.is_none() {
            self.dropping = Some(why);
        }
        self.data = Data::None;
        self.data_len = 0;
        self.joined = BytesMut::new(); // give the memory back
    }

    /// Spec: "Dispatch the event".
    pub(super) fn dispatch(&mut self) -> Option<Item> {
        // Step 1: "Set the last event ID string of the event source to the value of the last
        // event ID buffer." This happens even when no event is dispatched.
        self.had_id = self.id_set;
        if self.id_set {
            self.id_set = false;
            // The old last event id's storage becomes the buffer for the next `id:`.
            std::mem::swap(&mut self.last_event_id, &mut self.id_buffer);
        }
        let event_type = self.event_type.take();
        self.data_len = 0;
        if let Some(why) = self.dropping.take() {
            return Some(Err(why));
        }
        // Step 2: "If the data buffer is an empty string, set the data buffer and the event type
        // buffer to the empty string and return."
        // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character,
        // then remove the last character from the data buffer." (Joining never adds it.)
        let data = match std::mem::take(&mut self.data) {
            Data::None => return None,
            Data::Slice(bytes) => bytes,
            Data::Joined => self.joined.split().freeze(),
        };
        // Steps 4-5: the event's type is the event type buffer, or "message" when empty.
        let event_type = match event_type {
            Some(t) if !t.is_empty() => {
                self.last_type = Some(t.clone());
                t
            }
            _ => Text::from("message"),
        };
        Some(Ok(Event {
            event_type,
            data: Text::from_utf8_lossy(data),
            last_event_id: self.last_event_id.clone(),
        }))
    }
}
