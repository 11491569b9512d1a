//! A server stopped mid-run (killed, crashed, the host rebooted) leaves the run `running` and
//! perhaps the registry read-only. Once its replica is known dead (at the next start, or by the
//! replicas that live on): the run is failed and, for a real run, `maintenance_off` runs again
//! (making a writable registry writable is harmless). A live replica's run is left alone.

use super::command::{run_step, StepContext};
use super::log::RunLog;
use super::store;
use crate::Services;
use std::time::Duration;

/// Ends what interrupted runs left behind; returns how many there were.
pub async fn recover_interrupted(
    services: &Services,
    alive_since: i64,
) -> Result<usize, sqlx::Error> {
    let interrupted = store::interrupted(&services.db, alive_since).await?;
    for (id, registry, dry_run) in &interrupted {
        let mut log = RunLog::default();
        let mut error = "the server stopped during the run".to_string();
        let config = services
            .settings
            .registry(registry)
            .and_then(|r| r.gc.as_ref());
        let off = config.and_then(|c| Some((c, c.maintenance_off.as_deref()?)));
        if let Some((config, off)) = off.filter(|_| !dry_run) {
            let context = StepContext {
                registry: registry.clone(),
                dry_run: false,
            };
            let timeout = Duration::from_secs(config.maintenance_timeout_seconds);
            match run_step("maintenance_off", off, timeout, &context, &mut log, |_| {}).await {
                Ok(()) => error += "; maintenance_off ran again at the next start",
                Err(failed) => error += &format!("; at the next start {failed}"),
            }
        }
        tracing::warn!(id, registry, error, "garbage collection run interrupted");
        let now = services.clock.now();
        store::mark_failed(&services.db, *id, &error, &log.text(), now).await?;
        super::maintenance::end_recorded(services, registry).await?;
    }
    Ok(interrupted.len())
}
