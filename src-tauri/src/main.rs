//! The `herald` binary: the desktop app, or one of its window-less commands.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use herald::cli::{Command, subscribe};

fn main() -> ExitCode {
    let cli = herald::cli::Cli::parse();
    // What the window opens on: a subscribe command or link, or nothing in particular.
    let intent = match (cli.command, cli.link) {
        (Some(Command::Subscribe { url, name }), _) => subscribe::from_args(&url, name.as_deref()),
        (Some(command), _) => return herald::cli::run(command),
        (None, Some(link)) => subscribe::from_link(&link),
        (None, None) => Ok(herald::window::Intent::default()),
    };
    let intent = match intent {
        Ok(intent) => intent,
        Err(why) => {
            eprintln!("herald: {why}");
            return ExitCode::from(2);
        }
    };
    // `--hidden` starts in the tray, unless the launch asks for something to be shown.
    let open = (!cli.hidden || !intent.is_empty()).then_some(intent);
    match herald::run(open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("herald: {e:#}");
            ExitCode::FAILURE
        }
    }
}
