//! Registry notifications keep the index live: a real registry posts push and delete events to
//! the real server, which updates the index, and pull events, which date the images pulled; a
//! wrong or missing secret, or an unknown registry, changes nothing.

use crate::support::open_database;
use end2end::app_fixture::{AppFixture, AppOptions};
use end2end::settings::Registry;
use end2end::{ports::free_port, RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::registry::{Endpoint, RegistryClient, RepoName, Tag};
use std::time::{Duration, Instant};

const SECRET: &str = "hook-secret-for-tests";

async fn tag_count(app: &AppFixture, repo: &str, tag: &str) -> i64 {
    let pool = open_database(&app.database).await;
    let count = regatta_core::db::query_scalar(
        "SELECT COUNT(*) FROM tags t JOIN repositories r ON r.id = t.repository_id WHERE r.name = ? AND t.name = ?",
    )
    .bind(repo)
    .bind(tag)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    count
}

/// Polls until the tag's presence is `present`; returns how long it took.
async fn until_tag(app: &AppFixture, repo: &str, tag: &str, present: bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if (tag_count(app, repo, tag).await == 1) == present {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "{repo}:{tag} present={present} not reached in 15 s; log:\n{}",
        app.log()
    );
}

/// The seeded registry notifying the app of everything, with the shared secret.
async fn notifying_registry_and_app() -> (RegistryFixture, AppFixture) {
    let port = free_port();
    let hook = format!("http://127.0.0.1:{port}/hooks/registry/local");
    let registry = RegistryFixture::start_seeded(RegistryOptions {
        notify: Some((hook, Some(SECRET.into()))),
        ..Default::default()
    })
    .await
    .unwrap();
    let settings = SettingsFile::new()
        .crawl_interval_minutes(0)
        .registry(Registry::new("local", &registry.url).notify_secret_env("LOCAL_NOTIFY_SECRET"));
    let options = AppOptions {
        port: Some(port),
        settings,
        env: vec![("LOCAL_NOTIFY_SECRET".into(), SECRET.into())],
    };
    let app = crate::support::start_app_with(options).await;
    (registry, app)
}

#[tokio::test]
async fn pushes_and_deletes_reach_the_index_through_notifications() {
    let (registry, app) = notifying_registry_and_app().await;
    until_tag(&app, "dev/shop-api", "1.2.0", true).await;

    // A push by a real client: skopeo copies 1.2.0 to a new tag, and into a new repository.
    let host = registry.host();
    for (from, to) in [
        ("dev/shop-api:1.2.0", "dev/shop-api:2.0.0"),
        ("dev/billing-worker:0.2.0", "staging/billing-worker:0.2.0"),
    ] {
        let status = std::process::Command::new("skopeo")
            .args([
                "copy",
                "-q",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
            ])
            .arg(format!("docker://{host}/{from}"))
            .arg(format!("docker://{host}/{to}"))
            .status()
            .unwrap();
        assert!(status.success(), "skopeo copy {from} {to}");
    }
    let seen_after = until_tag(&app, "dev/shop-api", "2.0.0", true).await;
    println!("a skopeo push reached the index {seen_after:?} after skopeo returned");
    until_tag(&app, "staging/billing-worker", "0.2.0", true).await;

    let client = RegistryClient::new(Endpoint::anonymous("local", registry.url.clone())).unwrap();
    client
        .delete_tag(
            &RepoName::parse("staging/shop-api").unwrap(),
            &Tag::parse("1.0.0").unwrap(),
        )
        .await
        .unwrap();
    until_tag(&app, "staging/shop-api", "1.0.0", false).await;
    assert_eq!(
        tag_count(&app, "staging/shop-api", "1.1.0").await,
        1,
        "the sibling stays"
    );
}

#[tokio::test]
async fn a_missing_or_wrong_secret_is_refused_and_changes_nothing() {
    let settings = SettingsFile::new().crawl_interval_minutes(0).registry(
        Registry::new("local", "http://127.0.0.1:9").notify_secret_env("LOCAL_NOTIFY_SECRET"),
    );
    let options = AppOptions {
        settings,
        env: vec![("LOCAL_NOTIFY_SECRET".into(), SECRET.into())],
        ..Default::default()
    };
    let app = crate::support::start_app_with(options).await;
    let event = serde_json::json!({"events": [{"action": "delete", "target": {"repository": "dev/app", "tag": "1.0"}}]});
    let hook = app.url.join("/hooks/registry/local").unwrap();
    let client = reqwest::Client::new();
    for authorization in [None, Some("Bearer wrong"), Some(SECRET)] {
        let mut request = client.post(hook.clone()).json(&event);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            401,
            "{authorization:?}"
        );
    }
    let unknown = client
        .post(app.url.join("/hooks/registry/nope").unwrap())
        .header("authorization", format!("Bearer {SECRET}"))
        .json(&event)
        .send()
        .await
        .unwrap();
    // The same answer as a wrong secret: which registry names exist is nobody's business.
    assert_eq!(unknown.status(), 401);
    let delete = client
        .post(app.url.join("/hooks/registry/local").unwrap())
        .header("authorization", format!("Bearer {SECRET}"))
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 200);
    let pool = open_database(&app.database).await;
    let repositories: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM repositories")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        repositories, 0,
        "a delete for an unknown repository creates no row"
    );
    let garbage = client
        .post(hook)
        .header("authorization", format!("Bearer {SECRET}"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

async fn indexed_digest(app: &AppFixture, repo: &str, tag: &str) -> String {
    let pool = open_database(&app.database).await;
    let digest = regatta_core::db::query_scalar(
        "SELECT m.digest FROM tags t JOIN repositories r ON r.id = t.repository_id
         JOIN manifests m ON m.id = t.manifest_id WHERE r.name = ? AND t.name = ?",
    )
    .bind(repo)
    .bind(tag)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    digest
}

/// (repository, digest) of every pull time the index holds.
async fn pulls(app: &AppFixture) -> Vec<(String, String)> {
    let pool = open_database(&app.database).await;
    let rows = regatta_core::db::query_as(
        "SELECT r.name, p.digest FROM image_pulls p JOIN repositories r ON r.id = p.repository_id
         ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

#[tokio::test]
async fn a_clients_pull_dates_the_image_and_regattas_own_requests_and_heads_do_not() {
    let (registry, app) = notifying_registry_and_app().await;
    // The crawl GETs and HEADs every manifest: the registry reports each as a `pull`.
    until_tag(&app, "dev/shop-api", "1.2.0", true).await;

    let host = registry.host();
    let manifest_url = |path: &str| format!("http://{host}/v2/{path}");
    // An existence check (HEAD), as containerd makes before pulling.
    let head = reqwest::Client::new()
        .head(manifest_url("staging/shop-api/manifests/1.1.0"))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    // A real client's pull.
    let inspected = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--raw"])
        .arg(format!("docker://{host}/dev/shop-api:1.2.0"))
        .status()
        .unwrap();
    assert!(inspected.success(), "skopeo inspect");
    let digest = indexed_digest(&app, "dev/shop-api", "1.2.0").await;

    // The registry delivers its events in order: once the pull is in, the HEAD and the
    // crawl's requests before it have been seen too.
    let started = Instant::now();
    let found = loop {
        let found = pulls(&app).await;
        if !found.is_empty() || started.elapsed() > Duration::from_secs(15) {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(found, vec![("dev/shop-api".to_string(), digest)]);
}

#[tokio::test]
async fn a_pulled_within_rule_keeps_a_tag_just_pulled_by_skopeo() {
    use regatta_core::retention::{self, KeepRules, Kept, RetentionPolicy, Trigger};
    let (registry, app) = notifying_registry_and_app().await;
    until_tag(&app, "dev/shop-api", "1.2.0", true).await;
    let pulled = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--raw"])
        .arg(format!("docker://{}/dev/shop-api:1.1.0", registry.host()))
        .status()
        .unwrap();
    assert!(pulled.success());
    let started = Instant::now();
    while pulls(&app).await.is_empty() && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The app's database, opened beside the running server (SQLite WAL).
    let text = SettingsFile::new()
        .database(&app.database)
        .registry(Registry::new("local", &registry.url))
        .environment(end2end::settings::Environment::new("dev", "local").prefix("dev/"))
        .to_toml();
    let settings = regatta_core::config::parse_settings("test.toml", &text, &[]).unwrap();
    let services = regatta_core::Services::start(settings).await.unwrap();
    // A registry notifying for a month (a test cannot wait that long): without that history
    // the rule cannot judge and keeps everything.
    regatta_core::db::query("UPDATE registries SET pulls_since = '2026-01-01T00:00:00Z'")
        .execute(&services.db)
        .await
        .unwrap();
    let actor = regatta_core::audit::Actor::new(
        regatta_core::users::User::not_stored("mia", regatta_core::users::Role::Maintainer),
        "test",
    );
    let policy = RetentionPolicy {
        name: "pulled".into(),
        registry: "local".into(),
        environment: Some("dev".into()),
        repositories: vec!["dev/shop-api".into()],
        exclude_repositories: vec![],
        keep: KeepRules {
            pulled_within_days: Some(7),
            ..KeepRules::default()
        },
        schedule: None,
    };
    retention::save_policy(&services, &actor, policy)
        .await
        .unwrap();
    let (_, preview) = retention::preview(&services, &actor, "pulled", Trigger::Manual)
        .await
        .unwrap();
    let candidates: Vec<&str> = preview.repositories[0]
        .candidates
        .iter()
        .map(|c| c.tag.as_str())
        .collect();
    assert_eq!(
        preview.kept_by.get(&Kept::PulledRecently),
        Some(&1),
        "1.1.0"
    );
    assert!(!candidates.contains(&"1.1.0"), "{candidates:?}");
    assert!(
        candidates.contains(&"1.0.0") && candidates.contains(&"1.2.0"),
        "{candidates:?}"
    );
}
