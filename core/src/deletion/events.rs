//! `tag.deleted` and `repository.deleted` for the configured `[[webhook]]`s.

use super::run::{DeletionReport, TagResult};
use crate::audit::Actor;
use crate::Services;

/// Queues the event and sends it soon; a failure to queue is logged (the deletion stands).
pub(super) async fn notify_webhooks(
    services: &Services,
    actor: &Actor,
    report: &DeletionReport,
    whole_repository: bool,
) {
    if services.settings.webhooks.is_empty() {
        return;
    }
    let tags: Vec<serde_json::Value> = report
        .outcomes
        .iter()
        .filter_map(|o| match o.result {
            TagResult::Deleted { image_deleted, .. } => Some(serde_json::json!({
                "tag": o.tag, "digest": o.digest, "image_deleted": image_deleted,
            })),
            _ => None,
        })
        .collect();
    let event = match whole_repository {
        true => "repository.deleted",
        false => "tag.deleted",
    };
    let payload = serde_json::json!({
        "event": event,
        "deletion": {
            "id": report.id,
            "actor": actor.user.username,
            "registry": report.registry,
            "repository": report.repository,
            "tags": tags,
            "bytes_freed_after_gc": report.bytes_freed,
        }
    });
    let about = crate::webhooks::DeliveryFor::Deletion(report.id);
    if let Err(error) = crate::webhooks::enqueue(services, about, &payload).await {
        tracing::error!(%error, "queueing deletion webhooks");
        return;
    }
    crate::webhooks::send_soon(services);
}
