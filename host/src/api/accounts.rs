//! Handlers of `/account` (list, register, update, remove the accounts signed in on phones) and
//! of TikMatrix's `/accounts`: the filtered, paged list with each phone's online state.

use std::sync::Arc;

use axum::extract::State;

use serde::Deserialize;

use super::envelope::{ApiError, ok};
use super::extract::{Body, Path, Query};
use super::{AppResult, AppState};
use crate::accounts::{AccountUpdate, NewAccount, check_status};
use crate::apps::App;
use crate::store::{AccountFilter, AccountRow};

/// Accounts signed in on phones.
#[utoipa::path(get, path = "/api/v1/account",
    responses((status = 200, body = super::openapi::Envelope<Vec<AccountRow>>), super::openapi::Errors))]
pub async fn list(State(app): State<Arc<AppState>>) -> AppResult {
    Ok(ok(app.accounts.list().await?))
}

/// A newly registered account, and a word when its phone is not there.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Registered {
    #[serde(flatten)]
    account: AccountRow,
    /// Set when adb does not list the account's phone now: its tasks wait until it is online.
    note: Option<String>,
}

/// Register an account on a phone.
#[utoipa::path(post, path = "/api/v1/account", request_body = NewAccount,
    responses((status = 200, body = super::openapi::Envelope<Registered>), super::openapi::Errors))]
pub async fn create(State(app): State<Arc<AppState>>, Body(new): Body<NewAccount>) -> AppResult {
    let account = app.accounts.create(new).await?;
    let listed = app
        .phones
        .current()
        .iter()
        .any(|p| p.name == account.serial);
    let note = (!listed).then(|| {
        format!(
            "adb does not list phone {} now: plug it in or connect it; tasks for @{} wait until it is online",
            account.serial, account.username
        )
    });
    Ok(ok(Registered { account, note }))
}

/// Remove an account.
#[utoipa::path(delete, path = "/api/v1/account/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = super::openapi::Envelope<super::tasks::Deleted>), super::openapi::Errors))]
pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<i64>) -> AppResult {
    app.accounts.delete(id).await?;
    Ok(ok(super::tasks::Deleted::one()))
}

/// Change an account's tags, login state or status.
#[utoipa::path(put, path = "/api/v1/account/{id}", params(("id" = i64, Path)), request_body = AccountUpdate,
    responses((status = 200, body = super::openapi::Envelope<AccountRow>), super::openapi::Errors))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(id): Path<i64>,
    Body(update): Body<AccountUpdate>,
) -> AppResult {
    Ok(ok(app.accounts.update(id, update).await?))
}

/// Filters of `GET /api/v1/accounts`, as TikMatrix names them.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountsQuery {
    /// `tiktok` or `instagram`.
    platform: Option<String>,
    /// The phone's serial.
    device: Option<String>,
    /// `1`/`true` signed in, `0`/`false` not.
    logined: Option<String>,
    /// `active` or `disabled`.
    status: Option<String>,
    /// One tag the account carries.
    tag: Option<String>,
    #[param(minimum = 1, maximum = 2147483647)]
    page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<u32>,
}

/// An account as TikMatrix lists it: its row, plus its platform, phone, whether the phone is
/// online, the phone's model and the app package it runs in. Never a password.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ListedAccount {
    #[serde(flatten)]
    account: AccountRow,
    /// The app: `tiktok` or `instagram`.
    platform: String,
    /// The phone's serial.
    device: String,
    /// The phone's model, when adb lists it.
    device_name: Option<String>,
    /// Whether adb lists the phone online now.
    online: bool,
    /// The package the account's tasks drive: its clone's, else its app's.
    package_name: String,
}

/// A page of accounts.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AccountsPage {
    total: i64,
    page: u32,
    page_size: u32,
    accounts: Vec<ListedAccount>,
}

/// TikMatrix's account list: filtered by platform, device, login state, status and tag; paged.
#[utoipa::path(get, path = "/api/v1/accounts", params(AccountsQuery),
    responses((status = 200, body = super::openapi::Envelope<AccountsPage>), super::openapi::Errors))]
pub async fn accounts(
    State(app): State<Arc<AppState>>,
    Query(q): Query<AccountsQuery>,
) -> AppResult {
    // An empty filter (`?platform=`, as form clients send) filters nothing.
    let given = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let q = AccountsQuery {
        platform: given(q.platform),
        device: given(q.device),
        logined: given(q.logined),
        status: given(q.status),
        tag: given(q.tag),
        ..q
    };
    let platform = q
        .platform
        .as_deref()
        .map(|p| App::parse(p).map_err(|e| ApiError::invalid(format!("platform: {e}"))))
        .transpose()?;
    let logined = match q.logined.as_deref() {
        None => None,
        Some("1" | "true") => Some(true),
        Some("0" | "false") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "logined {other:?} is not one of 1, 0, true, false"
            )));
        }
    };
    let status = q.status.as_deref().map(check_status).transpose()?;
    let (page, page_size) = super::tasks::paging(q.page, q.page_size, 20, 100)?;
    let filter = AccountFilter {
        app: platform.map(|p| p.as_str().to_string()),
        serial: q.device,
        logined,
        status,
        tag: q.tag,
    };
    let (total, rows) = app.accounts.page(&filter, page, page_size).await?;
    let phones = app.phones.current();
    let accounts = rows
        .into_iter()
        .map(|account| {
            let phone = phones.iter().find(|p| p.name == account.serial);
            let app_of = App::parse(&account.app).unwrap_or(App::Tiktok);
            ListedAccount {
                platform: account.app.clone(),
                device: account.serial.clone(),
                device_name: phone.and_then(|p| p.model.clone()),
                online: phone.is_some_and(|p| p.state.is_online()),
                package_name: account
                    .package
                    .clone()
                    .unwrap_or_else(|| app_of.package().to_string()),
                account,
            }
        })
        .collect();
    Ok(ok(AccountsPage {
        total,
        page,
        page_size,
        accounts,
    }))
}
