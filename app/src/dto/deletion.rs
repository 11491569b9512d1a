use super::When;
use serde::{Deserialize, Serialize};

/// What a deletion would do, for its confirmation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionPreview {
    pub registry: String,
    pub repository: String,
    pub whole_repository: bool,
    pub tags: Vec<PlannedTagItem>,
    /// Asked for, but not in the index.
    pub unknown: Vec<String>,
    /// What garbage collection frees once these tags are gone.
    pub bytes_freed: u64,
    /// In a protected or immutable-tag environment: what must be typed to confirm.
    pub confirmation: Option<String>,
    /// Of what the preview shows; the deletion refuses when its own differs.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTagItem {
    pub tag: String,
    pub digest: String,
    pub size_bytes: u64,
    /// Tags on the same image that stay.
    pub siblings_kept: Vec<String>,
    /// The image (manifest) is deleted too.
    pub image_goes: bool,
    /// Platform images of an index that go with it.
    pub platforms_going: usize,
}

/// What a deletion did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionDone {
    pub id: i64,
    pub deleted: Vec<String>,
    /// (tag, why)
    pub skipped: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    pub bytes_freed: u64,
}

/// A deletion running now, and how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningDeletion {
    /// `registry/repository`.
    pub target: String,
    pub tags_total: u32,
    pub tags_done: u32,
}

/// A deleted tag in the trash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashItem {
    pub id: i64,
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub size_bytes: u64,
    pub image_deleted: bool,
    pub deleted_by: String,
    pub deleted_from: String,
    pub deleted_at: When,
    pub expires_at: When,
    pub restored_at: Option<When>,
    pub restored_by: Option<String>,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::deletion::{
        DeletionPlan, DeletionProgress, DeletionReport, TagResult, TrashEntry,
    };

    impl From<&DeletionProgress> for RunningDeletion {
        fn from(p: &DeletionProgress) -> Self {
            Self {
                target: p.target.clone(),
                tags_total: p.tags_total,
                tags_done: p.tags_done.load(std::sync::atomic::Ordering::Relaxed),
            }
        }
    }

    impl From<&DeletionPlan> for DeletionPreview {
        fn from(plan: &DeletionPlan) -> Self {
            Self {
                registry: plan.registry.clone(),
                repository: plan.repository.clone(),
                whole_repository: plan.whole_repository,
                tags: plan
                    .tags
                    .iter()
                    .map(|t| PlannedTagItem {
                        tag: t.tag.clone(),
                        digest: t.digest.clone(),
                        size_bytes: t.size_bytes,
                        siblings_kept: t.siblings_kept.clone(),
                        image_goes: t.image_goes,
                        platforms_going: t.platforms_going.len(),
                    })
                    .collect(),
                unknown: plan.unknown.clone(),
                bytes_freed: plan.bytes_freed,
                confirmation: plan.confirmation.clone(),
                fingerprint: plan.fingerprint.clone(),
            }
        }
    }

    impl From<&DeletionReport> for DeletionDone {
        fn from(report: &DeletionReport) -> Self {
            let mut done = Self {
                id: report.id,
                deleted: Vec::new(),
                skipped: Vec::new(),
                failed: Vec::new(),
                bytes_freed: report.bytes_freed,
            };
            for outcome in &report.outcomes {
                let tag = outcome.tag.clone();
                match &outcome.result {
                    TagResult::Deleted { .. } => done.deleted.push(tag),
                    TagResult::Skipped(why) => done.skipped.push((tag, why.clone())),
                    TagResult::Failed(why) => done.failed.push((tag, why.clone())),
                }
            }
            done
        }
    }

    impl From<TrashEntry> for TrashItem {
        fn from(e: TrashEntry) -> Self {
            Self {
                id: e.id,
                registry: e.registry,
                repository: e.repository,
                tag: e.tag,
                digest: e.digest,
                size_bytes: e.size_bytes.max(0) as u64,
                image_deleted: e.image_deleted,
                deleted_by: e.deleted_by,
                deleted_from: e.deleted_from,
                deleted_at: e.deleted_at.into(),
                expires_at: e.expires_at.into(),
                restored_at: e.restored_at.map(Into::into),
                restored_by: e.restored_by,
            }
        }
    }
}
