//! The task as clients see it: the stored row turned into the contract's JSON shape
//! (status text, RFC 3339 local times, parsed config and result).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::apps::App;
use crate::clock::rfc3339;
use crate::store::{ErrorKind, TaskRow, TaskStatus};

/// Where a task came from: the dashboard's new-task form (`ui`) or the REST API (`api`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Ui,
    Api,
}

impl Source {
    /// The name stored with the task and shown in its `source` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ui => "ui",
            Source::Api => "api",
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub percent: i64,
    pub message: Option<String>,
}

/// A task in the API's shape.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub serial: String,
    pub username: Option<String>,
    /// The app the task drives: `tiktok` or `instagram`.
    pub app: App,
    pub script_name: String,
    #[schema(value_type = Object)]
    pub script_config: Value,
    /// 0 pending, 1 running, 2 completed, 3 failed.
    #[schema(value_type = i64, minimum = 0, maximum = 3)]
    pub status: TaskStatus,
    pub status_text: &'static str,
    pub source: String,
    pub start_time: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub retry_count: i64,
    pub progress: Option<Progress>,
    pub error: Option<String>,
    /// For a failed task, why in one word: `config`, `device`, `protection`, `timeout`, `crash`,
    /// `stopped` or `script`.
    pub error_kind: Option<ErrorKind>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    /// For a failed task, where its evidence is listed (`GET` it: the phone's last screenshot, UI
    /// dump and command log).
    pub artifacts: Option<String>,
}

impl From<TaskRow> for TaskView {
    fn from(row: TaskRow) -> TaskView {
        let json = |text: &str| {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
        };
        TaskView {
            id: row.id,
            serial: row.serial,
            username: row.username.map(|u| format!("@{u}")),
            app: row.app,
            script_name: row.script_name,
            script_config: json(&row.script_config),
            status: row.status,
            status_text: row.status.as_str(),
            source: row.source,
            start_time: rfc3339(row.start_at),
            created_at: rfc3339(row.created_at),
            started_at: row.started_at.map(rfc3339),
            finished_at: row.finished_at.map(rfc3339),
            retry_count: row.retry_count,
            progress: row.progress_percent.map(|percent| Progress {
                percent,
                message: row.progress_message,
            }),
            error: row.error,
            error_kind: row.error_kind,
            result: row.result.as_deref().map(json),
            artifacts: (row.status == TaskStatus::Failed)
                .then(|| format!("/api/v1/task/{}/artifacts", row.id)),
        }
    }
}
