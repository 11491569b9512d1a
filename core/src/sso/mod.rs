//! Single sign-on with OpenID Connect: the authorization-code flow with PKCE and a nonce.
//!
//! [`begin`] makes the provider's login address and what the session must remember (state,
//! nonce, PKCE verifier); [`finish`] takes the provider's answer, refuses a state this session
//! did not send, exchanges the code (with the verifier), verifies the ID token (signature by
//! the provider's published keys, issuer, audience, expiry, nonce), reads the username and
//! groups (the ID token's claims, else the userinfo endpoint's, whose subject must match), and
//! provisions the user. Every refusal is audited as a failed login, with its reason.
//!
//! The provider's metadata and keys are read at each login (a few ms; logins are rare, and a
//! provider's key rotation is then never missed).

mod mapping;
mod provision;

pub use mapping::rights_from_groups;
pub use provision::Identity;

use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::config::OidcConfig;
use crate::users::User;
use crate::{DomainError, Services};
use openidconnect::core::{CoreAuthenticationFlow, CoreGenderClaim, CoreProviderMetadata};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;

/// The path the provider sends people back to (registered at the provider as
/// `<public_url>auth/oidc/callback`).
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// What the session keeps between [`begin`] and [`finish`]. Server-side only (the session
/// store), never in a cookie or an address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// The local page to open after the login.
    pub next: String,
}

/// The claims beyond the standard ones (groups, or a custom username claim), as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    values: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

fn config(services: &Services) -> Result<&OidcConfig, DomainError> {
    services
        .settings
        .oidc
        .as_ref()
        .ok_or_else(|| DomainError::NotFound("Single sign-on (no [oidc] in the settings)".into()))
}

/// No redirects (the token and userinfo endpoints answer directly; following one would let a
/// provider steer Regatta's requests elsewhere), and a bounded wait.
fn http_client() -> Result<reqwest::Client, DomainError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| DomainError::internal(format!("building the OIDC client: {e}")))
}

type Client = openidconnect::Client<
    OtherClaims,
    openidconnect::core::CoreAuthDisplay,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::StandardTokenResponse<
        openidconnect::IdTokenFields<
            OtherClaims,
            openidconnect::EmptyExtraTokenFields,
            CoreGenderClaim,
            openidconnect::core::CoreJweContentEncryptionAlgorithm,
            openidconnect::core::CoreJwsSigningAlgorithm,
        >,
        openidconnect::core::CoreTokenType,
    >,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Discovers the provider and makes the client for this Regatta.
async fn client(services: &Services, http: &reqwest::Client) -> Result<Client, DomainError> {
    let config = config(services)?;
    let unavailable = |what: &str, e: &dyn std::fmt::Display| {
        DomainError::Unavailable(format!(
            "The single sign-on provider {} could not be {what}: {e}",
            config.issuer
        ))
    };
    let issuer = IssuerUrl::new(config.issuer.as_str().trim_end_matches('/').to_string())
        .map_err(|e| unavailable("named", &e))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| unavailable("reached", &e))?;
    let secret = services
        .settings
        .shared_secrets
        .get(&config.client_secret_env)
        .map(|s| ClientSecret::new(s.expose_secret().to_string()));
    let public = services.settings.public_url.as_ref().ok_or_else(|| {
        DomainError::internal("single sign-on without public_url (the settings check refuses it)")
    })?;
    let redirect = public
        .join(CALLBACK_PATH.trim_start_matches('/'))
        .map_err(DomainError::internal)?;
    let redirect = RedirectUrl::new(redirect.to_string()).map_err(DomainError::internal)?;
    Ok(
        Client::from_provider_metadata(metadata, ClientId::new(config.client_id.clone()), secret)
            .set_redirect_uri(redirect),
    )
}

