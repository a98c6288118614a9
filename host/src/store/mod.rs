//! Durable state in SQLite through sqlx: migrations, and every query the host runs.
//! The only module that writes SQL; callers get typed rows.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// A storage failure; always an internal error for API callers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

/// Task status codes, as the API shows them.
pub mod status {
    pub const PENDING: i64 = 0;
    pub const RUNNING: i64 = 1;
    pub const COMPLETED: i64 = 2;
    pub const FAILED: i64 = 3;
}

/// One stored task.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub serial: String,
    pub username: Option<String>,
    pub script_name: String,
    pub script_config: String,
    pub status: i64,
    pub source: String,
    pub start_at: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub retry_count: i64,
    pub progress_percent: Option<i64>,
    pub progress_message: Option<String>,
    pub error: Option<String>,
    pub result: Option<String>,
}

/// A task about to be inserted.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub serial: String,
    pub username: Option<String>,
    pub script_name: String,
    pub script_config: String,
    pub source: String,
    pub start_at: i64,
}

/// Filters of the task list; `None` matches everything.
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub status: Option<i64>,
    pub serial: Option<String>,
    pub script_name: Option<String>,
    pub source: Option<String>,
}

/// Counts by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub total: i64,
    pub pending: i64,
    pub running: i64,
    pub completed: i64,
    pub failed: i64,
}

/// One line of a task's log.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LogRow {
    pub at: i64,
    pub level: String,
    pub message: String,
}

/// An account signed in on a phone.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub serial: String,
    pub app: String,
    pub package: Option<String>,
    pub created_at: i64,
}

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
    pub created_at: i64,
    pub used_at: Option<i64>,
}

/// How a run ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Completed { result: String },
    Failed { error: String },
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

const TASK_COLUMNS: &str = "id, serial, username, script_name, script_config, status, source, start_at, \
     created_at, started_at, finished_at, retry_count, progress_percent, progress_message, error, result";

