use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;
use url::Url;

/// One upstream registry Regatta talks to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    pub name: String,
    pub url: Url,
    #[serde(default)]
    pub auth: RegistryAuth,
    /// PEM file with the CA that signed the registry's certificate (private CAs).
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification. Only for throw-away test registries.
    #[serde(default)]
    pub insecure: bool,
    /// Name of the environment variable holding the shared secret for this registry's
    /// notifications webhook.
    pub notify_secret_env: Option<String>,
    /// Token realms on other hosts than the registry's that may receive its credentials.
    #[serde(default)]
    pub realm_hosts: Vec<String>,
}

impl RegistryConfig {
    /// A registry reached anonymously with the system's TLS roots; set fields to change that.
    pub fn anonymous(name: &str, url: url::Url) -> Self {
        Self {
            name: name.to_string(),
            url,
            auth: RegistryAuth::None,
            ca_file: None,
            insecure: false,
            notify_secret_env: None,
            realm_hosts: Vec::new(),
        }
    }
}

/// How Regatta authenticates to a registry. Secrets stay on the server and are redacted in logs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RegistryAuth {
    #[default]
    None,
    /// HTTP Basic, also used to obtain Bearer tokens. Give `password` or `password_env`.
    Basic {
        username: String,
        password: Option<SecretString>,
        password_env: Option<String>,
    },
    /// Credentials from a docker `config.json` (`auths` entries for the registry host).
    DockerConfig { path: PathBuf },
}
