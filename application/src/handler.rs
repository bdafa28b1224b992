//! `BaseEventHandler`: the one trait every client→server realtime command
//! implements, and the generic wrapper that gives every handler rate
//! limiting, error mapping, tracing and metrics written once. What a
//! payload looks like on the wire is the transport's business: it is a
//! [`Wire`], and it decodes each command's input and encodes its output
//! ([`Codec`]); the use cases never see it.

use crate::context::EventContext;
use crate::error::AppError;
use async_trait::async_trait;
use chatchit_domain::ports::RateLimiter;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

/// A realtime command: its event name, input and output types, and its
/// business logic. Everything else is done once by [`Instrumented`].
#[async_trait]
pub trait BaseEventHandler: Send + Sync + 'static {
    /// What the command takes, decoded by the transport.
    type Input: Send + 'static;
    /// What it answers, encoded by the transport.
    type Output: Send + 'static;

    /// The event name, e.g. `message:send`.
    fn event(&self) -> &'static str;

    /// Runs the command for the caller in `ctx`.
    ///
    /// # Errors
    /// Any [`AppError`]; it becomes the ack's `error`.
    async fn handle(&self, ctx: EventContext, input: Self::Input)
    -> Result<Self::Output, AppError>;
}

/// A transport's form of realtime payloads and acks (the HTTP adapter's is
/// JSON, written by chatchit-protocol's types).
pub trait Wire: Send + Sync + 'static {
    /// What a client sends with a command.
    type Payload: Send + 'static;
    /// What the client is answered.
    type Ack: Send + 'static;

    /// The answer for a refused or failed command.
    fn error(err: &AppError) -> Self::Ack;
}

/// How a [`Wire`] reads one command's input and writes its output.
pub trait Codec<I, O>: Wire {
    /// Reads the input.
    ///
    /// # Errors
    /// `Validation` naming the offending field.
    fn decode(payload: Self::Payload) -> Result<I, AppError>;

    /// Writes the successful answer.
    fn encode(output: O) -> Self::Ack;
}

/// The type-erased face of a handler that the gateway registers.
#[async_trait]
pub trait EventEndpoint<W: Wire>: Send + Sync {
    /// The event name it answers.
    fn event(&self) -> &'static str;

    /// Decodes `payload`, runs the handler and returns the ack.
    async fn dispatch(&self, ctx: EventContext, payload: W::Payload) -> W::Ack;
}

/// Wraps a [`BaseEventHandler`] with rate limiting (per user and event),
/// decoding, error mapping, tracing and the `chatchit_events_handled_total` /
/// `chatchit_event_duration_seconds` metrics.
pub struct Instrumented<H, W> {
    /// The business logic.
    handler: H,
    /// Per-user, per-event allowance.
    limiter: Arc<dyn RateLimiter>,
    /// The transport's form.
    wire: PhantomData<fn() -> W>,
}

/// Boxes a handler as an endpoint for the gateway's list.
pub fn endpoint<H, W>(handler: H, limiter: Arc<dyn RateLimiter>) -> Arc<dyn EventEndpoint<W>>
where
    H: BaseEventHandler,
    W: Codec<H::Input, H::Output>,
{
    Arc::new(Instrumented {
        handler,
        limiter,
        wire: PhantomData,
    })
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
impl<H, W> EventEndpoint<W> for Instrumented<H, W>
where
    H: BaseEventHandler,
    W: Codec<H::Input, H::Output>,
{
    fn event(&self) -> &'static str {
        self.handler.event()
    }

    async fn dispatch(&self, ctx: EventContext, payload: W::Payload) -> W::Ack {
        let event = self.handler.event();
        let started = Instant::now();
        let span = tracing::debug_span!("event", event, user = %ctx.actor.user_id);
        let _entered = span.enter();
        let result = match check_rate(&*self.limiter, event, ctx.actor.user_id.to_string()).await {
            Ok(()) => match W::decode(payload) {
                Ok(input) => self.handler.handle(ctx, input).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let (outcome, ack) = match result {
            Ok(data) => ("ok", W::encode(data)),
            Err(err) => {
                if matches!(err, AppError::Internal(_) | AppError::Unavailable(_)) {
                    tracing::error!(event, error = %err, "event failed");
                } else {
                    tracing::debug!(event, error = %err, "event refused");
                }
                (err.code(), W::error(&err))
            }
        };
        metrics::counter!("chatchit_events_handled_total", "event" => event, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("chatchit_event_duration_seconds", "event" => event)
            .record(started.elapsed().as_secs_f64());
        ack
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chatchit_domain::ids::{SessionId, UserId};
    use chatchit_domain::user::Role;

    /// A wire of plain text: the payload is the input, the ack is
    /// `ok:<output>` or `<code>:<message>`.
    pub(crate) struct Text;

    impl Wire for Text {
        type Payload = String;
        type Ack = String;

        fn error(err: &AppError) -> String {
            format!("{}:{}", err.code(), err.client_message())
        }
    }

    impl Codec<String, String> for Text {
        fn decode(payload: String) -> Result<String, AppError> {
            if payload.is_empty() {
                return Err(AppError::validation("text", "must not be empty"));
            }
            Ok(payload)
        }

        fn encode(output: String) -> String {
            format!("ok:{output}")
        }
    }

    struct Echo;

    #[async_trait]
    impl BaseEventHandler for Echo {
        type Input = String;
        type Output = String;
        fn event(&self) -> &'static str {
            "echo"
        }
        async fn handle(&self, _: EventContext, input: String) -> Result<String, AppError> {
            if input == "boom" {
                return Err(AppError::Internal("secret detail".into()));
            }
            Ok(input)
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
        let e = endpoint::<_, Text>(Echo, Arc::new(limiter));
        let ack = e.dispatch(ctx(), "boom".into()).await;
        assert!(ack.starts_with("rate_limited:"), "{ack}");
    }

    #[tokio::test]
    async fn wraps_results_and_errors_in_the_wire_form() {
        let e = endpoint::<_, Text>(Echo, unlimited());
        assert_eq!(e.dispatch(ctx(), "hi".into()).await, "ok:hi");
        let bad = e.dispatch(ctx(), String::new()).await;
        assert_eq!(bad, "validation:text: must not be empty");
        let internal = e.dispatch(ctx(), "boom".into()).await;
        assert_eq!(internal, "internal:internal error");
    }
}
