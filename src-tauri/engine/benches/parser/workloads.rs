//! The inputs: deterministic event streams shaped like real feeds, and their expected counts.
//!
//! Each input is built once into one `Bytes`, then cut into chunks the way a network would
//! deliver it (every chunk a slice of that one buffer, so feeding a chunk copies nothing).
//! Titles mix in a few non-ASCII words so small chunks also split UTF-8 sequences.

use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;

/// The chunk sizes every workload is fed in: worst case, one TCP segment, a large read.
pub const CHUNK_SIZES: [usize; 3] = [7, 1460, 64 * 1024];

/// One input stream and what every correct parser must get out of it.
pub struct Workload {
    /// Short label used in tables: `(a)`.
    pub key: &'static str,
    /// What the stream looks like.
    pub title: &'static str,
    /// The whole stream.
    pub input: Bytes,
    /// What a spec-conforming parser dispatches from it.
    pub expected: Expected,
}

/// The counts a run must reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Dispatched events.
    pub events: u64,
    /// Bytes of all events' `data` (joined lines, without the final LF).
    pub data_bytes: u64,
    /// LF bytes in the input: what the memchr limit counts.
    pub newlines: u64,
}

/// How many events each workload has: the full run, or a fifth of it for a quick run.
#[derive(Clone, Copy)]
pub struct Scale {
    /// 1 for the full run, 5 for a quick one.
    pub divisor: u64,
}

/// The five workloads of the report, in order.
pub fn all(scale: Scale) -> Vec<Workload> {
    let n = |full: u64| full / scale.divisor;
    vec![
        small_events(n(100_000)),
        big_lines(n(384)),
        multi_line_events(n(20_000)),
        heartbeats(n(100_000)),
        crlf(small_events(n(100_000))),
    ]
}

/// A stream of one `data:` line of `len` ASCII bytes: the line-length stress input.
pub fn one_line(len: usize) -> Workload {
    let mut out = Stream::default();
    let data = ascii(&mut Rng(len as u64), len);
    out.event(&[], &[&data]);
    out.finish("", "one data line")
}

/// Cuts `input` into slices of `size` bytes (the last one shorter), sharing its buffer.
pub fn chunks(input: &Bytes, size: usize) -> Arc<Vec<Bytes>> {
    let starts = (0..input.len()).step_by(size);
    Arc::new(
        starts
            .map(|s| input.slice(s..input.len().min(s.saturating_add(size))))
            .collect(),
    )
}

/// (a) `id`, `event` and a JSON `data` line of ~150 bytes per event.
fn small_events(count: u64) -> Workload {
    let mut out = Stream::default();
    let mut rng = Rng(1);
    for i in 0..count {
        small_event(&mut out, &mut rng, i);
    }
    out.finish("(a)", "small JSON events")
}

/// (b) one 64 KiB `data:` line per event.
fn big_lines(count: u64) -> Workload {
    let mut out = Stream::default();
    let mut rng = Rng(2);
    for _ in 0..count {
        let data = ascii(&mut rng, 64 * 1024);
        out.event(&[], &[&data]);
    }
    out.finish("(b)", "64 KiB data lines")
}

/// (c) an `id` and 20 `data:` lines of ~55 bytes per event.
fn multi_line_events(count: u64) -> Workload {
    let mut out = Stream::default();
    let mut rng = Rng(3);
    for i in 0..count {
        let lines: Vec<String> = (0..20)
            .map(|k| format!("{k:02} {}", title(&mut rng, 8)))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        out.event(&[("id", &i.to_string())], &lines);
    }
    out.finish("(c)", "20 data lines per event")
}

/// (d) the events of (a), each after 5–10 comment heartbeats.
fn heartbeats(count: u64) -> Workload {
    let mut out = Stream::default();
    let mut rng = Rng(4);
    for i in 0..count {
        for _ in 0..5 + rng.below(6) {
            out.bytes.extend_from_slice(b": heartbeat\n\n");
        }
        small_event(&mut out, &mut rng, i);
    }
    out.finish("(d)", "heartbeats between small events")
}

/// (e) the stream of (a) with CRLF line ends.
fn crlf(lf: Workload) -> Workload {
    let mut bytes = Vec::with_capacity(lf.input.len() + lf.expected.newlines as usize);
    for &b in lf.input.iter() {
        if b == b'\n' {
            bytes.push(b'\r');
        }
        bytes.push(b);
    }
    Workload {
        key: "(e)",
        title: "small JSON events, CRLF",
        input: bytes.into(),
        ..lf
    }
}

/// Appends one event of workload (a).
fn small_event(out: &mut Stream, rng: &mut Rng, i: u64) {
    let words = 12 + rng.below(10) as usize;
    let (title, value) = (title(rng, words), rng.below(10_000_000));
    let data = format!(
        r#"{{"id":{i},"title":"{title}","value":{}.{:02}}}"#,
        value / 100,
        value % 100
    );
    out.event(&[("id", &i.to_string()), ("event", "update")], &[&data]);
}

/// An event stream being written, with the counts it implies.
#[derive(Default)]
struct Stream {
    bytes: Vec<u8>,
    expected: Expected,
}

impl Stream {
    /// Appends `fields`, then one `data:` line per entry of `data`, then the blank line.
    fn event(&mut self, fields: &[(&str, &str)], data: &[&str]) {
        for (name, value) in fields {
            writeln!(self.bytes, "{name}: {value}").expect("writing to a Vec");
        }
        for line in data {
            writeln!(self.bytes, "data: {line}").expect("writing to a Vec");
        }
        self.bytes.push(b'\n');
        let joined: usize = data.iter().map(|line| line.len()).sum::<usize>() + data.len() - 1;
        self.expected.events += 1;
        self.expected.data_bytes += joined as u64;
    }

    fn finish(mut self, key: &'static str, title: &'static str) -> Workload {
        self.expected.newlines = memchr::memchr_iter(b'\n', &self.bytes).count() as u64;
        Workload {
            key,
            title,
            input: self.bytes.into(),
            expected: self.expected,
        }
    }
}

/// `count` words, space-separated, a few of them not ASCII.
fn title(rng: &mut Rng, count: usize) -> String {
    const WORDS: [&str; 16] = [
        "deploy", "finished", "on", "server", "café", "build", "Zürich", "queue", "latency",
        "naïve", "cache", "warmed", "alert", "cleared", "for", "région",
    ];
    let words: Vec<&str> = (0..count).map(|_| WORDS[rng.below(16) as usize]).collect();
    words.join(" ")
}

/// `len` printable ASCII bytes (no line ends).
fn ascii(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b' ' + rng.below(95) as u8))
        .collect()
}

/// splitmix64: tiny, fast, and the same on every platform and version.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}
