//! Purges trash entries past `trash.keep_days`.

use super::Job;
use regatta_core::Services;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(3600);

pub fn job(services: Services) -> Job {
    Job::new("trash-purge", Some(EVERY), move || {
        let services = services.clone();
        async move {
            match regatta_core::deletion::purge_expired_trash(&services).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired trash entries purged"),
                Err(error) => tracing::warn!(%error, "purging the trash"),
            }
        }
    })
}
