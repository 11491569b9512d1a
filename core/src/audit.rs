//! The audit trail: who did what, when, from where. Written by every action that changes
//! something or grants access, read by admins.

use sqlx::SqliteExecutor;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Error => "error",
        }
    }
}

/// One thing that happened, about to be recorded.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub source: &'a str,
    pub outcome: Outcome,
    pub detail: Option<&'a str>,
}

pub async fn record(
    db: impl SqliteExecutor<'_>,
    at: OffsetDateTime,
    event: &AuditEvent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, source, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(event.actor)
    .bind(event.action)
    .bind(event.target)
    .bind(event.source)
    .bind(event.outcome.as_str())
    .bind(event.detail)
    .execute(db)
    .await?;
    Ok(())
}
