//! Storage thresholds (`[registry.storage]`), checked after every snapshot: stored bytes above
//! `warn_at_percent` of `capacity_bytes`, and growth over the last 7 days above
//! `max_growth_bytes_per_day`. Crossing one writes an alert row and sends
//! `storage.threshold_crossed` to the `[[webhook]]`s — once per crossing, not at every snapshot
//! while it stays above; coming back under writes a `recovered` row and sends
//! `storage.threshold_recovered`.

use super::history::growth_per_day;
use super::snapshots::format_taken_at;
use crate::config::RegistryConfig;
use crate::webhooks::{self, DeliveryFor};
use crate::{DomainError, Services};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StorageAlert {
    pub id: i64,
    pub registry: String,
    /// `capacity` (stored bytes) or `growth` (bytes a day).
    pub kind: String,
    /// `crossed` or `recovered`.
    pub state: String,
    pub value: i64,
    pub threshold: i64,
    /// The snapshot's time.
    pub at: String,
}

/// Checks every registry's thresholds against its latest snapshot; returns the alert rows
/// written (crossings and recoveries).
pub async fn check_thresholds(services: &Services) -> Result<Vec<StorageAlert>, DomainError> {
    let now = services.clock.now();
    let mut written = Vec::new();
    for registry in &services.settings.registries {
        for (kind, reading) in readings(services, registry, now).await? {
            let Some((value, threshold, at)) = reading else {
                continue;
            };
            let above = match kind {
                "capacity" => value >= threshold,
                _ => value > threshold,
            };
            let crossed = latest_state(services, &registry.name, kind)
                .await?
                .as_deref()
                == Some("crossed");
            let state = match (above, crossed) {
                (true, false) => "crossed",
                (false, true) => "recovered",
                _ => continue,
            };
            let alert =
                record(services, &registry.name, kind, state, value, threshold, &at).await?;
            written.push(alert);
        }
    }
    if !written.is_empty() && !services.settings.webhooks.is_empty() {
        webhooks::send_soon(services);
    }
    Ok(written)
}

/// `(kind, Some((value, threshold, snapshot time)))` for each threshold the registry has and
/// its snapshots can answer.
async fn readings(
    services: &Services,
    registry: &RegistryConfig,
    now: OffsetDateTime,
) -> Result<Vec<(&'static str, Option<(i64, i64, String)>)>, DomainError> {
    let limits = &registry.storage;
    if limits.capacity_bytes.is_none() && limits.max_growth_bytes_per_day.is_none() {
        return Ok(Vec::new());
    }
    let week: Vec<(String, i64)> = crate::db::query_as(
        "SELECT taken_at, stored_bytes FROM storage_snapshots
         WHERE registry = ?1 AND kind = 'registry' AND scope = ?1 AND taken_at >= ?2
         ORDER BY taken_at",
    )
    .bind(&registry.name)
    .bind(format_taken_at(now - Duration::days(7)))
    .fetch_all(&services.db)
    .await?;
    let Some((at, stored)) = week.last().cloned() else {
        return Ok(Vec::new());
    };
    let capacity = limits.capacity_bytes.map(|capacity| {
        let warn_at = capacity * i64::from(limits.warn_at_percent) / 100;
        (stored, warn_at, at.clone())
    });
    let growth = limits.max_growth_bytes_per_day.and_then(|most| {
        let series: Vec<(f64, f64)> = week
            .iter()
            .filter_map(|(time, bytes)| {
                let taken =
                    OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
                        .ok()?;
                Some(((now - taken).as_seconds_f64() / 86_400.0, *bytes as f64))
            })
            .collect();
        let rate = growth_per_day(&series, 7.0)?;
        Some((rate.round() as i64, most, at.clone()))
    });
    Ok(vec![("capacity", capacity), ("growth", growth)])
}

async fn latest_state(
    services: &Services,
    registry: &str,
    kind: &str,
) -> Result<Option<String>, sqlx::Error> {
    crate::db::query_scalar(
        "SELECT state FROM storage_alerts WHERE registry = ? AND kind = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(registry)
    .bind(kind)
    .fetch_optional(&services.db)
    .await
}

/// Writes the alert row and its webhook deliveries in one transaction: an alert is never
/// recorded without its calls queued, nor queued twice.
async fn record(
    services: &Services,
    registry: &str,
    kind: &str,
    state: &str,
    value: i64,
    threshold: i64,
    at: &str,
) -> Result<StorageAlert, DomainError> {
    let mut tx = crate::db::begin_write(&services.db).await?;
    let alert: StorageAlert = crate::db::query_as(
        "INSERT INTO storage_alerts (registry, kind, state, value, threshold, at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id, registry, kind, state, value, threshold, at",
    )
    .bind(registry)
    .bind(kind)
    .bind(state)
    .bind(value)
    .bind(threshold)
    .bind(at)
    .fetch_one(&mut tx)
    .await?;
    let event = match state {
        "crossed" => "storage.threshold_crossed",
        _ => "storage.threshold_recovered",
    };
    let payload = serde_json::json!({
        "event": event,
        "alert": {
            "id": alert.id,
            "registry": alert.registry,
            "kind": alert.kind,
            "value": alert.value,
            "threshold": alert.threshold,
            "at": alert.at,
        }
    });
    let about = DeliveryFor::StorageAlert(alert.id);
    webhooks::enqueue_in(&mut tx, services, about, &payload).await?;
    tx.commit().await?;
    Ok(alert)
}

/// The thresholds crossed now (their latest row says `crossed`), for banners.
pub async fn active_alerts(services: &Services) -> Result<Vec<StorageAlert>, DomainError> {
    Ok(crate::db::query_as(
        "SELECT a.id, a.registry, a.kind, a.state, a.value, a.threshold, a.at
         FROM storage_alerts a
         WHERE a.id = (SELECT MAX(b.id) FROM storage_alerts b
                       WHERE b.registry = a.registry AND b.kind = a.kind)
               AND a.state = 'crossed'
         ORDER BY a.registry, a.kind",
    )
    .fetch_all(&services.db)
    .await?)
}

/// The latest `limit` alert rows of `registry`, newest first: the storage page's alert list.
pub async fn recent_alerts(
    services: &Services,
    registry: &str,
    limit: i64,
) -> Result<Vec<StorageAlert>, DomainError> {
    Ok(crate::db::query_as(
        "SELECT id, registry, kind, state, value, threshold, at FROM storage_alerts
         WHERE registry = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(registry)
    .bind(limit)
    .fetch_all(&services.db)
    .await?)
}
