//! A Socket.IO v4 connection to the default namespace, over WebSocket or
//! HTTP long-polling. One task owns the transport: it answers pings, hands
//! each ack to the command waiting for it and each server event to
//! [`Socket::next_event`], in arrival order.

use crate::Error;
use crate::frame::{self, Peek};
use chatchit_protocol::Ack;
use chatchit_protocol::events::ClientEvent;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long [`Socket::connect`] waits for the server to accept, and
/// [`Socket::send`] for an ack.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Server events held for a reader that has not taken them yet; beyond
/// this the connection stops reading (and so stops answering pings) until
/// the reader catches up.
const EVENT_BUFFER: usize = 4096;

/// Frames waiting to be written.
const OUTGOING_BUFFER: usize = 256;

/// Which Engine.IO transport carries the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// One WebSocket (`transport=websocket`).
    WebSocket,
    /// HTTP long-polling (`transport=polling`), never upgraded.
    Polling,
}

/// Something the server sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A server event: its name and its payload (the first argument).
    Server {
        /// The event name, e.g. `message:new`.
        name: String,
        /// Its payload; read it with
        /// [`chatchit_protocol::events::ServerEvent::decode`].
        payload: Value,
    },
    /// The connection ended (the server closed it, or the transport broke).
    Closed,
}

type Acks = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// An open connection.
pub struct Socket {
    /// Frames to write.
    outgoing: mpsc::Sender<String>,
    /// Emits waiting for their ack.
    acks: Acks,
    /// The next ack id.
    next_id: AtomicU64,
    /// Server events, in arrival order.
    events: mpsc::Receiver<Event>,
    /// Owns the transport.
    task: JoinHandle<()>,
}

impl Socket {
    /// Connects to the server at `base` (`http://host:port`, with the path
    /// prefix if it is mounted under one) with `token`, and waits until it
    /// accepts.
    ///
    /// # Errors
    /// [`Error::Refused`] with the server's reason (`unauthorized`,
    /// `unavailable`); transport errors; [`Error::Timeout`].
    pub async fn connect(base: &str, token: &str, transport: Transport) -> Result<Self, Error> {
        Self::connect_with(base, &serde_json::json!({ "token": token }), transport).await
    }

    /// As [`Socket::connect`], with any `auth` object (a test may send a
    /// malformed one on purpose).
    ///
    /// # Errors
    /// As [`Socket::connect`].
    pub async fn connect_with(
        base: &str,
        auth: &impl Serialize,
        transport: Transport,
    ) -> Result<Self, Error> {
        let hello = frame::connect(auth)?;
        let (outgoing, frames) = mpsc::channel(OUTGOING_BUFFER);
        let (events_in, events) = mpsc::channel(EVENT_BUFFER);
        let acks = Acks::default();
        let (ready, accepted) = oneshot::channel();
        let reader = Reader {
            acks: acks.clone(),
            events: events_in,
            ready: Some(ready),
        };
        let task = match transport {
            Transport::WebSocket => {
                let ws = open_websocket(base).await?;
                tokio::spawn(drive_websocket(ws, hello, frames, reader))
            }
            Transport::Polling => {
                let poll = Polling::open(base).await?;
                tokio::spawn(drive_polling(poll, hello, frames, reader))
            }
        };
        let outcome = match tokio::time::timeout(PATIENCE, accepted).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::Timeout),
        };
        match outcome {
            Ok(()) => Ok(Self {
                outgoing,
                acks,
                next_id: AtomicU64::new(0),
                events,
                task,
            }),
            Err(e) => {
                task.abort();
                Err(e)
            }
        }
    }

    /// Sends command `E` and returns its answer.
    ///
    /// # Errors
    /// [`Error::Api`] with the ack's code when the server refused it;
    /// [`Error::Timeout`], [`Error::Closed`], or a malformed ack.
    pub async fn send<E: ClientEvent>(&self, payload: &E::Payload) -> Result<E::Answer, Error> {
        let ack = self
            .emit_within(E::NAME, &serde_json::to_value(payload)?, PATIENCE)
            .await?;
        match serde_json::from_value::<Ack<E::Answer>>(ack)? {
            Ack::Ok { data, .. } => Ok(data),
            Ack::Err { error, .. } => Err(Error::Api(error)),
        }
    }

    /// Emits `name` with any `payload` and returns the ack's argument as
    /// JSON, unread (for tests of what the server makes of bad input).
    ///
    /// # Errors
    /// [`Error::Timeout`] when no ack came within `wait`, [`Error::Closed`].
    pub async fn emit_within(
        &self,
        name: &str,
        payload: &impl Serialize,
        wait: Duration,
    ) -> Result<Value, Error> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        self.acks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, answer);
        let forget = || {
            self.acks
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        };
        if self
            .outgoing
            .send(frame::emit(id, name, payload)?)
            .await
            .is_err()
        {
            forget();
            return Err(Error::Closed);
        }
        match tokio::time::timeout(wait, answered).await {
            Ok(Ok(ack)) => Ok(ack),
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => {
                forget();
                Err(Error::Timeout)
            }
        }
    }

    /// The next thing the server sent; `None` once [`Event::Closed`] has
    /// been taken.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Leaves: sends Engine.IO close and waits (briefly) for the transport
    /// to end.
    pub async fn close(self) {
        let Self { outgoing, task, .. } = self;
        drop(outgoing);
        let abort = task.abort_handle();
        if tokio::time::timeout(PATIENCE, task).await.is_err() {
            abort.abort();
        }
    }
}

