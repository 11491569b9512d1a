use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::users::{self, hash_password, verify_password, PasswordHash, User};
use crate::{DomainError, Services};
use secrecy::SecretString;
use std::sync::OnceLock;

/// Checks a username and password typed into the login form, from client address `source`.
/// Every outcome is audited. Unknown users cost the same hashing time as known ones, so
/// response time does not reveal which usernames exist.
#[tracing::instrument(skip(services, password))]
pub async fn log_in(
    services: &Services,
    username: &str,
    password: SecretString,
    source: &str,
) -> Result<User, DomainError> {
    let username = username.trim();
    let throttle_key = format!("{}|{source}", username.to_lowercase());
    let audit_as = |outcome, action, detail| AuditEvent {
        actor: Some(username),
        action,
        target: None,
        source,
        outcome,
        detail,
    };
    let now = services.clock.now();
    if let Err(retry_after_secs) = services.throttle.check(&throttle_key) {
        let event = audit_as(Outcome::Denied, AuditAction::LoginThrottled, None);
        audit::record(&services.db, now, &event).await?;
        return Err(DomainError::Throttled { retry_after_secs });
    }
    let user = users::find_by_name(&services.db, username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || {
        verify_password(&password, stored.as_ref().unwrap_or_else(|| dummy_hash()))
    })
    .await
    .map_err(|e| DomainError::Internal(e.into()))?;

    match user {
        Some(user) if matches && !user.disabled => {
            services.throttle.record_success(&throttle_key);
            users::record_login(&services.db, user.id, now).await?;
            audit::record(
                &services.db,
                now,
                &audit_as(Outcome::Ok, AuditAction::LoginSuccess, None),
            )
            .await?;
            Ok(user)
        }
        user => {
            services.throttle.record_failure(&throttle_key);
            let detail = match user {
                None => "unknown user",
                Some(u) if u.disabled => "account disabled",
                Some(_) => "wrong password",
            };
            let event = audit_as(Outcome::Denied, AuditAction::LoginFailure, Some(detail));
            audit::record(&services.db, now, &event).await?;
            Err(DomainError::BadCredentials)
        }
    }
}

fn dummy_hash() -> &'static PasswordHash {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&users::generate_password()).expect("hashing a generated password")
    })
}
