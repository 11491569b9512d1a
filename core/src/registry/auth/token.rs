//! Bearer tokens (docker token authentication; OAuth2 refresh-token flow for identity tokens):
//! fetched from the realm the registry names, cached per scope, renewed before they expire.

use super::{credentials::Credentials, realm, realm::validate_realm, scope::Scope};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;
use url::Url;

/// Docker's token spec: when `expires_in` is absent, assume 60 s.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Where and for what service to ask for tokens: from a `Bearer` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpoint {
    pub realm: Url,
    pub service: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Debug)]
struct CachedToken {
    token: SecretString,
    renew_at: Instant,
}

/// Tokens by scope. One per registry client, so tokens never cross registries.
#[derive(Debug, Default)]
pub struct TokenCache(Mutex<HashMap<Scope, CachedToken>>);

impl TokenCache {
    pub fn get(&self, scope: &Scope) -> Option<SecretString> {
        self.get_at(scope, Instant::now())
    }

    fn get_at(&self, scope: &Scope, now: Instant) -> Option<SecretString> {
        let cache = self.0.lock().expect("token cache lock");
        cache
            .get(scope)
            .filter(|t| now < t.renew_at)
            .map(|t| t.token.clone())
    }

    fn put(&self, scope: Scope, token: SecretString, lifetime: Duration) {
        self.put_at(scope, token, lifetime, Instant::now());
    }

    fn put_at(&self, scope: Scope, token: SecretString, lifetime: Duration, now: Instant) {
        // Renew when 10% of the lifetime (at least 5 s) is left, so no request carries a
        // token that expires in flight.
        let margin = (lifetime / 10).max(Duration::from_secs(5)).min(lifetime);
        let renew_at = now + (lifetime - margin);
        self.0
            .lock()
            .expect("token cache lock")
            .insert(scope, CachedToken { token, renew_at });
    }
}

/// Asks the realm for a token covering `scope` and caches it.
pub async fn fetch_token(
    http: &reqwest::Client,
    endpoint: &TokenEndpoint,
    scope: &Scope,
    credentials: &Credentials,
    cache: &TokenCache,
) -> Result<SecretString, String> {
    let request = match credentials {
        Credentials::IdentityToken { token } => {
            let mut form = vec![
                ("grant_type", "refresh_token".to_string()),
                ("client_id", "regatta".to_string()),
                ("refresh_token", token.expose_secret().to_string()),
            ];
            form.extend(endpoint.service.iter().map(|s| ("service", s.clone())));
            form.extend(scope.parts().map(|s| ("scope", s.to_string())));
            http.post(endpoint.realm.clone()).form(&form)
        }
        credentials => {
            let mut url = endpoint.realm.clone();
            {
                let mut query = url.query_pairs_mut();
                if let Some(service) = &endpoint.service {
                    query.append_pair("service", service);
                }
                for part in scope.parts() {
                    query.append_pair("scope", part);
                }
            }
            let request = http.get(url);
            match credentials {
                Credentials::Basic { username, password } => {
                    request.basic_auth(username, Some(password.expose_secret()))
                }
                _ => request,
            }
        }
    };
    realm::check_resolved(&endpoint.realm).await?;
    let response = request
        .send()
        .await
        .map_err(|e| format!("token request to {} failed: {e}", endpoint.realm))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!(
            "the token service {} answered HTTP {status}",
            endpoint.realm
        ));
    }
    let answer: TokenAnswer = response.json().await.map_err(|e| {
        format!(
            "the token service {} sent no JSON token: {e}",
            endpoint.realm
        )
    })?;
    let token = answer
        .token
        .or(answer.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            format!(
                "the token service {} sent neither `token` nor `access_token`",
                endpoint.realm
            )
        })?;
    let token = SecretString::from(token);
    let lifetime = answer
        .expires_in
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME)
        // A huge `expires_in` overflowed `Instant`; nobody needs a token cached for longer.
        .min(MAX_LIFETIME);
    cache.put(scope.clone(), token.clone(), lifetime);
    Ok(token)
}

/// The token endpoint named by a `Bearer` challenge, validated against the registry's URL.
pub fn endpoint_from_challenge(
    challenge: &super::challenge::Challenge,
    registry: &Url,
    realm_hosts: &[String],
) -> Result<TokenEndpoint, String> {
    let realm = challenge
        .param("realm")
        .ok_or("the Bearer challenge has no realm")?;
    Ok(TokenEndpoint {
        realm: validate_realm(realm, registry, realm_hosts)?,
        service: challenge.param("service").map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        let cache = TokenCache::default();
        let scope = Scope::pull("dev/app");
        let start = Instant::now();
        cache.put_at(
            scope.clone(),
            "t".to_string().into(),
            Duration::from_secs(300),
            start,
        );
        assert!(cache.get_at(&scope, start).is_some());
        assert!(
            cache.get_at(&Scope::pull("dev/other"), start).is_none(),
            "tokens are per scope"
        );
        assert!(cache
            .get_at(&scope, start + Duration::from_secs(269))
            .is_some());
        let late = start + Duration::from_secs(271);
        assert!(
            cache.get_at(&scope, late).is_none(),
            "renewed with 10% of the lifetime left"
        );
    }
}
