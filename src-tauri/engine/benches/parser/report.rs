//! The markdown report: one table per workload, the long-line table, then the goals.

use std::fmt::Write;

use crate::contenders::{ALL, Role};
use crate::measure::{Outcome, Settings};
use crate::workloads::Expected;

/// The speed goal: Herald at least this many times the fastest peer…
const PEER_FACTOR: f64 = 2.0;
/// …or, where that would exceed the row's limit, at least this share of the limit.
const LIMIT_SHARE: f64 = 0.7;
/// The allocation goal: at most this many allocation calls per dispatched event.
const ALLOCS_PER_EVENT: f64 = 1.0;
/// The line-length goal: a 64 KiB line costs at most this much more per byte than a 4 KiB
/// one (both in 7-byte chunks); a quadratic parser is ~16× here.
const LINEAR_SLACK: f64 = 1.5;

/// One workload fed in one chunk size: one outcome per [`ALL`] column.
pub struct Row {
    pub label: String,
    pub bytes: usize,
    pub expected: Expected,
    pub outcomes: Vec<Outcome>,
}

/// One table of rows.
pub struct Table {
    pub title: String,
    pub rows: Vec<Row>,
}

impl Row {
    /// Throughput of column `i` in MB/s (10^6 bytes per second), when it was timed.
    fn rate(&self, i: usize) -> Option<f64> {
        match &self.outcomes[i] {
            Outcome::Timed { best, .. } => Some(self.bytes as f64 / best.as_secs_f64() / 1e6),
            Outcome::Capped => None,
        }
    }

    /// Like [`Row::rate`], only if the counts were right.
    fn good_rate(&self, i: usize) -> Option<f64> {
        match &self.outcomes[i] {
            Outcome::Timed { wrong: None, .. } => self.rate(i),
            _ => None,
        }
    }

    fn column(role: Role) -> usize {
        ALL.iter()
            .position(|c| c.role == role)
            .expect("one column per role")
    }

