//! Notification text: cut to a length, escaped for servers that render markup, folded onto one
//! line, and stripped of Markdown.
//!
//! All of it is pure string work. The template keeps plain text in a [`super::Message`]; the
//! sender cuts and escapes it for the notification server it talks to.

use unicode_segmentation::UnicodeSegmentation;

/// What ends a text that [`cut`] shortened.
pub const ELLIPSIS: char = '…';

/// `text` in at most `max` grapheme clusters (what a reader sees as one character: `é` written
/// as `e` + a combining accent, a flag, a family emoji), never split inside one.
///
/// When something is cut, the last cluster that would fit is replaced by [`ELLIPSIS`] and the
/// whitespace before it is trimmed, so the result still has at most `max` clusters.
pub fn cut(text: &str, max: usize) -> String {
    // Where each of the first `max + 1` clusters starts: the start of cluster `k` is also the
    // end of the first `k` clusters.
    let starts: Vec<usize> = text
        .grapheme_indices(true)
        .map(|(at, _)| at)
        .take(max.saturating_add(1))
        .collect();
    if starts.len() <= max {
        return text.to_owned();
    }
    // Keep `max - 1` clusters and the ellipsis. In a rare case (a prepended mark such as U+0600
    // before a control character) the ellipsis joins the cluster before it; keep one fewer.
    for keep in (0..max).rev() {
        let short = format!("{}{ELLIPSIS}", text[..starts[keep]].trim_end());
        if short.graphemes(true).count() <= max {
            return short;
        }
    }
    String::new()
}

/// `text` with `&`, `<` and `>` escaped, for a notification server with the `body-markup`
/// capability (it renders a small subset of HTML in the body, so a literal `<` must be `&lt;`).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` on one line: every run of whitespace, newlines included, becomes one space, and the
/// ends are trimmed. For titles, which servers show on a single line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The plain text of a Markdown notification body, by a small and conservative stripper:
///
/// - `[label](url)` becomes `label`, and an image `![alt](url)` becomes `alt`;
/// - the leading `#`s of an ATX heading (`## Disk full`) are dropped;
/// - paired `**` and `__` emphasis markers are dropped (single `*` and `_` are kept: in
///   notification text they are more often arithmetic, globs or names than emphasis);
/// - inline code loses its backticks, and nothing inside it is touched.
///
/// Anything else (lists, quotes, fences, tables, HTML) is left as it is.
pub fn markdown_to_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut pieces = Vec::new();
        scan(strip_heading(line), &mut pieces);
        pair_emphasis(&mut pieces);
        for piece in &pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Marker(marker) if !marker.paired => out.push_str(marker.text),
                Piece::Marker(_) => {}
            }
        }
    }
    out
}

/// A line without the opening `#`s of an ATX heading: up to three spaces of indent, one to six
/// `#`, then a space, a tab or the end of the line (`#hashtag` is not a heading).
fn strip_heading(line: &str) -> &str {
    let text = line.trim_start_matches(' ');
    if line.len() - text.len() > 3 {
        return line;
    }
    let after = text.trim_start_matches('#');
    if !(1..=6).contains(&(text.len() - after.len())) {
        return line;
    }
    match after.chars().next() {
        None => after,
        Some(' ' | '\t') => after.trim_start(),
        Some(_) => line,
    }
}

/// A part of one Markdown line.
enum Piece<'a> {
    /// Text that is kept as it is.
    Text(&'a str),
    /// A `**` or `__` run.
    Marker(Marker<'a>),
}

/// A `**` or `__` run, dropped only when it pairs up with another of the same kind.
struct Marker<'a> {
    text: &'a str,
    opens: bool,
    closes: bool,
    paired: bool,
}

