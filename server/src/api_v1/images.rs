//! One image or index, read live from its registry: platforms, or config and layers.

use super::auth::Caller;
use super::error::{ApiResult, Params};
use axum::extract::{Path, State};
use axum::Json;
use regatta_core::image_details::{image_details, ImageKind};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ImageQuery {
    pub repository: String,
    /// A tag or a digest.
    pub reference: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlatformItem {
    pub platform: String,
    pub digest: String,
    pub size_bytes: u64,
}

#[derive(Serialize, ToSchema)]
pub struct LayerItem {
    pub digest: String,
    pub size_bytes: u64,
    pub media_type: String,
    /// The history step that made it.
    pub created_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImageItem {
    pub digest: String,
    pub media_type: String,
    /// An index's platforms (empty for an image).
    pub platforms: Vec<PlatformItem>,
    /// An image's layers (empty for an index).
    pub layers: Vec<LayerItem>,
    pub size_bytes: Option<u64>,
    pub created: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

#[utoipa::path(get, path = "/registries/{registry}/image", tag = "browse",
    params(("registry" = String, Path), ImageQuery),
    responses((status = 200, body = ImageItem), (status = 404, body = super::error::ErrorBody)))]
pub async fn image(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Params(query): Params<ImageQuery>,
) -> ApiResult<ImageItem> {
    let details = image_details(
        &services,
        caller.user(),
        &registry,
        &query.repository,
        &query.reference,
    )
    .await?;
    let mut item = ImageItem {
        digest: details.digest,
        media_type: details.media_type,
        platforms: Vec::new(),
        layers: Vec::new(),
        size_bytes: None,
        created: None,
        labels: BTreeMap::new(),
        annotations: details.annotations,
    };
    match details.kind {
        ImageKind::Index { platforms } => {
            item.platforms = (platforms.into_iter())
                .map(|p| PlatformItem {
                    platform: p.platform,
                    digest: p.digest,
                    size_bytes: p.size,
                })
                .collect();
        }
        ImageKind::Image {
            config,
            layers,
            size,
        } => {
            item.size_bytes = Some(size);
            item.created = config.created;
            item.labels = config.labels;
            item.layers = (layers.into_iter())
                .map(|l| LayerItem {
                    digest: l.digest,
                    size_bytes: l.size,
                    media_type: l.media_type,
                    created_by: l.created_by,
                })
                .collect();
        }
    }
    Ok(Json(item))
}
