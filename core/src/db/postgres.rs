//! The PostgreSQL backend, for several replicas on one database.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The PostgreSQL schema migrations this binary carries (`migrations/postgres/`). sqlx runs them
/// under an advisory lock, so replicas started together apply each once.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The advisory lock [`begin_write`] takes ("regatta" in ASCII, to stay clear of sqlx's own).
const WRITE_LOCK: i64 = 0x0072_6567_6174_7461;

/// Connects to `url` (with `password` when the URL carries none) and applies every pending
/// migration.
pub async fn connect_and_migrate(url: &str, password: Option<&str>) -> anyhow::Result<PgPool> {
    let mut options = PgConnectOptions::from_str(url)?.application_name("regatta");
    if let Some(password) = password {
        options = options.password(password);
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

pub async fn begin_write(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}
