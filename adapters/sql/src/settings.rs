//! Settings kept in the database, so every node of a cluster reads the same
//! value without configuring it (the generated JWT secret).

use crate::database::SqlDatabase;
use crate::entity::setting;
use crate::error::StoreResult;
use chatchit_domain::StoreError;
use sea_orm::{ActiveValue::Set, EntityTrait};

impl SqlDatabase {
    /// The value stored under `key`; when there is none yet, stores
    /// `proposed` first. Whichever node writes first wins, and every node
    /// gets that value.
    ///
    /// # Errors
    /// When the database is unreachable.
    pub async fn setting_or_insert(&self, key: &str, proposed: &str) -> Result<String, StoreError> {
        {
            let _turn = self.write_turn().await;
            let row = setting::ActiveModel {
                key: Set(key.to_owned()),
                value: Set(proposed.to_owned()),
            };
            setting::Entity::insert(row)
                .on_conflict_do_nothing_on([setting::Column::Key])
                .exec_without_returning(self.connection())
                .await
                .store()?;
        }
        setting::Entity::find_by_id(key.to_owned())
            .one(self.connection())
            .await
            .store()?
            .map(|row| row.value)
            .ok_or_else(|| StoreError::Internal(format!("setting {key} vanished")))
    }
}
