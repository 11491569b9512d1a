//! A policy's preview from the index: per covered repository, the tags no keep rule keeps, how
//! many each rule kept, and what deleting the candidates would free once garbage collection
//! runs. The index is read once (the storage graph with pull times); the rules run on a
//! blocking thread.

use super::policy::{CompiledPolicy, Context, Kept, RetentionPolicy, TagFacts};
use super::store;
use crate::promotion::rules::stage_of;
use crate::storage::{usage_by, GraphTag, RegistryGraph};
use crate::{DomainError, Services};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPreview {
    pub policy: String,
    pub registry: String,
    /// Sortable UTC.
    pub taken_at: String,
    pub repositories_covered: u64,
    /// Only the repositories with candidates, by name.
    pub repositories: Vec<RepositoryCandidates>,
    pub candidates: u64,
    pub kept: u64,
    pub kept_by: BTreeMap<Kept, u64>,
    /// Exclusive bytes of the candidates: what GC frees once they are deleted.
    pub bytes_freed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryCandidates {
    pub repository: String,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub tag: String,
    pub digest: String,
    pub size_bytes: u64,
}

impl RetentionPreview {
    /// (repository, tag) → digest of every candidate.
    pub fn candidate_digests(&self) -> HashMap<(&str, &str), &str> {
        self.repositories
            .iter()
            .flat_map(|r| {
                r.candidates
                    .iter()
                    .map(|c| ((r.repository.as_str(), c.tag.as_str()), c.digest.as_str()))
            })
            .collect()
    }
}

/// Evaluates `policy` over the index now.
pub async fn compute(
    services: &Services,
    policy: &RetentionPolicy,
) -> Result<RetentionPreview, DomainError> {
    super::check_scope(&services.settings, policy)?;
    let compiled = CompiledPolicy::new(policy.clone()).map_err(DomainError::Invalid)?;
    let db = &services.db;
    let registry = policy.registry.as_str();
    let mut graph = RegistryGraph::load(db, registry).await?;
    graph.load_pulls(db, registry).await?;
    let digests = RegistryGraph::load_digests(db, registry).await?;
    let known_since = crate::index::pulls_known_since(db, registry).await?;
    let later = match policy.keep.promoted {
        true => later_digests(services, registry).await?,
        false => Vec::new(),
    };
    let settings = services.settings.clone();
    let now = services.clock.now();
    tokio::task::spawn_blocking(move || {
        let inputs = Inputs {
            graph: &graph,
            digests: &digests,
            known_since: known_since.as_deref(),
            later: &later,
            settings: &settings,
            now,
        };
        evaluate_registry(&compiled, &inputs)
    })
    .await
    .map_err(|e| DomainError::internal(format!("evaluating a retention policy: {e}")))
}

struct Inputs<'a> {
    graph: &'a RegistryGraph,
    digests: &'a HashMap<i64, String>,
    known_since: Option<&'a str>,
    /// Per pipeline position: digests of the environments after it.
    later: &'a [HashSet<String>],
    settings: &'a crate::config::Settings,
    now: OffsetDateTime,
}

fn evaluate_registry(compiled: &CompiledPolicy, inputs: &Inputs<'_>) -> RetentionPreview {
    let policy = &compiled.policy;
    let mut by_repository: BTreeMap<&str, Vec<&GraphTag>> = BTreeMap::new();
    for tag in &inputs.graph.tags {
        by_repository.entry(&tag.repository).or_default().push(tag);
    }
    let nothing = HashSet::new();
    let mut preview = RetentionPreview {
        policy: policy.name.clone(),
        registry: policy.registry.clone(),
        taken_at: crate::clock::sortable_utc(inputs.now),
        repositories_covered: 0,
        repositories: Vec::new(),
        candidates: 0,
        kept: 0,
        kept_by: BTreeMap::new(),
        bytes_freed: 0,
    };
    let mut doomed: HashSet<usize> = HashSet::new();
    for (repository, tags) in by_repository {
        let stage = stage_of(inputs.settings, &policy.registry, repository);
        let in_environment = match &policy.environment {
            Some(wanted) => stage.is_some_and(|s| &s.environment.name == wanted),
            None => true,
        };
        if !in_environment || !compiled.covers(repository) {
            continue;
        }
        preview.repositories_covered += 1;
        let facts: Vec<TagFacts<'_>> = tags
            .iter()
            .map(|t| TagFacts {
                tag: &t.tag,
                digest: inputs.digests.get(&t.manifest).map_or("", String::as_str),
                recency: recency(t),
                pushed_at: &t.pushed_at,
                last_pull: inputs.graph.last_pull(t),
            })
            .collect();
        let context = Context {
            now: inputs.now,
            pulls_known_since: inputs.known_since,
            guarded: stage.is_some_and(|s| s.environment.protected || s.environment.immutable_tags),
            later_digests: stage
                .and_then(|s| inputs.later.get(s.position))
                .unwrap_or(&nothing),
        };
        let mut candidates = Vec::new();
        for ((tag, fact), verdict) in tags
            .iter()
            .zip(&facts)
            .zip(compiled.evaluate(&facts, &context))
        {
            match verdict {
                Some(kept) => {
                    preview.kept += 1;
                    *preview.kept_by.entry(kept).or_default() += 1;
                }
                None => {
                    doomed.insert(*tag as *const GraphTag as usize);
                    candidates.push(Candidate {
                        tag: tag.tag.clone(),
                        digest: fact.digest.to_string(),
                        size_bytes: inputs
                            .graph
                            .manifests
                            .get(&tag.manifest)
                            .map_or(0, |m| m.total_size),
                    });
                }
            }
        }
        if !candidates.is_empty() {
            preview.candidates += candidates.len() as u64;
            preview.repositories.push(RepositoryCandidates {
                repository: repository.to_string(),
                candidates,
            });
        }
    }
    // Tags are told apart by address: the graph is borrowed, unmoved, throughout.
    preview.bytes_freed = usage_by(inputs.graph, |t| {
        doomed
            .contains(&(t as *const GraphTag as usize))
            .then_some(())
    })
    .remove(&())
    .map_or(0, |usage| usage.exclusive_bytes);
    preview
}

/// The image's build date when it has a plausible one (reproducible builds say 1970), else
/// when the tag was pushed: what "most recent" orders by.
fn recency(tag: &GraphTag) -> &str {
    match tag.created.as_deref() {
        Some(created) if created >= "2000" => created,
        _ => &tag.pushed_at,
    }
}

/// For each position of the pipeline, the digests tagged in the environments after it —
/// read only from the first environment of `registry` on (an environment before it cannot be
/// "later" for any of its repositories).
async fn later_digests(
    services: &Services,
    registry: &str,
) -> Result<Vec<HashSet<String>>, DomainError> {
    let environments = &services.settings.environments;
    let Some(first) = environments.iter().position(|e| e.registry == registry) else {
        return Ok(Vec::new());
    };
    let mut at: Vec<HashSet<String>> = vec![HashSet::new(); environments.len()];
    for (position, environment) in environments.iter().enumerate().skip(first + 1) {
        at[position] =
            store::digests_in(&services.db, &environment.registry, &environment.prefix).await?;
    }
    let mut later = vec![HashSet::new(); environments.len()];
    for position in (0..environments.len().saturating_sub(1)).rev() {
        let mut after = later[position + 1].clone();
        after.extend(at[position + 1].iter().cloned());
        later[position] = after;
    }
    Ok(later)
}
