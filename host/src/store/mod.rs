//! Durable state through sqlx, in SQLite (one host, the default) or PostgreSQL (a fleet of hosts):
//! opening and migrating the database, and every query the host runs, one file per noun (`tasks`,
//! `logs`, `accounts`, `groups`, `materials`). The only module that writes SQL; callers get typed rows.
//!
//! Each query is written once, with `$N` placeholders both backends read, and run on whichever pool
//! the store holds through [`on_pool!`]; the few statements the two dialects spell differently say
//! so where they are.

mod accounts;
mod groups;
mod logs;
mod materials;
mod nodes;
pub mod secrets;
mod tasks;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use accounts::{AccountChange, AccountFilter, AccountRow, NewAccountRow};
pub use groups::{GroupRow, GroupUpdate};
pub use logs::{LogPage, LogRow, NewLog};
pub use materials::{MaterialRow, NewMaterial};
pub use nodes::DeviceRow;
pub use tasks::{ErrorKind, NewTask, Outcome, Stats, TaskFilter, TaskRow, TaskStatus};

/// The text the fleet's `secrets_check` setting seals (see [`Store::connect`]).
const SECRETS_CHECK: &str = "phonefleet: this fleet's secrets key";
/// The database file inside the data directory.
pub const DB_FILE: &str = "phonefleet.db";
/// Connections in the pool: SQLite takes one writer at a time; readers run beside it in WAL mode.
const POOL_SIZE: u32 = 4;
/// Connections each host keeps to PostgreSQL, which runs writers side by side; a fleet's hosts
/// share the server's `max_connections` (100 by default).
const PG_POOL_SIZE: u32 = 10;
/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// A storage failure; always an internal error for API callers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A task secret could not be sealed or opened, or its key read.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// `--database-url` is not a PostgreSQL URL.
    #[error(
        "--database-url must be a PostgreSQL URL (postgres://user:password@host:port/database), \
         not {0:?}; leave it out to keep the database in the data directory"
    )]
    Url(String),
    /// This host's secrets key is not the one the fleet's other hosts seal task secrets with.
    #[error(
        "this host's {0} is not the fleet's: tasks another host created could not be run here. Copy \
         secret.key from the data directory of a host already serving this database into this \
         host's data directory, then start it again (see docs/fleet.md)"
    )]
    ForeignKey(String),
    /// Another host serving this database uses this node name and is alive.
    #[error(
        "node name {node:?} is in use by a live host of this fleet (its lease runs {secs} s more): \
         give this host its own --node-name, or, if it is this host restarted, start it again in {secs} s"
    )]
    NodeNameTaken {
        /// The name.
        node: String,
        /// Seconds until the other registration's lease runs out.
        secs: i64,
    },
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The host's database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Seals task secrets at rest.
    secrets: std::sync::Arc<secrets::SecretBox>,
}

/// A pool of connections to one of the two backends.
#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a store keeps its rows in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A file in the data directory; one host.
    Sqlite,
    /// A server every host of a fleet reaches.
    Postgres,
}

