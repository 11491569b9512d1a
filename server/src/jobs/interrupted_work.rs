//! Ends the work of replicas that died (promotions, deletions, retention runs and garbage
//! collection they left running), and so also of this host's previous process.

use super::Job;
use regatta_core::Services;

pub fn job(services: Services) -> Job {
    let every = services.replica.beat_every();
    Job::new("interrupted-work", Some(every), move || {
        let services = services.clone();
        async move {
            if let Err(error) =
                regatta_core::replicas::interrupted::end_work_of_dead_replicas(&services).await
            {
                tracing::warn!(%error, "could not end the work of stopped replicas");
            }
        }
    })
    .after(every)
}
