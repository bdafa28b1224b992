//! Stories with their views, likes and comments.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Stories {
    Table,
    Id,
    AuthorId,
    Body,
    MediaUrl,
    MediaType,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StoryViews {
    Table,
    StoryId,
    UserId,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum StoryLikes {
    Table,
    StoryId,
    UserId,
    At,
}

#[derive(DeriveIden)]
enum StoryComments {
    Table,
    Id,
    StoryId,
    AuthorId,
    Body,
    CreatedAt,
}

/// A `(story_id, user_id, at)` table: views and likes share the shape.
fn marks(
    table: impl IntoIden + Copy,
    story: impl IntoIden + Copy,
    user: impl IntoIden + Copy,
    at: impl IntoIden,
) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(ColumnDef::new(story).uuid().not_null())
        .col(ColumnDef::new(user).uuid().not_null())
        .col(ColumnDef::new(at).big_integer().not_null())
        .primary_key(Index::create().col(story).col(user))
        .foreign_key(
            ForeignKey::create()
                .from(table, story)
                .to(Stories::Table, Stories::Id),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stories::Table)
                    .col(ColumnDef::new(Stories::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Stories::AuthorId).uuid().not_null())
                    .col(ColumnDef::new(Stories::Body).text().null())
                    .col(ColumnDef::new(Stories::MediaUrl).string_len(2048).null())
                    .col(ColumnDef::new(Stories::MediaType).string_len(255).null())
                    .col(ColumnDef::new(Stories::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Stories::ExpiresAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stories_author_expiry")
                    .table(Stories::Table)
                    .col(Stories::AuthorId)
                    .col(Stories::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(marks(
                StoryViews::Table,
                StoryViews::StoryId,
                StoryViews::UserId,
                StoryViews::At,
            ))
            .await?;
        manager
            .create_table(marks(
                StoryLikes::Table,
                StoryLikes::StoryId,
                StoryLikes::UserId,
                StoryLikes::At,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StoryComments::Table)
                    .col(
                        ColumnDef::new(StoryComments::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(StoryComments::StoryId).uuid().not_null())
                    .col(ColumnDef::new(StoryComments::AuthorId).uuid().not_null())
                    .col(ColumnDef::new(StoryComments::Body).text().not_null())
                    .col(
                        ColumnDef::new(StoryComments::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StoryComments::Table, StoryComments::StoryId)
                            .to(Stories::Table, Stories::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StoryComments::Table.into_iden(),
            StoryLikes::Table.into_iden(),
            StoryViews::Table.into_iden(),
            Stories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
