//! Serialising promotions that write the same tag, in this process and across replicas.

use crate::db::Db;
use crate::replicas::unix_ms;
use crate::Services;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One async lock per promotion target (`registry/repository:tag`), so two promotions to the
/// same tag run one after the other. Entries stay: one per target ever promoted to.
#[derive(Debug, Default)]
pub struct TargetLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while a promotion writes its target; dropping it lets the next one in.
#[derive(Debug)]
pub struct TargetGuard {
    _local: tokio::sync::OwnedMutexGuard<()>,
    db: Db,
    target: String,
    token: i64,
}

impl Drop for TargetGuard {
    fn drop(&mut self) {
        let (db, target, token) = (self.db.clone(), self.target.clone(), self.token);
        // The row of a replica that dies with it counts for nothing once the replica is dead.
        tokio::spawn(async move {
            let released = crate::db::query(
                "DELETE FROM promotion_target_locks WHERE target = ? AND token = ?",
            )
            .bind(&target)
            .bind(token)
            .execute(&db)
            .await;
            if let Err(error) = released {
                tracing::warn!(%error, target, "could not release a promotion target");
            }
        });
    }
}

/// Takes `target` for one promotion: first among this process's promotions, then among the
/// replicas' (a row in `promotion_target_locks`, taken over only from a dead replica). Also
/// says whether another promotion held it (then what was planned may be out of date).
pub async fn lock_target(
    services: &Services,
    target: String,
) -> Result<(TargetGuard, bool), sqlx::Error> {
    let lock = services
        .promotion_locks
        .locks
        .lock()
        .expect("target locks")
        .entry(target.clone())
        .or_default()
        .clone();
    let (local, mut waited) = match lock.clone().try_lock_owned() {
        Ok(guard) => (guard, false),
        Err(_) => (lock.lock_owned().await, true),
    };
    let token: i64 = rand::random::<u32>().into();
    let mut pause = Duration::from_millis(20);
    loop {
        let now = services.clock.now();
        // This replica's own row is stale (its release failed): the local lock is what counts
        // between this replica's promotions.
        let taken = crate::db::query(
            "INSERT INTO promotion_target_locks (target, holder, token, acquired_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (target) DO UPDATE SET
                 holder = excluded.holder, token = excluded.token, acquired_at = excluded.acquired_at
             WHERE promotion_target_locks.holder = excluded.holder
                OR NOT EXISTS (SELECT 1 FROM replicas r
                               WHERE r.id = promotion_target_locks.holder
                                 AND r.stopped_at IS NULL AND r.seen_at >= ?5)",
        )
        .bind(&target)
        .bind(&services.replica.id)
        .bind(token)
        .bind(unix_ms(now))
        .bind(services.replica.alive_since(now))
        .execute(&services.db)
        .await?;
        if taken.rows_affected() == 1 {
            break;
        }
        waited = true;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    let guard = TargetGuard {
        _local: local,
        db: services.db.clone(),
        target,
        token,
    };
    Ok((guard, waited))
}
