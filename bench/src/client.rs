//! A lean Engine.IO 4 / Socket.IO 5 client over WebSocket: just what the
//! scenarios need (handshake with `auth`, ping/pong, emit with ack, events),
//! so that the generator spends little CPU per message.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use std::net::{IpAddr, SocketAddr};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// An open, authenticated Socket.IO connection on namespace `/`.
pub type Socket = WebSocketStream<TcpStream>;

/// Connects from `local` (so many sockets can spread over loopback source
/// addresses), completes the Engine.IO open and the Socket.IO connect with
/// `{token}`.
///
/// # Errors
/// When the server is unreachable or refuses the token.
pub async fn connect(server: SocketAddr, local: IpAddr, token: &str) -> anyhow::Result<Socket> {
    let socket = match server {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.bind(SocketAddr::new(local, 0))?;
    let stream = socket.connect(server).await.context("tcp connect")?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{server}/socket.io/?EIO=4&transport=websocket");
    // Small buffers: the generator holds tens of thousands of sockets (the
    // defaults eagerly allocate 128 KiB to read and buffer 128 KiB to write).
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .context("websocket handshake")?;
    let open = next_text(&mut ws).await?;
    if !open.starts_with('0') {
        bail!("expected an Engine.IO open packet, got {open}");
    }
    let auth = serde_json::json!({ "token": token });
    ws.send(Message::text(format!("40{auth}"))).await?;
    loop {
        let frame = next_text(&mut ws).await?;
        match frame.as_bytes() {
            [b'2'] => ws.send(Message::text("3")).await?,
            [b'4', b'0', ..] => return Ok(ws),
            [b'4', b'4', ..] => bail!("connect refused: {frame}"),
            _ => {}
        }
    }
}

/// The next text frame.
async fn next_text(ws: &mut Socket) -> anyhow::Result<String> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
            Some(Ok(Message::Close(_))) | None => bail!("closed by the server"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

/// A Socket.IO packet the scenarios care about.
pub enum Packet<'a> {
    /// Engine.IO ping: answer with a pong.
    Ping,
    /// The answer to our emit number `id`; `ok` when it says `"ok":true`.
    Ack {
        /// The emit it answers.
        id: u64,
        /// Whether the server accepted it.
        ok: bool,
    },
    /// A server event and its raw JSON array text.
    Event {
        /// The event name.
        name: &'a str,
        /// The whole frame after the packet type.
        raw: &'a str,
    },
    /// Anything else.
    Other,
}

/// Reads a frame without a JSON parse (the generator must stay cheap).
pub fn classify(frame: &str) -> Packet<'_> {
    if frame == "2" {
        return Packet::Ping;
    }
    if let Some(rest) = frame.strip_prefix("43") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if let Ok(id) = rest[..digits].parse() {
            return Packet::Ack {
                id,
                ok: rest.contains("\"ok\":true"),
            };
        }
    }
    if let Some(rest) = frame.strip_prefix("42[\"")
        && let Some(end) = rest.find('"')
    {
        return Packet::Event {
            name: &rest[..end],
            raw: rest,
        };
    }
    Packet::Other
}

/// The digits that follow `"body":"` in an event: the generator puts the
/// scheduled send time there.
pub fn body_number(raw: &str) -> Option<u64> {
    let start = raw.find("\"body\":\"")? + 8;
    let digits = raw[start..].bytes().take_while(u8::is_ascii_digit).count();
    raw[start..start + digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_without_parsing_json() {
        assert!(matches!(classify("2"), Packet::Ping));
        assert!(matches!(
            classify("4312[{\"ok\":true,\"data\":{}}]"),
            Packet::Ack { id: 12, ok: true }
        ));
        assert!(matches!(
            classify("437[{\"ok\":false}]"),
            Packet::Ack { id: 7, ok: false }
        ));
        let frame = "42[\"message:new\",{\"seq\":3,\"body\":\"123456\"}]";
        match classify(frame) {
            Packet::Event { name, raw } => {
                assert_eq!(name, "message:new");
                assert_eq!(body_number(raw), Some(123_456));
            }
            _ => panic!("an event"),
        }
    }
}
