//! Search over an index filled by crawling two real registries: ranking, typo tolerance, each
//! filter, digest and base-layer lookup across registries, and hostile input.

use end2end::images::{self, Image};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::config::parse_settings;
use regatta_core::index::crawl_registry;
use regatta_core::search::{search, SearchRequest, SearchResults};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};

struct World {
    services: Services,
    _local: RegistryFixture,
    _other: RegistryFixture,
    _dir: tempfile::TempDir,
}

fn app(name: &str, version: &str) -> Image {
    images::app_image(name, version, "amd64")
}

/// `local`: the demo content, nginx-like names for ranking, a cosign signature on
/// prod/shop-api:1.0.0. `other`: dev/shop-api:1.2.0, the same bytes as in `local`.
async fn world() -> World {
    let local = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let pusher = local.pusher().unwrap();
    for (repo, tag) in [
        ("library/nginx", "1.4.2"),
        ("library/nginx", "1.25.0"),
        ("team/nginx-proxy", "1.4.2"),
        ("web/my-nginx", "latest"),
    ] {
        pusher.push_image(repo, tag, &app(repo, tag)).await.unwrap();
    }
    let signed = app("shop-api", "1.0.0").manifest.digest();
    let signature_tag = format!("sha256-{}.sig", &signed["sha256:".len()..]);
    pusher
        .push_image("prod/shop-api", &signature_tag, &app("cosign", "sig"))
        .await
        .unwrap();
    let other = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    other
        .pusher()
        .unwrap()
        .push_image("dev/shop-api", "1.2.0", &app("shop-api", "1.2.0"))
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &local.url))
        .registry(Registry::new("other", &other.url))
        .demo_pipeline("local")
        .to_toml();
    let services = Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap();
    for name in ["local", "other"] {
        let report = crawl_registry(&services, name).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }
    World {
        services,
        _local: local,
        _other: other,
        _dir: dir,
    }
}

fn viewer() -> User {
    User::not_stored("viewer", Role::Viewer)
}

impl World {
    async fn find(&self, text: &str) -> Result<SearchResults, DomainError> {
        let request = SearchRequest {
            text: text.into(),
            page: 1,
            page_size: 100,
            ..SearchRequest::default()
        };
        search(&self.services, &viewer(), &request).await
    }

    /// `registry/repository:tag` of every hit, in order.
    async fn hits(&self, text: &str) -> Vec<String> {
        let results = self
            .find(text)
            .await
            .unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(results.total, results.hits.len() as i64, "{text}");
        results
            .hits
            .iter()
            .map(|h| format!("{}/{}:{}", h.registry, h.repository, h.tag))
            .collect()
    }
}

#[tokio::test]
async fn exact_matches_rank_before_prefix_before_substring_and_typos_are_forgiven() {
    let world = world().await;
    assert_eq!(
        world.hits("nginx").await,
        [
            "local/library/nginx:1.25.0",
            "local/library/nginx:1.4.2",
            "local/team/nginx-proxy:1.4.2",
            "local/web/my-nginx:latest",
        ]
    );
    assert_eq!(
        world.hits("1.4.2").await,
        ["local/library/nginx:1.4.2", "local/team/nginx-proxy:1.4.2"]
    );
    assert_eq!(
        world.hits("nginx 1.4").await,
        ["local/library/nginx:1.4.2", "local/team/nginx-proxy:1.4.2"]
    );

    let typo = world.find("ngnix").await.unwrap();
    assert_eq!(
        typo.corrections,
        [("ngnix".to_string(), vec!["nginx".to_string()])]
    );
    assert_eq!(typo.hits.len(), 4);
    assert_eq!(typo.hits[0].repository, "library/nginx");

    assert!(world.hits("zzzzzz").await.is_empty());
    assert_eq!(
        world.hits("localhost:5000/staging/shop-api:1.1.0").await,
        ["local/staging/shop-api:1.1.0"]
    );
}

