//! Accounts signed in on phones: who can run account-mode tasks, and on which phone.
//! Usernames are kept without '@' and matched case-insensitively.

use serde::Deserialize;

use crate::apps::App;
use crate::clock::now_ms;
use crate::store::{AccountChange, AccountFilter, AccountRow, NewAccountRow, Store, StoreError};

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
    /// The app the account is in: `tiktok` (the default) or `instagram`.
    #[serde(default = "tiktok")]
    #[schema(pattern = "^(tiktok|instagram)$")]
    pub app: String,
    /// The app package when the account lives in a clone app.
    pub package: Option<String>,
    /// The operator's tags (each trimmed, non-empty, at most 64 characters).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether the account is signed in on its phone (default true).
    #[serde(default = "yes")]
    pub logined: bool,
    /// `active` (the default), or `disabled`: no new tasks run as it.
    #[serde(default = "active")]
    #[schema(pattern = "^(active|disabled)$")]
    pub status: String,
}

/// The body of `PUT /api/v1/account/{id}`: what to change; absent fields stay.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    /// The tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
    pub logined: Option<bool>,
    /// `active` or `disabled`.
    #[schema(pattern = "^(active|disabled)$")]
    pub status: Option<String>,
}

fn yes() -> bool {
    true
}

fn active() -> String {
    STATUSES[0].to_string()
}

/// An account's statuses: `active`, or `disabled` (no new tasks run as it).
pub const STATUSES: [&str; 2] = ["active", "disabled"];

/// Longest tag, in characters.
const TAG_MAX_CHARS: usize = 64;

/// `status` if it is one, else the error naming the allowed ones.
pub fn check_status(status: &str) -> Result<String, AccountError> {
    let status = status.trim().to_lowercase();
    if STATUSES.contains(&status.as_str()) {
        Ok(status)
    } else {
        Err(AccountError::Invalid(format!(
            "status {status:?} is not one of {}",
            STATUSES.join(", ")
        )))
    }
}

/// Tags trimmed, empty ones dropped, each once; errs on one longer than 64 characters.
fn clean_tags(tags: &[String]) -> Result<Vec<String>, AccountError> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if tag.chars().count() > TAG_MAX_CHARS {
            return Err(AccountError::Invalid(format!(
                "tag {tag:?} is longer than {TAG_MAX_CHARS} characters"
            )));
        }
        if !clean.iter().any(|t| t == tag) {
            clean.push(tag.to_string());
        }
    }
    Ok(clean)
}

fn tiktok() -> String {
    "tiktok".to_string()
}

/// A username as stored: trimmed, without a leading '@'.
pub fn normalize(username: &str) -> &str {
    username.trim().trim_start_matches('@')
}

/// Whether `name` is an Android package name (the manifest's `package` rule): at least two
/// dot-separated segments, each a letter followed by letters, digits or `_`. Nothing else can reach
/// a shell line as a package.
pub fn is_android_package(name: &str) -> bool {
    let segments: Vec<&str> = name.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|seg| {
            let mut chars = seg.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
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
        let app = App::parse(&new.app).map_err(AccountError::Invalid)?;
        let package = new
            .package
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(package) = package
            && !is_android_package(package)
        {
            return Err(AccountError::Invalid(format!(
                "package {package:?} is not an Android package name: dot-separated words of letters, \
                 digits and '_', each starting with a letter (e.g. com.zhiliaoapp.musically)"
            )));
        }
        let tags = clean_tags(&new.tags)?;
        let status = check_status(&new.status)?;
        let inserted = self
            .store
            .insert_account(
                NewAccountRow {
                    username,
                    serial: new.serial.trim(),
                    app: app.as_str(),
                    package,
                    tags: &tags,
                    logined: new.logined,
                    status: &status,
                },
                now_ms(),
            )
            .await?;
        match inserted {
            Some(account) => Ok(account),
            None => {
                let on = match self.store.account_by_username(username).await? {
                    Some(existing) => format!(" on phone {}", existing.serial),
                    None => String::new(),
                };
                Err(AccountError::Invalid(format!(
                    "account @{username} is already registered{on}: delete it first to move it"
                )))
            }
        }
    }

    /// Changes an account's tags, login state or status.
    pub async fn update(&self, id: i64, update: AccountUpdate) -> Result<AccountRow, AccountError> {
        let change = AccountChange {
            tags: update.tags.as_deref().map(clean_tags).transpose()?,
            logined: update.logined,
            status: update.status.as_deref().map(check_status).transpose()?,
        };
        self.store
            .update_account(id, &change)
            .await?
            .ok_or(AccountError::NotFound(id))
    }

    /// One page of the accounts `filter` matches, and how many match in all.
    pub async fn page(
        &self,
        filter: &AccountFilter,
        page: u32,
        page_size: u32,
    ) -> Result<(i64, Vec<AccountRow>), AccountError> {
        Ok(self.store.filter_accounts(filter, page, page_size).await?)
    }

    pub async fn delete(&self, id: i64) -> Result<(), AccountError> {
        if self.store.delete_account(id).await? {
            Ok(())
        } else {
            Err(AccountError::NotFound(id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_android_package;

    #[test]
    fn android_package_names_are_dotted_identifiers() {
        assert!(is_android_package("com.zhiliaoapp.musically"));
        assert!(is_android_package("com.ss.android.ugc.trill"));
        assert!(is_android_package("com.clone_2.app9"));
        for bad in [
            "tiktok",
            "com..x",
            "1com.x",
            "com.x;reboot",
            "com.x $(id)",
            "com.x'",
            ".com.x",
            "com.x.",
        ] {
            assert!(!is_android_package(bad), "{bad}");
        }
    }
}
