//! The social graph: friend requests, friendships (one row per direction) and blocks.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FriendRequests {
    Table,
    Id,
    FromId,
    ToId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Friendships {
    Table,
    UserId,
    FriendId,
    Since,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn user_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Users::Table, Users::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FriendRequests::Table)
                    .col(
                        ColumnDef::new(FriendRequests::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(FriendRequests::FromId).uuid().not_null())
                    .col(ColumnDef::new(FriendRequests::ToId).uuid().not_null())
                    .col(
                        ColumnDef::new(FriendRequests::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(&mut user_fk(FriendRequests::Table, FriendRequests::FromId))
                    .foreign_key(&mut user_fk(FriendRequests::Table, FriendRequests::ToId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_friend_requests_pair")
                    .table(FriendRequests::Table)
                    .col(FriendRequests::FromId)
                    .col(FriendRequests::ToId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_friend_requests_to")
                    .table(FriendRequests::Table)
                    .col(FriendRequests::ToId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Friendships::Table)
                    .col(ColumnDef::new(Friendships::UserId).uuid().not_null())
                    .col(ColumnDef::new(Friendships::FriendId).uuid().not_null())
                    .col(ColumnDef::new(Friendships::Since).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(Friendships::UserId)
                            .col(Friendships::FriendId),
                    )
                    .foreign_key(&mut user_fk(Friendships::Table, Friendships::UserId))
                    .foreign_key(&mut user_fk(Friendships::Table, Friendships::FriendId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(ColumnDef::new(Blocks::BlockerId).uuid().not_null())
                    .col(ColumnDef::new(Blocks::BlockedId).uuid().not_null())
                    .col(ColumnDef::new(Blocks::CreatedAt).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(Blocks::BlockerId)
                            .col(Blocks::BlockedId),
                    )
                    .foreign_key(&mut user_fk(Blocks::Table, Blocks::BlockerId))
                    .foreign_key(&mut user_fk(Blocks::Table, Blocks::BlockedId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Blocks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Friendships::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FriendRequests::Table).to_owned())
            .await
    }
}
