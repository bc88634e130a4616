//! `herald feeds …`: the feed list from the command line.
//!
//! With Herald running, each command is a request on its control socket: the app changes its
//! own settings, so its window follows at once and nothing either side saved is lost. Without
//! it, the command edits the settings file itself while holding the instance lock, so an app
//! that starts meanwhile waits for the edit to be saved.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use herald_engine::Error;
use herald_engine::feed::{FeedConfig, FeedDraft, FeedStatus, redact_url};
use herald_engine::instance::client::{self, CallError};
use herald_engine::instance::protocol::Request;
use herald_engine::instance::{InstanceLock, Paths};
use herald_engine::report::FeedView;
use herald_engine::settings::feeds::{Exported, ImportSummary};
use herald_engine::settings::{Settings, SettingsFile};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Failure, FeedsCommand, finish};

/// How long a command waits for an app that holds the lock but does not answer yet (it is
/// starting).
const STARTING_WAIT: Duration = Duration::from_secs(5);

/// Runs `herald feeds …`.
pub async fn feeds(command: FeedsCommand) -> std::process::ExitCode {
    let name = match &command {
        FeedsCommand::List { .. } => "feeds list",
        FeedsCommand::Add { .. } => "feeds add",
        FeedsCommand::Remove { .. } => "feeds remove",
        FeedsCommand::Export { .. } => "feeds export",
        FeedsCommand::Import { .. } => "feeds import",
    };
    finish(name, run(command).await)
}

async fn run(command: FeedsCommand) -> Result<(), Failure> {
    match command {
        FeedsCommand::List { json } => list(json).await,
        FeedsCommand::Add { name, url, headers } => {
            let draft = FeedDraft {
                name,
                url,
                headers: headers.join("\n"),
                ..FeedDraft::default()
            };
            let added: FeedView = through_app_or_file(
                &Request::AddFeed {
                    draft: draft.clone(),
                },
                |settings| {
                    let config = draft.validate().map_err(Error::from)?;
                    settings.feeds.push(config.clone());
                    Ok(view_of(&config, None))
                },
            )
            .await?;
            println!("Added {} (id {}).", added.name, added.id);
            Ok(())
        }
        FeedsCommand::Remove { key } => {
            let request = Request::RemoveFeed { key: key.clone() };
            let removed: FeedView = through_app_or_file(&request, |settings| {
                let index = settings.find_feed(&key)?;
                Ok(view_of(&settings.feeds.remove(index), None))
            })
            .await?;
            println!("Removed {} (id {}).", removed.name, removed.id);
            Ok(())
        }
        FeedsCommand::Export { with_secrets, file } => {
            let request = Request::ExportFeeds { with_secrets };
            let exported: Exported = match ask_app(&request).await? {
                Some(exported) => exported,
                None => read_settings()?.export(with_secrets),
            };
            let mut json = serde_json::to_vec_pretty(&exported).expect("exports serialize");
            json.push(b'\n');
            match file {
                // Written readable by the user only, whatever it holds.
                Some(path) => {
                    herald_engine::files::write_atomically(&path, &json).map_err(|e| {
                        Failure::runtime(format!("cannot write {}: {e}", path.display()))
                    })?
                }
                None => print!("{}", String::from_utf8_lossy(&json)),
            }
            Ok(())
        }
        FeedsCommand::Import { file } => {
            let exported = read_export(&file)?;
            let request = Request::ImportFeeds {
                exported: Box::new(exported.clone()),
            };
            let summary: ImportSummary =
                through_app_or_file(&request, |settings| settings.import(&exported)).await?;
            for name in &summary.added {
                println!("Added {name}.");
            }
            for name in &summary.updated {
                println!("Updated {name}.");
            }
            for name in &summary.missing_secrets {
                eprintln!(
                    "herald feeds import: {name}: a header came without its value (exported \
                     without --with-secrets); fill it in on the settings screen"
                );
            }
            Ok(())
        }
    }
}

/// `herald feeds list`.
async fn list(json: bool) -> Result<(), Failure> {
    let (feeds, running) = match ask_app::<Vec<FeedView>>(&Request::ListFeeds).await? {
        Some(feeds) => (feeds, true),
        None => {
            let settings = read_settings()?;
            let feeds = settings.feeds.iter().map(|f| view_of(f, None)).collect();
            (feeds, false)
        }
    };
    if json {
        let listed: Vec<Listed> = feeds
            .iter()
            .map(|f| Listed {
                id: &f.id.0,
                name: &f.name,
                url: redact_url(&f.url),
                header_names: &f.header_names,
                state: running.then(|| state(&f.status)),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&listed).expect("lists serialize")
        );
        return Ok(());
    }
    if feeds.is_empty() {
        eprintln!("No feeds yet: add one with `herald feeds add NAME URL`.");
        return Ok(());
    }
    let width = feeds
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!("{:width$}  {:14}  {:12}  URL", "NAME", "STATE", "ID");
    for feed in &feeds {
        let shown = if running {
            state(&feed.status)
        } else {
            "not running"
        };
        println!(
            "{:width$}  {shown:14}  {:12}  {}",
            feed.name,
            feed.id,
            redact_url(&feed.url)
        );
    }
    Ok(())
}

