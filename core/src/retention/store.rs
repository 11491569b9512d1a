//! SQL for retention: policies made on the page, previews and runs, and the index reads the
//! "promoted" rule needs.

use super::policy::RetentionPolicy;
use std::collections::HashSet;
use time::OffsetDateTime;

/// Digests tagged in the repositories of `registry` whose names start with `prefix`.
pub async fn digests_in(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    prefix: &str,
) -> Result<HashSet<String>, sqlx::Error> {
    // A range of names rather than substr(): the (registry, name) key serves it. Names are
    // ASCII, so every name starting with `prefix` sorts below `prefix` + U+10FFFF.
    let end = format!("{prefix}{}", char::MAX);
    let rows: Vec<String> = crate::db::query_scalar(
        "SELECT DISTINCT m.digest FROM registries g
         JOIN repositories r ON r.registry_id = g.id AND r.name >= ?2 AND r.name < ?3
         JOIN tags t ON t.repository_id = r.id JOIN manifests m ON m.id = t.manifest_id
         WHERE g.name = ?1",
    )
    .bind(registry)
    .bind(prefix)
    .bind(end)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

pub async fn stored_policies(
    db: impl crate::db::Executor<'_>,
) -> Result<Vec<RetentionPolicy>, sqlx::Error> {
    let rows: Vec<String> =
        crate::db::query_scalar("SELECT definition FROM retention_policies ORDER BY name")
            .fetch_all(db)
            .await?;
    rows.iter()
        .map(|text| serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

pub async fn save_policy(
    db: impl crate::db::Executor<'_>,
    policy: &RetentionPolicy,
    by: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO retention_policies (name, definition, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(&policy.name)
    .bind(serde_json::to_string(policy).expect("a policy serializes"))
    .bind(by)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether a stored policy of that name was there to delete.
pub async fn delete_policy(
    db: impl crate::db::Executor<'_>,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let done = crate::db::query("DELETE FROM retention_policies WHERE name = ?")
        .bind(name)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub struct NewPreview<'a> {
    pub policy: &'a str,
    pub registry: &'a str,
    pub trigger: &'a str,
    pub requested_by: &'a str,
    pub at: OffsetDateTime,
    pub candidates: u64,
    pub bytes_freed: u64,
    pub preview: &'a str,
}

pub async fn insert_preview(
    db: impl crate::db::Executor<'_>,
    new: &NewPreview<'_>,
) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO retention_runs (policy, registry, trigger, requested_by, previewed_at, status,
             candidates, bytes_freed, preview)
         VALUES (?, ?, ?, ?, ?, 'previewed', ?, ?, ?) RETURNING id",
    )
    .bind(new.policy)
    .bind(new.registry)
    .bind(new.trigger)
    .bind(new.requested_by)
    .bind(new.at)
    .bind(new.candidates as i64)
    .bind(new.bytes_freed as i64)
    .bind(new.preview)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub policy: String,
    pub registry: String,
    pub trigger: String,
    pub requested_by: String,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub previewed_at: OffsetDateTime,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub started_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub finished_at: Option<OffsetDateTime>,
    pub status: String,
    pub candidates: i64,
    pub deleted: i64,
    pub skipped: i64,
    pub failed: i64,
    pub bytes_freed: i64,
    pub duration_ms: Option<i64>,
    pub preview: String,
    pub report: Option<String>,
}

impl RunRow {
    /// The candidates as previewed.
    pub fn previewed(&self) -> Option<super::RetentionPreview> {
        serde_json::from_str(&self.preview).ok()
    }

    /// (repository, tag, outcome) of each candidate, once run.
    pub fn outcomes(&self) -> Vec<(String, String, String)> {
        self.report
            .as_deref()
            .and_then(|report| serde_json::from_str(report).ok())
            .unwrap_or_default()
    }
}

const RUN_COLUMNS: &str = "id, policy, registry, trigger, requested_by, previewed_at, started_at,
    finished_at, status, candidates, deleted, skipped, failed, bytes_freed, duration_ms, preview, report";

pub async fn run(db: impl crate::db::Executor<'_>, id: i64) -> Result<Option<RunRow>, sqlx::Error> {
    crate::db::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM retention_runs WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The latest runs (previews that were not run included), newest first.
pub async fn recent_runs(
    db: impl crate::db::Executor<'_>,
    limit: i64,
) -> Result<Vec<RunRow>, sqlx::Error> {
    crate::db::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM retention_runs ORDER BY id DESC LIMIT ?"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// When `policy` last ran on its schedule.
pub async fn last_scheduled_run(
    db: impl crate::db::Executor<'_>,
    policy: &str,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    let at: Option<crate::db::TextTime> = crate::db::query_scalar(
        "SELECT previewed_at FROM retention_runs WHERE policy = ? AND trigger = 'schedule'
         ORDER BY id DESC LIMIT 1",
    )
    .bind(policy)
    .fetch_optional(db)
    .await?;
    Ok(at.map(|at| at.0))
}

/// Marks a previewed run as started; false when it was not waiting to run (run already).
pub async fn start_run(
    db: impl crate::db::Executor<'_>,
    id: i64,
    at: OffsetDateTime,
    replica: &str,
) -> Result<bool, sqlx::Error> {
    let done = crate::db::query(
        "UPDATE retention_runs SET status = 'running', started_at = ?, replica = ?
         WHERE id = ? AND status = 'previewed'",
    )
    .bind(at)
    .bind(replica)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct Finished<'a> {
    pub status: &'a str,
    pub deleted: u64,
    pub skipped: u64,
    pub failed: u64,
    pub duration_ms: i64,
    pub report: &'a str,
    pub at: OffsetDateTime,
}

pub async fn finish_run(
    db: impl crate::db::Executor<'_>,
    id: i64,
    finished: &Finished<'_>,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE retention_runs SET status = ?, deleted = ?, skipped = ?, failed = ?, duration_ms = ?,
             report = ?, finished_at = ? WHERE id = ?",
    )
    .bind(finished.status)
    .bind(finished.deleted as i64)
    .bind(finished.skipped as i64)
    .bind(finished.failed as i64)
    .bind(finished.duration_ms)
    .bind(finished.report)
    .bind(finished.at)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
