//! How far running deletions are, for the confirmation page to show while a bulk deletion runs
//! (1,000 tags take several seconds). In memory, like promotions'.

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct DeletionProgress {
    /// `registry/repository`.
    pub target: String,
    pub tags_total: u32,
    /// Tags dealt with so far (deleted, skipped or failed).
    pub tags_done: AtomicU32,
}

/// Running deletions by id.
#[derive(Debug, Default)]
pub struct DeletionProgressMap {
    running: Mutex<HashMap<i64, Arc<DeletionProgress>>>,
}

impl DeletionProgressMap {
    pub fn start(&self, id: i64, target: String, tags_total: u32) -> Arc<DeletionProgress> {
        let progress = Arc::new(DeletionProgress {
            target,
            tags_total,
            ..DeletionProgress::default()
        });
        self.lock().insert(id, progress.clone());
        progress
    }

    pub fn finish(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// Every running deletion, oldest first.
    pub fn running(&self) -> Vec<Arc<DeletionProgress>> {
        let mut running: Vec<_> = self.lock().iter().map(|(id, p)| (*id, p.clone())).collect();
        running.sort_by_key(|(id, _)| *id);
        running.into_iter().map(|(_, progress)| progress).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<DeletionProgress>>> {
        self.running.lock().expect("progress lock")
    }
}
