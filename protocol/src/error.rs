//! The error envelope every REST error answer and every failed ack carries.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What went wrong, as a machine-readable code; a REST answer's HTTP
/// status follows from it (400, 422, 401, 403, 404, 409, 429, 413, 503, 500, 405).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed (not JSON, bad path or query). HTTP 400.
    BadRequest,
    /// A field breaks a rule; `message` names the field first. HTTP 422.
    Validation,
    /// No valid access token, or a wrong password. HTTP 401.
    Unauthorized,
    /// Authenticated, but not allowed (not a member, blocked, banned). HTTP 403.
    Forbidden,
    /// No such thing, or not visible to the caller. HTTP 404.
    NotFound,
    /// It clashes with what exists (a taken username, a pending request). HTTP 409.
    Conflict,
    /// Over a quota; retry later (REST answers say when in `Retry-After`). HTTP 429.
    RateLimited,
    /// The body or payload is over its size limit. HTTP 413.
    PayloadTooLarge,
    /// A backing service is down; retry. HTTP 503.
    Unavailable,
    /// A bug; the detail is logged on the server, never sent. HTTP 500.
    Internal,
    /// The route exists, not with this method; `Allow` lists those it has.
    /// HTTP 405 (REST only).
    MethodNotAllowed,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [Self; 11] = [
        Self::BadRequest,
        Self::Validation,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::RateLimited,
        Self::PayloadTooLarge,
        Self::Unavailable,
        Self::Internal,
        Self::MethodNotAllowed,
    ];

    /// The HTTP status a REST answer with this code has.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Validation => 422,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::RateLimited => 429,
            Self::PayloadTooLarge => 413,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::MethodNotAllowed => 405,
        }
    }

    /// The code as written on the wire, e.g. `rate_limited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::MethodNotAllowed => "method_not_allowed",
        }
    }
}

/// The code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "validation", "message": "body: must be 1-4000 characters"}))]
pub struct ErrorDetail {
    /// Machine-readable.
    pub code: ErrorCode,
    /// For people; for `validation` it starts with the field's name.
    pub message: String,
}

/// Every REST error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// A realtime command's answer: `{"ok": true, "data": …}` or
/// `{"ok": false, "error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Ack<T> {
    /// The command ran.
    Ok {
        /// Always `true`.
        ok: True,
        /// The event's answer.
        data: T,
    },
    /// The command was refused or failed; nothing changed.
    Err {
        /// Always `false`.
        ok: False,
        /// Why.
        error: ErrorDetail,
    },
}

impl<T> Ack<T> {
    /// A successful ack.
    pub fn ok(data: T) -> Self {
        Self::Ok { ok: True, data }
    }

    /// A failed ack.
    pub fn err(code: ErrorCode, message: String) -> Self {
        Self::Err {
            ok: False,
            error: ErrorDetail { code, message },
        }
    }

    /// The answer, or the error detail.
    ///
    /// # Errors
    /// The ack's [`ErrorDetail`] when the command failed.
    pub fn into_result(self) -> Result<T, ErrorDetail> {
        match self {
            Self::Ok { data, .. } => Ok(data),
            Self::Err { error, .. } => Err(error),
        }
    }
}

macro_rules! literal_bool {
    ($name:ident, $value:literal) => {
        #[doc = concat!("The JSON literal `", stringify!($value), "` (and only it).")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bool($value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if bool::deserialize(d)? == $value {
                    Ok(Self)
                } else {
                    Err(serde::de::Error::custom(concat!(
                        "expected ",
                        stringify!($value)
                    )))
                }
            }
        }
    };
}

literal_bool!(True, true);
literal_bool!(False, false);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_are_written_as_their_names() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("json"),
                json!(code.as_str())
            );
        }
    }

    #[test]
    fn an_ack_reads_back_as_success_or_error() {
        let ok: Ack<u32> = serde_json::from_value(json!({"ok": true, "data": 5})).expect("ok");
        assert_eq!(ok.into_result(), Ok(5));
        let err: Ack<u32> = serde_json::from_value(
            json!({"ok": false, "error": {"code": "forbidden", "message": "no"}}),
        )
        .expect("err");
        assert_eq!(
            err.into_result().map_err(|e| e.code),
            Err(ErrorCode::Forbidden)
        );
    }
}
