//! The realtime commands in JSON: each payload read as its protocol type,
//! each answer written as `{ok, data}` or `{ok, error}`.

use super::{IntoInput, ToWire};
use chatchit_application::AppError;
use chatchit_application::calls::{CallRef, CallStateResult, InviteInput, Invited, SignalInput};
use chatchit_application::handler::{Codec, Wire};
use chatchit_application::messages::{
    DeleteMessageInput, DeletedMessage, EditMessageInput, HistoryInput, HistoryPage, ReactInput,
    ReactionsResult, ReadInput, ReadResult, SendMessageInput, SyncInput, SyncResult,
};
use chatchit_application::presence::PresenceInput;
use chatchit_application::typing::{Empty, TypingInput};
use chatchit_domain::message::Message;
use chatchit_protocol::{self as protocol, Ack};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// Socket.IO's JSON, in chatchit-protocol's types: a payload is read from the
/// text the client sent straight into its protocol type, and an answer is
/// written straight to text, with no JSON tree between.
pub struct Json;

impl Wire for Json {
    type Payload = Box<RawValue>;
    type Ack = String;

    fn error(err: &AppError) -> String {
        error_ack(err)
    }
}

/// The ack (JSON text) of a refused or failed command.
pub fn error_ack(err: &AppError) -> String {
    serde_json::to_string(&Ack::<()>::err(code(err), err.client_message()))
        .unwrap_or_else(|_| "null".into())
}

/// The protocol's code for an application error.
pub fn code(err: &AppError) -> protocol::ErrorCode {
    use protocol::ErrorCode as C;
    match err {
        AppError::BadRequest(_) => C::BadRequest,
        AppError::Validation { .. } => C::Validation,
        AppError::Unauthorized(_) => C::Unauthorized,
        AppError::Forbidden(_) => C::Forbidden,
        AppError::NotFound(_) => C::NotFound,
        AppError::Conflict(_) => C::Conflict,
        AppError::RateLimited(_) => C::RateLimited,
        AppError::PayloadTooLarge(_) => C::PayloadTooLarge,
        AppError::Unavailable(_) => C::Unavailable,
        AppError::Internal(_) => C::Internal,
    }
}

/// Reads a payload (JSON text) as `T`, naming the offending field on failure.
///
/// # Errors
/// `Validation` with the JSON path of the first bad field (`payload` when
/// the payload itself is of the wrong shape).
pub fn decode<T: DeserializeOwned>(payload: &RawValue) -> Result<T, AppError> {
    // Read untracked first: a payload that fits (nearly every one) pays no
    // path bookkeeping; one that does not is read again to name its field.
    if let Ok(input) = serde_json::from_str(payload.get()) {
        return Ok(input);
    }
    let mut json = serde_json::Deserializer::from_str(payload.get());
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "payload".to_owned()
        } else {
            path
        };
        AppError::validation(field, e.inner().to_string())
    })
}

/// `impl Codec<input, output> for Json`, the payload read as `wire`.
macro_rules! codecs {
    ($($input:ty: $wire:ty => $output:ty;)*) => {$(
        impl Codec<$input, $output> for Json {
            fn decode(payload: Box<RawValue>) -> Result<$input, AppError> {
                decode::<$wire>(&payload).map(IntoInput::into_input)
            }

            fn encode(output: $output) -> String {
                serde_json::to_string(&Ack::ok(output.to_wire())).unwrap_or_else(|e| {
                    error_ack(&AppError::Internal(e.to_string()))
                })
            }
        }
    )*};
}

codecs! {
    SendMessageInput: protocol::messages::SendMessage => Message;
    EditMessageInput: protocol::messages::EditMessage => Message;
    DeleteMessageInput: protocol::messages::DeleteMessage => DeletedMessage;
    ReactInput: protocol::messages::React => ReactionsResult;
    ReadInput: protocol::messages::MarkRead => ReadResult;
    SyncInput: protocol::messages::SyncRequest => SyncResult;
    HistoryInput: protocol::messages::History => HistoryPage;
    TypingInput: protocol::presence::SetTyping => Empty;
    PresenceInput: protocol::presence::SetPresence => Empty;
    InviteInput: protocol::calls::InviteCall => Invited;
    CallRef: protocol::calls::CallRef => CallStateResult;
    SignalInput: protocol::calls::SendSignal => Empty;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// `value` as the text a client sends.
    fn raw(value: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).expect("JSON")
    }

    #[test]
    fn a_bad_field_is_named_and_a_bad_shape_is_the_payload() {
        let bad = decode::<protocol::messages::React>(&raw(
            json!({"messageId": "not a uuid", "emoji": "👍", "on": true}),
        ));
        assert!(
            matches!(&bad, Err(AppError::Validation { field, .. }) if field == "messageId"),
            "{bad:?}"
        );
        let shape = decode::<protocol::messages::React>(&raw(json!("text")));
        assert!(matches!(&shape, Err(AppError::Validation { field, .. }) if field == "payload"));
        let extra = decode::<protocol::messages::DeleteMessage>(&raw(
            json!({"messageId": uuid::Uuid::nil(), "more": 1}),
        ));
        assert!(extra.is_err(), "unknown fields are refused");
    }

    #[test]
    fn errors_are_written_in_the_envelope() {
        assert_eq!(
            serde_json::from_str::<Value>(&error_ack(&AppError::Internal("secret".into())))
                .expect("JSON"),
            json!({"ok": false, "error": {"code": "internal", "message": "internal error"}})
        );
    }
}
