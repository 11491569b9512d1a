//! `POST /hooks/registry/{name}`: registry notifications into the index (see
//! `regatta_core::index::notifications`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use regatta_core::index::notifications::{receive, HookError};
use regatta_core::Services;

pub async fn registry_notification(
    State(services): State<Services>,
    Path(registry): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match receive(&services, &registry, authorization, &body).await {
        Ok(applied) => (StatusCode::OK, format!("applied {applied} events")),
        Err(error) => {
            let status = match &error {
                HookError::Unauthorized => StatusCode::UNAUTHORIZED,
                HookError::UnknownRegistry(_) => StatusCode::NOT_FOUND,
                HookError::BadPayload(_) => StatusCode::BAD_REQUEST,
                // The registry retries a failed delivery: say so with a 5xx.
                HookError::Registry(_) => StatusCode::BAD_GATEWAY,
                HookError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::warn!(%registry, %error, "notification refused");
            (status, error.to_string())
        }
    }
}
