//! Handlers of the `message:*` events.

use crate::context::EventContext;
use crate::error::AppError;
use crate::handler::BaseEventHandler;
use crate::messages::{
    DeleteMessageInput, DeletedMessage, EditMessageInput, MessageService, ReactInput,
    ReactionsResult, SendMessageInput,
};
use async_trait::async_trait;
use chatchit_domain::message::Message;
use std::sync::Arc;

/// `message:send`.
pub struct SendMessage(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for SendMessage {
    type Input = SendMessageInput;
    type Output = Message;
    fn event(&self) -> &'static str {
        "message:send"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Message, AppError> {
        self.0.send(&ctx.actor, input, ctx.connection.clone()).await
    }
}

/// `message:edit`.
pub struct EditMessage(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for EditMessage {
    type Input = EditMessageInput;
    type Output = Message;
    fn event(&self) -> &'static str {
        "message:edit"
    }
    async fn handle(&self, ctx: &EventContext, input: Self::Input) -> Result<Message, AppError> {
        self.0.edit(&ctx.actor, input).await
    }
}

/// `message:delete`.
pub struct DeleteMessage(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for DeleteMessage {
    type Input = DeleteMessageInput;
    type Output = DeletedMessage;
    fn event(&self) -> &'static str {
        "message:delete"
    }
    async fn handle(
        &self,
        ctx: &EventContext,
        input: Self::Input,
    ) -> Result<DeletedMessage, AppError> {
        self.0.delete(&ctx.actor, input).await
    }
}

/// `message:react`.
pub struct ReactToMessage(pub Arc<MessageService>);

#[async_trait]
impl BaseEventHandler for ReactToMessage {
    type Input = ReactInput;
    type Output = ReactionsResult;
    fn event(&self) -> &'static str {
        "message:react"
    }
    async fn handle(
        &self,
        ctx: &EventContext,
        input: Self::Input,
    ) -> Result<ReactionsResult, AppError> {
        self.0.react(&ctx.actor, input).await
    }
}
