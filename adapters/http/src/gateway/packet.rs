//! Engine.IO 4 and Socket.IO 5 packets in their text encoding: what clients
//! send, parsed, and what the server sends, written.

use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt::{self, Write as _};

/// An Engine.IO packet from a client; the text after the type digit is kept
/// where it carries something.
#[derive(Debug, PartialEq, Eq)]
pub enum EnginePacket<'a> {
    /// `1`: the client is leaving.
    Close,
    /// `2`: a ping (a client sends `2probe` on a websocket it upgrades to).
    Ping(&'a str),
    /// `3`: the answer to the server's ping.
    Pong,
    /// `4`: a Socket.IO packet.
    Message(&'a str),
    /// `5`: the client switches to this transport.
    Upgrade,
    /// `6`: nothing.
    Noop,
}

/// Reads one Engine.IO packet; `None` for anything else.
pub fn parse_engine(text: &str) -> Option<EnginePacket<'_>> {
    let rest = text.get(1..)?;
    Some(match text.as_bytes().first()? {
        b'1' => EnginePacket::Close,
        b'2' => EnginePacket::Ping(rest),
        b'3' => EnginePacket::Pong,
        b'4' => EnginePacket::Message(rest),
        b'5' => EnginePacket::Upgrade,
        b'6' => EnginePacket::Noop,
        _ => return None,
    })
}

/// A Socket.IO packet from a client.
#[derive(Debug)]
pub enum SocketPacket {
    /// `0`: join the namespace, with the handshake's `auth` object if any.
    Connect(Option<Value>),
    /// `1`: leave the namespace.
    Disconnect,
    /// `2`: an event with its arguments, and the id to acknowledge it with.
    Event {
        /// The acknowledgement id, when the client wants an answer.
        ack: Option<u64>,
        /// The event name.
        name: String,
        /// The first argument (the payload), if the client sent one, as the
        /// client wrote it: the endpoint reads it straight into its input
        /// type, with no JSON tree between.
        payload: Option<Box<RawValue>>,
    },
    /// `3`: an answer to a server event (the server asks for none).
    Ack,
}

/// Why a Socket.IO packet was not understood.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// Not a packet of the protocol (bad type, id or JSON, or a binary
    /// packet, which this server does not take).
    #[error("malformed packet")]
    Malformed,
    /// A namespace other than `/`.
    #[error("invalid namespace")]
    Namespace(String),
}

/// Reads one Socket.IO packet (the text after the Engine.IO `4`).
///
/// # Errors
/// [`PacketError`] for anything this server cannot take.
pub fn parse_socket(text: &str) -> Result<SocketPacket, PacketError> {
    let kind = *text.as_bytes().first().ok_or(PacketError::Malformed)?;
    // The type is one ASCII digit; anything else (a multi-byte character
    // among them) is refused here, so every later slice is on a boundary.
    let mut rest = match kind {
        b'0'..=b'9' => &text[1..],
        _ => return Err(PacketError::Malformed),
    };
    if rest.starts_with('/') {
        let end = rest.find(',').unwrap_or(rest.len());
        let namespace = &rest[..end];
        if namespace != "/" {
            return Err(PacketError::Namespace(namespace.to_owned()));
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ack = match digits {
        0 => None,
        _ => Some(rest[..digits].parse().map_err(|_| PacketError::Malformed)?),
    };
    let body = &rest[digits..];
    let json = |body: &str| serde_json::from_str::<Value>(body).map_err(|_| PacketError::Malformed);
    match kind {
        b'0' if body.is_empty() => Ok(SocketPacket::Connect(None)),
        b'0' => Ok(SocketPacket::Connect(Some(json(body)?))),
        b'1' => Ok(SocketPacket::Disconnect),
        b'2' => {
            let EventArgs { name, payload } =
                serde_json::from_str(body).map_err(|_| PacketError::Malformed)?;
            Ok(SocketPacket::Event { ack, name, payload })
        }
        b'3' => Ok(SocketPacket::Ack),
        _ => Err(PacketError::Malformed),
    }
}

/// An event's argument array: `["name", payload, …]`. The name must be a
/// string; the payload is kept as written; further arguments are skipped.
struct EventArgs {
    /// The event name.
    name: String,
    /// The first argument after the name.
    payload: Option<Box<RawValue>>,
}

impl<'de> Deserialize<'de> for EventArgs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Args;
        impl<'de> Visitor<'de> for Args {
            type Value = EventArgs;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of an event name and its arguments")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EventArgs, A::Error> {
                let name: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let payload = seq.next_element()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(EventArgs { name, payload })
            }
        }
        deserializer.deserialize_seq(Args)
    }
}

