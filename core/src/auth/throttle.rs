//! Slows password guessing, counted two ways at once:
//! - per client address (IPv6 by /64, which one machine can rotate within): after 5 failures
//!   each further attempt waits twice as long as the last, 1 s up to 15 min;
//! - per account, from anywhere (the guesser who rotates addresses): after 10 failures, waits
//!   doubling up to 1 min only, so a stranger can slow a colleague down but never lock them out.
//!
//! An attempt is counted as a failure when it starts, under the same lock that checked it, and
//! taken back if it succeeds: parallel guesses see each other (checking first and recording
//! after the 19 MiB argon2 hash let a burst of requests all through). Hashing itself is capped
//! by a semaphore. Kept in memory: a restart forgives, which is acceptable for a rate limit.

use crate::clock::SharedClock;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;
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
/// Past this many tracked keys, only those already waiting are kept (address rotation must not
/// grow the map without bound).
const MAX_KEYS: usize = 100_000;
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
    counts: Mutex<Counts>,
    /// Held while a password is hashed.
    pub hashing: Semaphore,
}

#[derive(Debug, Default)]
struct Counts {
    accounts: HashMap<String, Failures>,
    addresses: HashMap<String, Failures>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: OffsetDateTime,
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
            counts: Mutex::default(),
            hashing: Semaphore::new(CONCURRENT_HASHES),
        }
    }

    /// Starts an attempt for `account` (a valid, lower-case username, or `None` for a name that
    /// cannot exist) from `address`; `Err(seconds to wait)` while either must wait.
    pub fn begin(&self, account: Option<&str>, address: &str) -> Result<Attempt, u64> {
        let now = self.clock.now();
        let address = address_key(address);
        let account = account.map(str::to_string).unwrap_or_default();
        let mut counts = self.counts.lock().expect("throttle lock");
        let wait = [
            ready_in(&counts.addresses, &address, ADDRESS, now),
            match account.is_empty() {
                true => 0,
                false => ready_in(&counts.accounts, &account, ACCOUNT, now),
            },
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        if wait > 0 {
            return Err(wait);
        }
        counts.forget_idle(now);
        count_failure(&mut counts.addresses, &address, now);
        if !account.is_empty() {
            count_failure(&mut counts.accounts, &account, now);
        }
        Ok(Attempt { account, address })
    }

    /// The attempt logged in: the account starts afresh, and the address gets its try back.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut counts = self.counts.lock().expect("throttle lock");
        counts.accounts.remove(&attempt.account);
        if let Some(entry) = counts.addresses.get_mut(&attempt.address) {
            entry.count = entry.count.saturating_sub(1);
        }
    }
}

impl Counts {
    fn forget_idle(&mut self, now: OffsetDateTime) {
        for map in [&mut self.accounts, &mut self.addresses] {
            map.retain(|_, f| now - f.last < FORGET_AFTER);
            if map.len() > MAX_KEYS {
                map.retain(|_, f| f.count >= ADDRESS.free_attempts);
            }
        }
    }
}

fn ready_in(
    map: &HashMap<String, Failures>,
    key: &str,
    policy: Policy,
    now: OffsetDateTime,
) -> u64 {
    let Some(entry) = map.get(key) else {
        return 0;
    };
    let ready_at = entry.last + policy.wait_after(entry.count);
    match now >= ready_at {
        true => 0,
        false => (ready_at - now).whole_seconds().max(1) as u64,
    }
}

fn count_failure(map: &mut HashMap<String, Failures>, key: &str, now: OffsetDateTime) {
    let entry = map.entry(key.to_string()).or_insert(Failures {
        count: 0,
        last: now,
    });
    entry.count += 1;
    entry.last = now;
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
    use crate::clock::Clock;
    use std::sync::Arc;

    #[derive(Debug)]
    struct FixedClock(Mutex<OffsetDateTime>);
    impl Clock for FixedClock {
        fn now(&self) -> OffsetDateTime {
            *self.0.lock().unwrap()
        }
    }

    fn throttle() -> (Arc<FixedClock>, LoginThrottle) {
        let clock = Arc::new(FixedClock(Mutex::new(OffsetDateTime::UNIX_EPOCH)));
        (clock.clone(), LoginThrottle::new(clock))
    }

    #[test]
    fn attempts_in_flight_count_so_a_burst_cannot_pass_together() {
        let (clock, throttle) = throttle();
        // Six started at once, none finished: the sixth already waits.
        let started: Vec<_> = (0..6)
            .map(|_| throttle.begin(Some("ann"), "1.2.3.4"))
            .collect();
        assert!(started[..5].iter().all(Result::is_ok));
        assert_eq!(started[5].as_ref().unwrap_err(), &1);
        *clock.0.lock().unwrap() += Duration::from_secs(1);
        assert!(throttle.begin(Some("ann"), "1.2.3.4").is_ok());
        assert_eq!(throttle.begin(Some("ann"), "1.2.3.4").unwrap_err(), 2);
        assert!(
            throttle.begin(Some("ann"), "5.6.7.8").is_ok(),
            "another address is not slowed before the account's own limit"
        );
    }

    #[test]
    fn an_ipv6_host_cannot_escape_by_rotating_within_its_64() {
        let (_clock, throttle) = throttle();
        for i in 0..5 {
            throttle
                .begin(None, &format!("2001:db8:1:2::{i:x}"))
                .unwrap();
        }
        assert!(throttle.begin(None, "2001:db8:1:2:ffff::1").is_err());
        assert!(throttle.begin(None, "2001:db8:1:3::1").is_ok());
        for _ in 0..5 {
            throttle.begin(None, "::ffff:10.0.0.1").ok();
        }
        assert!(
            throttle.begin(None, "10.0.0.1").is_err(),
            "mapped is the same host"
        );
    }

    #[test]
    fn guesses_from_everywhere_slow_an_account_but_never_lock_it_out_for_long() {
        let (clock, throttle) = throttle();
        let mut waits = Vec::new();
        for i in 0..200 {
            // Each from a new address, waiting out whatever the account must wait.
            let address = format!("10.1.{}.{}", i / 250, i % 250);
            match throttle.begin(Some("admin"), &address) {
                Ok(_) => {}
                Err(wait) => {
                    waits.push(wait);
                    *clock.0.lock().unwrap() += Duration::from_secs(wait);
                }
            }
        }
        assert!(
            waits.iter().all(|w| *w <= ACCOUNT.max_wait.as_secs()),
            "{waits:?}"
        );
        assert!(waits.contains(&ACCOUNT.max_wait.as_secs()));
    }

    #[test]
    fn a_success_forgives_the_account_and_gives_the_address_its_try_back() {
        let (_clock, throttle) = throttle();
        for _ in 0..4 {
            throttle.begin(Some("bob"), "::1").unwrap();
        }
        let attempt = throttle.begin(Some("bob"), "::1").unwrap();
        throttle.succeeded(attempt);
        assert!(
            throttle.begin(Some("bob"), "::1").is_ok(),
            "the fifth try is free again"
        );
        assert!(throttle.begin(Some("bob"), "::1").is_err());
    }
}
