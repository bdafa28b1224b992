//! The `chatchit` command: `serve` (default), `migrate`, `admin` and `config check`.

use anyhow::Context;
use chatchit::admin_cli::{Ban, list_users, set_ban};
use chatchit::{Application, Config, create_admin, migrate, promote, telemetry};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// ChatChit: a real-time chat backend (REST + Socket.IO v4).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (it must exist); without one, `chatchit.toml` is
    /// read if it is there (defaults and CHATCHIT_* variables apply).
    #[arg(long, global = true, env = "CHATCHIT_CONFIG")]
    config: Option<PathBuf>,
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
    /// Reads the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Exits 0 when this node answers `/health/ready` with 200 (for a
    /// container's HEALTHCHECK).
    Healthcheck,
    /// Adds demo users, friendships, conversations with history, reactions
    /// and stories (again: changes nothing).
    Seed,
}

/// `chatchit config …`.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Checks the configuration and prints it as in force (secrets masked).
    Check,
}

/// `chatchit admin …`.
#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Creates an admin account; the password (8–128 characters) is asked
    /// for at a prompt, or read as the first line of stdin when stdin is not
    /// a terminal (never on the command line, where `ps` shows it).
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Makes an existing account admin.
    Promote {
        /// Login name.
        username: String,
    },
    /// Lists accounts (by username prefix), marking banned ones.
    List {
        /// Username prefix; all accounts when left out.
        #[arg(long, default_value = "")]
        query: String,
    },
    /// Bans an account: its sessions end and its sockets close.
    Ban {
        /// Login name.
        username: String,
    },
    /// Lifts a ban.
    Unban {
        /// Login name.
        username: String,
    },
}

/// The new admin's password: from a prompt that does not echo when stdin is
/// a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("password: ").context("reading the password");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Every socket is an open file: raise the soft limit to the hard one.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(open_files = limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref()).context("reading the configuration")?;

    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.effective_worker_threads(cpus))
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(run(cli.command.unwrap_or(Command::Serve), config))
}

/// Runs `command` on the runtime `main` built from the configuration.
async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    telemetry::init(&config.log, &config.log_format);
    match command {
        Command::Serve => {
            raise_open_file_limit();
            Application::build(config).await?.run_until_stopped().await
        }
        Command::Migrate => {
            migrate(&config).await?.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Admin(AdminCommand::Create { username }) => {
            let password = read_password()?;
            let id = create_admin(&config, &username, &password).await?;
            println!("created admin {username} ({id})");
            Ok(())
        }
        Command::Admin(AdminCommand::Promote { username }) => {
            let id = promote(&config, &username).await?;
            println!("{username} ({id}) is now an admin");
            Ok(())
        }
        Command::Admin(AdminCommand::List { query }) => {
            for user in list_users(&config, &query).await? {
                let banned = if user.banned { "  banned" } else { "" };
                println!(
                    "{}  {}  {}{banned}",
                    user.id,
                    user.username,
                    user.role.as_str()
                );
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Ban { username }) => {
            let id = set_ban(&config, &username, Ban::Ban).await?;
            println!("{username} ({id}) is banned");
            Ok(())
        }
        Command::Admin(AdminCommand::Unban { username }) => {
            let id = set_ban(&config, &username, Ban::Unban).await?;
            println!("{username} ({id}) is no longer banned");
            Ok(())
        }
        Command::Healthcheck => {
            let status = chatchit::healthcheck::ready_status(&config).await?;
            if status != 200 {
                anyhow::bail!("not ready: /health/ready answered {status}");
            }
            println!("ready");
            Ok(())
        }
        Command::Seed => {
            let seeded = chatchit::seed::seed(&config).await?;
            println!(
                "demo data ready: {} users, a direct conversation and the group \"Weekend trip\"",
                seeded.users.len()
            );
            let names: Vec<&str> = chatchit::seed::USERS
                .iter()
                .map(|(name, _)| *name)
                .collect();
            println!(
                "log in as any of {} with the password {}",
                names.join(", "),
                chatchit::seed::PASSWORD
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => {
            chatchit_http::cors(&config.cors.allowed_origins)?;
            print!("{}", toml::to_string_pretty(&config.masked())?);
            Ok(())
        }
    }
}
