//! Handlers of `/device/{serial}/screen`, `/screenshot` and `/find`: what a script sees on a phone
//! right now (the UI dump in the SDK's node form, the screenshot) and which nodes a selector picks.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;
use phonefleet_device::adb::Device;
use phonefleet_device::ui::{Dump, Selector};
use serde::{Deserialize, Serialize};

use super::envelope::{ApiError, ok};
use super::extract::{Path, Query};
use super::{AppResult, AppState};
use crate::thumbnails::{Size, ThumbnailError};

/// The longest a dump or screenshot for these endpoints may take.
const CAPTURE_LIMIT: Duration = Duration::from_secs(15);

/// The screen as a script sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScreenView {
    serial: String,
    /// Every node of the dump in document order, as the SDK's `Node`: `text`, `resource_id`,
    /// `class_name`, `description`, `package`, `clickable`, `enabled`, `selected`, `checked`,
    /// `bounds` (`{left, top, right, bottom}` in pixels).
    #[schema(value_type = Vec<Object>)]
    nodes: Vec<phonefleet_device::ui::Node>,
    /// Where the matching screenshot (PNG) is: `GET` it.
    screenshot: String,
}

/// The nodes a selector picks on the screen now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FindView {
    /// The selector as it reads in a script's error (`text="Follow" clickable=true`).
    selector: String,
    /// How many nodes match.
    count: usize,
    /// The matching nodes in document order, in the SDK's node form (see `ScreenView.nodes`).
    #[schema(value_type = Vec<Object>)]
    matches: Vec<phonefleet_device::ui::Node>,
}

/// A selector in query parameters, as the SDK's `Selector` and the WIT `selector` record name its
/// parts; every part given must match.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FindQuery {
    text: Option<String>,
    text_contains: Option<String>,
    text_regex: Option<String>,
    resource_id: Option<String>,
    description: Option<String>,
    description_contains: Option<String>,
    class_name: Option<String>,
    clickable: Option<bool>,
    instance: Option<u32>,
}

impl From<FindQuery> for Selector {
    fn from(q: FindQuery) -> Selector {
        Selector {
            text: q.text,
            text_contains: q.text_contains,
            text_regex: q.text_regex,
            resource_id: q.resource_id,
            description: q.description,
            description_contains: q.description_contains,
            class_name: q.class_name,
            clickable: q.clickable,
            instance: q.instance,
        }
    }
}

/// The phone's adb handle; 40401 naming the phone when adb does not list it.
fn phone(app: &AppState, serial: &str) -> Result<Device, ApiError> {
    app.phones.device(serial).ok_or_else(|| {
        ApiError::NotFound(format!(
            "phone {serial} is not connected (GET /api/v1/device lists the phones)"
        ))
    })
}

/// One dump of the phone's screen now, parsed.
async fn dump(device: &Device) -> Result<Dump, ApiError> {
    let xml = device
        .dump_ui_within(CAPTURE_LIMIT)
        .await
        .map_err(|e| ApiError::Device(e.to_string()))?;
    Dump::parse(&xml).map_err(|e| ApiError::Device(e.to_string()))
}

/// The phone's screen as a script sees it: the UI dump's nodes and a link to the screenshot.
#[utoipa::path(get, path = "/api/v1/device/{serial}/screen", params(("serial" = String, Path)),
    responses((status = 200, body = super::openapi::Envelope<ScreenView>), super::openapi::Errors))]
pub async fn screen(State(app): State<Arc<AppState>>, Path(serial): Path<String>) -> AppResult {
    let device = phone(&app, &serial)?;
    let dump = dump(&device).await?;
    Ok(ok(ScreenView {
        screenshot: format!("/api/v1/device/{serial}/screenshot"),
        serial,
        nodes: dump.nodes().to_vec(),
    }))
}

/// The phone's screen as a PNG (`screencap -p`).
#[utoipa::path(get, path = "/api/v1/device/{serial}/screenshot", params(("serial" = String, Path)),
    responses((status = 200, description = "the screen as a PNG", content_type = "image/png"),
        super::openapi::Errors))]
pub async fn screenshot(State(app): State<Arc<AppState>>, Path(serial): Path<String>) -> AppResult {
    let device = phone(&app, &serial)?;
    let png = tokio::time::timeout(CAPTURE_LIMIT, device.screenshot())
        .await
        .map_err(|_| ApiError::Device(format!("no screenshot within {CAPTURE_LIMIT:?}")))?
        .map_err(|e| ApiError::Device(e.to_string()))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// The nodes a selector picks on the phone's screen now, with their bounds: try a selector before
/// a script relies on it.
#[utoipa::path(get, path = "/api/v1/device/{serial}/find",
    params(("serial" = String, Path), FindQuery),
    responses((status = 200, body = super::openapi::Envelope<FindView>), super::openapi::Errors))]
pub async fn find(
    State(app): State<Arc<AppState>>,
    Path(serial): Path<String>,
    Query(query): Query<FindQuery>,
) -> AppResult {
    let selector = Selector::from(query);
    let compiled = selector
        .compile()
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let device = phone(&app, &serial)?;
    let dump = dump(&device).await?;
    let matches: Vec<_> = dump.find_all(&compiled).into_iter().cloned().collect();
    Ok(ok(FindView {
        selector: selector.to_string(),
        count: matches.len(),
        matches,
    }))
}

/// Which view of the screen: `small` (240 pixels wide, the wall's) or `large` (720).
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThumbnailQuery {
    #[param(inline)]
    size: Option<Size>,
}

/// The phone's screen as the dashboard shows it: a downscaled JPEG from the phone's one capture
/// loop, shared by every viewer and running only while someone asks. `X-Screen-Size` gives the
/// phone's screen in pixels (`1080x2400`), for taps on the picture.
#[utoipa::path(get, path = "/api/v1/device/{serial}/thumbnail",
    params(("serial" = String, Path), ThumbnailQuery),
    responses((status = 200, description = "the screen as a JPEG (240 or 720 pixels wide), with an `ETag`", content_type = "image/jpeg"),
        (status = 304, description = "`If-None-Match` names the latest frame"),
        super::openapi::Errors))]
pub async fn thumbnail(
    State(app): State<Arc<AppState>>,
    Path(serial): Path<String>,
    Query(query): Query<ThumbnailQuery>,
    headers: axum::http::HeaderMap,
) -> AppResult {
    use axum::http::HeaderName;
    let size = query.size.unwrap_or(Size::Small);
    let frame = app
        .thumbnails
        .latest(&serial, size)
        .await
        .map_err(|e| match e {
            ThumbnailError::NotConnected(_) => ApiError::NotFound(e.to_string()),
            ThumbnailError::Capture(_) => ApiError::Device(e.to_string()),
        })?;
    let jpeg = match size {
        Size::Large => frame.large.as_ref().unwrap_or(&frame.jpeg),
        Size::Small => &frame.jpeg,
    };
    let screen = format!("{}x{}", frame.screen.0, frame.screen.1);
    Ok(super::etag::revalidated(
        &headers,
        &format!("\"{}-{}\"", frame.id, jpeg.len()),
        "image/jpeg",
        vec![(HeaderName::from_static("x-screen-size"), screen)],
        jpeg.clone(),
    ))
}
