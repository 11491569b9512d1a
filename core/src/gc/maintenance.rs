//! The maintenance window: while a registry is read-only for garbage collection, Regatta's own
//! writes to it (promotions, deletions, retention runs, restores) wait, and a collection waits
//! for the writes running when it starts. In this process a read-write lock per registry does
//! both; the `registry_maintenance` row tells other processes (replicas, the CLI) and the pages,
//! and outlives a server killed mid-run so the next start can end the window. Each write also
//! has a `registry_writes` row while it runs, so a collection started on one replica waits for
//! the writes running on the others (a dead replica's rows do not count).

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
    /// Its `registry_writes` row, deleted when the permit is dropped.
    row: Option<(crate::db::Db, i64)>,
}

impl Drop for WritePermit {
    fn drop(&mut self) {
        let Some((db, id)) = self.row.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let ended = crate::db::query("DELETE FROM registry_writes WHERE id = ?")
                    .bind(id)
                    .execute(&db)
                    .await;
                if let Err(error) = ended {
                    tracing::warn!(%error, "could not record the end of a registry write");
                }
            });
        }
    }
}

/// Records a write to `registry` as running (for collections on other replicas to wait for).
async fn record_write(services: &Services, registry: &str) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO registry_writes (registry, replica, started_at) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(registry)
    .bind(&services.replica.id)
    .bind(crate::replicas::unix_ms(services.clock.now()))
    .fetch_one(&services.db)
    .await
}

async fn forget_write(services: &Services, id: i64) -> Result<(), sqlx::Error> {
    crate::db::query("DELETE FROM registry_writes WHERE id = ?")
        .bind(id)
        .execute(&services.db)
        .await?;
    Ok(())
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
            row: None,
        });
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limit);
    let mut waited = false;
    loop {
        let shared = tokio::time::timeout_at(deadline, gate.clone().read_owned()).await;
        let since = match shared {
            Ok(shared) => {
                // The row first, then the check: a collection that opens its window after the
                // check finds the row and waits for this write.
                let row = record_write(services, registry).await?;
                match in_maintenance_since(services, registry).await? {
                    None => {
                        return Ok(WritePermit {
                            _shared: shared,
                            waited,
                            row: Some((services.db.clone(), row)),
                        })
                    }
                    Some(since) => {
                        forget_write(services, row).await?;
                        since
                    }
                }
            }
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
    let since: Option<crate::db::TextTime> =
        crate::db::query_scalar("SELECT since FROM registry_maintenance WHERE registry = ?")
            .bind(registry)
            .fetch_optional(&services.db)
            .await?;
    Ok(since.map(|since| since.0))
}

/// Every registry in maintenance now, with its start, for the pages' banner.
pub async fn registries_in_maintenance(
    services: &Services,
) -> Result<Vec<(String, OffsetDateTime)>, DomainError> {
    let rows: Vec<(String, crate::db::TextTime)> =
        crate::db::query_as("SELECT registry, since FROM registry_maintenance ORDER BY registry")
            .fetch_all(&services.db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(registry, since)| (registry, since.0))
        .collect())
}

/// A registry held in maintenance by a collection: no Regatta write runs meanwhile.
pub struct Window {
    _exclusive: OwnedRwLockWriteGuard<()>,
    registry: String,
}

