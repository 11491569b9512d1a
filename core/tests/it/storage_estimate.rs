//! Day-one history: the first snapshot estimates the past from the build dates of the images
//! in a real registry, a blob counted from the earliest image using it; a placeholder date
//! (1970) counts from when the tag was seen, which is not in the past.

use end2end::images::{image_built, opaque_layer, Image, Layer, OCI};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::clock::ManualClock;
use regatta_core::index::crawl_registry;
use regatta_core::storage::{load_estimate, storage_history, take_snapshot, Grouping};
use regatta_core::users::{Role, User};
use std::sync::Arc;
use time::OffsetDateTime;

fn built(at: &str, layers: Vec<Layer>) -> Image {
    image_built(OCI, at, "linux", "amd64", layers, &[])
}

/// What the registry stores for an image beyond the layers counted already.
fn own(image: &Image, skip: &[&Layer]) -> i64 {
    let layers: usize = image
        .layers
        .iter()
        .filter(|l| skip.iter().all(|s| s.blob.digest() != l.blob.digest()))
        .map(|l| l.blob.bytes.len())
        .sum();
    (layers + image.config.bytes.len() + image.manifest.bytes.len()) as i64
}

#[tokio::test]
async fn the_first_snapshot_estimates_the_past_from_build_dates() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let base = opaque_layer(100_000, 21);
    let a = built(
        "2026-10-01T08:00:00Z",
        vec![base.clone(), opaque_layer(10_000, 22)],
    );
    let b = built(
        "2026-10-05T23:59:00Z",
        vec![base.clone(), opaque_layer(20_000, 23)],
    );
    let reproducible = built("1970-01-01T00:00:00Z", vec![opaque_layer(30_000, 24)]);
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/a", "1", &a).await.unwrap();
    pusher.push_image("dev/b", "1", &b).await.unwrap();
    pusher
        .push_image("dev/c", "1", &reproducible)
        .await
        .unwrap();

    let (_dir, mut services) =
        crate::start_services(SettingsFile::new().registry(Registry::new("local", &registry.url)))
            .await;
    crawl_registry(&services, "local").await.unwrap();
    let now = OffsetDateTime::now_utc();
    services.clock = Arc::new(ManualClock::new(now));
    take_snapshot(&services).await.unwrap();

    let estimate = load_estimate(&services.db, "local").await.unwrap();
    let first_day = (now.date() - time::macros::date!(2026 - 10 - 01)).whole_days();
    assert_eq!(
        estimate.len() as i64,
        first_day,
        "a point a day until the snapshot"
    );
    let on = |day: &str| {
        estimate
            .iter()
            .find(|(d, _)| d == &format!("{day}T00:00:00Z"))
            .unwrap()
            .1
    };
    let a_bytes = own(&a, &[]);
    let b_bytes = own(&b, &[&base]);
    assert_eq!(on("2026-10-01"), a_bytes, "the base counts from a's build");
    assert_eq!(on("2026-10-04"), a_bytes);
    assert_eq!(on("2026-10-05"), a_bytes + b_bytes);
    let before_snapshot = estimate.last().unwrap().1;
    assert_eq!(before_snapshot, a_bytes + b_bytes);

    let viewer = User::not_stored("viewer", Role::Viewer);
    let history = &storage_history(&services, &viewer, Some("local"), Grouping::Namespace)
        .await
        .unwrap()[0];
    assert_eq!(
        history.stored[0],
        before_snapshot + own(&reproducible, &[]),
        "the 1970 image is counted from when it was seen: today"
    );

    // Kept from the first snapshot: a later one does not estimate again.
    pusher
        .push_image(
            "dev/d",
            "1",
            &built("2026-09-01T00:00:00Z", vec![opaque_layer(1_000, 25)]),
        )
        .await
        .unwrap();
    crawl_registry(&services, "local").await.unwrap();
    take_snapshot(&services).await.unwrap();
    assert_eq!(
        load_estimate(&services.db, "local").await.unwrap(),
        estimate
    );
}
