//! A lean Engine.IO 4 / Socket.IO 5 connection over WebSocket: just what
//! the scenarios need (handshake with `auth`, ping/pong, emit with ack,
//! events), so that the generator spends little CPU per message. Frames are
//! read and written by chatchit-client's `frame` module (no JSON parse on
//! the way in); chatchit-client's full `Socket` parses every frame, which a
//! generator holding tens of thousands of sockets cannot afford.

use anyhow::{Context, bail};
use chatchit_client::frame::{self, Peek};
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
    ws.send(Message::text(frame::connect(
        &serde_json::json!({ "token": token }),
    )?))
    .await?;
    loop {
        let text = next_text(&mut ws).await?;
        match frame::peek(&text) {
            Peek::Ping => ws.send(Message::text(frame::PONG)).await?,
            Peek::Connected => return Ok(ws),
            Peek::ConnectError(reason) => bail!("connect refused: {reason}"),
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
    fn the_send_time_is_read_from_the_body() {
        let frame = "42[\"message:new\",{\"seq\":3,\"body\":\"123456\"}]";
        match frame::peek(frame) {
            Peek::Event { name, array } => {
                assert_eq!(name, "message:new");
                assert_eq!(body_number(array), Some(123_456));
            }
            _ => panic!("an event"),
        }
    }
}
