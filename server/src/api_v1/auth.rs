//! Who calls the API: a personal access token in `Authorization: Bearer rgt_…`, never the
//! session cookie (a cookie would make every write a cross-site request forgery target).

use super::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use regatta_core::audit::Actor;
use regatta_core::users::User;
use regatta_core::Services;
use std::net::SocketAddr;

/// The token's user (capped by the token's scope) and where the call came from.
pub struct Caller(pub Actor);

impl Caller {
    pub fn user(&self) -> &User {
        &self.0.user
    }
}

impl FromRequestParts<Services> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, services: &Services) -> Result<Self, ApiError> {
        let unauthenticated =
            |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthenticated("Send a token: Authorization: Bearer rgt_…"))?;
        let source = match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => app::ssr::address_of(services, *peer, &parts.headers),
            None => "unknown".into(),
        };
        match regatta_core::tokens::authenticate(services, token, &source).await {
            Ok(user) => Ok(Caller(Actor::new(user, source))),
            Err(regatta_core::DomainError::Unauthenticated) => {
                Err(unauthenticated("The token is unknown, expired or revoked."))
            }
            Err(error) => Err(error.into()),
        }
    }
}
