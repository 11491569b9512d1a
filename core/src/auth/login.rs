use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::users::{self, hash_password, verify_password, PasswordHash, User, Username};
use crate::{DomainError, Services};
use secrecy::SecretString;
use std::sync::OnceLock;
use std::time::Duration;

/// How long a login waits for a free hashing slot before it is told to try again.
const HASHING_QUEUE: Duration = Duration::from_secs(10);

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
    // Names that cannot exist (too long, odd characters) key nothing and are audited without
    // the raw text: the form is anyone's to fill.
    let typed = username.trim().to_lowercase();
    let username = Username::parse(&typed).ok();
    let account = username.as_ref().map(Username::as_str);
    let audit_as = |outcome, action, detail| AuditEvent {
        actor: account,
        action,
        target: None,
        source,
        outcome,
        detail,
    };
    let now = services.clock.now();
    if services
        .settings
        .oidc
        .as_ref()
        .is_some_and(|o| !o.local_login)
    {
        let event = audit_as(
            Outcome::Denied,
            AuditAction::LoginFailure,
            Some("password login is off (single sign-on only)"),
        );
        audit::record(&services.db, now, &event).await?;
        return Err(DomainError::NotAllowed(
            "Password login is off here: log in with single sign-on.".into(),
        ));
    }
    let attempt = match services
        .throttle
        .begin(&services.db, account, source)
        .await?
    {
        Ok(attempt) => attempt,
        Err(retry_after_secs) => {
            crate::metrics::login("throttled");
            let event = audit_as(Outcome::Denied, AuditAction::LoginThrottled, None);
            audit::record(&services.db, now, &event).await?;
            return Err(DomainError::Throttled { retry_after_secs });
        }
    };
    let Some(account) = account else {
        let event = audit_as(
            Outcome::Denied,
            AuditAction::LoginFailure,
            Some("invalid username"),
        );
        audit::record(&services.db, now, &event).await?;
        return Err(DomainError::BadCredentials);
    };
    let user = users::find_by_name(&services.db, account).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let Ok(_hashing) =
        tokio::time::timeout(HASHING_QUEUE, services.throttle.hashing.acquire()).await
    else {
        return Err(DomainError::Throttled {
            retry_after_secs: HASHING_QUEUE.as_secs(),
        });
    };
    let matches = tokio::task::spawn_blocking(move || {
        verify_password(&password, stored.as_ref().unwrap_or_else(|| dummy_hash()))
    })
    .await
    .map_err(|e| DomainError::Internal(e.into()))?;

    match user {
        Some(user) if matches && !user.disabled => {
            // Bookkeeping that failed must not refuse a right password.
            if let Err(error) = services.throttle.succeeded(&services.db, attempt).await {
                tracing::warn!(%error, "could not forgive a login's earlier failures");
            }
            crate::metrics::login("success");
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
            let detail = match user {
                None => "unknown user",
                Some(u) if u.disabled => "account disabled",
                Some(_) => "wrong password",
            };
            crate::metrics::login("failure");
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
