//! The `phonefleet` command: `phonefleet serve [--bind ...] [--data-dir ...] ...`.

use clap::{Parser, Subcommand};
use phonefleet::Config;

#[derive(Parser)]
#[command(
    name = "phonefleet",
    version,
    about = "Run automation scripts on a fleet of Android phones"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API and run queued tasks.
    Serve(Box<Config>),
    /// Work with script plugins.
    #[command(subcommand)]
    Script(ScriptCommand),
}

#[derive(Subcommand)]
enum ScriptCommand {
    /// Load a script component as the server would and report what it is.
    Check {
        /// The component, e.g. target/wasm32-wasip2/release/my_script.wasm.
        file: std::path::PathBuf,
    },
    /// Run a script once on one phone, printing its log as it runs and its result.
    Try(phonefleet::script_try::TryArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Colours only for a person at a terminal, not in log files and journals.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let config = match Cli::parse().command {
        Command::Serve(config) => *config,
        Command::Script(ScriptCommand::Try(args)) => {
            return match phonefleet::script_try::try_script(&args).await {
                Ok(results) => {
                    for result in results {
                        println!("result: {result}");
                    }
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("phonefleet script try: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
        Command::Script(ScriptCommand::Check { file }) => {
            return match phonefleet::check::check(&file).await {
                Ok(report) => {
                    println!("{report}");
                    std::process::ExitCode::SUCCESS
                }
                Err(reason) => {
                    eprintln!("phonefleet script check: {reason}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
    };
    let mut server = match phonefleet::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("phonefleet: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let failed = tokio::select! {
        () = stop_requested() => None,
        r = server.wait() => Some(r),
    };
    let result = match failed {
        // A second signal while stopping means now.
        None => tokio::select! {
            r = server.stop() => r,
            () = stop_requested() => {
                eprintln!("phonefleet: stopping now; running tasks are found interrupted at the next start");
                Ok(())
            }
        },
        Some(r) => r,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("phonefleet: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (what `systemctl stop`, `docker stop` and `kill` send).
async fn stop_requested() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::warn!("cannot listen for SIGTERM ({e}); only Ctrl-C stops gracefully");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
