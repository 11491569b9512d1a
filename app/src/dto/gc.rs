use super::When;
use serde::{Deserialize, Serialize};

/// The /gc page: each registry's driver, maintenance state and prediction, and the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcOverview {
    pub registries: Vec<GcRegistry>,
    pub runs: Vec<GcRunItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcRegistry {
    pub name: String,
    /// Why Regatta does not collect this registry (no driver), when it does not.
    pub not_run_because: Option<String>,
    /// The registry is read-only for a collection since then.
    pub maintenance_since: Option<When>,
    pub running: Option<GcProgressItem>,
    pub prediction: Option<GcPredictionItem>,
    /// (schedule, untagged cleanup, set in the settings file).
    pub schedule: Option<(String, bool, bool)>,
    /// A `harbor` registry: Harbor's own latest GC jobs (those its schedule or UI started
    /// too), or why they could not be read.
    pub harbor_jobs: Option<Result<Vec<HarborJobItem>, String>>,
    /// Admins of this registry run collections; its maintainers see predictions and history.
    pub may_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarborJobItem {
    pub id: i64,
    /// Manual or Schedule.
    pub kind: String,
    pub status: String,
    pub created: Option<When>,
    pub freed_bytes: Option<u64>,
}

/// What a collection would free, from the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcPredictionItem {
    /// Released by deletions already made: freed by any collection.
    pub released_blobs: u64,
    pub released_bytes: u64,
    /// Freed only with the untagged cleanup.
    pub untagged_manifests: u64,
    pub untagged_bytes: u64,
    /// (repository, blobs, bytes), most first; `None`: found unreferenced by a crawl.
    pub repositories: Vec<(Option<String>, u64, u64)>,
    /// Trash entries the collection makes unrestorable: (id, `repository:tag`).
    pub trash_lost: Vec<(i64, String)>,
}

/// A collection running now, and the step it is at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcProgressItem {
    pub registry: String,
    pub run_id: Option<i64>,
    pub stage: String,
    pub started_at: When,
}

/// One run as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcRunItem {
    pub id: i64,
    pub registry: String,
    pub trigger: String,
    pub dry_run: bool,
    pub untagged_cleanup: bool,
    pub status: String,
    pub started_at: When,
    pub duration_ms: Option<i64>,
    pub read_only_ms: Option<i64>,
    pub predicted_blobs: i64,
    pub predicted_bytes: i64,
    pub untagged_deleted: i64,
    pub blobs_marked: Option<i64>,
    pub blobs_eligible: Option<i64>,
    pub manifests_eligible: Option<i64>,
    pub blobs_deleted: Option<i64>,
    pub bytes_freed: Option<i64>,
    /// How much the registry's blob store shrank (when Regatta can read it).
    pub storage_freed: Option<i64>,
    pub error: Option<String>,
}

/// One run with its full log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcRunDetails {
    pub run: GcRunItem,
    pub log: String,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::gc::{GcPrediction, GcProgress, GcRun};

    impl From<&GcRun> for GcRunItem {
        fn from(run: &GcRun) -> Self {
            Self {
                id: run.id,
                registry: run.registry.clone(),
                trigger: run.trigger.clone(),
                dry_run: run.dry_run,
                untagged_cleanup: run.untagged_cleanup,
                status: run.status.clone(),
                started_at: run.started_at.into(),
                duration_ms: run.duration_ms,
                read_only_ms: run.read_only_ms,
                predicted_blobs: run.predicted_blobs,
                predicted_bytes: run.predicted_bytes,
                untagged_deleted: run.untagged_deleted,
                blobs_marked: run.blobs_marked,
                blobs_eligible: run.blobs_eligible,
                manifests_eligible: run.manifests_eligible,
                blobs_deleted: run.blobs_deleted,
                bytes_freed: run.bytes_freed,
                storage_freed: run
                    .storage_before
                    .zip(run.storage_after)
                    .map(|(b, a)| b - a),
                error: run.error.clone(),
            }
        }
    }

    impl From<&GcPrediction> for GcPredictionItem {
        fn from(prediction: &GcPrediction) -> Self {
            Self {
                released_blobs: prediction.released_blobs,
                released_bytes: prediction.released_bytes,
                untagged_manifests: prediction.untagged.len() as u64,
                untagged_bytes: prediction.untagged_bytes,
                repositories: prediction
                    .repositories
                    .iter()
                    .take(20)
                    .map(|r| (r.repository.clone(), r.blobs, r.bytes))
                    .collect(),
                trash_lost: prediction
                    .trash_lost
                    .iter()
                    .map(|t| (t.trash_id, format!("{}:{}", t.repository, t.tag)))
                    .collect(),
            }
        }
    }

    impl From<&regatta_core::gc::HarborJob> for HarborJobItem {
        fn from(job: &regatta_core::gc::HarborJob) -> Self {
            Self {
                id: job.id,
                kind: job.job_kind.clone().unwrap_or_default(),
                status: job.job_status.clone(),
                created: job.creation_time.map(Into::into),
                freed_bytes: job.freed().freed_space,
            }
        }
    }

    impl From<&GcProgress> for GcProgressItem {
        fn from(progress: &GcProgress) -> Self {
            Self {
                registry: progress.registry.clone(),
                run_id: progress.run_id,
                stage: progress.stage.clone(),
                started_at: progress.started_at.into(),
            }
        }
    }
}
