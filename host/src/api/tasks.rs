//! Handlers of the seed's task endpoints: create, list, get, delete (one or a batch), stop,
//! retry, retry-all, stats, and our task logs.

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use super::envelope::{ApiError, ok};
use super::extract::{Body, Path, Query};
use super::openapi::{Envelope, Errors};
use super::{AppResult, AppState};
use crate::store::{LogPage, Stats, TaskFilter, TaskStatus};
use crate::tasks::{CreateTask, Source};
use crate::tasks::{TaskPage, TaskView};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    task_ids: Vec<i64>,
    created_count: usize,
    /// When each task starts (RFC 3339), in the order of `task_ids`: `start_time` resolved, plus
    /// the intervals between tasks on one phone.
    start_times: Vec<String>,
}

/// Create tasks: targets × the script's split of the config, all or none.
#[utoipa::path(post, path = "/api/v1/task", request_body = CreateTask,
    responses((status = 200, body = Envelope<Created>), Errors))]
pub async fn create(State(app): State<Arc<AppState>>, Body(req): Body<CreateTask>) -> AppResult {
    create_from(&app, req, Source::Api).await
}

/// The dashboard's new-task form (`POST /ui/task`): the same request and answer as `POST
/// /api/v1/task`, the tasks recorded with source `ui`.
pub async fn create_from_dashboard(
    State(app): State<Arc<AppState>>,
    Body(req): Body<CreateTask>,
) -> AppResult {
    create_from(&app, req, Source::Ui).await
}

async fn create_from(app: &AppState, req: CreateTask, source: Source) -> AppResult {
    let created = app.tasks.create(req, source).await?;
    Ok(ok(Created {
        created_count: created.len(),
        start_times: created
            .iter()
            .map(|(_, at)| crate::clock::rfc3339(*at))
            .collect(),
        task_ids: created.into_iter().map(|(id, _)| id).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 0 pending, 1 running, 2 completed, 3 failed.
    #[param(minimum = 0, maximum = 3)]
    status: Option<i64>,
    serial: Option<String>,
    script_name: Option<String>,
    #[param(inline)]
    source: Option<Source>,
    #[param(minimum = 1, maximum = 2147483647)]
    page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<u32>,
}

/// List tasks, newest first.
#[utoipa::path(get, path = "/api/v1/task", params(ListQuery),
    responses((status = 200, body = Envelope<TaskPage>), Errors))]
pub async fn list(State(app): State<Arc<AppState>>, Query(q): Query<ListQuery>) -> AppResult {
    let status = match q.status {
        None => None,
        Some(code) => Some(TaskStatus::from_code(code).ok_or_else(|| {
            ApiError::invalid(
                "status must be 0 (pending), 1 (running), 2 (completed) or 3 (failed)",
            )
        })?),
    };
    let (page, page_size) = paging(q.page, q.page_size, 20, 100)?;
    let source = q.source.map(|s| s.as_str().to_string());
    let filter = TaskFilter {
        status,
        serial: q.serial,
        script_name: q.script_name,
        source,
    };
    Ok(ok(app.tasks.list(&filter, page, page_size).await?))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/task/{task_id}", params(("task_id" = i64, Path)),
    responses((status = 200, body = Envelope<TaskView>), Errors))]
pub async fn get(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    Ok(ok(app.tasks.get(task_id).await?))
}

/// Delete a task; a running one is stopped first.
#[utoipa::path(delete, path = "/api/v1/task/{task_id}", params(("task_id" = i64, Path)),
    responses((status = 200, body = Envelope<Deleted>), Errors))]
pub async fn delete_one(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    if app.tasks.delete(&[task_id]).await? == 0 {
        return Err(ApiError::NotFound(format!("task {task_id} not found")));
    }
    Ok(ok(Deleted::one()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Deleted {
    deleted_count: u64,
}

impl Deleted {
    pub fn one() -> Deleted {
        Deleted { deleted_count: 1 }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Retried {
    retried_count: u64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    #[schema(min_items = 1)]
    task_ids: Vec<i64>,
}

/// Delete several tasks; running ones are stopped first.
#[utoipa::path(delete, path = "/api/v1/task/batch", request_body = Batch,
    responses((status = 200, body = Envelope<Deleted>), Errors))]
pub async fn delete_batch(State(app): State<Arc<AppState>>, Body(batch): Body<Batch>) -> AppResult {
    if batch.task_ids.is_empty() {
        return Err(ApiError::invalid("task_ids must list at least one task id"));
    }
    let deleted = app.tasks.delete(&batch.task_ids).await?;
    Ok(ok(Deleted {
        deleted_count: deleted,
    }))
}

/// Stop a pending or running task: it fails with "stopped by user".
#[utoipa::path(post, path = "/api/v1/task/{task_id}/stop", params(("task_id" = i64, Path)),
    responses((status = 200, body = Envelope<TaskView>), Errors))]
pub async fn stop(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    app.tasks.stop(task_id).await?;
    Ok(ok(app.tasks.get(task_id).await?))
}

/// Retry a failed task: pending again, due now.
#[utoipa::path(post, path = "/api/v1/task/{task_id}/retry", params(("task_id" = i64, Path)),
    responses((status = 200, body = Envelope<TaskView>), Errors))]
