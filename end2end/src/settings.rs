//! A typed builder for `regatta.toml`, used by every test, bench and the demo (`make demo`), so a
//! settings key is spelled in one place on the test side. It mirrors `regatta_core::config` for
//! writing (core's types only deserialize: they hold secrets and defaults), and [`to_toml`]'s
//! output is parsed by the real loader in each test that uses it.
//!
//! [`to_toml`]: SettingsFile::to_toml

use crate::RegistryFixture;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize)]
pub struct SettingsFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_root: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    trusted_proxies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<SessionSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<IndexSection>,
    #[serde(rename = "registry", skip_serializing_if = "Vec::is_empty")]
    registries: Vec<Registry>,
    #[serde(rename = "environment", skip_serializing_if = "Vec::is_empty")]
    environments: Vec<Environment>,
    #[serde(rename = "webhook", skip_serializing_if = "Vec::is_empty")]
    webhooks: Vec<Webhook>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc: Option<Oidc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<MetricsSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<LogSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<ReplicasSection>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct ReplicasSection {
    lease_seconds: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
struct LogSection {
    format: String,
}

#[derive(Debug, Clone, Default, Serialize)]
struct MetricsSection {
    token_env: String,
}

/// `[oidc]`, with its `[[oidc.map]]` entries.
#[derive(Debug, Clone, Serialize)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_env: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_login: Option<bool>,
    #[serde(rename = "map", skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<OidcMap>,
}

/// `[[oidc.map]]`: `group` → `role`, at `place` (`registry:NAME`) or globally.
#[derive(Debug, Clone, Serialize)]
pub struct OidcMap {
    pub group: String,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct SessionSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_timeout_minutes: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct IndexSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    crawl_interval_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify_interval_hours: Option<u32>,
}

/// One `[[registry]]`.
#[derive(Debug, Clone, Serialize)]
pub struct Registry {
    name: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<Auth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_secret_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<StorageLimits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gc: Option<Gc>,
}

/// `[registry.gc]`.
#[derive(Debug, Clone, Serialize)]
pub struct Gc {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collect: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance_off: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collect_timeout_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_path: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untagged_grace_hours: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_wait_seconds: Option<u64>,
}

/// `[registry.storage]`.
#[derive(Debug, Clone, Serialize)]
struct StorageLimits {
    capacity_bytes: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Auth {
    Basic { username: String, password: String },
}

/// One `[[environment]]`; pipeline order is the order they are added in.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    name: String,
    registry: String,
    prefix: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    protected: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    immutable_tags: bool,
}

/// One `[[webhook]]`.
#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    pub secret_env: String,
}

impl SettingsFile {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn listen(mut self, address: impl Into<String>) -> Self {
        self.listen = Some(address.into());
        self
    }

    /// The SQLite file at `path`; or, when the tests run on PostgreSQL
    /// (`REGATTA_TEST_DATABASE=postgres`), the database standing for that path.
    pub fn database(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        self.database = Some(
            crate::postgres::test_database_for(path).unwrap_or_else(|| path.display().to_string()),
        );
        self
    }

    /// A database URL as it is (`postgres://…`), whichever backend the tests use.
    pub fn database_url(mut self, url: &str) -> Self {
        self.database = Some(url.to_string());
        self
    }

    pub fn site_root(mut self, path: impl AsRef<Path>) -> Self {
        self.site_root = Some(path.as_ref().to_path_buf());
        self
    }

    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Addresses or CIDR ranges whose `X-Forwarded-For` is believed.
    pub fn trusted_proxy(mut self, range: impl Into<String>) -> Self {
        self.trusted_proxies.push(range.into());
        self
    }

    /// `[session] idle_timeout_minutes`.
    pub fn idle_timeout_minutes(mut self, minutes: u32) -> Self {
        self.session
            .get_or_insert_with(Default::default)
            .idle_timeout_minutes = Some(minutes);
        self
    }

    /// `[index] crawl_interval_minutes` (0: crawl only at start).
    pub fn crawl_interval_minutes(mut self, minutes: u32) -> Self {
        self.index
            .get_or_insert_with(Default::default)
            .crawl_interval_minutes = Some(minutes);
        self
    }

    /// `[index] verify_interval_hours`.
    pub fn verify_interval_hours(mut self, hours: u32) -> Self {
        self.index
            .get_or_insert_with(Default::default)
            .verify_interval_hours = Some(hours);
        self
    }

