//! SQL for the `promotions` table: the history page and the record of each run.

use super::copy::CopyReport;
use super::plan::PromotionPlan;
use time::OffsetDateTime;

pub async fn start(
    db: impl crate::db::Executor<'_>,
    at: OffsetDateTime,
    actor: &str,
    plan: &PromotionPlan,
    replica: &str,
) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO promotions (started_at, actor, source_registry, source_repository, source_tag, digest,
                                 target_registry, target_repository, target_tag, from_environment, to_environment, status, replica)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?) RETURNING id",
    )
    .bind(at)
    .bind(actor)
    .bind(&plan.source.registry)
    .bind(plan.source.repository.as_str())
    .bind(plan.source.tag.as_str())
    .bind(plan.digest.as_str())
    .bind(&plan.target.registry)
    .bind(plan.target.repository.as_str())
    .bind(plan.target.tag.as_str())
    .bind(&plan.from_environment)
    .bind(&plan.to_environment)
    .bind(replica)
    .fetch_one(db)
    .await
}

pub async fn finish(
    db: impl crate::db::Executor<'_>,
    id: i64,
    at: OffsetDateTime,
    duration_ms: i64,
    result: Result<&CopyReport, &str>,
) -> Result<(), sqlx::Error> {
    let (status, error, report) = match result {
        Ok(report) => ("succeeded", None, *report),
        Err(error) => ("failed", Some(error), CopyReport::default()),
    };
    crate::db::query(
        "UPDATE promotions SET finished_at = ?, duration_ms = ?, status = ?, error = ?,
                bytes_moved = ?, blobs_mounted = ?, blobs_copied = ?, blobs_present = ?
         WHERE id = ?",
    )
    .bind(at)
    .bind(duration_ms)
    .bind(status)
    .bind(error)
    .bind(report.bytes_moved as i64)
    .bind(report.blobs_mounted)
    .bind(report.blobs_copied)
    .bind(report.blobs_present)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Writes how far running promotion `id` is (for the other replicas' progress lines).
pub async fn write_progress(
    db: impl crate::db::Executor<'_>,
    id: i64,
    progress: &super::PromotionProgress,
) -> Result<(), sqlx::Error> {
    use std::sync::atomic::Ordering::Relaxed;
    crate::db::query(
        "UPDATE promotions SET bytes_done = ?, bytes_total = ?, blobs_done = ?, blobs_total = ?
         WHERE id = ? AND status = 'running'",
    )
    .bind(progress.bytes_done.load(Relaxed) as i64)
    .bind(progress.bytes_total.load(Relaxed) as i64)
    .bind(progress.blobs_done.load(Relaxed))
    .bind(progress.blobs_total.load(Relaxed))
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Promotions running on live replicas, oldest first, as far as their rows say.
pub async fn running(
    db: impl crate::db::Executor<'_>,
    alive_since: i64,
) -> Result<Vec<super::RunningPromotion>, sqlx::Error> {
    crate::db::query_as(&format!(
        "SELECT id, target_registry || '/' || target_repository || ':' || target_tag AS target,
                target_registry, bytes_done, bytes_total, blobs_done, blobs_total
         FROM promotions WHERE status = 'running' AND NOT {}
         ORDER BY id",
        crate::replicas::interrupted::REPLICA_IS_DEAD
    ))
    .bind(alive_since)
    .fetch_all(db)
    .await
}

/// A run that ended without recording its end (see `RunningRecord`).
pub async fn mark_stopped(db: impl crate::db::Executor<'_>, id: i64) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE promotions SET status = 'failed', error = 'stopped before its end was recorded; check the target and run it again'
         WHERE id = ? AND status = 'running'",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Promotions a dead replica left running can never finish: say so. `alive_since`: see
/// [`crate::replicas::interrupted::REPLICA_IS_DEAD`].
pub async fn mark_interrupted(
    db: impl crate::db::Executor<'_>,
    alive_since: i64,
) -> Result<u64, sqlx::Error> {
    let done = crate::db::query(&format!(
        "UPDATE promotions SET status = 'failed', error = 'interrupted: the server stopped during the promotion; run it again to finish'
         WHERE status = 'running' AND {}",
        crate::replicas::interrupted::REPLICA_IS_DEAD
    ))
    .bind(alive_since)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PromotionRecord {
    pub id: i64,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub started_at: OffsetDateTime,
    pub actor: String,
    pub source_registry: String,
    pub source_repository: String,
    pub source_tag: String,
    pub digest: String,
    pub target_registry: String,
    pub target_repository: String,
    pub target_tag: String,
    pub from_environment: Option<String>,
    pub to_environment: String,
    pub status: PromotionStatus,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub bytes_moved: i64,
    pub blobs_mounted: i64,
    pub blobs_copied: i64,
    pub blobs_present: i64,
    /// The outgoing webhook calls of this promotion (none without webhooks).
    #[sqlx(try_from = "crate::db::JsonText<Vec<WebhookState>>")]
    pub webhooks: Vec<WebhookState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum PromotionStatus {
    Running,
    Succeeded,
    Failed,
}

impl PromotionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// Where one webhook call of a promotion stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct WebhookState {
    pub webhook: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub last_error: Option<String>,
}

/// The most recent promotions, newest first.
pub async fn recent(
    db: impl crate::db::Executor<'_>,
    limit: i64,
) -> Result<Vec<PromotionRecord>, sqlx::Error> {
    crate::db::query_as(
        "SELECT p.*,
                (SELECT json_group_array(json_object('webhook', w.webhook, 'status', w.status, 'last_error', w.last_error))
                 FROM webhook_deliveries w WHERE w.promotion_id = p.id) AS webhooks
         FROM promotions p ORDER BY p.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

crate::json_text!(Vec<WebhookState>);
