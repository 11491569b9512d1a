//! What an admin does to other users on /admin/users, and what every user does to their own
//! account on /settings. Every change is audited; an admin cannot lock the last admin out.

use crate::accounts::users_changed;
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::require_role;
use crate::users::{self, generate_password, hash_password, verify_password, Role, User};
use crate::{DomainError, Services};
use secrecy::SecretString;

/// Every user, for admins.
pub async fn users_for_admin(services: &Services, user: &User) -> Result<Vec<User>, DomainError> {
    require_role(user, Role::Admin)?;
    Ok(users::list_users(&services.db).await?)
}

/// Adds a user with a generated one-time password, returned to be shown once.
pub async fn add_user_with_generated_password(
    services: &Services,
    actor: &Actor,
    username: &str,
    role: Role,
) -> Result<SecretString, DomainError> {
    let checked = require_role(&actor.user, Role::Admin);
    if let Err(error) = checked {
        refused(services, actor, AuditAction::UserAdd, username, &error).await;
        return Err(error);
    }
    let password = generate_password();
    crate::accounts::add_user(services, actor, username, role, &password).await?;
    Ok(password)
}

/// A user's new role (takes effect at their next request).
pub async fn change_role(
    services: &Services,
    actor: &Actor,
    username: &str,
    role: Role,
) -> Result<(), DomainError> {
    let detail = format!("role {role}");
    change(
        services,
        actor,
        AuditAction::UserRole,
        username,
        &detail,
        Op::Role(role),
    )
    .await
}

/// Disables or enables a user; disabling ends their sessions at once.
pub async fn set_enabled(
    services: &Services,
    actor: &Actor,
    username: &str,
    enabled: bool,
) -> Result<(), DomainError> {
    let action = match enabled {
        true => AuditAction::UserEnable,
        false => AuditAction::UserDisable,
    };
    change(services, actor, action, username, "", Op::Enabled(enabled)).await
}

/// A new generated password (shown once); the user's sessions end.
pub async fn reset_password(
    services: &Services,
    actor: &Actor,
    username: &str,
) -> Result<SecretString, DomainError> {
    let password = generate_password();
    let hash = hash_password(&password).map_err(DomainError::Invalid)?;
    let op = Op::Password(hash);
    change(
        services,
        actor,
        AuditAction::UserPasswd,
        username,
        "reset",
        op,
    )
    .await?;
    Ok(password)
}

/// Ends every session of `username` (they log in again).
pub async fn end_sessions(
    services: &Services,
    actor: &Actor,
    username: &str,
) -> Result<(), DomainError> {
    let op = Op::EndSessions;
    change(
        services,
        actor,
        AuditAction::UserSessionsEnd,
        username,
        "",
        op,
    )
    .await
}

/// The signed-in user changes their own password (knowing the current one). Their other
/// sessions end; returns the new session epoch, for the session they changed it in to keep.
pub async fn change_own_password(
    services: &Services,
    actor: &Actor,
    current: &SecretString,
    new: &SecretString,
) -> Result<i64, DomainError> {
    let me = users::find_by_id(&services.db, actor.user.id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if !verify_password(current, &me.password_hash) {
        let error = DomainError::Invalid("The current password is not right.".into());
        refused(
            services,
            actor,
            AuditAction::UserPasswd,
            &me.username,
            &error,
        )
        .await;
        return Err(error);
    }
    let hash = hash_password(new).map_err(DomainError::Invalid)?;
    let mut tx = crate::db::begin_write(&services.db).await?;
    users::set_password_hash(&mut *tx, &me.username, &hash).await?;
    let event = AuditEvent::by(actor, AuditAction::UserPasswd)
        .target(&me.username)
        .detail("own password; other sessions ended");
    audit::record(&mut *tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services);
    let me = users::find_by_id(&services.db, me.id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    Ok(me.session_epoch)
}

/// The signed-in user ends their other sessions; returns the new epoch for this one.
pub async fn end_own_other_sessions(
    services: &Services,
    actor: &Actor,
) -> Result<i64, DomainError> {
    let name = actor.user.username.clone();
    let mut tx = crate::db::begin_write(&services.db).await?;
    let epoch = users::bump_session_epoch(&mut *tx, &name)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let event = AuditEvent::by(actor, AuditAction::UserSessionsEnd)
        .target(&name)
        .detail("own other sessions");
    audit::record(&mut *tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services);
    Ok(epoch)
}

/// What an admin changes about a user.
enum Op {
    Role(Role),
    Enabled(bool),
    Password(users::PasswordHash),
    EndSessions,
}

/// Applies `op` to `username`; false when there is no such user.
async fn apply(
    tx: &mut sqlx::SqliteConnection,
    username: &str,
    op: Op,
) -> Result<bool, DomainError> {
    Ok(match op {
        Op::Role(role) => {
            if role != Role::Admin {
                keep_an_admin(&mut *tx, username).await?;
            }
            users::set_role(&mut *tx, username, role).await?
        }
        Op::Enabled(enabled) => {
            if !enabled {
                keep_an_admin(&mut *tx, username).await?;
            }
            users::set_disabled(&mut *tx, username, !enabled).await?
        }
        Op::Password(hash) => users::set_password_hash(&mut *tx, username, &hash).await?,
        Op::EndSessions => users::bump_session_epoch(&mut *tx, username)
            .await?
            .is_some(),
    })
}

/// An admin's change to `username` in one transaction with its audit row; refusals are
/// audited too.
async fn change(
    services: &Services,
    actor: &Actor,
    action: AuditAction,
    username: &str,
    detail: &str,
    op: Op,
) -> Result<(), DomainError> {
    let result = async {
        require_role(&actor.user, Role::Admin)?;
        let mut tx = crate::db::begin_write(&services.db).await?;
        if !apply(&mut tx, username, op).await? {
            return Err(DomainError::NotFound(format!("User `{username}`")));
        }
        let mut event = AuditEvent::by(actor, action).target(username);
        if !detail.is_empty() {
            event = event.detail(detail);
        }
        audit::record(&mut *tx, services.clock.now(), &event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match &result {
        Ok(()) => users_changed(services),
        Err(error) => refused(services, actor, action, username, error).await,
    }
    result
}

/// Refuses a change that would leave no enabled admin.
async fn keep_an_admin(tx: &mut sqlx::SqliteConnection, username: &str) -> Result<(), DomainError> {
    let target = users::find_by_name(&mut *tx, username).await?;
    let is_enabled_admin = target.is_some_and(|u| u.role == Role::Admin && !u.disabled);
    if is_enabled_admin && users::count_enabled_admins(&mut *tx).await? <= 1 {
        return Err(DomainError::NotAllowed(format!(
            "`{username}` is the last admin who can log in: make another admin first."
        )));
    }
    Ok(())
}

async fn refused(
    services: &Services,
    actor: &Actor,
    action: AuditAction,
    username: &str,
    error: &DomainError,
) {
    let outcome = match error {
        DomainError::Forbidden { .. } | DomainError::NotAllowed(_) => Outcome::Denied,
        _ => Outcome::Error,
    };
    let message = error.to_string();
    let event = AuditEvent::by(actor, action)
        .target(username)
        .outcome(outcome)
        .detail(&message);
    audit::record_or_log(services, &event).await;
}
