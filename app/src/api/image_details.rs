use crate::dto::ImageView;
use crate::AppError;
use leptos::prelude::*;

/// One tag or digest, fetched live from the registry: platforms or layers, config, referrers.
#[server(prefix = "/api", endpoint = "image")]
pub async fn image_details(
    registry: String,
    repository: String,
    reference: String,
) -> Result<ImageView, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let details = regatta_core::image_details::image_details(
        &services,
        &user,
        &registry,
        &repository,
        &reference,
    )
    .await
    .map_err(from_domain)?;
    Ok(ImageView::new(&registry, &repository, &reference, details))
}
