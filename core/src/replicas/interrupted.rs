//! Work a dead replica left running (promotions, deletions, retention runs, garbage
//! collection) can never finish: the replicas that live on end it. A replica is dead when its
//! heartbeat is older than the lease time, when it stopped cleanly, or at once when it ran on
//! this host and its process is gone (a crash followed by a restart should not wait out the
//! lease to say so).

use super::{unix_ms, Replica};
use crate::{DomainError, Services};
use time::OffsetDateTime;

/// SQL condition on a table with a `replica` column: the row's replica is not alive. Bind
/// [`Replica::alive_since`] once. Rows written before replicas were recorded count as dead.
pub const REPLICA_IS_DEAD: &str = "(replica IS NULL OR replica NOT IN (SELECT id FROM replicas
    WHERE stopped_at IS NULL AND seen_at >= ?))";

/// This process's PID namespace (`pid:[4026531836]`): PIDs of replicas that share the host
/// name *and* this namespace can be looked up in `/proc`; in another container they cannot.
pub fn process_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|link| link.display().to_string())
        .unwrap_or_default()
}

/// Marks replicas of this host and PID namespace whose process is gone as stopped.
pub async fn reap_local(
    services: &Services,
    replica: &Replica,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let namespace = process_namespace();
    if namespace.is_empty() {
        return Ok(0);
    }
    let candidates: Vec<(String, i64)> = crate::db::query_as(
        "SELECT id, pid FROM replicas
         WHERE stopped_at IS NULL AND host = ? AND process_namespace = ? AND id <> ?",
    )
    .bind(&replica.host)
    .bind(&namespace)
    .bind(&replica.id)
    .fetch_all(&services.db)
    .await?;
    let mut reaped = 0;
    for (id, pid) in candidates {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            crate::db::query(
                "UPDATE replicas SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL",
            )
            .bind(unix_ms(now))
            .bind(&id)
            .execute(&services.db)
            .await?;
            tracing::warn!(
                replica = id,
                "a replica on this host is gone (its process ended)"
            );
            reaped += 1;
        }
    }
    Ok(reaped)
}

/// Ends every piece of work whose replica is dead; returns how many there were. Run at start
/// and then by the `interrupted-work` job.
pub async fn end_work_of_dead_replicas(services: &Services) -> Result<u64, DomainError> {
    let now = services.clock.now();
    reap_local(services, &services.replica, now).await?;
    let alive_since = services.replica.alive_since(now);
    let promotions = crate::promotion::mark_interrupted(&services.db, alive_since).await?;
    if promotions > 0 {
        tracing::warn!(
            promotions,
            "promotions left running by a stopped server were marked failed"
        );
    }
    let deletions = crate::deletion::mark_interrupted(services, alive_since).await?;
    if deletions > 0 {
        tracing::warn!(
            deletions,
            "deletions and retention runs left running by a stopped server were marked failed"
        );
    }
    // Garbage collection may also have left a registry read-only.
    let collections = crate::gc::recover_interrupted(services, alive_since).await?;
    Ok(promotions + deletions + collections as u64)
}