    pub fn registry(mut self, registry: Registry) -> Self {
        self.registries.push(registry);
        self
    }

    pub fn environment(mut self, environment: Environment) -> Self {
        self.environments.push(environment);
        self
    }

    pub fn webhook(mut self, webhook: Webhook) -> Self {
        self.webhooks.push(webhook);
        self
    }

    /// The demo's pipeline on one registry: `dev/` → `staging/` → `prod/` (protected).
    /// `[log] format`: `text` or `json`.
    pub fn log_format(mut self, format: &str) -> Self {
        self.log = Some(LogSection {
            format: format.into(),
        });
        self
    }

    /// `/metrics` wants the bearer token held by `variable`.
    pub fn metrics_token_env(mut self, variable: &str) -> Self {
        self.metrics = Some(MetricsSection {
            token_env: variable.into(),
        });
        self
    }

    /// `[replicas] lease_seconds`: how long an unseen replica keeps its jobs.
    pub fn replica_lease_seconds(mut self, seconds: u32) -> Self {
        self.replicas = Some(ReplicasSection {
            lease_seconds: seconds,
        });
        self
    }

    pub fn oidc(mut self, oidc: Oidc) -> Self {
        self.oidc = Some(oidc);
        self
    }

    pub fn demo_pipeline(self, registry: &str) -> Self {
        self.environment(Environment::new("dev", registry).prefix("dev/"))
            .environment(Environment::new("staging", registry).prefix("staging/"))
            .environment(
                Environment::new("prod", registry)
                    .prefix("prod/")
                    .protected(),
            )
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("settings are plain tables and strings")
    }
}

impl Registry {
    pub fn new(name: &str, url: impl std::fmt::Display) -> Self {
        Self {
            name: name.to_string(),
            url: url.to_string(),
            auth: None,
            ca_file: None,
            notify_secret_env: None,
            storage: None,
            gc: None,
        }
    }

    /// A registry fixture, with its credentials and CA.
    pub fn fixture(name: &str, registry: &RegistryFixture) -> Self {
        let mut entry = Self::new(name, &registry.url);
        if let Some((username, password)) = &registry.options.basic_auth {
            entry = entry.basic_auth(username, password);
        }
        entry.ca_file = registry.ca_file.clone();
        entry
    }

    /// A registry whose URL nothing listens on (a registry that is down).
    pub fn unreachable(name: &str) -> Self {
        Self::new(
            name,
            format!("http://127.0.0.1:{}", crate::ports::free_port()),
        )
    }

    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        self.auth = Some(Auth::Basic {
            username: username.to_string(),
            password: password.to_string(),
        });
        self
    }

    /// `[registry.storage] capacity_bytes`: what the storage page forecasts against.
    pub fn capacity_bytes(mut self, bytes: i64) -> Self {
        self.storage = Some(StorageLimits {
            capacity_bytes: bytes,
        });
        self
    }

    /// `[registry.gc]`.
    pub fn gc(mut self, gc: Gc) -> Self {
        self.gc = Some(gc);
        self
    }

    pub fn notify_secret_env(mut self, variable: &str) -> Self {
        self.notify_secret_env = Some(variable.to_string());
        self
    }
}

impl Environment {
    pub fn new(name: &str, registry: &str) -> Self {
        Self {
            name: name.to_string(),
            registry: registry.to_string(),
            prefix: String::new(),
            protected: false,
            immutable_tags: false,
        }
    }

    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_string();
        self
    }

    pub fn protected(mut self) -> Self {
        self.protected = true;
        self
    }

    pub fn immutable_tags(mut self) -> Self {
        self.immutable_tags = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_come_before_the_tables_and_defaults_are_left_out() {
        let text = SettingsFile::new()
            .database("/tmp/r.db")
            .crawl_interval_minutes(0)
            .registry(Registry::new("local", "http://127.0.0.1:5000").basic_auth("ci", "pw"))
            .demo_pipeline("local")
            .to_toml();
        assert!(text.starts_with("database = \"/tmp/r.db\"\n"), "{text}");
        assert!(
            text.contains("[index]\ncrawl_interval_minutes = 0\n"),
            "{text}"
        );
        assert!(
            text.contains("[registry.auth]\nkind = \"basic\"\nusername = \"ci\""),
            "{text}"
        );
        assert_eq!(text.matches("[[environment]]").count(), 3, "{text}");
        assert_eq!(text.matches("protected = true").count(), 1, "{text}");
        assert!(!text.contains("immutable_tags"), "{text}");
    }
}
