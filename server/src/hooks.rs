//! `POST /hooks/registry/{name}`: registry notifications into the index (see
//! `regatta_core::index::notifications`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use regatta_core::index::notifications::receive;
use regatta_core::{DomainError, Services};

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
            // Logged here with its cause; the answer carries only the user-safe text.
            tracing::warn!(%registry, %error, "notification refused");
            let error = DomainError::from(error);
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string())
        }
    }
}
