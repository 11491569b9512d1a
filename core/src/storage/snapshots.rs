//! Storage usage written down over time: per registry, environment and namespace, and the
//! largest repositories, on a schedule and after every finished crawl. The table stays small:
//! full resolution for [`FULL_RESOLUTION_DAYS`], then the last snapshot of each day (the day's
//! closing value, never a gap) for [`KEPT_DAYS`].

use super::accounting::{counting, scope_usages, total_usage, Grouping, ScopeUsage, Usage};
use super::details::{
    biggest_layers, blob_digests, manifest_digests, save_details, untagged_share, unused_share,
    LayerUse, StorageDetails,
};
use super::estimate::{estimate_past, has_estimate, save_estimate};
use super::graph::RegistryGraph;
use crate::{DomainError, Services};
use time::{Duration, OffsetDateTime};

/// Repositories kept per snapshot, the largest by stored bytes.
pub const TOP_REPOSITORIES: usize = 50;
pub const FULL_RESOLUTION_DAYS: i64 = 7;
pub const KEPT_DAYS: i64 = 730;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotReport {
    pub taken_at: String,
    pub rows: usize,
    /// Thresholds crossed or recovered by this snapshot.
    pub alerts: usize,
}

/// Takes a snapshot of every configured registry now (the services' clock), thins out the old
/// ones, and checks the storage thresholds against it.
pub async fn take_snapshot(services: &Services) -> Result<SnapshotReport, DomainError> {
    let now = services.clock.now();
    let taken_at = format_taken_at(now);
    // Registries are counted side by side, each on a blocking thread.
    let counts = futures_util::future::try_join_all(
        services
            .settings
            .registries
            .iter()
            .map(|registry| count_registry(services, &registry.name, &taken_at, now)),
    )
    .await?;
    let mut tx = services.db.begin().await?;
    for count in &counts {
        for (by, ScopeUsage { scope, usage }) in &count.rows {
            let kind = by.as_str();
            insert(&mut tx, &taken_at, &count.registry, kind, scope, usage).await?;
        }
        save_details(&mut tx, &count.registry, &count.details).await?;
        if let Some(points) = &count.estimate {
            save_estimate(&mut tx, &count.registry, &taken_at, points).await?;
        }
    }
    tx.commit().await?;
    for count in &counts {
        for (by, ScopeUsage { scope, usage }) in &count.rows {
            let environment = match by {
                Grouping::Registry => None,
                Grouping::Environment => Some(scope.as_str()),
                _ => continue,
            };
            let (stored, exclusive) = (usage.stored_bytes, usage.exclusive_bytes);
            crate::metrics::storage(&count.registry, environment, stored, exclusive);
        }
    }
    downsample(&services.db, now).await?;
    // The snapshot stands whatever the check does; a failed check is retried at the next one.
    let alerts = match super::alerts::check_thresholds(services).await {
        Ok(alerts) => alerts.len(),
        Err(error) => {
            tracing::error!(%error, "checking storage thresholds");
            0
        }
    };
    Ok(SnapshotReport {
        taken_at,
        rows: counts.iter().map(|count| count.rows.len()).sum(),
        alerts,
    })
}

/// How long after a deletion or a restore its snapshot is taken: the others of a burst join it.
const SNAPSHOT_DELAY: std::time::Duration = std::time::Duration::from_secs(10);

/// A snapshot shortly, in the background, after the index changed because of Regatta itself
/// (deletions, restores); one for a burst of them.
pub fn snapshot_soon(services: &Services) {
    use std::sync::atomic::Ordering;
    if services.snapshot_pending.swap(true, Ordering::SeqCst) {
        return;
    }
    let services = services.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SNAPSHOT_DELAY).await;
        services.snapshot_pending.store(false, Ordering::SeqCst);
        if let Err(error) = take_snapshot(&services).await {
            tracing::error!(%error, "storage snapshot after a deletion");
        }
    });
}

/// One registry's part of a snapshot.
struct RegistryCount {
    registry: String,
    rows: Vec<(Grouping, ScopeUsage)>,
    details: StorageDetails,
    /// The estimated past, at the registry's first snapshot.
    estimate: Option<Vec<(String, u64)>>,
}

