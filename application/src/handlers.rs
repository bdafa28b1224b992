//! The realtime commands: a [`Registry`] that turns a use-case method into a
//! [`BaseEventHandler`], and [`all`], which asks each feature for its
//! events. Registering an event is the only place its name is written; each
//! feature registers its own next to its use cases (`MessageService::events`
//! and so on), so an event of one feature touches that feature's module only.
//!
//! The event name is also the rate-limit action: the configuration names the
//! quotas that a REST route shares (`message:send`, `typing`,
//! `call:invite`), and every other event is limited by the default quota
//! (`other_events`) without anything to add.

use crate::calls::{CallService, CallWire};
use crate::context::EventContext;
use crate::error::AppError;
use crate::handler::{BaseEventHandler, Codec, EventEndpoint, Wire, endpoint};
use crate::messages::{MessageService, MessageWire};
use crate::presence::{PresenceService, PresenceWire};
use crate::typing::{TypingService, TypingWire};
use async_trait::async_trait;
use chatchit_domain::ports::RateLimiter;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// What a transport must read and write for every realtime command: the
/// compiler refuses a transport that lacks one.
pub trait Events: MessageWire + TypingWire + PresenceWire + CallWire {}

impl<W: MessageWire + TypingWire + PresenceWire + CallWire> Events for W {}

/// Every realtime command the server answers, in registration order.
pub fn all<W: Events>(
    messages: &Arc<MessageService>,
    typing: &Arc<TypingService>,
    presence: &Arc<PresenceService>,
    calls: &Arc<CallService>,
    limiter: Arc<dyn RateLimiter>,
) -> Vec<Arc<dyn EventEndpoint<W>>> {
    let mut registry = Registry::new(limiter);
    messages.events(&mut registry);
    typing.events(&mut registry);
    presence.events(&mut registry);
    calls.events(&mut registry);
    registry.endpoints
}

/// Collects the handlers, each rate-limited, decoded, traced and measured by
/// [`crate::handler::Instrumented`], for the transport's wire `W`.
pub struct Registry<W: Wire> {
    /// Counted against for every event.
    limiter: Arc<dyn RateLimiter>,
    /// What was registered.
    endpoints: Vec<Arc<dyn EventEndpoint<W>>>,
}

impl<W: Wire> Registry<W> {
    /// An empty registry.
    pub fn new(limiter: Arc<dyn RateLimiter>) -> Self {
        Self {
            limiter,
            endpoints: Vec::new(),
        }
    }

    /// Answers `event` with `handle(service, ctx, input)`: the input decoded
    /// from the payload, the output the ack's `data`. For the common shape
    /// (`service.method(&ctx.actor, input)`) write [`events!`](crate::events).
    ///
    /// # Panics
    /// In debug builds, when `event` is registered twice.
    pub fn on<S, I, O, F, Fut>(&mut self, event: &'static str, service: &Arc<S>, handle: F)
    where
        W: Codec<I, O>,
        S: Send + Sync + 'static,
        I: Send + 'static,
        O: Send + 'static,
        F: Fn(Arc<S>, EventContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, AppError>> + Send + 'static,
    {
        debug_assert!(
            self.endpoints.iter().all(|e| e.event() != event),
            "{event} registered twice"
        );
        let handler = Handler {
            event,
            service: service.clone(),
            handle,
            types: PhantomData,
        };
        self.endpoints
            .push(endpoint::<_, W>(handler, self.limiter.clone()));
    }
}

/// Registers events answered by `service.method(&ctx.actor, input)`, one
/// line each: `events!(registry, self, { "message:edit" => edit, … })`.
#[macro_export]
macro_rules! events {
    ($registry:expr, $service:expr, { $($event:literal => $method:ident),* $(,)? }) => {
        $(
            $registry.on($event, $service, |service, ctx, input| async move {
                service.$method(&ctx.actor, input).await
            });
        )*
    };
}

/// A use-case method as a [`BaseEventHandler`].
struct Handler<S, I, O, F> {
    /// The event name.
    event: &'static str,
    /// The use case.
    service: Arc<S>,
    /// Calls it.
    handle: F,
    /// The input and output types.
    types: PhantomData<fn(I) -> O>,
}

#[async_trait]
impl<S, I, O, F, Fut> BaseEventHandler for Handler<S, I, O, F>
where
    S: Send + Sync + 'static,
    I: Send + 'static,
    O: Send + 'static,
    F: Fn(Arc<S>, EventContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, AppError>> + Send + 'static,
{
    type Input = I;
    type Output = O;

    fn event(&self) -> &'static str {
        self.event
    }

    async fn handle(&self, ctx: EventContext, input: I) -> Result<O, AppError> {
        (self.handle)(self.service.clone(), ctx, input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::tests::Text;
    use crate::test_support::actor;
    use chatchit_domain::ports::rate_limit::MockRateLimiter;

    /// A use case of one method, as a feature would have.
    struct Greeter;

    impl Greeter {
        async fn greet(&self, _: &crate::Actor, name: String) -> Result<String, AppError> {
            Ok(format!("hello {name}"))
        }
    }

    #[tokio::test]
    async fn a_registered_method_answers_its_event_under_its_own_quota() {
        let mut limiter = MockRateLimiter::new();
        limiter
            .expect_allow()
            .withf(|action, _| action == "greet:new")
            .times(1)
            .returning(|_, _| Ok(true));
        let mut registry = Registry::<Text>::new(Arc::new(limiter));
        crate::events!(registry, &Arc::new(Greeter), { "greet:new" => greet });
        let [greet] = registry.endpoints.as_slice() else {
            panic!("one endpoint");
        };
        assert_eq!(greet.event(), "greet:new");
        let ctx = EventContext {
            actor: actor(),
            connection: None,
        };
        assert_eq!(greet.dispatch(ctx, "ann".into()).await, "ok:hello ann");
    }

    #[test]
    #[should_panic(expected = "greet:new registered twice")]
    fn an_event_registered_twice_is_a_bug_caught_at_start() {
        let mut registry = Registry::<Text>::new(Arc::new(MockRateLimiter::new()));
        let greeter = Arc::new(Greeter);
        crate::events!(registry, &greeter, { "greet:new" => greet, "greet:new" => greet });
    }
}
