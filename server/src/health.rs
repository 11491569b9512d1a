//! `/healthz` (the process answers) and `/readyz` (it can do its work: the database takes a
//! write and is migrated), both without a session, for probes. Readiness lists registries that
//! are down without failing for them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use regatta_core::Services;
use serde_json::json;

pub async fn live() -> &'static str {
    "ok"
}

pub async fn ready(State(services): State<Services>) -> Response {
    let readiness = regatta_core::health::readiness(&services).await;
    let status = match readiness.is_ready() {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = json!({
        "status": if readiness.is_ready() { "ready" } else { "not ready" },
        "problems": readiness.problems,
        "registries_down": readiness.registries_down,
    });
    (status, Json(body)).into_response()
}
