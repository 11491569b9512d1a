//! Outgoing webhooks: after a successful promotion or deletion, or when a registry's storage
//! crosses a threshold (or comes back under it), each configured `[[webhook]]` gets a signed JSON POST
//! so a deploy pipeline or an alerting system can react. Deliveries are stored first and sent from the
//! table, so a receiver that is down gets the call later (10 s, 1 min, 5 min, 30 min, 2 h),
//! and every attempt's outcome shows in the promotion history.

mod store;

use crate::Services;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use std::time::Duration;

/// The signature header: `sha256=<hex HMAC-SHA256 of the body>`, as GitHub's X-Hub-Signature-256.
pub const SIGNATURE_HEADER: &str = "x-regatta-signature-256";
/// Waits before attempts 2, 3, …; after the last the delivery is marked failed.
const BACKOFF: [Duration; 5] = [
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(300),
    Duration::from_secs(1800),
    Duration::from_secs(7200),
];
const TIMEOUT: Duration = Duration::from_secs(10);

/// What a delivery tells about (each delivery belongs to one).
#[derive(Debug, Clone, Copy)]
pub enum DeliveryFor {
    Promotion(i64),
    StorageAlert(i64),
    /// `tag.deleted`, `repository.deleted`.
    Deletion(i64),
    /// `retention.run`.
    RetentionRun(i64),
    /// `gc.started`, `gc.finished`.
    GcRun(i64),
}

/// Queues `payload` for every configured webhook.
pub async fn enqueue(
    services: &Services,
    about: DeliveryFor,
    payload: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let mut db = services.db.acquire().await?;
    enqueue_in(&mut db, services, about, payload).await
}

/// [`enqueue`] inside the caller's transaction, so an event and its calls commit together.
pub async fn enqueue_in(
    db: &mut impl crate::db::Connection,
    services: &Services,
    about: DeliveryFor,
    payload: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let body = payload.to_string();
    for webhook in &services.settings.webhooks {
        store::insert(&mut *db, about, &webhook.name, &body, services.clock.now()).await?;
    }
    Ok(())
}

/// Sends what is due now, in the background: a receiver that is slow or down must not hold up
/// the caller; failures are retried by the webhook job.
pub fn send_soon(services: &Services) {
    let services = services.clone();
    tokio::spawn(async move {
        if let Err(error) = deliver_due(&services).await {
            tracing::error!(%error, "sending webhooks");
        }
    });
}

/// Sends every delivery that is due; returns how many were delivered.
pub async fn deliver_due(services: &Services) -> Result<usize, sqlx::Error> {
    // One sender at a time (the retry job and a just-finished promotion), so no call goes twice.
    let _sending = services.webhook_sender.lock().await;
    let now = services.clock.now();
    let mut delivered = 0;
    for due in store::due(&services.db, now).await? {
        let result = send(services, &due).await;
        let now = services.clock.now();
        match result {
            Ok(()) => {
                store::delivered(&services.db, due.id, now).await?;
                crate::metrics::webhook_delivery("delivered");
                delivered += 1;
            }
            Err(error) => {
                let next = BACKOFF.get(due.attempts as usize).map(|wait| now + *wait);
                tracing::warn!(webhook = %due.webhook, %error, retry = next.is_some(), "webhook delivery failed");
                crate::metrics::webhook_delivery(if next.is_some() {
                    "retrying"
                } else {
                    "failed"
                });
                store::failed_attempt(&services.db, due.id, &error, next).await?;
            }
        }
    }
    Ok(delivered)
}

/// `promotion` or `storage`: the part of the payload's `event` before the dot.
fn event_family(payload: &str) -> String {
    let event = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["event"].as_str().map(str::to_string))
        .unwrap_or_default();
    event.split('.').next().unwrap_or_default().to_string()
}

async fn send(services: &Services, due: &store::Due) -> Result<(), String> {
    let webhook = services
        .settings
        .webhooks
        .iter()
        .find(|w| w.name == due.webhook)
        .ok_or("the webhook is no longer configured")?;
    let secret = services
        .settings
        .shared_secrets
        .get(&webhook.secret_env)
        .ok_or_else(|| format!("`{}` is not set", webhook.secret_env))?;
    let response = services
        .http
        .post(webhook.url.clone())
        .timeout(TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("x-regatta-event", event_family(&due.payload))
        .header("x-regatta-delivery", due.id.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(secret.expose_secret().as_bytes(), due.payload.as_bytes()),
        )
        .body(due.payload.clone())
        .send()
        .await
        .map_err(failure_kind)?;
    match response.status() {
        status if status.is_success() => Ok(()),
        status if status.is_redirection() => Err(format!(
            "HTTP {} (redirects are not followed)",
            status.as_u16()
        )),
        status => Err(format!("HTTP {}", status.as_u16())),
    }
}

/// What went wrong, in words that are safe for the history page: webhook URLs often carry a
/// token (chat and CI hooks put it in the path), and reqwest's message repeats the URL.
fn failure_kind(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer could not be read"
    } else {
        "the request failed"
    };
    tracing::debug!(error = %error.without_url(), "webhook call failed");
    kind.to_string()
}

/// `sha256=<hex>` of the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn signatures_match_a_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
