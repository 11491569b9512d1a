//! Login sessions as Regatta records them: listed on the settings page (and an admin's page of
//! a user), ended one by one. The session store's own records are opaque and cannot be
//! searched by user, so each login also writes a `user_sessions` row and keeps its random key
//! in the session; [`crate::auth::session_user`] refuses a session whose row was ended.
//!
//! Ending a session signals a user change, so the per-request check stays a cache hit until
//! something changes (the same marker as disabling a user, see [`crate::auth::UserCache`]).

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::require_role;
use crate::users::{self, Role, User};
use crate::{DomainError, Services};
use sqlx::FromRow;
use time::OffsetDateTime;

/// `last_seen_at` is written at most this often per session (a write per request would be a
/// write per page view).
pub const SEEN_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SessionRow {
    pub id: i64,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub created_at: OffsetDateTime,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub last_seen_at: OffsetDateTime,
    pub source: String,
    pub agent: Option<String>,
}

/// Records a new session of `user` and returns its key, for the session to keep.
pub async fn start(
    services: &Services,
    user: &User,
    source: &str,
    agent: Option<&str>,
) -> Result<String, DomainError> {
    let key = random_key();
    let now = services.clock.now();
    // A browser's description is the client's to write: kept short.
    let agent = agent.map(|a| a.chars().take(200).collect::<String>());
    crate::db::query(
        "INSERT INTO user_sessions (key, user_id, epoch, created_at, last_seen_at, source, agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&key)
    .bind(user.id)
    .bind(user.session_epoch)
    .bind(now)
    .bind(now)
    .bind(source)
    .bind(agent)
    .execute(&services.db)
    .await?;
    Ok(key)
}

fn random_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the session `key` of user `user_id` still counts (not ended).
pub(crate) async fn is_alive(
    db: impl crate::db::Executor<'_>,
    key: &str,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let alive: Option<bool> = crate::db::query_scalar(
        "SELECT ended_at IS NULL FROM user_sessions WHERE key = ? AND user_id = ?",
    )
    .bind(key)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(alive.unwrap_or(false))
}

/// Notes that the session was used now (called at most every [`SEEN_EVERY`] per session).
pub(crate) async fn seen(services: &Services, key: &str) {
    let result = crate::db::query("UPDATE user_sessions SET last_seen_at = ? WHERE key = ?")
        .bind(services.clock.now())
        .bind(key)
        .execute(&services.db)
        .await;
    if let Err(error) = result {
        tracing::warn!(%error, "could not note a session's use");
    }
}

/// The sessions of `user_id` that still count: not ended, from the user's current epoch (a
/// password change or "end all" made the older ones void), used within the idle timeout.
async fn live_sessions(services: &Services, user_id: i64) -> Result<Vec<SessionRow>, DomainError> {
    let idle = time::Duration::minutes(services.settings.session.idle_timeout_minutes.into());
    // Seen within the idle timeout, give or take the [`SEEN_EVERY`] the row may lag behind.
    let since = services.clock.now() - idle - SEEN_EVERY;
    Ok(crate::db::query_as(
        "SELECT s.id, s.created_at, s.last_seen_at, s.source, s.agent
         FROM user_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = ? AND s.ended_at IS NULL AND s.epoch = u.session_epoch
           AND s.last_seen_at >= ?
         ORDER BY s.last_seen_at DESC",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(&services.db)
    .await?)
}

/// The signed-in user's own sessions; `current` is this session's key (to mark it).
pub async fn own_sessions(
    services: &Services,
    user: &User,
    current: Option<&str>,
) -> Result<(Vec<SessionRow>, Option<i64>), DomainError> {
    let rows = live_sessions(services, user.id).await?;
    let current_id = match current {
        Some(key) => {
            crate::db::query_scalar("SELECT id FROM user_sessions WHERE key = ?")
                .bind(key)
                .fetch_optional(&services.db)
                .await?
        }
        None => None,
    };
    Ok((rows, current_id))
}

/// The sessions of `username`, for an admin.
pub async fn sessions_of(
    services: &Services,
    admin: &User,
    username: &str,
) -> Result<Vec<SessionRow>, DomainError> {
    require_role(admin, Role::Admin)?;
    let user = users::find_by_name(&services.db, username)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("User `{username}`")))?;
    live_sessions(services, user.id).await
}

/// Ends session `id`: one's own (any user), or anyone's (admins). Audited, refusals too.
pub async fn end_session(services: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    let owner: Option<(i64, String)> = crate::db::query_as(
        "SELECT u.id, u.username FROM user_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = ? AND s.ended_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&services.db)
    .await?;
    let result = match &owner {
        None => Err(DomainError::NotFound(format!("Session #{id}"))),
        Some((owner_id, _)) if *owner_id == actor.user.id => Ok(()),
        Some(_) => require_role(&actor.user, Role::Admin),
    };
    let target = owner.map(|(_, name)| name).unwrap_or_default();
    let detail = format!("session #{id}");
    if let Err(error) = result {
        let said = format!("{detail}: {error}");
        let event = AuditEvent::by(actor, AuditAction::UserSessionsEnd)
            .target(&target)
            .outcome(Outcome::Denied)
            .detail(&said);
        audit::record_or_log(services, &event).await;
        return Err(error);
    }
    let mut tx = crate::db::begin_write(&services.db).await?;
    crate::db::query("UPDATE user_sessions SET ended_at = ? WHERE id = ?")
        .bind(services.clock.now())
        .bind(id)
        .execute(&mut tx)
        .await?;
    let event = AuditEvent::by(actor, AuditAction::UserSessionsEnd)
        .target(&target)
        .detail(&detail);
    audit::record(&mut tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    crate::accounts::users_changed(services).await;
    Ok(())
}

/// Marks the session `key` ended (logging out).
pub async fn ended_by_logout(services: &Services, key: &str) {
    let result = crate::db::query(
        "UPDATE user_sessions SET ended_at = ? WHERE key = ? AND ended_at IS NULL",
    )
    .bind(services.clock.now())
    .bind(key)
    .execute(&services.db)
    .await;
    if let Err(error) = result {
        tracing::warn!(%error, "could not note a logout on the session's row");
    }
}

/// Moves session `key` to its user's new `epoch`: the session a password was changed in stays
/// (the others, on the old epoch, no longer count nor show).
pub async fn carry_over(services: &Services, key: &str, epoch: i64) -> Result<(), DomainError> {
    crate::db::query("UPDATE user_sessions SET epoch = ? WHERE key = ?")
        .bind(epoch)
        .bind(key)
        .execute(&services.db)
        .await?;
    Ok(())
}
