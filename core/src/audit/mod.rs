//! The audit trail: who did what, when, from where. Written by every action that changes
//! something or grants access (refusals too), read on /audit by maintainers and admins, never
//! changed (a trigger refuses updates), deleted only past `audit.keep_days`.

mod action;
mod actor;
mod query;
mod store;

pub use action::AuditAction;
pub use actor::Actor;
pub use query::{
    audit_chunk, audit_csv, audit_page, purge_old_audit_rows, AuditFilter, AuditPage, AuditRow,
    PAGE_SIZE,
};
pub use store::record;

/// Records `event` now. A failure to record is logged, not returned: the action it describes
/// has happened (or been refused) either way.
pub async fn record_or_log(services: &crate::Services, event: &AuditEvent<'_>) {
    if let Err(error) = record(&services.db, services.clock.now(), event).await {
        tracing::error!(%error, action = %event.action, "recording in the audit trail");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
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
    /// The acting user's name (for a failed login: the name that was tried).
    pub actor: Option<&'a str>,
    pub action: AuditAction,
    pub target: Option<&'a str>,
    pub source: &'a str,
    pub outcome: Outcome,
    pub detail: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// What `actor` did, successfully, with no target or detail yet.
    pub fn by(actor: &'a Actor, action: AuditAction) -> Self {
        Self {
            actor: Some(&actor.user.username),
            action,
            target: None,
            source: &actor.source,
            outcome: Outcome::Ok,
            detail: None,
        }
    }

    pub fn target(self, target: &'a str) -> Self {
        Self {
            target: Some(target),
            ..self
        }
    }

    pub fn detail(self, detail: &'a str) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }

    pub fn outcome(self, outcome: Outcome) -> Self {
        Self { outcome, ..self }
    }
}
