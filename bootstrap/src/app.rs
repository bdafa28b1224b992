//! The binary's server: a [`ChatChit`] with the Prometheus exporter, the
//! 404 fallback and a bound listener, run until a signal or the stop handle.

use crate::chatchit::ChatChit;
use crate::config::Config;
use anyhow::Context;
use chatchit_sql::SqlDatabase;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A built server, bound to its port, not yet serving: ChatChit as the
/// `chatchit` binary runs it. A host embedding ChatChit uses
/// [`ChatChit::builder`] instead.
pub struct Application {
    /// The bound listener.
    listener: TcpListener,
    /// The port actually bound (useful with port 0).
    port: u16,
    /// Everything else.
    chat: ChatChit,
    /// Fires to stop the server.
    stop: watch::Sender<bool>,
    /// What the start-up line says of the services in use.
    services: Summary,
}

/// The services a node runs on, for its start-up line.
#[derive(Debug, Clone)]
struct Summary {
    /// `sqlite` or `postgresql`.
    database: &'static str,
    /// `rabbitmq` or `in-process`.
    queue: &'static str,
    /// `redis` or `in-process` (presence, limits, cache, cluster bus).
    shared_state: &'static str,
}

impl Summary {
    fn of(config: &Config) -> Self {
        let postgres = config
            .database_url
            .as_deref()
            .is_some_and(|url| url.starts_with("postgres"));
        Self {
            database: if postgres { "postgresql" } else { "sqlite" },
            queue: if config.amqp_url.is_some() {
                "rabbitmq"
            } else {
                "in-process"
            },
            shared_state: if config.redis_url.is_some() {
                "redis"
            } else {
                "in-process"
            },
        }
    }
}

/// Stops a running [`Application`] as SIGTERM would.
#[derive(Clone)]
pub struct StopHandle(watch::Sender<bool>);

impl StopHandle {
    /// Starts the graceful shutdown.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// Connects to the configured database and applies pending migrations.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn migrate(config: &Config) -> anyhow::Result<SqlDatabase> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let database = SqlDatabase::connect(
        &config.effective_database_url(),
        config.database_max_connections,
    )
    .await
    .context("connecting to the database")?;
    chatchit_migrations::apply(database.connection())
        .await
        .context("applying migrations")?;
    Ok(database)
}

impl Application {
    /// Connects, migrates, wires every adapter and binds the listener.
    ///
    /// # Errors
    /// When the database, the data directory or the address is unusable.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let mut chat = ChatChit::builder(config.clone())
            .prometheus()
            .build()
            .await?;
        chat.router = chat
            .router
            .merge(chatchit_http::web::routes())
            .fallback(chatchit_http::error::not_found);
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let (stop, _) = watch::channel(false);
        Ok(Self {
            listener,
            port,
            chat,
            stop,
            services: Summary::of(&config),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every realtime event the server answers, as its handler registry
    /// lists them (for documents and tests that must cover each one).
    pub fn events(&self) -> &[&'static str] {
        self.chat.events()
    }

    /// A handle that stops the server gracefully.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    /// Serves until SIGINT, SIGTERM or the stop handle; then closes sockets,
    /// finishes in-flight requests and queued events, and closes the database.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let address = self
            .listener
            .local_addr()
            .map_or_else(|_| "?".to_owned(), |a| a.to_string());
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            %address,
            port = self.port,
            database = self.services.database,
            queue = self.services.queue,
            shared_state = self.services.shared_state,
            events = self.chat.events().len(),
            "chatchit listening"
        );
        let mut stop = self.stop.subscribe();
        let stopped = async move {
            tokio::select! {
                () = signal() => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        };
        self.chat.serve(self.listener, stopped).await;
        Ok(())
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
