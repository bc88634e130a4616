//! The command line: `herald` opens the app; the commands need no window and no display.
//!
//! - [`tail`]: `herald tail`, one feed as JSON lines.
//! - [`demo`]: `herald demo-server`.

mod demo;
mod tail;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use herald_engine::demo::DEFAULT_PORT;

use crate::logging;

/// Herald: a desktop receiver for Server-Sent Events.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about)]
pub struct Cli {
    /// Without a command, Herald opens its window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The window-less commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print each event of one feed as a JSON line: {"type", "data", "lastEventId"}.
    Tail(TailArgs),
    /// Serve Herald's demo feed (realistic events) on 127.0.0.1.
    DemoServer(DemoArgs),
}

/// `herald tail`: the app's connection, printing instead of notifying.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// The event stream's URL (http or https).
    pub url: String,
    /// A request header, `Name: value`; repeat for more.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Resume after this event id (sent as `Last-Event-ID`).
    #[arg(long, value_name = "ID")]
    pub last_event_id: Option<String>,
    /// Exit when the stream ends instead of reconnecting (exit 0 if the server ended it).
    #[arg(long)]
    pub no_reconnect: bool,
    /// Reconnect after this many seconds without any bytes.
    #[arg(long, value_name = "SECONDS", default_value_t = 90)]
    pub idle_timeout: u64,
    /// A PEM CA certificate to trust besides the OS store (a self-hosted server).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
}

/// `herald demo-server`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Milliseconds between two events.
    #[arg(long, value_name = "MS", default_value_t = 4000)]
    pub interval_ms: u64,
}

/// Runs a window-less command; returns the process exit code.
pub fn run(command: Command) -> ExitCode {
    let _log = match logging::init(logging::Target::Stderr) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("herald: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("herald: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        Command::Tail(args) => runtime.block_on(tail::tail(args)),
        Command::DemoServer(args) => runtime.block_on(demo::demo_server(args)),
    }
}
