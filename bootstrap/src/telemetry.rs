//! Structured logs with `tracing`.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the log subscriber: `RUST_LOG` wins over `filter`; `format` is
/// `json` or `text` (colored only on a terminal). A second call (tests start several servers) is a no-op.
pub fn init(filter: &str, format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let installed = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if installed.is_ok() {
        log_panics();
    }
}

/// A panic anywhere (a request's task, a socket's, a handler's) is logged
/// as one error line with its place, without a backtrace: a client that
/// finds a panic and repeats it must not be able to flood the log. Where it
/// is contained (the socket gateway, the HTTP layer) it is also counted in
/// `chatchit_panics_total`, by task.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%place, %message, "a task panicked");
    }));
}
