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
    #[sqlx(try_from = "crate::db::TextTime")]
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub source: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

impl AuditFilter {
    /// A filter from form fields (empty means no filter); times as `2026-12-05`,
    /// `2026-12-05T14:30` (a date-time field, UTC) or RFC 3339.
    pub fn from_fields(
        user: Option<String>,
        action: Option<String>,
        target: Option<String>,
        result: Option<String>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Self, DomainError> {
        let result = result.filter(|r| !r.trim().is_empty());
        if let Some(result) = &result {
            if !["ok", "denied", "error"].contains(&result.as_str()) {
                return Err(DomainError::Invalid(format!(
                    "`{result}` is not a result: ok, denied or error."
                )));
            }
        }
        Ok(Self {
            user,
            action,
            target,
            result,
            from: from.map(parse_moment).transpose()?.flatten(),
            until: until.map(parse_moment).transpose()?.flatten(),
        })
    }
}

/// `2026-12-05`, `2026-12-05T14:30` (UTC) or RFC 3339; empty is none.
fn parse_moment(text: &str) -> Result<Option<OffsetDateTime>, DomainError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Some(at));
    }
    let minute = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    if let Ok(at) = time::PrimitiveDateTime::parse(text, &minute) {
        return Ok(Some(at.assume_utc()));
    }
    let day = format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(text, &day) {
        return Ok(Some(date.midnight().assume_utc()));
    }
    Err(DomainError::Invalid(format!(
        "`{text}` is not a time: use 2026-12-05, 2026-12-05T14:30 (UTC) or RFC 3339."
    )))
}

/// The rows as CSV lines (with the header line when `header`).
pub fn audit_csv(rows: &[AuditRow], header: bool) -> String {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    if header {
        let _ = writer.write_record([
            "id", "at", "user", "action", "target", "source", "result", "detail",
        ]);
    }
    let format = time::format_description::well_known::Rfc3339;
    for row in rows {
        let _ = writer.write_record([
            row.id.to_string(),
            row.at.format(&format).unwrap_or_default(),
            row.actor.clone().unwrap_or_default(),
            row.action.clone(),
            row.target.clone().unwrap_or_default(),
            row.source.clone().unwrap_or_default(),
            row.outcome.clone(),
            row.detail.clone().unwrap_or_default(),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
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
        lower = crate::db::query_scalar(
            "SELECT id FROM audit_log WHERE at >= ? ORDER BY at, id LIMIT 1",
        )
        .bind(from)
        .fetch_optional(&services.db)
        .await?;
        if lower.is_none() {
            return Ok(Vec::new());
        }
    }
    if let Some(until) = filter.until {
        let last: Option<i64> = crate::db::query_scalar(
            "SELECT id FROM audit_log WHERE at < ? ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(until)
        .fetch_optional(&services.db)
        .await?;
        let Some(last) = last else {
            return Ok(Vec::new());
        };
        upper = Some(upper.map_or(last + 1, |u| u.min(last + 1)));
    }
    // An action family is each of its actions walked down its own index, merged here: one
    // range over several actions would have to be sorted whole.
    let actions: Vec<Option<String>> = match nonempty(&filter.action) {
        None => vec![None],
        Some(action) => family(action).into_iter().map(Some).collect(),
    };
    let mut rows = Vec::new();
    for action in actions {
        rows.extend(fetch_one_action(services, user, filter, action, (lower, upper), limit).await?);
    }
    rows.sort_by_key(|row: &AuditRow| std::cmp::Reverse(row.id));
    rows.truncate(limit.max(0) as usize);
    Ok(rows)
}

/// `action` and the recorded actions of its family (`gc` → `gc.run`, `gc.schedule.save`).
fn family(action: &str) -> Vec<String> {
    let prefix = format!("{action}.");
    let mut names: Vec<String> = crate::audit::AuditAction::ALL
        .iter()
        .map(|a| a.as_str())
        .filter(|name| *name == action || name.starts_with(&prefix))
        .map(str::to_string)
        .collect();
    if !names.iter().any(|n| n == action) {
        // Not a current action name: an older one may still be in the trail.
        names.push(action.to_string());
    }
    names
}

async fn fetch_one_action(
    services: &Services,
    user: &User,
    filter: &AuditFilter,
    action: Option<String>,
    (lower, upper): (Option<i64>, Option<i64>),
    limit: i64,
) -> Result<Vec<AuditRow>, DomainError> {
    let mut sql = String::from(
        "SELECT id, at, actor, action, target, source, outcome, detail FROM audit_log WHERE TRUE",
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
    if let Some(action) = action {
        sql += " AND action = ?";
        binds.push(Bound::Text(action));
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
        sql += " AND (action NOT IN ('login.success', 'login.failure', 'login.throttled', 'logout', 'token.use', 'token.refused') OR actor = ?)";
        binds.push(Bound::Text(user.username.clone()));
    }
    sql += " ORDER BY id DESC LIMIT ?";
    binds.push(Bound::Int(limit));
    let mut query = crate::db::query_as::<AuditRow>(&sql);
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
        let batch = crate::db::query(
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