/// The provider's login address for this login, and what the session must keep for
/// [`finish`]. `next` is the local page to return to.
pub async fn begin(
    services: &Services,
    next: &str,
) -> Result<(url::Url, PendingLogin), DomainError> {
    let config = config(services)?;
    let http = http_client()?;
    let client = client(services, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in config.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: next.to_string(),
    };
    Ok((url, pending))
}

/// Completes the login the provider sent back (`code`, `state`) for the session that kept
/// `pending`. Refusals are audited (as failed logins) and answered with the reason.
pub async fn finish(
    services: &Services,
    pending: Option<PendingLogin>,
    code: &str,
    state: &str,
    source: &str,
) -> Result<User, DomainError> {
    let result = async {
        let pending = pending.ok_or_else(|| {
            refusal("no single sign-on was started in this session (or it was used already)")
        })?;
        // The state binds the answer to the browser that asked (CSRF): compared in full.
        if !constant_time_equal(pending.state.as_bytes(), state.as_bytes()) {
            return Err(refusal(
                "the answer's state is not the one this session sent",
            ));
        }
        let identity = verified_identity(services, &pending, code).await?;
        let config = config(services)?;
        let (role, grants) = rights_from_groups(config, &identity.groups);
        provision::provision(services, &identity, role, &grants, source).await
    }
    .await;
    if let Err(error) = &result {
        let detail = format!("single sign-on: {error}");
        let event = AuditEvent {
            actor: None,
            action: AuditAction::LoginFailure,
            target: None,
            source,
            outcome: Outcome::Denied,
            detail: Some(&detail),
        };
        audit::record_or_log(services, &event).await;
    }
    result
}

fn refusal(why: &str) -> DomainError {
    DomainError::NotAllowed(format!(
        "Single sign-on refused: {why}. Start the login again."
    ))
}

fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Exchanges the code and verifies what comes back; the person's identity and groups.
async fn verified_identity(
    services: &Services,
    pending: &PendingLogin,
    code: &str,
) -> Result<Identity, DomainError> {
    let config = config(services)?;
    let http = http_client()?;
    let client = client(services, &http).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| refusal(&format!("the provider has no token endpoint ({e})")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| refusal(&format!("the provider refused the code ({})", describe(&e))))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| refusal("the provider sent no ID token"))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .map_err(|e| refusal(&format!("the ID token does not verify ({e})")))?;
    let subject = claims.subject().clone();
    let mut values: HashMap<String, serde_json::Value> = claims.additional_claims().values.clone();
    if let Some(name) = claims.preferred_username() {
        values.insert("preferred_username".into(), name.as_str().into());
    }
    if let Some(email) = claims.email() {
        values.insert("email".into(), email.as_str().into());
    }
    // The ID token may carry only `sub` (providers send the rest from userinfo).
    if let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject.clone())) {
        let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
            .request_async(&http)
            .await
            .map_err(|e| refusal(&format!("the userinfo answer does not verify ({e})")))?;
        for (key, value) in &info.additional_claims().values {
            values.entry(key.clone()).or_insert_with(|| value.clone());
        }
        if let Some(name) = info.preferred_username() {
            values
                .entry("preferred_username".into())
                .or_insert_with(|| name.as_str().into());
        }
        if let Some(email) = info.email() {
            values
                .entry("email".into())
                .or_insert_with(|| email.as_str().into());
        }
    }
    let username = match values.get(&config.username_claim) {
        Some(serde_json::Value::String(name)) if !name.is_empty() => name.clone(),
        _ => {
            return Err(refusal(&format!(
                "the provider sent no `{}` claim to name you by",
                config.username_claim
            )))
        }
    };
    let groups = match values.get(&config.groups_claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    Ok(Identity {
        subject: format!(
            "{}#{}",
            config.issuer.as_str().trim_end_matches('/'),
            subject.as_str()
        ),
        username,
        groups,
    })
}

/// An OAuth error as the provider described it (`invalid_grant: …`), else the transport's.
fn describe<E: std::error::Error>(error: &E) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
