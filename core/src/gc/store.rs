//! SQL for `gc_runs` and `released_blobs`.

use super::predict::Id;
use std::collections::HashMap;
use time::OffsetDateTime;

/// (digest, size, repository) of the blobs of `registry` no manifest references any more.
pub async fn released_blobs(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<Vec<(String, i64, Option<String>)>, sqlx::Error> {
    crate::db::query_as(
        "SELECT b.digest, b.size, b.repository FROM released_blobs b
         JOIN registries r ON r.id = b.registry_id WHERE r.name = ?",
    )
    .bind(registry)
    .fetch_all(db)
    .await
}

/// A collection of `registry` ran: the blobs released up to `started` (the second its
/// collect step began) are gone; those referenced again meanwhile were forgotten as released
/// when they were.
pub async fn forget_released(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    started: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    // The format the `released_blobs` rows are written in (SQLite's strftime), to the second.
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let started = started
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default();
    crate::db::query(
        "DELETE FROM released_blobs WHERE since <= ?
           AND registry_id = (SELECT id FROM registries WHERE name = ?)",
    )
    .bind(started)
    .bind(registry)
    .execute(db)
    .await?;
    Ok(())
}

/// The digests of the given manifest and blob rows.
pub async fn digests_of(
    db: &crate::db::Db,
    manifests: &[i64],
    blobs: &[i64],
) -> Result<HashMap<Id, String>, sqlx::Error> {
    let mut digests = HashMap::new();
    for (table, ids, wrap) in [
        ("manifests", manifests, Id::Manifest as fn(i64) -> Id),
        ("blobs", blobs, Id::Blob as fn(i64) -> Id),
    ] {
        if ids.is_empty() {
            continue;
        }
        let rows: Vec<(i64, String)> = crate::db::query_as(&format!(
            "SELECT id, digest FROM {table} WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        ))
        .bind(serde_json::to_string(ids).expect("ids serialize"))
        .fetch_all(db)
        .await?;
        digests.extend(rows.into_iter().map(|(id, digest)| (wrap(id), digest)));
    }
    Ok(digests)
}

/// A run starting.
pub struct NewRun<'a> {
    pub registry: &'a str,
    pub trigger: &'a str,
    pub dry_run: bool,
    pub untagged_cleanup: bool,
    pub started_at: OffsetDateTime,
    pub predicted_blobs: u64,
    pub predicted_bytes: u64,
    pub replica: &'a str,
}

pub async fn start(db: impl crate::db::Executor<'_>, run: &NewRun<'_>) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO gc_runs (registry, trigger, dry_run, untagged_cleanup, status, started_at,
                              predicted_blobs, predicted_bytes, replica)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?) RETURNING id",
    )
    .bind(run.registry)
    .bind(run.trigger)
    .bind(run.dry_run)
    .bind(run.untagged_cleanup)
    .bind(run.started_at)
    .bind(run.predicted_blobs as i64)
    .bind(run.predicted_bytes as i64)
    .bind(run.replica)
    .fetch_one(db)
    .await
}

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct RunEnd {
    pub failed: Option<String>,
    pub finished_at: Option<OffsetDateTime>,
    pub duration_ms: i64,
    pub read_only_ms: Option<i64>,
    pub untagged_deleted: u64,
    pub blobs_marked: Option<u64>,
    pub blobs_eligible: Option<u64>,
    pub manifests_eligible: Option<u64>,
    pub blobs_deleted: Option<u64>,
    pub bytes_freed: Option<u64>,
    pub storage_before: Option<u64>,
    pub storage_after: Option<u64>,
    pub log: String,
}

