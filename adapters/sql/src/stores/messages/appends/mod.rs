//! The group-commit writers that store appends, and what they share: every
//! append waiting when a writer wakes goes into one transaction, and each is
//! answered after that one commit. [`sqlite`] writes on a thread of its own
//! with its own connection (SQLite allows one writer at a time); [`postgres`]
//! writes through the pool, one writer per share of the conversations.

pub(super) mod postgres;
pub(super) mod sqlite;

use crate::entity::{message, message_relay};
use chatchit_domain::StoreError;
use chatchit_domain::message::{Message, NewMessage};
use sea_orm::ActiveValue::Set;
use tokio::sync::{mpsc, oneshot};

/// Most appends one group commit takes.
const MAX_BATCH: usize = 256;

/// One append's outcome: the message as stored, or `None` when its sender
/// had used its `clientMsgId` before (a retry: the first copy is looked up).
/// Kept apart from the store's errors, so that no other conflict can pass
/// for a retry.
pub(crate) type Written = Result<Option<Message>, StoreError>;

/// One append waiting for the group commit.
pub(crate) struct Queued {
    /// What to store.
    pub(crate) message: NewMessage,
    /// Where its outcome goes, after the commit.
    pub(crate) answer: oneshot::Sender<Written>,
}

/// Answers every append of `batch`: each with its own result, or all with
/// the failure of the whole batch.
pub(super) fn answer_all(batch: Vec<Queued>, outcome: Result<Vec<Written>, StoreError>) {
    match outcome {
        Ok(results) => {
            for (queued, result) in batch.into_iter().zip(results) {
                let _ = queued.answer.send(result);
            }
        }
        Err(e) => {
            for queued in batch {
                let _ = queued.answer.send(Err(e.clone()));
            }
        }
    }
}

/// Moves the appends waiting in `inbox` into `batch`, up to `MAX_BATCH`.
pub(super) fn take_waiting(inbox: &mut mpsc::UnboundedReceiver<Queued>, batch: &mut Vec<Queued>) {
    while batch.len() < MAX_BATCH {
        match inbox.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
}

/// `m` as stored with `seq`.
pub(super) fn stored(m: &NewMessage, seq: i64) -> Message {
    Message {
        id: m.id,
        conversation_id: m.conversation_id,
        seq,
        sender_id: m.sender_id,
        client_msg_id: m.client_msg_id.as_str().to_owned(),
        body: m.body.as_str().to_owned(),
        reply_to_id: m.reply_to_id,
        attachments: m.attachments.clone(),
        created_at: m.created_at,
        edited_at: None,
        deleted_at: None,
    }
}

/// The row of a new message.
pub(super) fn row(m: &Message) -> Result<message::ActiveModel, StoreError> {
    let attachments =
        serde_json::to_string(&m.attachments).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(message::ActiveModel {
        id: Set(m.id.0),
        conversation_id: Set(m.conversation_id.0),
        seq: Set(m.seq),
        sender_id: Set(m.sender_id.0),
        client_msg_id: Set(m.client_msg_id.clone()),
        body: Set(m.body.clone()),
        reply_to_id: Set(m.reply_to_id.map(|i| i.0)),
        attachments: Set(attachments),
        created_at: Set(m.created_at.millis()),
        edited_at: Set(None),
        deleted_at: Set(None),
    })
}

/// The relay-log row of a message just appended.
pub(super) fn relay_row(m: &Message) -> message_relay::ActiveModel {
    message_relay::ActiveModel {
        message_id: Set(m.id.0),
        created_at: Set(m.created_at.millis()),
    }
}
