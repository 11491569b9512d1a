use crate::AppError;
use leptos::prelude::*;

/// Ends the session (server side, not just the cookie) and returns to the login page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{actor, internal, services, session};
    let services = services()?;
    let session = session().await?;
    // Without a logged-in user there is nothing to end and nothing to audit.
    if let Ok(actor) = actor(&services).await {
        regatta_core::auth::log_out(&services, &actor).await;
    }
    if let Ok(Some(key)) = session.get::<String>(crate::ssr::SESSION_ROW_KEY).await {
        regatta_core::sessions::ended_by_logout(&services, &key).await;
    }
    session.flush().await.map_err(internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}
