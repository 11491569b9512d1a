//! The database: SQLite (a file, the default) or PostgreSQL (`postgres://…`), behind one query
//! seam. Domain code writes `db::query(…)` / `query_as` / `query_scalar` with `?` placeholders and
//! runs them on `&Db`, `&mut Tx` or `&mut Conn`; SQL that must differ per backend says so beside
//! its SQLite text (`.on_postgres(…)`). Schema migrations per backend: `migrations/sqlite/` and
//! `migrations/postgres/` at the root, embedded in the binary.

mod builder;
pub mod copy;
mod dialect;
mod executor;
mod json_text;
mod placeholders;
mod postgres;
mod query;
mod sqlite;
mod text_time;
mod value;

pub use builder::{QueryBuilder, Separated};
pub use executor::{Conn, Connection, Executor, Target};
pub use json_text::JsonText;
pub use query::{
    query, query_as, query_scalar, Decodes, Done, FromRows, Query, QueryAs, QueryScalar, Row,
};
pub use text_time::{MaybeTextTime, TextTime};
pub use value::{rfc3339, Bind, Kind, Value};

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::path::Path;

/// The connection pool.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction; `&mut tx` runs queries in it.
#[derive(Debug)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Opens (creating if needed) the SQLite database at `path` and applies every pending migration.
pub async fn connect_and_migrate(path: &Path) -> anyhow::Result<Db> {
    Ok(Db::Sqlite(sqlite::connect_and_migrate(path).await?))
}

/// Connects to the PostgreSQL database at `url` (`password` when the URL has none) and applies
/// every pending migration.
pub async fn connect_postgres(url: &str, password: Option<&str>) -> anyhow::Result<Db> {
    Ok(Db::Postgres(
        postgres::connect_and_migrate(url, password).await?,
    ))
}

impl Db {
    /// The migrations this binary carries for this backend.
    pub fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self {
            Db::Sqlite(_) => &sqlite::MIGRATOR,
            Db::Postgres(_) => &postgres::MIGRATOR,
        }
    }

    /// The SQLite pool, for what only SQLite has (backups of the file, its session store).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(pool) => Some(pool),
            Db::Postgres(_) => None,
        }
    }

    pub fn as_postgres(&self) -> Option<&PgPool> {
        match self {
            Db::Postgres(pool) => Some(pool),
            Db::Sqlite(_) => None,
        }
    }

    /// A transaction that may only read, or whose writes need no ordering against other
    /// writers (see [`begin_write`] for those).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// One connection of the pool, held until dropped.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Starts a transaction that will write, ordered against every other such transaction, as one
/// writer at a time is what the check-then-write code in the stores (login throttle, leases,
/// crawl batches) was written for.
///
/// SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so a busy database makes it wait
/// (busy timeout) instead of failing: a deferred transaction that reads first and writes later
/// gets `SQLITE_BUSY` at once if another writer committed meanwhile (seen with the crawler's
/// parallel repositories once search triggers made writes longer).
/// PostgreSQL: the same single-writer order through a transaction-scoped advisory lock.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    Ok(match db {
        Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        Db::Postgres(pool) => Tx::Postgres(postgres::begin_write(pool).await?),
    })
}

/// [`begin_write`] for writes a crash may lose without harm because they are redone anyway —
/// the crawl's batches, which the next crawl (at the next start) writes again. PostgreSQL then
/// commits without waiting for its WAL to reach the disk (`synchronous_commit = off` for this
/// transaction: a crash loses at most the last moments, never consistency), which is what
/// SQLite's WAL with `synchronous = NORMAL` does for every commit. A crawl commits once per
/// repository: 200 flushes were a fifth of a 200-repository crawl on PostgreSQL.
pub async fn begin_redoable_write(db: &Db) -> Result<Tx, sqlx::Error> {
    let mut tx = begin_write(db).await?;
    if let Tx::Postgres(pg) = &mut tx {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut **pg)
            .await?;
    }
    Ok(tx)
}
