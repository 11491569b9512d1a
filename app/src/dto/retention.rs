use super::When;
use serde::{Deserialize, Serialize};

/// The /retention page: policies, and the latest previews and runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOverview {
    pub policies: Vec<PolicyItem>,
    pub runs: Vec<RunItem>,
    /// Maintainers and admins preview, run and edit.
    pub may_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyItem {
    pub name: String,
    pub registry: String,
    pub environment: Option<String>,
    pub repositories: Vec<String>,
    pub exclude_repositories: Vec<String>,
    pub most_recent: Option<u32>,
    pub pushed_within_days: Option<u32>,
    pub pulled_within_days: Option<u32>,
    pub tags: Vec<String>,
    pub tags_regex: Vec<String>,
    pub promoted: bool,
    pub schedule: Option<String>,
    pub managed_by_config: bool,
}

impl PolicyItem {
    /// The keep rules in a line: "2 most recent images; tags v*.*.*, latest; promoted".
    pub fn keeps(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.most_recent {
            parts.push(format!("{n} most recent images"));
        }
        if let Some(days) = self.pushed_within_days {
            parts.push(format!("pushed within {days} d"));
        }
        if let Some(days) = self.pulled_within_days {
            parts.push(format!("pulled within {days} d"));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tags {}", self.tags.join(", ")));
        }
        if !self.tags_regex.is_empty() {
            parts.push(format!("tags ~ {}", self.tags_regex.join(", ")));
        }
        if self.promoted {
            parts.push("promoted further".into());
        }
        parts.join("; ")
    }
}

/// A preview, and its run when it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunItem {
    pub id: i64,
    pub policy: String,
    pub registry: String,
    pub trigger: String,
    pub requested_by: String,
    pub previewed_at: When,
    /// `previewed` (not run), `running`, `done`, `partial`, `failed`.
    pub status: String,
    pub candidates: i64,
    pub deleted: i64,
    pub skipped: i64,
    pub failed: i64,
    pub bytes_freed: u64,
    pub duration_ms: Option<i64>,
}

/// One preview or run, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDetails {
    pub run: RunItem,
    /// (rule, tags kept by it)
    pub kept_by: Vec<(String, u64)>,
    pub repositories_covered: u64,
    /// (repository, tag, digest, size)
    pub candidates: Vec<(String, String, String, u64)>,
    /// (repository, tag, outcome) once run.
    pub outcomes: Vec<(String, String, String)>,
    pub may_run: bool,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::retention::{PolicyEntry, RunRow};

    impl From<PolicyEntry> for PolicyItem {
        fn from(entry: PolicyEntry) -> Self {
            let p = entry.policy;
            Self {
                name: p.name,
                registry: p.registry,
                environment: p.environment,
                repositories: p.repositories,
                exclude_repositories: p.exclude_repositories,
                most_recent: p.keep.most_recent,
                pushed_within_days: p.keep.pushed_within_days,
                pulled_within_days: p.keep.pulled_within_days,
                tags: p.keep.tags,
                tags_regex: p.keep.tags_regex,
                promoted: p.keep.promoted,
                schedule: p.schedule,
                managed_by_config: entry.managed_by_config,
            }
        }
    }

    impl From<&RunRow> for RunItem {
        fn from(row: &RunRow) -> Self {
            Self {
                id: row.id,
                policy: row.policy.clone(),
                registry: row.registry.clone(),
                trigger: row.trigger.clone(),
                requested_by: row.requested_by.clone(),
                previewed_at: row.previewed_at.into(),
                status: row.status.clone(),
                candidates: row.candidates,
                deleted: row.deleted,
                skipped: row.skipped,
                failed: row.failed,
                bytes_freed: row.bytes_freed.max(0) as u64,
                duration_ms: row.duration_ms,
            }
        }
    }

    impl RunDetails {
        pub fn new(row: &RunRow, may_run: bool) -> Self {
            let outcomes = row.outcomes();
            let (kept_by, covered, candidates) = match row.previewed() {
                Some(p) => (
                    p.kept_by
                        .iter()
                        .map(|(kept, n)| (kept.describe().to_string(), *n))
                        .collect(),
                    p.repositories_covered,
                    p.repositories
                        .into_iter()
                        .flat_map(|r| {
                            let repository = r.repository;
                            r.candidates
                                .into_iter()
                                .map(move |c| (repository.clone(), c.tag, c.digest, c.size_bytes))
                        })
                        .collect(),
                ),
                None => (Vec::new(), 0, Vec::new()),
            };
            Self {
                run: row.into(),
                kept_by,
                repositories_covered: covered,
                candidates,
                outcomes,
                may_run: may_run && row.status == "previewed",
            }
        }
    }
}
