//! Building DTOs from domain values (server only). Secrets are dropped here by construction:
//! DTOs have no field that could hold one.

use crate::dto::*;
use regatta_core::config::{RegistryAuth, Settings};
use regatta_core::registry::{ApiCheck, RegistryHealth};
use regatta_core::users::User;

pub fn dashboard_from(user: &User, settings: &Settings) -> Dashboard {
    Dashboard {
        user: CurrentUser {
            username: user.username.clone(),
            role: user.role.to_string(),
        },
        registries: settings
            .registries
            .iter()
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
            .map(|e| EnvironmentSummary {
                name: e.name.clone(),
                registry: e.registry.clone(),
                prefix: e.prefix.clone(),
                protected: e.protected,
            })
            .collect(),
    }
}

impl From<RegistryHealth> for RegistryHealthReport {
    fn from(health: RegistryHealth) -> Self {
        let level = match &health.check {
            ApiCheck::Ok => HealthLevel::Ok,
            ApiCheck::AuthRequired { .. } | ApiCheck::Unexpected { .. } => HealthLevel::Warning,
            ApiCheck::Unreachable { .. } => HealthLevel::Down,
        };
        RegistryHealthReport {
            level,
            summary: health.summary(),
            latency_ms: health.latency_ms,
        }
    }
}
