//! What the benchmarks share: the machine they ran on, read at the start, and their Markdown table.

/// The `q` quantile (0–1) of `sorted` microseconds, in milliseconds (nearest rank).
pub fn quantile_ms(sorted: &[u64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0
}

/// The multi-threaded runtime a benchmark runs on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// One figure of a benchmark: (figure, value, how it was measured).
pub type Row = (String, String, String);

/// The machine as a benchmark starts: cores and load average, before any work skews them.
pub struct Machine {
    cores: usize,
    load: String,
}

impl Machine {
    /// Reads the machine now; call it before the benchmark's first figure.
    pub fn now() -> Machine {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            load: load
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Prints BENCHMARKS.md's section: the heading, the machine, and one table row per figure.
    pub fn print_report(&self, heading: &str, rows: &[Row]) {
        println!("## {heading}\n");
        println!(
            "- Machine: {} cores, load average {} at start; bench profile (release)\n",
            self.cores, self.load
        );
        println!("| figure | value | how |\n|---|---:|---|");
        for (figure, value, how) in rows {
            println!("| {figure} | {value} | {how} |");
        }
    }
}
