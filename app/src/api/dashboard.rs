use crate::dto::Dashboard;
use crate::AppError;
use leptos::prelude::*;

/// The signed-in user, the configured registries with their index status, and the pipeline.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let overviews = regatta_core::browse::registry_overviews(&services, &user)
        .await
        .map_err(from_domain)?;
    let trends = regatta_core::storage::recent_stored_bytes(&services, 7)
        .await
        .map_err(from_domain)?;
    let alerts = regatta_core::storage::active_alerts(&services)
        .await
        .map_err(from_domain)?;
    let maintenance = regatta_core::gc::registries_in_maintenance(&services)
        .await
        .map_err(from_domain)?;
    let mut dashboard = Dashboard::new(&user, &services.settings, &overviews, trends, alerts);
    dashboard.maintenance = maintenance
        .into_iter()
        .filter(|(registry, _)| regatta_core::auth::may_read(&user, registry))
        .map(|(registry, since)| (registry, since.into()))
        .collect();
    Ok(dashboard)
}
