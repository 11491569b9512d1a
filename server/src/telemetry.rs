//! Logs go to stderr, filtered by `RUST_LOG` (default: info for Regatta, warnings for
//! libraries), as text or JSON lines (`[log] format`). Every line written while a request is
//! answered carries its request id (the `request` span; see [`request_span`]), which the
//! response echoes as `X-Request-Id`. Secrets are never logged: settings hold them in
//! `SecretString`s, whose `Debug` prints nothing.

use axum::http::Request;
use regatta_core::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn,leptos=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second init (tests that build the app twice in one process) keeps the first.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The span around one request: its id (from `X-Request-Id`, set by the request-id layer),
/// method and path (not the query: it may hold a search or a filter someone typed).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}
