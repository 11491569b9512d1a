use crate::dto::TagListing;
use crate::AppError;
use leptos::prelude::*;

/// One page of a repository's tags (digest, size, platforms, siblings) from the index:
/// `filter` keeps the tags whose name contains it, `sort` is `created` (newest first, the
/// default) or `semver`, `page` counts from 1.
#[server(prefix = "/api", endpoint = "tags")]
pub async fn list_tags(
    registry: String,
    repository: String,
    filter: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
) -> Result<TagListing, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    use regatta_core::browse::{repository_tags, TagQuery, TagSort};
    let services = services()?;
    let user = current_user(&services).await?;
    let query = TagQuery {
        filter: filter.unwrap_or_default(),
        sort: TagSort::parse(sort.as_deref().unwrap_or_default()).map_err(from_domain)?,
        page: page.unwrap_or(1),
    };
    let tags = repository_tags(&services, &user, &registry, &repository, &query)
        .await
        .map_err(from_domain)?;
    Ok(TagListing::new(&registry, &repository, &query, tags))
}
