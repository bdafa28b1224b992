//! A typed async client for a ChatChit server.
//!
//! [`Rest`] calls the REST API with chatchit-protocol's bodies and answers;
//! [`Socket`] speaks Socket.IO v4 over the project's own small Engine.IO
//! client (WebSocket, or HTTP long-polling), sends commands by type
//! ([`Socket::send`]) and hands server events over in arrival order.
//! [`frame`] reads and writes single frames, cheaply enough for a load
//! generator.
//!
//! ```no_run
//! # async fn demo() -> Result<(), chatchit_client::Error> {
//! use chatchit_client::protocol::auth::Login;
//! use chatchit_client::protocol::events::SendMessageEvent;
//! use chatchit_client::protocol::messages::SendMessage;
//! use chatchit_client::{Rest, Socket, Transport};
//!
//! let rest = Rest::new("http://127.0.0.1:8080");
//! let session = rest
//!     .login(&Login { username: "ann".into(), password: "correct horse battery".into() })
//!     .await?;
//! let socket = Socket::connect("http://127.0.0.1:8080", &session.access_token, Transport::WebSocket).await?;
//! # let conversation = uuid::Uuid::nil();
//! let message = socket
//!     .send::<SendMessageEvent>(&SendMessage {
//!         conversation_id: Some(conversation),
//!         client_msg_id: "c-1".into(),
//!         body: "hello".into(),
//!         reply_to_id: None,
//!         attachments: vec![],
//!     })
//!     .await?;
//! println!("stored as seq {}", message.seq);
//! # Ok(()) }
//! ```

mod error;
pub mod frame;
mod rest;
mod socket;

pub use chatchit_protocol as protocol;
pub use error::Error;
pub use rest::Rest;
pub use socket::{Event, Socket, Transport};