impl Store {
    /// Opens (creating if needed) `DATA_DIR/phonefleet.db` in WAL mode and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(data_dir.join("phonefleet.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Checkpoints run in the background (below), not inside whichever commit crosses the
            // threshold: that commit's fsync was the tail of dispatch latency (BENCHMARKS.md, figure 2).
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        tokio::spawn(checkpoint_wal(pool.clone()));
        Ok(Store { pool })
    }

    /// Inserts all tasks in one transaction: all or none. Returns their ids in order.
    ///
    /// One multi-row `INSERT … RETURNING id` per chunk rather than one statement per task: a request
    /// for 100 phones is one round trip to SQLite's worker, not 100.
    pub async fn insert_tasks(&self, tasks: &[NewTask], now: i64) -> Result<Vec<i64>, StoreError> {
        /// Rows per statement: 7 parameters each, well under SQLite's 32,766.
        const CHUNK: usize = 1000;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(tasks.len());
        for chunk in tasks.chunks(CHUNK) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO tasks (serial, username, script_name, script_config, source, start_at, created_at) ",
            );
            insert.push_values(chunk, |mut row, t| {
                row.push_bind(&t.serial)
                    .push_bind(&t.username)
                    .push_bind(&t.script_name)
                    .push_bind(&t.script_config)
                    .push_bind(&t.source)
                    .push_bind(t.start_at)
                    .push_bind(now);
            });
            insert.push(" RETURNING id");
            let mut chunk_ids: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
            // RETURNING's row order is unspecified, but rows are inserted in VALUES order with
            // increasing ids (AUTOINCREMENT, under the write lock): sorted ids are in input order.
            chunk_ids.sort_unstable();
            ids.extend(chunk_ids);
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn task(&self, id: i64) -> Result<Option<TaskRow>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// One page of tasks, newest first, and how many match in all.
    pub async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: u32,
        page_size: u32,
    ) -> Result<(i64, Vec<TaskRow>), StoreError> {
        // Counted from the per-combination totals the triggers keep (migration 0004), not row by row.
        let mut count =
            QueryBuilder::<Sqlite>::new("SELECT COALESCE(SUM(n), 0) FROM task_counts WHERE 1=1");
        push_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut select =
            QueryBuilder::<Sqlite>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE 1=1"));
        push_filter(&mut select, filter);
        select
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(page_size));
        select
            .push(" OFFSET ")
            .push_bind(i64::from(page.saturating_sub(1)) * i64::from(page_size));
        let rows = select.build_query_as().fetch_all(&self.pool).await?;
        Ok((total, rows))
    }

    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM tasks GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        let mut stats = Stats::default();
        for (code, n) in rows {
            stats.total += n;
            match code {
                status::PENDING => stats.pending = n,
                status::RUNNING => stats.running = n,
                status::COMPLETED => stats.completed = n,
                status::FAILED => stats.failed = n,
                _ => {}
            }
        }
        Ok(stats)
    }

    /// Each phone's next pending task whose start has come: smallest (start_at, id) per serial.
    pub async fn due_tasks(&self, now: i64) -> Result<Vec<TaskRow>, StoreError> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t INDEXED BY tasks_pending_start WHERE t.status = 0 AND t.start_at <= ?1 AND t.id = \
               (SELECT u.id FROM tasks u WHERE u.status = 0 AND u.serial = t.serial AND u.start_at <= ?1 \
                ORDER BY u.start_at, u.id LIMIT 1)"
        );
        Ok(sqlx::query_as(&sql).bind(now).fetch_all(&self.pool).await?)
    }

    /// When the earliest pending task that is not yet due becomes due.
    pub async fn next_start_after(&self, now: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar(
                "SELECT MIN(start_at) FROM tasks INDEXED BY tasks_pending_start WHERE status = 0 AND start_at > ?",
            )
                .bind(now)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Moves a pending task to running; false if it was no longer pending.
    pub async fn mark_running(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tasks SET status = 1, started_at = ?, finished_at = NULL, progress_percent = 0, \
             progress_message = NULL WHERE id = ? AND status = 0",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how a running task ended.
    pub async fn finish(&self, id: i64, outcome: &Outcome, now: i64) -> Result<(), StoreError> {
        let (code, error, result) = match outcome {
            Outcome::Completed { result } => (status::COMPLETED, None, Some(result.as_str())),
            Outcome::Failed { error } => (status::FAILED, Some(error.as_str()), None),
        };
        let percent = (code == status::COMPLETED).then_some(100);
        sqlx::query(
            "UPDATE tasks SET status = ?, error = ?, result = ?, finished_at = ?, \
             progress_percent = COALESCE(?, progress_percent) WHERE id = ? AND status = 1",
        )
        .bind(code)
        .bind(error)
        .bind(result)
        .bind(now)
        .bind(percent)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_progress(
        &self,
        id: i64,
        percent: u8,
        message: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE tasks SET progress_percent = ?, progress_message = ? WHERE id = ?")
            .bind(i64::from(percent))
            .bind(message)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn append_log(
        &self,
        task_id: i64,
        level: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO task_logs (task_id, at, level, message) VALUES (?, ?, ?, ?)")
            .bind(task_id)
            .bind(now)
            .bind(level)
            .bind(message)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn task_logs(&self, task_id: i64) -> Result<Vec<LogRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT at, level, message FROM task_logs WHERE task_id = ? ORDER BY id",
            )
            .bind(task_id)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    /// After a crash: tasks left running become failed; returns how many.
    pub async fn fail_interrupted(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE tasks SET status = 3, error = 'interrupted: host restarted', finished_at = ? WHERE status = 1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// Moves a pending task to failed with `error`; false if it was not pending.
    pub async fn fail_pending(&self, id: i64, error: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tasks SET status = 3, error = ?, finished_at = ? WHERE id = ? AND status = 0",
        )
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Failed tasks (all of them, or one) back to pending, due now, with `retry_count + 1`.
    /// Returns how many were retried.
    pub async fn retry(&self, id: Option<i64>, now: i64) -> Result<u64, StoreError> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "UPDATE tasks SET status = 0, retry_count = retry_count + 1, error = NULL, result = NULL, \
             started_at = NULL, finished_at = NULL, progress_percent = NULL, progress_message = NULL, start_at = ",
        );
        q.push_bind(now).push(" WHERE status = 3");
        if let Some(id) = id {
            q.push(" AND id = ").push_bind(id);
        }
        Ok(q.build().execute(&self.pool).await?.rows_affected())
    }

    /// Deletes tasks and their logs; returns how many tasks existed.
    pub async fn delete_tasks(&self, ids: &[i64]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut deleted = 0;
        for id in ids {
            sqlx::query("DELETE FROM task_logs WHERE task_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            deleted += sqlx::query("DELETE FROM tasks WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, username, serial, app, package, created_at FROM accounts ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The account with this username (case-insensitive, without '@').
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<AccountRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, username, serial, app, package, created_at FROM accounts WHERE lower(username) = lower(?) \
             ORDER BY id LIMIT 1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts an account; `None` if that username is already registered for the app.
    pub async fn insert_account(
        &self,
        username: &str,
        serial: &str,
        app: &str,
        package: Option<&str>,
        now: i64,
    ) -> Result<Option<AccountRow>, StoreError> {
        let inserted = sqlx::query_as(
            "INSERT INTO accounts (username, serial, app, package, created_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING id, username, serial, app, package, created_at",
        )
        .bind(username)
        .bind(serial)
        .bind(app)
        .bind(package)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(inserted)
    }

    pub async fn delete_account(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM accounts WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
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

    /// Unused library materials of `kind`, oldest first.
    pub async fn unused_materials(&self, kind: &str) -> Result<Vec<MaterialRow>, StoreError> {
        let sql = format!(
            "SELECT {MATERIAL_COLUMNS} FROM materials WHERE kind = ? AND used_at IS NULL ORDER BY id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(kind)
            .fetch_all(&self.pool)
            .await?)
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

/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Folds the WAL into the database now and then, off every request's path, until the pool closes.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        every.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!("WAL checkpoint failed (will retry): {e}");
        }
    }
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &TaskFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s);
    }
    if let Some(s) = &f.serial {
        q.push(" AND serial = ").push_bind(s.clone());
    }
    if let Some(s) = &f.script_name {
        q.push(" AND script_name = ").push_bind(s.clone());
    }
    if let Some(s) = &f.source {
        q.push(" AND source = ").push_bind(s.clone());
    }
}
