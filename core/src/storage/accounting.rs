//! Logical, stored, exclusive and shared bytes of groups of tags.
//!
//! - *logical*: the sum over tags of the image size (what `docker images` would add up);
//! - *stored*: each distinct blob and manifest document once (what the registry holds for them);
//! - *exclusive*: of those, what nothing outside the group uses: what deleting the group would
//!   free once garbage collection runs; *shared* is the rest.
//!
//! Exclusive bytes of a group are not the sum of its members' (a layer shared by two
//! repositories of one namespace is exclusive to the namespace, to neither repository), so every
//! grouping is counted from the graph in one pass: which groups hold each blob.

use super::graph::{GraphTag, RegistryGraph};
use crate::auth::readable_registries;
use crate::config::Settings;
use crate::users::User;
use crate::{DomainError, Services};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub logical_bytes: u64,
    pub stored_bytes: u64,
    pub exclusive_bytes: u64,
    pub shared_bytes: u64,
    pub repositories: u64,
    pub tags: u64,
    /// Distinct manifests, platform manifests of indexes included.
    pub manifests: u64,
    /// Distinct blobs (configs and layers).
    pub blobs: u64,
    /// Untagged manifests held (see `index`: a moved tag's old image, a tag deleted alone);
    /// their blobs are in the stored, exclusive and shared bytes, not in the logical ones.
    #[serde(default)]
    pub untagged_manifests: u64,
}

/// What the groups of an accounting are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Registry,
    Environment,
    Namespace,
    Repository,
}

