//! Each replica's row: registered at start, its `seen_at` rewritten every
//! [`Replica::beat_every`], `stopped_at` set by a clean shutdown (its leases go at once then,
//! instead of after the lease time). Every process on the database beats, CLI commands too: a
//! promotion or deletion run by `regatta promote` is as alive as its process.

use super::{unix_ms, Replica};
use crate::db::Db;
use time::OffsetDateTime;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReplicaRow {
    pub id: String,
    pub host: String,
    pub listen: String,
    pub started_at: i64,
    pub seen_at: i64,
    pub stopped_at: Option<i64>,
}

pub async fn register(
    db: &Db,
    replica: &Replica,
    listen: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO replicas (id, host, process_namespace, pid, listen, started_at, seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET listen = excluded.listen, seen_at = excluded.seen_at",
    )
    .bind(&replica.id)
    .bind(&replica.host)
    .bind(super::interrupted::process_namespace())
    .bind(i64::from(std::process::id()))
    .bind(listen)
    .bind(replica.started_at)
    .bind(unix_ms(now))
    .execute(db)
    .await?;
    // Rows of replicas gone for a day only clutter the list.
    crate::db::query("DELETE FROM replicas WHERE seen_at < ?")
        .bind(unix_ms(now) - 86_400_000)
        .execute(db)
        .await?;
    Ok(())
}

/// Registers `replica` and beats for it, every [`Replica::beat_every`], for as long as the
/// process runs.
pub async fn join(
    db: &Db,
    replica: &Replica,
    clock: crate::clock::SharedClock,
) -> Result<(), sqlx::Error> {
    register(db, replica, "", clock.now()).await?;
    let (db, replica) = (db.clone(), replica.clone());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(replica.beat_every()).await;
            if let Err(error) = beat(&db, &replica, clock.now()).await {
                tracing::warn!(%error, "could not write this replica's heartbeat");
            }
        }
    });
    Ok(())
}

/// Says this replica is alive. The row is written back if something removed it.
pub async fn beat(db: &Db, replica: &Replica, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let done =
        crate::db::query("UPDATE replicas SET seen_at = ? WHERE id = ? AND stopped_at IS NULL")
            .bind(unix_ms(now))
            .bind(&replica.id)
            .execute(db)
            .await?;
    if done.rows_affected() == 0 {
        register(db, replica, "", now).await?;
    }
    Ok(())
}

/// A clean stop: the replica's leases are free at once.
pub async fn stopped(db: &Db, replica: &Replica, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE replicas SET stopped_at = ? WHERE id = ?")
        .bind(unix_ms(now))
        .bind(&replica.id)
        .execute(db)
        .await?;
    crate::db::query("UPDATE job_leases SET holder = '' WHERE holder = ?")
        .bind(&replica.id)
        .execute(db)
        .await?;
    Ok(())
}

/// The replicas alive at `now`, oldest first.
pub async fn alive(
    db: &Db,
    replica: &Replica,
    now: OffsetDateTime,
) -> Result<Vec<ReplicaRow>, sqlx::Error> {
    crate::db::query_as(
        "SELECT id, host, listen, started_at, seen_at, stopped_at FROM replicas
         WHERE stopped_at IS NULL AND seen_at >= ? ORDER BY started_at, id",
    )
    .bind(replica.alive_since(now))
    .fetch_all(db)
    .await
}
