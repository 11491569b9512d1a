//! What an admin does to other users on /admin/users, and what every user does to their own
//! account on /settings. Every change is audited; an admin cannot lock the last admin out.

use crate::accounts::users_changed;
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::require_role;
use crate::users::{
    self, generate_password, hash_password, verify_password, Grant, Place, Role, User,
};
use crate::{DomainError, Services};
use secrecy::SecretString;

/// Every user with their grants, for admins.
pub async fn users_for_admin(services: &Services, user: &User) -> Result<Vec<User>, DomainError> {
    require_role(user, Role::Admin)?;
    let mut users = users::list_users(&services.db).await?;
    let mut grants = users::all_grants(&services.db).await?;
    for user in &mut users {
        user.grants = grants.remove(&user.id).unwrap_or_default().into();
    }
    Ok(users)
}

/// One user with their grants, for an admin (their rights page).
pub async fn user_for_admin(
    services: &Services,
    user: &User,
    username: &str,
) -> Result<User, DomainError> {
    require_role(user, Role::Admin)?;
    let mut found = users::find_by_name(&services.db, username)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("User `{username}`")))?;
    found.grants = users::grants_of(&services.db, found.id).await?.into();
    Ok(found)
}

/// Gives `username` `role` at `place` (a configured registry or environment), or changes the
/// role of their grant there. Takes effect at their next request.
pub async fn grant(
    services: &Services,
    actor: &Actor,
    username: &str,
    place: Place,
    role: Role,
) -> Result<(), DomainError> {
    let grant = Grant { place, role };
    let detail = grant.to_string();
    let op = match check_grant(services, &grant) {
        Ok(()) => Op::Grant(grant, actor.user.username.clone(), services.clock.now()),
        Err(error) => {
            refused(services, actor, AuditAction::UserGrant, username, &error).await;
            return Err(error);
        }
    };
    change(
        services,
        actor,
        AuditAction::UserGrant,
        username,
        &detail,
        op,
    )
    .await
}

/// Takes `username`'s grant at `place` away.
pub async fn revoke(
    services: &Services,
    actor: &Actor,
    username: &str,
    place: Place,
) -> Result<(), DomainError> {
    let detail = place.to_string();
    let op = Op::Revoke(place);
    change(
        services,
        actor,
        AuditAction::UserRevoke,
        username,
        &detail,
        op,
    )
    .await
}

/// A grant must name a configured place and give a role.
fn check_grant(services: &Services, grant: &Grant) -> Result<(), DomainError> {
    users::grantable(grant.role).map_err(DomainError::Invalid)?;
    let settings = &services.settings;
    let (known, names): (bool, Vec<&str>) = match &grant.place {
        Place::Registry(name) => (
            settings.registry(name).is_some(),
            settings
                .registries
                .iter()
                .map(|r| r.name.as_str())
                .collect(),
        ),
        Place::Environment(name) => (
            settings.environments.iter().any(|e| &e.name == name),
            settings
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect(),
        ),
    };
    if known {
        return Ok(());
    }
    Err(DomainError::Invalid(format!(
        "No {} is named `{}`; configured: {}.",
        grant.place.scope(),
        grant.place.name(),
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    )))
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
    if me.sso_subject.is_some() {
        return Err(DomainError::Invalid(
            "You log in with single sign-on: your password is kept by the provider.".into(),
        ));
    }
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
    users::set_password_hash(&mut tx, &me.username, &hash).await?;
    let event = AuditEvent::by(actor, AuditAction::UserPasswd)
        .target(&me.username)
        .detail("own password; other sessions ended");
    audit::record(&mut tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services).await;
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
    let epoch = users::bump_session_epoch(&mut tx, &name)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let event = AuditEvent::by(actor, AuditAction::UserSessionsEnd)
        .target(&name)
        .detail("own other sessions");
    audit::record(&mut tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services).await;
    Ok(epoch)
}

/// What an admin changes about a user.
enum Op {
    Role(Role),
    Enabled(bool),
    Password(users::PasswordHash),
    EndSessions,
    /// The grant, who gives it, when.
    Grant(Grant, String, time::OffsetDateTime),
    Revoke(Place),
}

/// Applies `op` to `username`; false when there is no such user.
async fn apply(
    tx: &mut impl crate::db::Connection,
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
        Op::Password(hash) => {
            let target = users::find_by_name(&mut *tx, username).await?;
            if target.as_ref().is_some_and(|u| u.sso_subject.is_some()) {
                return Err(DomainError::Invalid(format!(
                    "`{username}` logs in with single sign-on: there is no password here to reset."
                )));
            }
            users::set_password_hash(&mut *tx, username, &hash).await?
        }
        Op::EndSessions => users::bump_session_epoch(&mut *tx, username)
            .await?
            .is_some(),
        Op::Grant(grant, by, now) => users::put_grant(&mut *tx, username, &grant, &by, now).await?,
        Op::Revoke(place) => {
            if users::find_by_name(&mut *tx, username).await?.is_none() {
                return Ok(false);
            }
            if !users::delete_grant(&mut *tx, username, &place).await? {
                return Err(DomainError::NotFound(format!(
                    "A grant of `{username}` on {place}"
                )));
            }
            true
        }
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
        audit::record(&mut tx, services.clock.now(), &event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match &result {
        Ok(()) => users_changed(services).await,
        Err(error) => refused(services, actor, action, username, error).await,
    }
    result
}

/// Refuses a change that would leave no enabled admin.
async fn keep_an_admin(
    tx: &mut impl crate::db::Connection,
    username: &str,
) -> Result<(), DomainError> {
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
