use crate::AppError;
use leptos::prelude::*;

/// Ends the session (server side, not just the cookie) and returns to the login page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{client_address, services, session};
    let services = services()?;
    let session = session().await?;
    let user = crate::ssr::current_user(&services).await.ok();
    regatta_core::auth::log_out(&services, user.as_ref(), &client_address().await).await;
    session
        .flush()
        .await
        .map_err(|e| AppError::new(500, e.to_string()))?;
    leptos_axum::redirect("/login");
    Ok(())
}
