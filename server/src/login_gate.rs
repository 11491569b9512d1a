//! Pages need a session: a browser without one is sent to the login page, and comes back to
//! the page it asked for afterwards. Server functions check the user themselves (they answer
//! 401, not a redirect), as do assets and health checks, which are public.

use app::ssr::USER_ID_KEY;
use axum::{
    extract::Request,
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

/// Requests that are not a person using the dashboard: assets, probes, registry hooks.
pub const MACHINE_PREFIXES: &[&str] = &["/pkg/", "/healthz", "/favicon.svg", "/hooks/"];

pub fn is_machine_request(path: &str) -> bool {
    MACHINE_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

pub async fn require_login(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let public =
        path.starts_with("/login") || path.starts_with("/api/") || is_machine_request(path);
    if request.method() != Method::GET || public {
        return next.run(request).await;
    }
    if let Ok(Some(_)) = session.get::<i64>(USER_ID_KEY).await {
        return next.run(request).await;
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
