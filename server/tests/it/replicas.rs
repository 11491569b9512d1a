//! Two replicas of the real binary on one database (issue #17): each background job runs on
//! one of them, and moves to another when its replica dies, finishing the pass it left
//! half-way. The database here is one SQLite file; the leases are the same on any backend.

use super::support::*;
use end2end::settings::Registry;
use end2end::{seed, RegistryFixture, RegistryOptions, SettingsFile};
use std::time::Duration;

/// Catalog walks in the registry's access log (a walk's later pages carry `last=`).
fn catalog_walks(registry: &RegistryFixture) -> usize {
    registry
        .log()
        .lines()
        .filter(|line| line.contains("GET /v2/_catalog") && !line.contains("last="))
        .count()
}

async fn indexed_tags(database: &std::path::Path) -> i64 {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(database)
        .read_only(true);
    let db = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    count
}

async fn crawl_holder(database: &std::path::Path) -> Option<String> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(database)
        .read_only(true);
    let db = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let holder = sqlx::query_scalar("SELECT holder FROM job_leases WHERE job = 'crawl'")
        .fetch_optional(&db)
        .await
        .unwrap();
    db.close().await;
    holder
}

#[tokio::test]
async fn the_crawl_runs_on_one_replica_and_moves_to_another_when_it_dies_mid_way() {
    const REPOS: usize = 100;
    const TAGS: usize = 4;
    let registry = RegistryFixture::start(RegistryOptions {
        access_log: true,
        ..Default::default()
    })
    .await
    .unwrap();
    seed::seed_many(&registry.pusher().unwrap(), REPOS, TAGS, 8)
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry))
        .crawl_interval_minutes(60)
        .replica_lease_seconds(3);
    let mut a = start_app_with_settings(settings).await;
    let started = std::time::Instant::now();
    while catalog_walks(&registry) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "A never crawled"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    a.kill(); // mid-crawl: A's pass stays unfinished
    let left_by_a = indexed_tags(&a.database).await;
    assert!(left_by_a < (REPOS * TAGS) as i64, "A was stopped mid-way");

    let b = a.replica().await.unwrap();
    let finished = end2end::wait::until(Duration::from_secs(30), || async {
        indexed_tags(&a.database).await == (REPOS * TAGS) as i64
    })
    .await;
    assert!(finished, "B finishes the crawl A left:\n{}", b.log());
    assert_eq!(catalog_walks(&registry), 2, "A's walk and B's");
    let b_holds = crawl_holder(&a.database).await.unwrap();
    assert!(b.log().contains("this replica runs the job"), "{}", b.log());

    // A third replica beside the live B: the crawl stays B's, and the pass B finished is not
    // repeated (the next one is due in an hour, whoever holds the job then).
    let c = b.replica().await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await; // longer than the lease
    assert_eq!(catalog_walks(&registry), 2, "{}", c.log());
    assert_eq!(crawl_holder(&a.database).await.unwrap(), b_holds);
}