/// The Engine.IO handshake the server opens a session with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake<'a> {
    /// The session id.
    pub sid: &'a str,
    /// Transports the client may upgrade to.
    pub upgrades: &'a [&'a str],
    /// Milliseconds between the server's pings.
    pub ping_interval: u64,
    /// Milliseconds the server waits for a pong.
    pub ping_timeout: u64,
    /// Largest packet the server takes, in bytes.
    pub max_payload: usize,
}

impl Handshake<'_> {
    /// `0{...}`.
    pub fn frame(&self) -> String {
        let mut out = String::from("0");
        push_json(&mut out, self);
        out
    }
}

/// `42["name",payload]`: a server event, written once for every recipient,
/// the payload serialized straight into the frame.
///
/// # Errors
/// When `payload` cannot be written as JSON (a map with non-text keys).
pub fn event(name: &str, payload: &impl Serialize) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"42[");
    serde_json::to_writer(&mut out, name)?;
    out.push(b',');
    serde_json::to_writer(&mut out, payload)?;
    out.push(b']');
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// `43<id>[answer]`: the answer (JSON text) to the client's event `id`.
pub fn ack(id: u64, answer: &str) -> String {
    let mut out = String::with_capacity(answer.len() + 24);
    let _ = write!(out, "43{id}[");
    out.push_str(answer);
    out.push(']');
    out
}

/// `40{"sid":...}`: the socket joined the namespace.
pub fn connected(sid: &str) -> String {
    let mut out = String::from("40");
    push_json(&mut out, &serde_json::json!({ "sid": sid }));
    out
}

/// `44{"message":...}`: the namespace refused the socket.
pub fn connect_error(message: &str) -> String {
    let mut out = String::from("44");
    push_json(&mut out, &serde_json::json!({ "message": message }));
    out
}

/// `44/nsp,{"message":"Invalid namespace"}`, as the reference server says it.
pub fn invalid_namespace(namespace: &str) -> String {
    let mut out = format!("44{namespace},");
    push_json(
        &mut out,
        &serde_json::json!({ "message": "Invalid namespace" }),
    );
    out
}

/// The server leaves the namespace (before a revocation closes the socket).
pub const DISCONNECT: &str = "41";
/// The server's heartbeat.
pub const PING: &str = "2";
/// The answer to a client's `2probe` on the websocket it upgrades to.
pub const PROBE_ANSWER: &str = "3probe";
/// Ends a pending long-poll so the client can finish an upgrade.
pub const NOOP: &str = "6";
/// The server closes a long-polling session.
pub const CLOSE: &str = "1";

