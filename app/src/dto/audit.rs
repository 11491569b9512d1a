use super::When;
use serde::{Deserialize, Serialize};

/// One page of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditListing {
    pub rows: Vec<AuditItem>,
    /// The cursor of the next, older page.
    pub older: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub id: i64,
    pub at: When,
    pub user: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub source: Option<String>,
    /// `ok`, `denied`, `error`.
    pub result: String,
    pub detail: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<regatta_core::audit::AuditRow> for AuditItem {
    fn from(row: regatta_core::audit::AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at.into(),
            user: row.actor,
            action: row.action,
            target: row.target,
            source: row.source,
            result: row.outcome,
            detail: row.detail,
        }
    }
}
