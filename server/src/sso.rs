//! Single sign-on's two addresses: `/auth/oidc/start` sends the browser to the provider (the
//! state, nonce and PKCE verifier stay in this session, server side); `/auth/oidc/callback` is
//! where the provider sends it back, and opens the Regatta session when everything verifies.
//! Refusals go back to the login page with a fixed message (the reason, which a crafted link
//! could otherwise dress up, is in the audit log).

use app::ssr::{address_of, local_path, open_session};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use regatta_core::sso::{self, PendingLogin};
use regatta_core::Services;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

/// Where the session keeps the login under way.
const PENDING: &str = "oidc_pending";

#[derive(Debug, Deserialize)]
pub struct Start {
    next: Option<String>,
}

pub async fn start(
    State(services): State<Services>,
    session: Session,
    Query(query): Query<Start>,
) -> Response {
    let next = local_path(query.next.as_deref());
    match sso::begin(&services, next).await {
        Ok((url, pending)) => match session.insert(PENDING, pending).await {
            Ok(()) => Redirect::to(url.as_str()).into_response(),
            Err(error) => {
                tracing::error!(%error, "keeping a single sign-on in the session failed");
                refused()
            }
        },
        Err(error) => {
            tracing::warn!(%error, "single sign-on could not start");
            refused()
        }
    }
}

/// The provider's answer: `code` and `state`, or `error` (the person cancelled, say).
#[derive(Debug, Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(services): State<Services>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Query(answer): Query<Answer>,
) -> Response {
    // Taken out at once: an answer is used once, whatever comes of it.
    let pending = session.remove::<PendingLogin>(PENDING).await.ok().flatten();
    let next = pending
        .as_ref()
        .map(|p| local_path(Some(&p.next)).to_string())
        .unwrap_or_else(|| "/".into());
    let source = address_of(&services, peer, &headers);
    let (code, state) = match (&answer.code, &answer.state, &answer.error) {
        (Some(code), Some(state), None) => (code.as_str(), state.as_str()),
        // The provider's own refusal (or a truncated answer): no code to check.
        _ => ("", answer.state.as_deref().unwrap_or_default()),
    };
    let pending = if code.is_empty() { None } else { pending };
    let user = match sso::finish(&services, pending, code, state, &source).await {
        Ok(user) => user,
        Err(_) => return refused(),
    };
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    match open_session(&session, &services, &user, &source, agent).await {
        Ok(()) => Redirect::to(&next).into_response(),
        Err(error) => {
            tracing::error!(message = %error.message, "opening a single sign-on session failed");
            refused()
        }
    }
}

fn refused() -> Response {
    Redirect::to("/login?failed=sso").into_response()
}
