//! Writes storage usage down every `storage.snapshot_interval_minutes` (0: only after crawls,
//! which take one each: see `crawl.rs`).

use super::Job;
use regatta_core::Services;
use std::time::Duration;

pub fn job(services: Services) -> Option<Job> {
    let minutes = services.settings.storage.snapshot_interval_minutes;
    let every = Duration::from_secs(u64::from(minutes) * 60);
    (minutes > 0).then(|| {
        // The crawl at start takes the first one.
        Job::new("storage snapshots", Some(every), move || {
            let services = services.clone();
            async move { snapshot(&services).await }
        })
        .after(every)
    })
}

/// One snapshot; a failure is logged and the next one tries again.
pub async fn snapshot(services: &Services) {
    match regatta_core::storage::take_snapshot(services).await {
        Ok(report) => tracing::info!(rows = report.rows, "storage snapshot taken"),
        Err(error) => tracing::warn!(%error, "storage snapshot failed"),
    }
}
