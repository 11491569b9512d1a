use std::collections::HashMap;
use std::sync::Mutex;

/// How far the running crawl of one registry is, for the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlProgress {
    pub running: bool,
    pub repositories_total: usize,
    pub repositories_done: usize,
    pub errors: usize,
}

/// Progress by registry name, shared by the crawler and the pages.
#[derive(Debug, Default)]
pub struct CrawlProgressMap(Mutex<HashMap<String, CrawlProgress>>);

impl CrawlProgressMap {
    pub fn get(&self, registry: &str) -> CrawlProgress {
        self.0
            .lock()
            .expect("progress lock")
            .get(registry)
            .cloned()
            .unwrap_or_default()
    }

    pub fn update(&self, registry: &str, change: impl FnOnce(&mut CrawlProgress)) {
        change(
            self.0
                .lock()
                .expect("progress lock")
                .entry(registry.to_string())
                .or_default(),
        );
    }
}

/// How often a running crawl's progress is written to its registry's row.
pub const WRITE_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Writes `registry`'s crawl progress for the other replicas; `None` when the crawl ended.
pub async fn write(
    db: &crate::db::Db,
    registry_id: i64,
    replica: &str,
    progress: Option<&CrawlProgress>,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE registries SET crawl_replica = ?, crawl_repositories_total = ?,
                crawl_repositories_done = ?, crawl_errors = ?
         WHERE id = ?",
    )
    .bind(progress.map(|_| replica))
    .bind(progress.map(|p| p.repositories_total as i64))
    .bind(progress.map(|p| p.repositories_done as i64))
    .bind(progress.map(|p| p.errors as i64))
    .bind(registry_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Crawls running on other live replicas, by registry name.
pub async fn elsewhere(
    services: &crate::Services,
) -> Result<HashMap<String, CrawlProgress>, sqlx::Error> {
    let rows: Vec<(String, i64, i64, i64)> = crate::db::query_as(
        "SELECT name, crawl_repositories_total, crawl_repositories_done, crawl_errors
         FROM registries AS r
         WHERE crawl_replica IS NOT NULL AND crawl_replica <> ?
           AND EXISTS (SELECT 1 FROM replicas WHERE id = r.crawl_replica
                         AND stopped_at IS NULL AND seen_at >= ?)",
    )
    .bind(&services.replica.id)
    .bind(services.replica.alive_since(services.clock.now()))
    .fetch_all(&services.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, total, done, errors)| {
            let progress = CrawlProgress {
                running: true,
                repositories_total: total.max(0) as usize,
                repositories_done: done.max(0) as usize,
                errors: errors.max(0) as usize,
            };
            (name, progress)
        })
        .collect())
}
