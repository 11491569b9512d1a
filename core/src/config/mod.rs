//! One typed settings struct, read from a TOML file with `REGATTA_*` environment overrides.
//! `regatta.example.toml` at the repository root documents every key.

mod database;
mod endpoint;
mod environment;
mod error;
mod gc;
mod load;
mod oidc;
mod overrides;
mod registry;
mod validate;
mod webhook;

pub use database::DatabaseLocation;
pub use environment::EnvironmentConfig;
pub use error::ConfigError;
pub use gc::{GcConfig, GcKind};
pub use load::{load_settings, parse_settings};
pub use oidc::{GroupMapping, OidcConfig};
pub use registry::{RegistryAuth, RegistryConfig, RegistryStorageLimits};
pub use webhook::WebhookConfig;

use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf};

/// Everything Regatta is configured with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// A SQLite file (default `data/regatta.db`) or a `postgres://` URL.
    #[serde(default)]
    pub database: DatabaseLocation,
    /// The environment variable holding the PostgreSQL password.
    #[serde(default)]
    pub database_password_env: Option<String>,
    /// Where `cargo leptos build` wrote the CSS, JS and WASM (`target/site` in the workspace).
    #[serde(default = "default_site_root")]
    pub site_root: PathBuf,
    /// The address people open, when Regatta is behind a proxy that changes the `Host` header
    /// (`https://regatta.example.com`). State-changing requests must come from this origin;
    /// unset, the origin must match the request's own `Host`.
    #[serde(default)]
    pub public_url: Option<url::Url>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR ranges).
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    #[serde(default)]
    pub session: SessionSettings,
    #[serde(default)]
    pub index: IndexSettings,
    #[serde(default)]
    pub storage: StorageSettings,
    #[serde(default)]
    pub trash: TrashSettings,
    #[serde(default)]
    pub audit: AuditSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub replicas: ReplicaSettings,
    /// Single sign-on; absent: password logins only.
    #[serde(default)]
    pub oidc: Option<OidcConfig>,
    #[serde(default, rename = "registry")]
    pub registries: Vec<RegistryConfig>,
    /// Pipeline order is the order of the entries in the file.
    #[serde(default, rename = "environment")]
    pub environments: Vec<EnvironmentConfig>,
    /// Called after each successful promotion.
    #[serde(default, rename = "webhook")]
    pub webhooks: Vec<WebhookConfig>,
    /// Retention policies managed by the configuration (read-only on the /retention page).
    #[serde(default, rename = "retention")]
    pub retention: Vec<crate::retention::RetentionPolicy>,
    /// The values behind `notify_secret_env`, `password_env` and `secret_env`, taken from the
    /// environment when the settings were loaded.
    #[serde(skip)]
    pub shared_secrets: SharedSecrets,
}

/// Secrets by the name of the environment variable that held them. `Debug` shows names only.
#[derive(Clone, Default)]
pub struct SharedSecrets(pub(crate) std::collections::HashMap<String, secrecy::SecretString>);

impl SharedSecrets {
    pub fn get(&self, variable: &str) -> Option<&secrecy::SecretString> {
        self.0.get(variable)
    }
}

impl std::fmt::Debug for SharedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// A session unused for this long is ended.
    #[serde(default = "default_idle_timeout_minutes")]
    pub idle_timeout_minutes: u32,
    /// Mark the cookie `Secure`: set to true when Regatta is served over https.
    #[serde(default)]
    pub secure_cookie: bool,
    #[serde(default = "default_cookie_name")]
    pub cookie_name: String,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: default_idle_timeout_minutes(),
            secure_cookie: false,
            cookie_name: default_cookie_name(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSettings {
    /// Re-crawl every registry this often (notifications keep the index fresh in between);
    /// 0 crawls only at start.
    #[serde(default = "default_crawl_interval_minutes")]
    pub crawl_interval_minutes: u32,
    /// With notifications arriving, re-crawls only list tags; every tag is checked (HEAD) again
    /// at least this often, in case an event was lost.
    #[serde(default = "default_verify_interval_hours")]
    pub verify_interval_hours: u32,
    /// A crawl whose catalog lacks more than this share of the indexed repositories removes
    /// them only when the next crawl sees the same catalog.
    #[serde(default = "default_max_removal_percent")]
    pub max_removal_percent: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// Storage usage is written down this often (and after every finished crawl); 0: only
    /// after crawls.
    #[serde(default = "default_snapshot_interval_minutes")]
    pub snapshot_interval_minutes: u32,
    /// A tag neither pulled nor pushed for this many days is *unused* (pull times come from
    /// the registry's notifications).
    #[serde(default = "default_unused_after_days")]
    pub unused_after_days: u32,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            snapshot_interval_minutes: default_snapshot_interval_minutes(),
            unused_after_days: default_unused_after_days(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrashSettings {
    /// A deleted tag can be restored from the trash for this many days (and until garbage
    /// collection removes its blobs); then the trash entry is purged.
    #[serde(default = "default_trash_keep_days")]
    pub keep_days: u32,
}

impl Default for TrashSettings {
    fn default() -> Self {
        Self {
            keep_days: default_trash_keep_days(),
        }
    }
}

fn default_trash_keep_days() -> u32 {
    7
}

/// `[replicas]`: several Regatta processes on one database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaSettings {
    /// A replica unseen for this long is dead: another takes its background jobs over and its
    /// running work is marked failed. Heartbeats are written every third of it.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: u32,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        Self {
            lease_seconds: default_lease_seconds(),
        }
    }
}

fn default_lease_seconds() -> u32 {
    30
}

/// `[log]`: how log lines look (on stderr; `RUST_LOG` filters them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    #[serde(default)]
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line (for Loki, Elasticsearch, CloudWatch…).
    Json,
}

/// `[metrics]`: the Prometheus endpoint `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// The variable holding a bearer token the scraper must send; unset: `/metrics` is open
    /// (it names registries and environments, never secrets).
    pub token_env: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Audit rows older than this many days are deleted by a daily job (nothing else deletes
    /// or changes them).
    #[serde(default = "default_audit_keep_days")]
    pub keep_days: u32,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            keep_days: default_audit_keep_days(),
        }
    }
}

fn default_audit_keep_days() -> u32 {
    400
}

fn default_unused_after_days() -> u32 {
    30
}

fn default_snapshot_interval_minutes() -> u32 {
    60
}

impl Default for IndexSettings {
    fn default() -> Self {
        Self {
            crawl_interval_minutes: default_crawl_interval_minutes(),
            verify_interval_hours: default_verify_interval_hours(),
            max_removal_percent: default_max_removal_percent(),
        }
    }
}

fn default_max_removal_percent() -> u32 {
    50
}

fn default_verify_interval_hours() -> u32 {
    24
}

fn default_crawl_interval_minutes() -> u32 {
    15
}

impl Settings {
    pub fn registry(&self, name: &str) -> Option<&RegistryConfig> {
        self.registries.iter().find(|r| r.name == name)
    }

    /// The environment a repository is in: the one of its registry with the longest prefix
    /// of its name (an empty prefix holds the whole registry).
    pub fn environment_of(&self, registry: &str, repository: &str) -> Option<&EnvironmentConfig> {
        self.environments
            .iter()
            .filter(|e| e.registry == registry && repository.starts_with(e.prefix.as_str()))
            .max_by_key(|e| e.prefix.len())
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
fn default_site_root() -> PathBuf {
    PathBuf::from("target/site")
}
fn default_idle_timeout_minutes() -> u32 {
    8 * 60
}
fn default_cookie_name() -> String {
    "regatta_session".into()
}
