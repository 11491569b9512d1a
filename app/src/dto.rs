//! What crosses the wire between server functions and the browser. No secrets, ever.

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
    pub environments: Vec<EnvironmentSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthLevel {
    Ok,
    Warning,
    Down,
}

/// The answer to "can Regatta reach this registry right now?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryHealthReport {
    pub level: HealthLevel,
    /// One sentence: what we saw, and what to do if it is not fine.
    pub summary: String,
    pub latency_ms: u64,
}
