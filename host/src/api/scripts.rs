//! Handlers of `/script`: the loaded scripts with their versions and config schemas.

use std::sync::Arc;

use axum::extract::State;
use phonefleet_runtime::{Origin, Script};

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
    /// Where it comes from: `built-in`, or the plugin file's path.
    origin: String,
}

impl From<&Script> for ScriptView {
    fn from(script: &Script) -> ScriptView {
        let m = script.plugin.meta();
        ScriptView {
            name: m.name.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
            config_schema: m.config_schema.clone(),
            world: m.world.clone(),
            origin: match &script.origin {
                Origin::Builtin => "built-in".to_string(),
                Origin::File(file) => file.display().to_string(),
            },
        }
    }
}

/// The loaded scripts.
#[utoipa::path(get, path = "/api/v1/script",
    responses((status = 200, body = super::openapi::Envelope<Vec<ScriptView>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    let scripts: Vec<ScriptView> = app.registry.all().iter().map(ScriptView::from).collect();
    Ok(ok(scripts))
}

/// One loaded script.
#[utoipa::path(get, path = "/api/v1/script/{name}", params(("name" = String, Path)),
    responses((status = 200, body = super::openapi::Envelope<ScriptView>), super::openapi::Errors))]
pub async fn get(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> AppResult {
    let script = app
        .registry
        .script(&name)
        .ok_or_else(|| ApiError::NotFound(format!("script {name:?} not found")))?;
    Ok(ok(ScriptView::from(&script)))
}
