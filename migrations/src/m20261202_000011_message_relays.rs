//! The relay log: a row per message whose `message:new` has not been handed
//! out yet, written in the message's own transaction and deleted once its
//! event was processed. A node that dies between the commit and the relay
//! leaves the row behind, and a sweep relays it. The table holds only the
//! last second or so of messages, so the sweep reads it whole: an index on
//! the time would cost every append more than it saves the sweep.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageRelays {
    Table,
    MessageId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageRelays::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessageRelays::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MessageRelays::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageRelays::Table).to_owned())
            .await
    }
}
