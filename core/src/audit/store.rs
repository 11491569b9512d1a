//! SQL for the `audit_log` table.

use super::AuditEvent;
use time::OffsetDateTime;

pub async fn record(
    db: impl crate::db::Executor<'_>,
    at: OffsetDateTime,
    event: &AuditEvent<'_>,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO audit_log (at, actor, action, target, source, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(event.actor)
    .bind(event.action.as_str())
    .bind(event.target)
    .bind(event.source)
    .bind(event.outcome.as_str())
    .bind(event.detail)
    .execute(db)
    .await?;
    Ok(())
}
