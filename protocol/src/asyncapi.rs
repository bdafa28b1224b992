//! The AsyncAPI 3.0 document of the realtime API, made from the command and
//! server-event lists and the types' schemas.

use crate::events::{CommandDoc, ServerEventDoc, commands, server_events};
use serde_json::{Map, Value, json};

/// Which commands a server answers, as its handler registry lists them; the
/// document describes exactly these (each must be in [`commands`]).
pub struct Registered<'a>(pub &'a [&'static str]);

/// Why the document could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The server answers a command the protocol does not describe.
    Undescribed(&'static str),
    /// The protocol describes a command the server does not answer.
    Unanswered(&'static str),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Undescribed(name) => {
                write!(f, "{name} is registered but not in chatchit-protocol")
            }
            Self::Unanswered(name) => {
                write!(f, "{name} is in chatchit-protocol but not registered")
            }
        }
    }
}

impl std::error::Error for Mismatch {}

/// Checks that the server's registry and the protocol's command list are the
/// same set of names.
///
/// # Errors
/// The first name found on one side only.
pub fn check(registered: &Registered<'_>) -> Result<(), Mismatch> {
    let described = commands();
    if let Some(name) = registered
        .0
        .iter()
        .find(|name| !described.iter().any(|c| c.name == **name))
    {
        return Err(Mismatch::Undescribed(name));
    }
    if let Some(doc) = described.iter().find(|c| !registered.0.contains(&c.name)) {
        return Err(Mismatch::Unanswered(doc.name));
    }
    Ok(())
}

/// A component key for an event name (`message:send` → `message.send`):
/// AsyncAPI keys allow letters, digits, `.`, `-` and `_`.
fn key(name: &str) -> String {
    name.replace(':', ".")
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The document, for a server answering `registered`.
///
/// # Errors
/// When `registered` and the protocol's command list differ.
pub fn document(registered: &Registered<'_>, version: &str) -> Result<Value, Mismatch> {
    check(registered)?;
    let commands = commands();
    let events = server_events();
    let mut messages = Map::new();
    let mut channel_messages = Map::new();
    let mut operations = Map::new();
    messages.insert("handshake".into(), handshake());
    messages.insert("connect_error".into(), connect_error());
    for name in ["handshake", "connect_error"] {
        channel_messages.insert(
            name.into(),
            json!({"$ref": format!("#/components/messages/{name}")}),
        );
    }
    operations.insert(
        "connect".into(),
        json!({
            "action": "receive",
            "title": "Connect",
            "summary": "Opens the default namespace with an access token.",
            "description": "The Socket.IO CONNECT packet carries `auth: {token}` (a bearer access token from `/api/v1/auth/login`, or a host's token when external identity is on). A refused connection gets `connect_error` and the transport is closed.",
            "channel": {"$ref": "#/channels/socket"},
            "messages": [{"$ref": "#/channels/socket/messages/handshake"}],
            "reply": {
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": "#/channels/socket/messages/connect_error"}]
            }
        }),
    );
    for command in &commands {
        let (request, ack) = command_messages(command);
        let k = key(command.name);
        let ack_key = format!("{k}.ack");
        messages.insert(k.clone(), request);
        messages.insert(ack_key.clone(), ack);
        channel_messages.insert(
            k.clone(),
            json!({"$ref": format!("#/components/messages/{k}")}),
        );
        channel_messages.insert(
            ack_key.clone(),
            json!({"$ref": format!("#/components/messages/{ack_key}")}),
        );
        operations.insert(
            k.clone(),
            json!({
                "action": "receive",
                "title": command.name,
                "summary": command.summary,
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": format!("#/channels/socket/messages/{k}")}],
                "reply": {
                    "channel": {"$ref": "#/channels/socket"},
                    "messages": [{"$ref": format!("#/channels/socket/messages/{ack_key}")}]
                }
            }),
        );
    }
    for event in &events {
        let k = format!("{}.event", key(event.name));
        messages.insert(k.clone(), server_message(event));
        channel_messages.insert(
            k.clone(),
            json!({"$ref": format!("#/components/messages/{k}")}),
        );
        operations.insert(
            k.clone(),
            json!({
                "action": "send",
                "title": event.name,
                "summary": event.summary,
                "description": format!("Sent to {}.", event.audience),
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": format!("#/channels/socket/messages/{k}")}],
                "x-audience": event.audience
            }),
        );
    }
    let mut schemas: Map<String, Value> = crate::schema::realtime()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or(Value::Null)))
        .collect();
    schemas.insert("Handshake".into(), json!({
        "type": "object",
        "description": "The CONNECT packet's `auth` object.",
        "required": ["token"],
        "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 4096, "description": "A bearer access token."}},
        "additionalProperties": false
    }));
    schemas.insert(
        "AckError".into(),
        json!({
            "type": "object",
            "description": "A refused or failed command; nothing changed.",
            "required": ["ok", "error"],
            "properties": {"ok": {"const": false}, "error": schema_ref("ErrorDetail")}
        }),
    );
    Ok(json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "ChatChit realtime API",
            "version": version,
            "description": "Socket.IO v4 over Engine.IO v4 on `/socket.io/` (WebSocket, or HTTP long-polling with upgrade), default namespace `/`. A client emits commands with an ack callback; each is answered `{ok: true, data}` or `{ok: false, error: {code, message}}`. The server pushes events with one argument and no ack. docs/protocol.md states the ordering and delivery guarantees, the limits and the Engine.IO settings.",
            "license": {"name": "MIT OR Apache-2.0"}
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:8080",
                "pathname": "/socket.io/",
                "protocol": "ws",
                "description": "A server on its default address; Engine.IO query `EIO=4&transport=websocket`."
            }
        },
        "channels": {
            "socket": {
                "address": "/",
                "title": "Default namespace",
                "description": "Every command and event travels on the one namespace of an authenticated socket.",
                "messages": channel_messages
            }
        },
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages}
    }))
}

