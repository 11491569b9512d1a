use super::auth::{parse_challenges, token, AuthScheme, Credentials, Scope, TokenCache};
use super::endpoint::Endpoint;
use super::error::RegistryError;
use super::transport::{error_from_response, Prepared, RetryPolicy, Transport};
use anyhow::Context;
use reqwest::{header, Response, StatusCode};
use secrecy::ExposeSecret;
use std::{collections::BTreeMap, sync::Mutex, time::Duration};
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A registry as Regatta reaches it: base URL, TLS trust, credentials, tokens, retries.
/// Operations (catalog, tags, manifests, …) live in `ops/` and call [`RegistryClient::send`].
pub struct RegistryClient {
    pub name: String,
    pub base: Url,
    transport: Transport,
    credentials: Credentials,
    scheme: Mutex<Option<AuthScheme>>,
    tokens: TokenCache,
    /// For token requests: no redirects (they would carry the credentials elsewhere), and the
    /// total timeout every call has (a stalled realm held up crawls and promotion locks).
    token_http: reqwest::Client,
    realm_hosts: Vec<String>,
    /// What deleting one tag has learnt of this registry (see `ops::manifest_write`).
    pub(super) tag_deletion: super::ops::TagDeletionMemory,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("name", &self.name)
            .field("base", &self.base.as_str())
            .finish()
    }
}

/// How a client is built; tests shorten timeouts and retries.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            request_timeout: REQUEST_TIMEOUT,
            connect_timeout: CONNECT_TIMEOUT,
        }
    }
}

impl RegistryClient {
    pub fn new(endpoint: Endpoint) -> anyhow::Result<Self> {
        Self::with_options(endpoint, ClientOptions::default())
    }

