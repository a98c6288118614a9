//! Handlers of `/group`: device groups, named sets of phones that tasks can target.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::ok;
use super::extract::{Body, Path};
use super::{AppResult, AppState};
use crate::groups::{GroupChange, NewGroup};
use crate::store::GroupRow;

/// Device groups with their phones.
#[utoipa::path(get, path = "/api/v1/group",
    responses((status = 200, body = super::openapi::Envelope<Vec<GroupRow>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.groups.list().await?))
}

/// Make a device group.
#[utoipa::path(post, path = "/api/v1/group", request_body = NewGroup,
    responses((status = 200, body = super::openapi::Envelope<GroupRow>), super::openapi::Errors))]
pub async fn create(State(app): State<Arc<AppState>>, Body(new): Body<NewGroup>) -> AppResult {
    Ok(ok(app.groups.create(new).await?))
}

/// Rename a group or replace its phones.
#[utoipa::path(put, path = "/api/v1/group/{id}", params(("id" = i64, Path)), request_body = GroupChange,
    responses((status = 200, body = super::openapi::Envelope<GroupRow>), super::openapi::Errors))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(id): Path<i64>,
    Body(change): Body<GroupChange>,
) -> AppResult {
    Ok(ok(app.groups.update(id, change).await?))
}

/// Remove a group (its phones stay).
#[utoipa::path(delete, path = "/api/v1/group/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = super::openapi::Envelope<super::tasks::Deleted>), super::openapi::Errors))]
pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<i64>) -> AppResult {
    app.groups.delete(id).await?;
    Ok(ok(super::tasks::Deleted::one()))
}
