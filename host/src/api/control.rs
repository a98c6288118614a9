//! Handler of `POST /control`: an operator's tap, swipe, key, text, shell command, wake, APK
//! install or reboot on phones and device groups at once (the dashboard's one-phone and group
//! control, and bulk actions on a group), per phone.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;

use super::envelope::{ApiError, ok};
use super::extract::Body;
use super::{AppResult, AppState};
use crate::control::{Action, Outcome, Request, ScreenSize, apply};

/// One action for phones and groups.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlRequest {
    /// Phones by serial; the first is the leader whose screen `screen` is.
    #[serde(default)]
    serials: Vec<String>,
    /// Device groups by name: each of their phones too, each phone once.
    #[serde(default)]
    groups: Vec<String>,
    action: Action,
    /// The screen the action's coordinates are on (the leader's, in pixels); each phone's
    /// coordinates are scaled from it to its own. Absent: the coordinates are each phone's own.
    screen: Option<ScreenSize>,
    /// Stop a task running on a phone (it fails as stopped by user) and keep its queue waiting
    /// for 10 minutes, or until a `release` action. Without it, a busy phone refuses.
    #[serde(default)]
    take_over: bool,
}

/// Each phone's outcome, in the order of the request's phones.
#[utoipa::path(post, path = "/api/v1/control", request_body = ControlRequest,
    responses((status = 200, body = super::openapi::Envelope<Vec<Outcome>>), super::openapi::Errors))]
pub async fn control(
    State(app): State<Arc<AppState>>,
    Body(req): Body<ControlRequest>,
) -> AppResult {
    let mut serials: Vec<String> = Vec::new();
    for serial in req.serials {
        if !serials.contains(&serial) {
            serials.push(serial);
        }
    }
    if !req.groups.is_empty() {
        let groups = app.groups.list().await?;
        for name in &req.groups {
            let group = groups
                .iter()
                .find(|g| g.name.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    ApiError::invalid(format!("no group {name:?} exists (see GET /api/v1/group)"))
                })?;
            for serial in &group.serials {
                if !serials.contains(serial) {
                    serials.push(serial.clone());
                }
            }
        }
    }
    if serials.is_empty() {
        return Err(ApiError::invalid(
            "name the phones to control in serials or groups",
        ));
    }
    // A host file is checked once, here: it must lie inside a --file-root.
    let action = match req.action {
        Action::Install { path } => {
            let real = app
                .file_roots
                .confine(&path)
                .map_err(|why| ApiError::invalid(format!("action.path: {why}")))?;
            Action::Install {
                path: real.display().to_string(),
            }
        }
        other => other,
    };
    let request = Request {
        serials,
        action,
        screen: req.screen,
        take_over: req.take_over,
    };
    Ok(ok(apply(&app.phones, &app.tasks, &request).await))
}
