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
    pub indexes: Vec<RegistryIndexSummary>,
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

/// What the index knows of one registry, and how its crawl is going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryIndexSummary {
    pub name: String,
    pub url: String,
    pub repositories: i64,
    pub tags: i64,
    /// e.g. "2026-11-30 00:15 UTC, took 0.4 s"; `None` before the first crawl finished.
    pub last_crawl: Option<String>,
    /// The last crawl's failure, worded for the user.
    pub crawl_error: Option<String>,
    pub crawling: bool,
    /// "ok", "warning" or "down", from GET /v2/ at the last crawl; `None` before the first.
    pub health_level: Option<String>,
    pub health_summary: Option<String>,
    pub repositories_done: usize,
    pub repositories_total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryItem {
    pub name: String,
    pub tags: i64,
    pub last_updated: Option<String>,
}

/// Repositories sharing a first path segment (`dev/`, `prod/`, or "(top level)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceGroup {
    pub namespace: String,
    pub repositories: Vec<RepositoryItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryListing {
    pub registry: RegistryIndexSummary,
    pub namespaces: Vec<NamespaceGroup>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagItem {
    pub tag: String,
    pub digest: String,
    pub size: String,
    pub size_bytes: i64,
    pub platforms: String,
    pub created: Option<String>,
    pub same_digest_as: Vec<String>,
    pub is_index: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagListing {
    pub registry: String,
    pub repository: String,
    /// `host[:port]/repository`, for pull commands.
    pub image: String,
    pub tags: Vec<TagItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformItem {
    pub platform: String,
    pub digest: String,
    pub size: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerItem {
    pub digest: String,
    pub size: String,
    pub media_type: String,
    pub created_by: Option<String>,
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageBody {
    Index { platforms: Vec<PlatformItem> },
    Image(Box<ImageConfigView>),
}

/// A single-platform image: its config and layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfigView {
    pub created: Option<String>,
    pub platform: String,
    pub size: String,
    pub env: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub entrypoint: String,
    pub cmd: String,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub layers: Vec<LayerItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub registry: String,
    pub repository: String,
    pub reference: String,
    pub digest: String,
    pub media_type: String,
    pub body: ImageBody,
    pub annotations: Vec<(String, String)>,
    pub referrers: Vec<(String, String)>,
}

/// One page of search results, with what the query was understood as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub query: String,
    pub registry: Option<String>,
    /// One phrase per part of the query, for the chips above the results.
    pub understood: Vec<String>,
    /// "No match for `ngnix`; showing nginx", one per corrected word.
    pub corrections: Vec<String>,
    pub hits: Vec<SearchHitItem>,
    /// Matching tags; `capped` when counting stopped at the cap.
    pub total: i64,
    pub capped: bool,
    pub page: i64,
    pub pages: i64,
    /// For the filter chips: registries the user may search and configured environments.
    pub registries: Vec<String>,
    pub environments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHitItem {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub platforms: String,
    pub size: String,
    pub pushed: String,
    /// The tag page.
    pub href: String,
}

/// One environment of the pipeline as seen from a tag: is this digest there already?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineStage {
    pub environment: String,
    pub registry: String,
    pub repository: String,
    pub protected: bool,
    pub is_source: bool,
    /// Tags there on the same digest.
    pub tags: Vec<String>,
}

/// What a promotion will do, shown before confirming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionPreview {
    pub source: String,
    pub target: String,
    pub digest: String,
    pub manifests: usize,
    pub blobs_total: usize,
    pub blobs_present: usize,
    pub same_registry: bool,
    /// "0 B (mounted)" within a registry.
    pub bytes_to_move: String,
    /// The target tag points at another digest now: this one.
    pub overwrites: Option<String>,
    /// The target tag already points at this digest.
    pub already_there: bool,
    /// Tags of signatures, attestations, SBOMs copied along.
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionDone {
    pub target: String,
    /// The promoted tag's page.
    pub href: String,
    pub summary: String,
}

/// One row of the promotion history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub when: String,
    pub actor: String,
    pub source: String,
    pub target: String,
    pub target_href: String,
    pub environments: String,
    pub digest: String,
    pub status: String,
    pub error: Option<String>,
    pub duration: String,
    pub moved: String,
    /// Outgoing webhook deliveries and their state, if any are configured.
    pub webhooks: Option<String>,
}

/// A promotion still copying: how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningPromotion {
    pub target: String,
    /// "120.0 MB of 1.1 GB · 0 of 1 blobs"
    pub done: String,
    pub percent: u8,
}
