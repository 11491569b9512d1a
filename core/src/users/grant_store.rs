//! SQL for the `grants` table.

use super::grant::{Grant, Place};
use super::Role;
use std::collections::HashMap;
use time::OffsetDateTime;

fn grant_from(scope: &str, name: String, role: &str) -> Result<Grant, sqlx::Error> {
    let decode = |e: String| sqlx::Error::Decode(e.into());
    Ok(Grant {
        place: Place::from_parts(scope, name).map_err(decode)?,
        role: role.parse::<Role>().map_err(decode)?,
    })
}

/// The grants of user `id`, registries first, by name.
pub async fn grants_of(
    db: impl crate::db::Executor<'_>,
    id: i64,
) -> Result<Vec<Grant>, sqlx::Error> {
    let rows = crate::db::query(
        "SELECT scope, name, role FROM grants WHERE user_id = ? ORDER BY scope DESC, name",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            grant_from(
                row.try_get("scope")?,
                row.try_get("name")?,
                row.try_get("role")?,
            )
        })
        .collect()
}

/// Every user's grants, by user id (the admin's list).
pub async fn all_grants(
    db: impl crate::db::Executor<'_>,
) -> Result<HashMap<i64, Vec<Grant>>, sqlx::Error> {
    let rows =
        crate::db::query("SELECT user_id, scope, name, role FROM grants ORDER BY scope DESC, name")
            .fetch_all(db)
            .await?;
    let mut by_user: HashMap<i64, Vec<Grant>> = HashMap::new();
    for row in &rows {
        let grant = grant_from(
            row.try_get("scope")?,
            row.try_get("name")?,
            row.try_get("role")?,
        )?;
        by_user
            .entry(row.try_get("user_id")?)
            .or_default()
            .push(grant);
    }
    Ok(by_user)
}

/// Gives or changes the role of `username` at `place`; false when no such user exists.
pub async fn put_grant(
    db: impl crate::db::Executor<'_>,
    username: &str,
    grant: &Grant,
    by: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let result = crate::db::query(
        "INSERT INTO grants (user_id, scope, name, role, granted_at, granted_by)
         SELECT id, ?, ?, ?, ?, ? FROM users WHERE username = ?
         ON CONFLICT (user_id, scope, name)
         DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at,
                       granted_by = excluded.granted_by",
    )
    .bind(grant.place.scope())
    .bind(grant.place.name())
    .bind(grant.role.as_str())
    .bind(now)
    .bind(by)
    .bind(username)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Takes the grant of `username` at `place` away; false when there was none.
pub async fn delete_grant(
    db: impl crate::db::Executor<'_>,
    username: &str,
    place: &Place,
) -> Result<bool, sqlx::Error> {
    let result = crate::db::query(
        "DELETE FROM grants WHERE scope = ? AND name = ?
         AND user_id = (SELECT id FROM users WHERE username = ?)",
    )
    .bind(place.scope())
    .bind(place.name())
    .bind(username)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Who the grants of single sign-on are recorded as given by: they are replaced at each login.
pub const SSO_GRANTOR: &str = "sso";

/// Replaces the grants single sign-on gave user `user_id` with `grants` (from their groups
/// now). A grant an admin gave on the same place stays as the admin set it.
pub async fn replace_sso_grants(
    tx: &mut impl crate::db::Connection,
    user_id: i64,
    grants: &[Grant],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query("DELETE FROM grants WHERE user_id = ? AND granted_by = ?")
        .bind(user_id)
        .bind(SSO_GRANTOR)
        .execute(&mut *tx)
        .await?;
    for grant in grants {
        crate::db::query(
            "INSERT INTO grants (user_id, scope, name, role, granted_at, granted_by)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, scope, name) DO NOTHING",
        )
        .bind(user_id)
        .bind(grant.place.scope())
        .bind(grant.place.name())
        .bind(grant.role.as_str())
        .bind(now)
        .bind(SSO_GRANTOR)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
