use crate::dto::SearchPage;
use crate::AppError;
use leptos::prelude::*;

/// Search every registry the caller may read: the results page asks for a page of 50, the
/// search box for a handful.
#[server(prefix = "/api", endpoint = "search")]
pub async fn search(
    q: String,
    registry: Option<String>,
    page: i64,
    limit: i64,
) -> Result<SearchPage, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    use regatta_core::search::SearchRequest;
    let services = services()?;
    let user = current_user(&services).await?;
    let request = SearchRequest {
        text: q,
        registry: registry.filter(|r| !r.is_empty()),
        page,
        page_size: limit,
    };
    let results = regatta_core::search::search(&services, &user, &request)
        .await
        .map_err(from_domain)?;
    let registries = regatta_core::auth::readable_registries(&user, &services.settings)
        .into_iter()
        .map(str::to_string)
        .collect();
    let environments = services
        .settings
        .environments
        .iter()
        .map(|e| e.name.clone())
        .collect();
    Ok(SearchPage::new(&request, results, registries, environments))
}
