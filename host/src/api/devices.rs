//! Handlers of `/device`: the phones ADB sees (with their task and accounts) and `adb connect`
//! for network and cloud phones.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::envelope::{ApiError, ok};
use super::extract::Body;
use super::{AppResult, AppState};
use crate::phones::Readiness;

/// A phone as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    /// How tasks name the phone (`serials` of `POST /task`): adb's serial, or `SERIAL@usb:PATH`
    /// when several phones report one serial.
    serial: String,
    /// adb's state: `device`, `offline`, `unauthorized`, `no permissions (...)`, ...; `absent`
    /// for a phone adb does not list but accounts or waiting tasks name.
    state: String,
    model: Option<String>,
    online: bool,
    busy: bool,
    current_task: Option<i64>,
    /// Tasks queued for it (pending).
    waiting_tasks: i64,
    accounts: Vec<String>,
    /// The handset's identity (`ro.serialno`, else `android_id`) once learnt.
    handset: Option<String>,
    /// What stands in the way, and what to do about it, when something does.
    note: Option<String>,
    /// What the phone is (Android version, screen, ADBKeyboard), learnt when it connects, and what
    /// the check before its last task found (awake, keyguard, app installed).
    readiness: Option<Readiness>,
    /// The host (node) whose adb server lists the phone; none for an absent phone.
    node: Option<String>,
}

/// The phones ADB sees, with their readiness and waiting tasks, then the phones only accounts or
/// waiting tasks name (state `absent`).
#[utoipa::path(get, path = "/api/v1/device",
    responses((status = 200, body = super::openapi::Envelope<Vec<DeviceView>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    let phones = app.phones.current();
    let accounts = app.accounts.list().await?;
    let waiting: BTreeMap<String, i64> = app.tasks.pending_by_phone().await?.into_iter().collect();
    let accounts_on = |serial: &str| -> Vec<String> {
        accounts
            .iter()
            .filter(|a| a.serial == serial)
            .map(|a| format!("@{}", a.username))
            .collect()
    };
    let mut views: Vec<DeviceView> = phones
        .iter()
        .map(|p| {
            let current_task = app.tasks.running_on(&p.name);
            DeviceView {
                serial: p.name.clone(),
                state: p.state.as_str().to_owned(),
                model: p.model.clone(),
                online: p.is_online(),
                busy: current_task.is_some(),
                current_task,
                waiting_tasks: waiting.get(&p.name).copied().unwrap_or(0),
                accounts: accounts_on(&p.name),
                handset: p.handset.clone(),
                note: p.note.clone(),
                readiness: app
                    .phones
                    .readiness(&p.name)
                    .filter(|r| *r != Readiness::default()),
                node: Some(app.tasks.node().to_owned()),
            }
        })
        .collect();
    // Phones the fleet's other nodes list (PostgreSQL), as their device table rows say.
    let elsewhere = app.tasks.devices_elsewhere().await?;
    if !elsewhere.is_empty() {
        let running: BTreeMap<String, i64> =
            app.tasks.running_by_phone().await?.into_iter().collect();
        for d in elsewhere
            .into_iter()
            .filter(|d| !phones.iter().any(|p| p.name == d.serial))
        {
            let current_task = running.get(&d.serial).copied();
            views.push(DeviceView {
                online: d.state == "device",
                busy: current_task.is_some(),
                current_task,
                waiting_tasks: waiting.get(&d.serial).copied().unwrap_or(0),
                accounts: accounts_on(&d.serial),
                handset: None,
                note: None,
                readiness: None,
                state: d.state,
                model: d.model,
                node: Some(d.node),
                serial: d.serial,
            });
        }
    }
    // Phones only the queue or the accounts know: adb does not list them now.
    let absent: BTreeSet<&str> = waiting
        .keys()
        .map(String::as_str)
        .chain(accounts.iter().map(|a| a.serial.as_str()))
        .filter(|serial| !views.iter().any(|v| v.serial == *serial))
        .collect();
    for serial in absent {
        let waiting_tasks = waiting.get(serial).copied().unwrap_or(0);
        views.push(DeviceView {
            serial: serial.to_owned(),
            state: ABSENT.to_owned(),
            model: None,
            online: false,
            busy: false,
            current_task: None,
            waiting_tasks,
            accounts: accounts_on(serial),
            handset: None,
            note: Some(absent_note(waiting_tasks)),
            readiness: None,
            node: None,
        });
    }
    Ok(ok(views))
}

/// The state of a phone adb does not list, known from accounts or waiting tasks.
pub const ABSENT: &str = "absent";

/// What to do about a phone adb does not list.
pub fn absent_note(waiting_tasks: i64) -> String {
    format!(
        "adb does not list this phone: plug it in, or connect it (POST /api/v1/device/connect); \
         its {waiting_tasks} waiting task(s) run once it is online"
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Connected {
    message: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Connect {
    address: String,
}

/// `adb connect` a network or cloud phone.
#[utoipa::path(post, path = "/api/v1/device/connect", request_body = Connect,
    responses((status = 200, body = super::openapi::Envelope<Connected>), super::openapi::Errors))]
pub async fn connect(State(app): State<Arc<AppState>>, Body(req): Body<Connect>) -> AppResult {
    let address = req.address.trim();
    let valid = address
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !valid {
        return Err(ApiError::invalid(format!(
            "address {address:?} must be host:port, e.g. 192.168.1.20:5555"
        )));
    }
    // The adb server with the fewest phones takes it.
    let said = app
        .phones
        .least_loaded_adb()
        .connect(address)
        .await
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(ok(Connected { message: said }))
}
