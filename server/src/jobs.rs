//! Background jobs of the server process; they call the same domain services as the pages.

use regatta_core::Services;
use std::time::Duration;

/// Crawls every registry at start, then every `index.crawl_interval_minutes`.
pub fn spawn_crawler(services: Services) {
    let minutes = services.settings.index.crawl_interval_minutes;
    tokio::spawn(async move {
        loop {
            regatta_core::index::crawl_all(&services).await;
            if minutes == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_secs(u64::from(minutes) * 60)).await;
        }
    });
}

/// Sends promotion webhooks that are due: retries of failed calls (a fresh call is sent by the
/// promotion itself).
pub fn spawn_webhook_sender(services: Services) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            if let Err(error) = regatta_core::webhooks::deliver_due(&services).await {
                tracing::error!(%error, "sending webhooks");
            }
        }
    });
}
