//! `/metrics` for Prometheus (text exposition format) and the middleware that counts and times
//! every request by its route pattern (`/r/{registry}/{*repository}`, not the address: one
//! series per route, not per repository).

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use regatta_core::Services;
use secrecy::ExposeSecret;
use std::sync::OnceLock;
use std::time::Instant;

/// Seconds: from a fast page (5 ms) to a long promotion or crawl (10 min).
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0,
];

/// The process's recorder, installed at the first call (one per process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already; /metrics shows this one's");
        }
        regatta_core::metrics::describe();
        handle
    })
}

pub async fn scrape(State(services): State<Services>, headers: axum::http::HeaderMap) -> Response {
    let wanted = services
        .settings
        .metrics
        .token_env
        .as_deref()
        .and_then(|var| services.settings.shared_secrets.get(var));
    if let Some(token) = wanted {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent != Some(token.expose_secret()) {
            return (
                StatusCode::UNAUTHORIZED,
                "metrics need the bearer token of metrics.token_env\n",
            )
                .into_response();
        }
    }
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(other)".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    regatta_core::metrics::http_request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
