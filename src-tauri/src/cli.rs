//! The command line: `herald` opens the app; `herald tail` and `herald demo-server` need no
//! window and no display.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use herald_engine::demo::{self, DemoOptions, DemoServer};
use herald_engine::feed::clients::Clients;
use herald_engine::feed::replay::{Recent, ReplayRule};
use herald_engine::feed::{
    self, Control, Cursor, FeedDraft, FeedError, FeedOptions, FeedStatus, FeedUpdate, StopReason,
};
use tokio::sync::mpsc;

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
    #[arg(long, default_value_t = demo::DEFAULT_PORT)]
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
        Command::Tail(args) => runtime.block_on(tail(args)),
        Command::DemoServer(args) => runtime.block_on(demo_server(args)),
    }
}

async fn tail(args: TailArgs) -> ExitCode {
    let draft = FeedDraft {
        name: "tail".into(),
        url: args.url,
        headers: args.headers.join("\n"),
        ca_cert: args.ca_cert.unwrap_or_default(),
        ..Default::default()
    };
    let feed = match draft.validate() {
        Ok(feed) => Arc::new(feed),
        Err(e) => {
            eprintln!("herald tail: {}", e.message);
            return ExitCode::from(2);
        }
    };
    let client = match Clients::new().for_feed(&feed).await {
        Ok(client) => client,
        Err(e) => return fail(&e),
    };
    let options = FeedOptions {
        reconnect: !args.no_reconnect,
        idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
        ..FeedOptions::default()
    };
    let (tx, mut rx) = mpsc::channel(256);
    let cursor = Cursor {
        last_event_id: args.last_event_id.unwrap_or_default(),
        retry_ms: None,
    };
    // Like the app, a reconnecting tail reconnects at once after a sleep or a network change.
    let reconnect = options.reconnect;
    let (control, control_rx) = mpsc::channel(4);
    let run = feed::supervisor::run(client, feed, options, cursor, tx, control_rx);
    let supervisor = tokio::spawn(run);
    let mut triggers = herald_engine::triggers::watch();
    let mut stdout = std::io::stdout().lock();
    // Exactly once, as in the app, with a memory of recent events standing in for the store.
    let mut replays = ReplayRule::default();
    let mut recent = Recent::default();
    loop {
        let message = tokio::select! {
            message = rx.recv() => message,
            Some(reason) = triggers.recv(), if reconnect => {
                let _ = control.try_send(Control::Refresh(reason.to_owned()));
                continue;
            }
        };
        let Some(message) = message else { break };
        match message.update {
            FeedUpdate::Event(received) => {
                if replays.is_replay(&received, |e| recent.contains(e)) {
                    continue;
                }
                recent.remember(&received.event);
                let line = serde_json::to_string(&received.event).expect("events serialize");
                if writeln!(stdout, "{line}")
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    return ExitCode::SUCCESS; // the reader went away (e.g. `| head`)
                }
            }
            FeedUpdate::Status(status) => {
                eprintln!("herald tail: {}", describe(&status));
                if let FeedStatus::Stopped {
                    reason: StopReason::Server,
                } = status
                {
                    // A 204: the server says the stream is over. The app waits for the user
                    // to resume; a tail has no user to wait for.
                    return ExitCode::SUCCESS;
                }
            }
            FeedUpdate::Dropped(why) => eprintln!("herald tail: {why}"),
            FeedUpdate::Cursor(_) => {}
        }
    }
    match supervisor.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(&e),
        Err(e) => {
            eprintln!("herald tail: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fail(error: &FeedError) -> ExitCode {
    match &error.hint {
        Some(hint) => eprintln!("herald tail: {error} ({hint})"),
        None => eprintln!("herald tail: {error}"),
    }
    ExitCode::FAILURE
}

/// A status as one line for stderr.
fn describe(status: &FeedStatus) -> String {
    match status {
        FeedStatus::Connecting {
            attempt: 0,
            reason: None,
        } => "connecting".to_owned(),
        FeedStatus::Connecting { attempt, reason } => match reason {
            Some(reason) => format!("connecting ({reason})"),
            None => format!("connecting (attempt {})", attempt + 1),
        },
        FeedStatus::Live { .. } => "live".to_owned(),
        FeedStatus::Backoff {
            error, next_try_at, ..
        } => {
            let wait = next_try_at.saturating_sub(herald_engine::time::now_ms());
            format!("{error}; reconnecting in {:.1} s", wait as f64 / 1000.0)
        }
        FeedStatus::NeedsAttention { error, .. } => format!("needs attention: {error}"),
        FeedStatus::Stopped { reason } => format!("stopped ({reason:?})").to_lowercase(),
    }
}

async fn demo_server(args: DemoArgs) -> ExitCode {
    let options = DemoOptions {
        interval: Duration::from_millis(args.interval_ms.max(10)),
        ..DemoOptions::default()
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    match DemoServer::start(addr, options).await {
        Ok(server) => {
            // The URL on stdout, alone on its line, so scripts can read it.
            println!("{}", server.url());
            eprintln!("herald demo-server: serving events; stop with Ctrl-C");
            tokio::select! {
                () = server.wait() => ExitCode::SUCCESS,
                _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!("herald demo-server: cannot listen on {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
