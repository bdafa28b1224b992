//! Moderation: banned accounts and reports.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    BannedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ReporterId,
    TargetType,
    TargetId,
    Reason,
    Details,
    Status,
    Action,
    Note,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::BannedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(ColumnDef::new(Reports::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Reports::ReporterId).uuid().not_null())
                    .col(
                        ColumnDef::new(Reports::TargetType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Reports::TargetId).uuid().not_null())
                    .col(ColumnDef::new(Reports::Reason).string_len(200).not_null())
                    .col(ColumnDef::new(Reports::Details).text().null())
                    .col(ColumnDef::new(Reports::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Reports::Action).string_len(16).null())
                    .col(ColumnDef::new(Reports::Note).text().null())
                    .col(ColumnDef::new(Reports::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Reports::ResolvedAt).big_integer().null())
                    .col(ColumnDef::new(Reports::ResolvedBy).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_status")
                    .table(Reports::Table)
                    .col(Reports::Status)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::BannedAt)
                    .to_owned(),
            )
            .await
    }
}
