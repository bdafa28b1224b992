//! Engine.IO by hand: a raw websocket and raw long-polling requests, for the
//! tests that send what no stock client would (broken frames, requests on a
//! session the server has ended).

use crate::Endpoint;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A raw websocket to the server.
pub type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw Engine.IO websocket, connected to namespace `/` as `token`.
pub async fn raw_socket(s: &Endpoint, token: &str) -> RawSocket {
    let mut ws = raw_engine_socket(s).await;
    ws.send(Message::text(format!("40{}", json!({"token": token}))))
        .await
        .expect("send");
    let connected = next_text(&mut ws).await.expect("connect answer");
    assert!(connected.starts_with("40{\"sid\":"), "{connected}");
    ws
}

/// A raw Engine.IO websocket past its handshake, not yet in namespace `/`.
pub async fn raw_engine_socket(s: &Endpoint) -> RawSocket {
    let url = format!(
        "{}/socket.io/?EIO=4&transport=websocket",
        s.base.replace("http", "ws")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket");
    let open = next_text(&mut ws).await.expect("handshake");
    assert!(open.starts_with("0{\"sid\":"), "{open}");
    ws
}

/// The next text frame that is not a server event (events such as
/// `conversation:new` may arrive at any time); `None` once the server closed.
pub async fn next_text(ws: &mut RawSocket) -> Option<String> {
    loop {
        match next_event(ws).await {
            Some(text) if text.starts_with("42[") => {}
            other => return other,
        }
    }
}

/// The next text frame of any kind; `None` once the server closed.
pub async fn next_event(ws: &mut RawSocket) -> Option<String> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame or the close in time");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(text.to_string()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Opens a long-polling session by hand; its handshake.
pub async fn open_polling(s: &Endpoint) -> Value {
    let open = s
        .http
        .get(format!("{}/socket.io/?EIO=4&transport=polling", s.base))
        .send()
        .await
        .expect("handshake")
        .text()
        .await
        .expect("body");
    serde_json::from_str(&open[1..]).expect("JSON")
}

/// A long-polling session opened by hand and connected to namespace `/`.
pub struct RawPolling {
    /// The server.
    endpoint: Endpoint,
    /// The Engine.IO session id.
    pub sid: String,
}

impl RawPolling {
    /// Opens a session and connects it as `token`.
    pub async fn connect(s: &Endpoint, token: &str) -> Self {
        let handshake = open_polling(s).await;
        let polling = Self {
            endpoint: s.clone(),
            sid: handshake["sid"].as_str().expect("sid").to_owned(),
        };
        let (status, body) = polling
            .post(&format!("40{}", json!({"token": token})))
            .await;
        assert_eq!(status, 200, "{body}");
        let answer = polling.get().await;
        assert!(answer.1.contains("40{\"sid\":"), "{answer:?}");
        polling
    }

    fn url(&self) -> String {
        format!(
            "{}/socket.io/?EIO=4&transport=polling&sid={}",
            self.endpoint.base, self.sid
        )
    }

    /// POSTs `body`; the status and the answer's text.
    pub async fn post(&self, body: &str) -> (u16, String) {
        let res = self
            .endpoint
            .http
            .post(self.url())
            .body(body.to_owned())
            .send()
            .await
            .expect("POST");
        (res.status().as_u16(), res.text().await.expect("body"))
    }

    /// One long-poll GET; the status and the answer's text.
    pub async fn get(&self) -> (u16, String) {
        let res = self
            .endpoint
            .http
            .get(self.url())
            .send()
            .await
            .expect("GET");
        (res.status().as_u16(), res.text().await.expect("body"))
    }

    /// Long-polls until a frame `wanted` picks arrives; that frame. Panics
    /// after [`crate::PATIENCE`].
    pub async fn get_until(&self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + crate::PATIENCE;
        loop {
            let (status, body) = tokio::time::timeout_at(deadline, self.get())
                .await
                .expect("the frame in time");
            assert_eq!(status, 200, "{body}");
            if let Some(frame) = body.split('\u{1e}').find(|f| wanted(f)) {
                return frame.to_owned();
            }
        }
    }
}
