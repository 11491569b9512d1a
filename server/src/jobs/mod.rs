//! Background jobs of the server process, under one supervisor. Each job is a file here that
//! returns a [`Job`]; the supervisor runs it on its schedule, logs a panic and runs the job
//! again after a back-off, and on shutdown lets a running pass finish (bounded) before it stops.
//! Jobs call the same domain services as the pages.
//!
//! Several replicas may share the database: then each job runs on one of them at a time, the
//! one holding its lease ([`regatta_core::replicas::leases`]), on the cluster's schedule. When
//! that replica dies, another takes the job over within the lease time and finishes a pass it
//! left half-way.

mod audit_purge;
mod crawl;
mod gc;
mod interrupted_work;
mod leases;
mod retention;
mod session_cleanup;
mod storage_snapshots;
mod trash_purge;
mod webhooks;

pub use leases::Leases;

use crate::session_store::Sessions;
use regatta_core::replicas::leases::Held;
use regatta_core::Services;
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long a running pass may take to finish once shutdown is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// After a panic, wait this long (doubling up to [`MAX_RESTART_DELAY`]) before the next pass.
const RESTART_DELAY: Duration = Duration::from_secs(5);
const MAX_RESTART_DELAY: Duration = Duration::from_secs(300);

type Pass = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One background job: a pass, run at start (after `delay`) and then every `every`.
pub struct Job {
    pub name: &'static str,
    pub delay: Duration,
    /// `None`: one pass only (it is still run again if it panics).
    pub every: Option<Duration>,
    pub pass: Arc<dyn Fn() -> Pass + Send + Sync>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, every: Option<Duration>, pass: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            name,
            delay: Duration::ZERO,
            every,
            pass: Arc::new(move || Box::pin(pass())),
        }
    }

    pub fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }

    /// How long until the next pass is due, given the job's last pass; `None`: never again.
    ///
    /// A replica's first pass is due at once unless some replica finished a pass since this
    /// one started: a restart crawls at once (with its new settings, as a single server always
    /// did), while a second replica beside a live one repeats nothing. After that, passes
    /// follow the cluster's last one; a pass left half-way is redone at once.
    fn due_in(
        &self,
        last: &Held,
        ran_here: bool,
        process_started: i64,
        now: i64,
    ) -> Option<Duration> {
        let ran_since_start = last.pass_finished_at.is_some_and(|f| f >= process_started);
        if last.interrupted() || (!ran_here && !ran_since_start) {
            return Some(Duration::ZERO);
        }
        match (self.every, last.pass_finished_at) {
            (Some(every), Some(finished)) => {
                let due_at = finished.saturating_add(every.as_millis() as i64);
                Some(Duration::from_millis(
                    due_at.saturating_sub(now).max(0) as u64
                ))
            }
            (Some(_), None) => Some(Duration::ZERO),
            (None, _) => None,
        }
    }
}

/// The server's jobs.
pub fn server_jobs(services: &Services, sessions: &Sessions) -> Vec<Job> {
    let mut jobs = vec![
        crawl::job(services.clone()),
        webhooks::job(services.clone()),
        session_cleanup::job(sessions.clone()),
        trash_purge::job(services.clone()),
        audit_purge::job(services.clone()),
        retention::job(services.clone()),
        gc::job(services.clone()),
        interrupted_work::job(services.clone()),
    ];
    jobs.extend(storage_snapshots::job(services.clone()));
    jobs
}

/// The running jobs; [`Supervisor::shutdown`] stops them.
pub struct Supervisor {
    tasks: JoinSet<()>,
    stop: CancellationToken,
    leases: Leases,
}

impl Supervisor {
    pub fn start(jobs: Vec<Job>, leases: Leases) -> Self {
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        for job in jobs {
            tasks.spawn(supervise(job, stop.clone(), leases.clone()));
        }
        Self {
            tasks,
            stop,
            leases,
        }
    }

    /// Asks every job to stop and waits for them (a running pass gets [`SHUTDOWN_GRACE`]);
    /// then gives this replica's leases up, so another replica takes the jobs at once.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        while self.tasks.join_next().await.is_some() {}
        self.leases.stopped().await;
    }
}

/// Sleeps `wait`; true when shutdown was asked for meanwhile.
async fn stopped_during(wait: Duration, stop: &CancellationToken) -> bool {
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(wait) => false,
    }
}

