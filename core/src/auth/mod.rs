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

/// The logged-in user behind a session. Disabling an account or changing its role takes effect
/// at once: the [`UserCache`] is trusted only while no process has changed a user since.
pub async fn session_user(
    services: &Services,
    user_id: Option<i64>,
    session_epoch: Option<i64>,
) -> Result<users::User, DomainError> {
    let id = user_id.ok_or(DomainError::Unauthenticated)?;
    let reading = services.user_cache.read_marker();
    let user = match services.user_cache.get(id, &reading) {
        Some(user) => Some(user),
        None => {
            let mut user = users::find_by_id(&services.db, id).await?;
            if let Some(user) = &mut user {
                user.grants = users::grants_of(&services.db, id).await?.into();
            }
            if let Some(user) = &user {
                services.user_cache.keep(user.clone(), reading);
            }
            user
        }
    };
    match user {
        Some(user) if !user.disabled && Some(user.session_epoch) == session_epoch => Ok(user),
        _ => Err(DomainError::Unauthenticated),
    }
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