impl Grouping {
    /// As the CLI, the API and the snapshots table spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Registry => "registry",
            Grouping::Environment => "environment",
            Grouping::Namespace => "namespace",
            Grouping::Repository => "repository",
        }
    }

    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "registry" => Ok(Grouping::Registry),
            "environment" => Ok(Grouping::Environment),
            "namespace" => Ok(Grouping::Namespace),
            "repository" => Ok(Grouping::Repository),
            other => Err(DomainError::Invalid(format!(
                "Unknown grouping `{other}`: use registry, environment, namespace or repository."
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeUsage {
    /// The environment, namespace (`dev`, `team/dev`, `(top level)`) or repository.
    pub scope: String,
    #[serde(flatten)]
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryAccount {
    pub registry: String,
    #[serde(flatten)]
    pub total: Usage,
    /// Largest stored first.
    pub scopes: Vec<ScopeUsage>,
}

/// Repositories outside every environment, in an accounting by environment.
const NO_ENVIRONMENT: &str = "(no environment)";
/// Repositories without a `/`, in an accounting by namespace.
const TOP_LEVEL: &str = "(top level)";

/// The accounting of every registry the user may read (or of `registry`), grouped `by`.
pub async fn storage_accounting(
    services: &Services,
    user: &User,
    registry: Option<&str>,
    by: Grouping,
) -> Result<Vec<RegistryAccount>, DomainError> {
    let readable = readable_registries(user, &services.settings);
    let names: Vec<&str> = match registry {
        Some(name) if readable.contains(&name) => vec![name],
        Some(name) => return Err(DomainError::NotFound(format!("Registry `{name}`"))),
        None => readable,
    };
    // Registries load and count side by side (the counting on blocking threads: a 100,000-tag
    // registry takes a few hundred ms of CPU).
    futures_util::future::try_join_all(names.into_iter().map(|name| account(services, name, by)))
        .await
}

async fn account(
    services: &Services,
    name: &str,
    by: Grouping,
) -> Result<RegistryAccount, DomainError> {
    let graph = RegistryGraph::load(&services.db, name).await?;
    let (settings, name) = (services.settings.clone(), name.to_string());
    counting(move || {
        let total = total_usage(&graph);
        let scopes = match by {
            // One scope: the registry itself.
            Grouping::Registry => vec![ScopeUsage {
                scope: name.clone(),
                usage: total.clone(),
            }],
            _ => scope_usages(&graph, &settings, &name, by),
        };
        RegistryAccount {
            registry: name,
            total,
            scopes,
        }
    })
    .await
}

/// Counting a big registry takes a few hundred ms of CPU: off the async threads.
pub(super) async fn counting<T: Send + 'static>(
    count: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(count)
        .await
        .map_err(|e| DomainError::Internal(anyhow::anyhow!("counting storage: {e}")))
}

/// Every tag of the graph as one group.
pub(super) fn total_usage(graph: &RegistryGraph) -> Usage {
    usage_by(graph, |_| Some(()))
        .remove(&())
        .unwrap_or_default()
}

/// The scopes of registry `name` under grouping `by`, largest stored first.
pub(super) fn scope_usages(
    graph: &RegistryGraph,
    settings: &Settings,
    name: &str,
    by: Grouping,
) -> Vec<ScopeUsage> {
    let scope_of = |tag: &GraphTag| -> String {
        match by {
            Grouping::Registry => name.to_string(),
            Grouping::Environment => settings
                .environment_of(name, &tag.repository)
                .map_or(NO_ENVIRONMENT, |e| e.name.as_str())
                .to_string(),
            Grouping::Namespace => tag
                .repository
                .rsplit_once('/')
                .map_or(TOP_LEVEL, |(namespace, _)| namespace)
                .to_string(),
            Grouping::Repository => tag.repository.clone(),
        }
    };
    let mut scopes: Vec<ScopeUsage> = usage_by(graph, |tag| Some(scope_of(tag)))
        .into_iter()
        .map(|(scope, usage)| ScopeUsage { scope, usage })
        .collect();
    scopes.sort_by_key(|s| std::cmp::Reverse(s.usage.stored_bytes));
    scopes
}

/// What deleting `tags` (repository, tag) of `registry` would free once garbage collection
/// runs: the `exclusive_bytes` of the returned usage (the other figures describe the tags).
pub async fn bytes_freed_by(
    services: &Services,
    registry: &str,
    tags: &[(String, String)],
) -> Result<Usage, DomainError> {
    let graph = RegistryGraph::load(&services.db, registry).await?;
    let doomed: HashSet<(&str, &str)> = tags
        .iter()
        .map(|(repository, tag)| (repository.as_str(), tag.as_str()))
        .collect();
    let freed = usage_by(&graph, |t| {
        doomed
            .contains(&(t.repository.as_str(), t.tag.as_str()))
            .then_some(())
    });
    Ok(freed.into_values().next().unwrap_or_default())
}

/// The usage of each group of tags; `key` names a tag's group, `None` for tags outside every
/// group (which still hold their blobs: nothing they use is exclusive to a group).
pub fn usage_by<K: Ord + Hash + Clone>(
    graph: &RegistryGraph,
    key: impl Fn(&GraphTag) -> Option<K>,
) -> BTreeMap<K, Usage> {
    #[derive(Default)]
    struct Holdings<'a> {
        usage: Usage,
        repositories: HashSet<&'a str>,
        manifests: HashSet<i64>,
        blobs: HashSet<i64>,
    }
    let mut groups: HashMap<K, Holdings> = HashMap::new();
    let mut outside = Holdings::default();
    for tag in graph.tags.iter().chain(&graph.untagged) {
        let holdings = match key(tag) {
            Some(key) => groups.entry(key).or_default(),
            None => &mut outside,
        };
        holdings.repositories.insert(&tag.repository);
        match tag.untagged {
            true => holdings.usage.untagged_manifests += 1,
            false => {
                holdings.usage.tags += 1;
                if let Some(manifest) = graph.manifests.get(&tag.manifest) {
                    holdings.usage.logical_bytes += manifest.total_size;
                }
            }
        }
        for id in graph.reachable(tag.manifest) {
            if holdings.manifests.insert(id) {
                if let Some(manifest) = graph.manifests.get(&id) {
                    holdings.blobs.extend(manifest.blobs.iter().copied());
                }
            }
        }
    }
    // How many groups (the outside counting as one) hold each manifest and blob.
    let mut manifest_holders: HashMap<i64, u32> = HashMap::new();
    let mut blob_holders: HashMap<i64, u32> = HashMap::new();
    for holdings in groups.values().chain(std::iter::once(&outside)) {
        for id in &holdings.manifests {
            *manifest_holders.entry(*id).or_default() += 1;
        }
        for id in &holdings.blobs {
            *blob_holders.entry(*id).or_default() += 1;
        }
    }
    groups
        .into_iter()
        .map(|(key, mut holdings)| {
            let usage = &mut holdings.usage;
            usage.repositories = holdings.repositories.len() as u64;
            usage.manifests = holdings.manifests.len() as u64;
            usage.blobs = holdings.blobs.len() as u64;
            let manifest_size = |id: &i64| graph.manifests.get(id).map_or(0, |m| m.size);
            let blob_size = |id: &i64| graph.blob_sizes.get(id).copied().unwrap_or(0);
            for id in &holdings.manifests {
                usage.stored_bytes += manifest_size(id);
                if manifest_holders[id] == 1 {
                    usage.exclusive_bytes += manifest_size(id);
                }
            }
            for id in &holdings.blobs {
                usage.stored_bytes += blob_size(id);
                if blob_holders[id] == 1 {
                    usage.exclusive_bytes += blob_size(id);
                }
            }
            usage.shared_bytes = usage.stored_bytes - usage.exclusive_bytes;
            (key, holdings.usage)
        })
        .collect()
}
