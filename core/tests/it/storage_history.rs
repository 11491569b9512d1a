//! Storage over time, read back from snapshots taken a day apart (manual clock) around a real
//! push: the registry's series, its parts by environment, the growth rate, the forecast to the
//! configured capacity, the top growers, and the CSV of it all.

use super::storage_accounting::{crawled_registry, own_bytes};
use end2end::images::{image, opaque_layer};
use regatta_core::clock::ManualClock;
use regatta_core::index::crawl_registry;
use regatta_core::storage::{history_csv, storage_history, take_snapshot, Grouping, Range};
use regatta_core::users::{Role, User};
use std::sync::Arc;
use time::macros::datetime;
use time::Duration;

const CAPACITY: i64 = 10_000_000;

#[tokio::test]
async fn a_days_push_shows_as_growth_of_its_environment_and_repository() {
    let (registry, _dir, mut services, pushed) = crawled_registry().await;
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-01 12:00 UTC)));
    services.clock = clock.clone();
    let mut settings = (*services.settings).clone();
    settings.registries[0].storage.capacity_bytes = Some(CAPACITY);
    services.settings = Arc::new(settings);
    take_snapshot(&services).await.unwrap();

    clock.advance(Duration::days(1));
    let grown = image(
        "linux",
        "amd64",
        vec![pushed.base.clone(), opaque_layer(250_000, 9)],
        &[("name", "app")],
    );
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/app", "2.0", &grown).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    take_snapshot(&services).await.unwrap();

    let viewer = User::not_stored("viewer", Role::Viewer);
    let histories = storage_history(&services, &viewer, Some("local"), Grouping::Environment)
        .await
        .unwrap();
    let local = &histories[0];
    let added = own_bytes(&grown, &pushed.base) as i64;
    assert_eq!(
        local.times,
        ["2026-11-01T12:00:00Z", "2026-11-02T12:00:00Z"]
    );
    assert_eq!(local.stored[1] - local.stored[0], added);
    let part = |name: &str| &local.parts.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(part("dev")[1] - part("dev")[0], added);
    assert_eq!(part("staging")[1], part("staging")[0]);
    assert_eq!(local.growth_7d.map(f64::round), Some(added as f64));
    let left = CAPACITY - local.stored[1];
    let full_in = local.full_in_days.unwrap();
    assert!(
        (full_in - left as f64 / added as f64).abs() < 1e-6,
        "{full_in}"
    );
    assert_eq!(local.growers[0].repository, "dev/app");
    assert_eq!(local.growers[0].grown_bytes, added);
    assert_eq!(
        local.growers.len(),
        1,
        "nothing else grew: {:?}",
        local.growers
    );
    assert_eq!(local.largest.len(), 4);
    assert_eq!(local.points_in(Range::Year, clock_now(&services)).len(), 2);
    assert_eq!(
        local.points_in(Range::Day, clock_now(&services)).len(),
        2,
        "24 h back is the first"
    );

    let csv = history_csv(&histories, Grouping::Environment);
    let (estimated, lines): (Vec<&str>, Vec<&str>) =
        csv.lines().partition(|l| l.contains(",estimated,"));
    assert_eq!(lines[0], "registry,kind,scope,taken_at,stored_bytes");
    assert_eq!(lines.len(), 1 + 2 * 3, "{csv}");
    // The seeded images were built 2026-01-15: a day each until the first snapshot.
    assert_eq!(estimated.len(), 290);
    assert!(estimated[0].starts_with("local,estimated,local,2026-01-15T00:00:00Z,"));
    assert!(estimated[289].starts_with("local,estimated,local,2026-10-31T00:00:00Z,"));
    let dev_then = format!(
        "local,environment,dev,2026-11-02T12:00:00Z,{}",
        part("dev")[1]
    );
    assert!(lines.contains(&dev_then.as_str()), "{csv}");

    let unknown = storage_history(&services, &viewer, Some("nope"), Grouping::Environment).await;
    assert!(unknown.is_err());
}

fn clock_now(services: &regatta_core::Services) -> time::OffsetDateTime {
    services.clock.now()
}
