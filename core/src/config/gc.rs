//! `[registry.gc]`: how Regatta runs a registry's garbage collection, if it does.

use serde::Deserialize;
use std::path::PathBuf;

/// A registry's garbage collection driver and its safety settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcConfig {
    pub kind: GcKind,
    /// `command`: makes the registry read-only (e.g. restarts it with
    /// `storage.maintenance.readonly.enabled: true`). Optional, but without it a push during
    /// the collection can lose blobs.
    pub maintenance_on: Option<String>,
    /// `command`: the collection itself; `{dry_run}` becomes `--dry-run` or nothing.
    pub collect: Option<String>,
    /// `command`: makes the registry writable again. Always run once `maintenance_on` ran,
    /// also after a failure or a timeout.
    pub maintenance_off: Option<String>,
    #[serde(default = "default_maintenance_timeout")]
    pub maintenance_timeout_seconds: u64,
    #[serde(default = "default_collect_timeout")]
    pub collect_timeout_seconds: u64,
    /// The registry's storage directory, when Regatta's host can read it: its size before and
    /// after a run is recorded as the bytes really freed.
    pub storage_path: Option<PathBuf>,
    /// Untagged cleanup deletes untagged manifests Regatta has known for at least this long.
    #[serde(default = "default_untagged_grace_hours")]
    pub untagged_grace_hours: u64,
    /// How long Regatta's own writes (promotions, deletions, restores) wait for a maintenance
    /// window to end before failing.
    #[serde(default = "default_writes_wait")]
    pub writes_wait_seconds: u64,
    /// Runs by itself: `sun 03:00`, `daily 03:00` (UTC) or `every 6h`. Without it, admins may
    /// set one on the /gc page.
    pub schedule: Option<String>,
    /// Scheduled runs do the untagged cleanup first.
    #[serde(default)]
    pub schedule_untagged: bool,
    /// `harbor`: the Harbor API's user, and the variable holding its password (a system admin
    /// or robot account with the GC permission); otherwise the registry's own credentials.
    pub harbor_username: Option<String>,
    pub harbor_password_env: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GcKind {
    /// Commands on Regatta's host (CNCF distribution: `registry garbage-collect`).
    Command,
    /// Harbor's `/api/v2.0/system/gc` API.
    Harbor,
}

fn default_maintenance_timeout() -> u64 {
    120
}

fn default_collect_timeout() -> u64 {
    3600
}

fn default_untagged_grace_hours() -> u64 {
    24
}

fn default_writes_wait() -> u64 {
    900
}

impl GcConfig {
    /// What is wrong with this driver's settings, if anything.
    pub fn problem(&self) -> Option<String> {
        if let Some(Err(error)) = self
            .schedule
            .as_deref()
            .map(crate::schedule::Schedule::parse)
        {
            return Some(error);
        }
        let problem = match self.kind {
            GcKind::Command if self.collect.is_none() => Some("kind = \"command\" needs `collect`"),
            GcKind::Command if self.maintenance_on.is_some() != self.maintenance_off.is_some() => {
                Some("`maintenance_on` and `maintenance_off` go together")
            }
            GcKind::Harbor
                if self.collect.is_some()
                    || self.maintenance_on.is_some()
                    || self.maintenance_off.is_some() =>
            {
                Some("kind = \"harbor\" runs through Harbor's API: no commands")
            }
            GcKind::Harbor
                if self.harbor_username.is_some() != self.harbor_password_env.is_some() =>
            {
                Some("`harbor_username` and `harbor_password_env` go together")
            }
            _ => None,
        };
        problem.map(str::to_string)
    }
}