/// Appends `value` as JSON. Values built from JSON always serialize; should
/// one ever fail, `null` keeps the frame well-formed.
fn push_json(out: &mut String, value: &(impl Serialize + ?Sized)) {
    match serde_json::to_string(value) {
        Ok(json) => out.push_str(&json),
        Err(_) => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        /// Whatever a client sends, the decoders answer (never panic).
        #[test]
        fn any_text_is_read_or_refused(text in any::<String>()) {
            if let Some(EnginePacket::Message(body)) = parse_engine(&text) {
                let _ = parse_socket(body);
            }
            let _ = parse_socket(&text);
        }

        /// Text shaped like a packet (a type, a namespace, an id, JSON-ish
        /// bytes) is read or refused as well.
        #[test]
        fn packet_shaped_text_is_read_or_refused(
            kind in "[0-9é]",
            namespace in prop::option::of("/[a-zé,]{0,6}"),
            id in "[0-9]{0,24}",
            body in "[\\[\\]{}\",:a-z0-9é\\\\]{0,24}",
        ) {
            let text = format!("{kind}{}{id}{body}", namespace.map(|n| n + ",").unwrap_or_default());
            let _ = parse_socket(&text);
            let _ = parse_engine(&format!("4{text}"));
        }

        /// What the server writes, a client reading it back gets as sent.
        #[test]
        fn server_events_read_back_as_written(name in "[a-z:]{1,16}", text in any::<String>(), n in any::<i64>()) {
            let payload = json!({"text": text, "n": n});
            let frame = event(&name, &payload).expect("written");
            let read = parse_socket(&frame[1..]).expect("its own frame");
            let SocketPacket::Event { ack: None, name: read_name, payload: Some(read_payload) } = read else {
                panic!("an event without an ack id: {read:?}");
            };
            prop_assert_eq!(read_name, name);
            prop_assert_eq!(serde_json::from_str::<Value>(read_payload.get()).expect("JSON"), payload);
        }
    }

    #[test]
    fn engine_packets_are_read_by_their_type_digit() {
        assert_eq!(parse_engine("2probe"), Some(EnginePacket::Ping("probe")));
        assert_eq!(parse_engine("3"), Some(EnginePacket::Pong));
        assert_eq!(parse_engine("40"), Some(EnginePacket::Message("0")));
        assert_eq!(parse_engine("5"), Some(EnginePacket::Upgrade));
        assert_eq!(parse_engine("1"), Some(EnginePacket::Close));
        assert_eq!(parse_engine("9"), None);
        assert_eq!(parse_engine(""), None);
    }

    /// The auth object of a connect packet.
    fn auth(text: &str) -> Option<Value> {
        match parse_socket(text) {
            Ok(SocketPacket::Connect(auth)) => auth,
            other => panic!("not a connect: {other:?}"),
        }
    }

    /// An event packet's ack id, name and payload text.
    fn event_of(text: &str) -> (Option<u64>, String, Option<String>) {
        match parse_socket(text) {
            Ok(SocketPacket::Event { ack, name, payload }) => {
                (ack, name, payload.map(|p| p.get().to_owned()))
            }
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn connect_packets_carry_their_auth() {
        assert_eq!(auth("0"), None);
        assert_eq!(auth(r#"0{"token":"t"}"#), Some(json!({"token": "t"})));
        assert_eq!(auth(r#"0/,{"token":"t"}"#), Some(json!({"token": "t"})));
        assert_eq!(
            parse_socket("0/admin,").err(),
            Some(PacketError::Namespace("/admin".into()))
        );
    }

    #[test]
    fn events_carry_name_payload_and_ack_id() {
        assert_eq!(
            event_of(r#"212["message:send",{"a":1}]"#),
            (Some(12), "message:send".into(), Some(r#"{"a":1}"#.into()))
        );
        assert_eq!(event_of(r#"2["typing"]"#), (None, "typing".into(), None));
        assert_eq!(
            event_of(r#"2["call:signal", {"b": [1, 2]}, "more", {"c": 3}]"#),
            (None, "call:signal".into(), Some(r#"{"b": [1, 2]}"#.into())),
            "the first argument is the payload, the rest are skipped"
        );
    }

    #[test]
    fn malformed_packets_are_refused() {
        for bad in [
            "",
            "2",
            "2[]",
            "2[1]",
            "2{\"a\":1}",
            "2[\"x\"",
            "51-[\"x\",{\"_placeholder\":true,\"num\":0}]",
            "7",
            "299999999999999999999999[\"x\"]",
            "é",
            "\u{1F600}",
            "2é",
        ] {
            assert_eq!(
                parse_socket(bad).err(),
                Some(PacketError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn server_frames_are_written_as_the_protocol_says() {
        assert_eq!(
            event("a:b", &json!({"x": 1})).expect("written"),
            r#"42["a:b",{"x":1}]"#
        );
        assert_eq!(ack(7, r#"{"ok":true}"#), r#"437[{"ok":true}]"#);
        assert_eq!(connected("abc"), r#"40{"sid":"abc"}"#);
        assert_eq!(
            connect_error("unauthorized"),
            r#"44{"message":"unauthorized"}"#
        );
        let handshake = Handshake {
            sid: "s",
            upgrades: &["websocket"],
            ping_interval: 25_000,
            ping_timeout: 20_000,
            max_payload: 1_000_000,
        };
        assert_eq!(
            handshake.frame(),
            r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
        );
    }
}
