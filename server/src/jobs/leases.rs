//! Where the supervisor keeps each job's lease and last pass: in the database, shared with the
//! other replicas, or in memory for the supervisor's own tests.

use regatta_core::replicas::leases::Held;
use regatta_core::replicas::{heartbeat, leases, unix_ms};
use regatta_core::Services;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub enum Leases {
    /// In the database: one replica runs each job.
    Shared(Services),
    /// In this process only (tests of the supervisor, on tokio's paused clock).
    #[cfg_attr(not(test), allow(dead_code))]
    Local(Arc<LocalLeases>),
}

pub struct LocalLeases {
    epoch: tokio::time::Instant,
    passes: Mutex<HashMap<&'static str, Held>>,
}

impl Leases {
    pub fn shared(services: Services) -> Self {
        Self::Shared(services)
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn local() -> Self {
        Self::Local(Arc::new(LocalLeases {
            epoch: tokio::time::Instant::now(),
            passes: Mutex::default(),
        }))
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Shared(_))
    }

    /// How often a replica without the lease asks again, and a holder checks it still holds.
    pub fn check_every(&self) -> Duration {
        match self {
            Self::Shared(services) => services.replica.beat_every(),
            Self::Local(_) => Duration::from_secs(1),
        }
    }

    pub fn now_ms(&self) -> i64 {
        match self {
            Self::Shared(services) => unix_ms(services.clock.now()),
            Self::Local(local) => local.epoch.elapsed().as_millis() as i64,
        }
    }

    pub fn process_started(&self) -> i64 {
        match self {
            Self::Shared(services) => services.replica.started_at,
            Self::Local(_) => 0,
        }
    }

    /// The job's last pass if this replica holds (or now took) its lease. A database that
    /// cannot be asked counts as not holding: better a late pass than two at once.
    pub async fn hold(&self, job: &'static str) -> Option<Held> {
        match self {
            Self::Shared(services) => {
                let now = services.clock.now();
                leases::hold(&services.db, &services.replica, job, now)
                    .await
                    .inspect_err(
                        |error| tracing::warn!(job, %error, "could not check the job's lease"),
                    )
                    .ok()
                    .flatten()
            }
            Self::Local(local) => Some(*local.passes(job).entry(job).or_insert(Held {
                acquired_at: 0,
                pass_started_at: None,
                pass_finished_at: None,
            })),
        }
    }

    /// Records the start of a pass (its time, for [`Self::pass_finished`]); `None` when the
    /// lease is not this replica's any more.
    pub async fn pass_started(&self, job: &'static str) -> Option<i64> {
        let now = self.now_ms();
        match self {
            Self::Shared(services) => {
                let at = services.clock.now();
                match leases::pass_started(&services.db, &services.replica, job, at).await {
                    Ok(true) => Some(unix_ms(at)),
                    Ok(false) => None,
                    Err(error) => {
                        tracing::warn!(job, %error, "could not record the job's pass");
                        None
                    }
                }
            }
            Self::Local(local) => {
                let mut passes = local.passes(job);
                let held = passes.get_mut(job)?;
                held.pass_started_at = Some(now);
                Some(now)
            }
        }
    }

    pub async fn pass_finished(&self, job: &'static str, started: i64) {
        let now = self.now_ms();
        match self {
            Self::Shared(services) => {
                let at = services.clock.now();
                if let Err(error) = leases::pass_finished(&services.db, job, started, at).await {
                    tracing::warn!(job, %error, "could not record the end of the job's pass");
                }
            }
            Self::Local(local) => {
                if let Some(held) = local.passes(job).get_mut(job) {
                    held.pass_finished_at = Some(now);
                }
            }
        }
    }

    /// Gives the lease of a job with nothing more to do up.
    pub async fn release(&self, job: &'static str) {
        if let Self::Shared(services) = self {
            if let Err(error) = leases::release(&services.db, &services.replica, job).await {
                tracing::warn!(job, %error, "could not give the job's lease up");
            }
        }
    }

    /// A clean stop: the other replicas may take the jobs at once.
    pub async fn stopped(&self) {
        if let Self::Shared(services) = self {
            let now = services.clock.now();
            if let Err(error) = heartbeat::stopped(&services.db, &services.replica, now).await {
                tracing::warn!(%error, "could not record this replica's stop");
            }
        }
    }
}

impl LocalLeases {
    fn passes(&self, _job: &str) -> std::sync::MutexGuard<'_, HashMap<&'static str, Held>> {
        self.passes.lock().unwrap_or_else(|e| e.into_inner())
    }
}
