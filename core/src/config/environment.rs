use serde::Deserialize;

/// A stage of the promotion pipeline: a namespace (repository prefix) in one registry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    pub name: String,
    /// The `name` of a `[[registry]]`.
    pub registry: String,
    /// Repository prefix such as `dev/`; empty means the whole registry.
    #[serde(default)]
    pub prefix: String,
    /// Protected environments refuse deletion and need a maintainer to promote into.
    #[serde(default)]
    pub protected: bool,
    /// A promotion may not move an existing tag of this stage to another digest.
    #[serde(default)]
    pub immutable_tags: bool,
}
