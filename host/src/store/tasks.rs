//! Tasks: the queue's rows, their lifecycle (`TaskStatus`), and every query on them — insert a
//! request's tasks at once, the dispatcher's due tasks per phone, finish, retry, delete, list, count.

use sqlx::QueryBuilder;

use super::{Backend, Store, StoreError, on_pool, secrets};
use crate::apps::App;

/// Where a task is in its life. Stored as the integer the API shows (`status`).
///
/// SQL in this module writes these as the literals 0..3: SQLite matches a partial index (such as
/// `tasks_pending_start … WHERE status = 0`, migration 0004) only against a literal, not a bound
/// parameter. `a_status_is_stored_as_its_api_number` keeps the two in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type)]
#[repr(i64)]
pub enum TaskStatus {
    /// Waiting for its start time and an idle, online phone. The dispatcher moves it to Running;
    /// stop and delete take it out; a run that found its phone gone before doing anything puts it back.
    Pending = 0,
    /// Its plugin runs on its phone. The run's end moves it to Completed or Failed; a host that
    /// stopped while it ran fails it at the next start.
    Running = 1,
    /// The script returned a result. Final.
    Completed = 2,
    /// The script failed, was stopped, or its phone went away. Retry moves it back to Pending.
    Failed = 3,
}

impl TaskStatus {
    /// Every status, in API order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Pending,
        TaskStatus::Running,
        TaskStatus::Completed,
        TaskStatus::Failed,
    ];

    /// The status the API numbers `code` (0..=3).
    pub fn from_code(code: i64) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The API's number for the status.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The API's word for the status (`status_text`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Running => "running",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
        }
    }
}

impl<'de> serde::Deserialize<'de> for TaskStatus {
    /// From the API's number.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(d)?;
        TaskStatus::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("no task status {code}")))
    }
}

impl serde::Serialize for TaskStatus {
    /// As the API's number.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

/// Why a task failed, in one word clients can branch on (the task's `error_kind`), stored as that
/// word.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum ErrorKind {
    /// The script found its config unusable.
    Config,
    /// The phone: offline, not ready (locked with a PIN, input refused), or failing the script.
    Device,
    /// The app refused: a rate limit, a captcha, a block.
    Protection,
    /// The run passed its time limit.
    Timeout,
    /// The script trapped: a panic, a stack overflow, memory past its limit.
    Crash,
    /// Stopped by a person or by the host going down.
    Stopped,
    /// The script gave up for any other reason.
    Script,
}

/// One stored task. Times are Unix milliseconds.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub serial: String,
    pub username: Option<String>,
    pub app: App,
    pub script_name: String,
    pub script_config: String,
    pub status: TaskStatus,
    pub source: String,
    pub start_at: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub retry_count: i64,
    pub progress_percent: Option<i64>,
    pub progress_message: Option<String>,
    pub error: Option<String>,
    pub error_kind: Option<ErrorKind>,
    pub result: Option<String>,
    /// The config's secrets, sealed (see [`Store::open_secrets`]).
    pub secrets: Option<String>,
}

/// A task about to be inserted.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub serial: String,
    pub username: Option<String>,
    pub app: App,
    pub script_name: String,
    pub script_config: String,
    pub source: String,
    pub start_at: i64,
    /// The config's secrets in the clear, as (JSON Pointer, value): sealed on insert.
    pub secrets: Vec<(String, String)>,
    /// The node the task must run on (its config names files on that node's disk); None: any.
    pub pinned_node: Option<String>,
}

/// Filters of the task list; `None` matches everything.
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
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

/// How a run ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Completed { result: String },
    Failed { error: String, kind: ErrorKind },
}

const TASK_COLUMNS: &str = "id, serial, username, app, script_name, script_config, status, source, start_at, \
     created_at, started_at, finished_at, retry_count, progress_percent, progress_message, error, error_kind, result, secrets";

impl Store {
    /// `secrets` sealed as a JSON object {pointer: sealed}; `None` when there are none.
    fn seal_secrets(&self, secrets: &[(String, String)]) -> Option<String> {
        if secrets.is_empty() {
            return None;
        }
        let sealed: serde_json::Map<String, serde_json::Value> = secrets
            .iter()
            .map(|(pointer, plain)| (pointer.clone(), self.secrets.seal(plain).into()))
            .collect();
        Some(serde_json::Value::Object(sealed).to_string())
    }