async fn count_registry(
    services: &Services,
    name: &str,
    taken_at: &str,
    now: OffsetDateTime,
) -> Result<RegistryCount, DomainError> {
    let db = &services.db;
    let mut graph = RegistryGraph::load(db, name).await?;
    graph.load_pulls(db, name).await?;
    let known_since = crate::index::pulls_known_since(db, name).await?;
    // The past is estimated once, at the registry's first snapshot (see estimate.rs).
    let created = match has_estimate(db, name).await? {
        true => None,
        false => Some(RegistryGraph::load_created(db, name).await?),
    };
    let (settings, registry, taken_at) = (
        services.settings.clone(),
        name.to_string(),
        taken_at.to_string(),
    );
    let (mut count, layers, untagged_ids) = counting(move || {
        let mut rows = vec![(
            Grouping::Registry,
            ScopeUsage {
                scope: registry.clone(),
                usage: total_usage(&graph),
            },
        )];
        for by in [
            Grouping::Environment,
            Grouping::Namespace,
            Grouping::Repository,
        ] {
            let mut scopes = scope_usages(&graph, &settings, &registry, by);
            if by == Grouping::Repository {
                scopes.truncate(TOP_REPOSITORIES);
            }
            rows.extend(scopes.into_iter().map(|scope| (by, scope)));
        }
        let unused_after = settings.storage.unused_after_days;
        let (untagged, untagged_ids) = untagged_share(&graph);
        let details = StorageDetails {
            taken_at,
            unused: unused_share(&graph, unused_after, known_since.as_deref(), now),
            biggest_layers: Vec::new(),
            untagged,
        };
        let estimate = created.map(|created| estimate_past(&graph, &created, now));
        let count = RegistryCount {
            registry,
            rows,
            details,
            estimate,
        };
        (count, biggest_layers(&graph), untagged_ids)
    })
    .await?;
    let ids: Vec<i64> = layers.iter().map(|(id, _)| *id).collect();
    let digests = blob_digests(db, &ids).await?;
    let manifests = manifest_digests(db, &untagged_ids).await?;
    for (item, id) in count.details.untagged.largest.iter_mut().zip(&untagged_ids) {
        item.digest = manifests.get(id).cloned().unwrap_or_default();
    }
    count.details.biggest_layers = layers
        .into_iter()
        .map(|(id, layer)| LayerUse {
            digest: digests.get(&id).cloned().unwrap_or_default(),
            ..layer
        })
        .collect();
    Ok(count)
}

/// `taken_at` as stored: fixed width, so text order is time order.
pub fn format_taken_at(at: OffsetDateTime) -> String {
    crate::clock::sortable_utc(at)
}

async fn insert(
    db: &mut impl crate::db::Connection,
    taken_at: &str,
    registry: &str,
    kind: &str,
    scope: &str,
    usage: &Usage,
) -> Result<(), sqlx::Error> {
    let n = |v: u64| v as i64;
    crate::db::query(
        "INSERT INTO storage_snapshots (taken_at, registry, kind, scope, logical_bytes,
             stored_bytes, exclusive_bytes, shared_bytes, repositories, tags, manifests, blobs)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(taken_at)
    .bind(registry)
    .bind(kind)
    .bind(scope)
    .bind(n(usage.logical_bytes))
    .bind(n(usage.stored_bytes))
    .bind(n(usage.exclusive_bytes))
    .bind(n(usage.shared_bytes))
    .bind(n(usage.repositories))
    .bind(n(usage.tags))
    .bind(n(usage.manifests))
    .bind(n(usage.blobs))
    .execute(db)
    .await?;
    Ok(())
}

/// Snapshots older than [`FULL_RESOLUTION_DAYS`] become one per scope and day (the last one
/// taken that day); those older than [`KEPT_DAYS`] go.
pub async fn downsample(db: &crate::db::Db, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let cutoff = format_taken_at(now - Duration::days(FULL_RESOLUTION_DAYS));
    let expired = format_taken_at(now - Duration::days(KEPT_DAYS));
    let mut tx = db.begin().await?;
    crate::db::query(
        "DELETE FROM storage_snapshots WHERE resolution = 'full' AND taken_at < ?1 AND id NOT IN (
             SELECT id FROM (
                 SELECT id, ROW_NUMBER() OVER (
                     PARTITION BY registry, kind, scope, substr(taken_at, 1, 10)
                     ORDER BY taken_at DESC, id DESC) AS newest
                 FROM storage_snapshots WHERE resolution = 'full' AND taken_at < ?1) AS ranked
             WHERE newest = 1)",
    )
    .bind(&cutoff)
    .execute(&mut tx)
    .await?;
    crate::db::query(
        "UPDATE storage_snapshots SET resolution = 'day' WHERE resolution = 'full' AND taken_at < ?",
    )
    .bind(&cutoff)
    .execute(&mut tx)
    .await?;
    crate::db::query("DELETE FROM storage_snapshots WHERE taken_at < ?")
        .bind(&expired)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}
