//! The SQLite backend: one file beside the server, the default and the demo's.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::{path::Path, time::Duration};

/// The SQLite schema migrations this binary carries (`migrations/sqlite/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Opens (creating if needed) the database at `path` with WAL and foreign keys on, and applies
/// every pending migration.
#[tracing::instrument]
pub async fn connect_and_migrate(path: &Path) -> anyhow::Result<SqlitePool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Reads go through the OS page cache instead of being copied into each connection's
        // small private cache: search over 200,000 tags touches tens of MiB of index pages.
        .pragma("mmap_size", "268435456");
    // Replicas started together on one database: one creates it and applies the migrations
    // while the others wait, then find them applied. sqlx locks on PostgreSQL (an advisory
    // lock) but not on SQLite, where two processes could both try the same migration (one then
    // fails its start) or switch a new file to WAL at once ("database is locked").
    let lock = migration_lock(path).await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A ping before every acquire is a round trip to the connection's worker thread (sqlx
        // runs each SQLite connection on its own thread): a third of the cost of a small query,
        // and a local file's connection does not go stale. sqlx still pings on release.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    drop(lock);
    Ok(pool)
}

/// An exclusive lock on `<database>-migrate.lock`, held until the file is dropped.
async fn migration_lock(database: &Path) -> std::io::Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push("-migrate.lock");
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(std::io::Error::other)?
}
