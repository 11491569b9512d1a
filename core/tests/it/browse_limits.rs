//! Browsing stays bounded when a repository is huge: a CI that tags every build leaves
//! thousands of tags, and the tag page lists the newest 1,000 with the true total.

use end2end::settings::Registry;
use end2end::SettingsFile;
use regatta_core::browse::{repository_tags, MAX_TAGS_LISTED};
use regatta_core::config::parse_settings;
use regatta_core::users::{Role, User};
use regatta_core::Services;

#[tokio::test]
async fn a_repository_with_thousands_of_tags_lists_the_newest_thousand_and_counts_all() {
    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("hub", "http://127.0.0.1:9"))
        .to_toml();
    let services = Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap();
    end2end::synthetic_index::fill(&services.db, &["hub"], 1)
        .await
        .unwrap();
    let (repository, before): (String, i64) = sqlx::query_as(
        "SELECT r.name, COUNT(*) FROM repositories r JOIN tags t ON t.repository_id = r.id GROUP BY r.id",
    )
    .fetch_one(&services.db)
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
         INSERT INTO tags (repository_id, name, manifest_id, updated_at)
         SELECT (SELECT id FROM repositories), 'build-' || i,
                (SELECT manifest_id FROM tags LIMIT 1), '2026-12-01T00:00:00Z' FROM n",
    )
    .execute(&services.db)
    .await
    .unwrap();

    let viewer = User::not_stored("viewer", Role::Viewer);
    let listed = repository_tags(&services, &viewer, "hub", &repository)
        .await
        .unwrap();
    assert_eq!(listed.tags.len() as i64, MAX_TAGS_LISTED);
    assert_eq!(listed.total, before + 2500);
}
