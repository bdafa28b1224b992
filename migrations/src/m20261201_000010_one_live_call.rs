//! Nobody takes part in two live calls: a unique index over the live
//! participations makes the busy rule the database's, so two invites racing
//! for the same person cannot both succeed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Should an earlier race have left someone in two live calls, the
        // older participation stops counting as live.
        db.execute_unprepared(
            "UPDATE call_participants SET live = false WHERE live AND EXISTS ( \
             SELECT 1 FROM call_participants newer WHERE newer.user_id = call_participants.user_id \
             AND newer.live AND newer.call_id > call_participants.call_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_call_participants_one_live \
             ON call_participants (user_id) WHERE live",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_call_participants_one_live")
            .await?;
        Ok(())
    }
}
