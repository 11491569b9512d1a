use crate::dto::RegistryHealthReport;
use crate::AppError;
use leptos::prelude::*;

/// Asks one registry, right now, whether it answers and accepts our credentials.
#[server(prefix = "/api", endpoint = "check-registry")]
pub async fn check_registry(name: String) -> Result<RegistryHealthReport, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let health = regatta_core::registry_status::check_registry(&services, &user, &name)
        .await
        .map_err(from_domain)?;
    Ok(health.into())
}
