//! Storage thresholds over real snapshots of a real registry (manual clock): crossing the
//! capacity warning queues exactly one `storage.threshold_crossed` call, staying above queues
//! none, coming back under records the recovery; growth beyond `max_growth_bytes_per_day` is
//! a crossing of its own.

use super::storage_accounting::{crawled_registry, own_bytes};
use end2end::images::{image, opaque_layer};
use regatta_core::clock::ManualClock;
use regatta_core::config::WebhookConfig;
use regatta_core::index::crawl_registry;
use regatta_core::storage::{active_alerts, recent_alerts, take_snapshot};
use regatta_core::Services;
use std::sync::Arc;
use time::macros::datetime;
use time::Duration;

async fn queued_events(services: &Services) -> Vec<String> {
    regatta_core::db::query_scalar(
        "SELECT json_extract(payload, '$.event') || ' ' || json_extract(payload, '$.alert.kind')
         FROM webhook_deliveries WHERE storage_alert_id IS NOT NULL ORDER BY id",
    )
    .on_postgres(
        "SELECT (payload::json ->> 'event') || ' ' || (payload::json -> 'alert' ->> 'kind')
         FROM webhook_deliveries WHERE storage_alert_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&services.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_crossing_is_signalled_once_and_its_recovery_recorded() {
    let (registry, _dir, mut services, pushed) = crawled_registry().await;
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-01 12:00 UTC)));
    services.clock = clock.clone();
    let first = take_snapshot(&services).await.unwrap();
    assert_eq!(first.alerts, 0, "no thresholds configured");
    let stored: i64 = regatta_core::db::query_scalar(
        "SELECT stored_bytes FROM storage_snapshots WHERE kind = 'registry' AND taken_at = ?",
    )
    .bind(&first.taken_at)
    .fetch_one(&services.db)
    .await
    .unwrap();

    // 80 % of the capacity lies 100 kB above what is stored now; one push crosses it.
    let mut settings = (*services.settings).clone();
    settings.registries[0].storage.capacity_bytes = Some((stored + 100_000) * 100 / 80);
    settings.webhooks.push(WebhookConfig {
        name: "alerts".into(),
        url: "http://127.0.0.1:9/hook".parse().unwrap(),
        secret_env: "UNUSED_HERE".into(),
    });
    services.settings = Arc::new(settings);
    clock.advance(Duration::hours(1));
    assert_eq!(take_snapshot(&services).await.unwrap().alerts, 0, "below");

    let big = image("linux", "amd64", vec![opaque_layer(150_000, 21)], &[]);
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/big", "1", &big).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    clock.advance(Duration::hours(1));
    assert_eq!(take_snapshot(&services).await.unwrap().alerts, 1, "crossed");
    clock.advance(Duration::hours(1));
    assert_eq!(
        take_snapshot(&services).await.unwrap().alerts,
        0,
        "still above: no new call"
    );
    assert_eq!(
        queued_events(&services).await,
        ["storage.threshold_crossed capacity"]
    );
    let active = active_alerts(&services).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(
        active[0].value,
        stored + own_bytes(&big, &pushed.base) as i64
    );

    // Deleting the tag (and letting the index see it) brings the registry back under.
    let client = registry.pusher().unwrap();
    client
        .delete_manifest("dev/big", &big.manifest.digest())
        .await
        .unwrap();
    crawl_registry(&services, "local").await.unwrap();
    clock.advance(Duration::hours(1));
    assert_eq!(
        take_snapshot(&services).await.unwrap().alerts,
        1,
        "recovered"
    );
    let rows = recent_alerts(&services, "local", 10).await.unwrap();
    let states: Vec<&str> = rows.iter().map(|a| a.state.as_str()).collect();
    assert_eq!(states, ["recovered", "crossed"]);
    assert!(active_alerts(&services).await.unwrap().is_empty());
    assert_eq!(
        queued_events(&services).await,
        [
            "storage.threshold_crossed capacity",
            "storage.threshold_recovered capacity"
        ]
    );
}

#[tokio::test]
async fn growing_faster_than_the_configured_rate_is_a_crossing_of_its_own() {
    let (registry, _dir, mut services, _pushed) = crawled_registry().await;
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-01 12:00 UTC)));
    services.clock = clock.clone();
    let mut settings = (*services.settings).clone();
    // 1 MB a day; the push below adds ~150 kB within an hour, ~3.6 MB a day.
    settings.registries[0].storage.max_growth_bytes_per_day = Some(1_000_000);
    services.settings = Arc::new(settings);
    take_snapshot(&services).await.unwrap();
    let big = image("linux", "amd64", vec![opaque_layer(150_000, 22)], &[]);
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/big", "1", &big).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    clock.advance(Duration::hours(1));
    assert_eq!(take_snapshot(&services).await.unwrap().alerts, 1);
    let active = active_alerts(&services).await.unwrap();
    assert_eq!(
        (active[0].kind.as_str(), active[0].threshold),
        ("growth", 1_000_000)
    );
    assert!(active[0].value > 3_000_000, "{:?}", active[0]);
}
