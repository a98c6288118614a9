//! The material library's rows (uploaded media with tags) and every host file a task has posted.

use sqlx::{QueryBuilder, Sqlite};

use super::{Store, StoreError};

/// A file of the material library.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct MaterialRow {
    pub id: i64,
    /// Where the host keeps it.
    pub path: String,
    pub original_name: String,
    /// "video" or "image".
    pub kind: String,
    pub size: i64,
    /// Comma-separated.
    pub tags: String,
    /// When it was added (RFC 3339).
    #[serde(serialize_with = "crate::clock::as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    /// When a task last posted it (RFC 3339), if ever.
    #[serde(serialize_with = "crate::clock::as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<i64>,
}

const MATERIAL_COLUMNS: &str = "id, path, original_name, kind, size, tags, created_at, used_at";

impl Store {
    pub async fn insert_material(
        &self,
        path: &str,
        original_name: &str,
        kind: &str,
        size: i64,
        tags: &str,
        now: i64,
    ) -> Result<MaterialRow, StoreError> {
        let sql = format!(
            "INSERT INTO materials (path, original_name, kind, size, tags, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             RETURNING {MATERIAL_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(path)
            .bind(original_name)
            .bind(kind)
            .bind(size)
            .bind(tags)
            .bind(now)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn materials(&self) -> Result<Vec<MaterialRow>, StoreError> {
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials ORDER BY id");
        Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
    }

    pub async fn material(&self, id: i64) -> Result<Option<MaterialRow>, StoreError> {
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials WHERE id = ?");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn delete_material(&self, id: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query("DELETE FROM materials WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }

    /// Takes up to `count` unused library files of `kind` carrying any of `tags` (all files when
    /// `tags` is empty) for task `task_id`, oldest first. One statement, so two tasks running at
    /// once never take the same file; a file taken by a task that is no longer running is free again.
    pub async fn take_materials(
        &self,
        kind: &str,
        tags: &[String],
        count: u32,
        task_id: i64,
    ) -> Result<Vec<MaterialRow>, StoreError> {
        let mut q = QueryBuilder::<Sqlite>::new("UPDATE materials SET taken_by = ");
        q.push_bind(task_id);
        q.push(" WHERE id IN (SELECT id FROM materials WHERE used_at IS NULL AND kind = ");
        q.push_bind(kind.to_owned());
        q.push(" AND (taken_by IS NULL OR taken_by = ");
        q.push_bind(task_id);
        q.push(" OR taken_by NOT IN (SELECT id FROM tasks WHERE status = 1))");
        if !tags.is_empty() {
            q.push(" AND (");
            let mut any = q.separated(" OR ");
            for tag in tags {
                any.push("(',' || tags || ',') LIKE ");
                any.push_bind_unseparated(format!("%,{tag},%"));
            }
            q.push(")");
        }
        q.push(" ORDER BY id LIMIT ");
        q.push_bind(i64::from(count));
        q.push(format!(") RETURNING {MATERIAL_COLUMNS}"));
        let mut rows: Vec<MaterialRow> = q.build_query_as().fetch_all(&self.pool).await?;
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    }

    /// Which of these host paths some task has posted.
    pub async fn used_paths(&self, paths: &[String]) -> Result<Vec<String>, StoreError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT path FROM used_paths WHERE path IN (");
        let mut list = q.separated(", ");
        for p in paths {
            list.push_bind(p.clone());
        }
        q.push(")");
        Ok(q.build_query_scalar().fetch_all(&self.pool).await?)
    }

    /// Records posted paths (and marks library materials among them used).
    pub async fn mark_used(
        &self,
        paths: &[String],
        task_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for p in paths {
            sqlx::query(
                "INSERT OR REPLACE INTO used_paths (path, task_id, used_at) VALUES (?, ?, ?)",
            )
            .bind(p)
            .bind(task_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE materials SET used_at = ? WHERE path = ? AND used_at IS NULL")
                .bind(now)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn library(store: &Store) {
        for (i, tags) in ["dance", "dance,fyp", "food"].iter().enumerate() {
            store
                .insert_material(&format!("/lib/{i}.mp4"), "x.mp4", "video", 1, tags, 0)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn two_running_tasks_never_take_the_same_file() {
        let store = Store::in_memory().await.unwrap();
        library(&store).await;
        let ids = store.insert_tasks(&[task(), task()], 0).await.unwrap();
        for id in &ids {
            store.mark_running(*id, 1).await.unwrap();
        }
        let dance = ["dance".to_string()];
        let first = store
            .take_materials("video", &dance, 1, ids[0])
            .await
            .unwrap();
        let second = store
            .take_materials("video", &dance, 1, ids[1])
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(second.len(), 1);
        assert_ne!(first[0].path, second[0].path);
        assert!(
            store
                .take_materials("video", &dance, 1, ids[1] + 5)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_file_taken_by_a_finished_task_is_free_again_until_posted() {
        let store = Store::in_memory().await.unwrap();
        library(&store).await;
        let ids = store.insert_tasks(&[task(), task()], 0).await.unwrap();
        let food = ["food".to_string()];
        store.mark_running(ids[0], 1).await.unwrap();
        let taken = store
            .take_materials("video", &food, 1, ids[0])
            .await
            .unwrap();
        store
            .finish(
                ids[0],
                &crate::store::Outcome::Failed {
                    error: "x".into(),
                    kind: crate::store::ErrorKind::Script,
                },
                2,
            )
            .await
            .unwrap();
        store.mark_running(ids[1], 3).await.unwrap();
        let again = store
            .take_materials("video", &food, 1, ids[1])
            .await
            .unwrap();
        assert_eq!(again[0].path, taken[0].path);
        store
            .mark_used(&[again[0].path.clone()], ids[1], 4)
            .await
            .unwrap();
        assert!(
            store
                .take_materials("video", &food, 1, ids[1])
                .await
                .unwrap()
                .is_empty()
        );
    }

    fn task() -> crate::store::NewTask {
        crate::store::NewTask {
            serial: "a".into(),
            username: None,
            app: crate::apps::App::Tiktok,
            script_name: "post".into(),
            script_config: "{}".into(),
            source: "api".into(),
            start_at: 0,
            secrets: Vec::new(),
        }
    }
}
