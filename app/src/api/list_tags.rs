use crate::dto::TagListing;
use crate::AppError;
use leptos::prelude::*;

/// Every tag of one repository with digest, size, platforms and siblings, from the index.
#[server(prefix = "/api", endpoint = "tags")]
pub async fn list_tags(registry: String, repository: String) -> Result<TagListing, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let tags = regatta_core::browse::repository_tags(&services, &user, &registry, &repository)
        .await
        .map_err(from_domain)?;
    Ok(TagListing::new(&registry, &repository, tags))
}
