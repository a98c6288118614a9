//! What stands before the handlers: the API token (40101) and the license plan (40301),
//! plus the license check endpoint that reports the plan.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
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

/// The cookie the dashboard's login sets: the API token, percent-encoded.
pub const TOKEN_COOKIE: &str = "phonefleet_token";

/// A browser's changing request (not GET/HEAD/OPTIONS) from another site's page is refused
/// (40302): with the login cookie, or with no token at all on loopback, such a page could
/// otherwise drive the phones. Browsers say where a request comes from (`Sec-Fetch-Site`,
/// `Origin`); other clients send neither and pass.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    let safe = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !safe && cross_site(req.headers()) {
        return axum::response::IntoResponse::into_response(ApiError::CrossSite);
    }
    next.run(req).await
}

/// Whether a browser says the request comes from a page of another origin.
fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => {
            let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            !authority.eq_ignore_ascii_case(host)
        }
        (Some(_), None) => true,
        _ => false,
    }
}

/// With a token configured, every request must carry `Authorization: Bearer TOKEN` or the
/// dashboard's login cookie.
pub async fn require_token(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !authorized(&app, req.headers()) {
        return axum::response::IntoResponse::into_response(ApiError::Unauthorized);
    }
    next.run(req).await
}

/// Whether a request may pass: no token is configured, or it carries the token as a bearer
/// header or in the [`TOKEN_COOKIE`].
pub fn authorized(app: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = &app.api_token else {
        return true;
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    bearer
        .into_iter()
        .chain(cookie_tokens(headers))
        .any(|given| constant_time_eq(given.as_bytes(), token.as_bytes()))
}

/// Whether `given` is the configured token (anything is when none is configured).
pub fn token_matches(app: &AppState, given: &str) -> bool {
    app.api_token
        .as_ref()
        .is_none_or(|token| constant_time_eq(given.as_bytes(), token.as_bytes()))
}

/// The values of every [`TOKEN_COOKIE`] the request carries, percent-decoded.
fn cookie_tokens(headers: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    headers
        .get_all(header::COOKIE)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == TOKEN_COOKIE).then(|| percent_decode(value))
        })
}

/// `%XX` escapes decoded; the cookie's value as [`token_cookie`] wrote it.
fn percent_decode(value: &str) -> String {
    form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The `Set-Cookie` value that logs the dashboard in: the token, percent-encoded, `HttpOnly`
/// (page scripts cannot read it) and `SameSite=Strict` (other sites' pages cannot send it).
pub fn token_cookie(token: &str) -> String {
    let value: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("{TOKEN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that logs the dashboard out.
pub fn expired_token_cookie() -> String {
    format!("{TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn a_page_of_this_host_or_a_client_that_is_no_browser_is_not_cross_site() {
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!cross_site(&headers(&[
            ("origin", "http://127.0.0.1:50809"),
            ("host", "127.0.0.1:50809")
        ])));
        assert!(!cross_site(&headers(&[("host", "127.0.0.1:50809")])));
    }

    #[test]
    fn another_sites_page_is_cross_site_even_on_the_same_host() {
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:50809")
        ])));
        assert!(cross_site(&headers(&[("origin", "null"), ("host", "h")])));
    }
}
