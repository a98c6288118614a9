//! Handlers of `/script`: the loaded scripts with their versions and config schemas.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::{ApiError, ok};
use super::extract::Path;
use super::{AppResult, AppState};

pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    let scripts: Vec<_> = app.registry.all().iter().map(|p| p.meta().clone()).collect();
    Ok(ok(scripts))
}

pub async fn get(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> AppResult {
    let plugin = app.registry.get(&name).ok_or_else(|| ApiError::NotFound(format!("script {name:?} not found")))?;
    Ok(ok(plugin.meta().clone()))
}
