//! Handlers of `/account`: list, register and remove the accounts signed in on phones.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::ok;
use super::extract::{Body, Path};
use super::{AppResult, AppState};
use crate::accounts::NewAccount;

/// Accounts signed in on phones.
#[utoipa::path(get, path = "/api/v1/account",
    responses((status = 200, body = super::openapi::Envelope<Vec<crate::store::AccountRow>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.accounts.list().await?))
}

/// Register an account on a phone.
#[utoipa::path(post, path = "/api/v1/account", request_body = NewAccount,
    responses((status = 200, body = super::openapi::Envelope<crate::store::AccountRow>), super::openapi::Errors))]
pub async fn create(State(app): State<Arc<AppState>>, Body(new): Body<NewAccount>) -> AppResult {
    Ok(ok(app.accounts.create(new).await?))
}

/// Remove an account.
#[utoipa::path(delete, path = "/api/v1/account/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = super::openapi::Envelope<super::tasks::Deleted>), super::openapi::Errors))]
pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<i64>) -> AppResult {
    app.accounts.delete(id).await?;
    Ok(ok(super::tasks::Deleted::one()))
}
