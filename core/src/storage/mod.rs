//! Storage accounting from the index: what a registry holds, per environment, namespace and
//! repository, counted the way a registry's storage counts it (a blob once, however many
//! images use it), and what deleting a set of tags would free once garbage collection runs.
//! Deletion, retention and garbage collection previews call [`bytes_freed_by`].

mod accounting;
mod alerts;
mod details;
mod estimate;
mod graph;
mod history;
mod history_csv;
mod snapshots;

pub use accounting::{
    bytes_freed_by, storage_accounting, usage_by, Grouping, RegistryAccount, ScopeUsage, Usage,
};
pub use alerts::{active_alerts, check_thresholds, recent_alerts, StorageAlert};
pub use details::{
    latest_details, LayerUse, StorageDetails, UntaggedManifest, UntaggedShare, UnusedShare,
    UnusedTag,
};
pub use estimate::{load_estimate, ESTIMATED_DAYS};
pub use graph::{GraphTag, RegistryGraph};
pub use history::{
    growth_per_day, recent_stored_bytes, storage_history, Grower, Range, RegistryHistory,
    MAX_PARTS, OTHER_PART,
};
pub use history_csv::history_csv;
pub use snapshots::{
    downsample, format_taken_at, snapshot_soon, take_snapshot, SnapshotReport,
    FULL_RESOLUTION_DAYS, KEPT_DAYS, TOP_REPOSITORIES,
};
