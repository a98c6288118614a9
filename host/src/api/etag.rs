//! Answers that browsers revalidate (the dashboard's assets and thumbnails): the body with its
//! `ETag` and `Cache-Control: no-cache`, or 304 Not Modified when `If-None-Match` names it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `body` as `content_type` under `etag` (a quoted string), with `extra` headers on both answers.
pub fn revalidated(
    request: &HeaderMap,
    etag: &str,
    content_type: &'static str,
    extra: Vec<(HeaderName, String)>,
    body: impl Into<Body>,
) -> Response {
    let mut headers = vec![
        (header::ETAG, etag.to_string()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    headers.extend(extra);
    let named = request
        .get(header::IF_NONE_MATCH)
        .is_some_and(|given| given.as_bytes() == etag.as_bytes());
    let mut response = if named {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
    };
    for (name, value) in headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
