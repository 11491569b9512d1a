//! `gc.started` and `gc.finished` for the configured `[[webhook]]`s.

use super::predict::GcPrediction;
use super::run::GcRequest;
use super::store::GcRun;
use crate::webhooks::{self, DeliveryFor};
use crate::Services;

pub(super) async fn started(
    services: &Services,
    id: i64,
    registry: &str,
    request: &GcRequest,
    prediction: &GcPrediction,
) {
    let payload = serde_json::json!({
        "event": "gc.started",
        "gc": {
            "id": id,
            "registry": registry,
            "dry_run": request.dry_run,
            "untagged_cleanup": request.untagged,
            "predicted_blobs": prediction.blobs,
            "predicted_bytes": prediction.bytes,
        }
    });
    send(services, id, &payload).await;
}

pub(super) async fn finished(services: &Services, run: &GcRun) {
    let payload = serde_json::json!({ "event": "gc.finished", "gc": run });
    send(services, run.id, &payload).await;
}

/// Queues the event and sends it soon; a failure to queue is logged (the run stands).
async fn send(services: &Services, id: i64, payload: &serde_json::Value) {
    if services.settings.webhooks.is_empty() {
        return;
    }
    if let Err(error) = webhooks::enqueue(services, DeliveryFor::GcRun(id), payload).await {
        tracing::error!(%error, "queueing garbage collection webhooks");
        return;
    }
    webhooks::send_soon(services);
}
