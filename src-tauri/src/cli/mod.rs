//! The command line: `herald` opens the app; the commands need no window and no display.
//!
//! - [`tail`]: `herald tail`, one feed as JSON lines.
//! - [`feeds`]: `herald feeds …`: list, add, remove, export, import — through the running app
//!   when there is one, else on the settings file under the instance lock.
//! - [`history`]: `herald history`: the store, read-only, beside a running app or without one.
//! - [`demo`]: `herald demo-server`.
//! - [`quit`]: `herald quit`: the running app quits cleanly; the command waits until it has.
//! - [`subscribe`]: `herald subscribe URL` and `herald://subscribe?…` links: the editor,
//!   prefilled, in the running app or in this launch (`main.rs` starts the app with it).
//!
//! Exit codes: 0 done, 1 a runtime failure, 2 bad usage or bad input; the reason is one line
//! on stderr.

mod demo;
mod feeds;
mod history;
mod quit;
pub mod subscribe;
mod tail;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use herald_engine::demo::DEFAULT_PORT;

use crate::logging;

/// Herald: a desktop receiver for Server-Sent Events.
#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Without a command, Herald opens its window.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A herald:// link to open (herald://subscribe?url=…&name=…), as the desktop passes it.
    #[arg(value_name = "LINK")]
    pub link: Option<String>,
    /// Start in the tray, without opening the window (as Herald does at login).
    #[arg(long)]
    pub hidden: bool,
}

/// The window-less commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print each event of one feed as a JSON line: {"type", "data", "lastEventId"}.
    Tail(TailArgs),
    /// List, add, remove, export or import feeds (the running app follows at once).
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Print stored events, newest first.
    History(HistoryArgs),
    /// Serve Herald's demo feed (realistic events) on 127.0.0.1.
    DemoServer(DemoArgs),
    /// Ask the running Herald to quit (feeds closed, everything saved) and wait until it has.
    Quit,
    /// Open Herald's editor on a new feed with this URL (starting Herald if needed); nothing
    /// is subscribed until you save it there.
    Subscribe {
        /// The event stream's URL (http or https).
        url: String,
        /// The feed's name.
        #[arg(long)]
        name: Option<String>,
    },
}

/// `herald feeds …`.
#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Every feed: name, state (while Herald runs), URL without secrets, id.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Subscribe a feed.
    Add {
        /// The name shown in the timeline and on notifications.
        name: String,
        /// The event stream's URL (http or https).
        url: String,
        /// A request header, `Name: value`; repeat for more.
        #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
    },
    /// Unsubscribe a feed (its history goes too).
    Remove {
        /// The feed's id, or a name only one feed has.
        #[arg(value_name = "NAME|ID")]
        key: String,
    },
    /// Write the feed list as JSON (header values only with --with-secrets).
    Export {
        /// Include header values (tokens!); a FILE is then written readable by you only.
        #[arg(long)]
        with_secrets: bool,
        /// Where to write it (default: standard output).
        file: Option<PathBuf>,
    },
    /// Add or update feeds from an export (`-` reads standard input).
    Import {
        /// The export file.
        file: PathBuf,
    },
}

/// `herald history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this feed (an id, or a name only one feed has).
    #[arg(long, value_name = "NAME|ID")]
    pub feed: Option<String>,
    /// Only events with all these words in their type or data (the last one as a prefix).
    #[arg(long, value_name = "QUERY")]
    pub search: Option<String>,
    /// Only events of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only events received since TIME: an RFC 3339 time (2026-12-01T08:00:00Z), a date
    /// (2026-12-01, UTC), or a span back from now (90m, 2h, 3d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// At most this many events.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// One JSON object per line: {"seq","feed","type","data","lastEventId","receivedAt"}.
    #[arg(long)]
    pub json: bool,
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
        Command::Feeds(command) => runtime.block_on(feeds::feeds(command)),
        Command::History(args) => runtime.block_on(history::history(args)),
        Command::DemoServer(args) => runtime.block_on(demo::demo_server(args)),
        Command::Quit => runtime.block_on(quit::quit()),
        Command::Subscribe { .. } => unreachable!("main.rs starts the app for it"),
    }
}

/// A command's failure: what to print, and the exit code it means.
#[derive(Debug)]
pub struct Failure {
    /// 1: something failed at run time; 2: the usage or the input is at fault.
    code: u8,
    /// One line for stderr.
    message: String,
}

impl Failure {
    /// A runtime failure (exit 1).
    fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// Bad usage or input (exit 2).
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// Prints the reason as `herald COMMAND: reason` and returns the exit code.
    fn report(self, command: &str) -> ExitCode {
        eprintln!("herald {command}: {}", self.message);
        ExitCode::from(self.code)
    }
}

/// The exit code of a command's result.
fn finish(command: &str, result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(command),
    }
}
