use crate::AppError;
use leptos::prelude::*;

/// Checks the credentials, starts a session and sends the browser to `next` (a local path).
/// Works as a plain form post before hydration: failures then redirect back to the login page
/// with a reason in the query string.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{client_address, services};
    let services = services()?;
    let source = client_address().await;
    match regatta_core::auth::log_in(&services, &username, password.into(), &source).await {
        Ok(user) => login_ssr::start_session(&services, &user, &source, next.as_deref()).await,
        Err(error) => Err(login_ssr::refuse(error, next.as_deref()).await),
    }
}

#[cfg(feature = "ssr")]
mod login_ssr {
    use crate::ssr::{from_domain, is_plain_form_post, local_path, open_session, session};
    use crate::AppError;
    use regatta_core::DomainError;

    /// Starts the session of `user`, recorded in `user_sessions` (listed on /settings).
    pub async fn start_session(
        services: &regatta_core::Services,
        user: &regatta_core::users::User,
        source: &str,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        let agent = user_agent().await;
        let session = session().await?;
        open_session(&session, services, user, source, agent.as_deref()).await?;
        leptos_axum::redirect(local_path(next));
        Ok(())
    }

    async fn user_agent() -> Option<String> {
        let headers: axum::http::HeaderMap = leptos_axum::extract().await.ok()?;
        let agent = headers.get(axum::http::header::USER_AGENT)?.to_str().ok()?;
        Some(agent.to_string())
    }

    pub async fn refuse(error: DomainError, next: Option<&str>) -> AppError {
        let reason = match &error {
            DomainError::Throttled { retry_after_secs } => {
                format!("throttled&wait={retry_after_secs}")
            }
            DomainError::NotAllowed(_) => "password-off".into(),
            _ => "credentials".into(),
        };
        let error = from_domain(error);
        if is_plain_form_post().await {
            let next = next
                .map(|n| {
                    format!(
                        "&next={}",
                        url::form_urlencoded::byte_serialize(local_path(Some(n)).as_bytes())
                            .collect::<String>()
                    )
                })
                .unwrap_or_default();
            leptos_axum::redirect(&format!("/login?failed={reason}{next}"));
        }
        error
    }

    #[cfg(test)]
    mod tests {
        use crate::ssr::local_path;

        #[test]
        fn only_local_paths_are_followed_after_login() {
            assert_eq!(local_path(Some("/registries/local")), "/registries/local");
            assert_eq!(local_path(Some("//evil.example/")), "/");
            assert_eq!(local_path(Some("https://evil.example/")), "/");
            assert_eq!(local_path(Some("/\\evil.example")), "/");
            assert_eq!(
                local_path(Some("/\t/evil.example")),
                "/",
                "a tab is dropped by browsers"
            );
            assert_eq!(local_path(Some("/\n/evil.example")), "/");
            assert_eq!(
                local_path(Some("/r/ünï")),
                "/",
                "not valid in a Location header"
            );
            assert_eq!(local_path(Some("/search?q=a%20b")), "/search?q=a%20b");
            assert_eq!(local_path(None), "/");
        }
    }
}
