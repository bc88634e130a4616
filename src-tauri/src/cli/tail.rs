//! `herald tail`: one feed's events as JSON lines, with the app's exact connection behaviour.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use herald_engine::feed::clients::Clients;
use herald_engine::feed::replay::{Recent, ReplayRule};
use herald_engine::feed::{
    self, Control, Cursor, FeedDraft, FeedError, FeedOptions, FeedStatus, FeedUpdate, StopReason,
};
use tokio::sync::mpsc;

use super::TailArgs;

/// Runs `herald tail`.
pub async fn tail(args: TailArgs) -> ExitCode {
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
            FeedUpdate::Detected(_) => {
                eprintln!("herald tail: an ntfy stream: resuming with since= after a reconnect");
            }
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
