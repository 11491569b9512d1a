//! Runs the retention policies whose schedule is due (`daily HH:MM`, `every Nh`): preview and
//! run at once, kept in the run history like a run by hand, acting as Regatta itself.

use super::Job;
use regatta_core::audit::Actor;
use regatta_core::retention::{self, Trigger};
use regatta_core::Services;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(60);

pub fn job(services: Services) -> Job {
    Job::new("retention", Some(EVERY), move || {
        let services = services.clone();
        async move {
            let due = match retention::due_policies(&services).await {
                Ok(due) => due,
                Err(error) => return tracing::warn!(%error, "finding due retention policies"),
            };
            let actor = Actor::system("schedule");
            for name in due {
                match retention::preview_and_run(&services, &actor, &name, Trigger::Schedule).await
                {
                    Ok((_, report)) => tracing::info!(
                        policy = %name,
                        deleted = report.deleted,
                        skipped = report.skipped,
                        failed = report.failed,
                        "scheduled retention run"
                    ),
                    Err(error) => tracing::warn!(policy = %name, %error, "scheduled retention run"),
                }
            }
        }
    })
}
