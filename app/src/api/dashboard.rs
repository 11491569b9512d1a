use crate::dto::Dashboard;
use crate::AppError;
use leptos::prelude::*;

/// The signed-in user and the configured registries and pipeline.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    use crate::ssr::{current_user, services};
    let services = services()?;
    let user = current_user(&services).await?;
    Ok(crate::dto_from_domain::dashboard_from(
        &user,
        &services.settings,
    ))
}
