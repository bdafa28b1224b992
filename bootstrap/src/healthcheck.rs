//! `chatchit healthcheck`: asks this node's `/health/ready` and exits 0 when
//! it is ready — what a container's HEALTHCHECK runs (the image has no curl).

use crate::Config;
use anyhow::{Context, bail};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the whole check may take.
const DEADLINE: Duration = Duration::from_secs(3);

/// Where the node listens, as a client reaches it: a wildcard address is
/// asked on loopback.
fn target(bind: &str) -> String {
    match bind.rsplit_once(':') {
        Some(("0.0.0.0" | "[::]" | "", port)) => format!("127.0.0.1:{port}"),
        _ => bind.to_owned(),
    }
}

/// The HTTP status of `GET /health/ready` on the configured address.
///
/// # Errors
/// When nothing answers in time or the answer is not HTTP.
pub async fn ready_status(config: &Config) -> anyhow::Result<u16> {
    let address = target(&config.bind);
    let ask = async {
        let mut stream = TcpStream::connect(&address)
            .await
            .with_context(|| format!("connecting to {address}"))?;
        stream
            .write_all(b"GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut head = vec![0u8; 64];
        let read = stream.read(&mut head).await?;
        let line = String::from_utf8_lossy(&head[..read]).into_owned();
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok());
        match status {
            Some(status) => Ok(status),
            None => bail!("not an HTTP answer: {line:?}"),
        }
    };
    tokio::time::timeout(DEADLINE, ask)
        .await
        .context("no answer within 3 s")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_is_asked_on_loopback() {
        assert_eq!(target("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(target("[::]:9000"), "127.0.0.1:9000");
        assert_eq!(target("10.0.0.5:8080"), "10.0.0.5:8080");
    }
}
