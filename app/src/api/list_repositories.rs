use crate::dto::RepositoryListing;
use crate::AppError;
use leptos::prelude::*;

/// One page of a registry's repositories (or of one namespace's, `dev`, `team/dev`), grouped by
/// namespace, from the index.
#[server(prefix = "/api", endpoint = "repositories")]
pub async fn list_repositories(
    registry: String,
    namespace: Option<String>,
    page: i64,
) -> Result<RepositoryListing, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let page =
        regatta_core::browse::repositories(&services, &user, &registry, namespace.as_deref(), page)
            .await
            .map_err(from_domain)?;
    Ok(page.into())
}