    pub fn with_options(endpoint: Endpoint, options: ClientOptions) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            // Idle time between reads: what bounds a streamed blob, which has no total limit.
            .read_timeout(options.request_timeout)
            .user_agent(concat!("regatta/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(endpoint.tls.accept_invalid_certs)
            // Redirects (e.g. to blob storage) are followed by reqwest, which drops the
            // Authorization header when the host changes.
            .redirect(reqwest::redirect::Policy::limited(5));
        let mut token_builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("regatta/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(endpoint.tls.accept_invalid_certs)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &endpoint.tls.extra_root_pem {
            let certificate = reqwest::Certificate::from_pem(pem)
                .context("the registry's CA is not a PEM certificate")?;
            builder = builder.add_root_certificate(certificate.clone());
            token_builder = token_builder.add_root_certificate(certificate);
        }
        Ok(Self {
            transport: Transport {
                registry: endpoint.name.clone(),
                http: builder.build().context("building the HTTP client")?,
                policy: options.retry,
                request_timeout: options.request_timeout,
                requests: Default::default(),
            },
            name: endpoint.name,
            base: endpoint.base_url,
            credentials: endpoint.credentials,
            scheme: Mutex::new(None),
            tokens: TokenCache::default(),
            token_http: token_builder.build().context("building the HTTP client")?,
            realm_hosts: endpoint.realm_hosts,
            tag_deletion: Default::default(),
        })
    }

    /// Requests sent to this registry (not counting token requests), retries included.
    pub fn requests_sent(&self) -> u64 {
        self.transport
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `path` below the registry's base URL, e.g. `v2/dev/app/tags/list`.
    pub fn url(&self, path: &str) -> Url {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(path.trim_start_matches('/'))
            .expect("registry paths are relative")
    }

    /// Sends `request` with the credentials `scope` needs. On a 401 it learns the registry's
    /// scheme from the challenge (getting a token for Bearer) and sends once more. Any status
    /// is returned; use [`RegistryClient::success`] to turn failures into errors.
    pub async fn send(&self, request: Prepared, scope: &Scope) -> Result<Response, RegistryError> {
        let authorization = self.authorization(scope, false).await?;
        let response = self
            .transport
            .send(&request, authorization.as_ref())
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED || !self.learn_scheme(&response)? {
            return Ok(response);
        }
        let scope = widened_scope(scope, &response);
        let authorization = self.authorization(&scope, true).await?;
        self.transport.send(&request, authorization.as_ref()).await
    }

    /// `response` if it succeeded, else a [`RegistryError`] with the OCI envelope and, for
    /// 401/403, the scope that was refused.
    pub async fn success(
        &self,
        response: Response,
        scope: &Scope,
    ) -> Result<Response, RegistryError> {
        if response.status().is_success() {
            return Ok(response);
        }
        let refused = matches!(response.status().as_u16(), 401 | 403)
            .then(|| scope.to_string())
            .filter(|s| !s.is_empty());
        Err(error_from_response(&self.name, response, refused).await)
    }

    /// Records what the challenge asks for. Returns whether retrying can help.
    fn learn_scheme(&self, response: &Response) -> Result<bool, RegistryError> {
        let challenges: Vec<_> = response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let learned = if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let endpoint = token::endpoint_from_challenge(bearer, &self.base, &self.realm_hosts)
                .map_err(|reason| RegistryError::Auth {
                    registry: self.name.clone(),
                    reason,
                })?;
            AuthScheme::Bearer(endpoint)
        } else if challenges.iter().any(|c| c.scheme == "basic") {
            AuthScheme::Basic
        } else {
            return Ok(false);
        };
        let mut scheme = self.scheme.lock().expect("scheme lock");
        let can_help = match &learned {
            // Basic credentials, when we have them, were already sent: repeating cannot help.
            AuthScheme::Basic => false,
            // A token for a wider scope, or a first token, may help.
            AuthScheme::Bearer(_) => true,
        };
        *scheme = Some(learned);
        Ok(can_help)
    }

    async fn authorization(
        &self,
        scope: &Scope,
        fresh: bool,
    ) -> Result<Option<header::HeaderValue>, RegistryError> {
        let scheme = self.scheme.lock().expect("scheme lock").clone();
        let value = match (scheme, &self.credentials) {
            (Some(AuthScheme::Bearer(endpoint)), credentials) => {
                let cached = if fresh { None } else { self.tokens.get(scope) };
                let token = match cached {
                    Some(token) => token,
                    None => token::fetch_token(
                        &self.token_http,
                        &endpoint,
                        scope,
                        credentials,
                        &self.tokens,
                    )
                    .await
                    .map_err(|reason| RegistryError::Auth {
                        registry: self.name.clone(),
                        reason,
                    })?,
                };
                format!("Bearer {}", token.expose_secret())
            }
            // Basic credentials are configured for this registry: send them from the start.
            (_, Credentials::Basic { username, password }) => {
                use base64::Engine;
                let pair = format!("{username}:{}", password.expose_secret());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            _ => return Ok(None),
        };
        let mut value = header::HeaderValue::from_str(&value).map_err(|_| RegistryError::Auth {
            registry: self.name.clone(),
            reason: "credentials contain invalid characters".into(),
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

/// An `insufficient_scope` challenge names the scope the registry wants: ask for both.
fn widened_scope(scope: &Scope, response: &Response) -> Scope {
    let wanted = response
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_challenges)
        .find_map(|c| c.param("scope").map(Scope::from_raw));
    match wanted {
        Some(wanted) => Scope::join(&[scope.clone(), wanted]),
        None => scope.clone(),
    }
}

/// The clients for every configured registry, by name.
#[derive(Debug, Default)]
pub struct RegistryClients(BTreeMap<String, RegistryClient>);

impl RegistryClients {
    pub fn new(clients: impl IntoIterator<Item = RegistryClient>) -> Self {
        Self(clients.into_iter().map(|c| (c.name.clone(), c)).collect())
    }

    pub fn get(&self, name: &str) -> Option<&RegistryClient> {
        self.0.get(name)
    }
}