#[tokio::test]
async fn every_filter_narrows_the_hits() {
    let world = world().await;
    let signed = app("shop-api", "1.0.0").manifest.digest();
    let signature = format!("local/prod/shop-api:sha256-{}.sig", &signed[7..]);

    assert_eq!(
        world.hits("env:prod").await,
        ["local/prod/shop-api:1.0.0".to_string(), signature.clone()]
    );
    assert_eq!(
        world.hits("shop env:staging").await,
        [
            "local/staging/shop-api:1.0.0",
            "local/staging/shop-api:1.1.0"
        ]
    );
    assert_eq!(
        world.hits("arch:arm64").await,
        ["local/dev/toolbox:2.0", "local/staging/toolbox:2.0"]
    );
    assert_eq!(
        world.hits("toolbox platform:linux/amd64").await,
        ["local/dev/toolbox:2.0", "local/staging/toolbox:2.0"]
    );
    assert!(world.hits("platform:windows/amd64").await.is_empty());
    // Platform filters beside an environment or a namespace, which lead those queries, and
    // the pieces of a platform: only the multi-arch index has an arm64 image.
    assert_eq!(
        world.hits("arch:arm64 env:dev").await,
        ["local/dev/toolbox:2.0"]
    );
    assert_eq!(
        world.hits("ns:staging platform:linux/arm64").await,
        ["local/staging/toolbox:2.0"]
    );
    assert_eq!(
        world.hits("toolbox os:linux").await,
        ["local/dev/toolbox:2.0", "local/staging/toolbox:2.0"]
    );
    assert!(world.hits("os:windows env:dev").await.is_empty());
    assert!(world
        .hits("toolbox platform:linux/arm64/v8")
        .await
        .is_empty());
    assert!(world.hits("toolbox platform:linux//v8").await.is_empty());
    assert!(
        world.hits("toolbox arch:linux").await.is_empty(),
        "an OS is not an architecture"
    );
    assert_eq!(
        world.hits("registry:other").await,
        ["other/dev/shop-api:1.2.0"]
    );
    assert_eq!(
        world.hits("ns:dev tag:1.2").await,
        ["local/dev/shop-api:1.2.0", "other/dev/shop-api:1.2.0"]
    );
    assert_eq!(
        world.hits("signed:yes").await,
        ["local/prod/shop-api:1.0.0"]
    );
    assert_eq!(world.hits("prod signed:no").await, [signature]);
    assert_eq!(world.hits("shop after:1d").await.len(), 9);
    assert!(world.hits("shop before:1d").await.is_empty());
    assert!(world.hits("shop before:2000-01-01").await.is_empty());

    let picked = SearchRequest {
        text: "shop".into(),
        registry: Some("other".into()),
        page: 1,
        page_size: 10,
    };
    let results = search(&world.services, &viewer(), &picked).await.unwrap();
    assert_eq!(results.total, 1);

    for (text, says) in [
        (
            "env:qa",
            "Unknown environment `qa`; environments are dev, staging, prod.",
        ),
        (
            "registry:nope",
            "Unknown registry `nope`; registries are local, other.",
        ),
        ("Colour:red", "Unknown filter `colour:`"),
    ] {
        match world.find(text).await {
            Err(DomainError::Invalid(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn digests_find_every_tag_across_registries_and_layers_find_their_images() {
    let world = world().await;
    let same_bytes = [
        "local/dev/shop-api:1.2.0",
        "local/dev/shop-api:latest",
        "other/dev/shop-api:1.2.0",
    ];
    let digest = app("shop-api", "1.2.0").manifest.digest();
    let hex = &digest["sha256:".len()..];
    assert_eq!(world.hits(&digest).await, same_bytes);
    assert_eq!(world.hits(&hex[..12]).await, same_bytes, "short digest");
    assert_eq!(
        world.hits(&format!("digest:{}", &hex[..7])).await,
        same_bytes
    );
    assert_eq!(
        world.hits(&format!("dev/shop-api@{digest}")).await,
        same_bytes
    );

    let arm64 = images::app_image("toolbox", "2.0", "arm64");
    assert_eq!(
        world.hits(&arm64.manifest.digest()).await,
        ["local/dev/toolbox:2.0", "local/staging/toolbox:2.0"],
        "a platform image's digest finds the indexes holding it"
    );
    let worker = app("billing-worker", "0.1.0");
    assert_eq!(
        world.hits(&worker.config.digest()).await,
        ["local/dev/billing-worker:0.1.0"],
        "the config digest (`docker images` IMAGE ID) finds its image"
    );

    let app_layer = &app("billing-worker", "0.2.0").layers[1].blob;
    assert_eq!(
        world.hits(&format!("layer:{}", app_layer.digest())).await,
        ["local/dev/billing-worker:0.2.0"]
    );
    let base = images::base_layer().blob.digest();
    let on_base = world.hits(&format!("layer:{base}")).await;
    assert_eq!(
        on_base.len(),
        11 + 5 + 1,
        "every tag is built on the demo base"
    );
    assert!(on_base.contains(&"other/dev/shop-api:1.2.0".to_string()));
}

#[tokio::test]
async fn fts_and_sql_syntax_in_the_query_is_searched_as_text_or_refused_clearly() {
    let world = world().await;
    let long = "x".repeat(500);
    for text in [
        "\"",
        "*",
        "NEAR(",
        "NEAR(nginx shop)",
        "'; DROP TABLE tags; --",
        "a\"b",
        "nginx*",
        "nginx OR shop",
        "-nginx",
        "^nginx",
        "%",
        "_",
        "\\",
        "sha256:",
        "🙂",
        &long,
    ] {
        match world.find(text).await {
            Ok(_) | Err(DomainError::Invalid(_)) => {}
            Err(other) => panic!("{text:?}: {other:?}"),
        }
    }
    // `*` is a character, not a wildcard: nothing contains `nginx*`, so the typo path offers nginx.
    let star = world.find("nginx*").await.unwrap();
    assert_eq!(star.corrections, [("nginx*".into(), vec!["nginx".into()])]);
    assert_eq!(world.hits("1.4.2").await.len(), 2, "the index is intact");
}

#[tokio::test]
async fn pages_follow_the_same_order_as_one_big_page() {
    let world = world().await;
    // Filters alone too: their small pages are walked in name order, the big one is not.
    for text in [
        "nginx",
        "shop",
        "1.0.0",
        "shop arch:amd64",
        "arch:amd64",
        "env:staging",
        "signed:no",
        "registry:local os:linux",
    ] {
        let all = world.hits(text).await;
        let mut paged = Vec::new();
        for page in 1..=all.len().div_ceil(2) as i64 + 1 {
            let request = SearchRequest {
                text: text.into(),
                page,
                page_size: 2,
                ..SearchRequest::default()
            };
            let results = search(&world.services, &viewer(), &request).await.unwrap();
            assert_eq!(results.total, all.len() as i64, "{text} page {page}");
            paged.extend(
                results
                    .hits
                    .iter()
                    .map(|h| format!("{}/{}:{}", h.registry, h.repository, h.tag)),
            );
        }
        assert_eq!(paged, all, "{text}");
    }
}

#[tokio::test]
async fn hostile_pages_and_queries_get_an_answer_not_an_overflow() {
    let world = world().await;
    for page in [i64::MAX, i64::MIN, 0, 1_000_000_000] {
        let request = SearchRequest {
            text: "nginx".into(),
            page,
            page_size: i64::MAX,
            ..SearchRequest::default()
        };
        let results = search(&world.services, &viewer(), &request).await.unwrap();
        assert!(results.page >= 1 && results.page_size <= 100, "{page}");
    }
    let long = "nginx ".repeat(200);
    let error = world.find(&long).await.unwrap_err();
    assert!(
        error.to_string().contains("at most 500 characters"),
        "{error}"
    );
    let many = (0..40)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let error = world.find(&many).await.unwrap_err();
    assert!(error.to_string().contains("at most 16 words"), "{error}");
    assert_eq!(world.hits("1.4.2").await.len(), 2, "the index is intact");
}

#[tokio::test]
async fn size_bounds_keep_the_images_on_their_side() {
    let world = world().await;
    let all = world.find("nginx").await.unwrap().hits;
    let mut sizes: Vec<i64> = all.iter().map(|h| h.total_size).collect();
    sizes.sort();
    sizes.dedup();
    assert!(
        sizes.len() >= 2,
        "the nginx images differ in size: {sizes:?}"
    );
    let cut = sizes[sizes.len() - 1];
    let big = world
        .find(&format!("nginx size:>={cut}"))
        .await
        .unwrap()
        .hits;
    assert!(!big.is_empty() && big.iter().all(|h| h.total_size >= cut));
    let small = world
        .find(&format!("nginx size:<{cut}"))
        .await
        .unwrap()
        .hits;
    assert!(!small.is_empty() && small.iter().all(|h| h.total_size < cut));
    assert_eq!(
        big.len() + small.len(),
        all.len(),
        "every image is on one side"
    );
    let none = world.find("size:>1TB").await.unwrap();
    assert_eq!(none.total, 0);
}

#[tokio::test]
async fn sort_size_lists_the_largest_images_first_in_every_plan() {
    let world = world().await;
    // A word (the by-word plan), and filters alone (the general plan).
    let mut reordered = 0;
    for text in ["nginx", "registry:local", "ns:team"] {
        let by_rank = world.find(text).await.unwrap().hits;
        let by_size = world.find(&format!("{text} sort:size")).await.unwrap().hits;
        assert!(!by_rank.is_empty(), "{text}: the world has hits for it");
        let tags = |hits: &[regatta_core::search::SearchHit]| {
            let mut tags: Vec<String> = hits
                .iter()
                .map(|h| format!("{}/{}:{}", h.registry, h.repository, h.tag))
                .collect();
            tags.sort();
            tags
        };
        assert_eq!(tags(&by_size), tags(&by_rank), "{text}: the same hits");
        let sizes = |hits: &[regatta_core::search::SearchHit]| -> Vec<i64> {
            hits.iter().map(|h| h.total_size).collect()
        };
        let mut expected = sizes(&by_rank);
        expected.sort_by(|a, b| b.cmp(a));
        assert_eq!(sizes(&by_size), expected, "{text}: largest first");
        reordered += usize::from(sizes(&by_rank) != sizes(&by_size));
    }
    assert!(
        reordered > 0,
        "relevance order differs from size order somewhere"
    );
}

/// The migrations that added search's columns to `tags` (the image's platforms, the
/// repository's registry and name) fill them for tags indexed before them with what the index
/// writes since: their UPDATEs, run again over crawled tags with those columns emptied, give
/// back every value.
#[tokio::test]
async fn the_tag_column_migrations_write_what_the_index_writes() {
    let world = world().await;
    let db = &world.services.db;
    type Row = (i64, Option<String>, Option<i64>, Option<String>);
    const READ: &str =
        "SELECT rowid, platforms, registry_id, repository_name FROM tags ORDER BY rowid";
    let written: Vec<Row> = regatta_core::db::query_as(READ)
        .fetch_all(db)
        .await
        .unwrap();
    assert!(
        written.iter().any(|(_, p, _, _)| {
            p.as_deref() == Some(";linux/amd64/;linux/arm64/;")
                || p.as_deref() == Some(";linux/arm64/;linux/amd64/;")
        }),
        "the multi-arch index lists both platforms: {written:?}"
    );
    assert!(
        written
            .iter()
            .any(|(_, _, _, r)| r.as_deref() == Some("dev/toolbox")),
        "{written:?}"
    );

    regatta_core::db::query(
        "UPDATE tags SET platforms = NULL, registry_id = NULL, repository_name = NULL",
    )
    .execute(db)
    .await
    .unwrap();
    let backend = if db.as_postgres().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    for migration in [
        "20261207000001_tags_platforms",
        "20261207000002_tags_repository",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/../migrations/{backend}/{migration}.sql",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        // Its UPDATE, in its backend's own dialect (not translated).
        let start = text.find("UPDATE tags").unwrap();
        let end = start + text[start..].find(";\n").unwrap();
        let update = &text[start..end];
        match (db.as_sqlite(), db.as_postgres()) {
            (Some(pool), _) => sqlx::raw_sql(update).execute(pool).await.map(drop),
            (_, Some(pool)) => sqlx::raw_sql(update).execute(pool).await.map(drop),
            _ => unreachable!("one backend or the other"),
        }
        .unwrap();
    }
    let migrated: Vec<Row> = regatta_core::db::query_as(READ)
        .fetch_all(db)
        .await
        .unwrap();
    assert_eq!(migrated, written);
}
