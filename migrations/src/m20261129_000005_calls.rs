//! Calls and their participants.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Calls {
    Table,
    Id,
    ConversationId,
    Kind,
    InitiatorId,
    State,
    StartedAt,
    AnsweredAt,
    EndedAt,
    EndReason,
}

#[derive(DeriveIden)]
enum CallParticipants {
    Table,
    CallId,
    UserId,
    Position,
    Live,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Calls::Table)
                    .col(ColumnDef::new(Calls::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Calls::ConversationId).uuid().not_null())
                    .col(ColumnDef::new(Calls::Kind).string_len(8).not_null())
                    .col(ColumnDef::new(Calls::InitiatorId).uuid().not_null())
                    .col(ColumnDef::new(Calls::State).string_len(8).not_null())
                    .col(ColumnDef::new(Calls::StartedAt).big_integer().not_null())
                    .col(ColumnDef::new(Calls::AnsweredAt).big_integer().null())
                    .col(ColumnDef::new(Calls::EndedAt).big_integer().null())
                    .col(ColumnDef::new(Calls::EndReason).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CallParticipants::Table)
                    .col(ColumnDef::new(CallParticipants::CallId).uuid().not_null())
                    .col(ColumnDef::new(CallParticipants::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(CallParticipants::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CallParticipants::Live).boolean().not_null())
                    .primary_key(
                        Index::create()
                            .col(CallParticipants::CallId)
                            .col(CallParticipants::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CallParticipants::Table, CallParticipants::CallId)
                            .to(Calls::Table, Calls::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_call_participants_user_live")
                    .table(CallParticipants::Table)
                    .col(CallParticipants::UserId)
                    .col(CallParticipants::Live)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CallParticipants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Calls::Table).to_owned())
            .await
    }
}
