//! Accounts: which app account is signed in on which phone, for account-mode tasks.
//! Usernames are stored without '@' and matched case-insensitively.

use super::{Store, StoreError};

/// An account signed in on a phone.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub serial: String,
    pub app: String,
    pub package: Option<String>,
    /// When it was registered (RFC 3339).
    #[serde(serialize_with = "crate::clock::as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

impl Store {
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, username, serial, app, package, created_at FROM accounts ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The account with this username (case-insensitive, without '@').
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<AccountRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, username, serial, app, package, created_at FROM accounts WHERE lower(username) = lower(?) \
             ORDER BY id LIMIT 1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts an account; `None` if that username is already registered for the app.
    pub async fn insert_account(
        &self,
        username: &str,
        serial: &str,
        app: &str,
        package: Option<&str>,
        now: i64,
    ) -> Result<Option<AccountRow>, StoreError> {
        let inserted = sqlx::query_as(
            "INSERT INTO accounts (username, serial, app, package, created_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING id, username, serial, app, package, created_at",
        )
        .bind(username)
        .bind(serial)
        .bind(app)
        .bind(package)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(inserted)
    }

    pub async fn delete_account(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM accounts WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
