//! Two replicas of the real binary on one database (issue #17): each background job runs on
//! one of them, and moves to another when its replica dies, finishing the pass it left
//! half-way. The database is one SQLite file, or one PostgreSQL database with
//! `REGATTA_TEST_DATABASE=postgres`.

use super::support::*;
use end2end::settings::Registry;
use end2end::{seed, AppFixture, RegistryFixture, RegistryOptions, SettingsFile};
use std::time::Duration;

/// Catalog walks in the registry's access log (a walk's later pages carry `last=`).
fn catalog_walks(registry: &RegistryFixture) -> usize {
    registry
        .log()
        .lines()
        .filter(|line| line.contains("GET /v2/_catalog") && !line.contains("last="))
        .count()
}

/// The replicas' shared database, opened beside them (only read).
async fn read_only(database: &std::path::Path) -> regatta_core::db::Db {
    open_database(database).await
}

async fn indexed_tags(database: &std::path::Path) -> i64 {
    let db = read_only(database).await;
    let count = regatta_core::db::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    count
}

async fn crawl_holder(database: &std::path::Path) -> Option<String> {
    let db = read_only(database).await;
    let holder =
        regatta_core::db::query_scalar("SELECT holder FROM job_leases WHERE job = 'crawl'")
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

    // Operators see the two live servers (not A, not the CLI that made the token) and who
    // runs what.
    let args = [
        "token", "create", "ops", "--user", "admin", "--scope", "admin",
    ];
    let token = c.command(&args, "").unwrap().trim().to_string();
    let replicas: Vec<serde_json::Value> = reqwest::Client::new()
        .get(c.url.join("/api/v1/replicas").unwrap())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = replicas.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(replicas.len(), 2, "{replicas:?}");
    assert_eq!(ids[0], b_holds, "B is the older live one");
    assert!(replicas[0]["jobs"]
        .as_array()
        .unwrap()
        .contains(&"crawl".into()));
    assert_eq!(replicas[1]["this_one"], true, "C answered");
    assert_eq!(
        replicas[1]["jobs"].as_array().unwrap().len(),
        0,
        "{replicas:?}"
    );
}

/// Two registries, a 64 MiB image in `build`'s dev/big:1.0, and replica A indexing it.
async fn two_registries_and_a_big_image() -> (RegistryFixture, RegistryFixture, AppFixture) {
    use end2end::images;
    use end2end::settings::Environment;
    let build = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let big = images::image(
        "linux",
        "amd64",
        vec![images::opaque_layer(64 << 20, 9)],
        &[],
    );
    let pusher = build.pusher().unwrap();
    pusher.push_image("dev/big", "1.0", &big).await.unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("build", &build))
        .registry(Registry::fixture("release", &release))
        .environment(Environment::new("dev", "build").prefix("dev/"))
        .environment(Environment::new("prod", "release").prefix("prod/"))
        .replica_lease_seconds(3);
    let a = AppFixture::start_with(settings).await.unwrap();
    (build, release, a)
}

async fn dashboard(client: &reqwest::Client, app: &AppFixture) -> (u16, String) {
    let response = client
        .post(app.url.join("/api/dashboard").unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn promote_on(client: &reqwest::Client, app: &AppFixture) -> tokio::task::JoinHandle<u16> {
    let request = client.post(app.url.join("/api/promote").unwrap()).form(&[
        ("registry", "build"),
        ("repository", "dev/big"),
        ("tag", "1.0"),
        ("to_environment", "prod"),
    ]);
    tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
}

#[tokio::test]
async fn a_session_from_one_replica_follows_and_waits_for_a_promotion_on_the_other() {
    let (_build, _release, a) = two_registries_and_a_big_image().await;
    let admin = a.as_admin().await; // the session is made on A
    let indexed = end2end::wait::until(Duration::from_secs(30), || async {
        dashboard(&admin, &a).await.1.contains("\"tags\":1")
    })
    .await;
    assert!(indexed, "A indexes the image");
    let b = a.replica().await.unwrap();
    let (status, page) = dashboard(&admin, &b).await;
    assert_eq!(status, 200, "B takes A's session: {page}");
    assert!(page.contains("\"tags\":1"), "{page}");

    let on_a = promote_on(&admin, &a);
    // B shows the promotion A runs, with its size, while it runs.
    let started = std::time::Instant::now();
    let seen_on_b = loop {
        let running: Vec<serde_json::Value> = admin
            .post(b.url.join("/api/promotions-running").unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Its row is written every half second: the first one may still say nothing.
        if let Some(promotion) = running
            .into_iter()
            .find(|p| p["target"] == "release/prod/big:1.0" && p["bytes_total"].as_u64() > Some(0))
        {
            break promotion;
        }
        assert!(!on_a.is_finished(), "finished before B saw it run");
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        seen_on_b["bytes_total"].as_u64().unwrap() >= 64 << 20,
        "{seen_on_b}"
    );
    // The same tag promoted through B meanwhile waits for A's promotion, then finds the
    // image there already.
    let on_b = promote_on(&admin, &b);
    assert_eq!(on_a.await.unwrap(), 200);
    assert_eq!(on_b.await.unwrap(), 200);

    let db = read_only(&a.database).await;
    let runs: Vec<(String, String, String, i64)> = regatta_core::db::query_as(
        "SELECT started_at, finished_at, status, bytes_moved FROM promotions ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs.iter().all(|r| r.2 == "succeeded"), "{runs:?}");
    let at = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert!(
        at(&runs[1].0) >= at(&runs[0].1),
        "B's started after A's finished: {runs:?}"
    );
    assert_eq!(runs[1].3, 0, "and had nothing left to copy: {runs:?}");
}
