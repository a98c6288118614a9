//! The `{code, message, data}` envelope every response uses, and the one error type of the API:
//! every domain error is converted here, once, to the contract's code and HTTP status.
//!
//! Internal errors never reach the client (axum's `error-handling` example): the answer is a
//! generic sentence with the request id; the error itself travels in the response's extensions
//! to [`log_internal_errors`], which logs it, with that id, inside the request's trace span.

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use phonefleet_runtime::ConfigViolation;
use serde::Serialize;
use serde_json::{Value, json};

use crate::accounts::AccountError;
use crate::groups::GroupError;
use crate::materials::MaterialError;
use crate::store::StoreError;
use crate::tasks::TaskError;

/// A success envelope around `data`.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(json!({"code": 0, "message": "success", "data": data})).into_response()
}

/// Every way an API call can fail, as the contract numbers them (SPEC §1).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 40001: invalid parameters; `errors` names each one by JSON Pointer.
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<ConfigViolation>,
    },
    /// 40002.
    #[error("script_name is required")]
    MissingScriptName,
    /// 40003: the message lists the loaded scripts.
    #[error("{0}")]
    UnknownScript(String),
    /// 40401.
    #[error("{0}")]
    NotFound(String),
    /// 41301 (ours).
    #[error("request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    /// 40101 (ours).
    #[error("missing or wrong API token: send Authorization: Bearer <token>")]
    Unauthorized,
    /// 40301: the license report goes in `data`.
    #[error("the license plan has no API access; upgrade to Pro, Team or Business")]
    NoApiAccess(Value),
    /// 40302 (ours): a browser sent a changing request from another site's page (CSRF).
    #[error(
        "refused: this request came from another site's page; use the dashboard on this host, or a client that is not a browser"
    )]
    CrossSite,
    /// 40501 (ours): the path exists, the method does not.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 50201 (ours): the phone was asked and failed to answer (offline, a failed dump).
    #[error("the phone did not answer: {0}")]
    Device(String),
    /// 50001: the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An internal error's cause, carried from the handler to [`log_internal_errors`].
#[derive(Clone, Debug)]
struct InternalCause(Arc<String>);

impl ApiError {
    /// A 40001 without per-field details.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// The contract's code and the HTTP status that goes with it.
    fn code(&self) -> (u32, StatusCode) {
        match self {
            ApiError::Invalid { .. } => (40001, StatusCode::BAD_REQUEST),
            ApiError::MissingScriptName => (40002, StatusCode::BAD_REQUEST),
            ApiError::UnknownScript(_) => (40003, StatusCode::BAD_REQUEST),
            ApiError::NotFound(_) => (40401, StatusCode::NOT_FOUND),
            ApiError::TooLarge(_) => (41301, StatusCode::PAYLOAD_TOO_LARGE),
            ApiError::Unauthorized => (40101, StatusCode::UNAUTHORIZED),
            ApiError::NoApiAccess(_) => (40301, StatusCode::FORBIDDEN),
            ApiError::CrossSite => (40302, StatusCode::FORBIDDEN),
            ApiError::MethodNotAllowed(_) => (40501, StatusCode::METHOD_NOT_ALLOWED),
            ApiError::Internal(_) => (50001, StatusCode::INTERNAL_SERVER_ERROR),
            ApiError::Device(_) => (50201, StatusCode::BAD_GATEWAY),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> ApiError {
        match e {
            TaskError::Invalid { message, errors } => ApiError::Invalid { message, errors },
            TaskError::MissingScriptName => ApiError::MissingScriptName,
            e @ TaskError::UnknownScript { .. } => ApiError::UnknownScript(e.to_string()),
            e @ TaskError::NotFound(_) => ApiError::NotFound(e.to_string()),
            e @ TaskError::BadState { .. } => ApiError::invalid(e.to_string()),
            TaskError::Store(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> ApiError {
        match e {
            AccountError::Invalid(msg) => ApiError::invalid(msg),
            e @ AccountError::NotFound(_) => ApiError::NotFound(e.to_string()),
            AccountError::Store(e) => e.into(),
        }
    }
}

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> ApiError {
        match e {
            GroupError::Invalid(msg) => ApiError::invalid(msg),
            e @ GroupError::NotFound(_) => ApiError::NotFound(e.to_string()),
            GroupError::Store(e) => e.into(),
        }
    }
}

impl From<MaterialError> for ApiError {
    fn from(e: MaterialError) -> ApiError {
        match e {
            MaterialError::Invalid(msg) => ApiError::invalid(msg),
            e @ MaterialError::NotFound(_) => ApiError::NotFound(e.to_string()),
            e @ (MaterialError::Io { .. } | MaterialError::Store(_)) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status) = self.code();
        if let ApiError::Internal(cause) = self {
            // Answered by `log_internal_errors`, which knows the request id.
            let mut response = status.into_response();
            response
                .extensions_mut()
                .insert(InternalCause(Arc::new(cause)));
            return response;
        }
        let data = match &self {
            ApiError::Invalid { errors, .. } if !errors.is_empty() => json!({"errors": errors}),
            ApiError::NoApiAccess(license) => license.clone(),
            _ => Value::Null,
        };
        (
            status,
            Json(json!({"code": code, "message": self.to_string(), "data": data})),
        )
            .into_response()
    }
}

/// Logs an internal error with the request's id and answers the client a generic sentence that
/// carries the same id, so an operator can find the cause in the log.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let response = next.run(request).await;
    let Some(InternalCause(cause)) = response.extensions().get::<InternalCause>().cloned() else {
        return response;
    };
    tracing::error!(request_id, "internal error: {cause}");
    let mut answer = (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({
            "code": 50001,
            "message": format!("internal error; the server log has the cause under request id {request_id}"),
            "data": {"request_id": request_id},
        })),
    )
        .into_response();
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        answer.headers_mut().insert("x-request-id", id);
    }
    answer
}
