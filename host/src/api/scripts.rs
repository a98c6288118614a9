//! Handlers of `/script`: the loaded scripts with their versions and config schemas.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::{ApiError, ok};
use super::extract::Path;
use super::{AppResult, AppState};

/// A loaded script as the API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ScriptView {
    name: String,
    version: String,
    description: String,
    /// JSON Schema of the script's config.
    #[schema(value_type = Object)]
    config_schema: serde_json::Value,
    /// The `phonefleet:script@VERSION` it was built against.
    world: Option<String>,
}

impl From<&phonefleet_runtime::ScriptMeta> for ScriptView {
    fn from(m: &phonefleet_runtime::ScriptMeta) -> ScriptView {
        ScriptView {
            name: m.name.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
            config_schema: m.config_schema.clone(),
            world: m.world.clone(),
        }
    }
}

/// The loaded scripts.
#[utoipa::path(get, path = "/api/v1/script",
    responses((status = 200, body = super::openapi::Envelope<Vec<ScriptView>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    let scripts: Vec<ScriptView> = app
        .registry
        .all()
        .iter()
        .map(|p| ScriptView::from(p.meta()))
        .collect();
    Ok(ok(scripts))
}

/// One loaded script.
#[utoipa::path(get, path = "/api/v1/script/{name}", params(("name" = String, Path)),
    responses((status = 200, body = super::openapi::Envelope<ScriptView>), super::openapi::Errors))]
pub async fn get(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> AppResult {
    let plugin = app
        .registry
        .get(&name)
        .ok_or_else(|| ApiError::NotFound(format!("script {name:?} not found")))?;
    Ok(ok(ScriptView::from(plugin.meta())))
}
