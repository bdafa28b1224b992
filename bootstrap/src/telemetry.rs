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
    let _already = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
