//! Protocol inputs as the use cases take them.

use super::IntoInput;
use chatchit_application::admin::{ReportInput, ResolveInput};
use chatchit_application::auth::{LoginInput, RefreshInput, RegisterInput};
use chatchit_application::calls::{CallRef, InviteInput, SignalInput, SignalKind};
use chatchit_application::conversations::{
    AddMembersInput, AssignableRole, CreateDirectInput, CreateGroupInput, SetRoleInput,
    UpdateConversationInput,
};
use chatchit_application::friends::FriendRequestInput;
use chatchit_application::messages::{
    DeleteMessageInput, EditMessageInput, HistoryInput, ReactInput, ReadInput, SendMessageInput,
    SyncInput,
};
use chatchit_application::presence::{ChosenStatus, PresenceInput};
use chatchit_application::stories::{CommentInput, PostStoryInput};
use chatchit_application::typing::TypingInput;
use chatchit_application::users::UpdateProfileInput;
use chatchit_domain::call::CallKind;
use chatchit_domain::ids::{CallId, ConversationId, MessageId, UserId};
use chatchit_domain::message::Attachment;
use chatchit_domain::report::{ReportAction, ReportTarget};
use chatchit_protocol as wire;

/// Enums of the same variants on both sides.
macro_rules! same_variants {
    ($($from:ty => $to:ty { $($variant:ident),* })*) => {$(
        impl IntoInput for $from {
            type Input = $to;

            fn into_input(self) -> $to {
                match self {
                    $(<$from>::$variant => <$to>::$variant,)*
                }
            }
        }
    )*};
}

same_variants! {
    wire::conversations::AssignableRole => AssignableRole { Admin, Member }
    wire::calls::CallKind => CallKind { Audio, Video }
    wire::calls::SignalKind => SignalKind { Offer, Answer, Ice }
    wire::presence::ChosenStatus => ChosenStatus { Online, Away, Dnd, Invisible }
    wire::admin::ReportTarget => ReportTarget { User, Message, Story }
    wire::admin::ReportAction => ReportAction { Dismiss, RemoveContent, BanUser }
}

impl IntoInput for wire::auth::Register {
    type Input = RegisterInput;

    fn into_input(self) -> RegisterInput {
        RegisterInput {
            username: self.username,
            password: self.password,
            display_name: self.display_name,
        }
    }
}

impl IntoInput for wire::auth::Login {
    type Input = LoginInput;

    fn into_input(self) -> LoginInput {
        LoginInput {
            username: self.username,
            password: self.password,
        }
    }
}

impl IntoInput for wire::auth::Refresh {
    type Input = RefreshInput;

    fn into_input(self) -> RefreshInput {
        RefreshInput {
            refresh_token: self.refresh_token,
        }
    }
}

impl IntoInput for wire::users::UpdateProfile {
    type Input = UpdateProfileInput;

    fn into_input(self) -> UpdateProfileInput {
        UpdateProfileInput {
            display_name: self.display_name,
            avatar_url: self.avatar_url,
        }
    }
}

impl IntoInput for wire::conversations::CreateDirect {
    type Input = CreateDirectInput;

    fn into_input(self) -> CreateDirectInput {
        CreateDirectInput {
            user_id: UserId(self.user_id),
        }
    }
}

impl IntoInput for wire::conversations::CreateGroup {
    type Input = CreateGroupInput;

    fn into_input(self) -> CreateGroupInput {
        CreateGroupInput {
            title: self.title,
            member_ids: self.member_ids.into_iter().map(UserId).collect(),
        }
    }
}

impl IntoInput for wire::conversations::UpdateConversation {
    type Input = UpdateConversationInput;

    fn into_input(self) -> UpdateConversationInput {
        UpdateConversationInput {
            title: self.title,
            avatar_url: self.avatar_url,
        }
    }
}

impl IntoInput for wire::conversations::AddMembers {
    type Input = AddMembersInput;

    fn into_input(self) -> AddMembersInput {
        AddMembersInput {
            user_ids: self.user_ids.into_iter().map(UserId).collect(),
        }
    }
}

impl IntoInput for wire::conversations::SetRole {
    type Input = SetRoleInput;

    fn into_input(self) -> SetRoleInput {
        SetRoleInput {
            role: self.role.into_input(),
        }
    }
}

impl IntoInput for wire::messages::Attachment {
    type Input = Attachment;

    fn into_input(self) -> Attachment {
        Attachment {
            url: self.url,
            mime: self.mime,
            size: self.size,
            name: self.name,
        }
    }
}

