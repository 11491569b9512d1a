//! Background jobs of the server process, under one supervisor. Each job is a file here that
//! returns a [`Job`]; the supervisor runs it on its schedule, logs a panic and runs the job
//! again after a back-off, and on shutdown lets a running pass finish (bounded) before it stops.
//! Jobs call the same domain services as the pages.

mod audit_purge;
mod crawl;
mod gc;
mod retention;
mod session_cleanup;
mod storage_snapshots;
mod trash_purge;
mod webhooks;

use regatta_core::Services;
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower_sessions_sqlx_store::SqliteStore;

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
}

/// The server's jobs.
pub fn server_jobs(services: &Services, sessions: &SqliteStore) -> Vec<Job> {
    let mut jobs = vec![
        crawl::job(services.clone()),
        webhooks::job(services.clone()),
        session_cleanup::job(sessions.clone()),
        trash_purge::job(services.clone()),
        audit_purge::job(services.clone()),
        retention::job(services.clone()),
        gc::job(services.clone()),
    ];
    jobs.extend(storage_snapshots::job(services.clone()));
    jobs
}

/// The running jobs; [`Supervisor::shutdown`] stops them.
pub struct Supervisor {
    tasks: JoinSet<()>,
    stop: CancellationToken,
}

impl Supervisor {
    pub fn start(jobs: Vec<Job>) -> Self {
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        for job in jobs {
            tasks.spawn(supervise(job, stop.clone()));
        }
        Self { tasks, stop }
    }

    /// Asks every job to stop and waits for them (a running pass gets [`SHUTDOWN_GRACE`]).
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn supervise(job: Job, stop: CancellationToken) {
    let mut wait = job.delay;
    let mut restart_delay = RESTART_DELAY;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        // Its own task, so a panic ends the pass and not the supervisor.
        let mut pass = tokio::spawn((job.pass)());
        let outcome = tokio::select! {
            outcome = &mut pass => outcome,
            _ = stop.cancelled() => {
                if tokio::time::timeout(SHUTDOWN_GRACE, &mut pass).await.is_err() {
                    tracing::warn!(job = job.name, "still running at shutdown: stopped");
                    pass.abort();
                }
                return;
            }
        };
        wait = match (outcome, job.every) {
            (Err(error), _) if error.is_panic() => {
                tracing::error!(job = job.name, %error, ?restart_delay, "job panicked; restarting");
                let this_wait = restart_delay;
                restart_delay = (restart_delay * 2).min(MAX_RESTART_DELAY);
                this_wait
            }
            (_, Some(every)) => {
                restart_delay = RESTART_DELAY;
                every
            }
            (_, None) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_job_is_restarted_and_a_once_job_runs_once() {
        let passes = Arc::new(AtomicUsize::new(0));
        let counted = passes.clone();
        let job = Job::new("flaky", None, move || {
            let pass = counted.fetch_add(1, Ordering::SeqCst);
            async move { assert!(pass > 0, "the first pass panics") }
        });
        let supervisor = Supervisor::start(vec![job]);
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
        let supervisor = Supervisor::start(vec![job]);
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
