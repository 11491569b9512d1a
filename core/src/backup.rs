//! A consistent copy of the database while the server runs: `VACUUM INTO` reads one snapshot
//! (a WAL read transaction) and writes a compact new file, so writers carry on meanwhile. The
//! copy is then opened and checked (`PRAGMA integrity_check`) before it is called good.

use crate::{DomainError, Services};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;

/// Writes the copy to `target` (which must not exist yet); returns its size in bytes.
pub async fn backup(services: &Services, target: &Path) -> Result<u64, DomainError> {
    if target.exists() {
        return Err(DomainError::Invalid(format!(
            "{} exists already: a backup never overwrites; name a new file.",
            target.display()
        )));
    }
    if services.db.as_sqlite().is_none() {
        return Err(DomainError::Invalid(
            "backup copies a SQLite database; on PostgreSQL use pg_dump (or the provider's snapshots)."
                .into(),
        ));
    }
    let text = target.to_str().ok_or_else(|| {
        DomainError::Invalid(format!("{} is not a UTF-8 path.", target.display()))
    })?;
    crate::db::query("VACUUM INTO ?")
        .bind(text)
        .execute(&services.db)
        .await?;
    let mut copy = SqliteConnectOptions::new()
        .filename(target)
        .read_only(true)
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    if verdict != "ok" {
        return Err(DomainError::internal(format!(
            "the copy at {} fails its integrity check: {verdict}",
            target.display()
        )));
    }
    Ok(std::fs::metadata(target)
        .map(|m| m.len())
        .unwrap_or_default())
}
