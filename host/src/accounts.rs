//! Accounts signed in on phones: who can run account-mode tasks, and on which phone.
//! Usernames are kept without '@' and matched case-insensitively.

use serde::Deserialize;

use crate::store::{AccountRow, Store, StoreError};
use crate::tasks::now_ms;

/// Why an account request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("account {0} not found")]
    NotFound(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The body of `POST /api/v1/account`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// With or without a leading '@'.
    #[schema(min_length = 1, pattern = "\\S")]
    pub username: String,
    /// The phone the account is signed in on.
    #[schema(min_length = 1, pattern = "\\S")]
    pub serial: String,
    #[serde(default = "tiktok")]
    #[schema(pattern = "^tiktok$")]
    pub app: String,
    /// The app package when the account lives in a clone app.
    pub package: Option<String>,
}

fn tiktok() -> String {
    "tiktok".to_string()
}

/// A username as stored: trimmed, without a leading '@'.
pub fn normalize(username: &str) -> &str {
    username.trim().trim_start_matches('@')
}

pub struct Accounts {
    store: Store,
}

impl Accounts {
    pub fn new(store: Store) -> Accounts {
        Accounts { store }
    }

    pub async fn list(&self) -> Result<Vec<AccountRow>, AccountError> {
        Ok(self.store.accounts().await?)
    }

    pub async fn create(&self, new: NewAccount) -> Result<AccountRow, AccountError> {
        let username = normalize(&new.username);
        if username.is_empty() {
            return Err(AccountError::Invalid("username must not be empty".into()));
        }
        if new.serial.trim().is_empty() {
            return Err(AccountError::Invalid("serial must not be empty".into()));
        }
        if new.app != "tiktok" {
            return Err(AccountError::Invalid(format!(
                "app {:?} is not supported; use \"tiktok\"",
                new.app
            )));
        }
        let package = new
            .package
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        self.store
            .insert_account(username, new.serial.trim(), &new.app, package, now_ms())
            .await?
            .ok_or_else(|| {
                AccountError::Invalid(format!("account @{username} is already registered"))
            })
    }

    pub async fn delete(&self, id: i64) -> Result<(), AccountError> {
        if self.store.delete_account(id).await? {
            Ok(())
        } else {
            Err(AccountError::NotFound(id))
        }
    }
}
