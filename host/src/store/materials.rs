//! The material library's rows (uploaded media with tags) and every host file a task has posted.

use sqlx::QueryBuilder;

use super::{Backend, Store, StoreError, on_pool};

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
    /// The host (node) whose disk holds the uploaded file at `path`; the fleet's other hosts
    /// fetch the file from the database.
    pub node: Option<String>,
}

/// A library file about to be recorded.
#[derive(Clone, Copy, Debug)]
pub struct NewMaterial<'a> {
    /// Where the uploading node keeps the file.
    pub path: &'a str,
    pub original_name: &'a str,
    /// `video` or `image`.
    pub kind: &'a str,
    /// Bytes.
    pub size: i64,
    /// Comma-separated, lowercase.
    pub tags: &'a str,
    /// The uploading node.
    pub node: &'a str,
}

const MATERIAL_COLUMNS: &str =
    "id, path, original_name, kind, size, tags, created_at, used_at, node";

impl Store {
    /// Records a library file. On PostgreSQL its `content` is kept too, in the same transaction, so
    /// that every node of the fleet can post it from the moment it is listed.
    pub async fn insert_material(
        &self,
        new: &NewMaterial<'_>,
        content: &[u8],
        now: i64,
    ) -> Result<MaterialRow, StoreError> {
        let sql = format!(
            "INSERT INTO materials (path, original_name, kind, size, tags, created_at, node) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {MATERIAL_COLUMNS}"
        );
        let keep_content = self.backend() == Backend::Postgres;
        on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            let row: MaterialRow = sqlx::query_as(&sql)
                .bind(new.path)
                .bind(new.original_name)
                .bind(new.kind)
                .bind(new.size)
                .bind(new.tags)
                .bind(now)
                .bind(new.node)
                .fetch_one(&mut *tx)
                .await?;
            if keep_content {
                sqlx::query("INSERT INTO material_files (material_id, content) VALUES ($1, $2)")
                    .bind(row.id)
                    .bind(content)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(row)
        })
    }

    pub async fn materials(&self) -> Result<Vec<MaterialRow>, StoreError> {
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials ORDER BY id");
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .fetch_all(pool)
            .await?))
    }

    pub async fn material(&self, id: i64) -> Result<Option<MaterialRow>, StoreError> {
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials WHERE id = $1");
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Material `id`'s file content as the database keeps it; None on SQLite, or when it has none.
    pub async fn material_content(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(pool) = self.postgres_pool() else {
            return Ok(None);
        };
        Ok(
            sqlx::query_scalar("SELECT content FROM material_files WHERE material_id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?,
        )
    }

    pub async fn delete_material(&self, id: i64) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "DELETE FROM materials WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(done == 1)
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
        // Two hosts taking at once on PostgreSQL: a row another host's open take holds is skipped,
        // not taken twice (SQLite has one writer at a time).
        let skip_locked = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let mut rows: Vec<MaterialRow> = on_pool!(self, |pool, Db| {
            let mut q = QueryBuilder::<Db>::new("UPDATE materials SET taken_by = ");
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
            q.push(skip_locked);
            q.push(format!(") RETURNING {MATERIAL_COLUMNS}"));
            q.build_query_as().fetch_all(pool).await?
        });
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    }

    /// Which of these host paths some task has posted.
    pub async fn used_paths(&self, paths: &[String]) -> Result<Vec<String>, StoreError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, |pool, Db| {
            let mut q = QueryBuilder::<Db>::new("SELECT path FROM used_paths WHERE path IN (");
            let mut list = q.separated(", ");
            for p in paths {
                list.push_bind(p.clone());
            }
            q.push(")");
            Ok(q.build_query_scalar().fetch_all(pool).await?)
        })
    }

    /// Records posted paths (and marks library materials among them used).
    pub async fn mark_used(
        &self,
        paths: &[String],
        task_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            for p in paths {
                sqlx::query(
                    "INSERT INTO used_paths (path, task_id, used_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (path) DO UPDATE SET task_id = excluded.task_id, used_at = excluded.used_at",
                )
                .bind(p)
                .bind(task_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE materials SET used_at = $1 WHERE path = $2 AND used_at IS NULL",
                )
                .bind(now)
                .bind(p)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn library(store: &Store) {
        for (i, tags) in ["dance", "dance,fyp", "food"].iter().enumerate() {
            store
                .insert_material(
                    &NewMaterial {
                        path: &format!("/lib/{i}.mp4"),
                        original_name: "x.mp4",
                        kind: "video",
                        size: 1,
                        tags,
                        node: "n1",
                    },
                    b"",
                    0,
                )
                .await
                .unwrap();
        }
    }

    crate::store::both_backends! {
        async fn two_running_tasks_never_take_the_same_file(store: Store) {
            library(&store).await;
            let ids = store.insert_tasks(&[task(), task()], 0).await.unwrap();
            for id in &ids {
                store.mark_running(*id, 1, "n1").await.unwrap();
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
        async fn a_file_taken_by_a_finished_task_is_free_again_until_posted(store: Store) {
            library(&store).await;
            let ids = store.insert_tasks(&[task(), task()], 0).await.unwrap();
            let food = ["food".to_string()];
            store.mark_running(ids[0], 1, "n1").await.unwrap();
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
                    2, "n1")
                .await
                .unwrap();
            store.mark_running(ids[1], 3, "n1").await.unwrap();
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
    }

    /// A post task on a phone of its own (a phone runs one task at a time).
    fn task() -> crate::store::NewTask {
        static PHONE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = PHONE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::store::NewTask {
            serial: format!("phone-{n}"),
            username: None,
            app: crate::apps::App::Tiktok,
            script_name: "post".into(),
            script_config: "{}".into(),
            source: "api".into(),
            start_at: 0,
            secrets: Vec::new(),
            pinned_node: None,
        }
    }
}
