//! The `herald` binary: the desktop app, or one of its window-less commands.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = herald::cli::Cli::parse();
    match cli.command {
        None => match herald::run(cli.hidden) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("herald: {e:#}");
                ExitCode::FAILURE
            }
        },
        Some(command) => herald::cli::run(command),
    }
}
