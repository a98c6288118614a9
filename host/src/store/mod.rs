//! Durable state in SQLite through sqlx: opening and migrating the database, and every query the
//! host runs, one file per noun (`tasks`, `logs`, `accounts`, `groups`, `materials`). The only module that
//! writes SQL; callers get typed rows.

mod accounts;
mod groups;
mod logs;
mod materials;
pub mod secrets;
mod tasks;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{AccountChange, AccountFilter, AccountRow, NewAccountRow};
pub use groups::{GroupRow, GroupUpdate};
pub use logs::{LogPage, LogRow, NewLog};
pub use materials::MaterialRow;
pub use tasks::{ErrorKind, NewTask, Outcome, Stats, TaskFilter, TaskRow, TaskStatus};

/// The database file inside the data directory.
pub const DB_FILE: &str = "phonefleet.db";
/// Connections in the pool: SQLite takes one writer at a time; readers run beside it in WAL mode.
const POOL_SIZE: u32 = 4;
/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// A storage failure; always an internal error for API callers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed a query.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A task secret could not be sealed or opened, or its key read.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
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
    pool: SqlitePool,
    /// Seals task secrets at rest.
    secrets: std::sync::Arc<secrets::SecretBox>,
}

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
        sqlx::migrate!("./migrations").run(&pool).await?;
        let secrets = std::sync::Arc::new(secrets::SecretBox::open_dir(data_dir)?);
        tokio::spawn(checkpoint_wal(pool.clone()));
        Ok(Store { pool, secrets })
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
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            secrets: std::sync::Arc::new(secrets::SecretBox::ephemeral()),
        })
    }
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
