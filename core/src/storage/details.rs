//! What a snapshot finds beyond the series, per registry: the *unused* share (tags neither
//! pulled nor pushed for `storage.unused_after_days`, and what deleting them would free) and
//! the biggest layers. Kept as one JSON document per registry, replaced by every snapshot: the
//! storage page reads it instead of walking the index (about a second for 200,000 tags).

use super::accounting::usage_by;
use super::graph::{GraphTag, RegistryGraph};
use crate::clock::sortable_utc;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use time::{Duration, OffsetDateTime};

/// Rows kept in each list.
pub const LISTED: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageDetails {
    pub taken_at: String,
    /// `None`: the registry never sent a pull notification, so nobody knows what is unused.
    pub unused: Option<UnusedShare>,
    /// Largest first.
    pub biggest_layers: Vec<LayerUse>,
    #[serde(default)]
    pub untagged: UntaggedShare,
}

/// The untagged manifests the registry holds (as far as Regatta saw them become untagged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntaggedShare {
    pub manifests: u64,
    /// What deleting them all would free once garbage collection runs.
    pub exclusive_bytes: u64,
    /// The largest, biggest image first.
    pub largest: Vec<UntaggedManifest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntaggedManifest {
    pub repository: String,
    pub digest: String,
    /// Sortable UTC: when Regatta saw it become untagged.
    pub since: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedShare {
    pub after_days: u32,
    /// Neither pulled nor pushed since this instant (sortable UTC): `after_days` ago, or when
    /// pull times became known if that is later (then `complete` is false).
    pub since: String,
    pub complete: bool,
    pub tags: u64,
    pub logical_bytes: u64,
    /// What deleting every unused tag would free once garbage collection runs.
    pub exclusive_bytes: u64,
    /// The largest unused tags, biggest image first.
    pub largest: Vec<UnusedTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedTag {
    pub repository: String,
    pub tag: String,
    pub size_bytes: u64,
    /// Sortable UTC; `None`: not pulled since pull times are known.
    pub last_pulled: Option<String>,
    /// RFC 3339.
    pub pushed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerUse {
    pub digest: String,
    pub size_bytes: u64,
    /// Distinct images (platform images of an index count one each) that contain it.
    pub images: u64,
    pub repositories: u64,
}

/// The unused share of `graph` (its pulls loaded), or `None` when pull times are unknown.
pub fn unused_share(
    graph: &RegistryGraph,
    after_days: u32,
    pulls_known_since: Option<&str>,
    now: OffsetDateTime,
) -> Option<UnusedShare> {
    let known_since = pulls_known_since?;
    let window_start = sortable_utc(now - Duration::days(after_days.into()));
    let (since, complete) = match known_since > window_start.as_str() {
        true => (known_since.to_string(), false),
        false => (window_start, true),
    };
    let is_unused = |tag: &GraphTag| {
        graph
            .last_pull(tag)
            .is_none_or(|pulled| pulled < since.as_str())
            && !at_or_after(&tag.pushed_at, &since)
    };
    let unused: Vec<&GraphTag> = graph.tags.iter().filter(|t| is_unused(t)).collect();
    // The tags are told apart by address: the graph is borrowed, unmoved, throughout (hashing
    // two strings per tag cost a tenth of a snapshot).
    let doomed: HashSet<usize> = unused.iter().map(|t| address(t)).collect();
    let usage = usage_by(graph, |t| doomed.contains(&address(t)).then_some(()))
        .remove(&())
        .unwrap_or_default();
    let size = |tag: &GraphTag| {
        graph
            .manifests
            .get(&tag.manifest)
            .map_or(0, |m| m.total_size)
    };
    let largest = top(
        unused.iter().map(|t| (size(t), *t)).collect(),
        |(a_size, a), (b_size, b)| {
            b_size
                .cmp(a_size)
                .then_with(|| (&a.repository, &a.tag).cmp(&(&b.repository, &b.tag)))
        },
    );
    Some(UnusedShare {
        after_days,
        since,
        complete,
        tags: usage.tags,
        logical_bytes: usage.logical_bytes,
        exclusive_bytes: usage.exclusive_bytes,
        largest: largest
            .into_iter()
            .map(|(_, t)| UnusedTag {
                repository: t.repository.clone(),
                tag: t.tag.clone(),
                size_bytes: size(t),
                last_pulled: graph.last_pull(t).map(str::to_string),
                pushed_at: t.pushed_at.clone(),
            })
            .collect(),
    })
}

fn address(tag: &GraphTag) -> usize {
    tag as *const GraphTag as usize
}

/// The first [`LISTED`] of `items` in `order`, sorted (a full sort of 100,000 would be wasted).
fn top<T>(mut items: Vec<T>, order: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    if items.len() > LISTED {
        items.select_nth_unstable_by(LISTED - 1, &order);
        items.truncate(LISTED);
    }
    items.sort_by(order);
    items
}

/// The untagged share of `graph`, with each listed manifest's id (its digest is filled in by
/// the caller).
pub fn untagged_share(graph: &RegistryGraph) -> (UntaggedShare, Vec<i64>) {
    // Counting walks every tag (to know what else holds each blob): not for nothing.
    if graph.untagged.is_empty() {
        return (UntaggedShare::default(), Vec::new());
    }
    let usage = usage_by(graph, |t| t.untagged.then_some(()))
        .remove(&())
        .unwrap_or_default();
    let size = |t: &GraphTag| graph.manifests.get(&t.manifest).map_or(0, |m| m.total_size);
    let largest = top(graph.untagged.iter().collect(), |a, b| {
        size(b)
            .cmp(&size(a))
            .then_with(|| a.manifest.cmp(&b.manifest))
    });
    let ids = largest.iter().map(|t| t.manifest).collect();
    let share = UntaggedShare {
        manifests: usage.untagged_manifests,
        exclusive_bytes: usage.exclusive_bytes,
        largest: largest
            .into_iter()
            .map(|t| UntaggedManifest {
                repository: t.repository.clone(),
                digest: String::new(),
                since: t.pushed_at.clone(),
                size_bytes: size(t),
            })
            .collect(),
    };
    (share, ids)
}

/// The digests of manifest rows `ids`.
pub(super) async fn manifest_digests(
    db: impl crate::db::Executor<'_>,
    ids: &[i64],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    let ids = serde_json::to_string(ids).expect("ids serialize");
    let rows: Vec<(i64, String)> = crate::db::query_as(
        "SELECT id, digest FROM manifests WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Whether an RFC 3339 instant as sqlx writes it (UTC: `…Z`, perhaps with a fraction) is at
/// or after a sortable UTC one; seconds are the precision.
fn at_or_after(rfc3339: &str, sortable: &str) -> bool {
    const SECONDS: usize = "YYYY-MM-DDTHH:MM:SS".len();
    match (rfc3339.get(..SECONDS), rfc3339.ends_with('Z')) {
        (Some(prefix), true) => prefix >= &sortable[..SECONDS.min(sortable.len())],
        _ => OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
            .is_ok_and(|at| sortable_utc(at).as_str() >= sortable),
    }
}

/// The biggest blobs the tagged images use, with how many images and repositories use each:
/// (blob id, use); the caller fills in the digests. Uses are counted for those few blobs only
/// (a set per blob of a 100,000-tag registry cost more than the rest of a snapshot).
pub fn biggest_layers(graph: &RegistryGraph) -> Vec<(i64, LayerUse)> {
    let size = |id: &i64| graph.blob_sizes.get(id).copied().unwrap_or(0);
    // A few more than listed: a blob only untagged images use (not yet tidied) is left out.
    let mut biggest: Vec<(u64, i64)> = graph.blob_sizes.iter().map(|(id, s)| (*s, *id)).collect();
    let wanted_count = biggest.len().min(LISTED * 2);
    if wanted_count > 0 && biggest.len() > wanted_count {
        biggest.select_nth_unstable_by(wanted_count - 1, |a, b| b.cmp(a));
        biggest.truncate(wanted_count);
    }
    biggest.sort_by(|a, b| b.cmp(a));
    let blobs: Vec<i64> = biggest.into_iter().map(|(_, id)| id).collect();
    let wanted: HashMap<i64, usize> = blobs.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let mut images: Vec<HashSet<i64>> = vec![HashSet::new(); blobs.len()];
    let mut repositories: Vec<HashSet<&str>> = vec![HashSet::new(); blobs.len()];
    for tag in &graph.tags {
        for id in graph.reachable(tag.manifest) {
            let Some(manifest) = graph.manifests.get(&id) else {
                continue;
            };
            for k in manifest.blobs.iter().filter_map(|blob| wanted.get(blob)) {
                images[*k].insert(id);
                repositories[*k].insert(&tag.repository);
            }
        }
    }
    blobs
        .iter()
        .enumerate()
        .filter(|(k, _)| !images[*k].is_empty())
        .take(LISTED)
        .map(|(k, id)| {
            let layer = LayerUse {
                digest: String::new(),
                size_bytes: size(id),
                images: images[k].len() as u64,
                repositories: repositories[k].len() as u64,
            };
            (*id, layer)
        })
        .collect()
}

/// The digests of blob rows `ids`.
pub(super) async fn blob_digests(
    db: impl crate::db::Executor<'_>,
    ids: &[i64],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    let ids = serde_json::to_string(ids).expect("ids serialize");
    let rows: Vec<(i64, String)> = crate::db::query_as(
        "SELECT id, digest FROM blobs WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Replaces the registry's details with those of the snapshot being written.
pub(super) async fn save_details(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    details: &StorageDetails,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO storage_details (registry, taken_at, details) VALUES (?, ?, ?)
         ON CONFLICT (registry) DO UPDATE SET taken_at = excluded.taken_at, details = excluded.details",
    )
    .bind(registry)
    .bind(&details.taken_at)
    .bind(serde_json::to_string(details).expect("details serialize"))
    .execute(db)
    .await?;
    Ok(())
}

/// What the latest snapshot found in `registry`; `None` before the first one.
pub async fn latest_details(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<Option<StorageDetails>, sqlx::Error> {
    let text: Option<String> =
        crate::db::query_scalar("SELECT details FROM storage_details WHERE registry = ?")
            .bind(registry)
            .fetch_optional(db)
            .await?;
    text.map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_times_compare_to_the_second_whatever_their_fraction() {
        let since = "2026-12-04T10:00:00Z";
        assert!(at_or_after("2026-12-04T10:00:00Z", since));
        assert!(at_or_after("2026-12-04T10:00:00.5Z", since));
        assert!(at_or_after("2026-12-05T00:00:00Z", since));
        assert!(!at_or_after("2026-12-04T09:59:59.999Z", since));
        assert!(at_or_after("2026-12-04T11:00:00+01:00", since));
        assert!(!at_or_after("2026-12-04T10:59:59+01:00", since));
    }
}
