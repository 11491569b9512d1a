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
    /// What this registry's storage may hold, for the storage page's forecast and alerts.
    #[serde(default)]
    pub storage: RegistryStorageLimits,
    /// How Regatta runs this registry's garbage collection; without it, it does not.
    pub gc: Option<super::GcConfig>,
}

/// `[registry.storage]`: the capacity behind a registry and when its use deserves attention.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryStorageLimits {
    /// Bytes the registry's storage can hold; without it there is no forecast.
    pub capacity_bytes: Option<i64>,
    /// Stored bytes above this share of the capacity are a warning.
    #[serde(default = "default_warn_at_percent")]
    pub warn_at_percent: u8,
    /// Growth above this many bytes a day (over the last 7 days) is a warning.
    pub max_growth_bytes_per_day: Option<i64>,
}

impl Default for RegistryStorageLimits {
    fn default() -> Self {
        Self {
            capacity_bytes: None,
            warn_at_percent: default_warn_at_percent(),
            max_growth_bytes_per_day: None,
        }
    }
}

fn default_warn_at_percent() -> u8 {
    80
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
            storage: RegistryStorageLimits::default(),
            gc: None,
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
