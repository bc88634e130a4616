//! [`Text`]: the string type of parsed events — UTF-8, cheap to clone, zero-copy when it can be.
//!
//! Short strings (event types, ids, small payloads) are stored inline, so they cost no
//! allocation and do not keep a large network buffer alive. Longer ones share the network buffer
//! they were read from (`bytes::Bytes`), so a big `data:` line is never copied.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// The longest string stored inline.
const INLINE: usize = 23;

/// An immutable UTF-8 string, inline when short, otherwise a shared slice of a network buffer.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// The length, then the bytes: `bytes[1..=bytes[0]]`. Invariant: those are valid UTF-8.
    /// One plain array (rather than a length field and a buffer) so that a copy is two word
    /// moves, not a byte store that a wider load then has to wait for.
    Inline([u8; INLINE + 1]),
    /// Invariant: valid UTF-8.
    Shared(Bytes),
}

impl Text {
    /// The empty string.
    pub const EMPTY: Text = Text(Repr::Inline([0; INLINE + 1]));

    /// Copies `s` (inline when short).
    #[inline]
    pub fn copy_from_str(s: &str) -> Text {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE + 1];
            write_inline(&mut bytes, s);
            Text(Repr::Inline(bytes))
        } else {
            Text(Repr::Shared(Bytes::copy_from_slice(s.as_bytes())))
        }
    }

    /// Decodes `bytes` as UTF-8, replacing invalid sequences with U+FFFD (the spec's decoder).
    /// Copies short strings inline; shares longer valid ones without copying.
    #[inline]
    pub fn from_utf8_lossy(bytes: Bytes) -> Text {
        match validate(&bytes) {
            Ok(s) if s.len() <= INLINE => Text::copy_from_str(s),
            Ok(_) => Text(Repr::Shared(bytes)),
            Err(_) => Text::from(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// Like [`Text::from_utf8_lossy`], for bytes that are not in a `Bytes` (copies them).
    #[inline]
    pub fn copy_from_utf8_lossy(bytes: &[u8]) -> Text {
        match validate(bytes) {
            Ok(s) => Text::copy_from_str(s),
            Err(_) => Text::from(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// Makes this string a copy of `bytes`, decoded as [`Text::copy_from_utf8_lossy`] does. A
    /// short string is written in place, reusing this one's storage.
    #[inline]
    pub(crate) fn assign_from_utf8_lossy(&mut self, bytes: &[u8]) {
        match (validate(bytes), &mut self.0) {
            (Ok(s), Repr::Inline(inline)) if s.len() <= INLINE => write_inline(inline, s),
            _ => *self = Text::copy_from_utf8_lossy(bytes),
        }
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        let bytes = match &self.0 {
            Repr::Inline(bytes) => &bytes[1..=usize::from(bytes[0])],
            Repr::Shared(bytes) => bytes,
        };
        // SAFETY: every constructor stores valid UTF-8 only (see the `Repr` invariants).
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// Stores `s` (at most [`INLINE`] bytes) in the inline form: the length, then the bytes.
#[inline(always)]
fn write_inline(inline: &mut [u8; INLINE + 1], s: &str) {
    inline[0] = s.len() as u8;
    inline[1..=s.len()].copy_from_slice(s.as_bytes());
}

/// UTF-8 validation, tuned for what feeds send: ASCII (ids, types, JSON) is checked a word at a
/// time; other text goes to the vectorised validator once it is 32 bytes or more (measured: from
/// there on it beats the standard library's, which a payload of a few accented words in JSON
/// otherwise spends more time in than in parsing).
#[inline]
fn validate(bytes: &[u8]) -> Result<&str, ()> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else if bytes.len() >= 32 {
        simdutf8::basic::from_utf8(bytes).map_err(drop)
    } else {
        std::str::from_utf8(bytes).map_err(drop)
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::EMPTY
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::copy_from_str(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        if s.len() <= INLINE {
            Text::copy_from_str(&s)
        } else {
            Text(Repr::Shared(Bytes::from(s.into_bytes())))
        }
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.as_str().to_owned()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_strings_round_trip() {
        for s in [
            "",
            "message",
            "a".repeat(INLINE).as_str(),
            "b".repeat(INLINE + 1).as_str(),
            "é🔔",
        ] {
            assert_eq!(Text::from(s), *s);
            assert_eq!(Text::from(s.to_owned()).as_str(), s);
            assert_eq!(
                Text::from_utf8_lossy(Bytes::copy_from_slice(s.as_bytes())),
                *s
            );
        }
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let table: &[(&[u8], &str)] = &[
            (b"a\xFFb", "a\u{FFFD}b"),
            (b"\xE2\x82", "\u{FFFD}"),
            (b"\xF0\x9F\x94\x94 ok", "\u{1F514} ok"),
        ];
        for (bytes, want) in table {
            assert_eq!(Text::from_utf8_lossy(Bytes::from_static(bytes)), *want);
            assert_eq!(Text::copy_from_utf8_lossy(bytes), *want);
        }
    }
}