impl IntoInput for wire::messages::SendMessage {
    type Input = SendMessageInput;

    fn into_input(self) -> SendMessageInput {
        SendMessageInput {
            conversation_id: self.conversation_id.map(ConversationId),
            client_msg_id: self.client_msg_id,
            body: self.body,
            reply_to_id: self.reply_to_id.map(MessageId),
            attachments: self
                .attachments
                .into_iter()
                .map(IntoInput::into_input)
                .collect(),
        }
    }
}

impl IntoInput for wire::messages::EditMessage {
    type Input = EditMessageInput;

    fn into_input(self) -> EditMessageInput {
        EditMessageInput {
            message_id: MessageId(self.message_id),
            body: self.body,
        }
    }
}

impl IntoInput for wire::messages::DeleteMessage {
    type Input = DeleteMessageInput;

    fn into_input(self) -> DeleteMessageInput {
        DeleteMessageInput {
            message_id: MessageId(self.message_id),
        }
    }
}

impl IntoInput for wire::messages::React {
    type Input = ReactInput;

    fn into_input(self) -> ReactInput {
        ReactInput {
            message_id: MessageId(self.message_id),
            emoji: self.emoji,
            on: self.on,
        }
    }
}

impl IntoInput for wire::messages::MarkRead {
    type Input = ReadInput;

    fn into_input(self) -> ReadInput {
        ReadInput {
            conversation_id: ConversationId(self.conversation_id),
            message_id: MessageId(self.message_id),
        }
    }
}

impl IntoInput for wire::messages::SyncRequest {
    type Input = SyncInput;

    fn into_input(self) -> SyncInput {
        SyncInput {
            conversation_id: ConversationId(self.conversation_id),
            after_seq: self.after_seq,
        }
    }
}

impl IntoInput for wire::messages::History {
    type Input = HistoryInput;

    fn into_input(self) -> HistoryInput {
        HistoryInput {
            conversation_id: ConversationId(self.conversation_id),
            before: self.before.map(MessageId),
            after: self.after.map(MessageId),
            limit: self.limit,
        }
    }
}

impl IntoInput for wire::presence::SetTyping {
    type Input = TypingInput;

    fn into_input(self) -> TypingInput {
        TypingInput {
            conversation_id: ConversationId(self.conversation_id),
            typing: self.typing,
        }
    }
}

impl IntoInput for wire::presence::SetPresence {
    type Input = PresenceInput;

    fn into_input(self) -> PresenceInput {
        PresenceInput {
            status: self.status.into_input(),
        }
    }
}

impl IntoInput for wire::social::UserRef {
    type Input = FriendRequestInput;

    fn into_input(self) -> FriendRequestInput {
        FriendRequestInput {
            user_id: UserId(self.user_id),
        }
    }
}

impl IntoInput for wire::stories::PostStory {
    type Input = PostStoryInput;

    fn into_input(self) -> PostStoryInput {
        PostStoryInput {
            body: self.body,
            media_url: self.media_url,
            media_type: self.media_type,
        }
    }
}

impl IntoInput for wire::stories::PostComment {
    type Input = CommentInput;

    fn into_input(self) -> CommentInput {
        CommentInput { body: self.body }
    }
}

impl IntoInput for wire::calls::InviteCall {
    type Input = InviteInput;

    fn into_input(self) -> InviteInput {
        InviteInput {
            conversation_id: ConversationId(self.conversation_id),
            kind: self.kind.into_input(),
        }
    }
}

impl IntoInput for wire::calls::CallRef {
    type Input = CallRef;

    fn into_input(self) -> CallRef {
        CallRef {
            call_id: CallId(self.call_id),
        }
    }
}

impl IntoInput for wire::calls::SendSignal {
    type Input = SignalInput;

    fn into_input(self) -> SignalInput {
        SignalInput {
            call_id: CallId(self.call_id),
            to_user_id: UserId(self.to_user_id),
            kind: self.kind.into_input(),
            payload: self.payload,
        }
    }
}

impl IntoInput for wire::admin::NewReport {
    type Input = ReportInput;

    fn into_input(self) -> ReportInput {
        ReportInput {
            target_type: self.target_type.into_input(),
            target_id: self.target_id,
            reason: self.reason,
            details: self.details,
        }
    }
}

impl IntoInput for wire::admin::ResolveReport {
    type Input = ResolveInput;

    fn into_input(self) -> ResolveInput {
        ResolveInput {
            action: self.action.into_input(),
            note: self.note,
        }
    }
}