fn handshake() -> Value {
    json!({
        "name": "handshake",
        "title": "CONNECT auth",
        "payload": schema_ref("Handshake")
    })
}

fn connect_error() -> Value {
    json!({
        "name": "connect_error",
        "title": "Connection refused",
        "summary": "`unauthorized`: no token, or a bad, expired or revoked one (get a new token). `unavailable`: the token could not be checked now (retry with backoff).",
        "payload": {
            "type": "object",
            "required": ["message"],
            "properties": {"message": {"type": "string", "enum": ["unauthorized", "unavailable"]}}
        }
    })
}

fn command_messages(command: &CommandDoc) -> (Value, Value) {
    let codes: Vec<&str> = command.errors.iter().map(|c| c.as_str()).collect();
    let request = json!({
        "name": command.name,
        "title": command.name,
        "summary": command.summary,
        "payload": schema_ref(&command.payload)
    });
    let ack = json!({
        "name": format!("{} ack", command.name),
        "title": format!("{} answer", command.name),
        "summary": format!("Error codes: {}.", codes.join(", ")),
        "payload": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["ok", "data"],
                    "properties": {"ok": {"const": true}, "data": schema_ref(&command.answer)}
                },
                schema_ref("AckError")
            ]
        },
        "x-error-codes": codes
    });
    (request, ack)
}

fn server_message(event: &ServerEventDoc) -> Value {
    json!({
        "name": event.name,
        "title": event.name,
        "summary": event.summary,
        "payload": schema_ref(&event.payload)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_command() -> Vec<&'static str> {
        commands().iter().map(|c| c.name).collect()
    }

    #[test]
    fn describes_every_command_and_server_event_with_a_schema() {
        let names = every_command();
        let doc = document(&Registered(&names), "0").expect("same lists");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for command in commands() {
            let op = &doc["operations"][key(command.name)];
            assert_eq!(op["action"], "receive", "{}", command.name);
            assert!(
                schemas.contains_key(&command.payload),
                "{}",
                command.payload
            );
            assert!(schemas.contains_key(&command.answer), "{}", command.answer);
        }
        for event in server_events() {
            let op = &doc["operations"][format!("{}.event", key(event.name))];
            assert_eq!(op["action"], "send", "{}", event.name);
            assert!(schemas.contains_key(&event.payload), "{}", event.payload);
        }
        // Every reference points at a schema that is there.
        let text = doc.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| *c != '"').collect();
            assert!(schemas.contains_key(&name), "dangling reference to {name}");
        }
    }

    #[test]
    fn a_registry_unlike_the_protocol_is_refused() {
        let mut names = every_command();
        names.push("made:up");
        assert_eq!(
            check(&Registered(&names)),
            Err(Mismatch::Undescribed("made:up"))
        );
        let names = &every_command()[1..];
        assert_eq!(
            check(&Registered(names)),
            Err(Mismatch::Unanswered("message:send"))
        );
    }
}