/// Runs `$body` on the store's pool, whichever backend it is: in `$body`, `$pool` is that pool and
/// `$db` the sqlx database type (for `QueryBuilder::<$db>` and transactions). The body is
/// type-checked once per backend (a Rust type one backend cannot bind or decode does not compile);
/// whether a column's SQL type matches is checked when the query runs, by the suites that run on
/// both backends.
macro_rules! on_pool {
    ($store:expr, |$pool:ident, $db:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            $crate::store::Pool::Postgres($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// The connection options every connection to a phonefleet database uses — the host's pool and the
/// benchmarks' baselines alike, so a baseline is measured on the host's settings.
///
/// WAL with `synchronous = NORMAL` (durable at each checkpoint, never corrupt), and no automatic
/// checkpoint: checkpoints run in the background (`checkpoint_wal`), not inside whichever commit
/// crosses the threshold — that commit's fsync was the tail of dispatch latency (BENCHMARKS.md,
/// figure 2).
pub fn connect_options(db_file: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(db_file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("wal_autocheckpoint", "0")
}

impl Store {
    /// Opens (creating if needed) `DATA_DIR/phonefleet.db` and migrates it; starts the background
    /// WAL checkpointer.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(connect_options(&data_dir.join(DB_FILE)))
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let secrets = std::sync::Arc::new(secrets::SecretBox::open_dir(data_dir)?);
        tokio::spawn(checkpoint_wal(pool.clone()));
        Ok(Store {
            pool: Pool::Sqlite(pool),
            secrets,
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/db`) and
    /// migrates it; the secrets key stays in `data_dir`.
    ///
    /// Errors: [`StoreError::Url`] when `url` is not a PostgreSQL URL; [`StoreError::Db`] when the
    /// server cannot be reached or refuses the login.
    ///
    /// Every host of a fleet must seal task secrets under the same key: the first host records a
    /// known text sealed under its `secret.key`, and a host whose key cannot open it is refused
    /// ([`StoreError::ForeignKey`]).
    pub async fn connect(url: &str, data_dir: &Path) -> Result<Store, StoreError> {
        let pool = connect_postgres(url).await?;
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let secrets = secrets::SecretBox::open_dir(data_dir)?;
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('secrets_check', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(secrets.seal(SECRETS_CHECK))
        .execute(&pool)
        .await?;
        let check: String =
            sqlx::query_scalar("SELECT value FROM settings WHERE name = 'secrets_check'")
                .fetch_one(&pool)
                .await?;
        if secrets.open(&check).ok().as_deref() != Some(SECRETS_CHECK) {
            return Err(StoreError::ForeignKey(
                data_dir.join(secrets::KEY_FILE).display().to_string(),
            ));
        }
        Ok(Store {
            pool: Pool::Postgres(pool),
            secrets: std::sync::Arc::new(secrets),
        })
    }

    /// [`Store::connect`] with secrets sealed under a key that dies with the store, for tests of
    /// the store and of what is built on it on PostgreSQL; nothing touches the disk.
    pub async fn connect_ephemeral(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            pool: Pool::Postgres(connect_postgres(url).await?),
            secrets: std::sync::Arc::new(secrets::SecretBox::ephemeral()),
        })
    }

    /// The PostgreSQL pool, when the store is on PostgreSQL: the fleet's `LISTEN`/`NOTIFY` go
    /// through it.
    pub(crate) fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    /// The same database through a connection of its own (PostgreSQL), for work that must not
    /// queue behind the API's queries: a node's lease. On SQLite, this store.
    pub(crate) fn with_own_connection(&self) -> Store {
        match &self.pool {
            Pool::Sqlite(_) => self.clone(),
            Pool::Postgres(pool) => Store {
                pool: Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(1)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_lazy_with((*pool.connect_options()).clone()),
                ),
                secrets: self.secrets.clone(),
            },
        }
    }

    /// The database this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// An in-memory database with the host's schema, for tests of the store and of what is built
    /// on it; nothing touches the disk.
    pub async fn in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: each in-memory connection would be a database of its own.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            secrets: std::sync::Arc::new(secrets::SecretBox::ephemeral()),
        })
    }
}

/// A migrated pool on the PostgreSQL database at `url`.
async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StoreError::Url(redact_password(url)));
    }
    let pool = PgPoolOptions::new()
        .max_connections(PG_POOL_SIZE)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(PgConnectOptions::from_str(url)?)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// Folds the WAL into the database now and then, off every request's path, until the pool closes.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        every.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!("WAL checkpoint failed (will retry): {e}");
        }
    }
}

/// `url` with any password replaced by `***`, for messages.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Generates each store test twice, once per backend: `async fn name(store: Store) { … }` becomes
/// the tests `name::sqlite` (in memory) and `name::postgres` (a fresh database on the test
/// process's throwaway PostgreSQL cluster, `phonefleet-pgtest`).
#[cfg(test)]
macro_rules! both_backends {
    ($(async fn $name:ident($store:ident: Store) $body:block)*) => {
        $(mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($store: $crate::store::Store) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::store::Store::in_memory().await.expect("an in-memory store")).await
            }

            #[tokio::test]
            async fn postgres() {
                let url = phonefleet_pgtest::Cluster::shared().fresh_database().await;
                run($crate::store::Store::connect_ephemeral(&url).await.expect("a PostgreSQL store"))
                    .await
            }
        })*
    };
}
#[cfg(test)]
pub(crate) use both_backends;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_password_is_not_repeated_in_messages() {
        assert_eq!(
            redact_password("mysql://fleet:hunter2@db:3306/x"),
            "mysql://fleet:***@db:3306/x"
        );
        assert_eq!(redact_password("sqlite://data"), "sqlite://data");
    }

    #[tokio::test]
    async fn a_host_whose_secrets_key_is_not_the_fleets_is_refused_until_it_has_the_fleets_key() {
        let url = phonefleet_pgtest::Cluster::shared().fresh_database().await;
        let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        Store::connect(&url, first.path())
            .await
            .expect("the first host");
        let Err(refused) = Store::connect(&url, second.path()).await else {
            panic!("a host with another key joined");
        };
        assert!(refused.to_string().contains("Copy secret.key"), "{refused}");
        std::fs::copy(
            first.path().join(secrets::KEY_FILE),
            second.path().join(secrets::KEY_FILE),
        )
        .unwrap();
        Store::connect(&url, second.path())
            .await
            .expect("the second host, with the fleet's key");
    }

    #[tokio::test]
    async fn a_database_url_that_is_not_postgresql_is_refused_saying_what_to_give() {
        let Err(e) = Store::connect_ephemeral("mysql://fleet:hunter2@db/x").await else {
            panic!("a MySQL URL was accepted");
        };
        let message = e.to_string();
        assert!(message.contains("postgres://"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
