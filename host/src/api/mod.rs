//! The REST API: axum routes under `/api/v1`, thin handlers that parse, call the services and
//! map results into the `{code, message, data}` envelope.

mod accounts;
mod control;
mod dashboard;
mod devices;
mod envelope;
mod etag;
mod events;
mod extract;
mod groups;
mod guard;
mod materials;
mod openapi;
mod screen;
mod scripts;
mod tasks;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use phonefleet_runtime::Registry;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use envelope::ApiError;

use crate::accounts::Accounts;
use crate::artifacts::Artifacts;
use crate::config::Plan;
use crate::events::Events;
use crate::groups::Groups;
use crate::materials::Library;
use crate::phones::Phones;
use crate::tasks::Tasks;
use crate::thumbnails::Thumbnails;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 1 << 20;
/// Largest material upload accepted.
pub const UPLOAD_LIMIT: usize = 1 << 30;

/// What every handler can reach.
pub struct AppState {
    pub tasks: Tasks,
    pub accounts: Accounts,
    pub groups: Groups,
    pub library: Library,
    pub registry: Arc<Registry>,
    pub phones: Arc<Phones>,
    pub thumbnails: Arc<Thumbnails>,
    /// Where host files named in requests must lie (`--file-root`).
    pub file_roots: phonefleet_runtime::FileRoots,
    pub artifacts: Artifacts,
    pub events: Events,
    pub api_token: Option<String>,
    pub plan: Plan,
    pub device_limit: usize,
}

type AppResult = Result<Response, ApiError>;

/// The whole API.
pub fn router(state: Arc<AppState>) -> Router {
    // The seed's endpoints: gated by the license plan.
    let licensed = Router::new()
        .route("/task", get(tasks::list).post(tasks::create))
        .route("/task/batch", delete(tasks::delete_batch))
        .route("/task/stats", get(tasks::stats))
        .route("/task/retry-all", post(tasks::retry_all))
        .route("/task/{task_id}", get(tasks::get).delete(tasks::delete_one))
        .route("/task/{task_id}/stop", post(tasks::stop))
        .route("/task/{task_id}/retry", post(tasks::retry))
        .route("/task/{task_id}/logs", get(tasks::logs))
        .route("/task/{task_id}/artifacts", get(tasks::artifacts))
        .route("/task/{task_id}/artifacts/{name}", get(tasks::artifact))
        .route("/license/check", get(guard::license_check))
        .route_layer(from_fn_with_state(state.clone(), guard::require_api_plan));
    let ours = Router::new()
        .route("/device", get(devices::list))
        .route("/device/connect", post(devices::connect))
        .route("/control", post(control::control))
        .route("/device/{serial}/screen", get(screen::screen))
        .route("/device/{serial}/screenshot", get(screen::screenshot))
        .route("/device/{serial}/thumbnail", get(screen::thumbnail))
        .route("/device/{serial}/find", get(screen::find))
        .route("/account", get(accounts::list).post(accounts::create))
        .route(
            "/account/{id}",
            delete(accounts::delete).put(accounts::update),
        )
        .route("/accounts", get(accounts::accounts))
        .route("/group", get(groups::list).post(groups::create))
        .route("/group/{id}", put(groups::update).delete(groups::delete))
        .route(
            "/material",
            get(materials::list)
                .post(materials::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/material/{id}", delete(materials::delete))
        .route("/material/{id}/file", get(materials::file))
        .route("/script", get(scripts::list))
        .route("/script/{name}", get(scripts::get))
        .route("/events", get(events::stream));
    let api = licensed
        .merge(ours)
        .route_layer(from_fn_with_state(state.clone(), guard::require_token))
        .route("/openapi.json", get(openapi::document));
    Router::new()
        .nest("/api/v1", api)
        .merge(dashboard::router(state.clone()))
        .fallback(|| async {
            ApiError::NotFound("no such endpoint; the API lives under /api/v1".into())
        })
        .method_not_allowed_fallback(|| async {
            ApiError::MethodNotAllowed("this endpoint does not take that HTTP method".into())
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(guard::refuse_cross_site))
        .layer(from_fn(envelope::log_internal_errors))
        // Outermost first: every request gets an id, is traced under it, and answers with it.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The trace span of one request: method, matched route and request id.
fn span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(request.uri().path(), MatchedPath::as_str);
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, id)
}
