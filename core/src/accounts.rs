//! Managing dashboard users: the first admin, and the `regatta user …` commands. Each change is
//! audited with the acting user and where the change came from.

use crate::audit::{self, Actor, AuditAction, AuditEvent};
use crate::users::{self, generate_password, hash_password, Role, Username};
use crate::{DomainError, Services};
use secrecy::SecretString;

/// The first admin, made when the database has no users at all.
#[derive(Debug)]
pub struct FirstAdmin {
    pub username: String,
    /// `Some` when the password was generated: it must be shown to the operator once.
    pub generated_password: Option<SecretString>,
}

/// Creates the first admin if there are no users. The name and password come from the
/// operator (e.g. `REGATTA_ADMIN_USER`/`REGATTA_ADMIN_PASSWORD`) or are `admin` and generated.
pub async fn ensure_first_admin(
    services: &Services,
    username: Option<String>,
    password: Option<SecretString>,
) -> Result<Option<FirstAdmin>, DomainError> {
    if users::count_users(&services.db).await? > 0 {
        return Ok(None);
    }
    let username = username.unwrap_or_else(|| "admin".into());
    let (password, generated) = match password {
        Some(password) => (password, false),
        None => (generate_password(), true),
    };
    let actor = Actor::system("first start");
    add_user(services, &actor, &username, Role::Admin, &password).await?;
    Ok(Some(FirstAdmin {
        username,
        generated_password: generated.then_some(password),
    }))
}

pub async fn add_user(
    services: &Services,
    actor: &Actor,
    username: &str,
    role: Role,
    password: &SecretString,
) -> Result<(), DomainError> {
    let name = Username::parse(username).map_err(DomainError::Invalid)?;
    if users::find_by_name(&services.db, name.as_str())
        .await?
        .is_some()
    {
        return Err(DomainError::Invalid(format!(
            "user `{name}` already exists"
        )));
    }
    let hash = hash_password(password).map_err(DomainError::Invalid)?;
    let now = services.clock.now();
    let mut tx = crate::db::begin_write(&services.db).await?;
    users::create_user(&mut tx, &name, role, &hash, now).await?;
    let detail = format!("role {role}");
    let event = AuditEvent::by(actor, AuditAction::UserAdd)
        .target(name.as_str())
        .detail(&detail);
    audit::record(&mut tx, now, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn change_password(
    services: &Services,
    actor: &Actor,
    username: &str,
    password: &SecretString,
) -> Result<(), DomainError> {
    let hash = hash_password(password).map_err(DomainError::Invalid)?;
    let mut tx = crate::db::begin_write(&services.db).await?;
    if !users::set_password_hash(&mut tx, username, &hash).await? {
        return Err(DomainError::NotFound(format!("User `{username}`")));
    }
    let event = AuditEvent::by(actor, AuditAction::UserPasswd).target(username);
    audit::record(&mut tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services).await;
    Ok(())
}

pub async fn disable_user(
    services: &Services,
    actor: &Actor,
    username: &str,
) -> Result<(), DomainError> {
    let mut tx = crate::db::begin_write(&services.db).await?;
    if !users::set_disabled(&mut tx, username, true).await? {
        return Err(DomainError::NotFound(format!("User `{username}`")));
    }
    let event = AuditEvent::by(actor, AuditAction::UserDisable).target(username);
    audit::record(&mut tx, services.clock.now(), &event).await?;
    tx.commit().await?;
    users_changed(services).await;
    Ok(())
}

/// Ends the trust in cached users (here and in other processes on this database).
pub(crate) async fn users_changed(services: &Services) {
    if let Err(error) = services.user_cache.users_changed().await {
        // The change is committed; other processes see it when their cache entries expire.
        tracing::warn!(%error, "could not signal a user change to other processes");
    }
}
