//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API, generated from the
//! handlers' annotations and the types they take and return (utoipa).

use axum::Json;
use axum::response::IntoResponse;
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};

use super::{accounts, control, devices, events, groups, guard, materials, screen, scripts, tasks};

/// The success envelope: `code` 0, `message` "success", and the payload.
#[derive(ToSchema)]
#[allow(dead_code)] // describes responses for the document; never built
pub struct Envelope<T> {
    /// Always 0 on success.
    pub code: i64,
    pub message: String,
    pub data: T,
}

/// Every error answer: a non-zero code, a sentence, and details (`data.errors` for validation).
#[derive(ToSchema)]
#[allow(dead_code)] // describes responses for the document; never built
pub struct ErrorEnvelope {
    /// 40001 invalid parameters, 40002 script_name missing, 40003 unknown script, 40101 token,
    /// 40301 license, 40401 not found, 40501 method not allowed, 41301 body too large, 50001 internal.
    pub code: i64,
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

/// The error statuses any endpoint may answer.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // describes responses for the document; never built
pub enum Errors {
    /// 40001 / 40002 / 40003: the request is invalid.
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorEnvelope),
    /// 40101: an API token is configured and the request lacks it.
    #[response(status = 401)]
    Unauthorized(ErrorEnvelope),
    /// 40301: the license plan has no API access.
    #[response(status = 403)]
    Forbidden(ErrorEnvelope),
    /// 40401: no such task, account, script or endpoint.
    #[response(status = 404)]
    NotFound(ErrorEnvelope),
    /// 40501: the endpoint does not take that HTTP method.
    #[response(status = 405)]
    MethodNotAllowed(ErrorEnvelope),
    /// 41301: the body is over the limit.
    #[response(status = 413)]
    TooLarge(ErrorEnvelope),
    /// 50001: an internal error.
    #[response(status = 500)]
    Internal(ErrorEnvelope),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "phonefleet",
        description = "TikMatrix-compatible task API of phonefleet, plus its own endpoints."
    ),
    paths(
        tasks::create,
        tasks::list,
        tasks::get,
        tasks::delete_one,
        tasks::delete_batch,
        tasks::stop,
        tasks::retry,
        tasks::retry_all,
        tasks::stats,
        tasks::logs,
        tasks::artifacts,
        tasks::artifact,
        guard::license_check,
        devices::list,
        devices::connect,
        control::control,
        screen::screen,
        screen::screenshot,
        screen::thumbnail,
        screen::find,
        accounts::list,
        accounts::create,
        accounts::delete,
        accounts::update,
        accounts::accounts,
        groups::list,
        groups::create,
        groups::update,
        groups::delete,
        materials::list,
        materials::upload,
        materials::delete,
        materials::file,
        scripts::list,
        scripts::get,
        events::stream,
        document,
    ),
    components(schemas(ErrorEnvelope, crate::events::Event))
)]
pub struct ApiDoc;

/// This document: the OpenAPI 3.1 description of the whole API (not in the envelope).
#[utoipa::path(get, path = "/api/v1/openapi.json",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object)))]
pub async fn document() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
