//! Device groups: named sets of phones, by serial, in the order given; a phone may be in several.

use super::{Store, StoreError};

/// A device group.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    /// Its phones' serials, in the order given.
    #[sqlx(json)]
    pub serials: Vec<String>,
    /// When it was made (RFC 3339).
    #[serde(serialize_with = "crate::clock::as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// Every group with its members as a JSON array, in the given order.
const SELECT: &str = "SELECT g.id, g.name, g.created_at, \
     (SELECT json_group_array(serial) FROM \
        (SELECT serial FROM device_group_members m WHERE m.group_id = g.id ORDER BY position)) AS serials \
     FROM device_groups g";

impl Store {
    pub async fn groups(&self) -> Result<Vec<GroupRow>, StoreError> {
        Ok(sqlx::query_as(&format!("{SELECT} ORDER BY g.id"))
            .fetch_all(&self.pool)
            .await?)
    }

    /// The group of this name (case-insensitive).
    pub async fn group_by_name(&self, name: &str) -> Result<Option<GroupRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("{SELECT} WHERE lower(g.name) = lower(?)"))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn group(&self, id: i64) -> Result<Option<GroupRow>, StoreError> {
        Ok(sqlx::query_as(&format!("{SELECT} WHERE g.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Makes a group; `None` when the name is taken.
    pub async fn insert_group(
        &self,
        name: &str,
        serials: &[String],
        now: i64,
    ) -> Result<Option<GroupRow>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO device_groups (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        set_members(&mut tx, id, serials).await?;
        tx.commit().await?;
        self.group(id).await
    }

    /// Renames a group and/or replaces its phones (`None` leaves either as it is).
    pub async fn update_group(
        &self,
        id: i64,
        name: Option<&str>,
        serials: Option<&[String]>,
    ) -> Result<GroupUpdate, StoreError> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM device_groups WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(GroupUpdate::NotFound);
        }
        if let Some(name) = name {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM device_groups WHERE lower(name) = lower(?) AND id != ?",
            )
            .bind(name)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Ok(GroupUpdate::NameTaken);
            }
            sqlx::query("UPDATE device_groups SET name = ? WHERE id = ?")
                .bind(name)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(serials) = serials {
            set_members(&mut tx, id, serials).await?;
        }
        tx.commit().await?;
        Ok(match self.group(id).await? {
            Some(group) => GroupUpdate::Done(group),
            None => GroupUpdate::NotFound,
        })
    }

    pub async fn delete_group(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM device_groups WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// What an update did.
#[derive(Debug)]
pub enum GroupUpdate {
    Done(GroupRow),
    NotFound,
    NameTaken,
}

/// Replaces the phones of group `id` with `serials`, in order.
async fn set_members(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    id: i64,
    serials: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM device_group_members WHERE group_id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (position, serial) in serials.iter().enumerate() {
        sqlx::query(
            "INSERT INTO device_group_members (group_id, position, serial) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(serial)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
