//! Accounts: which app account is signed in on which phone, for account-mode tasks, with the
//! operator's tags, login state and status. Usernames are stored without '@' and matched
//! case-insensitively.

use sqlx::QueryBuilder;

use super::{Backend, Store, StoreError, on_pool};

/// An account signed in on a phone.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub serial: String,
    pub app: String,
    pub package: Option<String>,
    /// The operator's tags.
    #[sqlx(json)]
    pub tags: Vec<String>,
    /// Whether the account is signed in on its phone.
    pub logined: bool,
    /// `active`, or `disabled` (no new tasks run as it).
    pub status: String,
    /// When it was registered (RFC 3339).
    #[serde(serialize_with = "crate::clock::as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const COLUMNS: &str = "id, username, serial, app, package, tags, logined, status, created_at";

/// An account about to be registered.
#[derive(Clone, Debug)]
pub struct NewAccountRow<'a> {
    pub username: &'a str,
    pub serial: &'a str,
    pub app: &'a str,
    pub package: Option<&'a str>,
    pub tags: &'a [String],
    pub logined: bool,
    pub status: &'a str,
}

/// Filters of the account list (TikMatrix's `GET /api/v1/accounts`); `None` matches everything.
#[derive(Clone, Debug, Default)]
pub struct AccountFilter {
    pub app: Option<String>,
    pub serial: Option<String>,
    pub logined: Option<bool>,
    pub status: Option<String>,
    pub tag: Option<String>,
}

/// What an account update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct AccountChange {
    pub tags: Option<Vec<String>>,
    pub logined: Option<bool>,
    pub status: Option<String>,
}

impl Store {
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM accounts ORDER BY id");
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .fetch_all(pool)
            .await?))
    }

    /// One page (from 1) of the accounts `filter` matches, by id, and how many match in all.
    pub async fn filter_accounts(
        &self,
        filter: &AccountFilter,
        page: u32,
        page_size: u32,
    ) -> Result<(i64, Vec<AccountRow>), StoreError> {
        // Whether the account's tags (a JSON array) hold `tag`, as each backend reads JSON.
        let has_tag = match self.backend() {
            Backend::Sqlite => " AND EXISTS (SELECT 1 FROM json_each(accounts.tags) WHERE value = ",
            Backend::Postgres => " AND accounts.tags @> jsonb_build_array(CAST(",
        };
        let has_tag_end = match self.backend() {
            Backend::Sqlite => ")",
            Backend::Postgres => " AS TEXT))",
        };
        on_pool!(self, |pool, Db| {
            let where_clause = |q: &mut QueryBuilder<'_, Db>| {
                q.push(" WHERE 1 = 1");
                if let Some(app) = &filter.app {
                    q.push(" AND app = ").push_bind(app.clone());
                }
                if let Some(serial) = &filter.serial {
                    q.push(" AND serial = ").push_bind(serial.clone());
                }
                if let Some(logined) = filter.logined {
                    q.push(" AND logined = ").push_bind(logined);
                }
                if let Some(status) = &filter.status {
                    q.push(" AND status = ").push_bind(status.clone());
                }
                if let Some(tag) = &filter.tag {
                    q.push(has_tag).push_bind(tag.clone()).push(has_tag_end);
                }
            };
            let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM accounts");
            where_clause(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut list = QueryBuilder::<Db>::new(format!("SELECT {COLUMNS} FROM accounts"));
            where_clause(&mut list);
            list.push(" ORDER BY id LIMIT ")
                .push_bind(i64::from(page_size))
                .push(" OFFSET ")
                .push_bind(i64::from(page.saturating_sub(1)) * i64::from(page_size));
            let rows = list.build_query_as().fetch_all(pool).await?;
            Ok((total, rows))
        })
    }

    /// The account with this username (case-insensitive, without '@').
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM accounts WHERE lower(username) = lower($1) ORDER BY id LIMIT 1"
        );
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await?))
    }

    /// Inserts an account; `None` if that username is already registered for the app.
    pub async fn insert_account(
        &self,
        new: NewAccountRow<'_>,
        now: i64,
    ) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!(
            "INSERT INTO accounts (username, serial, app, package, tags, logined, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        );
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(new.username)
            .bind(new.serial)
            .bind(new.app)
            .bind(new.package)
            .bind(sqlx::types::Json(new.tags))
            .bind(new.logined)
            .bind(new.status)
            .bind(now)
            .fetch_optional(pool)
            .await?))
    }

    /// Applies `change` to account `id`; `None` when there is no such account.
    pub async fn update_account(
        &self,
        id: i64,
        change: &AccountChange,
    ) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!(
            "UPDATE accounts SET tags = coalesce($1, tags), logined = coalesce($2, logined), \
             status = coalesce($3, status) WHERE id = $4 RETURNING {COLUMNS}"
        );
        on_pool!(self, |pool, _Db| Ok(sqlx::query_as(&sql)
            .bind(change.tags.as_ref().map(sqlx::types::Json))
            .bind(change.logined)
            .bind(change.status.as_deref())
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn delete_account(&self, id: i64) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool, _Db| sqlx::query(
            "DELETE FROM accounts WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(done == 1)
    }
}
