//! Logging: tracing to stderr, and for the app also to `herald.log` in the OS data dir.
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

/// Keeps the log file's writer thread alive; drop it last (it flushes on drop).
pub struct Guard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

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
    let dirs = herald_engine::settings::project_dirs().context("cannot find a data directory")?;
    let log_dir = dirs.data_dir().join("logs");
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create the log folder {}", log_dir.display()))?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(&log_dir, "herald.log"));
    let file = fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(filter());
    registry
        .with(file)
        .try_init()
        .context("cannot install the logger")?;
    tracing::info!(path = %log_dir.join("herald.log").display(), "logging to file");
    Ok(Guard(Some(guard)))
}