async fn supervise(job: Job, stop: CancellationToken, leases: Leases) {
    if stopped_during(job.delay, &stop).await {
        return;
    }
    let mut restart_delay = RESTART_DELAY;
    let mut ran_here = false;
    let mut holding = false;
    loop {
        let Some(last) = leases.hold(job.name).await else {
            if std::mem::take(&mut holding) {
                tracing::warn!(job = job.name, "another replica runs this job now");
            }
            if stopped_during(leases.check_every(), &stop).await {
                return;
            }
            continue;
        };
        if !std::mem::replace(&mut holding, true) && leases.is_shared() {
            tracing::info!(job = job.name, "this replica runs the job");
        }
        let now = leases.now_ms();
        match job.due_in(&last, ran_here, leases.process_started(), now) {
            None => {
                leases.release(job.name).await;
                return;
            }
            Some(wait) if !wait.is_zero() => {
                if stopped_during(wait.min(leases.check_every()), &stop).await {
                    return;
                }
                continue;
            }
            Some(_) => {}
        }
        let Some(started) = leases.pass_started(job.name).await else {
            continue; // the lease moved between the check and the start
        };
        // Its own task, so a panic ends the pass and not the supervisor.
        let mut pass = tokio::spawn((job.pass)());
        let outcome = loop {
            tokio::select! {
                outcome = &mut pass => break Some(outcome),
                _ = tokio::time::sleep(leases.check_every()) => {
                    if leases.hold(job.name).await.is_none() {
                        // Another replica took the job (this one was unseen for the lease
                        // time): two passes at once is what the lease is for avoiding.
                        tracing::warn!(job = job.name, "lost the job's lease mid-pass: stopped");
                        pass.abort();
                        break None;
                    }
                }
                _ = stop.cancelled() => {
                    match tokio::time::timeout(SHUTDOWN_GRACE, &mut pass).await {
                        Ok(_) => leases.pass_finished(job.name, started).await,
                        Err(_) => {
                            tracing::warn!(job = job.name, "still running at shutdown: stopped");
                            pass.abort();
                        }
                    }
                    return;
                }
            }
        };
        match outcome {
            Some(Err(error)) if error.is_panic() => {
                tracing::error!(job = job.name, %error, ?restart_delay, "job panicked; restarting");
                // The pass stays unfinished: whoever holds the job next runs it again.
                if stopped_during(restart_delay, &stop).await {
                    return;
                }
                restart_delay = (restart_delay * 2).min(MAX_RESTART_DELAY);
            }
            Some(_) => {
                leases.pass_finished(job.name, started).await;
                ran_here = true;
                restart_delay = RESTART_DELAY;
            }
            None => {}
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_replica_runs_a_job_at_its_start_unless_another_ran_it_since_then_follows_the_last_pass() {
        let every = Job::new("crawl", Some(Duration::from_secs(60)), || async {});
        let once = Job::new("once", None, || async {});
        let last = |started: Option<i64>, finished: Option<i64>| Held {
            acquired_at: 0,
            pass_started_at: started,
            pass_finished_at: finished,
        };
        let (started_here, now) = (1_000_000, 1_010_000);
        let never = last(None, None);
        let before_my_start = last(Some(900_000), Some(950_000));
        let since_my_start = last(Some(1_001_000), Some(1_005_000));
        let half_way = last(Some(1_001_000), Some(950_000));
        let zero = Some(Duration::ZERO);
        for job in [&every, &once] {
            assert_eq!(job.due_in(&never, false, started_here, now), zero);
            assert_eq!(
                job.due_in(&before_my_start, false, started_here, now),
                zero,
                "a restart"
            );
            assert_eq!(
                job.due_in(&half_way, true, started_here, now),
                zero,
                "redone"
            );
        }
        assert_eq!(
            every.due_in(&since_my_start, false, started_here, now),
            Some(Duration::from_secs(55)),
            "another replica's pass counts"
        );
        assert_eq!(once.due_in(&since_my_start, false, started_here, now), None);
        assert_eq!(
            every.due_in(&since_my_start, true, started_here, 1_070_000),
            Some(Duration::ZERO)
        );
        assert_eq!(once.due_in(&since_my_start, true, started_here, now), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_job_is_restarted_and_a_once_job_runs_once() {
        let passes = Arc::new(AtomicUsize::new(0));
        let counted = passes.clone();
        let job = Job::new("flaky", None, move || {
            let pass = counted.fetch_add(1, Ordering::SeqCst);
            async move { assert!(pass > 0, "the first pass panics") }
        });
        let supervisor = Supervisor::start(vec![job], Leases::local());
        tokio::time::sleep(RESTART_DELAY * 3).await;
        assert_eq!(
            passes.load(Ordering::SeqCst),
            2,
            "ran again after the panic, then stopped"
        );
        supervisor.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_lets_a_running_pass_finish_and_stops_the_schedule() {
        let finished = Arc::new(AtomicUsize::new(0));
        let counted = finished.clone();
        let job = Job::new("slow", Some(Duration::from_secs(60)), move || {
            let counted = counted.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(2)).await;
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        let supervisor = Supervisor::start(vec![job], Leases::local());
        tokio::time::sleep(Duration::from_secs(1)).await;
        supervisor.shutdown().await;
        assert_eq!(
            finished.load(Ordering::SeqCst),
            1,
            "the pass in progress finished"
        );
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1, "no pass after shutdown");
    }
}
