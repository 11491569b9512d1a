//! Storage usage written down over time: per registry, environment and namespace, and the
//! largest repositories, on a schedule and after every finished crawl. The table stays small:
//! full resolution for [`FULL_RESOLUTION_DAYS`], then the last snapshot of each day (the day's
//! closing value, never a gap) for [`KEPT_DAYS`].

use super::accounting::{counting, scope_usages, total_usage, Grouping, ScopeUsage, Usage};
use super::details::{
    biggest_layers, blob_digests, save_details, unused_share, LayerUse, StorageDetails,
};
use super::estimate::{estimate_past, has_estimate, save_estimate};
use super::graph::RegistryGraph;
use crate::{DomainError, Services};
use sqlx::SqlitePool;
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
    let mut rows: Vec<(String, Grouping, ScopeUsage)> = Vec::new();
    let mut details = Vec::new();
    let mut estimates = Vec::new();
    for registry in &services.settings.registries {
        let mut graph = RegistryGraph::load(&services.db, &registry.name).await?;
        graph.load_pulls(&services.db, &registry.name).await?;
        let known_since = crate::index::pulls_known_since(&services.db, &registry.name).await?;
        // The past is estimated once, at the registry's first snapshot (see estimate.rs).
        let created = match has_estimate(&services.db, &registry.name).await? {
            true => None,
            false => Some(RegistryGraph::load_created(&services.db, &registry.name).await?),
        };
        let (settings, name) = (services.settings.clone(), registry.name.clone());
        let taken = taken_at.clone();
        let (counted, mut found, layers, estimate) = counting(move || {
            let mut rows = vec![(
                Grouping::Registry,
                ScopeUsage {
                    scope: name.clone(),
                    usage: total_usage(&graph),
                },
            )];
            for by in [
                Grouping::Environment,
                Grouping::Namespace,
                Grouping::Repository,
            ] {
                let mut scopes = scope_usages(&graph, &settings, &name, by);
                if by == Grouping::Repository {
                    scopes.truncate(TOP_REPOSITORIES);
                }
                rows.extend(scopes.into_iter().map(|scope| (by, scope)));
            }
            let unused_after = settings.storage.unused_after_days;
            let found = StorageDetails {
                taken_at: taken,
                unused: unused_share(&graph, unused_after, known_since.as_deref(), now),
                biggest_layers: Vec::new(),
            };
            let estimate = created.map(|created| estimate_past(&graph, &created, now));
            (rows, found, biggest_layers(&graph), estimate)
        })
        .await?;
        if let Some(points) = estimate {
            estimates.push((registry.name.clone(), points));
        }
        let ids: Vec<i64> = layers.iter().map(|(id, _)| *id).collect();
        let digests = blob_digests(&services.db, &ids).await?;
        found.biggest_layers = layers
            .into_iter()
            .map(|(id, layer)| LayerUse {
                digest: digests.get(&id).cloned().unwrap_or_default(),
                ..layer
            })
            .collect();
        details.push((registry.name.clone(), found));
        rows.extend(
            counted
                .into_iter()
                .map(|(by, scope)| (registry.name.clone(), by, scope)),
        );
    }
    let mut tx = services.db.begin().await?;
    for (registry, by, ScopeUsage { scope, usage }) in &rows {
        insert(&mut tx, &taken_at, registry, by.as_str(), scope, usage).await?;
    }
    for (registry, found) in &details {
        save_details(&mut *tx, registry, found).await?;
    }
    for (registry, points) in &estimates {
        save_estimate(&mut *tx, registry, &taken_at, points).await?;
    }
    tx.commit().await?;
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
        rows: rows.len(),
        alerts,
    })
}

/// `taken_at` as stored: fixed width, so text order is time order.
pub fn format_taken_at(at: OffsetDateTime) -> String {
    crate::clock::sortable_utc(at)
}

async fn insert(
    db: &mut sqlx::SqliteConnection,
    taken_at: &str,
    registry: &str,
    kind: &str,
    scope: &str,
    usage: &Usage,
) -> Result<(), sqlx::Error> {
    let n = |v: u64| v as i64;
    sqlx::query(
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
pub async fn downsample(db: &SqlitePool, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let cutoff = format_taken_at(now - Duration::days(FULL_RESOLUTION_DAYS));
    let expired = format_taken_at(now - Duration::days(KEPT_DAYS));
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM storage_snapshots WHERE resolution = 'full' AND taken_at < ?1 AND id NOT IN (
             SELECT id FROM (
                 SELECT id, ROW_NUMBER() OVER (
                     PARTITION BY registry, kind, scope, substr(taken_at, 1, 10)
                     ORDER BY taken_at DESC, id DESC) AS newest
                 FROM storage_snapshots WHERE resolution = 'full' AND taken_at < ?1)
             WHERE newest = 1)",
    )
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE storage_snapshots SET resolution = 'day' WHERE resolution = 'full' AND taken_at < ?",
    )
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM storage_snapshots WHERE taken_at < ?")
        .bind(&expired)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
