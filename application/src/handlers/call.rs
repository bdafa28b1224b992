//! Handlers of the `call:*` events.

use crate::calls::{CallRef, CallService, CallStateResult, InviteInput, Invited, SignalInput};
use crate::context::EventContext;
use crate::error::AppError;
use crate::handler::BaseEventHandler;
use crate::typing::Empty;
use async_trait::async_trait;
use std::sync::Arc;

/// `call:invite`.
pub struct InviteToCall(pub Arc<CallService>);

#[async_trait]
impl BaseEventHandler for InviteToCall {
    type Input = InviteInput;
    type Output = Invited;
    fn event(&self) -> &'static str {
        "call:invite"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Invited, AppError> {
        self.0.invite(&ctx.actor, input).await
    }
}

/// `call:accept`.
pub struct AcceptCall(pub Arc<CallService>);

#[async_trait]
impl BaseEventHandler for AcceptCall {
    type Input = CallRef;
    type Output = CallStateResult;
    fn event(&self) -> &'static str {
        "call:accept"
    }
    async fn handle(
        &self,
        ctx: &EventContext,
        input: Self::Input,
    ) -> Result<CallStateResult, AppError> {
        self.0.accept(&ctx.actor, input).await
    }
}

/// `call:reject`.
pub struct RejectCall(pub Arc<CallService>);

#[async_trait]
impl BaseEventHandler for RejectCall {
    type Input = CallRef;
    type Output = CallStateResult;
    fn event(&self) -> &'static str {
        "call:reject"
    }
    async fn handle(
        &self,
        ctx: &EventContext,
        input: Self::Input,
    ) -> Result<CallStateResult, AppError> {
        self.0.reject(&ctx.actor, input).await
    }
}

/// `call:end`.
pub struct EndCall(pub Arc<CallService>);

#[async_trait]
impl BaseEventHandler for EndCall {
    type Input = CallRef;
    type Output = CallStateResult;
    fn event(&self) -> &'static str {
        "call:end"
    }
    async fn handle(
        &self,
        ctx: &EventContext,
        input: Self::Input,
    ) -> Result<CallStateResult, AppError> {
        self.0.end(&ctx.actor, input).await
    }
}

/// `call:signal`.
pub struct RelaySignal(pub Arc<CallService>);

#[async_trait]
impl BaseEventHandler for RelaySignal {
    type Input = SignalInput;
    type Output = Empty;
    fn event(&self) -> &'static str {
        "call:signal"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Empty, AppError> {
        self.0.signal(&ctx.actor, input).await
    }
}
