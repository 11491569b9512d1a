//! server_fn answers every error it raises itself with HTTP 500 (`error_response` hard-codes
//! it); only errors our functions return set their status. So a malformed form or JSON posted
//! to `/api/*` (missing field, not a number) was a 500 whose body said 400. The body is our
//! `AppError` (`{"status": 400, "message": …}`): give the answer the status it names.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

/// Error bodies are a sentence; anything longer is passed on untouched.
const MAX_ERROR_BODY: usize = 16 * 1024;

pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let raised_by_server_fn = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key("serverfnerror");
    if !raised_by_server_fn {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = http_body_util::Limited::new(body, MAX_ERROR_BODY)
        .collect()
        .await
    else {
        return Response::from_parts(parts, Body::from("The request could not be answered."));
    };
    let bytes = collected.to_bytes();
    let named = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|error| error.get("status")?.as_u64())
        .and_then(|status| StatusCode::from_u16(u16::try_from(status).ok()?).ok())
        .filter(|status| status.is_client_error() || status.is_server_error());
    if let Some(status) = named {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
