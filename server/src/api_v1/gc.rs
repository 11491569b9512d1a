//! Garbage collection: what a run would free (from the index), a run (admins of the registry;
//! a server task with the registry read-only around the collect step), and the history.

use super::auth::Caller;
use super::error::{ApiResult, Body, Params};
use axum::extract::{Path, State};
use axum::Json;
use regatta_core::gc::{self, GcRequest, GcRun};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct PredictionQuery {
    /// With Regatta's untagged cleanup first.
    #[serde(default)]
    pub untagged: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PredictionItem {
    pub registry: String,
    /// Blobs and bytes a collection would delete.
    pub blobs: u64,
    pub bytes: u64,
    /// Of those: released by deletions through Regatta since the last run.
    pub released_blobs: u64,
    pub released_bytes: u64,
    /// With the untagged cleanup: untagged manifests it would delete, and their bytes.
    pub untagged_manifests: usize,
    pub untagged_bytes: u64,
}

/// What a collection of `registry` would free (maintainers of it).
#[utoipa::path(get, path = "/gc/{registry}/prediction", tag = "gc",
    params(("registry" = String, Path), PredictionQuery),
    responses((status = 200, body = PredictionItem), (status = 403, body = super::error::ErrorBody)))]
pub async fn prediction(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Params(query): Params<PredictionQuery>,
) -> ApiResult<PredictionItem> {
    let p = gc::prediction(&services, caller.user(), &registry, query.untagged).await?;
    Ok(Json(PredictionItem {
        registry: p.registry,
        blobs: p.blobs,
        bytes: p.bytes,
        released_blobs: p.released_blobs,
        released_bytes: p.released_bytes,
        untagged_manifests: p.untagged.len(),
        untagged_bytes: p.untagged_bytes,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct GcBody {
    /// Predict and let the registry say what it would delete; nothing changes.
    #[serde(default)]
    pub dry_run: bool,
    /// Regatta's untagged cleanup first.
    #[serde(default)]
    pub untagged: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GcRunItem {
    pub id: i64,
    pub registry: String,
    /// `manual`, `schedule`, `cli` …
    pub trigger: String,
    pub dry_run: bool,
    /// `running`, `succeeded`, `failed`, `interrupted`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub duration_ms: Option<i64>,
    /// How long the registry was read-only.
    pub read_only_ms: Option<i64>,
    pub predicted_bytes: i64,
    pub blobs_deleted: Option<i64>,
    pub bytes_freed: Option<i64>,
    pub error: Option<String>,
}

impl From<GcRun> for GcRunItem {
    fn from(r: GcRun) -> Self {
        Self {
            id: r.id,
            registry: r.registry,
            trigger: r.trigger,
            dry_run: r.dry_run,
            status: r.status,
            started_at: r.started_at,
            duration_ms: r.duration_ms,
            read_only_ms: r.read_only_ms,
            predicted_bytes: r.predicted_bytes,
            blobs_deleted: r.blobs_deleted,
            bytes_freed: r.bytes_freed,
            error: r.error,
        }
    }
}

/// Runs a collection (admins of the registry). Answers when it is over.
#[utoipa::path(post, path = "/gc/{registry}/runs", tag = "gc", params(("registry" = String, Path)),
    request_body = GcBody,
    responses((status = 200, body = GcRunItem), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn run(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Body(body): Body<GcBody>,
) -> ApiResult<GcRunItem> {
    let request = GcRequest {
        registry,
        dry_run: body.dry_run,
        untagged: body.untagged,
        trigger: None,
    };
    let report = gc::run(&services, &caller.0, &request).await?;
    Ok(Json(report.run.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct RunsQuery {
    /// At most 1000; 50 by default.
    pub limit: Option<i64>,
}

/// The latest runs of `registry`, newest first (maintainers of it).
#[utoipa::path(get, path = "/gc/{registry}/runs", tag = "gc",
    params(("registry" = String, Path), RunsQuery),
    responses((status = 200, body = Vec<GcRunItem>), (status = 403, body = super::error::ErrorBody)))]
pub async fn history(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Params(query): Params<RunsQuery>,
) -> ApiResult<Vec<GcRunItem>> {
    let runs = gc::history(
        &services,
        caller.user(),
        Some(&registry),
        query.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(runs.into_iter().map(Into::into).collect()))
}
