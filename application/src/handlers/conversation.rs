//! Handlers of `conversation:read`, `sync`, `typing` and `presence:set`.

use crate::context::EventContext;
use crate::error::AppError;
use crate::handler::BaseEventHandler;
use crate::messages::{MessageService, ReadInput, ReadResult, SyncInput, SyncResult};
use crate::presence::{PresenceInput, PresenceService};
use crate::typing::{Empty, TypingInput, TypingService};
use async_trait::async_trait;
use std::sync::Arc;

/// `conversation:read`.
pub struct ReadConversation(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for ReadConversation {
    type Input = ReadInput;
    type Output = ReadResult;
    fn event(&self) -> &'static str {
        "conversation:read"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<ReadResult, AppError> {
        self.0.mark_read(&ctx.actor, input).await
    }
}

/// `sync`.
pub struct SyncConversation(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for SyncConversation {
    type Input = SyncInput;
    type Output = SyncResult;
    fn event(&self) -> &'static str {
        "sync"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<SyncResult, AppError> {
        self.0.sync(&ctx.actor, input).await
    }
}

/// `typing`.
pub struct SetTyping(pub Arc<TypingService>);

#[async_trait]
impl BaseEventHandler for SetTyping {
    type Input = TypingInput;
    type Output = Empty;
    fn event(&self) -> &'static str {
        "typing"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Empty, AppError> {
        self.0.set(&ctx.actor, input).await
    }
}

/// `presence:set`.
pub struct SetPresence(pub Arc<PresenceService>);

#[async_trait]
impl BaseEventHandler for SetPresence {
    type Input = PresenceInput;
    type Output = Empty;
    fn event(&self) -> &'static str {
        "presence:set"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Empty, AppError> {
        self.0.set(&ctx.actor, input).await
    }
}
