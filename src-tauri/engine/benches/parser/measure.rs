//! Timing one parse: the chunk feed, the time cap, allocation counts, best of N.

use std::cell::Cell;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::Stream;

use crate::alloc;
use crate::workloads::Expected;

/// What one parse produced: the counts every parser must agree on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events dispatched (for the memchr limit: newlines seen).
    pub events: u64,
    /// Bytes of the dispatched events' data.
    pub data_bytes: u64,
    /// Errors the parser reported; the inputs are all valid, so any is a failure.
    pub errors: u64,
}

impl Tally {
    /// Counts one dispatched event.
    pub fn event(&mut self, data: &str) {
        self.events += 1;
        self.data_bytes += data.len() as u64;
    }

    /// How this tally differs from what the input should give, if it does.
    pub fn mismatch(&self, expected: &Expected, limit: bool) -> Option<String> {
        if limit {
            return (self.events != expected.newlines)
                .then(|| format!("{} newlines, expected {}", self.events, expected.newlines));
        }
        if self.errors > 0 {
            return Some(format!("{} errors", self.errors));
        }
        if self.events != expected.events {
            return Some(format!(
                "{} events, expected {}",
                self.events, expected.events
            ));
        }
        (self.data_bytes != expected.data_bytes).then(|| {
            format!(
                "{} data bytes, expected {}",
                self.data_bytes, expected.data_bytes
            )
        })
    }
}

/// One timed parse.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub tally: Tally,
    pub elapsed: Duration,
    /// Allocation calls during the parse (0 unless run under [`alloc::counted`]).
    pub allocs: u64,
    /// The time cap cut the input short: `tally` is incomplete.
    pub capped: bool,
}

thread_local! {
    /// Set by a [`Feed`] that stopped early at its deadline (the bench is single-threaded).
    static CUT: Cell<bool> = const { Cell::new(false) };
}

/// Times `parse` and counts its allocations; `parse` builds its parser and [`Feed`] itself.
pub fn measure(parse: impl FnOnce() -> Tally) -> Sample {
    CUT.set(false);
    let allocs = alloc::calls();
    let start = Instant::now();
    let tally = parse();
    let elapsed = start.elapsed();
    let allocs = alloc::calls() - allocs;
    Sample {
        tally,
        elapsed,
        allocs,
        capped: CUT.get(),
    }
}

/// The chunks of one input handed out one by one, like reads from a socket, until a deadline.
///
/// Each chunk is a clone of a `Bytes` slice (a reference-count increment, no copy), so every
/// parser gets the same owned chunks whatever its input type.
pub struct Feed {
    chunks: Arc<Vec<Bytes>>,
    next: usize,
    deadline: Instant,
}

impl Feed {
    /// A feed that stops handing out chunks once `cap` has passed.
    pub fn new(chunks: &Arc<Vec<Bytes>>, cap: Duration) -> Feed {
        Feed {
            chunks: Arc::clone(chunks),
            next: 0,
            deadline: Instant::now() + cap,
        }
    }
}

impl Iterator for Feed {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        // Reading the clock every 256 chunks costs nothing measurable.
        if self.next % 256 == 255 && Instant::now() > self.deadline {
            CUT.set(true);
            return None;
        }
        let chunk = self.chunks.get(self.next)?.clone();
        self.next += 1;
        Some(chunk)
    }
}

/// Polls an in-memory stream to its end, without an async runtime.
///
/// The sources never wait (they are iterators), so a `Pending` would be a bug in the adapter.
pub fn drain_stream<S: Stream>(stream: S, mut item: impl FnMut(S::Item)) {
    let mut stream = pin!(stream);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(next)) => item(next),
            Poll::Ready(None) => return,
            Poll::Pending => panic!("an in-memory stream returned Pending"),
        }
    }
}

/// How long and how often to run each parse.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Timed runs after the warm-up (fewer if `budget` runs out first).
    pub runs: usize,
    /// A run longer than this is cut short and the parser marked as capped for that row.
    pub cap: Duration,
    /// Stop repeating a parse once its runs have taken this long in total.
    pub budget: Duration,
}

/// The result of one parser on one row.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Best of the timed runs.
    Timed {
        best: Duration,
        allocs: u64,
        /// Why the counts were wrong, if they were: the time is shown but flagged.
        wrong: Option<String>,
    },
    /// The warm-up run hit the time cap: the parser is slower than `bytes / cap`.
    Capped,
}

/// One parser of a row being measured: `limit` marks the memchr column (it counts newlines).
pub struct Contestant<F> {
    pub limit: bool,
    pub parse: F,
}

/// Runs every parser once to warm up (counting its allocations and checking its counts), then
/// in up to `settings.runs` rounds, each parser once per round, keeping each one's fastest run.
/// Interleaving spreads the load of other processes over all parsers alike.
pub fn best_of<F: FnMut() -> Sample>(
    settings: &Settings,
    expected: &Expected,
    contestants: &mut [Contestant<F>],
) -> Vec<Outcome> {
    struct Runs {
        allocs: u64,
        wrong: Option<String>,
        best: Option<Duration>,
        spent: Duration,
        capped: bool,
    }
    let mut runs: Vec<Runs> = contestants
        .iter_mut()
        .map(|c| {
            let warm = alloc::counted(&mut c.parse);
            Runs {
                allocs: warm.allocs,
                wrong: warm.tally.mismatch(expected, c.limit),
                best: None,
                spent: Duration::ZERO,
                capped: warm.capped,
            }
        })
        .collect();
    for _ in 0..settings.runs.max(1) {
        for (c, r) in contestants.iter_mut().zip(&mut runs) {
            if r.capped || (r.best.is_some() && r.spent > settings.budget) {
                continue;
            }
            let sample = (c.parse)();
            r.capped = sample.capped;
            r.spent += sample.elapsed;
            r.wrong = r
                .wrong
                .take()
                .or_else(|| sample.tally.mismatch(expected, c.limit));
            r.best = Some(r.best.map_or(sample.elapsed, |b| b.min(sample.elapsed)));
        }
    }
    runs.into_iter()
        .map(|r| match r.best {
            Some(best) if !r.capped => Outcome::Timed {
                best,
                allocs: r.allocs,
                wrong: r.wrong,
            },
            _ => Outcome::Capped,
        })
        .collect()
}

/// Per-parse time of a tiny input: batches of parses, each batch at least 1 ms long, best
/// batch wins.
pub fn best_per_parse(
    settings: &Settings,
    expected: &Expected,
    limit: bool,
    mut parse: impl FnMut() -> Sample,
) -> Outcome {
    let once = alloc::counted(&mut parse);
    if once.capped {
        return Outcome::Capped;
    }
    let batch = (Duration::from_millis(1).as_nanos() / once.elapsed.as_nanos().max(1)) as u32 + 1;
    let mut best = once.elapsed;
    let mut spent = Duration::ZERO;
    while spent < settings.budget {
        let start = Instant::now();
        for _ in 0..batch {
            parse();
        }
        let took = start.elapsed();
        spent += took;
        best = best.min(took / batch);
    }
    let wrong = once.tally.mismatch(expected, limit);
    Outcome::Timed {
        best,
        allocs: once.allocs,
        wrong,
    }
}
