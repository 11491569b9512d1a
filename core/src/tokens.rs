//! Personal access tokens for the JSON API: `rgt_` and 64 hex digits, shown once, kept as a
//! SHA-256. A token acts as its owner with at most its scope's role — `read`: viewer, `write`:
//! maintainer, `admin`: the owner's full role — so it never grants more than the owner has
//! (grants are capped the same way). A disabled owner's tokens stop working with them.
//!
//! Use is audited like a login: `token.use` when a token is used after an hour unused (and
//! `last_used_at` moves then), `token.refused` on every unknown, expired or revoked token.

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::{highest_role, require_role};
use crate::users::{self, Role, User};
use crate::{DomainError, Services};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

const PREFIX: &str = "rgt_";
/// `last_used_at` (and a `token.use` audit row) is written at most this often per token.
const USE_NOTED_EVERY: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    /// The highest role a token of this scope acts with.
    pub fn cap(self) -> Role {
        match self {
            Scope::Read => Role::Viewer,
            Scope::Write => Role::Maintainer,
            Scope::Admin => Role::Admin,
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(format!("unknown scope `{other}`: use read, write or admin")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub created_at: OffsetDateTime,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub expires_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub last_used_at: Option<OffsetDateTime>,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a token for `owner` (oneself; admins for anyone), valid for `days` (none: until
/// revoked). Returns its id and the token, to be shown once.
pub async fn create(
    services: &Services,
    actor: &Actor,
    owner: &str,
    name: &str,
    scope: Scope,
    days: Option<u32>,
) -> Result<(i64, String), DomainError> {
    let result = create_checked(services, actor, owner, name, scope, days).await;
    let detail = format!("{name} ({})", scope.as_str());
    let event = AuditEvent::by(actor, AuditAction::TokenCreate).target(owner);
    let event = match &result {
        Ok(_) => event.detail(&detail),
        Err(error) => {
            let said = format!("{detail}: {error}");
            audit::record_or_log(services, &event.outcome(refusal(error)).detail(&said)).await;
            return result;
        }
    };
    audit::record_or_log(services, &event).await;
    result
}

fn refusal(error: &DomainError) -> Outcome {
    match error {
        DomainError::Forbidden { .. } | DomainError::NotAllowed(_) => Outcome::Denied,
        _ => Outcome::Error,
    }
}

async fn create_checked(
    services: &Services,
    actor: &Actor,
    owner: &str,
    name: &str,
    scope: Scope,
    days: Option<u32>,
) -> Result<(i64, String), DomainError> {
    if owner != actor.user.username {
        require_role(&actor.user, Role::Admin)?;
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(DomainError::Invalid(
            "A token needs a name of 1 to 64 characters (what it is for).".into(),
        ));
    }
    let mut user = users::find_by_name(&services.db, owner)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("User `{owner}`")))?;
    user.grants = users::grants_of(&services.db, user.id).await?.into();
    // A scope must be of use to its owner: writing needs a developer somewhere, the admin
    // scope a global admin.
    let highest = highest_role(&user);
    let allowed = match scope {
        Scope::Read => true,
        Scope::Write => highest >= Role::Developer,
        Scope::Admin => user.role >= Role::Admin,
    };
    if !allowed {
        return Err(DomainError::NotAllowed(format!(
            "A `{}` token would do more than `{owner}` may ({highest}): use a narrower scope.",
            scope.as_str()
        )));
    }
    if days == Some(0) || days.is_some_and(|d| d > 3650) {
        return Err(DomainError::Invalid(
            "A token expires in 1 to 3650 days (or never).".into(),
        ));
    }
    let token = format!("{PREFIX}{}", random_hex());
    let now = services.clock.now();
    let expires = days.map(|d| now + Duration::days(d.into()));
    let id: i64 = crate::db::query_scalar(
        "INSERT INTO api_tokens (user_id, name, scope, token_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user.id)
    .bind(name)
    .bind(scope.as_str())
    .bind(hash(&token))
    .bind(now)
    .bind(expires)
    .fetch_one(&services.db)
    .await?;
    Ok((id, token))
}

fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The tokens of `owner` that are not revoked (their own, or any user's for an admin).
pub async fn list(
    services: &Services,
    user: &User,
    owner: &str,
) -> Result<Vec<TokenRow>, DomainError> {
    if owner != user.username {
        require_role(user, Role::Admin)?;
    }
    Ok(crate::db::query_as(
        "SELECT t.id, t.name, t.scope, t.created_at, t.expires_at, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE u.username = ? AND t.revoked_at IS NULL ORDER BY t.id",
    )
    .bind(owner)
    .fetch_all(&services.db)
    .await?)
}

/// Revokes token `id`: one's own, or anyone's for an admin. It stops working at once.
pub async fn revoke(services: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    let owner: Option<(String, String)> = crate::db::query_as(
        "SELECT u.username, t.name FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.id = ? AND t.revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&services.db)
    .await?;
    let result = match &owner {
        None => Err(DomainError::NotFound(format!("Token #{id}"))),
        Some((name, _)) if *name == actor.user.username => Ok(()),
        Some(_) => require_role(&actor.user, Role::Admin),
    };
    let (owner, token_name) = owner.unwrap_or_default();
    let detail = format!("#{id} {token_name}");
    let event = AuditEvent::by(actor, AuditAction::TokenRevoke).target(&owner);
    if let Err(error) = result {
        let said = format!("{detail}: {error}");
        audit::record_or_log(services, &event.outcome(refusal(&error)).detail(&said)).await;
        return Err(error);
    }
    let mut tx = crate::db::begin_write(&services.db).await?;
    crate::db::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ?")
        .bind(services.clock.now())
        .bind(id)
        .execute(&mut tx)
        .await?;
    audit::record(&mut tx, services.clock.now(), &event.detail(&detail)).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct Presented {
    id: i64,
    user_id: i64,
    name: String,
    scope: String,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    expires_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    last_used_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    revoked_at: Option<OffsetDateTime>,
}

/// The user a bearer token acts as, capped by its scope; `source` is the client's address.
/// Unknown, expired and revoked tokens, and those of disabled users, are refused (401) and
/// audited.
pub async fn authenticate(
    services: &Services,
    token: &str,
    source: &str,
) -> Result<User, DomainError> {
    let now = services.clock.now();
    let presented: Option<Presented> = match token.starts_with(PREFIX) {
        true => {
            crate::db::query_as(
                "SELECT id, user_id, name, scope, expires_at, last_used_at, revoked_at
                 FROM api_tokens WHERE token_hash = ?",
            )
            .bind(hash(token))
            .fetch_optional(&services.db)
            .await?
        }
        false => None,
    };
    let refused = |why: &'static str, owner: Option<String>| async move {
        let event = AuditEvent {
            actor: owner.as_deref(),
            action: AuditAction::TokenRefused,
            target: None,
            source,
            outcome: Outcome::Denied,
            detail: Some(why),
        };
        audit::record_or_log(services, &event).await;
        DomainError::Unauthenticated
    };
    let Some(presented) = presented else {
        return Err(refused("unknown token", None).await);
    };
    let reading = services.user_cache.read_marker();
    let owner = crate::auth::cached_user(services, presented.user_id, reading).await?;
    let owner_name = owner.as_ref().map(|u| u.username.clone());
    if presented.revoked_at.is_some() {
        return Err(refused("revoked token", owner_name).await);
    }
    if presented.expires_at.is_some_and(|at| at <= now) {
        return Err(refused("expired token", owner_name).await);
    }
    let Some(mut user) = owner.filter(|u| !u.disabled) else {
        return Err(refused("the token's owner is disabled", owner_name).await);
    };
    let scope: Scope = presented.scope.parse().map_err(DomainError::internal)?;
    let cap = scope.cap();
    user.role = user.role.min(cap);
    user.grants = (user.grants.iter())
        .map(|g| users::Grant {
            place: g.place.clone(),
            role: g.role.min(cap),
        })
        .collect();
    if presented
        .last_used_at
        .is_none_or(|at| now - at >= USE_NOTED_EVERY)
    {
        note_use(services, &presented, &user, source).await?;
    }
    Ok(user)
}

async fn note_use(
    services: &Services,
    presented: &Presented,
    user: &User,
    source: &str,
) -> Result<(), DomainError> {
    let now = services.clock.now();
    let mut tx = crate::db::begin_write(&services.db).await?;
    crate::db::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
        .bind(now)
        .bind(presented.id)
        .execute(&mut tx)
        .await?;
    let detail = format!("#{} {} ({})", presented.id, presented.name, presented.scope);
    let event = AuditEvent {
        actor: Some(&user.username),
        action: AuditAction::TokenUse,
        target: None,
        source,
        outcome: Outcome::Ok,
        detail: Some(&detail),
    };
    audit::record(&mut tx, now, &event).await?;
    tx.commit().await?;
    Ok(())
}
