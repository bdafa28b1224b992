//! Conversations and their members (with roles and read markers).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    Kind,
    Title,
    AvatarUrl,
    DirectKey,
    LastSeq,
    LastActivityAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    ConversationId,
    UserId,
    Role,
    JoinedAt,
    LastReadSeq,
    LastReadMessageId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(
                        ColumnDef::new(Conversations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Conversations::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Conversations::Title).string_len(128).null())
                    .col(
                        ColumnDef::new(Conversations::AvatarUrl)
                            .string_len(2048)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Conversations::DirectKey)
                            .string_len(80)
                            .null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Conversations::LastSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Conversations::LastActivityAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Conversations::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(ColumnDef::new(Members::ConversationId).uuid().not_null())
                    .col(ColumnDef::new(Members::UserId).uuid().not_null())
                    .col(ColumnDef::new(Members::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Members::JoinedAt).big_integer().not_null())
                    .col(
                        ColumnDef::new(Members::LastReadSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Members::LastReadMessageId).uuid().null())
                    .primary_key(
                        Index::create()
                            .col(Members::ConversationId)
                            .col(Members::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Members::Table, Members::ConversationId)
                            .to(Conversations::Table, Conversations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Members::Table, Members::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_user")
                    .table(Members::Table)
                    .col(Members::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Members::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Conversations::Table).to_owned())
            .await
    }
}
