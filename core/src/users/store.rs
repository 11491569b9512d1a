//! SQL for the `users` table. Functions take an executor so the caller owns any transaction.

use super::{Grant, PasswordHash, Role, Username};
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: PasswordHash,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    /// Bumped by a password change or a disable: sessions from before no longer count.
    pub session_epoch: i64,
    /// Set for users of single sign-on: the provider's `issuer#subject`.
    pub sso_subject: Option<String>,
    /// Roles at single registries and environments. Loaded where rights are decided (the
    /// session's user, the admin's list); empty elsewhere, which can only deny, never allow.
    pub grants: Arc<[Grant]>,
}

impl User {
    /// Someone acting without a row in `users`: the CLI (whoever holds the configuration acts as
    /// an admin) and tests. It has no password and cannot log in.
    pub fn not_stored(username: impl Into<String>, role: Role) -> Self {
        Self {
            id: 0,
            username: username.into(),
            role,
            disabled: false,
            password_hash: PasswordHash(String::new()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_login_at: None,
            session_epoch: 0,
            sso_subject: None,
            grants: Arc::new([]),
        }
    }
}

const COLUMNS: &str = "id, username, role, disabled, password_hash, created_at, last_login_at, \
     session_epoch, sso_subject";

fn user_from_row(row: &crate::db::Row) -> Result<User, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: role
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        disabled: row.try_get("disabled")?,
        password_hash: PasswordHash(row.try_get("password_hash")?),
        created_at: row.try_get::<crate::db::TextTime, _>("created_at")?.0,
        last_login_at: row
            .try_get::<crate::db::MaybeTextTime, _>("last_login_at")?
            .0,
        session_epoch: row.try_get("session_epoch")?,
        sso_subject: row.try_get("sso_subject")?,
        grants: Arc::new([]),
    })
}

pub async fn create_user(
    db: impl crate::db::Executor<'_>,
    name: &Username,
    role: Role,
    hash: &PasswordHash,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    let row = crate::db::query(
        "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(name.as_str())
    .bind(&hash.0)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(db)
    .await?;
    row.try_get("id")
}

pub async fn find_by_name(
    db: impl crate::db::Executor<'_>,
    name: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = ?");
    let row = crate::db::query(&sql).bind(name).fetch_optional(db).await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn find_by_id(
    db: impl crate::db::Executor<'_>,
    id: i64,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?");
    let row = crate::db::query(&sql).bind(id).fetch_optional(db).await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn list_users(db: impl crate::db::Executor<'_>) -> Result<Vec<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username");
    let rows = crate::db::query(&sql).fetch_all(db).await?;
    rows.iter().map(user_from_row).collect()
}

pub async fn count_users(db: impl crate::db::Executor<'_>) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// Returns false when no such user exists.
pub async fn set_password_hash(
    db: impl crate::db::Executor<'_>,
    name: &str,
    hash: &PasswordHash,
) -> Result<bool, sqlx::Error> {
    let result = crate::db::query(
        "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE username = ?",
    )
    .bind(&hash.0)
    .bind(name)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Returns false when no such user exists.
pub async fn set_disabled(
    db: impl crate::db::Executor<'_>,
    name: &str,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let result = crate::db::query(
        "UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 WHERE username = ?",
    )
    .bind(disabled)
    .bind(name)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn record_login(
    db: impl crate::db::Executor<'_>,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE users SET last_login_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Returns false when no such user exists.
pub async fn set_role(
    db: impl crate::db::Executor<'_>,
    name: &str,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let result = crate::db::query("UPDATE users SET role = ? WHERE username = ?")
        .bind(role.as_str())
        .bind(name)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Ends every session of the user (they log in again); returns the new epoch, `None` when no
/// such user exists.
pub async fn bump_session_epoch(
    db: impl crate::db::Executor<'_>,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    crate::db::query_scalar(
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE username = ? RETURNING session_epoch",
    )
    .bind(name)
    .fetch_optional(db)
    .await
}

/// Admins who can still log in.
pub async fn count_enabled_admins(db: impl crate::db::Executor<'_>) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled")
        .fetch_one(db)
        .await
}

/// The single sign-on user with provider subject `subject` (`issuer#sub`).
pub async fn find_by_sso_subject(
    db: impl crate::db::Executor<'_>,
    subject: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE sso_subject = ?");
    let row = crate::db::query(&sql)
        .bind(subject)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Creates a single sign-on user (no usable password); returns the id.
pub async fn create_sso_user(
    db: impl crate::db::Executor<'_>,
    name: &Username,
    role: Role,
    subject: &str,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    // Not a PHC string: argon2 cannot parse it, so no password ever matches.
    const UNUSABLE: &str = "!single-sign-on";
    let row = crate::db::query(
        "INSERT INTO users (username, password_hash, role, created_at, sso_subject)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(name.as_str())
    .bind(UNUSABLE)
    .bind(role.as_str())
    .bind(now)
    .bind(subject)
    .fetch_one(db)
    .await?;
    row.try_get("id")
}
