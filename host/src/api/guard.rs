//! What stands before the handlers: the API token (40101) and the license plan (40301),
//! plus the license check endpoint that reports the plan.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::envelope::{ApiError, ok};
use super::{AppResult, AppState};

/// What `GET /license/check` reports.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct License {
    plan_name: &'static str,
    api_enabled: bool,
    device_limit: usize,
    message: &'static str,
}

fn license(app: &AppState) -> License {
    let api_enabled = app.plan.api_enabled();
    License {
        plan_name: app.plan.name(),
        api_enabled,
        device_limit: app.device_limit,
        message: if api_enabled {
            "API access enabled"
        } else {
            "the Starter plan has no API access; upgrade to Pro, Team or Business"
        },
    }
}

/// With a token configured, every request must carry `Authorization: Bearer TOKEN`.
pub async fn require_token(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(token) = &app.api_token {
        let given = req
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return axum::response::IntoResponse::into_response(ApiError::Unauthorized);
        }
    }
    next.run(req).await
}

/// The seed's endpoints answer 40301 on a plan without API access.
pub async fn require_api_plan(
    State(app): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if !app.plan.api_enabled() {
        let data = serde_json::to_value(license(&app)).unwrap_or_default();
        return axum::response::IntoResponse::into_response(ApiError::NoApiAccess(data));
    }
    next.run(req).await
}

/// The license plan and whether it has API access.
#[utoipa::path(get, path = "/api/v1/license/check",
    responses((status = 200, body = super::openapi::Envelope<License>), super::openapi::Errors))]
pub async fn license_check(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(license(&app)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
