//! What can go wrong talking to a server.

use chatchit_protocol::ErrorDetail;

/// A failed call, connection or command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with the error envelope (REST) or a failed ack.
    #[error("{}: {}", .0.code.as_str(), .0.message)]
    Api(ErrorDetail),
    /// The server refused the Socket.IO connection (`connect_error`), e.g.
    /// `unauthorized`.
    #[error("connection refused: {0}")]
    Refused(String),
    /// An answer that is not what the protocol says.
    #[error("protocol: {0}")]
    Protocol(String),
    /// No answer in time.
    #[error("no answer in time")]
    Timeout,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// HTTP failed.
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The WebSocket failed.
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// A body was not the JSON expected.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}
