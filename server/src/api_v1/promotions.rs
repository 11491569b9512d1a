//! Promotion: the preview (what would be copied, what it costs), the promotion itself (a
//! server task: the call waits for it, a dropped connection does not stop it), the history
//! and what is running. The pipeline rules are the domain's, as for the button.

use super::auth::Caller;
use super::error::{ApiResult, Body, Params};
use axum::extract::State;
use axum::Json;
use regatta_core::promotion::{self, PromotionPlan, PromotionRequest};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct PromotionBody {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    /// The environment to promote into.
    pub to_environment: String,
    /// The tag to write there; the source's tag by default.
    pub target_tag: Option<String>,
    /// Also copy signatures, attestations and SBOMs attached to the digest.
    #[serde(default)]
    pub with_attachments: bool,
}

impl From<PromotionBody> for PromotionRequest {
    fn from(body: PromotionBody) -> Self {
        Self {
            registry: body.registry,
            repository: body.repository,
            tag: body.tag,
            to_environment: body.to_environment,
            target_tag: body.target_tag,
            with_attachments: body.with_attachments,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanItem {
    /// `registry/repository:tag`.
    pub source: String,
    pub target: String,
    pub from_environment: Option<String>,
    pub to_environment: String,
    pub digest: String,
    /// Within one registry blobs are mounted (no bytes move).
    pub same_registry: bool,
    pub manifests: usize,
    pub blobs: usize,
    pub bytes_to_move: u64,
    /// The digest the target tag points at now, when it exists and differs.
    pub overwrites: Option<String>,
}

impl From<&PromotionPlan> for PlanItem {
    fn from(plan: &PromotionPlan) -> Self {
        Self {
            source: plan.source.to_string(),
            target: plan.target.to_string(),
            from_environment: plan.from_environment.clone(),
            to_environment: plan.to_environment.clone(),
            digest: plan.digest.to_string(),
            same_registry: plan.same_registry,
            manifests: plan.manifests.len(),
            blobs: plan.blobs.len(),
            bytes_to_move: plan.bytes_to_move(),
            overwrites: plan.overwrites().map(ToString::to_string),
        }
    }
}

/// What a promotion would do, checked against the rules (refused with 403 and the reason).
#[utoipa::path(post, path = "/promotions/preview", tag = "promotion", request_body = PromotionBody,
    responses((status = 200, body = PlanItem), (status = 403, body = super::error::ErrorBody)))]
pub async fn preview(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<PromotionBody>,
) -> ApiResult<PlanItem> {
    let plan = promotion::preview(&services, caller.user(), &body.into()).await?;
    Ok(Json((&plan).into()))
}

#[derive(Serialize, ToSchema)]
pub struct PromotionDone {
    pub id: i64,
    pub plan: PlanItem,
    pub bytes_moved: u64,
    pub blobs_mounted: u32,
    pub blobs_copied: u32,
    pub blobs_present: u32,
    pub duration_ms: i64,
}

/// Promotes (the `write` scope and the pipeline's rules); answers when it is done.
#[utoipa::path(post, path = "/promotions", tag = "promotion", request_body = PromotionBody,
    responses((status = 200, body = PromotionDone), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn promote(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<PromotionBody>,
) -> ApiResult<PromotionDone> {
    let done = promotion::promote(&services, &caller.0, &body.into()).await?;
    Ok(Json(PromotionDone {
        id: done.id,
        plan: (&done.plan).into(),
        bytes_moved: done.report.bytes_moved,
        blobs_mounted: done.report.blobs_mounted,
        blobs_copied: done.report.blobs_copied,
        blobs_present: done.report.blobs_present,
        duration_ms: done.duration_ms,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct HistoryQuery {
    /// At most 500; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionItem {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub actor: String,
    pub source: String,
    pub target: String,
    pub digest: String,
    pub from_environment: Option<String>,
    pub to_environment: String,
    /// `running`, `succeeded`, `failed` or `interrupted`.
    pub status: String,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub bytes_moved: i64,
}

/// The latest promotions the caller may read, newest first.
#[utoipa::path(get, path = "/promotions", tag = "promotion", params(HistoryQuery),
    responses((status = 200, body = Vec<PromotionItem>)))]
pub async fn history(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<HistoryQuery>,
) -> ApiResult<Vec<PromotionItem>> {
    let records = promotion::history(&services, caller.user(), query.limit.unwrap_or(50)).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| PromotionItem {
                id: r.id,
                started_at: r.started_at,
                actor: r.actor,
                source: format!(
                    "{}/{}:{}",
                    r.source_registry, r.source_repository, r.source_tag
                ),
                target: format!(
                    "{}/{}:{}",
                    r.target_registry, r.target_repository, r.target_tag
                ),
                digest: r.digest,
                from_environment: r.from_environment,
                to_environment: r.to_environment,
                status: r.status.as_str().into(),
                error: r.error,
                duration_ms: r.duration_ms,
                bytes_moved: r.bytes_moved,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RunningItem {
    pub id: i64,
    pub target: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub blobs_done: u32,
    pub blobs_total: u32,
}

/// Promotions running now, with how far each is (poll this for progress).
#[utoipa::path(get, path = "/promotions/running", tag = "promotion",
    responses((status = 200, body = Vec<RunningItem>)))]
pub async fn running(
    State(services): State<Services>,
    caller: Caller,
) -> ApiResult<Vec<RunningItem>> {
    let running = promotion::running(&services, caller.user()).await?;
    Ok(Json(
        running
            .into_iter()
            .map(|p| RunningItem {
                id: p.id,
                target: p.target,
                bytes_done: p.bytes_done as u64,
                bytes_total: p.bytes_total as u64,
                blobs_done: p.blobs_done as u32,
                blobs_total: p.blobs_total as u32,
            })
            .collect(),
    ))
}