    /// The fastest peer with right counts: (name, MB/s).
    fn fastest_peer(&self) -> Option<(&'static str, f64)> {
        let peers = ALL.iter().enumerate().filter(|(_, c)| c.role == Role::Peer);
        peers
            .filter_map(|(i, c)| Some((c.name, self.good_rate(i)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn herald(&self) -> Option<f64> {
        self.good_rate(Row::column(Role::Herald))
    }

    fn limit(&self) -> Option<f64> {
        self.good_rate(Row::column(Role::Limit))
    }

    fn copy_limit(&self) -> Option<f64> {
        self.good_rate(Row::column(Role::CopyLimit))
    }

    /// Allocation calls per expected event of column `i`.
    fn allocs_per_event(&self, i: usize) -> Option<f64> {
        match &self.outcomes[i] {
            Outcome::Timed { allocs, .. } => Some(*allocs as f64 / self.expected.events as f64),
            Outcome::Capped => None,
        }
    }
}

/// A workload table: MB/s per parser, ratios, allocations per event.
pub fn workload_table(table: &Table, settings: &Settings) -> String {
    let parsers = || ALL.iter().enumerate().filter(|(_, c)| c.role.is_parser());
    let mut header = vec!["chunk".to_string()];
    header.extend(ALL.iter().map(|c| format!("{} MB/s", c.name)));
    header.extend(["Herald ÷ fastest peer".into(), "Herald % of limit".into()]);
    header.extend(parsers().map(|(_, c)| format!("{} allocs/event", c.name)));
    let mut notes = String::new();
    let rows = table.rows.iter().map(|row| {
        let mut cells = vec![row.label.clone()];
        cells.extend((0..ALL.len()).map(|i| rate_cell(row, i, settings)));
        let ratio = row
            .herald()
            .zip(row.fastest_peer())
            .map(|(h, (_, p))| h / p);
        let share = row.herald().zip(row.limit()).map(|(h, l)| h / l);
        cells.push(or_dash(ratio.map(|r| format!("{r:.2}×"))));
        cells.push(or_dash(share.map(|s| format!("{:.0} %", s * 100.0))));
        cells.extend(parsers().map(|(i, _)| or_dash(row.allocs_per_event(i).map(fmt_allocs))));
        for (c, outcome) in ALL.iter().zip(&row.outcomes) {
            if let Outcome::Timed {
                wrong: Some(why), ..
            } = outcome
            {
                writeln!(
                    notes,
                    "\n✗ wrong counts — {} at {}: {why}",
                    c.name, row.label
                )
                .unwrap();
            }
        }
        cells
    });
    let rows: Vec<Vec<String>> = rows.collect();
    format!("### {}\n\n{}{notes}", table.title, markdown(&header, &rows))
}

/// The long-line table: nanoseconds per input byte, and the two cost ratios.
pub fn line_table(table: &Table, settings: &Settings) -> String {
    let mut header = vec!["input".to_string()];
    header.extend(ALL.iter().map(|c| format!("{} ns/byte", c.name)));
    let mut rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.label.clone()];
            cells.extend((0..ALL.len()).map(|i| ns_cell(row, i, settings)));
            cells
        })
        .collect();
    for (label, slow, fast) in line_ratios() {
        let mut cells = vec![format!("*{label}*")];
        cells.extend((0..ALL.len()).map(|i| {
            let ratio = table.rows[fast].rate(i).zip(table.rows[slow].rate(i));
            or_dash(ratio.map(|(fast, slow)| format!("{:.1}×", fast / slow)))
        }));
        rows.push(cells);
    }
    format!("### {}\n\n{}", table.title, markdown(&header, &rows))
}

/// A markdown table; every column but the first is right-aligned.
fn markdown(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|---|", header.join(" | "));
    out += &"---:|".repeat(header.len() - 1);
    out += "\n";
    for row in rows {
        writeln!(out, "| {} |", row.join(" | ")).unwrap();
    }
    out
}

/// The derived rows of the long-line table: (label, slower row, faster row) as indexes into
/// the rows built by `main` (64 KiB line in 7 B chunks, in one chunk, 4 KiB line in 7 B).
fn line_ratios() -> [(&'static str, usize, usize); 2] {
    [
        ("64 KiB line: 7 B chunks ÷ one chunk, per byte", 0, 1),
        ("7 B chunks: 64 KiB line ÷ 4 KiB line, per byte", 0, 2),
    ]
}

/// PASS/MISS for every goal and row.
pub fn goals(workloads: &[Table], lines: &Table) -> String {
    let mut out = format!(
        "## Goals\n\nSpeed: Herald ≥ {PEER_FACTOR}× the fastest peer with right counts, or \
         ≥ {:.0} % of the row's memchr limit where {PEER_FACTOR}× the peer would exceed the \
         limit. Allocations: ≤ {ALLOCS_PER_EVENT} per dispatched event. Herald's counts must be \
         right on every row.\n\n",
        LIMIT_SHARE * 100.0
    );
    let header = [
        "row",
        "fastest peer MB/s",
        "speed target MB/s",
        "Herald MB/s",
        "split-line copy limit MB/s",
        "speed",
        "Herald allocs/event",
        "allocs",
    ];
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let (mut speed_pass, mut alloc_pass, mut rows) = (0, 0, Vec::new());
    let mut beyond_copy = Vec::new();
    for table in workloads {
        let key = table.title.split(' ').next().unwrap_or("");
        for row in &table.rows {
            let (target_cell, speed) = speed_goal(row);
            // A missed target above the copy limit, with Herald itself within that limit (as
            // it must be: it does that work and more) — else the run is too noisy to say.
            if let (Some((t, _)), Some(copy), Some(h)) =
                (target(row), row.copy_limit(), row.herald())
                && !speed
                && t > copy
                && h <= copy
            {
                beyond_copy.push(format!("{key} {}", row.label));
            }
            let allocs = row.allocs_per_event(Row::column(Role::Herald));
            let alloc_ok = row.herald().is_some() && allocs.is_some_and(|a| a <= ALLOCS_PER_EVENT);
            speed_pass += usize::from(speed);
            alloc_pass += usize::from(alloc_ok);
            let peer = row
                .fastest_peer()
                .map(|(n, r)| format!("{} ({n})", fmt_rate(r)));
            let herald = row.herald().map(fmt_rate);
            rows.push(vec![
                format!("{key} {}", row.label),
                or_dash(peer),
                target_cell,
                herald.unwrap_or_else(|| "wrong counts or capped".into()),
                or_dash(row.copy_limit().map(fmt_rate)),
                verdict(speed).into(),
                or_dash(allocs.map(fmt_allocs)),
                verdict(alloc_ok).into(),
            ]);
        }
    }
    out += &markdown(&header, &rows);
    let total = rows.len();
    writeln!(
        out,
        "\nSpeed: {speed_pass}/{total} rows PASS. Allocations: {alloc_pass}/{total} rows PASS.\n"
    )
    .unwrap();
    if !beyond_copy.is_empty() {
        writeln!(
            out,
            "Rows whose speed target is above their split-line copy limit (no parser that hands \
             out each line as one contiguous string can reach it on this machine): {}.\n",
            beyond_copy.join(", ")
        )
        .unwrap();
    }
    out += &line_goal(lines);
    out
}

/// The long-line goal: per-byte cost must not grow with the line (rows as in `line_ratios`).
fn line_goal(lines: &Table) -> String {
    let herald = Row::column(Role::Herald);
    let ns = |row: &Row| row.good_rate(herald).map(|rate| 1e3 / rate);
    let (long, one, short) = (ns(&lines.rows[0]), ns(&lines.rows[1]), ns(&lines.rows[2]));
    let linear = long.zip(short).map(|(l, s)| l / s);
    format!(
        "Long lines: Herald parses a 64 KiB line in 7-byte chunks at {} ns per byte, vs {} ns in \
         one chunk ({} the per-byte cost). Per byte, that line costs {} what a 4 KiB line in \
         7-byte chunks costs; goal ≤ {LINEAR_SLACK}× (nothing super-linear): **{}**.\n",
        or_dash(long.map(fmt_ns)),
        or_dash(one.map(fmt_ns)),
        or_dash(long.zip(one).map(|(l, o)| format!("{:.1}×", l / o))),
        or_dash(linear.map(|r| format!("{r:.2}×"))),
        verdict(linear.is_some_and(|r| r <= LINEAR_SLACK)),
    )
}

/// The speed target of a row in MB/s, and how it was set.
fn target(row: &Row) -> Option<(f64, String)> {
    let ((_, peer), limit) = row.fastest_peer().zip(row.limit())?;
    Some(if PEER_FACTOR * peer <= limit {
        (PEER_FACTOR * peer, format!("{PEER_FACTOR}× peer"))
    } else {
        (
            LIMIT_SHARE * limit,
            format!("{:.0} % of limit {}", LIMIT_SHARE * 100.0, fmt_rate(limit)),
        )
    })
}

/// The speed target of a row and whether Herald met it.
fn speed_goal(row: &Row) -> (String, bool) {
    let Some((target, basis)) = target(row) else {
        return ("–".into(), false);
    };
    let met = row.herald().is_some_and(|h| h >= target);
    (format!("≥ {} ({basis})", fmt_rate(target)), met)
}

/// A throughput cell: MB/s, flagged when the counts were wrong, bounded when capped.
fn rate_cell(row: &Row, i: usize, settings: &Settings) -> String {
    match (&row.outcomes[i], row.rate(i)) {
        (Outcome::Timed { wrong: None, .. }, Some(rate)) => fmt_rate(rate),
        (Outcome::Timed { .. }, Some(rate)) => format!("{} ✗", fmt_rate(rate)),
        _ => {
            let bound = row.bytes as f64 / settings.cap.as_secs_f64() / 1e6;
            format!("< {} ⏱", fmt_rate(bound))
        }
    }
}

/// A cost cell: nanoseconds per input byte, flagged and bounded like [`rate_cell`].
fn ns_cell(row: &Row, i: usize, settings: &Settings) -> String {
    match (&row.outcomes[i], row.rate(i)) {
        (Outcome::Timed { wrong: None, .. }, Some(rate)) => fmt_ns(1e3 / rate),
        (Outcome::Timed { .. }, Some(rate)) => format!("{} ✗", fmt_ns(1e3 / rate)),
        _ => {
            let bound = settings.cap.as_nanos() as f64 / row.bytes as f64;
            format!("> {} ⏱", fmt_ns(bound))
        }
    }
}

fn fmt_allocs(allocs: f64) -> String {
    format!("{allocs:.2}")
}

fn fmt_rate(rate: f64) -> String {
    match rate {
        r if r >= 100.0 => format!("{r:.0}"),
        r if r >= 10.0 => format!("{r:.1}"),
        r => format!("{r:.2}"),
    }
}

fn fmt_ns(ns: f64) -> String {
    match ns {
        n if n >= 100.0 => format!("{n:.0}"),
        n if n >= 1.0 => format!("{n:.2}"),
        n => format!("{n:.3}"),
    }
}

fn or_dash(cell: Option<String>) -> String {
    cell.unwrap_or_else(|| "–".into())
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}
