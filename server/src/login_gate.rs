//! Pages need a session: a browser without one (or whose user was disabled, or whose password
//! changed since) is sent to the login page, and comes back to the page it asked for
//! afterwards. The user found is handed to the page in the request's extensions
//! ([`GateUser`]), so rendering does not look it up again. Server functions check the user
//! themselves (they answer 401, not a redirect), as do assets and health checks, which are
//! public.

use app::ssr::{session_claims, GateUser};
use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use regatta_core::{DomainError, Services};
use tower_sessions::Session;

/// Requests that are not a person using the dashboard: assets, probes, registry hooks.
pub const MACHINE_PREFIXES: &[&str] = &[
    "/pkg/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/favicon.svg",
    "/hooks/",
];

pub fn is_machine_request(path: &str) -> bool {
    MACHINE_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

pub async fn require_login(
    State(services): State<Services>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let public = path.starts_with("/login")
        || path.starts_with("/api/")
        || path.starts_with("/auth/")
        || is_machine_request(path);
    if request.method() != Method::GET || public {
        return next.run(request).await;
    }
    let claims = session_claims(&session).await.unwrap_or_default();
    match regatta_core::auth::session_user(&services, &claims).await {
        Ok(user) => {
            request.extensions_mut().insert(GateUser(user));
            return next.run(request).await;
        }
        Err(DomainError::Unauthenticated) => {}
        // The database failed: the page looks the user up itself and shows what went wrong.
        Err(error) => {
            tracing::warn!(%error, "login gate could not read the session's user");
            return next.run(request).await;
        }
    }
    let wanted = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let target = match wanted {
        "/" => "/login".to_string(),
        wanted => format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>()
        ),
    };
    Redirect::to(&target).into_response()
}
