//! What a collection will free, from the index, before it runs: the blobs no manifest
//! references any more (released by deletions, see `released_blobs`), and, with the untagged
//! cleanup, what the untagged manifests it deletes hold alone. Also the trash entries that can
//! no longer be restored afterwards.

use super::store;
use crate::storage::RegistryGraph;
use crate::{DomainError, Services};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Default, Serialize)]
pub struct GcPrediction {
    pub registry: String,
    pub untagged_cleanup: bool,
    /// Every blob (layers, configs, manifest documents) the run should delete, and their bytes.
    pub blobs: u64,
    pub bytes: u64,
    /// Of those: released by deletions already made.
    pub released_blobs: u64,
    pub released_bytes: u64,
    /// The untagged manifests the cleanup deletes first (older than the grace period, not a
    /// platform of a tagged index), and the bytes only they hold.
    pub untagged: Vec<UntaggedCandidate>,
    pub untagged_bytes: u64,
    /// Bytes and blobs per repository, most first (`None`: found unreferenced by a crawl).
    pub repositories: Vec<RepositoryFreed>,
    /// Trash entries whose blobs the run deletes: they cannot be restored afterwards.
    pub trash_lost: Vec<TrashLoss>,
    /// Digest → size of every blob predicted, to compare with what the registry reports.
    #[serde(skip)]
    pub sizes: HashMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UntaggedCandidate {
    pub repository: String,
    pub digest: String,
    /// When Regatta saw it become untagged.
    pub since: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RepositoryFreed {
    pub repository: Option<String>,
    pub blobs: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrashLoss {
    pub trash_id: i64,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub blobs_lost: u64,
}

/// The prediction for `registry`; with `untagged`, after Regatta's untagged cleanup.
pub async fn predict(
    services: &Services,
    registry: &str,
    untagged: bool,
) -> Result<GcPrediction, DomainError> {
    let mut prediction = GcPrediction {
        registry: registry.to_string(),
        untagged_cleanup: untagged,
        ..GcPrediction::default()
    };
    let mut per_repository: BTreeMap<Option<String>, RepositoryFreed> = BTreeMap::new();
    for (digest, size, repository) in store::released_blobs(&services.db, registry).await? {
        let size = size.max(0) as u64;
        prediction.released_blobs += 1;
        prediction.released_bytes += size;
        let freed = per_repository.entry(repository).or_default();
        freed.blobs += 1;
        freed.bytes += size;
        prediction.sizes.insert(digest, size);
    }
    if untagged {
        let grace = grace_hours(services, registry);
        let cutoff = services.clock.now() - time::Duration::hours(grace as i64);
        let graph = RegistryGraph::load(&services.db, registry).await?;
        let freed = untagged_freed(&graph, cutoff);
        // The candidates' own digests too: one may stay (another repository holds it).
        let mut manifests = freed.manifests.clone();
        manifests.extend(freed.candidates.iter().map(|(_, manifest, _)| *manifest));
        let digests = store::digests_of(&services.db, &manifests, &freed.blobs).await?;
        for (repository, ids) in &freed.by_repository {
            let entry = per_repository.entry(Some(repository.clone())).or_default();
            for (id, size) in ids {
                if let Some(digest) = digests.get(id) {
                    prediction.sizes.insert(digest.clone(), *size);
                    prediction.untagged_bytes += size;
                    entry.blobs += 1;
                    entry.bytes += size;
                }
            }
        }
        prediction.untagged = freed
            .candidates
            .iter()
            .filter_map(|(repository, manifest, since)| {
                Some(UntaggedCandidate {
                    repository: repository.clone(),
                    digest: digests.get(&Id::Manifest(*manifest))?.clone(),
                    since: since.clone(),
                })
            })
            .collect();
    }
    prediction.blobs = prediction.sizes.len() as u64;
    prediction.bytes = prediction.sizes.values().sum();
    prediction.repositories = per_repository
        .into_iter()
        .map(|(repository, freed)| RepositoryFreed {
            repository,
            ..freed
        })
        .collect();
    prediction
        .repositories
        .sort_by_key(|r| std::cmp::Reverse(r.bytes));
    prediction.trash_lost = crate::deletion::restorable(services, registry)
        .await?
        .into_iter()
        .filter_map(|entry| {
            let lost = entry
                .blobs
                .iter()
                .filter(|d| prediction.sizes.contains_key(*d))
                .count() as u64;
            (lost > 0).then_some(TrashLoss {
                trash_id: entry.id,
                repository: entry.repository,
                tag: entry.tag,
                digest: entry.digest,
                blobs_lost: lost,
            })
        })
        .collect();
    Ok(prediction)
}

fn grace_hours(services: &Services, registry: &str) -> u64 {
    services
        .settings
        .registry(registry)
        .and_then(|r| r.gc.as_ref())
        .map_or(24, |gc| gc.untagged_grace_hours)
}

/// What deleting the untagged manifests that became untagged before `cutoff` frees.
struct UntaggedFreed {
    /// (repository, manifest id, since) of the manifests to delete.
    candidates: Vec<(String, i64, String)>,
    manifests: Vec<i64>,
    blobs: Vec<i64>,
    /// Per repository: (manifest or blob id, size) it frees (manifest and blob ids differ in
    /// kind, never compared with each other).
    by_repository: BTreeMap<String, Vec<(Id, u64)>>,
}

/// A manifest or a blob row of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Id {
    Manifest(i64),
    Blob(i64),
}

fn untagged_freed(graph: &RegistryGraph, cutoff: time::OffsetDateTime) -> UntaggedFreed {
    let format = time::format_description::well_known::Rfc3339;
    // Platforms of a tagged index stay whatever the index says (distribution #3178).
    let held_by_tagged_index: HashSet<(&str, i64)> = graph
        .tags
        .iter()
        .flat_map(|t| {
            let children = graph
                .manifests
                .get(&t.manifest)
                .map(|m| m.children.as_slice())
                .unwrap_or_default();
            children.iter().map(move |c| (t.repository.as_str(), *c))
        })
        .collect();
    let (candidates, staying): (Vec<_>, Vec<_>) = graph.untagged.iter().partition(|u| {
        let old_enough =
            time::OffsetDateTime::parse(&u.pushed_at, &format).is_ok_and(|since| since <= cutoff);
        old_enough && !held_by_tagged_index.contains(&(u.repository.as_str(), u.manifest))
    });
    let mut kept_manifests = HashSet::new();
    let mut kept_blobs = HashSet::new();
    for holder in graph.tags.iter().chain(staying) {
        for id in graph.reachable(holder.manifest) {
            if kept_manifests.insert(id) {
                if let Some(m) = graph.manifests.get(&id) {
                    kept_blobs.extend(m.blobs.iter().copied());
                }
            }
        }
    }
    let mut freed = UntaggedFreed {
        candidates: Vec::new(),
        manifests: Vec::new(),
        blobs: Vec::new(),
        by_repository: BTreeMap::new(),
    };
    for candidate in candidates {
        freed.candidates.push((
            candidate.repository.clone(),
            candidate.manifest,
            candidate.pushed_at.clone(),
        ));
        let claimed = freed
            .by_repository
            .entry(candidate.repository.clone())
            .or_default();
        for id in graph.reachable(candidate.manifest) {
            let Some(manifest) = graph.manifests.get(&id) else {
                continue;
            };
            if kept_manifests.insert(id) {
                freed.manifests.push(id);
                claimed.push((Id::Manifest(id), manifest.size));
            }
            for blob in &manifest.blobs {
                if kept_blobs.insert(*blob) {
                    freed.blobs.push(*blob);
                    let size = graph.blob_sizes.get(blob).copied().unwrap_or(0);
                    claimed.push((Id::Blob(*blob), size));
                }
            }
        }
    }
    freed
}
