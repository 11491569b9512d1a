//! Where a query runs: the pool, or a transaction or connection taken from it, on either backend.

use super::{Db, Tx};
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

pub enum Target<'c> {
    SqlitePool(&'c SqlitePool),
    Sqlite(&'c mut SqliteConnection),
    PostgresPool(&'c PgPool),
    Postgres(&'c mut PgConnection),
}

/// What a query's `fetch_*` / `execute` accepts: `&Db`, `&mut Tx` or `&mut Conn`.
pub trait Executor<'c>: Send {
    fn target(self) -> Target<'c>;
}

impl<'c> Executor<'c> for &'c Db {
    fn target(self) -> Target<'c> {
        match self {
            Db::Sqlite(pool) => Target::SqlitePool(pool),
            Db::Postgres(pool) => Target::PostgresPool(pool),
        }
    }
}

/// A transaction or a held connection: what a function running several queries in a row takes
/// (`&mut impl Connection`), passing `&mut *conn` to each.
pub trait Connection: Send {
    fn target(&mut self) -> Target<'_>;
}

impl<'c, C: Connection> Executor<'c> for &'c mut C {
    fn target(self) -> Target<'c> {
        Connection::target(self)
    }
}

impl Connection for Tx {
    fn target(&mut self) -> Target<'_> {
        match self {
            Tx::Sqlite(tx) => Target::Sqlite(tx),
            Tx::Postgres(tx) => Target::Postgres(tx),
        }
    }
}

/// One connection held from the pool (for work that must see its own temporary state).
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Connection for Conn {
    fn target(&mut self) -> Target<'_> {
        match self {
            Conn::Sqlite(conn) => Target::Sqlite(conn),
            Conn::Postgres(conn) => Target::Postgres(conn),
        }
    }
}
