//! The `{code, message, data}` envelope every response uses, and the one error type of the API
//! with its mapping to the contract's codes and HTTP statuses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::runtime::ConfigViolation;
use crate::tasks::TaskError;

/// A success envelope around `data`.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(json!({"code": 0, "message": "success", "data": data})).into_response()
}

/// Every way an API call can fail, as the contract numbers them.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<ConfigViolation>,
    },
    #[error("script_name is required")]
    MissingScriptName,
    #[error("{0}")]
    UnknownScript(String),
    #[error("{0}")]
    NotFound(String),
    #[error("request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("missing or wrong API token: send Authorization: Bearer <token>")]
    Unauthorized,
    #[error("the license plan has no API access; upgrade to Pro, Team or Business")]
    NoApiAccess(Value),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            message: message.into(),
            errors: Vec::new(),
        }
    }

    fn code(&self) -> (u32, StatusCode) {
        match self {
            ApiError::Invalid { .. } => (40001, StatusCode::BAD_REQUEST),
            ApiError::MissingScriptName => (40002, StatusCode::BAD_REQUEST),
            ApiError::UnknownScript(_) => (40003, StatusCode::BAD_REQUEST),
            ApiError::NotFound(_) => (40401, StatusCode::NOT_FOUND),
            ApiError::TooLarge(_) => (41301, StatusCode::PAYLOAD_TOO_LARGE),
            ApiError::Unauthorized => (40101, StatusCode::UNAUTHORIZED),
            ApiError::NoApiAccess(_) => (40301, StatusCode::FORBIDDEN),
            ApiError::MethodNotAllowed(_) => (40001, StatusCode::METHOD_NOT_ALLOWED),
            ApiError::Internal(_) => (50001, StatusCode::INTERNAL_SERVER_ERROR),
        }
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
            TaskError::Store(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status) = self.code();
        if let ApiError::Internal(msg) = &self {
            tracing::error!("{msg}");
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
