//! Reading the audit trail: newest first, filtered by user, action (a family such as `gc`
//! too), target (a prefix), result and time, paged by id (keyset: page 1,000 costs what page
//! 1 does), and exported whole. Maintainers and admins read it; only admins see other users'
//! logins and logouts.

use crate::auth::require_role;
use crate::users::{Role, User};
use crate::{DomainError, Services};
use serde::Serialize;
use time::OffsetDateTime;

/// What to show; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<String>,
    /// An action (`promotion`) or its family (`gc`: `gc.run`, `gc.schedule.save`).
    pub action: Option<String>,
    /// A target or its beginning (`local/dev/` for every repository there).
    pub target: Option<String>,
    /// `ok`, `denied` or `error`.
    pub result: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub source: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// One page, and the cursor of the next (older) one when there is more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub older: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// The page of rows matching `filter` older than row `before` (the newest without it).
pub async fn audit_page(
    services: &Services,
    user: &User,
    filter: &AuditFilter,
    before: Option<i64>,
) -> Result<AuditPage, DomainError> {
    require_role(user, Role::Maintainer)?;
    let mut rows = fetch(services, user, filter, before, PAGE_SIZE + 1).await?;
    let older = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    });
    Ok(AuditPage {
        rows,
        older: older.flatten(),
    })
}

/// Every row matching `filter`, newest first, `chunk` at a time: `next(before)` gives the
/// rows older than `before` (an export streams them without holding them all).
pub async fn audit_chunk(
    services: &Services,
    user: &User,
    filter: &AuditFilter,
    before: Option<i64>,
    chunk: i64,
) -> Result<Vec<AuditRow>, DomainError> {
    require_role(user, Role::Maintainer)?;
    fetch(services, user, filter, before, chunk).await
}

async fn fetch(
    services: &Services,
    user: &User,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, DomainError> {
    // Time becomes an id range (ids grow with time): the filters' indexes keep id order.
    let mut upper = before;
    let mut lower = None;
    if let Some(from) = filter.from {
        lower = sqlx::query_scalar("SELECT MIN(id) FROM audit_log WHERE at >= ?")
            .bind(from)
            .fetch_one(&services.db)
            .await?;
        if lower.is_none() {
            return Ok(Vec::new());
        }
    }
    if let Some(until) = filter.until {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_log WHERE at < ?")
            .bind(until)
            .fetch_one(&services.db)
            .await?;
        let Some(last) = last else {
            return Ok(Vec::new());
        };
        upper = Some(upper.map_or(last + 1, |u| u.min(last + 1)));
    }
    let mut sql = String::from(
        "SELECT id, at, actor, action, target, source, outcome, detail FROM audit_log WHERE 1",
    );
    let mut binds: Vec<Bound> = Vec::new();
    if let Some(upper) = upper {
        sql += " AND id < ?";
        binds.push(Bound::Int(upper));
    }
    if let Some(lower) = lower {
        sql += " AND id >= ?";
        binds.push(Bound::Int(lower));
    }
    if let Some(name) = nonempty(&filter.user) {
        sql += " AND actor = ?";
        binds.push(Bound::Text(name.to_string()));
    }
    if let Some(action) = nonempty(&filter.action) {
        sql += " AND (action = ? OR (action > ? AND action < ?))";
        binds.push(Bound::Text(action.to_string()));
        binds.push(Bound::Text(format!("{action}.")));
        binds.push(Bound::Text(format!("{action}/")));
    }
    if let Some(target) = nonempty(&filter.target) {
        sql += " AND target >= ? AND target < ?";
        binds.push(Bound::Text(target.to_string()));
        binds.push(Bound::Text(format!("{target}\u{10FFFF}")));
    }
    if let Some(result) = nonempty(&filter.result) {
        sql += " AND outcome = ?";
        binds.push(Bound::Text(result.to_string()));
    }
    if user.role < Role::Admin {
        // Logins say who was where when: other users' are for admins only.
        sql += " AND (action NOT IN ('login.success', 'login.failure', 'login.throttled', 'logout') OR actor = ?)";
        binds.push(Bound::Text(user.username.clone()));
    }
    sql += " ORDER BY id DESC LIMIT ?";
    binds.push(Bound::Int(limit));
    let mut query = sqlx::query_as::<_, AuditRow>(&sql);
    for bound in binds {
        query = match bound {
            Bound::Int(n) => query.bind(n),
            Bound::Text(text) => query.bind(text),
        };
    }
    Ok(query.fetch_all(&services.db).await?)
}

enum Bound {
    Int(i64),
    Text(String),
}

fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Deletes the rows older than `audit.keep_days`, a batch at a time (a long delete would hold
/// the write lock); returns how many.
pub async fn purge_old_audit_rows(services: &Services) -> Result<u64, DomainError> {
    let keep = time::Duration::days(services.settings.audit.keep_days.into());
    let cutoff = services.clock.now() - keep;
    let mut deleted = 0;
    loop {
        let batch = sqlx::query(
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY id LIMIT 10000)",
        )
        .bind(cutoff)
        .execute(&services.db)
        .await?
        .rows_affected();
        deleted += batch;
        if batch < 10_000 {
            return Ok(deleted);
        }
    }
}