/// Splits `s` into pieces: code spans and link labels become text, `**`/`__` become markers.
///
/// It looks only at ASCII bytes, so every index it slices at is a character boundary.
fn scan<'a>(s: &'a str, pieces: &mut Vec<Piece<'a>>) {
    let bytes = s.as_bytes();
    let (mut from, mut at) = (0, 0);
    while at < bytes.len() {
        let byte = bytes[at];
        let run = || bytes[at..].iter().take_while(|&&b| b == byte).count();
        match byte {
            b'`' => {
                let run = run();
                if let Some(end) = closing_ticks(&s[at + run..], run) {
                    pieces.push(Piece::Text(&s[from..at]));
                    pieces.push(Piece::Text(code_content(&s[at + run..at + run + end])));
                    at += run + end + run;
                    from = at;
                    continue;
                }
                at += run;
                continue;
            }
            b'[' | b'!' => {
                let bracket = at + usize::from(byte == b'!');
                if let Some((label, len)) = link(&s[bracket..]) {
                    pieces.push(Piece::Text(&s[from..at]));
                    scan(label, pieces);
                    at = bracket + len;
                    from = at;
                    continue;
                }
            }
            b'*' | b'_' if run() == 2 => {
                pieces.push(Piece::Text(&s[from..at]));
                let before = s[..at].chars().next_back();
                let after = s[at + 2..].chars().next();
                let (left, right) = (left_flanking(before, after), left_flanking(after, before));
                let (opens, closes) = if byte == b'*' {
                    (left, right)
                } else {
                    // `__` inside a word (`snake__case__name`) is not emphasis.
                    (
                        left && (!right || before.is_some_and(is_punctuation)),
                        right && (!left || after.is_some_and(is_punctuation)),
                    )
                };
                let text = &s[at..at + 2];
                pieces.push(Piece::Marker(Marker {
                    text,
                    opens,
                    closes,
                    paired: false,
                }));
                at += 2;
                from = at;
                continue;
            }
            b'*' | b'_' => {
                at += run();
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    pieces.push(Piece::Text(&s[from..]));
}

/// Where a run of exactly `run` backticks starts in `s`, closing a code span.
fn closing_ticks(s: &str, run: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'`' {
            at += 1;
            continue;
        }
        let len = bytes[at..].iter().take_while(|&&b| b == b'`').count();
        if len == run {
            return Some(at);
        }
        at += len;
    }
    None
}

/// A code span's text: one space each side is dropped when both are there (so `` `` `a` `` ``
/// can show a backtick), as CommonMark does.
fn code_content(code: &str) -> &str {
    match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
        Some(inner) if !code.trim().is_empty() => inner,
        _ => code,
    }
}

/// The label and length of the `[label](url)` at the start of `s`. Conservative: the label has
/// no brackets or backticks, and the destination no parentheses.
fn link(s: &str) -> Option<(&str, usize)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.find(']')?;
    let label = &rest[..close];
    if label.contains(['[', '`']) {
        return None;
    }
    let destination = rest[close + 1..].strip_prefix('(')?;
    let end = destination.find([')', '('])?;
    if destination.as_bytes()[end] != b')' {
        return None;
    }
    Some((label, 1 + close + 2 + end + 1))
}

/// Whether a marker between `before` and `after` could open emphasis (CommonMark's "left
/// flanking"); with the two swapped, whether it could close it.
fn left_flanking(before: Option<char>, after: Option<char>) -> bool {
    match after {
        None => false,
        Some(a) if a.is_whitespace() => false,
        Some(a) if is_punctuation(a) => {
            before.is_none_or(|b| b.is_whitespace() || is_punctuation(b))
        }
        Some(_) => true,
    }
}

fn is_punctuation(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Pairs each marker that can close with the nearest open marker of the same kind before it.
fn pair_emphasis(pieces: &mut [Piece<'_>]) {
    let mut open: Vec<usize> = Vec::new();
    for at in 0..pieces.len() {
        let Piece::Marker(marker) = &pieces[at] else {
            continue;
        };
        let (text, opens, closes) = (marker.text, marker.opens, marker.closes);
        let same = |&o: &usize| matches!(&pieces[o], Piece::Marker(m) if m.text == text);
        match open.iter().rposition(same).filter(|_| closes) {
            Some(position) => {
                for index in [open[position], at] {
                    if let Piece::Marker(marker) = &mut pieces[index] {
                        marker.paired = true;
                    }
                }
                open.truncate(position);
            }
            None if opens => open.push(at),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;
