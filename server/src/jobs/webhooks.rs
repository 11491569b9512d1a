//! Sends promotion webhooks that are due: retries of failed calls (a fresh call is sent by the
//! promotion itself).

use super::Job;
use regatta_core::Services;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(5);

pub fn job(services: Services) -> Job {
    Job::new("webhooks", Some(EVERY), move || {
        let services = services.clone();
        async move {
            if let Err(error) = regatta_core::webhooks::deliver_due(&services).await {
                tracing::error!(%error, "sending webhooks");
            }
        }
    })
    .after(EVERY)
}
