//! The Regatta user behind a single sign-on: created at the first login, their role and the
//! grants single sign-on gives them set from their groups at every login. Matched by the
//! provider's subject, never by name: a provider account named like a local user does not
//! become that user.

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::users::{self, Grant, Role, User, Username};
use crate::{DomainError, Services};

/// Who the person is at the provider, as the verified tokens say.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `issuer#sub`.
    pub subject: String,
    /// The username claim, as sent.
    pub username: String,
    pub groups: Vec<String>,
}

/// The user for `identity`, created or updated, with `role` and `grants` from their groups.
pub async fn provision(
    services: &Services,
    identity: &Identity,
    role: Role,
    grants: &[Grant],
    source: &str,
) -> Result<User, DomainError> {
    let name = Username::parse(&identity.username.to_lowercase()).map_err(|e| {
        DomainError::NotAllowed(format!(
            "The provider's name for you cannot be a Regatta username ({e}); ask an admin to map another claim."
        ))
    })?;
    let now = services.clock.now();
    let provider = Actor::new(User::not_stored(users::SSO_GRANTOR, Role::Admin), source);
    let mut tx = crate::db::begin_write(&services.db).await?;
    let existing = users::find_by_sso_subject(&mut tx, &identity.subject).await?;
    let id = match existing {
        Some(user) if user.disabled => return Err(DomainError::BadCredentials),
        Some(user) => {
            if user.role != role {
                users::set_role(&mut tx, &user.username, role).await?;
                let detail = format!("role {role} from groups: {}", identity.groups.join(", "));
                let event = AuditEvent::by(&provider, AuditAction::UserRole)
                    .target(&user.username)
                    .detail(&detail);
                audit::record(&mut tx, now, &event).await?;
            }
            user.id
        }
        None => {
            if users::find_by_name(&mut tx, name.as_str()).await?.is_some() {
                return Err(DomainError::NotAllowed(format!(
                    "A Regatta user named `{name}` already exists and is not this single sign-on account; an admin must rename or remove it first."
                )));
            }
            let id = users::create_sso_user(&mut tx, &name, role, &identity.subject, now).await?;
            let detail = format!("single sign-on, role {role}");
            let event = AuditEvent::by(&provider, AuditAction::UserAdd)
                .target(name.as_str())
                .detail(&detail);
            audit::record(&mut tx, now, &event).await?;
            id
        }
    };
    users::replace_sso_grants(&mut tx, id, grants, now).await?;
    users::record_login(&mut tx, id, now).await?;
    tx.commit().await?;
    crate::accounts::users_changed(services).await;
    let mut user = users::find_by_id(&services.db, id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    user.grants = users::grants_of(&services.db, id).await?.into();
    let person = Actor::new(user.clone(), source);
    let event = AuditEvent::by(&person, AuditAction::LoginSuccess)
        .outcome(Outcome::Ok)
        .detail("single sign-on");
    audit::record(&services.db, now, &event).await?;
    Ok(user)
}