    /// The secrets of a task row in the clear, as (JSON Pointer, value).
    pub fn open_secrets(&self, row: &TaskRow) -> Result<Vec<(String, String)>, StoreError> {
        let Some(sealed) = &row.secrets else {
            return Ok(Vec::new());
        };
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(sealed).map_err(|_| secrets::SecretError::Open)?;
        map.iter()
            .map(|(pointer, value)| {
                let plain = self.secrets.open(value.as_str().unwrap_or_default())?;
                Ok((pointer.clone(), plain))
            })
            .collect()
    }

    /// Inserts all tasks in one transaction: all or none. Returns their ids in order.
    ///
    /// One multi-row `INSERT … RETURNING id` per chunk rather than one statement per task: a request
    /// for 100 phones is one round trip to the database, not 100.
    pub async fn insert_tasks(&self, tasks: &[NewTask], now: i64) -> Result<Vec<i64>, StoreError> {
        /// Rows per statement: 10 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.
        const CHUNK: usize = 1000;
        on_pool!(self, |pool, Db| {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(tasks.len());
            for chunk in tasks.chunks(CHUNK) {
                let mut insert = QueryBuilder::<Db>::new(
                    "INSERT INTO tasks (serial, username, app, script_name, script_config, source, start_at, created_at, secrets, pinned_node) ",
                );
                insert.push_values(chunk, |mut row, t| {
                    row.push_bind(&t.serial)
                        .push_bind(&t.username)
                        .push_bind(t.app)
                        .push_bind(&t.script_name)
                        .push_bind(&t.script_config)
                        .push_bind(&t.source)
                        .push_bind(t.start_at)
                        .push_bind(now)
                        .push_bind(self.seal_secrets(&t.secrets))
                        .push_bind(&t.pinned_node);
                });
                insert.push(" RETURNING id");
                let mut chunk_ids: Vec<i64> =
                    insert.build_query_scalar().fetch_all(&mut *tx).await?;
                // RETURNING's row order is unspecified, but rows are inserted in VALUES order with
                // increasing ids (SQLite's AUTOINCREMENT, PostgreSQL's identity sequence): sorted
                // ids are in input order.
                chunk_ids.sort_unstable();
                ids.extend(chunk_ids);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// One task, if it exists.
    pub async fn task(&self, id: i64) -> Result<Option<TaskRow>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1");
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// One page of tasks, newest first, and how many match in all.
    pub async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: u32,
        page_size: u32,
    ) -> Result<(i64, Vec<TaskRow>), StoreError> {
        on_pool!(self, |pool, Db| {
            // Counted from the per-combination totals the triggers keep (migration 0004), not row
            // by row.
            let mut count = QueryBuilder::<Db>::new(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM task_counts WHERE 1=1",
            );
            push_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut select =
                QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE 1=1"));
            push_filter(&mut select, filter);
            select
                .push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(page_size));
            select
                .push(" OFFSET ")
                .push_bind(i64::from(page.saturating_sub(1)) * i64::from(page_size));
            let rows = select.build_query_as().fetch_all(pool).await?;
            Ok((total, rows))
        })
    }

    /// How many tasks wait (pending) on each phone that has any, from `task_counts`.
    pub async fn pending_by_serial(&self) -> Result<Vec<(String, i64)>, StoreError> {
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(
            "SELECT serial, CAST(SUM(n) AS BIGINT) FROM task_counts WHERE status = 0 \
             GROUP BY serial HAVING SUM(n) > 0",
        )
        .fetch_all(pool)
        .await?))
    }

