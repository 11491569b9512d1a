//! Every route has an explicit body ceiling, answered with 413 and a sentence. Without it a
//! server function read up to axum's implicit 2 MB and then answered 500 ("length limit
//! exceeded" from deep inside the server-function decoder).

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// The largest body a route accepts, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// Server functions take a login form or a promotion request: a few hundred bytes.
    pub const SERVER_FUNCTIONS: Self = Self(64 * 1024);
    /// A registry's notification envelope batches events of about 1 KiB each.
    pub const NOTIFICATIONS: Self = Self(1024 * 1024);
}

/// Reads the body up to the limit (small by design, so buffering is cheap) and hands it on;
/// a declared or actual length over the limit is refused before the handler runs.
pub async fn limit_body(State(limit): State<BodyLimit>, request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.0 as u64) {
        return too_large(limit);
    }
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, limit.0).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => return too_large(limit),
        Err(error) => {
            tracing::debug!(%error, "request body could not be read");
            return (
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
                .into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn too_large(limit: BodyLimit) -> Response {
    let message = format!(
        "Request body too large: this address accepts at most {} KiB.",
        limit.0 / 1024
    );
    (StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
}
