//! Crawls every registry at start, then every `index.crawl_interval_minutes` (0: at start only),
//! and writes storage usage down after each crawl.

use super::Job;
use regatta_core::Services;
use std::time::Duration;

pub fn job(services: Services) -> Job {
    let minutes = services.settings.index.crawl_interval_minutes;
    let every = (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60));
    Job::new("crawl", every, move || {
        let services = services.clone();
        async move {
            regatta_core::index::crawl_all(&services).await;
            super::storage_snapshots::snapshot(&services).await;
        }
    })
}
