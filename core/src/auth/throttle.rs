//! Slows password guessing: after a few failures for one username from one address, each
//! further attempt must wait twice as long as the last (1 s, 2 s, 4 s, … up to 15 min).
//! Keyed by username *and* address so a stranger cannot lock a colleague out from elsewhere.
//! Kept in memory: a restart forgives, which is acceptable for a rate limit.

use crate::clock::SharedClock;
use std::{collections::HashMap, sync::Mutex, time::Duration};
use time::OffsetDateTime;

/// Failures allowed before any waiting is imposed.
const FREE_ATTEMPTS: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries idle this long are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
pub struct LoginThrottle {
    clock: SharedClock,
    failures: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: OffsetDateTime,
}

impl LoginThrottle {
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` while `key` must wait before trying again.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = self.clock.now();
        let failures = self.failures.lock().expect("throttle lock");
        let Some(entry) = failures.get(key) else {
            return Ok(());
        };
        let ready_at = entry.last + wait_after(entry.count);
        if now >= ready_at {
            Ok(())
        } else {
            Err((ready_at - now).whole_seconds().max(1) as u64)
        }
    }

    pub fn record_failure(&self, key: &str) {
        let now = self.clock.now();
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, f| now - f.last < FORGET_AFTER);
        let entry = failures.entry(key.to_string()).or_insert(Failures {
            count: 0,
            last: now,
        });
        entry.count += 1;
        entry.last = now;
    }

    pub fn record_success(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

fn wait_after(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(20);
    Duration::from_secs(1 << doublings).min(MAX_WAIT)
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
    fn the_first_failures_are_free_then_waits_double() {
        let (clock, throttle) = throttle();
        for _ in 0..FREE_ATTEMPTS - 1 {
            throttle.record_failure("ann|1.2.3.4");
            assert_eq!(throttle.check("ann|1.2.3.4"), Ok(()));
        }
        throttle.record_failure("ann|1.2.3.4");
        assert_eq!(throttle.check("ann|1.2.3.4"), Err(1));
        throttle.record_failure("ann|1.2.3.4");
        assert_eq!(throttle.check("ann|1.2.3.4"), Err(2));
        *clock.0.lock().unwrap() += Duration::from_secs(2);
        assert_eq!(throttle.check("ann|1.2.3.4"), Ok(()));
        assert_eq!(
            throttle.check("ann|5.6.7.8"),
            Ok(()),
            "other addresses are not affected"
        );
    }

    #[test]
    fn a_success_forgives_and_waits_are_capped() {
        let (_clock, throttle) = throttle();
        for _ in 0..40 {
            throttle.record_failure("bob|::1");
        }
        assert_eq!(throttle.check("bob|::1"), Err(MAX_WAIT.as_secs()));
        throttle.record_success("bob|::1");
        assert_eq!(throttle.check("bob|::1"), Ok(()));
    }
}
