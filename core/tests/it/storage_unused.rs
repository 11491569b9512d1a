//! The unused share and the biggest layers a snapshot writes down: over a real crawl, with
//! pull times as registry notifications write them (manual clock), tags neither pulled nor
//! pushed lately are unused, and what deleting them would free is their exclusive bytes.

use super::storage_accounting::crawled_registry;
use regatta_core::clock::{sortable_utc, ManualClock};
use regatta_core::index::pulls::note_pull;
use regatta_core::storage::{bytes_freed_by, latest_details, take_snapshot, StorageDetails};
use regatta_core::Services;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

async fn details(services: &Services) -> StorageDetails {
    take_snapshot(services).await.unwrap();
    latest_details(&services.db, "local")
        .await
        .unwrap()
        .unwrap()
}

async fn digest_of(services: &Services, repository: &str, tag: &str) -> String {
    regatta_core::db::query_scalar(
        "SELECT m.digest FROM tags t JOIN repositories r ON r.id = t.repository_id
         JOIN manifests m ON m.id = t.manifest_id WHERE r.name = ? AND t.name = ?",
    )
    .bind(repository)
    .bind(tag)
    .fetch_one(&services.db)
    .await
    .unwrap()
}

fn tags(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(r, t)| (r.to_string(), t.to_string()))
        .collect()
}

#[tokio::test]
async fn tags_neither_pulled_nor_pushed_lately_are_unused_and_their_exclusive_bytes_are_what_goes()
{
    let (_registry, _dir, mut services, pushed) = crawled_registry().await;
    let crawled = OffsetDateTime::now_utc();
    let clock = Arc::new(ManualClock::new(crawled));
    services.clock = clock.clone();

    let first = details(&services).await;
    assert_eq!(
        first.unused, None,
        "no pull notification yet: unknown, not 0"
    );
    let base = &first.biggest_layers[0];
    assert_eq!(base.digest, pushed.base.blob.digest());
    assert_eq!(base.size_bytes, pushed.base.blob.bytes.len() as u64);
    // app (dev/app, staging/app), worker and the tool's amd64 platform share it.
    assert_eq!((base.images, base.repositories), (3, 4));

    // Pull times are known from a day after the push: dev/app's image is pulled then.
    clock.advance(Duration::days(1));
    let app = digest_of(&services, "dev/app", "1.0").await;
    note_pull(&services, "local", "dev/app", &app)
        .await
        .unwrap();
    clock.advance(Duration::days(10));
    let unused = details(&services).await.unused.unwrap();
    assert!(!unused.complete, "pulls known for 10 of the 30 days");
    assert_eq!(unused.since, sortable_utc(crawled + Duration::days(1)));
    // The same image in staging/app was not pulled from there.
    let doomed = tags(&[
        ("dev/tool", "2.0"),
        ("dev/worker", "1.0"),
        ("staging/app", "1.0"),
    ]);
    let freed = bytes_freed_by(&services, "local", &doomed).await.unwrap();
    assert_eq!(unused.tags, 3);
    assert_eq!(unused.exclusive_bytes, freed.exclusive_bytes);
    assert_eq!(unused.logical_bytes, freed.logical_bytes);
    let listed: Vec<(String, String)> = unused
        .largest
        .iter()
        .map(|t| (t.repository.clone(), t.tag.clone()))
        .collect();
    assert_eq!(listed[0], doomed[0], "the multi-arch tool is the largest");
    assert_eq!(listed.len(), 3);

    // A node pulls the tool's arm64 platform by digest: the tool is in use.
    clock.advance(Duration::days(24));
    let arm64 = pushed.tool.images[1].manifest.digest();
    note_pull(&services, "local", "dev/tool", &arm64)
        .await
        .unwrap();
    clock.advance(Duration::days(5));
    let unused = details(&services).await.unused.unwrap();
    assert!(unused.complete);
    assert_eq!(unused.since, sortable_utc(crawled + Duration::days(10)));
    let doomed = tags(&[
        ("dev/app", "1.0"),
        ("dev/app", "latest"),
        ("dev/worker", "1.0"),
        ("staging/app", "1.0"),
    ]);
    let freed = bytes_freed_by(&services, "local", &doomed).await.unwrap();
    assert_eq!(
        (unused.tags, unused.exclusive_bytes),
        (4, freed.exclusive_bytes),
        "dev/app's pull is 34 days old now"
    );
    assert!(unused.largest.iter().all(|t| t.repository != "dev/tool"));
}
