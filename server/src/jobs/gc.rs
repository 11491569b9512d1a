//! Runs the scheduled garbage collections that are due (`sun 03:00`, `daily 03:00`,
//! `every Nh`), as Regatta itself; each is recorded in the history like a run by hand.

use super::Job;
use regatta_core::Services;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(60);

pub fn job(services: Services) -> Job {
    Job::new("gc", Some(EVERY), move || {
        let services = services.clone();
        async move {
            match regatta_core::gc::run_due(&services).await {
                Ok(reports) => {
                    for report in reports {
                        tracing::info!(
                            registry = %report.run.registry,
                            status = %report.run.status,
                            bytes_freed = report.run.bytes_freed,
                            "scheduled garbage collection"
                        );
                    }
                }
                Err(error) => tracing::warn!(%error, "finding due garbage collections"),
            }
        }
    })
}
