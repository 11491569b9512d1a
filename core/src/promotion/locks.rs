//! Serialising promotions that write the same tag.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One async lock per promotion target (`registry/repository:tag`), so two promotions to the
/// same tag run one after the other. Entries stay: one per target ever promoted to.
#[derive(Debug, Default)]
pub struct TargetLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl TargetLocks {
    /// The target's lock, and whether another promotion held it (then what it planned may be
    /// out of date).
    pub async fn lock(&self, target: String) -> (tokio::sync::OwnedMutexGuard<()>, bool) {
        let lock = self
            .locks
            .lock()
            .expect("target locks")
            .entry(target)
            .or_default()
            .clone();
        match lock.clone().try_lock_owned() {
            Ok(guard) => (guard, false),
            Err(_) => (lock.lock_owned().await, true),
        }
    }
}