/// Waits for Regatta's running writes to `registry` to end, on this replica and the others,
/// then opens the window (recorded for run `run_id`).
pub async fn open(services: &Services, registry: &str, run_id: i64) -> Result<Window, DomainError> {
    let exclusive = services.maintenance.gate(registry).write_owned().await;
    let since = services.clock.now();
    crate::db::query(
        "INSERT INTO registry_maintenance (registry, gc_run_id, since) VALUES (?, ?, ?)
         ON CONFLICT (registry) DO UPDATE SET gc_run_id = excluded.gc_run_id, since = excluded.since",
    )
    .bind(registry)
    .bind(run_id)
    .bind(since)
    .execute(&services.db)
    .await?;
    let window = Window {
        _exclusive: exclusive,
        registry: registry.to_string(),
    };
    // No new write starts now (they see the row); wait for those other replicas run.
    loop {
        let now = services.clock.now();
        let running: i64 = crate::db::query_scalar(&format!(
            "SELECT COUNT(*) FROM registry_writes
             WHERE registry = ? AND replica <> ? AND NOT {}",
            crate::replicas::interrupted::REPLICA_IS_DEAD
        ))
        .bind(registry)
        .bind(&services.replica.id)
        .bind(services.replica.alive_since(now))
        .fetch_one(&services.db)
        .await?;
        if running == 0 {
            return Ok(window);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    crate::db::query("DELETE FROM registry_maintenance WHERE registry = ?")
        .bind(registry)
        .execute(&services.db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use end2end::settings::{Gc, Registry};

    /// A process on `database` whose registry `local` has a garbage collection driver.
    async fn replica_on(database: &std::path::Path) -> Services {
        let gc = Gc {
            kind: "command".into(),
            maintenance_on: None,
            collect: Some("true".into()),
            maintenance_off: None,
            collect_timeout_seconds: None,
            storage_path: None,
            untagged_grace_hours: None,
            writes_wait_seconds: Some(1),
        };
        let settings = end2end::SettingsFile::new()
            .database(database)
            .registry(Registry::new("local", "http://127.0.0.1:9/").gc(gc));
        let settings = crate::config::parse_settings("t.toml", &settings.to_toml(), &[]).unwrap();
        Services::start(settings).await.unwrap()
    }

    async fn gc_run(services: &Services) -> i64 {
        let run = super::super::store::NewRun {
            registry: "local",
            trigger: "test",
            dry_run: false,
            untagged_cleanup: false,
            started_at: services.clock.now(),
            predicted_blobs: 0,
            predicted_bytes: 0,
            replica: &services.replica.id,
        };
        super::super::store::start(&services.db, &run)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_collection_on_one_replica_shows_on_the_others_and_waits_for_their_writes() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("regatta.db");
        let (a, b) = (replica_on(&database).await, replica_on(&database).await);
        let run = gc_run(&a).await;
        crate::db::query("UPDATE gc_runs SET stage = 'collect' WHERE id = ?")
            .bind(run)
            .execute(&a.db)
            .await
            .unwrap();
        let admin = crate::users::User::not_stored("admin", crate::users::Role::Admin);
        let seen_on_b = crate::gc::running(&b, &admin).await.unwrap();
        assert_eq!(seen_on_b.len(), 1, "B's pages show A's run");
        assert_eq!(
            (seen_on_b[0].run_id, seen_on_b[0].stage.as_str()),
            (Some(run), "collect")
        );

        let write_on_b = writing(&b, "local").await.unwrap();
        let opening = tokio::spawn({
            let a = a.clone();
            async move { open(&a, "local", run).await.map(|_window| ()) }
        });
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!opening.is_finished(), "A's collection waits for B's write");
        let refused = writing(&b, "local").await.unwrap_err();
        assert!(
            refused.to_string().contains("in maintenance"),
            "no new write starts meanwhile: {refused}"
        );
        drop(write_on_b);
        tokio::time::timeout(Duration::from_secs(5), opening)
            .await
            .expect("the window opens once B's write ends")
            .unwrap()
            .unwrap();

        // A write of a replica that died does not hold a collection up.
        end_recorded(&a, "local").await.unwrap();
        let write_on_b = writing(&b, "local").await.unwrap();
        std::mem::forget(write_on_b); // B dies mid-write: its row stays
        let now = b.clock.now();
        crate::replicas::heartbeat::stopped(&b.db, &b.replica, now)
            .await
            .unwrap();
        let window = tokio::time::timeout(Duration::from_secs(5), open(&a, "local", run))
            .await
            .expect("a dead replica's write does not count")
            .unwrap();
        window.close(&a).await;
    }
}
