//! Handlers of the seed's task endpoints: create, list, get, delete (one or a batch), stop,
//! retry, retry-all, stats, and our task logs.

use std::sync::Arc;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::envelope::{ApiError, ok};
use super::extract::{Body, Path, Query};
use super::{AppResult, AppState};
use crate::store::TaskFilter;
use crate::tasks::CreateTask;

#[derive(Serialize)]
struct Created {
    task_ids: Vec<i64>,
    created_count: usize,
}

pub async fn create(State(app): State<Arc<AppState>>, Body(req): Body<CreateTask>) -> AppResult {
    let ids = app.tasks.create(req).await?;
    Ok(ok(Created { created_count: ids.len(), task_ids: ids }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<i64>,
    serial: Option<String>,
    script_name: Option<String>,
    source: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

pub async fn list(State(app): State<Arc<AppState>>, Query(q): Query<ListQuery>) -> AppResult {
    if q.status.is_some_and(|s| !(0..=3).contains(&s)) {
        return Err(ApiError::invalid("status must be 0 (pending), 1 (running), 2 (completed) or 3 (failed)"));
    }
    if q.source.as_deref().is_some_and(|s| s != "ui" && s != "api") {
        return Err(ApiError::invalid("source must be \"ui\" or \"api\""));
    }
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::invalid("page starts at 1"));
    }
    let page_size = q.page_size.unwrap_or(20);
    if !(1..=100).contains(&page_size) {
        return Err(ApiError::invalid("page_size must be between 1 and 100"));
    }
    let filter = TaskFilter { status: q.status, serial: q.serial, script_name: q.script_name, source: q.source };
    Ok(ok(app.tasks.list(&filter, page, page_size).await?))
}

pub async fn get(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    Ok(ok(app.tasks.get(task_id).await?))
}

pub async fn delete_one(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    if app.tasks.delete(&[task_id]).await? == 0 {
        return Err(ApiError::NotFound(format!("task {task_id} not found")));
    }
    Ok(ok(json!({"deleted_count": 1})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    task_ids: Vec<i64>,
}

pub async fn delete_batch(State(app): State<Arc<AppState>>, Body(batch): Body<Batch>) -> AppResult {
    if batch.task_ids.is_empty() {
        return Err(ApiError::invalid("task_ids must list at least one task id"));
    }
    let deleted = app.tasks.delete(&batch.task_ids).await?;
    Ok(ok(json!({"deleted_count": deleted})))
}

pub async fn stop(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    app.tasks.stop(task_id).await?;
    Ok(ok(app.tasks.get(task_id).await?))
}

pub async fn retry(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    app.tasks.retry(task_id).await?;
    Ok(ok(app.tasks.get(task_id).await?))
}

pub async fn retry_all(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(json!({"retried_count": app.tasks.retry_all().await?})))
}

pub async fn stats(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.tasks.stats().await?))
}

pub async fn logs(State(app): State<Arc<AppState>>, Path(task_id): Path<i64>) -> AppResult {
    Ok(ok(app.tasks.logs(task_id).await?))
}
