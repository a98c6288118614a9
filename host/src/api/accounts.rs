//! Handlers of `/account`: list, register and remove the accounts signed in on phones.

use std::sync::Arc;

use axum::extract::State;
use serde_json::json;

use super::envelope::{ApiError, ok};
use super::extract::{Body, Path};
use super::{AppResult, AppState};
use crate::accounts::{AccountError, NewAccount};

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> ApiError {
        match e {
            AccountError::Invalid(msg) => ApiError::invalid(msg),
            e @ AccountError::NotFound(_) => ApiError::NotFound(e.to_string()),
            AccountError::Store(e) => ApiError::Internal(e.to_string()),
        }
    }
}

pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.accounts.list().await?))
}

pub async fn create(State(app): State<Arc<AppState>>, Body(new): Body<NewAccount>) -> AppResult {
    Ok(ok(app.accounts.create(new).await?))
}

pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<i64>) -> AppResult {
    app.accounts.delete(id).await?;
    Ok(ok(json!({"deleted_count": 1})))
}
