//! Readiness for a load balancer or an orchestrator: the database takes a write and every
//! migration this binary knows is applied. Registries that are down are listed but do not
//! make Regatta unready (the other registries, the history and the audit log still work).

use crate::Services;
use std::time::Duration;

/// How long the write may wait for the database (a busy writer) before it counts as a failure.
const WRITE_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Default)]
pub struct Readiness {
    /// What makes Regatta unready, in words; empty when ready.
    pub problems: Vec<String>,
    /// Registries whose last check found them down.
    pub registries_down: Vec<String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }
}

pub async fn readiness(services: &Services) -> Readiness {
    let mut readiness = Readiness::default();
    match tokio::time::timeout(WRITE_WAIT, write_probe(services)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => readiness
            .problems
            .push(format!("the database does not take writes: {error}")),
        Err(_) => readiness.problems.push(format!(
            "the database did not take a write within {} s",
            WRITE_WAIT.as_secs()
        )),
    }
    match missing_migrations(services).await {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => readiness
            .problems
            .push(format!("migrations not applied: {}", missing.join(", "))),
        Err(error) => readiness
            .problems
            .push(format!("the migrations could not be read: {error}")),
    }
    if let Ok(rows) = crate::index::pages::registry_index_rows(&services.db).await {
        readiness.registries_down = rows
            .into_iter()
            .filter(|r| r.health() == Some(crate::registry::HealthLevel::Down))
            .map(|r| r.name)
            .collect();
    }
    readiness
}

async fn write_probe(services: &Services) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin_write(&services.db).await?;
    crate::db::query(
        "INSERT INTO readiness (id, checked_at) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
    )
    .bind(services.clock.now())
    .execute(&mut tx)
    .await?;
    tx.commit().await
}

/// The migrations this binary carries that the database has not applied.
async fn missing_migrations(services: &Services) -> Result<Vec<String>, sqlx::Error> {
    let applied: Vec<i64> =
        crate::db::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&services.db)
            .await?;
    Ok(services
        .db
        .migrator()
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect())
}
