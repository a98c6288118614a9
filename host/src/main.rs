//! The `phonefleet` command: `phonefleet serve [--bind ...] [--data-dir ...] ...`.

use clap::{Parser, Subcommand};
use phonefleet::Config;

#[derive(Parser)]
#[command(name = "phonefleet", version, about = "Run automation scripts on a fleet of Android phones")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API and run queued tasks.
    Serve(Config),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Cli { command: Command::Serve(config) } = Cli::parse();
    let server = match phonefleet::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("phonefleet: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = tokio::select! {
        r = tokio::signal::ctrl_c() => r.map(|_| ()),
        r = server.wait() => r,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("phonefleet: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
