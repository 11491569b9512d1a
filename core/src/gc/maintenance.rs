//! The maintenance window: while a registry is read-only for garbage collection, Regatta's own
//! writes to it (promotions, deletions, retention runs, restores) wait, and a collection waits
//! for the writes running when it starts. In this process a read-write lock per registry does
//! both; the `registry_maintenance` row tells other processes (the CLI) and the pages, and
//! outlives a server killed mid-run so the next start can end the window.

use crate::{DomainError, Services};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

#[derive(Debug, Default)]
pub struct MaintenanceGates {
    gates: Mutex<HashMap<String, Arc<RwLock<()>>>>,
}

impl MaintenanceGates {
    fn gate(&self, registry: &str) -> Arc<RwLock<()>> {
        self.gates
            .lock()
            .expect("maintenance gates")
            .entry(registry.to_string())
            .or_default()
            .clone()
    }
}

/// Held by one of Regatta's writes to a registry for as long as it writes.
#[derive(Debug)]
pub struct WritePermit {
    _shared: OwnedRwLockReadGuard<()>,
    /// It waited for a maintenance window to end (what it planned may be out of date).
    pub waited: bool,
}

/// Waits until `registry` is writable (at most its `writes_wait_seconds`) and keeps a
/// collection from starting until the permit is dropped.
pub async fn writing(services: &Services, registry: &str) -> Result<WritePermit, DomainError> {
    let gate = services.maintenance.gate(registry);
    let limit = services
        .settings
        .registry(registry)
        .and_then(|r| r.gc.as_ref())
        .map(|gc| gc.writes_wait_seconds);
    let Some(limit) = limit else {
        // Regatta never puts a registry without a GC driver in maintenance.
        let shared = gate.read_owned().await;
        return Ok(WritePermit {
            _shared: shared,
            waited: false,
        });
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limit);
    let mut waited = false;
    loop {
        let shared = tokio::time::timeout_at(deadline, gate.clone().read_owned()).await;
        let since = match shared {
            Ok(shared) => match in_maintenance_since(services, registry).await? {
                None => {
                    return Ok(WritePermit {
                        _shared: shared,
                        waited,
                    })
                }
                Some(since) => since,
            },
            Err(_) => in_maintenance_since(services, registry)
                .await?
                .unwrap_or_else(|| services.clock.now()),
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(in_maintenance(registry, since));
        }
        waited = true;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The error of a write that waited for a window too long.
fn in_maintenance(registry: &str, since: OffsetDateTime) -> DomainError {
    DomainError::Unavailable(format!(
        "Registry `{registry}` is in maintenance (garbage collection) since {since}; \
         try again when it ends."
    ))
}

/// When `registry` went into maintenance, if it is in it.
pub async fn in_maintenance_since(
    services: &Services,
    registry: &str,
) -> Result<Option<OffsetDateTime>, DomainError> {
    Ok(
        sqlx::query_scalar("SELECT since FROM registry_maintenance WHERE registry = ?")
            .bind(registry)
            .fetch_optional(&services.db)
            .await?,
    )
}

/// Every registry in maintenance now, with its start, for the pages' banner.
pub async fn registries_in_maintenance(
    services: &Services,
) -> Result<Vec<(String, OffsetDateTime)>, DomainError> {
    Ok(
        sqlx::query_as("SELECT registry, since FROM registry_maintenance ORDER BY registry")
            .fetch_all(&services.db)
            .await?,
    )
}

/// A registry held in maintenance by a collection: no Regatta write runs meanwhile.
pub struct Window {
    _exclusive: OwnedRwLockWriteGuard<()>,
    registry: String,
}

/// Waits for Regatta's running writes to `registry` to end, then opens the window (recorded
/// for run `run_id`).
pub async fn open(services: &Services, registry: &str, run_id: i64) -> Result<Window, DomainError> {
    let exclusive = services.maintenance.gate(registry).write_owned().await;
    let since = services.clock.now();
    sqlx::query(
        "INSERT OR REPLACE INTO registry_maintenance (registry, gc_run_id, since) VALUES (?, ?, ?)",
    )
    .bind(registry)
    .bind(run_id)
    .bind(since)
    .execute(&services.db)
    .await?;
    Ok(Window {
        _exclusive: exclusive,
        registry: registry.to_string(),
    })
}

impl Window {
    /// Ends the window: Regatta's writes go ahead again.
    pub async fn close(self, services: &Services) {
        if let Err(error) = end_recorded(services, &self.registry).await {
            tracing::error!(%error, registry = self.registry, "ending a maintenance window");
        }
    }
}

/// Forgets that `registry` is in maintenance (its window closed, or its run was interrupted).
pub(super) async fn end_recorded(services: &Services, registry: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM registry_maintenance WHERE registry = ?")
        .bind(registry)
        .execute(&services.db)
        .await?;
    Ok(())
}
