//! `BaseEventHandler`: the one trait every client→server realtime event
//! implements, and the generic wrapper that gives every handler decoding,
//! validation errors, error mapping, tracing and metrics written once.

use crate::context::EventContext;
use crate::error::AppError;
use async_trait::async_trait;
use chatchit_domain::ports::RateLimiter;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// A realtime command: its event name, input and output types, and its
/// business logic. Everything else is done once by [`Instrumented`].
#[async_trait]
pub trait BaseEventHandler: Send + Sync + 'static {
    /// The payload, decoded from the event's JSON.
    type Input: DeserializeOwned + Send;
    /// The ack `data`.
    type Output: Serialize + Send;

    /// The Socket.IO event name, e.g. `message:send`.
    fn event(&self) -> &'static str;

    /// Runs the command for the caller in `ctx`.
    ///
    /// # Errors
    /// Any [`AppError`]; it becomes the ack's `error`.
    async fn handle(&self, ctx: EventContext, input: Self::Input)
    -> Result<Self::Output, AppError>;
}

/// The type-erased face of a handler that the gateway registers.
#[async_trait]
pub trait EventEndpoint: Send + Sync {
    /// The event name it answers.
    fn event(&self) -> &'static str;

    /// Decodes `payload`, runs the handler and returns the ack body:
    /// `{ok: true, data}` or `{ok: false, error: {code, message}}`.
    async fn dispatch(&self, ctx: EventContext, payload: Value) -> Value;
}

/// Wraps a [`BaseEventHandler`] with rate limiting (per user and event),
/// decoding, error mapping, tracing and the `chatchit_events_handled_total` /
/// `chatchit_event_duration_seconds` metrics.
pub struct Instrumented<H> {
    /// The business logic.
    handler: H,
    /// Per-user, per-event allowance.
    limiter: Arc<dyn RateLimiter>,
}

/// Boxes a handler as an endpoint for the gateway's list.
pub fn endpoint<H: BaseEventHandler>(
    handler: H,
    limiter: Arc<dyn RateLimiter>,
) -> Arc<dyn EventEndpoint> {
    Arc::new(Instrumented { handler, limiter })
}

/// Counts one `action` for `key`: `RateLimited` when over the quota. A failing
/// counter store lets the action through (limits protect, they must not break
/// chat) and says so in the logs.
///
/// # Errors
/// `RateLimited` when over the quota.
pub async fn check_rate(
    limiter: &dyn RateLimiter,
    action: &str,
    key: String,
) -> Result<(), AppError> {
    match limiter.allow(action.to_owned(), key).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::RateLimited(format!(
            "too many {action}; slow down"
        ))),
        Err(e) => {
            tracing::warn!(error = %e, action, "rate limiter unavailable; allowing");
            Ok(())
        }
    }
}

#[async_trait]
impl<H: BaseEventHandler> EventEndpoint for Instrumented<H> {
    fn event(&self) -> &'static str {
        self.handler.event()
    }

    async fn dispatch(&self, ctx: EventContext, payload: Value) -> Value {
        let event = self.handler.event();
        let started = Instant::now();
        let span = tracing::debug_span!("event", event, user = %ctx.actor.user_id);
        let _entered = span.enter();
        let result = match check_rate(&*self.limiter, event, ctx.actor.user_id.to_string()).await {
            Ok(()) => match decode::<H::Input>(payload) {
                Ok(input) => self.handler.handle(ctx, input).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let (outcome, ack) = match result {
            Ok(data) => match serde_json::to_value(data) {
                Ok(data) => ("ok", json!({ "ok": true, "data": data })),
                Err(e) => {
                    let err = AppError::Internal(e.to_string());
                    (err.code(), error_ack(&err))
                }
            },
            Err(err) => {
                if matches!(err, AppError::Internal(_) | AppError::Unavailable(_)) {
                    tracing::error!(event, error = %err, "event failed");
                } else {
                    tracing::debug!(event, error = %err, "event refused");
                }
                (err.code(), error_ack(&err))
            }
        };
        metrics::counter!("chatchit_events_handled_total", "event" => event, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("chatchit_event_duration_seconds", "event" => event)
            .record(started.elapsed().as_secs_f64());
        ack
    }
}

/// The ack body for an error.
pub fn error_ack(err: &AppError) -> Value {
    json!({ "ok": false, "error": { "code": err.code(), "message": err.client_message() } })
}

/// Decodes a payload, naming the offending field on failure.
///
/// # Errors
/// `Validation` with the JSON path of the first bad field.
pub fn decode<T: DeserializeOwned>(payload: Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(payload).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "payload".to_owned()
        } else {
            path
        };
        AppError::validation(field, e.inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::ids::{SessionId, UserId};
    use chatchit_domain::user::Role;
    use serde::Deserialize;

    struct Echo;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct EchoInput {
        text: String,
    }

    #[async_trait]
    impl BaseEventHandler for Echo {
        type Input = EchoInput;
        type Output = String;
        fn event(&self) -> &'static str {
            "echo"
        }
        async fn handle(&self, _: EventContext, input: EchoInput) -> Result<String, AppError> {
            if input.text == "boom" {
                return Err(AppError::Internal("secret detail".into()));
            }
            Ok(input.text)
        }
    }

    fn ctx() -> EventContext {
        EventContext {
            actor: crate::Actor {
                user_id: UserId::generate(),
                session_id: SessionId::generate(),
                role: Role::User,
            },
            connection: None,
        }
    }

    fn unlimited() -> Arc<dyn RateLimiter> {
        let mut limiter = chatchit_domain::ports::rate_limit::MockRateLimiter::new();
        limiter.expect_allow().returning(|_, _| Ok(true));
        Arc::new(limiter)
    }

    #[tokio::test]
    async fn over_the_limit_the_handler_is_not_run() {
        let mut limiter = chatchit_domain::ports::rate_limit::MockRateLimiter::new();
        limiter
            .expect_allow()
            .withf(|action, _| action == "echo")
            .returning(|_, _| Ok(false));
        let e = endpoint(Echo, Arc::new(limiter));
        let ack = e.dispatch(ctx(), json!({"text": "boom"})).await;
        assert_eq!(ack["error"]["code"], "rate_limited");
    }

    #[tokio::test]
    async fn wraps_results_and_errors_in_the_ack_shape() {
        let e = endpoint(Echo, unlimited());
        assert_eq!(
            e.dispatch(ctx(), json!({"text": "hi"})).await,
            json!({"ok": true, "data": "hi"})
        );
        let bad = e.dispatch(ctx(), json!({"text": 5})).await;
        assert_eq!(bad["error"]["code"], "validation");
        assert!(
            bad["error"]["message"]
                .as_str()
                .expect("text")
                .starts_with("text")
        );
        let shape = e.dispatch(ctx(), json!("not an object")).await;
        assert_eq!(shape["error"]["code"], "validation");
        let internal = e.dispatch(ctx(), json!({"text": "boom"})).await;
        assert_eq!(
            internal["error"],
            json!({"code": "internal", "message": "internal error"})
        );
    }
}