/// One feed of `herald feeds list --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    /// Without credentials or query: safe to paste.
    url: String,
    header_names: &'a [String],
    /// `null` while Herald is not running.
    state: Option<&'static str>,
}

/// A status in one word, as the table shows it.
fn state(status: &FeedStatus) -> &'static str {
    match status {
        FeedStatus::Connecting { .. } => "connecting",
        FeedStatus::Live { .. } => "live",
        FeedStatus::Backoff { .. } => "reconnecting",
        FeedStatus::NeedsAttention { .. } => "needs attention",
        FeedStatus::Stopped { .. } => "paused",
    }
}

/// A saved feed as a view (statuses are only known to a running app).
fn view_of(config: &FeedConfig, status: Option<FeedStatus>) -> FeedView {
    FeedView::new(config, status.unwrap_or(FeedStatus::STARTING))
}

/// Asks the running app; `None` when no app runs (or it did not answer while starting).
async fn ask_app<T: DeserializeOwned>(request: &Request) -> Result<Option<T>, Failure> {
    match client::call(&paths()?.socket, request).await {
        Ok(answer) => Ok(Some(answer)),
        Err(CallError::NotRunning) => Ok(None),
        Err(CallError::Refused(e)) if e.is_bad_input() => Err(Failure::input(e.message)),
        Err(e) => Err(Failure::runtime(e.to_string())),
    }
}

/// Asks the running app to do `request`; without one, does `edit` on the settings file while
/// holding the instance lock, and saves.
async fn through_app_or_file<T: DeserializeOwned>(
    request: &Request,
    edit: impl FnOnce(&mut Settings) -> Result<T, Error>,
) -> Result<T, Failure> {
    let paths = paths()?;
    let deadline = Instant::now() + STARTING_WAIT;
    loop {
        if let Some(answer) = ask_app(request).await? {
            return Ok(answer);
        }
        let lock = InstanceLock::try_acquire(&paths.lock)
            .map_err(|e| Failure::runtime(format!("cannot open {}: {e}", paths.lock.display())))?;
        if let Some(_lock) = lock {
            // No app runs, and none can start until the edit is saved.
            return edit_file(edit).await;
        }
        // The lock is held but nobody answers yet: an app is starting (or another command
        // is editing). Ask again shortly.
        if Instant::now() >= deadline {
            return Err(Failure::runtime(
                "another Herald holds the instance lock but does not answer; try again",
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Loads the settings file, applies `edit` and saves it (the caller holds the lock).
async fn edit_file<T>(edit: impl FnOnce(&mut Settings) -> Result<T, Error>) -> Result<T, Failure> {
    let file = settings_file()?;
    let mut settings = file.read().map_err(|e| {
        Failure::runtime(format!(
            "{e}; repair it, or start Herald, which keeps it aside"
        ))
    })?;
    if settings.version > herald_engine::settings::VERSION {
        return Err(Failure::runtime(
            "the settings file is from a newer Herald; update Herald to change it",
        ));
    }
    settings.change(&file, edit).await.map_err(|e| match e {
        Error::Invalid(_) | Error::NotFound(_) | Error::Ambiguous { .. } | Error::BadImport(_) => {
            Failure::input(describe(&e))
        }
        other => Failure::runtime(describe(&other)),
    })
}

/// An engine error in the command's words.
fn describe(error: &Error) -> String {
    match error {
        Error::Invalid(invalid) => format!("{}: {}", invalid.field, invalid.message),
        Error::NotFound(key) => format!("no feed has the id or name {key:?}"),
        other => other.to_string(),
    }
}

/// The settings as they are on disk, for commands that only read.
fn read_settings() -> Result<Settings, Failure> {
    settings_file()?
        .read()
        .map_err(|e| Failure::runtime(e.to_string()))
}

fn settings_file() -> Result<SettingsFile, Failure> {
    SettingsFile::default_location().map_err(|e| Failure::runtime(e.to_string()))
}

fn paths() -> Result<Paths, Failure> {
    Paths::default_location()
        .ok_or_else(|| Failure::runtime("cannot find a runtime or data directory (is $HOME set?)"))
}

/// Reads an export from `path` (`-`: standard input).
fn read_export(path: &Path) -> Result<Exported, Failure> {
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::runtime(format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))?
    };
    serde_json::from_str(&text).map_err(|e| {
        Failure::input(format!(
            "{} is not a Herald feed export: {e}",
            path.display()
        ))
    })
}
