//! Deletes audit rows past `audit.keep_days`, hourly, in batches. The only thing that ever
//! deletes audit rows.

use super::Job;
use regatta_core::Services;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(3600);

pub fn job(services: Services) -> Job {
    Job::new("audit-purge", Some(EVERY), move || {
        let services = services.clone();
        async move {
            match regatta_core::audit::purge_old_audit_rows(&services).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "audit rows past audit.keep_days deleted"),
                Err(error) => tracing::warn!(%error, "deleting old audit rows"),
            }
        }
    })
}
