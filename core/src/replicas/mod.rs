//! Several Regatta processes may share one database: replicas behind a load balancer, or the
//! old and the new process of a rolling restart. Each registers itself here and writes a
//! heartbeat; one not seen for `replicas.lease_seconds` is taken as dead. Background jobs are
//! held by one live replica at a time ([`leases`]), and work a dead replica left running is
//! ended by the ones that live on ([`crate::replicas::interrupted`]).
//!
//! Times in these tables are Unix milliseconds from each replica's clock: replicas on several
//! hosts need their clocks synchronised (NTP) to well within the lease time.

pub mod heartbeat;
pub mod interrupted;
pub mod leases;

use std::time::Duration;
use time::OffsetDateTime;

/// This process, as the other replicas see it.
#[derive(Debug, Clone)]
pub struct Replica {
    /// `host:pid:random`, unique across restarts and hosts.
    pub id: String,
    pub host: String,
    pub started_at: i64,
    /// A replica unseen for this long is dead: its jobs move, its running work is ended.
    pub lease: Duration,
}

impl Replica {
    pub fn new(lease: Duration, now: OffsetDateTime) -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|name| name.trim().to_string())
            .ok()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "unknown-host".into());
        let suffix: u32 = rand::random();
        Self {
            id: format!("{host}:{}:{suffix:08x}", std::process::id()),
            host,
            started_at: unix_ms(now),
            lease,
        }
    }

    /// How often the heartbeat is written and leases are checked: a third of the lease, so
    /// two missed beats still leave the replica alive.
    pub fn beat_every(&self) -> Duration {
        self.lease / 3
    }

    /// Heartbeats older than this (in Unix ms, at `now`) are a dead replica's.
    pub fn alive_since(&self, now: OffsetDateTime) -> i64 {
        unix_ms(now) - self.lease.as_millis() as i64
    }
}

pub fn unix_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A live replica as operators see it: where it runs and which background jobs it holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaStatus {
    pub replica: heartbeat::ReplicaRow,
    pub this_one: bool,
    pub jobs: Vec<String>,
}

/// The live servers among the replicas, oldest first, with their jobs (admins). CLI commands
/// are replicas too (their running work must count as alive) but listen nowhere: not listed.
pub async fn cluster(
    services: &crate::Services,
    user: &crate::users::User,
) -> Result<Vec<ReplicaStatus>, crate::DomainError> {
    crate::auth::require_role(user, crate::users::Role::Admin)?;
    let now = services.clock.now();
    let alive = heartbeat::alive(&services.db, &services.replica, now).await?;
    let leases = leases::list(&services.db).await?;
    Ok(alive
        .into_iter()
        .filter(|replica| !replica.listen.is_empty())
        .map(|replica| ReplicaStatus {
            this_one: replica.id == services.replica.id,
            jobs: (leases.iter())
                .filter(|lease| lease.holder == replica.id)
                .map(|lease| lease.job.clone())
                .collect(),
            replica,
        })
        .collect())
}
