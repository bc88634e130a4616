//! `herald demo-server`: Herald's demo feed, served alone.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use herald_engine::demo::{DemoOptions, DemoServer};

use super::DemoArgs;

/// Runs `herald demo-server`.
pub async fn demo_server(args: DemoArgs) -> ExitCode {
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
