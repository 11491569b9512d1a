//! The crawler against a real registry: a first crawl fills the index, a re-crawl of an
//! unchanged registry fetches no manifest and costs one HEAD per tag, deletions leave the index.

use end2end::images;
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::config::parse_settings;
use regatta_core::index::{crawl_registry, registry_id, tags_of_registry};
use regatta_core::registry::{RepoName, Tag};
use regatta_core::Services;

async fn services_for(registry: &RegistryFixture, dir: &tempfile::TempDir) -> Services {
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &registry.url))
        .to_toml();
    Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap()
}

async fn tags(services: &Services) -> Vec<(String, String, String)> {
    let id = registry_id(&services.db, "local").await.unwrap();
    let rows = tags_of_registry(&services.db, id).await.unwrap();
    rows.into_iter()
        .map(|r| (r.repository, r.tag, r.digest))
        .collect()
}

#[tokio::test]
async fn a_crawl_fills_the_index_and_a_recrawl_costs_one_head_per_tag() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services_for(&registry, &dir).await;

    let first = crawl_registry(&services, "local").await.unwrap();
    assert_eq!((first.repositories, first.tags), (6, 11));
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let indexed = tags(&services).await;
    let digest_of = |repo: &str, tag: &str| {
        indexed
            .iter()
            .find(|(r, t, _)| r == repo && t == tag)
            .map(|(_, _, d)| d.clone())
            .unwrap()
    };
    assert_eq!(
        digest_of("dev/shop-api", "latest"),
        digest_of("dev/shop-api", "1.2.0")
    );
    assert_eq!(
        digest_of("dev/shop-api", "latest"),
        images::app_image("shop-api", "1.2.0", "amd64")
            .manifest
            .digest()
    );

    let again = crawl_registry(&services, "local").await.unwrap();
    assert_eq!(
        again.manifests_fetched, 0,
        "unchanged digests are not fetched again"
    );
    // 1 catalog page + 6 tag lists + 11 HEADs.
    assert_eq!(again.requests, 1 + 6 + 11);
    assert_eq!(tags(&services).await, indexed);
}

#[tokio::test]
async fn multi_arch_indexes_are_stored_with_their_platforms_and_sizes() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services_for(&registry, &dir).await;
    crawl_registry(&services, "local").await.unwrap();
    let platforms: Vec<(String, i64)> = regatta_core::db::query_as(
        "SELECT c.architecture, c.total_size FROM manifests p
         JOIN manifest_children mc ON mc.parent_id = p.id JOIN manifests c ON c.id = mc.child_id
         WHERE p.digest = ? ORDER BY mc.position",
    )
    .bind(
        images::multi_arch(vec![
            images::app_image("toolbox", "2.0", "amd64"),
            images::app_image("toolbox", "2.0", "arm64"),
        ])
        .index
        .digest(),
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    let archs: Vec<&str> = platforms.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(archs, ["amd64", "arm64"]);
    let index_size: i64 =
        regatta_core::db::query_scalar("SELECT total_size FROM manifests WHERE is_index LIMIT 1")
            .fetch_one(&services.db)
            .await
            .unwrap();
    assert_eq!(index_size, platforms.iter().map(|(_, s)| s).sum::<i64>());
}

#[tokio::test]
async fn deleted_tags_leave_the_index_and_emptied_repositories_stay_empty() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services_for(&registry, &dir).await;
    crawl_registry(&services, "local").await.unwrap();

    let client = services.registries.get("local").unwrap();
    let prod = RepoName::parse("prod/shop-api").unwrap();
    client
        .delete_tag(&prod, &Tag::parse("1.0.0").unwrap())
        .await
        .unwrap();
    let worker = RepoName::parse("dev/billing-worker").unwrap();
    client
        .delete_tag(&worker, &Tag::parse("0.1.0").unwrap())
        .await
        .unwrap();
    let pushed = images::app_image("billing-worker", "0.3.0", "amd64");
    registry
        .pusher()
        .unwrap()
        .push_image("dev/billing-worker", "0.3.0", &pushed)
        .await
        .unwrap();

    let report = crawl_registry(&services, "local").await.unwrap();
    assert!(
        report.errors.is_empty(),
        "an emptied repository is not an error: {:?}",
        report.errors
    );
    assert_eq!(report.manifests_fetched, 1);
    let indexed: Vec<(String, String)> = tags(&services)
        .await
        .into_iter()
        .map(|(r, t, _)| (r, t))
        .collect();
    assert!(!indexed.iter().any(|(r, _)| r == "prod/shop-api"));
    assert!(indexed.contains(&("dev/billing-worker".into(), "0.3.0".into())));
    assert!(!indexed.contains(&("dev/billing-worker".into(), "0.1.0".into())));
    let empty: i64 = regatta_core::db::query_scalar(
        "SELECT COUNT(*) FROM repositories WHERE name = 'prod/shop-api'",
    )
    .fetch_one(&services.db)
    .await
    .unwrap();
    assert_eq!(empty, 1, "the repository stays, shown as empty");
}

#[tokio::test]
async fn with_notifications_arriving_a_recrawl_lists_tags_only_and_heads_them_daily() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .verify_interval_hours(24)
        .registry(
            Registry::new("local", &registry.url)
                .notify_secret_env("INDEX_CRAWL_TEST_NOTIFY_SECRET"),
        )
        .to_toml();
    let env = [(
        "INDEX_CRAWL_TEST_NOTIFY_SECRET".to_string(),
        "s3cret".to_string(),
    )];
    let mut services = Services::start(parse_settings("test.toml", &text, &env).unwrap())
        .await
        .unwrap();
    let clock = std::sync::Arc::new(regatta_core::clock::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ));
    services.clock = clock.clone();

    let first = crawl_registry(&services, "local").await.unwrap();
    assert!(first.verified);
    // Before any notification arrived, a re-crawl still HEADs every tag.
    let unproven = crawl_registry(&services, "local").await.unwrap();
    assert_eq!(unproven.requests, 1 + 6 + 11);

    // Once the registry's notifications reach us, a re-crawl lists catalog and tags only.
    regatta_core::index::notifications::receive(
        &services,
        "local",
        Some("Bearer s3cret"),
        br#"{"events": []}"#,
    )
    .await
    .unwrap();
    let light = crawl_registry(&services, "local").await.unwrap();
    assert!(!light.verified);
    assert_eq!(
        light.requests,
        1 + 6,
        "1 catalog page + 6 tag lists, no HEAD"
    );
    assert_eq!(light.manifests_fetched, 0);

    // A tag moved without an event reaching us (lost) is caught by the daily check.
    let moved = images::app_image("shop-api", "9.9.9", "amd64");
    registry
        .pusher()
        .unwrap()
        .push_image("dev/shop-api", "latest", &moved)
        .await
        .unwrap();
    let latest = |rows: Vec<(String, String, String)>| {
        rows.into_iter()
            .find(|(r, t, _)| r == "dev/shop-api" && t == "latest")
            .map(|(_, _, d)| d)
            .unwrap()
    };
    crawl_registry(&services, "local").await.unwrap();
    assert_ne!(latest(tags(&services).await), moved.manifest.digest());
    clock.advance(time::Duration::hours(25));
    let daily = crawl_registry(&services, "local").await.unwrap();
    assert!(daily.verified);
    assert_eq!(latest(tags(&services).await), moved.manifest.digest());
}
