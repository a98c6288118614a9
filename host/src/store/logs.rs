//! Task logs: lines a run wrote (plugin logs and host events), inserted in batches, read back a
//! page at a time, and the tail of a long run trimmed so a task keeps a bounded log.

use sqlx::QueryBuilder;

use super::{Store, StoreError, on_pool};

/// One line of a task's log.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LogRow {
    /// Increasing within a task: lines are shown in id order.
    pub id: i64,
    /// When (RFC 3339, milliseconds).
    #[serde(serialize_with = "crate::clock::as_rfc3339_millis")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    /// `trace`, `debug`, `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
}

/// A log line about to be inserted.
#[derive(Clone, Debug)]
pub struct NewLog {
    pub at: i64,
    pub level: &'static str,
    pub message: String,
}

impl NewLog {
    /// An `info` line.
    pub fn info(at: i64, message: impl Into<String>) -> NewLog {
        NewLog {
            at,
            level: "info",
            message: message.into(),
        }
    }
}

/// One page of a task's log, oldest first.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LogPage {
    /// Lines the task's log holds in all.
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    pub lines: Vec<LogRow>,
}

impl Store {
    /// Appends lines to a task's log in one statement; returns the id of the last one.
    pub async fn append_logs(&self, task_id: i64, lines: &[NewLog]) -> Result<i64, StoreError> {
        /// Rows per statement: 4 parameters each.
        const CHUNK: usize = 2000;
        on_pool!(self, |pool, Db| {
            let mut last = 0;
            let mut tx = pool.begin().await?;
            for chunk in lines.chunks(CHUNK) {
                let mut insert =
                    QueryBuilder::<Db>::new("INSERT INTO task_logs (task_id, at, level, message) ");
                insert.push_values(chunk, |mut row, line| {
                    row.push_bind(task_id)
                        .push_bind(line.at)
                        .push_bind(line.level)
                        .push_bind(&line.message);
                });
                insert.push(" RETURNING id");
                let ids: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
                last = ids.into_iter().max().unwrap_or(last).max(last);
            }
            tx.commit().await?;
            Ok(last)
        })
    }

    /// Replaces the text of one log line (the note of omitted lines, as its count grows).
    pub async fn rewrite_log(&self, line_id: i64, message: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool, _Db| sqlx::query(
            "UPDATE task_logs SET message = $1 WHERE id = $2"
        )
        .bind(message)
        .bind(line_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Deletes a task's lines after `after_id` except the newest `keep`; returns how many went.
    pub async fn trim_log_tail(
        &self,
        task_id: i64,
        after_id: i64,
        keep: u32,
    ) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |pool, _Db| sqlx::query(
            "DELETE FROM task_logs WHERE task_id = $1 AND id > $2 AND id < \
             COALESCE((SELECT id FROM task_logs WHERE task_id = $1 AND id > $2 \
                       ORDER BY id DESC LIMIT 1 OFFSET $3 - 1), 0)",
        )
        .bind(task_id)
        .bind(after_id)
        .bind(i64::from(keep))
        .execute(pool)
        .await?
        .rows_affected()))
    }

    /// One page of a task's log, oldest first.
    pub async fn task_logs(
        &self,
        task_id: i64,
        page: u32,
        page_size: u32,
    ) -> Result<LogPage, StoreError> {
        let (total, lines) = on_pool!(self, |pool, _Db| {
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM task_logs WHERE task_id = $1")
                    .bind(task_id)
                    .fetch_one(pool)
                    .await?;
            let lines = sqlx::query_as(
                "SELECT id, at, level, message FROM task_logs WHERE task_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
            )
            .bind(task_id)
            .bind(i64::from(page_size))
            .bind(i64::from(page.saturating_sub(1)) * i64::from(page_size))
            .fetch_all(pool)
            .await?;
            (total, lines)
        });
        Ok(LogPage {
            total,
            page,
            page_size,
            lines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<NewLog> {
        (0..n)
            .map(|i| NewLog::info(i as i64, format!("line {i}")))
            .collect()
    }

    crate::store::both_backends! {
        async fn lines_come_back_a_page_at_a_time_in_order(store: Store) {
            store.append_logs(7, &lines(25)).await.unwrap();
            let page = store.task_logs(7, 2, 10).await.unwrap();
            assert_eq!(page.total, 25);
            let texts: Vec<&str> = page.lines.iter().map(|l| l.message.as_str()).collect();
            assert_eq!(texts.first(), Some(&"line 10"));
            assert_eq!(texts.len(), 10);
        }
        async fn trimming_keeps_the_newest_lines_after_the_mark(store: Store) {
            let head = store.append_logs(7, &lines(3)).await.unwrap();
            store.append_logs(7, &lines(10)).await.unwrap();
            assert_eq!(store.trim_log_tail(7, head, 4).await.unwrap(), 6);
            let all = store.task_logs(7, 1, 100).await.unwrap();
            let texts: Vec<&str> = all.lines.iter().map(|l| l.message.as_str()).collect();
            assert_eq!(
                texts,
                [
                    "line 0", "line 1", "line 2", "line 6", "line 7", "line 8", "line 9"
                ]
            );
        }
        async fn trimming_a_short_tail_deletes_nothing(store: Store) {
            let head = store.append_logs(7, &lines(3)).await.unwrap();
            store.append_logs(7, &lines(2)).await.unwrap();
            assert_eq!(store.trim_log_tail(7, head, 4).await.unwrap(), 0);
        }
    }
}
