//! Engine.IO 4 / Socket.IO 5 text frames: [`peek`] tells what a frame is
//! without parsing its JSON (a load generator reads hundreds of thousands a
//! second), and the writers make the frames a client sends.

use serde::Serialize;

/// What a frame from the server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peek<'a> {
    /// Engine.IO open, with its JSON (`sid`, `pingInterval`, …).
    Open(&'a str),
    /// Engine.IO close.
    Close,
    /// Engine.IO ping: answer [`PONG`].
    Ping,
    /// Engine.IO noop.
    Noop,
    /// Socket.IO CONNECT accepted.
    Connected,
    /// Socket.IO CONNECT_ERROR, with its JSON (`{"message": …}`).
    ConnectError(&'a str),
    /// Socket.IO DISCONNECT: the server ended the namespace connection.
    Disconnect,
    /// The answer to emit `id`, with its JSON argument array.
    Ack {
        /// The emit it answers.
        id: u64,
        /// The argument array, e.g. `[{"ok":true,"data":…}]`.
        args: &'a str,
    },
    /// A server event.
    Event {
        /// Its name.
        name: &'a str,
        /// The whole JSON array, `["name",payload]`.
        array: &'a str,
    },
    /// Anything else (binary placeholders, other namespaces).
    Other,
}

/// Engine.IO pong, the answer to a ping.
pub const PONG: &str = "3";

/// Engine.IO close, sent to leave.
pub const CLOSE: &str = "1";

/// Engine.IO's separator of packets in one long-polling payload.
pub const RECORD_SEPARATOR: char = '\u{1e}';

/// Reads what `frame` is.
pub fn peek(frame: &str) -> Peek<'_> {
    match frame.as_bytes() {
        [b'0', ..] => Peek::Open(&frame[1..]),
        [b'1'] => Peek::Close,
        [b'2'] => Peek::Ping,
        [b'6'] => Peek::Noop,
        [b'4', b'0', ..] => Peek::Connected,
        [b'4', b'1', ..] => Peek::Disconnect,
        [b'4', b'4', ..] => Peek::ConnectError(&frame[2..]),
        [b'4', b'3', ..] => {
            let rest = &frame[2..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            rest[..digits].parse().map_or(Peek::Other, |id| Peek::Ack {
                id,
                args: &rest[digits..],
            })
        }
        [b'4', b'2', ..] => {
            let array = &frame[2..];
            array
                .strip_prefix("[\"")
                .and_then(|rest| rest.find('"').map(|end| &rest[..end]))
                .map_or(Peek::Other, |name| Peek::Event { name, array })
        }
        _ => Peek::Other,
    }
}

/// The CONNECT frame for the default namespace with `auth`.
///
/// # Errors
/// When `auth` cannot be written as JSON.
pub fn connect(auth: &impl Serialize) -> Result<String, serde_json::Error> {
    Ok(format!("40{}", serde_json::to_string(auth)?))
}

/// An EVENT frame asking for ack `id`: `42<id>["name",payload]`.
///
/// # Errors
/// When `payload` cannot be written as JSON.
pub fn emit(id: u64, name: &str, payload: &impl Serialize) -> Result<String, serde_json::Error> {
    Ok(format!(
        "42{id}[{},{}]",
        serde_json::to_string(name)?,
        serde_json::to_string(payload)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_told_apart_without_parsing_json() {
        assert_eq!(peek("2"), Peek::Ping);
        assert_eq!(peek("0{\"sid\":\"x\"}"), Peek::Open("{\"sid\":\"x\"}"));
        assert_eq!(peek("40{\"sid\":\"y\"}"), Peek::Connected);
        assert_eq!(
            peek("44{\"message\":\"unauthorized\"}"),
            Peek::ConnectError("{\"message\":\"unauthorized\"}")
        );
        assert_eq!(
            peek("4312[{\"ok\":true}]"),
            Peek::Ack {
                id: 12,
                args: "[{\"ok\":true}]"
            }
        );
        assert_eq!(
            peek("42[\"message:new\",{\"seq\":3}]"),
            Peek::Event {
                name: "message:new",
                array: "[\"message:new\",{\"seq\":3}]"
            }
        );
        assert_eq!(peek("43x"), Peek::Other);
        assert_eq!(peek(""), Peek::Other);
    }

    #[test]
    fn an_emit_names_its_ack() {
        assert_eq!(
            emit(7, "typing", &serde_json::json!({"typing": true})).expect("json"),
            "427[\"typing\",{\"typing\":true}]"
        );
        assert_eq!(
            connect(&serde_json::json!({"token": "t"})).expect("json"),
            "40{\"token\":\"t\"}"
        );
    }
}