pub async fn retry(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    app.tasks.retry(task_id).await?;
    Ok(ok(app.tasks.get(task_id).await?))
}

/// Retry every failed task.
#[utoipa::path(post, path = "/api/v1/task/retry-all",
    responses((status = 200, body = Envelope<Retried>), Errors))]
pub async fn retry_all(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(Retried {
        retried_count: app.tasks.retry_all().await?,
    }))
}

/// Counts by status.
#[utoipa::path(get, path = "/api/v1/task/stats",
    responses((status = 200, body = Envelope<Stats>), Errors))]
pub async fn stats(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.tasks.stats().await?))
}

/// `page` (default 1, ≥ 1) and `page_size` (default `default`, 1..=`max`): a value out of range
/// is refused, not clamped.
pub(super) fn paging(
    page: Option<u32>,
    page_size: Option<u32>,
    default: u32,
    max: u32,
) -> Result<(u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    if !(1..=i32::MAX as u32).contains(&page) {
        return Err(ApiError::invalid("page must be between 1 and 2147483647"));
    }
    let page_size = page_size.unwrap_or(default);
    if !(1..=max).contains(&page_size) {
        return Err(ApiError::invalid(format!(
            "page_size must be between 1 and {max}"
        )));
    }
    Ok((page, page_size))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    #[param(minimum = 1, maximum = 2147483647)]
    page: Option<u32>,
    /// Lines per page, default 500.
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<u32>,
}

/// The task's log, oldest line first, a page at a time: plugin logs and host events. A long run
/// keeps its first and last lines; a note between them counts the rest.
#[utoipa::path(get, path = "/api/v1/task/{task_id}/logs", params(("task_id" = i64, Path), LogQuery),
    responses((status = 200, body = Envelope<LogPage>), Errors))]
pub async fn logs(
    State(app): State<Arc<AppState>>,
    Path(task_id): Path<i64>,
    Query(q): Query<LogQuery>,
) -> AppResult {
    let (page, page_size) = paging(q.page, q.page_size, 500, 1000)?;
    Ok(ok(app.tasks.logs(task_id, page, page_size).await?))
}

/// A failed task's evidence: the phone's last screenshot (PNG), its last UI dump and its recent
/// command log, each with the URL that serves it. Empty for a task that has none.
#[utoipa::path(get, path = "/api/v1/task/{task_id}/artifacts", params(("task_id" = i64, Path)),
    responses((status = 200, body = Envelope<Vec<crate::artifacts::Artifact>>), Errors))]
pub async fn artifacts(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    app.tasks.get(task_id).await?;
    Ok(ok(app.artifacts.list(task_id).await))
}

/// One artifact of a failed task, as it was kept: `screen.png`, `ui.xml` or `commands.json`.
#[utoipa::path(get, path = "/api/v1/task/{task_id}/artifacts/{name}",
    params(("task_id" = i64, Path), ("name" = String, Path)),
    responses((status = 200, description = "the artifact's bytes", content_type = "application/octet-stream", body = Vec<u8>), Errors))]
pub async fn artifact(
    State(app): State<Arc<AppState>>,
    Path((task_id, name)): Path<(i64, String)>,
) -> AppResult {
    app.tasks.get(task_id).await?;
    let (bytes, content_type) = app.artifacts.read(task_id, &name).await.ok_or_else(|| {
        ApiError::NotFound(format!(
            "task {task_id} has no artifact {name:?} (see GET /api/v1/task/{task_id}/artifacts)"
        ))
    })?;
    Ok(([(axum::http::header::CONTENT_TYPE, content_type)], bytes).into_response())
}
