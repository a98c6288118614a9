//! The web dashboard's routes: its pages (one HTML shell, each page a plain ES module that speaks
//! the REST API), the embedded assets, the login that keeps the API token in a cookie, and the
//! new-task form's endpoint.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::{Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;

use super::extract::Path;
use super::guard::{
    authorized, expired_token_cookie, require_api_plan, token_cookie, token_matches,
};
use super::{AppState, tasks};

/// One embedded file: its name under `/assets/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:expr) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!(concat!("../../web/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the pages load. Third-party code is under `vendor/NAME-VERSION/` with its licence.
static ASSETS: &[Asset] = &[
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("api.js", JS),
    asset!("wall.js", JS),
    asset!("tasks.js", JS),
    asset!("task.js", JS),
    asset!("new.js", JS),
    asset!("control.js", JS),
    asset!("accounts.js", JS),
    asset!("materials.js", JS),
    asset!("scripts.js", JS),
    asset!("schema_form.js", JS),
    asset!("vendor/json-editor-2.17.2/jsoneditor.js", JS),
    asset!(
        "vendor/json-editor-2.17.2/LICENSE",
        "text/plain; charset=utf-8"
    ),
];

/// An asset's `ETag`: a hash of its bytes, computed once.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hasher::write(&mut hasher, a.bytes);
            format!("\"{:016x}\"", std::hash::Hasher::finish(&hasher))
        })
        .collect()
});

const SHELL: &str = include_str!("../../web/shell.html");
const LOGIN: &str = include_str!("../../web/login.html");

/// A page of the dashboard: its title and the module that renders it.
struct Page {
    title: &'static str,
    module: &'static str,
}

impl Page {
    const fn new(title: &'static str, module: &'static str) -> Page {
        Page { title, module }
    }
}

const WALL: Page = Page::new("Phones", "wall.js");
const TASKS: Page = Page::new("Tasks", "tasks.js");
const TASK: Page = Page::new("Task", "task.js");
const NEW_TASK: Page = Page::new("New task", "new.js");
const CONTROL: Page = Page::new("Control", "control.js");
const ACCOUNTS: Page = Page::new("Accounts", "accounts.js");
const MATERIALS: Page = Page::new("Materials", "materials.js");
const SCRIPTS: Page = Page::new("Scripts", "scripts.js");

/// The dashboard: pages behind the login, assets and the login itself open.
pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let pages = Router::new()
        .route("/", page(&WALL))
        .route("/tasks", page(&TASKS))
        .route("/tasks/{id}", page(&TASK))
        .route("/new", page(&NEW_TASK))
        .route("/control", page(&CONTROL))
        .route("/phones/{serial}", page(&CONTROL))
        .route("/accounts", page(&ACCOUNTS))
        .route("/materials", page(&MATERIALS))
        .route("/scripts", page(&SCRIPTS))
        // One policy with `POST /api/v1/task`: a plan without API access creates no tasks.
        .route(
            "/ui/task",
            post(tasks::create_from_dashboard)
                .route_layer(from_fn_with_state(state.clone(), require_api_plan)),
        )
        .route_layer(from_fn_with_state(state, require_login));
    Router::new()
        .merge(pages)
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/assets/{*name}", get(asset))
}

/// A route serving `page`'s shell.
fn page(page: &'static Page) -> MethodRouter<Arc<AppState>> {
    get(async move |State(app): State<Arc<AppState>>| shell(&app, page))
}

/// Pages need the login cookie (or the bearer header) when a token is set; without, a browser
/// is sent to the login page and other clients get 401.
async fn require_login(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if authorized(&app, req.headers()) {
        return next.run(req).await;
    }
    if req.method() == axum::http::Method::GET {
        let back = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let encoded: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={encoded}")).into_response();
    }
    super::ApiError::Unauthorized.into_response()
}

/// The HTML shell of a page: the navigation, and the page's module, which renders the rest.
fn shell(app: &AppState, page: &Page) -> Response {
    let html = SHELL
        .replace("{{title}}", page.title)
        .replace("{{module}}", page.module)
        .replace(
            "{{thumbnail_refresh_ms}}",
            &app.thumbnails.refresh().as_millis().to_string(),
        )
        .replace(
            "{{logout}}",
            if app.api_token.is_some() {
                r#"<form method="post" action="/logout"><button>Log out</button></form>"#
            } else {
                ""
            },
        );
    html_page(html)
}

fn html_page(html: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(
    State(app): State<Arc<AppState>>,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Response {
    if app.api_token.is_none() {
        return Redirect::to("/").into_response();
    }
    html_page(login_html(&safe_next(query.next.as_deref()), ""))
}

fn login_html(next: &str, problem: &str) -> String {
    LOGIN
        .replace("{{next}}", &html_escape(next))
        .replace("{{problem}}", &html_escape(problem))
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

/// Checks the token; when right, keeps it in the login cookie and goes where the user was headed.
async fn login(State(app): State<Arc<AppState>>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref());
    if app.api_token.is_none() || !token_matches(&app, &form.token) {
        let html = login_html(&next, "That is not the host's API token (--api-token).");
        return (StatusCode::UNAUTHORIZED, html_page(html)).into_response();
    }
    let mut response = Redirect::to(&next).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&token_cookie(&form.token)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn logout() -> Response {
    let mut response = Redirect::to("/login").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&expired_token_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Where a login may send the browser: a path of this host only. Never `//other.host`, nor
/// what a browser turns into it: a backslash, or a tab or newline it strips (`/\t/other.host`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An embedded file, revalidated by its `ETag`.
async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let asset = &ASSETS[index];
    super::etag::revalidated(
        &headers,
        &ETAGS[index],
        asset.media_type,
        Vec::new(),
        asset.bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_goes_back_only_to_a_path_of_this_host() {
        assert_eq!(safe_next(Some("/tasks?status=3")), "/tasks?status=3");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
