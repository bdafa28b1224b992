//! sea-orm entities: the table shapes, private to this adapter. Nothing here
//! crosses into the domain; `convert` maps rows to domain types.

pub mod block;
pub mod call;
pub mod call_participant;
pub mod conversation;
pub mod friend_request;
pub mod friendship;
pub mod member;
pub mod message;
pub mod message_relay;
pub mod reaction;
pub mod refresh_token;
pub mod report;
pub mod session;
pub mod setting;
pub mod story;
pub mod story_comment;
pub mod story_like;
pub mod story_view;
pub mod user;
