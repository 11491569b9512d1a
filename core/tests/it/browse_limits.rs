//! Browsing stays bounded when a repository is huge: a CI that tags every build leaves
//! thousands of tags; the tag table pages through all of them, filters and orders in the
//! index, and a request costs one page.

use end2end::settings::Registry;
use end2end::SettingsFile;
use regatta_core::browse::{repository_tags, RepositoryTags, TagQuery, TagSort, TAGS_PER_PAGE};
use regatta_core::config::parse_settings;
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};
use std::collections::HashSet;

const BUILDS: i64 = 2500;

/// The synthetic index's one repository (nine images tagged with versions or a git SHA, and
/// `latest`) plus `build-1` … `build-2500`.
async fn huge_repository() -> (tempfile::TempDir, Services, String, i64) {
    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("hub", "http://127.0.0.1:9"))
        .to_toml();
    let services = Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap();
    crate::fill_synthetic_index(&services, &["hub"], 1).await;
    let (repository, before): (String, i64) = regatta_core::db::query_as(
        "SELECT r.name, COUNT(*) FROM repositories r JOIN tags t ON t.repository_id = r.id GROUP BY r.id",
    )
    .fetch_one(&services.db)
    .await
    .unwrap();
    regatta_core::db::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO tags (repository_id, name, manifest_id, updated_at, created, platforms, registry_id, repository_name)
         SELECT (SELECT id FROM repositories), 'build-' || i,
                (SELECT manifest_id FROM tags LIMIT 1), '2026-12-01T00:00:00Z',
                (SELECT created FROM tags LIMIT 1), (SELECT platforms FROM tags LIMIT 1),
                (SELECT registry_id FROM repositories), (SELECT name FROM repositories) FROM n",
    )
    .bind(BUILDS)
    .execute(&services.db)
    .await
    .unwrap();
    (dir, services, repository, before + BUILDS)
}

async fn page(
    services: &Services,
    repository: &str,
    filter: &str,
    sort: TagSort,
    page: i64,
) -> Result<RepositoryTags, DomainError> {
    let viewer = User::not_stored("viewer", Role::Viewer);
    let query = TagQuery {
        filter: filter.into(),
        sort,
        page,
    };
    repository_tags(services, &viewer, "hub", repository, &query).await
}

fn names(listed: &RepositoryTags) -> Vec<String> {
    listed.tags.iter().map(|t| t.tag.clone()).collect()
}

#[tokio::test]
async fn every_tag_of_a_huge_repository_is_on_exactly_one_page() {
    let (_dir, services, repository, total) = huge_repository().await;
    let first = page(&services, &repository, "", TagSort::Created, 1)
        .await
        .unwrap();
    assert_eq!(first.tags.len() as i64, TAGS_PER_PAGE);
    assert_eq!((first.total, first.matching), (total, total));
    assert_eq!(first.pages, (total + TAGS_PER_PAGE - 1) / TAGS_PER_PAGE);

    let mut seen = HashSet::new();
    let mut created = Vec::new();
    for number in 1..=first.pages {
        let listed = page(&services, &repository, "", TagSort::Created, number)
            .await
            .unwrap();
        assert_eq!(listed.page, number);
        for name in names(&listed) {
            assert!(seen.insert(name.clone()), "{name} is on two pages");
        }
        created.extend(listed.tags.iter().map(|t| t.created.clone()));
    }
    assert_eq!(seen.len() as i64, total);
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest image first across the pages"
    );
    assert!(created.iter().collect::<HashSet<_>>().len() > 1);

    let past_the_end = page(&services, &repository, "", TagSort::Created, 10_000)
        .await
        .unwrap();
    assert_eq!(
        past_the_end.page, first.pages,
        "a stale link shows the last page"
    );
    assert!(!past_the_end.tags.is_empty());
}

#[tokio::test]
async fn the_filter_and_the_version_order_run_over_every_tag_not_one_page() {
    let (_dir, services, repository, total) = huge_repository().await;
    // build-24, build-240 … build-249, build-2400 … build-2499; any case.
    let filtered = page(&services, &repository, " BUILD-24", TagSort::Created, 2)
        .await
        .unwrap();
    assert_eq!((filtered.matching, filtered.total), (111, total));
    assert_eq!((filtered.page, filtered.pages), (2, 2));
    assert_eq!(filtered.tags.len(), 11);
    assert!(names(&filtered).iter().all(|n| n.starts_with("build-24")));

    let by_version = page(&services, &repository, "", TagSort::Semver, 1)
        .await
        .unwrap();
    let versions: Vec<semver::Version> = names(&by_version)
        .iter()
        .map_while(|n| semver::Version::parse(n).ok())
        .collect();
    assert!(!versions.is_empty(), "{:?}", names(&by_version));
    assert!(
        versions.windows(2).all(|w| w[0] > w[1]),
        "highest first: {versions:?}"
    );
    let last = page(
        &services,
        &repository,
        "",
        TagSort::Semver,
        by_version.pages,
    )
    .await
    .unwrap();
    let tail = names(&last);
    assert_eq!(
        tail.last().map(String::as_str),
        Some("latest"),
        "names that are no versions come last, by name: {tail:?}"
    );

    let too_long = page(
        &services,
        &repository,
        &"x".repeat(129),
        TagSort::Created,
        1,
    )
    .await;
    assert!(
        matches!(too_long, Err(DomainError::Invalid(ref m)) if m.contains("128")),
        "{too_long:?}"
    );
}
