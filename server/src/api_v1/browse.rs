//! Reading: registries, their repositories and tags, one image, search. The same domain calls
//! as the pages; a registry the token's user may not read is not found.

use super::auth::Caller;
use super::error::{ApiResult, Params};
use axum::extract::{Path, State};
use axum::Json;
use regatta_core::browse::{self, TagQuery, TagSort};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct RegistryItem {
    pub name: String,
    pub url: String,
    pub repositories: i64,
    pub tags: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_crawl_at: Option<OffsetDateTime>,
    pub crawl_error: Option<String>,
    /// `ok`, `warning` or `down` at the last crawl.
    pub health: Option<String>,
}

/// The registries the caller may read, with what the index holds of each.
#[utoipa::path(get, path = "/registries", tag = "browse",
    responses((status = 200, body = Vec<RegistryItem>), (status = 401, body = super::error::ErrorBody)))]
pub async fn registries(
    State(services): State<Services>,
    caller: Caller,
) -> ApiResult<Vec<RegistryItem>> {
    let overviews = browse::registry_overviews(&services, caller.user()).await?;
    Ok(Json(
        overviews
            .into_iter()
            .map(|o| {
                let index = o.index.as_ref();
                RegistryItem {
                    name: o.name.clone(),
                    url: o.url.clone(),
                    repositories: index.map_or(0, |i| i.repositories),
                    tags: index.map_or(0, |i| i.tags),
                    last_crawl_at: index.and_then(|i| i.crawl_finished_at),
                    crawl_error: index.and_then(|i| i.crawl_error.clone()),
                    health: index
                        .and_then(|i| i.health())
                        .map(|h| h.as_str().to_string()),
                }
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct HealthItem {
    /// `ok`, `warning` or `down`.
    pub level: String,
    pub summary: String,
    pub latency_ms: u64,
}

/// Asks the registry now: reachable, and do Regatta's credentials work?
#[utoipa::path(get, path = "/registries/{registry}/health", tag = "browse",
    params(("registry" = String, Path)),
    responses((status = 200, body = HealthItem), (status = 404, body = super::error::ErrorBody)))]
pub async fn health(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
) -> ApiResult<HealthItem> {
    let health =
        regatta_core::registry_status::check_registry(&services, caller.user(), &registry).await?;
    Ok(Json(HealthItem {
        level: health.level().as_str().into(),
        summary: health.summary(),
        latency_ms: health.latency_ms,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct RepositoriesQuery {
    /// Only the repositories under `namespace/`.
    pub namespace: Option<String>,
    /// From 1; 100 per page.
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RepositoryItem {
    pub name: String,
    pub tags: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_updated: Option<OffsetDateTime>,
}

#[derive(Serialize, ToSchema)]
pub struct RepositoriesPage {
    pub repositories: Vec<RepositoryItem>,
    pub page: i64,
    pub per_page: i64,
    /// Repositories in the registry (or namespace).
    pub total: i64,
}

#[utoipa::path(get, path = "/registries/{registry}/repositories", tag = "browse",
    params(("registry" = String, Path), RepositoriesQuery),
    responses((status = 200, body = RepositoriesPage), (status = 404, body = super::error::ErrorBody)))]
pub async fn repositories(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Params(query): Params<RepositoriesQuery>,
) -> ApiResult<RepositoriesPage> {
    let page = browse::repositories(
        &services,
        caller.user(),
        &registry,
        query.namespace.as_deref(),
        query.page.unwrap_or(1),
    )
    .await?;
    Ok(Json(RepositoriesPage {
        repositories: (page.repositories.into_iter())
            .map(|r| RepositoryItem {
                name: r.name,
                tags: r.tags,
                last_updated: r.last_updated,
            })
            .collect(),
        page: page.page,
        per_page: browse::PAGE_SIZE,
        total: page.counts.repositories,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct TagsQuery {
    pub repository: String,
    /// Tags whose name contains this (any case).
    pub filter: Option<String>,
    /// `version` (default), `newest`, `name` …, as on the tag table.
    pub sort: Option<String>,
    /// From 1; 100 per page.
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TagItem {
    pub tag: String,
    pub digest: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub created: Option<String>,
    pub is_index: bool,
    pub platforms: Vec<String>,
    /// Other tags of the repository on the same digest.
    pub same_digest_as: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TagsPage {
    /// `host[:port]/repository`, as in a pull command.
    pub image: String,
    pub tags: Vec<TagItem>,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
    /// Tags matching the filter.
    pub matching: i64,
    pub total: i64,
}

#[utoipa::path(get, path = "/registries/{registry}/tags", tag = "browse",
    params(("registry" = String, Path), TagsQuery),
    responses((status = 200, body = TagsPage), (status = 404, body = super::error::ErrorBody)))]
pub async fn tags(
    State(services): State<Services>,
    caller: Caller,
    Path(registry): Path<String>,
    Params(query): Params<TagsQuery>,
) -> ApiResult<TagsPage> {
    let tag_query = TagQuery {
        filter: query.filter.unwrap_or_default(),
        sort: TagSort::parse(query.sort.as_deref().unwrap_or_default())?,
        page: query.page.unwrap_or(1),
    };
    let listing = browse::repository_tags(
        &services,
        caller.user(),
        &registry,
        &query.repository,
        &tag_query,
    )
    .await?;
    Ok(Json(TagsPage {
        image: listing.image,
        tags: (listing.tags.into_iter())
            .map(|t| TagItem {
                tag: t.tag,
                digest: t.digest,
                media_type: t.media_type,
                size_bytes: t.total_size,
                created: t.created,
                is_index: t.is_index,
                platforms: t.platforms,
                same_digest_as: t.same_digest_as,
            })
            .collect(),
        page: listing.page,
        pages: listing.pages,
        per_page: browse::TAGS_PER_PAGE,
        matching: listing.matching,
        total: listing.total,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The search text, as in the search box (`shop registry:local arch:arm64 …`).
    pub q: String,
    pub registry: Option<String>,
    pub page: Option<i64>,
    /// At most 100; 50 by default.
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitItem {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub size_bytes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub pushed_at: OffsetDateTime,
    pub platforms: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    /// How the text was understood.
    pub understood: Vec<String>,
    pub hits: Vec<SearchHitItem>,
    /// Matching tags (counted up to a cap on unfiltered queries).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Searches every registry the caller may read.
#[utoipa::path(get, path = "/search", tag = "browse", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 400, body = super::error::ErrorBody)))]
pub async fn search(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<SearchQuery>,
) -> ApiResult<SearchPage> {
    let request = regatta_core::search::SearchRequest {
        text: query.q,
        registry: query.registry.filter(|r| !r.is_empty()),
        page: query.page.unwrap_or(1),
        page_size: query.per_page.unwrap_or(50).clamp(1, 100),
    };
    let results = regatta_core::search::search(&services, caller.user(), &request).await?;
    Ok(Json(SearchPage {
        understood: results.understood,
        hits: (results.hits.into_iter())
            .map(|h| SearchHitItem {
                registry: h.registry,
                repository: h.repository,
                tag: h.tag,
                digest: h.digest,
                size_bytes: h.total_size,
                pushed_at: h.pushed_at,
                platforms: h.platforms,
            })
            .collect(),
        total: results.total,
        page: results.page,
        per_page: results.page_size,
    }))
}
