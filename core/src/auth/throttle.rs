//! Slows password guessing, counted two ways at once:
//! - per client address (IPv6 by /64, which one machine can rotate within): after 5 failures
//!   each further attempt waits twice as long as the last, 1 s up to 15 min;
//! - per account, from anywhere (the guesser who rotates addresses): after 10 failures, waits
//!   doubling up to 1 min only, so a stranger can slow a colleague down but never lock them out.
//!
//! An attempt is counted as a failure when it starts, under the same lock that checked it, and
//! taken back if it succeeds: parallel guesses see each other (checking first and recording
//! after the 19 MiB argon2 hash let a burst of requests all through). Hashing itself is capped
//! by a semaphore (per process). The counts are in the database (`login_failures`), so they hold
//! across replicas: a guesser gains nothing by spreading requests over them. Idle entries go
//! after an hour; a flood of addresses is bounded by the hashing cap (~80 attempts a second).

use crate::clock::SharedClock;
use crate::db::Db;
use crate::replicas::unix_ms;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::Semaphore;

const ADDRESS: Policy = Policy {
    free_attempts: 5,
    max_wait: Duration::from_secs(15 * 60),
};
const ACCOUNT: Policy = Policy {
    free_attempts: 10,
    max_wait: Duration::from_secs(60),
};
/// Entries idle this long are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Password hashes at once: each takes 19 MiB and a core for ~50 ms.
pub const CONCURRENT_HASHES: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Policy {
    free_attempts: u32,
    max_wait: Duration,
}

impl Policy {
    fn wait_after(self, failures: u32) -> Duration {
        if failures < self.free_attempts {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_attempts).min(20);
        Duration::from_secs(1 << doublings).min(self.max_wait)
    }
}

#[derive(Debug)]
pub struct LoginThrottle {
    clock: SharedClock,
    /// Held while a password is hashed.
    pub hashing: Semaphore,
}

/// One login attempt under way, already counted as a failure until [`LoginThrottle::succeeded`].
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: String,
}

impl LoginThrottle {
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            hashing: Semaphore::new(CONCURRENT_HASHES),
        }
    }

    /// Starts an attempt for `account` (a valid, lower-case username, or `None` for a name that
    /// cannot exist) from `address`; `Ok(Err(seconds to wait))` while either must wait.
    pub async fn begin(
        &self,
        db: &Db,
        account: Option<&str>,
        address: &str,
    ) -> Result<Result<Attempt, u64>, sqlx::Error> {
        let now = unix_ms(self.clock.now());
        let address = address_key(address);
        let account = account.map(str::to_string).unwrap_or_default();
        // One write transaction checks and counts: attempts in flight on any replica see
        // each other.
        let mut tx = crate::db::begin_write(db).await?;
        let counted: Vec<(String, i64, i64)> = crate::db::query_as(
            "SELECT kind, count, last_at FROM login_failures
             WHERE (kind = 'address' AND key = ?) OR (kind = 'account' AND key = ?)",
        )
        .bind(&address)
        .bind(&account)
        .fetch_all(&mut tx)
        .await?;
        let wait = counted
            .iter()
            .map(|(kind, count, last_at)| {
                let policy = if kind == "address" { ADDRESS } else { ACCOUNT };
                ready_in(policy, *count, *last_at, now)
            })
            .max()
            .unwrap_or(0);
        if wait > 0 {
            return Ok(Err(wait));
        }
        crate::db::query("DELETE FROM login_failures WHERE last_at < ?")
            .bind(now - FORGET_AFTER.as_millis() as i64)
            .execute(&mut tx)
            .await?;
        let keys = [("address", &address), ("account", &account)];
        for (kind, key) in keys.into_iter().filter(|(_, key)| !key.is_empty()) {
            crate::db::query(
                "INSERT INTO login_failures (kind, key, count, last_at) VALUES (?, ?, 1, ?)
                 ON CONFLICT (kind, key) DO UPDATE SET count = login_failures.count + 1,
                                                       last_at = excluded.last_at",
            )
            .bind(kind)
            .bind(key)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(Attempt { account, address }))
    }

    /// The attempt logged in: the account starts afresh, and the address gets its try back.
    pub async fn succeeded(&self, db: &Db, attempt: Attempt) -> Result<(), sqlx::Error> {
        crate::db::query("DELETE FROM login_failures WHERE kind = 'account' AND key = ?")
            .bind(&attempt.account)
            .execute(db)
            .await?;
        crate::db::query(
            "UPDATE login_failures SET count = CASE WHEN count > 0 THEN count - 1 ELSE 0 END
             WHERE kind = 'address' AND key = ?",
        )
        .bind(&attempt.address)
        .execute(db)
        .await?;
        Ok(())
    }
}

/// Seconds until `policy` lets the next attempt through after `failures`, the last at `last_at`.
fn ready_in(policy: Policy, failures: i64, last_at: i64, now: i64) -> u64 {
    let wait = policy.wait_after(failures.clamp(0, i64::from(u32::MAX)) as u32);
    // A free attempt is free even when the last one is stamped later than `now`: an attempt
    // that read its clock, then waited for the write lock behind a later one (or a replica
    // whose clock runs ahead) must not be throttled for it.
    if wait.is_zero() {
        return 0;
    }
    let ready_at = last_at + wait.as_millis() as i64;
    match now >= ready_at {
        true => 0,
        false => ((ready_at - now) / 1000).max(1) as u64,
    }
}

