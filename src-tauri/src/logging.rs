//! Logging: tracing to stderr, and for the app also to `herald.<date>.log` in the OS data dir:
//! a new file each day, the last week kept, so a long-running app's log does not grow forever.
//!
//! The level comes from `HERALD_LOG` (an `EnvFilter` string such as `debug` or
//! `herald_engine=trace`). Secrets never reach a log line: feeds are logged by id and redacted URL.

use anyhow::Context;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// Where logs go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The desktop app: stderr and the log file.
    StderrAndFile,
    /// Command-line tools: stderr only, warnings and worse unless `HERALD_LOG` says otherwise.
    Stderr,
}

/// How many days of log files are kept.
const LOG_DAYS: usize = 7;

/// Keeps the log file's writer thread alive; drop it last (it flushes on drop).
pub struct Guard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// The folder the app's log files go to (`$XDG_DATA_HOME/herald/logs` on Linux).
pub fn log_dir() -> Option<std::path::PathBuf> {
    herald_engine::settings::project_dirs().map(|dirs| dirs.data_dir().join("logs"))
}

/// Installs the global subscriber.
pub fn init(target: Target) -> anyhow::Result<Guard> {
    let default = match target {
        Target::StderrAndFile => "info",
        Target::Stderr => "warn",
    };
    let filter =
        || EnvFilter::try_from_env("HERALD_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let registry = tracing_subscriber::registry().with(stderr);
    if target == Target::Stderr {
        registry.try_init().context("cannot install the logger")?;
        return Ok(Guard(None));
    }
    let log_dir = log_dir().context("cannot find a data directory")?;
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create the log folder {}", log_dir.display()))?;
    let files = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("herald")
        .filename_suffix("log")
        .max_log_files(LOG_DAYS)
        .build(&log_dir)
        .with_context(|| format!("cannot open a log file in {}", log_dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(files);
    let file = fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(filter());
    registry
        .with(file)
        .try_init()
        .context("cannot install the logger")?;
    tracing::info!(folder = %log_dir.display(), "logging to herald.<date>.log");
    Ok(Guard(Some(guard)))
}
