//! Deletion and the trash: the preview (what goes, which sibling tags stay, what GC then frees,
//! what a guarded environment wants typed), the deletion itself (a server task; deletes exactly
//! the previewed set when `expected` carries the preview's fingerprint), the trash and
//! restoring from it.

use super::auth::Caller;
use super::error::{ApiResult, Body, Params};
use axum::extract::{Path, State};
use axum::Json;
use regatta_core::deletion::{self, DeletionPlan, DeletionRequest, TagResult};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct DeletionBody {
    pub registry: String,
    pub repository: String,
    /// The tags to delete.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Every tag of the repository.
    #[serde(default)]
    pub whole_repository: bool,
    /// Also every tag whose name contains this (any case).
    pub matching: Option<String>,
    /// The preview's `fingerprint`: refused if what would go changed since.
    pub expected: Option<String>,
    /// In a protected or immutable-tag environment: the text the preview asks for.
    pub confirmation: Option<String>,
}

impl From<DeletionBody> for DeletionRequest {
    fn from(body: DeletionBody) -> Self {
        Self {
            registry: body.registry,
            repository: body.repository,
            tags: body.tags,
            whole_repository: body.whole_repository,
            matching: body.matching,
            expected: body.expected,
            confirmation: body.confirmation,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlannedTagItem {
    pub tag: String,
    pub digest: String,
    pub size_bytes: u64,
    /// Other tags on this digest that stay (so the image stays).
    pub siblings_kept: Vec<String>,
    /// The manifest goes too, not only the tag.
    pub image_goes: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DeletionPreview {
    pub tags: Vec<PlannedTagItem>,
    /// Named tags the index does not have.
    pub unknown: Vec<String>,
    /// What garbage collection frees afterwards.
    pub bytes_freed: u64,
    /// What must be sent as `confirmation`, in a guarded environment.
    pub confirmation: Option<String>,
    /// Send as `expected` to delete exactly this.
    pub fingerprint: String,
}

impl From<DeletionPlan> for DeletionPreview {
    fn from(plan: DeletionPlan) -> Self {
        Self {
            tags: (plan.tags.into_iter())
                .map(|t| PlannedTagItem {
                    tag: t.tag,
                    digest: t.digest,
                    size_bytes: t.size_bytes,
                    siblings_kept: t.siblings_kept,
                    image_goes: t.image_goes,
                })
                .collect(),
            unknown: plan.unknown,
            bytes_freed: plan.bytes_freed,
            confirmation: plan.confirmation,
            fingerprint: plan.fingerprint,
        }
    }
}

/// What deleting would do; nothing changes.
#[utoipa::path(post, path = "/deletions/preview", tag = "deletion", request_body = DeletionBody,
    responses((status = 200, body = DeletionPreview), (status = 403, body = super::error::ErrorBody)))]
pub async fn preview(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<DeletionBody>,
) -> ApiResult<DeletionPreview> {
    let plan = deletion::preview(&services, caller.user(), &body.into()).await?;
    Ok(Json(plan.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TagOutcomeItem {
    pub tag: String,
    pub digest: String,
    /// `deleted`, `skipped` or `failed`.
    pub result: String,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// Where it can be restored from.
    pub trash_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DeletionDone {
    pub id: i64,
    pub outcomes: Vec<TagOutcomeItem>,
    pub bytes_freed: u64,
}

/// Deletes (sibling tags stay; each tag goes to the trash first). Answers when done.
#[utoipa::path(post, path = "/deletions", tag = "deletion", request_body = DeletionBody,
    responses((status = 200, body = DeletionDone), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn delete(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<DeletionBody>,
) -> ApiResult<DeletionDone> {
    let report = deletion::delete(&services, &caller.0, &body.into()).await?;
    Ok(Json(DeletionDone {
        id: report.id,
        bytes_freed: report.bytes_freed,
        outcomes: (report.outcomes.into_iter())
            .map(|o| {
                let (result, reason, trash_id) = match o.result {
                    TagResult::Deleted { trash_id, .. } => ("deleted", None, Some(trash_id)),
                    TagResult::Skipped(why) => ("skipped", Some(why), None),
                    TagResult::Failed(why) => ("failed", Some(why), None),
                };
                TagOutcomeItem {
                    tag: o.tag,
                    digest: o.digest,
                    result: result.into(),
                    reason,
                    trash_id,
                }
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct TrashQuery {
    /// At most 1000; 100 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TrashItem {
    pub id: i64,
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub size_bytes: i64,
    pub deleted_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub deleted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub restored_at: Option<OffsetDateTime>,
}

impl From<deletion::TrashEntry> for TrashItem {
    fn from(t: deletion::TrashEntry) -> Self {
        Self {
            id: t.id,
            registry: t.registry,
            repository: t.repository,
            tag: t.tag,
            digest: t.digest,
            size_bytes: t.size_bytes,
            deleted_by: t.deleted_by,
            deleted_at: t.deleted_at,
            expires_at: t.expires_at,
            restored_at: t.restored_at,
        }
    }
}

/// Deleted tags of the registries the caller may read, newest first.
#[utoipa::path(get, path = "/trash", tag = "deletion", params(TrashQuery),
    responses((status = 200, body = Vec<TrashItem>)))]
pub async fn trash(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<TrashQuery>,
) -> ApiResult<Vec<TrashItem>> {
    let entries =
        deletion::trash_list(&services, caller.user(), query.limit.unwrap_or(100)).await?;
    Ok(Json(entries.into_iter().map(Into::into).collect()))
}

/// Puts a trashed tag back, byte for byte (refused, naming the blobs, once GC removed some).
#[utoipa::path(post, path = "/trash/{id}/restore", tag = "deletion", params(("id" = i64, Path)),
    responses((status = 200, body = TrashItem), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn restore(
    State(services): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<TrashItem> {
    let entry = deletion::restore(&services, &caller.0, id).await?;
    Ok(Json(entry.into()))
}