/// IPv4 by address, IPv6 by its /64 (one host or one customer's network), IPv4-mapped IPv6 as
/// the IPv4 address it is.
fn address_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::Arc;

    /// Two throttles (two replicas) on one database, on one hand-moved clock.
    async fn throttles() -> (
        tempfile::TempDir,
        Db,
        Arc<ManualClock>,
        LoginThrottle,
        LoginThrottle,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::connect_and_migrate(&dir.path().join("t.db"))
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH));
        let (a, b) = (
            LoginThrottle::new(clock.clone()),
            LoginThrottle::new(clock.clone()),
        );
        (dir, db, clock, a, b)
    }

    async fn try_login(
        throttle: &LoginThrottle,
        db: &Db,
        account: Option<&str>,
        address: &str,
    ) -> Result<Attempt, u64> {
        throttle.begin(db, account, address).await.unwrap()
    }

    #[test]
    fn a_free_attempt_is_not_held_back_by_a_later_stamped_one() {
        let now = 1_000_000;
        assert_eq!(ready_in(ADDRESS, 4, now + 700, now), 0);
        assert_eq!(
            ready_in(ADDRESS, 5, now + 700, now),
            1,
            "past the free ones it waits"
        );
    }

    #[tokio::test]
    async fn attempts_in_flight_count_so_a_burst_cannot_pass_together_on_any_replica() {
        let (_dir, db, clock, a, b) = throttles().await;
        // Six started at once, none finished, spread over two replicas: the sixth waits.
        let mut started = Vec::new();
        for i in 0..6 {
            let replica = if i % 2 == 0 { &a } else { &b };
            started.push(try_login(replica, &db, Some("ann"), "1.2.3.4").await);
        }
        assert!(started[..5].iter().all(Result::is_ok));
        assert_eq!(started[5].as_ref().unwrap_err(), &1);
        clock.advance(time::Duration::seconds(1));
        assert!(try_login(&a, &db, Some("ann"), "1.2.3.4").await.is_ok());
        assert_eq!(
            try_login(&b, &db, Some("ann"), "1.2.3.4")
                .await
                .unwrap_err(),
            2
        );
        assert!(
            try_login(&a, &db, Some("ann"), "5.6.7.8").await.is_ok(),
            "another address is not slowed before the account's own limit"
        );
    }

    #[tokio::test]
    async fn an_ipv6_host_cannot_escape_by_rotating_within_its_64() {
        let (_dir, db, _clock, a, _b) = throttles().await;
        for i in 0..5 {
            try_login(&a, &db, None, &format!("2001:db8:1:2::{i:x}"))
                .await
                .unwrap();
        }
        assert!(try_login(&a, &db, None, "2001:db8:1:2:ffff::1")
            .await
            .is_err());
        assert!(try_login(&a, &db, None, "2001:db8:1:3::1").await.is_ok());
        for _ in 0..5 {
            let _ = try_login(&a, &db, None, "::ffff:10.0.0.1").await;
        }
        assert!(
            try_login(&a, &db, None, "10.0.0.1").await.is_err(),
            "mapped is the same host"
        );
    }

    #[tokio::test]
    async fn guesses_from_everywhere_slow_an_account_but_never_lock_it_out_for_long() {
        let (_dir, db, clock, a, b) = throttles().await;
        let mut waits = Vec::new();
        for i in 0..200 {
            // Each from a new address and alternating replicas, waiting out whatever the
            // account must wait.
            let address = format!("10.1.{}.{}", i / 250, i % 250);
            let replica = if i % 2 == 0 { &a } else { &b };
            if let Err(wait) = try_login(replica, &db, Some("admin"), &address).await {
                waits.push(wait);
                clock.advance(time::Duration::seconds(wait as i64));
            }
        }
        assert!(
            waits.iter().all(|w| *w <= ACCOUNT.max_wait.as_secs()),
            "{waits:?}"
        );
        assert!(waits.contains(&ACCOUNT.max_wait.as_secs()));
    }

    #[tokio::test]
    async fn a_success_forgives_the_account_and_gives_the_address_its_try_back() {
        let (_dir, db, clock, a, b) = throttles().await;
        for _ in 0..4 {
            try_login(&a, &db, Some("bob"), "::1").await.unwrap();
        }
        let attempt = try_login(&b, &db, Some("bob"), "::1").await.unwrap();
        b.succeeded(&db, attempt).await.unwrap();
        assert!(
            try_login(&a, &db, Some("bob"), "::1").await.is_ok(),
            "the fifth try is free again"
        );
        assert!(try_login(&a, &db, Some("bob"), "::1").await.is_err());
        // An hour later, forgotten.
        clock.advance(time::Duration::hours(1) + time::Duration::seconds(1));
        assert!(try_login(&b, &db, Some("bob"), "::1").await.is_ok());
        let rows: i64 = crate::db::query_scalar("SELECT COUNT(*) FROM login_failures")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(rows, 2, "only the new attempt's two rows are left");
    }
}
