//! What the client needs to reach one registry, fully resolved: secrets already read, the CA
//! file already loaded. Whoever builds an [`Endpoint`] (Regatta builds them from its settings
//! once, at start) owns where the values come from; the client never reads files or the
//! environment.

use super::auth::Credentials;
use url::Url;

#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The name errors and logs use for this registry.
    pub name: String,
    pub base_url: Url,
    pub tls: Tls,
    pub credentials: Credentials,
    /// Hosts besides the registry's own that a `Bearer` challenge may name as its token realm
    /// (Docker Hub's `auth.docker.io`); any other realm is refused, as it would receive the
    /// registry's credentials.
    pub realm_hosts: Vec<String>,
}

/// How the registry's certificate is checked.
#[derive(Clone, Default)]
pub struct Tls {
    /// PEM of a CA to trust besides the system roots (a private CA).
    pub extra_root_pem: Option<Vec<u8>>,
    /// Skip verification: only for throw-away test registries.
    pub accept_invalid_certs: bool,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("extra_root", &self.extra_root_pem.is_some())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

impl Endpoint {
    /// A registry reached anonymously with the system's TLS roots; set fields to change that.
    pub fn anonymous(name: &str, base_url: Url) -> Self {
        Self {
            name: name.to_string(),
            base_url,
            tls: Tls::default(),
            credentials: Credentials::Anonymous,
            realm_hosts: Vec::new(),
        }
    }

    /// `host[:port]` as docker's `config.json` keys it.
    pub fn host(&self) -> String {
        host_of(&self.base_url)
    }
}

pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => String::new(),
    }
}
