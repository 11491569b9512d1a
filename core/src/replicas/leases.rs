//! Which replica runs each background job. A job's lease belongs to one live replica; another
//! takes it only once the holder's heartbeat is older than the lease time (or it stopped
//! cleanly). The row also carries the job's last pass, so the schedule is the cluster's and not
//! each process's: a replica that takes a job over does not repeat a pass that just ran, and
//! does finish one that its dead holder left half-way.

use super::{unix_ms, Replica};
use crate::db::Db;
use time::OffsetDateTime;

/// A held lease's view of the job's last pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Held {
    pub acquired_at: i64,
    pub pass_started_at: Option<i64>,
    pub pass_finished_at: Option<i64>,
}

impl Held {
    /// A pass was started and never finished: its replica died or lost the lease mid-way.
    pub fn interrupted(&self) -> bool {
        match (self.pass_started_at, self.pass_finished_at) {
            (Some(started), Some(finished)) => started > finished,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LeaseRow {
    pub job: String,
    pub holder: String,
    pub acquired_at: i64,
    pub pass_started_at: Option<i64>,
    pub pass_finished_at: Option<i64>,
}

/// Takes or keeps `job`'s lease for `replica`; `None` while another live replica holds it.
/// One statement, so two replicas that both find the holder dead cannot both take it: the
/// second sees the first's row (a live holder) when its own update is evaluated.
pub async fn hold(
    db: &Db,
    replica: &Replica,
    job: &str,
    now: OffsetDateTime,
) -> Result<Option<Held>, sqlx::Error> {
    crate::db::query_as(
        "INSERT INTO job_leases (job, holder, acquired_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (job) DO UPDATE SET
             holder = excluded.holder,
             acquired_at = CASE WHEN job_leases.holder = excluded.holder
                                THEN job_leases.acquired_at ELSE excluded.acquired_at END
         WHERE job_leases.holder = excluded.holder
            OR NOT EXISTS (SELECT 1 FROM replicas r
                           WHERE r.id = job_leases.holder AND r.stopped_at IS NULL
                             AND r.seen_at >= ?4)
         RETURNING acquired_at, pass_started_at, pass_finished_at",
    )
    .bind(job)
    .bind(&replica.id)
    .bind(unix_ms(now))
    .bind(replica.alive_since(now))
    .fetch_optional(db)
    .await
}

/// Records that the holder starts a pass; false when the lease is no longer this replica's.
pub async fn pass_started(
    db: &Db,
    replica: &Replica,
    job: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done =
        crate::db::query("UPDATE job_leases SET pass_started_at = ? WHERE job = ? AND holder = ?")
            .bind(unix_ms(now))
            .bind(job)
            .bind(&replica.id)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the end of the holder's pass (also after a pass that lost the lease: the pass did
/// end, and the new holder may be waiting for exactly this to schedule the next one).
pub async fn pass_finished(
    db: &Db,
    job: &str,
    started_at: i64,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE job_leases SET pass_finished_at = ? WHERE job = ? AND pass_started_at = ?",
    )
    .bind(unix_ms(now))
    .bind(job)
    .bind(started_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives a lease up (a job that has nothing more to do here). The row stays, with no holder,
/// for the job's schedule.
pub async fn release(db: &Db, replica: &Replica, job: &str) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE job_leases SET holder = '' WHERE job = ? AND holder = ?")
        .bind(job)
        .bind(&replica.id)
        .execute(db)
        .await?;
    Ok(())
}

/// Every job's lease, by job name.
pub async fn list(db: &Db) -> Result<Vec<LeaseRow>, sqlx::Error> {
    crate::db::query_as(
        "SELECT job, holder, acquired_at, pass_started_at, pass_finished_at FROM job_leases
         ORDER BY job",
    )
    .fetch_all(db)
    .await
}
