//! Device groups: named sets of phones, by serial, in the order given; a phone may be in several.

use super::{Backend, Store, StoreError, on_pool};

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
/// A group's row with its members as a JSON array in their order, as each backend builds JSON.
fn select(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT g.id, g.name, g.created_at, \
             (SELECT json_group_array(serial) FROM \
                (SELECT serial FROM device_group_members m WHERE m.group_id = g.id ORDER BY position)) AS serials \
             FROM device_groups g"
        }
        Backend::Postgres => {
            "SELECT g.id, g.name, g.created_at, \
             (SELECT COALESCE(json_agg(serial ORDER BY position), '[]') \
                FROM device_group_members m WHERE m.group_id = g.id) AS serials \
             FROM device_groups g"
        }
    }
}

/// Replaces group `$id`'s members with `$serials`, in order, inside the open transaction `$tx`
/// (a macro: the transaction's type is the backend's).
macro_rules! set_members {
    ($tx:ident, $id:expr, $serials:expr) => {
        sqlx::query("DELETE FROM device_group_members WHERE group_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for (position, serial) in $serials.iter().enumerate() {
            sqlx::query(
                "INSERT INTO device_group_members (group_id, position, serial) VALUES ($1, $2, $3)",
            )
            .bind($id)
            .bind(position as i64)
            .bind(serial)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

impl Store {
    pub async fn groups(&self) -> Result<Vec<GroupRow>, StoreError> {
        let sql = format!("{} ORDER BY g.id", select(self.backend()));
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .fetch_all(pool)
            .await?))
    }

    /// The group of this name (case-insensitive).
    pub async fn group_by_name(&self, name: &str) -> Result<Option<GroupRow>, StoreError> {
        let sql = format!("{} WHERE lower(g.name) = lower($1)", select(self.backend()));
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(name)
            .fetch_optional(pool)
            .await?))
    }

    async fn group(&self, id: i64) -> Result<Option<GroupRow>, StoreError> {
        let sql = format!("{} WHERE g.id = $1", select(self.backend()));
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Makes a group; `None` when the name is taken.
    pub async fn insert_group(
        &self,
        name: &str,
        serials: &[String],
        now: i64,
    ) -> Result<Option<GroupRow>, StoreError> {
        let id = on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO device_groups (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            set_members!(tx, id, serials);
            tx.commit().await?;
            id
        });
        self.group(id).await
    }

    /// Renames a group and/or replaces its phones (`None` leaves either as it is).
    pub async fn update_group(
        &self,
        id: i64,
        name: Option<&str>,
        serials: Option<&[String]>,
    ) -> Result<GroupUpdate, StoreError> {
        on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM device_groups WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Ok(GroupUpdate::NotFound);
            }
            if let Some(name) = name {
                let taken: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM device_groups WHERE lower(name) = lower($1) AND id != $2",
                )
                .bind(name)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_some() {
                    return Ok(GroupUpdate::NameTaken);
                }
                sqlx::query("UPDATE device_groups SET name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(serials) = serials {
                set_members!(tx, id, serials);
            }
            tx.commit().await?;
        });
        Ok(match self.group(id).await? {
            Some(group) => GroupUpdate::Done(group),
            None => GroupUpdate::NotFound,
        })
    }

    pub async fn delete_group(&self, id: i64) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "DELETE FROM device_groups WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(done == 1)
    }
}

/// What an update did.
#[derive(Debug)]
pub enum GroupUpdate {
    Done(GroupRow),
    NotFound,
    NameTaken,
}
