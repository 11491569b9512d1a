//! SQL for `webhook_deliveries`.

use time::OffsetDateTime;

pub async fn insert(
    db: impl crate::db::Executor<'_>,
    about: super::DeliveryFor,
    webhook: &str,
    payload: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut owners = [None; 5];
    let (slot, id) = match about {
        super::DeliveryFor::Promotion(id) => (0, id),
        super::DeliveryFor::StorageAlert(id) => (1, id),
        super::DeliveryFor::Deletion(id) => (2, id),
        super::DeliveryFor::RetentionRun(id) => (3, id),
        super::DeliveryFor::GcRun(id) => (4, id),
    };
    owners[slot] = Some(id);
    crate::db::query(
        "INSERT INTO webhook_deliveries (promotion_id, storage_alert_id, deletion_id,
             retention_run_id, gc_run_id, webhook, payload, status, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
    )
    .bind(owners[0])
    .bind(owners[1])
    .bind(owners[2])
    .bind(owners[3])
    .bind(owners[4])
    .bind(webhook)
    .bind(payload)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub webhook: String,
    pub payload: String,
    pub attempts: i64,
}

pub async fn due(
    db: impl crate::db::Executor<'_>,
    now: OffsetDateTime,
) -> Result<Vec<Due>, sqlx::Error> {
    crate::db::query_as(
        "SELECT id, webhook, payload, attempts FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

pub async fn delivered(
    db: impl crate::db::Executor<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL
         WHERE id = ?",
    )
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `next`, or given up when there is none.
pub async fn failed_attempt(
    db: impl crate::db::Executor<'_>,
    id: i64,
    error: &str,
    next: Option<OffsetDateTime>,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?,
                status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = COALESCE(?, next_attempt_at)
         WHERE id = ?",
    )
    .bind(error)
    .bind(next)
    .bind(next)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
