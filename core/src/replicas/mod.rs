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
