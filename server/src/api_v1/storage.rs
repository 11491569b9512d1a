//! Storage: the current accounting from the index (the JSON of `regatta storage --json`) and
//! the history from the snapshots, with growth and the days until full.

use super::auth::Caller;
use super::error::{ApiResult, Params};
use axum::extract::State;
use axum::Json;
use regatta_core::storage::{storage_accounting, storage_history, Grouping};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct StorageQuery {
    /// One registry; all the caller may read by default.
    pub registry: Option<String>,
    /// `registry`, `environment` (default), `namespace` or `repository` (the series: only
    /// `environment` or `namespace`).
    pub by: Option<String>,
}

/// Stored (each blob once), exclusive, shared and logical bytes now, per registry and scope.
#[utoipa::path(get, path = "/storage", tag = "storage", params(StorageQuery),
    responses((status = 200, body = Vec<Object>), (status = 404, body = super::error::ErrorBody)))]
pub async fn accounting(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<StorageQuery>,
) -> ApiResult<Vec<Value>> {
    let by = Grouping::parse(query.by.as_deref().unwrap_or("environment"))?;
    let accounts =
        storage_accounting(&services, caller.user(), query.registry.as_deref(), by).await?;
    Ok(Json(
        accounts
            .iter()
            .map(|a| serde_json::to_value(a).unwrap_or_default())
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SeriesItem {
    pub registry: String,
    /// Snapshot times, oldest first, over the last year.
    pub times: Vec<String>,
    /// Stored bytes of the registry at each time.
    pub stored: Vec<i64>,
    /// Stored bytes per environment or namespace at each time.
    pub parts: Vec<(String, Vec<i64>)>,
    /// Bytes a day over the last 7 and 30 days.
    pub growth_7d: Option<f64>,
    pub growth_30d: Option<f64>,
    pub capacity_bytes: Option<i64>,
    /// At the 30-day rate.
    pub full_in_days: Option<f64>,
}

/// Stored bytes over time, per registry and environment (or namespace).
#[utoipa::path(get, path = "/storage/series", tag = "storage", params(StorageQuery),
    responses((status = 200, body = Vec<SeriesItem>), (status = 404, body = super::error::ErrorBody)))]
pub async fn series(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<StorageQuery>,
) -> ApiResult<Vec<SeriesItem>> {
    let by = Grouping::parse(query.by.as_deref().unwrap_or("environment"))?;
    let histories =
        storage_history(&services, caller.user(), query.registry.as_deref(), by).await?;
    Ok(Json(
        histories
            .into_iter()
            .map(|h| SeriesItem {
                registry: h.registry,
                times: h.times,
                stored: h.stored,
                parts: h.parts,
                growth_7d: h.growth_7d,
                growth_30d: h.growth_30d,
                capacity_bytes: h.capacity_bytes,
                full_in_days: h.full_in_days,
            })
            .collect(),
    ))
}
