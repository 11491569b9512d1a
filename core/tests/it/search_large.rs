//! Search over a synthetic index larger than the count cap (12,000 tags in two registries):
//! filters alone list their pages by walking the tags in name order, deep pages by the full
//! query, and both must give exactly the tags an independent query finds, in the same order,
//! with one total per query ("10,000+" past the cap).

use regatta_core::search::{search, SearchRequest, COUNT_CAP};
use regatta_core::users::{Role, User};
use regatta_core::Services;

/// Per registry; about ten tags each.
const REPOSITORIES: usize = 600;
const PAGE_SIZE: i64 = 50;

async fn large_index() -> (tempfile::TempDir, Services) {
    let (dir, services) = crate::start_services(end2end::synthetic_index::index_settings()).await;
    crate::fill_synthetic_index(&services, &["hub", "mirror"], REPOSITORIES).await;
    (dir, services)
}

/// Tags of an image (or of an index with a platform image) whose manifest has `column` =
/// `value`: read from the manifests, not from the tag's own platform column search uses.
fn platform(column: &str, value: &str) -> String {
    format!(
        "t.manifest_id IN (SELECT id FROM manifests WHERE {column} = '{value}'
         UNION SELECT mc.parent_id FROM manifest_children mc
         JOIN manifests c ON c.id = mc.child_id WHERE c.{column} = '{value}')"
    )
}

/// `registry/repository:tag` of every tag meeting `condition`, in the results' order.
async fn expected(services: &Services, condition: &str) -> Vec<String> {
    regatta_core::db::query_scalar(&format!(
        "SELECT g.name || '/' || r.name || ':' || t.name FROM tags t
         JOIN repositories r ON r.id = t.repository_id JOIN registries g ON g.id = r.registry_id
         WHERE {condition} ORDER BY r.registry_id, r.name, t.name"
    ))
    .fetch_all(&services.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn filters_alone_page_through_a_large_index_exactly_and_cap_their_total() {
    let (_dir, services) = large_index().await;
    let tags: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(&services.db)
        .await
        .unwrap();
    assert!(tags > COUNT_CAP, "the index must outgrow the cap: {tags}");
    let arm64 = platform("architecture", "arm64");
    let dev = "g.name = 'hub' AND r.name >= 'dev/' AND r.name < 'dev/~'";
    let cases = [
        ("os:linux", platform("os", "linux")),
        ("arch:arm64", arm64.clone()),
        ("env:dev", dev.to_string()),
        ("arch:arm64 env:dev", format!("{arm64} AND {dev}")),
        (
            "registry:mirror arch:arm64",
            format!("g.name = 'mirror' AND {arm64}"),
        ),
        ("platform:linux/s390x", platform("architecture", "s390x")),
    ];
    let viewer = User::not_stored("viewer", Role::Viewer);
    for (text, condition) in cases {
        let all = expected(&services, &condition).await;
        // Pages 1, 2 and 25 are walked; page 60 is past the walk's reach (the full query),
        // and past the last hit for all but `os:linux`.
        for page in [1, 2, 25, 60] {
            let request = SearchRequest {
                text: text.into(),
                page,
                page_size: PAGE_SIZE,
                ..SearchRequest::default()
            };
            let results = search(&services, &viewer, &request).await.unwrap();
            let hits: Vec<String> = results
                .hits
                .iter()
                .map(|h| format!("{}/{}:{}", h.registry, h.repository, h.tag))
                .collect();
            let from = ((page - 1) * PAGE_SIZE) as usize;
            let want: Vec<String> = all
                .iter()
                .skip(from)
                .take(PAGE_SIZE as usize)
                .cloned()
                .collect();
            assert_eq!(hits, want, "{text}, page {page}");
            let total = (all.len() as i64).min(COUNT_CAP + 1);
            assert_eq!(results.total, total, "{text}, page {page}");
        }
    }
}
