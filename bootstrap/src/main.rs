//! The `chatchit` command: `serve` (default) and `migrate`.

use anyhow::Context;
use chatchit::{Application, Config, create_admin, migrate, promote, telemetry};
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
    /// Manages admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `chatchit admin …`.
#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Creates an admin account.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (8–128 characters).
        #[arg(long)]
        password: String,
    },
    /// Makes an existing account admin.
    Promote {
        /// Login name.
        username: String,
    },
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
        Command::Admin(AdminCommand::Create { username, password }) => {
            let id = create_admin(&config, &username, &password).await?;
            println!("created admin {username} ({id})");
            Ok(())
        }
        Command::Admin(AdminCommand::Promote { username }) => {
            let id = promote(&config, &username).await?;
            println!("{username} ({id}) is now an admin");
            Ok(())
        }
    }
}