pub async fn finish(
    db: impl crate::db::Executor<'_>,
    id: i64,
    end: &RunEnd,
) -> Result<(), sqlx::Error> {
    let number = |n: Option<u64>| n.map(|n| n as i64);
    crate::db::query(
        "UPDATE gc_runs SET status = ?, error = ?, finished_at = ?, duration_ms = ?,
             read_only_ms = ?, untagged_deleted = ?, blobs_marked = ?, blobs_eligible = ?,
             manifests_eligible = ?, blobs_deleted = ?, bytes_freed = ?, storage_before = ?,
             storage_after = ?, log = ?
         WHERE id = ?",
    )
    .bind(if end.failed.is_some() {
        "failed"
    } else {
        "done"
    })
    .bind(&end.failed)
    .bind(end.finished_at)
    .bind(end.duration_ms)
    .bind(end.read_only_ms)
    .bind(end.untagged_deleted as i64)
    .bind(number(end.blobs_marked))
    .bind(number(end.blobs_eligible))
    .bind(number(end.manifests_eligible))
    .bind(number(end.blobs_deleted))
    .bind(number(end.bytes_freed))
    .bind(number(end.storage_before))
    .bind(number(end.storage_after))
    .bind(&end.log)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// One run as stored (the log apart: [`run_log`]).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GcRun {
    pub id: i64,
    pub registry: String,
    pub trigger: String,
    pub dry_run: bool,
    pub untagged_cleanup: bool,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[sqlx(try_from = "crate::db::TextTime")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub finished_at: Option<OffsetDateTime>,
    pub duration_ms: Option<i64>,
    pub read_only_ms: Option<i64>,
    pub predicted_blobs: i64,
    pub predicted_bytes: i64,
    pub untagged_deleted: i64,
    pub blobs_marked: Option<i64>,
    pub blobs_eligible: Option<i64>,
    pub manifests_eligible: Option<i64>,
    pub blobs_deleted: Option<i64>,
    pub bytes_freed: Option<i64>,
    pub storage_before: Option<i64>,
    pub storage_after: Option<i64>,
    pub error: Option<String>,
}

const RUN_COLUMNS: &str = "id, registry, trigger, dry_run, untagged_cleanup, status, started_at,
    finished_at, duration_ms, read_only_ms, predicted_blobs, predicted_bytes, untagged_deleted,
    blobs_marked, blobs_eligible, manifests_eligible, blobs_deleted, bytes_freed, storage_before,
    storage_after, error";

/// Newest first, of the given registries.
pub async fn runs(
    db: impl crate::db::Executor<'_>,
    registries: &[&str],
    limit: i64,
) -> Result<Vec<GcRun>, sqlx::Error> {
    crate::db::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM gc_runs WHERE registry IN (SELECT value FROM json_each(?))
         ORDER BY started_at DESC, id DESC LIMIT ?"
    ))
    .bind(serde_json::to_string(registries).expect("names serialize"))
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn run(db: impl crate::db::Executor<'_>, id: i64) -> Result<Option<GcRun>, sqlx::Error> {
    crate::db::query_as(&format!("SELECT {RUN_COLUMNS} FROM gc_runs WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn run_log(
    db: impl crate::db::Executor<'_>,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    crate::db::query_scalar("SELECT log FROM gc_runs WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Runs left `running` (by a server that stopped mid-run): (id, registry, dry run).
pub async fn interrupted(
    db: impl crate::db::Executor<'_>,
    alive_since: i64,
) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
    crate::db::query_as(&format!(
        "SELECT id, registry, dry_run FROM gc_runs WHERE status = 'running' AND {}",
        crate::replicas::interrupted::REPLICA_IS_DEAD
    ))
    .bind(alive_since)
    .fetch_all(db)
    .await
}

/// A run of `registry` recorded as running (by another process: this one's are known in
/// memory), if any.
pub async fn running_elsewhere(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<Option<i64>, sqlx::Error> {
    crate::db::query_scalar(
        "SELECT id FROM gc_runs WHERE registry = ? AND status = 'running' LIMIT 1",
    )
    .bind(registry)
    .fetch_optional(db)
    .await
}

/// Marks run `id` failed with `error` (a run a stopped server left running), adding `log`.
pub async fn mark_failed(
    db: impl crate::db::Executor<'_>,
    id: i64,
    error: &str,
    log: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE gc_runs SET status = 'failed', error = ?, finished_at = ?,
             log = log || ? WHERE id = ?",
    )
    .bind(error)
    .bind(now)
    .bind(format!("{log}failed: {error}\n"))
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
