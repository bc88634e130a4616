//! Herald's SSE parser against its peers, on the same inputs, in one run.
//!
//! Why: Herald's claim is that its push parser is fast (≥ 2× the fastest Rust SSE parser, or
//! near the memchr limit), allocates at most once per event, and stays linear in line length
//! however small the network's chunks are. This bench measures exactly that and prints a
//! markdown report with PASS/MISS per goal, to paste into BENCHMARKS.md.
//!
//! What: five workloads (small JSON events, 64 KiB lines, 20-line events, heartbeats, CRLF),
//! each fed in 7 B, 1,460 B and 64 KiB chunks to Herald, `eventsource-stream`, `sse-stream` and
//! launchdarkly's `eventsource-client`, plus a `memchr` newline count as each row's upper
//! bound. Per cell: best of N runs after a warm-up, the parsers taking turns (MB/s = 10^6
//! input bytes per second), allocation calls per dispatched event, and a check that the event
//! count and data bytes are right (wrong counts are flagged ✗, not silently timed). A run that
//! exceeds the time cap is cut short and shown as an upper bound (⏱). Then a single long line
//! in 7 B chunks vs one chunk, to show the cost per byte does not grow with the line.
//!
//! Run: `cargo bench -p herald-engine --bench parser` (a few minutes); add
//! `HERALD_BENCH_QUICK=1` or `-- --quick` for a smaller run. The report goes to stdout and to
//! `target/bench-parser.md`; progress goes to stderr.

#[path = "parser/alloc.rs"]
mod alloc;
#[path = "parser/contenders.rs"]
mod contenders;
#[path = "parser/measure.rs"]
mod measure;
#[path = "parser/report.rs"]
mod report;
#[path = "parser/workloads.rs"]
mod workloads;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use contenders::{ALL, Contender};
use measure::{Contestant, Outcome, Settings};
use report::{Row, Table};
use workloads::{CHUNK_SIZES, Expected, Scale, Workload};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

