use super::When;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySummary {
    pub name: String,
    pub url: String,
    /// How Regatta authenticates: "anonymous", "basic (ci)", "docker config".
    pub auth: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentSummary {
    pub name: String,
    pub registry: String,
    pub prefix: String,
    pub protected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub user: CurrentUser,
    pub registries: Vec<RegistrySummary>,
    pub indexes: Vec<RegistryIndexSummary>,
    /// Each registry's stored bytes over the last 7 days (in `registries`' order; empty before
    /// the first snapshot).
    pub storage_trends: Vec<Vec<u64>>,
    /// Storage thresholds crossed now.
    pub storage_alerts: Vec<super::AlertItem>,
    /// Registries read-only for garbage collection now, and since when.
    pub maintenance: Vec<(String, When)>,
    pub environments: Vec<EnvironmentSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthLevel {
    Ok,
    Warning,
    Down,
}

impl HealthLevel {
    /// The CSS class of a health line.
    pub fn class(self) -> &'static str {
        match self {
            Self::Ok => "health ok",
            Self::Warning => "health warning",
            Self::Down => "health down",
        }
    }
}

/// The answer to "can Regatta reach this registry right now?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryHealthReport {
    pub level: HealthLevel,
    /// One sentence: what we saw, and what to do if it is not fine.
    pub summary: String,
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlSummary {
    pub finished: When,
    pub took_ms: u64,
}

/// What the index knows of one registry, and how its crawl is going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryIndexSummary {
    pub name: String,
    pub url: String,
    pub repositories: i64,
    pub tags: i64,
    /// `None` before the first crawl finished.
    pub last_crawl: Option<CrawlSummary>,
    /// The last crawl's failure, worded for the user.
    pub crawl_error: Option<String>,
    pub crawling: bool,
    /// From GET /v2/ at the last crawl; `None` before the first.
    pub health_level: Option<HealthLevel>,
    pub health_summary: Option<String>,
    pub repositories_done: usize,
    pub repositories_total: usize,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::browse::RegistryOverview;
    use regatta_core::config::{RegistryAuth, Settings};
    use regatta_core::registry::{self, RegistryHealth};
    use regatta_core::users::User;

    impl From<registry::HealthLevel> for HealthLevel {
        fn from(level: registry::HealthLevel) -> Self {
            match level {
                registry::HealthLevel::Ok => Self::Ok,
                registry::HealthLevel::Warning => Self::Warning,
                registry::HealthLevel::Down => Self::Down,
            }
        }
    }

    impl From<RegistryHealth> for RegistryHealthReport {
        fn from(health: RegistryHealth) -> Self {
            Self {
                level: health.level().into(),
                summary: health.summary(),
                latency_ms: health.latency_ms,
            }
        }
    }

    impl From<&User> for CurrentUser {
        fn from(user: &User) -> Self {
            Self {
                username: user.username.clone(),
                role: user.role.to_string(),
            }
        }
    }

    impl From<&RegistryOverview> for RegistryIndexSummary {
        fn from(overview: &RegistryOverview) -> Self {
            let index = overview.index.as_ref();
            Self {
                name: overview.name.clone(),
                url: overview.url.clone(),
                repositories: index.map_or(0, |i| i.repositories),
                tags: index.map_or(0, |i| i.tags),
                last_crawl: index.and_then(|i| {
                    Some(CrawlSummary {
                        finished: i.crawl_finished_at?.into(),
                        took_ms: i.crawl_duration_ms.unwrap_or_default().max(0) as u64,
                    })
                }),
                crawl_error: index.and_then(|i| i.crawl_error.clone()),
                crawling: overview.progress.running,
                health_level: index.and_then(|i| i.health()).map(Into::into),
                health_summary: index.and_then(|i| i.health_summary.clone()),
                repositories_done: overview.progress.repositories_done,
                repositories_total: overview.progress.repositories_total,
            }
        }
    }

    impl Dashboard {
        pub fn new(
            user: &User,
            settings: &Settings,
            overviews: &[RegistryOverview],
            mut trends: std::collections::HashMap<String, Vec<i64>>,
            alerts: Vec<regatta_core::storage::StorageAlert>,
        ) -> Self {
            // Only what the user may read: registries, their environments, trends, alerts.
            let readable = |name: &str| regatta_core::auth::may_read(user, name);
            let registries = || settings.registries.iter().filter(|r| readable(&r.name));
            Self {
                storage_alerts: alerts
                    .into_iter()
                    .filter(|a| readable(&a.registry))
                    .map(Into::into)
                    .collect(),
                maintenance: Vec::new(),
                storage_trends: registries()
                    .map(|r| trends.remove(&r.name).unwrap_or_default())
                    .map(|bytes| bytes.into_iter().map(|b| b.max(0) as u64).collect())
                    .collect(),
                indexes: overviews.iter().map(Into::into).collect(),
                user: user.into(),
                registries: registries()
                    .map(|r| RegistrySummary {
                        name: r.name.clone(),
                        url: r.url.to_string(),
                        auth: match &r.auth {
                            RegistryAuth::None => "anonymous".into(),
                            RegistryAuth::Basic { username, .. } => format!("basic ({username})"),
                            RegistryAuth::DockerConfig { .. } => "docker config".into(),
                        },
                    })
                    .collect(),
                environments: settings
                    .environments
                    .iter()
                    .filter(|e| readable(&e.registry))
                    .map(|e| EnvironmentSummary {
                        name: e.name.clone(),
                        registry: e.registry.clone(),
                        prefix: e.prefix.clone(),
                        protected: e.protected,
                    })
                    .collect(),
            }
        }
    }
}
