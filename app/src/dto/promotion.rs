use super::When;
use serde::{Deserialize, Serialize};

/// One environment of the pipeline as seen from a tag: is this digest there already?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineStage {
    pub environment: String,
    pub registry: String,
    pub repository: String,
    pub protected: bool,
    pub is_source: bool,
    /// Tags there on the same digest.
    pub tags: Vec<String>,
    /// Why the viewer may not promote there, if the rules refuse it.
    pub refusal: Option<String>,
}

/// What a promotion will do, shown before confirming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionPreview {
    pub source: String,
    pub target: String,
    pub digest: String,
    pub manifests: usize,
    pub blobs_total: usize,
    pub blobs_present: usize,
    /// Within one registry blobs are mounted: nothing moves.
    pub same_registry: bool,
    pub bytes_to_move: u64,
    /// The target tag points at another digest now: this one.
    pub overwrites: Option<String>,
    /// The target tag already points at this digest.
    pub already_there: bool,
    /// Tags of signatures, attestations, SBOMs copied along.
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionDone {
    pub target_registry: String,
    pub target_repository: String,
    pub target_tag: String,
    pub transfer: Transfer,
    pub duration_ms: u64,
}

/// What a promotion moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Transfer {
    pub bytes_moved: u64,
    pub blobs_mounted: u64,
    pub blobs_copied: u64,
    pub blobs_present: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromotionStatus {
    Running,
    Succeeded,
    Failed,
}

impl PromotionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// One row of the promotion history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub started: When,
    pub actor: String,
    pub source: String,
    pub target_registry: String,
    pub target_repository: String,
    pub target_tag: String,
    pub from_environment: Option<String>,
    pub to_environment: String,
    pub digest: String,
    pub status: PromotionStatus,
    pub error: Option<String>,
    pub duration_ms: Option<u64>,
    pub transfer: Transfer,
    /// Outgoing webhook calls and their state, if any are configured.
    pub webhooks: Vec<WebhookDelivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub webhook: String,
    pub status: String,
    pub last_error: Option<String>,
}

/// A promotion still copying: how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningPromotion {
    pub target: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub blobs_done: u32,
    pub blobs_total: u32,
}

impl RunningPromotion {
    pub fn percent(&self) -> u8 {
        (self.bytes_done * 100)
            .checked_div(self.bytes_total)
            .unwrap_or(0)
            .min(100) as u8
    }
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::promotion::{
        self as domain, Presence, PromotionOutcome, PromotionPlan, PromotionRecord,
    };

    impl From<Presence> for PipelineStage {
        fn from(presence: Presence) -> Self {
            Self {
                environment: presence.environment,
                registry: presence.registry,
                repository: presence.repository,
                protected: presence.protected,
                is_source: presence.is_source,
                tags: presence.tags,
                refusal: presence.refusal,
            }
        }
    }

    impl From<&PromotionPlan> for PromotionPreview {
        fn from(plan: &PromotionPlan) -> Self {
            Self {
                source: plan.source.to_string(),
                target: plan.target.to_string(),
                digest: plan.digest.to_string(),
                manifests: plan.manifests.len(),
                blobs_total: plan.blobs.len(),
                blobs_present: plan.blobs.iter().filter(|b| b.at_target).count(),
                same_registry: plan.same_registry,
                bytes_to_move: plan.bytes_to_move(),
                overwrites: plan.overwrites().map(ToString::to_string),
                already_there: plan.target_current.as_ref() == Some(&plan.digest),
                attachments: plan.attachments.iter().map(|a| a.tag.to_string()).collect(),
            }
        }
    }

    impl From<&PromotionOutcome> for PromotionDone {
        fn from(outcome: &PromotionOutcome) -> Self {
            let target = &outcome.plan.target;
            let report = &outcome.report;
            Self {
                target_registry: target.registry.clone(),
                target_repository: target.repository.to_string(),
                target_tag: target.tag.to_string(),
                transfer: Transfer {
                    bytes_moved: report.bytes_moved,
                    blobs_mounted: report.blobs_mounted.into(),
                    blobs_copied: report.blobs_copied.into(),
                    blobs_present: report.blobs_present.into(),
                },
                duration_ms: outcome.duration_ms.max(0) as u64,
            }
        }
    }

    impl From<domain::PromotionStatus> for PromotionStatus {
        fn from(status: domain::PromotionStatus) -> Self {
            match status {
                domain::PromotionStatus::Running => Self::Running,
                domain::PromotionStatus::Succeeded => Self::Succeeded,
                domain::PromotionStatus::Failed => Self::Failed,
            }
        }
    }

    impl From<PromotionRecord> for PromotionRow {
        fn from(record: PromotionRecord) -> Self {
            Self {
                started: record.started_at.into(),
                actor: record.actor,
                source: format!(
                    "{}/{}:{}",
                    record.source_registry, record.source_repository, record.source_tag
                ),
                target_registry: record.target_registry,
                target_repository: record.target_repository,
                target_tag: record.target_tag,
                from_environment: record.from_environment,
                to_environment: record.to_environment,
                digest: record.digest,
                status: record.status.into(),
                error: record.error,
                duration_ms: record.duration_ms.map(|ms| ms.max(0) as u64),
                transfer: Transfer {
                    bytes_moved: record.bytes_moved.max(0) as u64,
                    blobs_mounted: record.blobs_mounted.max(0) as u64,
                    blobs_copied: record.blobs_copied.max(0) as u64,
                    blobs_present: record.blobs_present.max(0) as u64,
                },
                webhooks: record
                    .webhooks
                    .into_iter()
                    .map(|w| WebhookDelivery {
                        webhook: w.webhook,
                        status: w.status,
                        last_error: w.last_error,
                    })
                    .collect(),
            }
        }
    }

    impl From<regatta_core::promotion::RunningPromotion> for RunningPromotion {
        fn from(running: regatta_core::promotion::RunningPromotion) -> Self {
            Self {
                target: running.target,
                bytes_done: running.bytes_done as u64,
                bytes_total: running.bytes_total as u64,
                blobs_done: running.blobs_done as u32,
                blobs_total: running.blobs_total as u32,
            }
        }
    }
}