fn main() {
    let started = Instant::now();
    let quick = std::env::var("HERALD_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
        || std::env::args().any(|a| a == "--quick");
    let (scale, settings) = if quick {
        let settings = Settings {
            runs: 2,
            cap: Duration::from_secs(2),
            budget: Duration::from_millis(300),
        };
        (Scale { divisor: 5 }, settings)
    } else {
        let settings = Settings {
            runs: 5,
            cap: Duration::from_secs(10),
            budget: Duration::from_secs(4),
        };
        (Scale { divisor: 1 }, settings)
    };

    let mut tables = Vec::new();
    for workload in workloads::all(scale) {
        tables.push(bench_workload(&workload, &settings));
    }
    let lines = bench_lines(&settings);

    let mut out = header(quick, &settings);
    for table in &tables {
        out += &report::workload_table(table, &settings);
        out += "\n";
    }
    out += &report::line_table(&lines, &settings);
    out += "\n";
    out += &report::goals(&tables, &lines);
    writeln_footer(&mut out, started.elapsed());
    print!("{out}");
    save(&out);
}

/// One table: the workload in every chunk size, every contender.
fn bench_workload(workload: &Workload, settings: &Settings) -> Table {
    let title = format!(
        "{} {} — {:.1} MiB, {} events",
        workload.key,
        workload.title,
        workload.input.len() as f64 / (1 << 20) as f64,
        thousands(workload.expected.events)
    );
    eprintln!("{title}");
    let rows = CHUNK_SIZES
        .iter()
        .map(|&size| {
            let label = chunk_label(size);
            let chunks = workloads::chunks(&workload.input, size);
            let mut contestants: Vec<_> = ALL
                .iter()
                .map(|c| Contestant {
                    limit: is_limit(c),
                    parse: || (c.parse)(&chunks, settings.cap),
                })
                .collect();
            let outcomes = measure::best_of(settings, &workload.expected, &mut contestants);
            for (c, outcome) in ALL.iter().zip(&outcomes) {
                progress(&label, c, outcome, workload.input.len());
            }
            Row {
                label,
                bytes: workload.input.len(),
                expected: workload.expected,
                outcomes,
            }
        })
        .collect();
    Table { title, rows }
}

/// The long-line rows; `report::line_table` relies on this order.
fn bench_lines(settings: &Settings) -> Table {
    let cases = [
        ("64 KiB line, 7 B chunks", 64 << 10, 7),
        ("64 KiB line, one chunk", 64 << 10, usize::MAX),
        ("4 KiB line, 7 B chunks", 4 << 10, 7),
    ];
    let title = "One long `data:` line: cost per byte vs chunk size and line length".to_string();
    eprintln!("{title}");
    let rows = cases
        .iter()
        .map(|&(label, len, size)| {
            let workload = workloads::one_line(len);
            let chunks = workloads::chunks(&workload.input, size);
            let expected: Expected = workload.expected;
            let outcomes = ALL
                .iter()
                .map(|c| {
                    let run = || (c.parse)(&chunks, settings.cap);
                    let outcome = measure::best_per_parse(settings, &expected, is_limit(c), run);
                    progress(label, c, &outcome, workload.input.len());
                    outcome
                })
                .collect();
            Row {
                label: label.into(),
                bytes: workload.input.len(),
                expected,
                outcomes,
            }
        })
        .collect();
    Table { title, rows }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn is_limit(contender: &Contender) -> bool {
    !contender.role.is_parser()
}

fn chunk_label(size: usize) -> String {
    match size {
        s if s >= 1 << 10 && s % (1 << 10) == 0 => format!("{} KiB", s >> 10),
        s => format!("{s} B"),
    }
}

/// One line on stderr per measured cell, so a long run shows where it is.
fn progress(label: &str, contender: &Contender, outcome: &Outcome, bytes: usize) {
    let result = match outcome {
        Outcome::Timed { best, wrong, .. } => {
            let rate = bytes as f64 / best.as_secs_f64() / 1e6;
            format!(
                "{rate:.1} MB/s{}",
                if wrong.is_some() {
                    " (wrong counts)"
                } else {
                    ""
                }
            )
        }
        Outcome::Capped => "capped".into(),
    };
    eprintln!("  {label:>24}  {:<22} {result}", contender.name);
}

/// The report's top: machine, toolchain, code under test, settings.
fn header(quick: bool, settings: &Settings) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split_once(':')?.1.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = command("rustc", &["-V"]).unwrap_or_else(|| "unknown".into());
    let manifest = env!("CARGO_MANIFEST_DIR");
    let commit = command("git", &["-C", manifest, "rev-parse", "--short", "HEAD"]);
    let dirty = command(
        "git",
        &["-C", manifest, "status", "--porcelain", "--", "src/sse"],
    )
    .is_some_and(|s| !s.is_empty());
    let commit = match commit {
        Some(c) if dirty => format!("{c} + uncommitted changes in src/sse"),
        Some(c) => c,
        None => "unknown".into(),
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split(' ').take(3).collect::<Vec<_>>().join(" ");
    let mode = if quick { "quick" } else { "full" };
    let mut out = format!(
        "## Parser benchmark ({mode} run)\n\n\
         - Machine: {cpu}, {cores} cores (nproc), load average {load} at start; {rustc}; \
         release profile\n\
         - Herald: herald-engine `sse::Parser` at {commit}\n\
         - Best of {} runs after a warm-up, the parsers of a row taking turns (a parser stops once \
         {:?} of its runs have passed); a run is cut at {:?} (⏱: slower than the bound \
         shown); ✗: wrong event count or data bytes\n\
         - MB/s = 10^6 input bytes per second; allocs/event = allocation calls (alloc + realloc) \
         during the (untimed) warm-up parse ÷ events dispatched; the memchr limit includes the \
         cost of handing out the chunks, which every parser pays too\n",
        settings.runs, settings.budget, settings.cap
    );
    for (name, version, how) in peer_configs() {
        out += &format!("- {name} {version}: {how}\n");
    }
    out + "\n"
}

/// The peers as configured in Cargo.toml and driven in `contenders.rs`.
fn peer_configs() -> [(&'static str, String, &'static str); 3] {
    [
        (
            "eventsource-stream",
            locked_version("eventsource-stream"),
            "default features; `EventStream` over a stream of `Bytes`, polled without a runtime",
        ),
        (
            "sse-stream",
            locked_version("sse-stream"),
            "features `memchr` + `simdutf8`; `SseByteStream` over a stream of `Bytes`",
        ),
        (
            "ld eventsource-client",
            locked_version("eventsource-client"),
            "no default features; its public client over an in-memory `HttpTransport` \
             (200 text/event-stream), reconnect off; client built outside the timed part",
        ),
    ]
}

/// The version of `name` in the workspace's Cargo.lock.
fn locked_version(name: &str) -> String {
    let lock = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let text = std::fs::read_to_string(lock).unwrap_or_default();
    let entry = format!("name = \"{name}\"\nversion = \"");
    text.split_once(&entry)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or_else(|| "?".into(), |(version, _)| version.into())
}

fn writeln_footer(out: &mut String, took: Duration) {
    *out += &format!(
        "\nReproduce: `cargo bench -p herald-engine --bench parser` (quick: \
         `HERALD_BENCH_QUICK=1`). This run took {:.0} s.\n",
        took.as_secs_f64()
    );
}

/// The trimmed stdout of a command, if it ran and succeeded.
fn command(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Writes the report next to the build: `target/bench-parser.md`.
fn save(report: &str) {
    // The bench runs as target/<profile>/deps/parser-<hash>.
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.ancestors().nth(3)?.into()));
    let path: Option<PathBuf> = target.map(|t: PathBuf| t.join("bench-parser.md"));
    match path.map(|p| std::fs::write(&p, report).map(|()| p)) {
        Some(Ok(p)) => eprintln!("report written to {}", p.display()),
        Some(Err(e)) => eprintln!("could not write the report: {e}"),
        None => eprintln!("could not find the target directory"),
    }
}
