//! Handlers of `/account`: list, register and remove the accounts signed in on phones.

use std::sync::Arc;

use axum::extract::State;

use super::envelope::ok;
use super::extract::{Body, Path};
use super::{AppResult, AppState};
use crate::accounts::NewAccount;
use crate::store::AccountRow;

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
