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
        .before_acquire(|connection, _| {
            Box::pin(async move { Ok(!left_in_a_transaction(connection)) })
        })
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    drop(lock);
    Ok(pool)
}

/// True for a connection a failed transaction left unusable, which the pool then closes
/// instead of handing out. An I/O error or a full disk makes SQLite roll a transaction back by
/// itself; sqlx's ROLLBACK on drop then fails ("no transaction is active") and its count of
/// open transactions stays at one, so every later `BEGIN` on that connection failed with
/// "begin_with at non-zero transaction depth" — writes kept failing after the disk recovered.
fn left_in_a_transaction(connection: &sqlx::SqliteConnection) -> bool {
    use sqlx::Connection;
    let stuck = connection.is_in_transaction();
    if stuck {
        tracing::warn!("closing a database connection a failed transaction left open");
    }
    stuck
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

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite ending the transaction under sqlx — as it does itself after an I/O error or a
    /// full disk — is made here with a ROLLBACK sent inside the transaction; sqlx's own
    /// ROLLBACK at the drop then fails just as it does after the real error.
    #[tokio::test]
    async fn a_connection_a_failed_transaction_left_open_is_not_handed_out_again() {
        let dir = tempfile::tempdir().unwrap();
        let pool = connect_and_migrate(&dir.path().join("regatta.db"))
            .await
            .unwrap();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        drop(tx);
        for _ in 0..3 {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            sqlx::query(
                "INSERT INTO readiness (id, checked_at) VALUES (1, 'now')
                         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            )
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }
}