    /// Counts by status, from the trigger-kept `task_counts` (the same numbers the list's `total` uses).
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let rows: Vec<(TaskStatus, i64)> = on_pool!(self, |pool, _Db| sqlx::query_as(
            "SELECT status, CAST(SUM(n) AS BIGINT) FROM task_counts GROUP BY status"
        )
        .fetch_all(pool)
        .await?);
        let mut stats = Stats::default();
        for (status, n) in rows {
            stats.total += n;
            match status {
                TaskStatus::Pending => stats.pending = n,
                TaskStatus::Running => stats.running = n,
                TaskStatus::Completed => stats.completed = n,
                TaskStatus::Failed => stats.failed = n,
            }
        }
        Ok(stats)
    }

    /// Each phone's next pending task whose start has come, among those `node` may run (not pinned
    /// to another node): smallest (start_at, id) per serial.
    pub async fn due_tasks(&self, now: i64, node: &str) -> Result<Vec<TaskRow>, StoreError> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t {} WHERE t.status = 0 AND t.start_at <= $1 AND t.id = \
               (SELECT u.id FROM tasks u WHERE u.status = 0 AND u.serial = t.serial AND u.start_at <= $1 \
                AND (u.pinned_node IS NULL OR u.pinned_node = $2) \
                ORDER BY u.start_at, u.id LIMIT 1)",
            self.pending_index()
        );
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(now)
            .bind(node)
            .fetch_all(pool)
            .await?))
    }

    /// When the earliest pending task that is not yet due becomes due.
    pub async fn next_start_after(&self, now: i64) -> Result<Option<i64>, StoreError> {
        let sql = format!(
            "SELECT MIN(start_at) FROM tasks {} WHERE status = 0 AND start_at > $1",
            self.pending_index()
        );
        on_pool!(self, |pool, _Db| Ok(sqlx::query_scalar(&sql)
            .bind(now)
            .fetch_one(pool)
            .await?))
    }

    /// SQLite's `INDEXED BY` naming the pending tasks' partial index: its planner otherwise scans
    /// `tasks_due` at a million tasks (BENCHMARKS.md, figure 7). PostgreSQL has no such clause and
    /// picks the partial index itself.
    fn pending_index(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "INDEXED BY tasks_pending_start",
            Backend::Postgres => "",
        }
    }

    /// Moves a pending task to running on `node`; false if it was no longer pending, or another task
    /// already runs on its phone (whichever node runs it: the unique index
    /// `tasks_one_running_per_phone` refuses the second claim).
    pub async fn mark_running(&self, id: i64, now: i64, node: &str) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE tasks SET status = 1, node = $3, started_at = $1, finished_at = NULL, \
             progress_percent = 0, progress_message = NULL WHERE id = $2 AND status = 0",
        )
        .bind(now)
        .bind(id)
        .bind(node)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()));
        match done {
            Ok(rows) => Ok(rows == 1),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Puts a running task of `node` back in the queue, as it was before it was dispatched: its run
    /// found the phone gone before it did anything. False if it was not running there.
    pub async fn return_to_pending(&self, id: i64, node: &str) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| {
            sqlx::query(
            "UPDATE tasks SET status = 0, node = NULL, started_at = NULL, progress_percent = NULL, \
             progress_message = NULL WHERE id = $1 AND status = 1 AND node = $2",
        )
        .bind(id)
        .bind(node)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records how a running task ended, if `node` still runs it: a node declared lost whose tasks
    /// another node failed meanwhile does not overwrite them. False if nothing was recorded.
    pub async fn finish(
        &self,
        id: i64,
        outcome: &Outcome,
        now: i64,
        node: &str,
    ) -> Result<bool, StoreError> {
        let (status, error, kind, result) = match outcome {
            Outcome::Completed { result } => {
                (TaskStatus::Completed, None, None, Some(result.as_str()))
            }
            Outcome::Failed { error, kind } => {
                (TaskStatus::Failed, Some(error.as_str()), Some(*kind), None)
            }
        };
        let percent: Option<i64> = (status == TaskStatus::Completed).then_some(100);
        let done = on_pool!(self, |pool, _Db| {
            sqlx::query(
            "UPDATE tasks SET status = $1, error = $2, error_kind = $3, result = $4, finished_at = $5, \
             progress_percent = COALESCE($6, progress_percent) WHERE id = $7 AND status = 1 AND node = $8",
        )
        .bind(status)
        .bind(error)
        .bind(kind)
        .bind(result)
        .bind(now)
        .bind(percent)
        .bind(id)
        .bind(node)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a running task's progress.
    pub async fn set_progress(
        &self,
        id: i64,
        percent: u8,
        message: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE tasks SET progress_percent = $1, progress_message = $2 WHERE id = $3"
        )
        .bind(i64::from(percent))
        .bind(message)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Tasks node `node` left running when it stopped become failed (kind `stopped`) with `error`;
    /// returns their ids. On SQLite the host is the only node: every running task is its own (rows
    /// from before nodes existed name none, and a host renamed is the same host). On PostgreSQL,
    /// the node's, and rows that name no node.
    pub async fn fail_running(
        &self,
        node: &str,
        error: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let only_node = self.backend() == Backend::Sqlite;
        Ok(on_pool!(self, |pool, _Db| sqlx::query_scalar(
            "UPDATE tasks SET status = 3, error = $1, error_kind = $2, finished_at = $3 \
             WHERE status = 1 AND (node = $4 OR node IS NULL OR $5) RETURNING id",
        )
        .bind(error)
        .bind(ErrorKind::Stopped)
        .bind(now)
        .bind(node)
        .bind(only_node)
        .fetch_all(pool)
        .await?))
    }

    /// The running tasks of node `node`, declared lost, become failed (kind `stopped`) with
    /// `error`; returns their ids. None if the node registered again meanwhile: it ends the runs it
    /// lost itself, and the tasks it claimed since are its own.
    pub async fn fail_lost_node_runs(
        &self,
        node: &str,
        error: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| {
            sqlx::query_scalar(
            "UPDATE tasks SET status = 3, error = $1, error_kind = $2, finished_at = $3 \
             WHERE status = 1 AND node = $4 \
               AND EXISTS (SELECT 1 FROM nodes WHERE name = $4 AND lost_at IS NOT NULL) RETURNING id",
        )
        .bind(error)
        .bind(ErrorKind::Stopped)
        .bind(now)
        .bind(node)
        .fetch_all(pool)
        .await?
        }))
    }

    /// The node running task `id`, if it is running.
    pub async fn running_node(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| sqlx::query_scalar(
            "SELECT node FROM tasks WHERE id = $1 AND status = 1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await?)
        .flatten())
    }

    /// The running task on each phone that has one, fleet-wide: (serial, task id).
    pub async fn running_by_serial(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_pool!(self, |pool, _Db| sqlx::query_as(
            "SELECT serial, id FROM tasks WHERE status = 1"
        )
        .fetch_all(pool)
        .await?))
    }

    /// Moves a pending task to failed (kind `stopped`) with `error`; false if it was not pending.
    pub async fn fail_pending(&self, id: i64, error: &str, now: i64) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE tasks SET status = 3, error = $1, error_kind = $2, finished_at = $3 \
             WHERE id = $4 AND status = 0",
        )
        .bind(error)
        .bind(ErrorKind::Stopped)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Failed tasks (all of them, or one) back to pending, due now, with `retry_count + 1`.
    /// Returns how many were retried.
    pub async fn retry(&self, id: Option<i64>, now: i64) -> Result<u64, StoreError> {
        on_pool!(self, |pool, Db| {
            let mut q = QueryBuilder::<Db>::new(
                "UPDATE tasks SET status = 0, retry_count = retry_count + 1, error = NULL, error_kind = NULL, result = NULL, \
                 started_at = NULL, finished_at = NULL, progress_percent = NULL, progress_message = NULL, start_at = ",
            );
            q.push_bind(now).push(" WHERE status = 3");
            if let Some(id) = id {
                q.push(" AND id = ").push_bind(id);
            }
            Ok(q.build().execute(pool).await?.rows_affected())
        })
    }

    /// Deletes tasks and their logs; returns the tasks that existed, each with the node that was
    /// running it, if one was (read in the same statement that deletes it: a run claimed a moment
    /// before is not missed).
    pub async fn delete_tasks(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        on_pool!(self, |pool, _Db| {
            let mut tx = pool.begin().await?;
            let mut deleted = Vec::new();
            for id in ids {
                sqlx::query("DELETE FROM task_logs WHERE task_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let row: Option<(TaskStatus, Option<String>)> =
                    sqlx::query_as("DELETE FROM tasks WHERE id = $1 RETURNING status, node")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((status, node)) = row {
                    deleted.push((*id, node.filter(|_| status == TaskStatus::Running)));
                }
            }
            tx.commit().await?;
            Ok(deleted)
        })
    }
}

/// Adds the list filter's conditions to a query, on either backend.
fn push_filter<'a, Db: sqlx::Database>(q: &mut QueryBuilder<'a, Db>, f: &TaskFilter)
where
    TaskStatus: sqlx::Encode<'a, Db> + sqlx::Type<Db>,
    String: sqlx::Encode<'a, Db> + sqlx::Type<Db>,
{
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// How a run that gave up ends.
    fn script_failure() -> Outcome {
        Outcome::Failed {
            error: "x".into(),
            kind: ErrorKind::Script,
        }
    }

    pub(crate) fn task(serial: &str, start_at: i64) -> NewTask {
        NewTask {
            serial: serial.into(),
            username: None,
            app: crate::apps::App::Tiktok,
            script_name: "follow".into(),
            script_config: "{}".into(),
            source: "api".into(),
            start_at,
            secrets: Vec::new(),
            pinned_node: None,
        }
    }

    #[test]
    fn a_status_is_stored_as_its_api_number() {
        let codes: Vec<i64> = TaskStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3]);
        let partial_index = include_str!("../../migrations/sqlite/0004_task_queries.sql");
        assert!(
            partial_index.contains("WHERE status = 0"),
            "the pending index names Pending's number"
        );
    }

    crate::store::both_backends! {
        async fn each_phone_gets_its_earliest_due_task(store: Store) {
            let ids = store
                .insert_tasks(
                    &[task("a", 20), task("a", 10), task("b", 30), task("c", 999)],
                    0,
                )
                .await
                .unwrap();
            let due: Vec<i64> = store
                .due_tasks(100, "n1")
                .await
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect();
            assert_eq!(due.len(), 2);
            assert!(
                due.contains(&ids[1]) && due.contains(&ids[2]),
                "{due:?} of {ids:?}"
            );
            assert_eq!(store.next_start_after(100).await.unwrap(), Some(999));
        }
        async fn stats_and_list_totals_agree(store: Store) {
            let ids = store
                .insert_tasks(&[task("a", 0), task("b", 0), task("a", 0)], 0)
                .await
                .unwrap();
            assert!(store.mark_running(ids[0], 1, "n1").await.unwrap());
            store.finish(ids[0], &script_failure(), 2, "n1").await.unwrap();
            let stats = store.stats().await.unwrap();
            assert_eq!((stats.total, stats.pending, stats.failed), (3, 2, 1));
            let filter = TaskFilter {
                status: Some(TaskStatus::Pending),
                ..TaskFilter::default()
            };
            let (total, rows) = store.list_tasks(&filter, 1, 20).await.unwrap();
            assert_eq!((total, rows.len()), (2, 2));
        }
        async fn retry_puts_a_failed_task_back_due_now(store: Store) {
            let id = store.insert_tasks(&[task("a", 0)], 0).await.unwrap()[0];
            store.mark_running(id, 1, "n1").await.unwrap();
            store.finish(id, &script_failure(), 2, "n1").await.unwrap();
            assert_eq!(store.retry(Some(id), 50).await.unwrap(), 1);
            let row = store.task(id).await.unwrap().unwrap();
            assert_eq!(
                (row.status, row.retry_count, row.start_at),
                (TaskStatus::Pending, 1, 50)
            );
            assert_eq!((row.error, row.error_kind), (None, None));
        }
        async fn a_failure_is_stored_with_its_kind(store: Store) {
            let id = store.insert_tasks(&[task("a", 0)], 0).await.unwrap()[0];
            store.mark_running(id, 1, "n1").await.unwrap();
            let outcome = Outcome::Failed {
                error: "rate limited by the app: 'Too fast'".into(),
                kind: ErrorKind::Protection,
            };
            store.finish(id, &outcome, 2, "n1").await.unwrap();
            let row = store.task(id).await.unwrap().unwrap();
            assert_eq!(row.error_kind, Some(ErrorKind::Protection));
        }
        async fn tasks_failed_by_a_stop_or_a_restart_are_stopped(store: Store) {
            let ids = store
                .insert_tasks(&[task("a", 0), task("b", 0)], 0)
                .await
                .unwrap();
            store.mark_running(ids[0], 1, "n1").await.unwrap();
            assert_eq!(store.fail_running("n1", "interrupted", 2).await.unwrap(), [ids[0]]);
            assert!(
                store
                    .fail_pending(ids[1], "stopped by user", 2)
                    .await
                    .unwrap()
            );
            for id in ids {
                let row = store.task(id).await.unwrap().unwrap();
                assert_eq!(row.error_kind, Some(ErrorKind::Stopped), "{row:?}");
            }
        }
        async fn a_returned_task_is_pending_again_and_not_started(store: Store) {
            let id = store.insert_tasks(&[task("a", 0)], 0).await.unwrap()[0];
            store.mark_running(id, 1, "n1").await.unwrap();
            assert!(store.return_to_pending(id, "n1").await.unwrap());
            let row = store.task(id).await.unwrap().unwrap();
            assert_eq!((row.status, row.started_at), (TaskStatus::Pending, None));
            assert!(!store.return_to_pending(id, "n1").await.unwrap());
        }
        async fn deleting_a_task_deletes_its_logs(store: Store) {
            let id = store.insert_tasks(&[task("a", 0)], 0).await.unwrap()[0];
            store
                .append_logs(id, &[crate::store::logs::NewLog::info(1, "hello")])
                .await
                .unwrap();
            assert_eq!(store.delete_tasks(&[id, id + 100]).await.unwrap(), [(id, None)]);
            assert_eq!(store.task_logs(id, 1, 10).await.unwrap().total, 0);
        }
    }
}
