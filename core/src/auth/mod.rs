//! Logging in, and who the current user is. Session storage itself lives in the web layer; it
//! hands us the user id it stored.

mod client_address;
mod effective;
mod login;
mod rights;
mod throttle;
mod user_cache;

pub use client_address::client_address;
pub use effective::{effective_rights, EffectiveRights, EnvironmentRights, RegistryRights};
pub use login::log_in;
pub use rights::{
    highest_role, may_read, may_read_target, require_read, require_role_in, role_at,
    role_in_environment, role_in_registry,
};
pub use throttle::LoginThrottle;
pub use user_cache::UserCache;

use crate::{users, users::Role, DomainError, Services};

/// What a session holds of its login: the user id, the user's session epoch at login, and
/// the key of its `user_sessions` row (sessions from before that table have none).
#[derive(Debug, Clone, Default)]
pub struct SessionClaims {
    pub user_id: Option<i64>,
    pub epoch: Option<i64>,
    pub key: Option<String>,
}

/// The logged-in user behind a session. Disabling an account, changing its role or grants, or
/// ending the session takes effect at once: the [`UserCache`] is trusted only while no process
/// has changed a user since.
pub async fn session_user(
    services: &Services,
    claims: &SessionClaims,
) -> Result<users::User, DomainError> {
    let id = claims.user_id.ok_or(DomainError::Unauthenticated)?;
    let reading = services.user_cache.read_marker();
    if let Some(key) = &claims.key {
        let alive = match services.user_cache.session_alive(key, &reading) {
            Some(alive) => alive,
            None => {
                let alive = crate::sessions::is_alive(&services.db, key, id).await?;
                services.user_cache.keep_session(key, alive, &reading);
                alive
            }
        };
        if !alive {
            return Err(DomainError::Unauthenticated);
        }
        if services
            .user_cache
            .due_for_seen(key, crate::sessions::SEEN_EVERY)
        {
            crate::sessions::seen(services, key).await;
        }
    }
    match cached_user(services, id, reading).await? {
        Some(user) if !user.disabled && Some(user.session_epoch) == claims.epoch => Ok(user),
        _ => Err(DomainError::Unauthenticated),
    }
}

/// User `id` with their grants, from the [`UserCache`] while no user changed since `reading`.
pub(crate) async fn cached_user(
    services: &Services,
    id: i64,
    reading: user_cache::MarkerReading,
) -> Result<Option<users::User>, DomainError> {
    if let Some(user) = services.user_cache.get(id, &reading) {
        return Ok(Some(user));
    }
    let mut user = users::find_by_id(&services.db, id).await?;
    if let Some(user) = &mut user {
        user.grants = users::grants_of(&services.db, id).await?.into();
        services.user_cache.keep(user.clone(), reading);
    }
    Ok(user)
}

/// Fails with a message naming both roles when `user` is below `need`.
pub fn require_role(user: &users::User, need: Role) -> Result<(), DomainError> {
    if user.role >= need {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            have: user.role.to_string(),
            need: need.to_string(),
        })
    }
}

/// The registries `user` may read, in configuration order: every list and search filters by it.
pub fn readable_registries<'a>(
    user: &users::User,
    settings: &'a crate::config::Settings,
) -> Vec<&'a str> {
    settings
        .registries
        .iter()
        .map(|r| r.name.as_str())
        .filter(|name| may_read(user, name))
        .collect()
}

/// Records a logout. Auditing must not stop someone from logging out, so failures are logged.
pub async fn log_out(services: &Services, actor: &crate::audit::Actor) {
    let event = crate::audit::AuditEvent::by(actor, crate::audit::AuditAction::Logout);
    crate::audit::record_or_log(services, &event).await;
}
