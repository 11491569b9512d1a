//! How far running promotions are, for the UI to poll while a long copy runs. In memory for
//! the replica running it, and written to its row every [`WRITE_EVERY`] for the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex};

/// How often a running promotion's progress is written to its row.
pub const WRITE_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// A running promotion and how far it is, wherever it runs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunningPromotion {
    pub id: i64,
    /// `registry/repository:tag` being written.
    pub target: String,
    pub target_registry: String,
    pub bytes_done: i64,
    pub bytes_total: i64,
    pub blobs_done: i64,
    pub blobs_total: i64,
}

#[derive(Debug, Default)]
pub struct PromotionProgress {
    /// `registry/repository:tag` being written.
    pub target: String,
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
    pub blobs_total: AtomicU32,
    pub blobs_done: AtomicU32,
}

/// Running promotions by id.
#[derive(Debug, Default)]
pub struct PromotionProgressMap {
    running: Mutex<HashMap<i64, Arc<PromotionProgress>>>,
}

impl PromotionProgressMap {
    pub fn start(&self, id: i64, target: String) -> Arc<PromotionProgress> {
        let progress = Arc::new(PromotionProgress {
            target,
            ..PromotionProgress::default()
        });
        self.lock().insert(id, progress.clone());
        progress
    }

    pub fn finish(&self, id: i64) {
        self.lock().remove(&id);
    }

    pub fn get(&self, id: i64) -> Option<Arc<PromotionProgress>> {
        self.lock().get(&id).cloned()
    }

    /// Every running promotion, oldest first.
    pub fn running(&self) -> Vec<(i64, Arc<PromotionProgress>)> {
        let mut running: Vec<_> = self.lock().iter().map(|(id, p)| (*id, p.clone())).collect();
        running.sort_by_key(|(id, _)| *id);
        running
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<PromotionProgress>>> {
        self.running.lock().expect("progress lock")
    }
}