/// What to do after a frame.
enum Flow {
    /// Read on.
    Continue,
    /// Write this, then read on.
    Reply(&'static str),
    /// The connection is over.
    Stop,
}

/// Reads the server's frames.
struct Reader {
    /// Emits waiting for their ack.
    acks: Acks,
    /// Where server events go.
    events: mpsc::Sender<Event>,
    /// Told once whether the server accepted the connection.
    ready: Option<oneshot::Sender<Result<(), Error>>>,
}

impl Reader {
    async fn handle(&mut self, text: &str) -> Flow {
        match frame::peek(text) {
            Peek::Ping => Flow::Reply(frame::PONG),
            Peek::Connected => {
                if let Some(ready) = self.ready.take() {
                    let _gone = ready.send(Ok(()));
                }
                Flow::Continue
            }
            Peek::ConnectError(detail) => {
                let reason = serde_json::from_str::<Value>(detail)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| detail.to_owned());
                if let Some(ready) = self.ready.take() {
                    let _gone = ready.send(Err(Error::Refused(reason)));
                }
                Flow::Stop
            }
            Peek::Ack { id, args } => {
                let waiting = self
                    .acks
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&id);
                if let Some(waiting) = waiting {
                    let first = match serde_json::from_str::<Value>(args) {
                        Ok(Value::Array(mut args)) if !args.is_empty() => args.swap_remove(0),
                        _ => Value::Null,
                    };
                    let _gone = waiting.send(first);
                }
                Flow::Continue
            }
            Peek::Event { name, array } => {
                let payload = match serde_json::from_str::<Value>(array) {
                    Ok(Value::Array(mut args)) if args.len() > 1 => args.swap_remove(1),
                    _ => Value::Null,
                };
                let event = Event::Server {
                    name: name.to_owned(),
                    payload,
                };
                if self.events.send(event).await.is_err() {
                    return Flow::Stop;
                }
                Flow::Continue
            }
            Peek::Close | Peek::Disconnect => Flow::Stop,
            Peek::Open(_) | Peek::Noop | Peek::Other => Flow::Continue,
        }
    }

    /// The connection is over: whoever waits learns it.
    async fn finish(mut self) {
        if let Some(ready) = self.ready.take() {
            let _gone = ready.send(Err(Error::Closed));
        }
        self.acks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        let _gone = self.events.send(Event::Closed).await;
    }
}

/// `ws://…/socket.io/?EIO=4&transport=websocket` for `base`.
fn socket_url(base: &str, scheme_for: fn(&str) -> String, transport: &str) -> String {
    format!(
        "{}/socket.io/?EIO=4&transport={transport}",
        scheme_for(base.trim_end_matches('/'))
    )
}

fn as_ws(base: &str) -> String {
    if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn open_websocket(base: &str) -> Result<Ws, Error> {
    let url = socket_url(base, as_ws, "websocket");
    let (ws, _) = tokio_tungstenite::connect_async(url).await?;
    Ok(ws)
}

async fn drive_websocket(
    mut ws: Ws,
    hello: String,
    mut frames: mpsc::Receiver<String>,
    mut reader: Reader,
) {
    if ws.send(Message::text(hello)).await.is_err() {
        return reader.finish().await;
    }
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => match reader.handle(&text).await {
                    Flow::Continue => {}
                    Flow::Reply(reply) => {
                        if ws.send(Message::text(reply)).await.is_err() {
                            break;
                        }
                    }
                    Flow::Stop => break,
                },
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = frames.recv() => match outgoing {
                Some(text) => {
                    if ws.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                None => {
                    let _closing = ws.send(Message::text(frame::CLOSE)).await;
                    let _closed = ws.close(None).await;
                    break;
                }
            },
        }
    }
    reader.finish().await;
}

/// A long-polling session.
#[derive(Clone)]
struct Polling {
    /// Its HTTP client.
    http: reqwest::Client,
    /// `…/socket.io/?EIO=4&transport=polling&sid=…`.
    url: String,
}

impl Polling {
    /// The Engine.IO handshake.
    async fn open(base: &str) -> Result<Self, Error> {
        let http = reqwest::Client::new();
        let url = socket_url(base, str::to_owned, "polling");
        let open = http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        let Peek::Open(json) = frame::peek(&open) else {
            return Err(Error::Protocol(format!(
                "expected an open packet, got {open}"
            )));
        };
        let sid = serde_json::from_str::<Value>(json)?["sid"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol("open packet without sid".into()))?;
        Ok(Self {
            http,
            url: format!("{url}&sid={sid}"),
        })
    }

    async fn post(&self, text: String) -> Result<(), Error> {
        self.http
            .post(&self.url)
            .header("content-type", "text/plain;charset=UTF-8")
            .body(text)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    async fn poll(&self) -> Result<String, Error> {
        Ok(self
            .http
            .get(&self.url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?)
    }
}

async fn drive_polling(
    poll: Polling,
    hello: String,
    mut frames: mpsc::Receiver<String>,
    mut reader: Reader,
) {
    if poll.post(hello).await.is_err() {
        return reader.finish().await;
    }
    // Writes go out while a long-poll waits.
    let writer = {
        let poll = poll.clone();
        tokio::spawn(async move {
            while let Some(text) = frames.recv().await {
                if poll.post(text).await.is_err() {
                    return;
                }
            }
            let _closing = poll.post(frame::CLOSE.to_owned()).await;
        })
    };
    'polling: while let Ok(payload) = poll.poll().await {
        for text in payload.split(frame::RECORD_SEPARATOR) {
            match reader.handle(text).await {
                Flow::Continue => {}
                Flow::Reply(reply) => {
                    if poll.post(reply.to_owned()).await.is_err() {
                        break 'polling;
                    }
                }
                Flow::Stop => break 'polling,
            }
        }
        if writer.is_finished() {
            break;
        }
    }
    writer.abort();
    reader.finish().await;
}
