//! Retention: the policies, a preview (kept: a run deletes exactly its candidates), a run of a
//! preview, and the history. Previews and reports are the same JSON as
//! `regatta retention preview|run --json`.

use super::auth::Caller;
use super::error::{ApiResult, Params};
use axum::extract::{Path, State};
use axum::Json;
use regatta_core::retention::{self, Trigger};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// Every policy of a registry the caller may read (each as in `regatta retention list
/// --json`, with `managed_by_config`).
#[utoipa::path(get, path = "/retention/policies", tag = "retention",
    responses((status = 200, body = Vec<Object>)))]
pub async fn policies(State(services): State<Services>, caller: Caller) -> ApiResult<Vec<Value>> {
    let entries = retention::policies(&services, caller.user()).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|entry| {
                let mut value = serde_json::to_value(&entry.policy).unwrap_or_default();
                value["managed_by_config"] = entry.managed_by_config.into();
                value
            })
            .collect(),
    ))
}

/// Evaluates policy `name` now and keeps the preview: `{"preview_id", "preview"}`; run it
/// with `POST /retention/runs/{preview_id}` (maintainers where the policy deletes).
#[utoipa::path(post, path = "/retention/policies/{name}/preview", tag = "retention",
    params(("name" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = super::error::ErrorBody)))]
pub async fn preview(
    State(services): State<Services>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Value> {
    let (id, preview) = retention::preview(&services, &caller.0, &name, Trigger::Manual).await?;
    Ok(Json(json!({"preview_id": id, "preview": preview})))
}

/// Deletes exactly the candidates of preview `id` (a server task); the report.
#[utoipa::path(post, path = "/retention/runs/{id}", tag = "retention", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn run(
    State(services): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Value> {
    let report = retention::run(&services, &caller.0, id).await?;
    Ok(Json(json!(report)))
}

#[derive(Deserialize, IntoParams)]
pub struct RunsQuery {
    /// At most 500; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RunItem {
    pub id: i64,
    pub policy: String,
    pub registry: String,
    pub trigger: String,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub previewed_at: OffsetDateTime,
    /// `previewed`, `running`, `succeeded`, `failed` …
    pub status: String,
    pub candidates: i64,
    pub deleted: i64,
    pub skipped: i64,
    pub failed: i64,
    pub bytes_freed: i64,
}

/// The latest previews and runs, newest first.
#[utoipa::path(get, path = "/retention/runs", tag = "retention", params(RunsQuery),
    responses((status = 200, body = Vec<RunItem>)))]
pub async fn history(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<RunsQuery>,
) -> ApiResult<Vec<RunItem>> {
    let rows = retention::history(&services, caller.user(), query.limit.unwrap_or(50)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RunItem {
                id: r.id,
                policy: r.policy,
                registry: r.registry,
                trigger: r.trigger,
                requested_by: r.requested_by,
                previewed_at: r.previewed_at,
                status: r.status,
                candidates: r.candidates,
                deleted: r.deleted,
                skipped: r.skipped,
                failed: r.failed,
                bytes_freed: r.bytes_freed,
            })
            .collect(),
    ))
}
