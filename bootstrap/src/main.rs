//! The `chatchit` command: `serve` (default) and `migrate`.

use anyhow::Context;
use chatchit::{Application, Config, migrate, telemetry};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// ChatChit: a real-time chat backend (REST + Socket.IO v4).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file; missing is fine (defaults and CHATCHIT_* variables apply).
    #[arg(
        long,
        global = true,
        default_value = "chatchit.toml",
        env = "CHATCHIT_CONFIG"
    )]
    config: PathBuf,
    /// What to do.
    #[command(subcommand)]
    command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the server (the default).
    Serve,
    /// Applies pending database migrations and exits.
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli.config).context("reading the configuration")?;
    telemetry::init(&config.log, &config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(config).await?.run_until_stopped().await,
        Command::Migrate => {
            migrate(&config).await?.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}
