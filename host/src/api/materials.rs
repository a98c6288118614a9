//! Handlers of `/material`: the material library — multipart upload with tags, list, delete.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::{ApiError, ok};
use super::extract::{Form, Path};
use super::openapi::{Envelope, Errors};
use super::{AppResult, AppState};
use crate::store::MaterialRow;

/// The library's files.
#[utoipa::path(get, path = "/api/v1/material", responses((status = 200, body = Envelope<Vec<MaterialRow>>), Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.library.list().await?))
}

/// A multipart upload: one or more `file` parts and an optional `tags` part (comma-separated).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the request for the document; never built
pub struct Upload {
    /// The file's bytes (one part per file; several parts upload several files).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    tags: Option<String>,
}

/// Upload videos or images with tags.
#[utoipa::path(post, path = "/api/v1/material", request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 200, body = Envelope<Vec<MaterialRow>>), Errors))]
pub async fn upload(State(app): State<Arc<AppState>>, Form(mut form): Form) -> AppResult {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::invalid(format!("invalid multipart body: {e}"))
    };
    let mut files = Vec::new();
    let mut tags = String::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("tags") => tags = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                files.push((name, field.bytes().await.map_err(bad)?));
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "unexpected form field {other:?}; send `file` and `tags`"
                )));
            }
        }
    }
    if files.is_empty() {
        return Err(ApiError::invalid("send at least one `file` part"));
    }
    let mut added = Vec::with_capacity(files.len());
    for (name, bytes) in &files {
        added.push(app.library.add(name, bytes, &tags).await?);
    }
    Ok(ok(added))
}

/// Remove a material and its file.
#[utoipa::path(delete, path = "/api/v1/material/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Envelope<super::tasks::Deleted>), Errors))]
pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<i64>) -> AppResult {
    app.library.delete(id).await?;
    Ok(ok(super::tasks::Deleted::one()))
}

/// A material's file as uploaded (with range requests, so a video can be previewed and seeked).
#[utoipa::path(get, path = "/api/v1/material/{id}/file", params(("id" = i64, Path)),
    responses((status = 200, description = "the file, its media type guessed from its name", content_type = "*/*"),
        (status = 206, description = "the part a `Range` header asked for"), Errors))]
pub async fn file(
    State(app): State<Arc<AppState>>,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> AppResult {
    use tower::ServiceExt;
    let row = app.library.get(id).await?;
    let path = app.library.local_file(&row).await?;
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(format!("cannot read material {id}: {e}")))?;
    if served.status() == axum::http::StatusCode::NOT_FOUND {
        return Err(ApiError::NotFound(format!(
            "material {id}'s file is gone from {}",
            row.path
        )));
    }
    Ok(served.map(axum::body::Body::new))
}
