//! Graceful shutdown: SIGTERM while a promotion copies a 128 MiB layer across two real
//! registries. The server stops taking requests but lets the promotion finish (its request
//! gets its answer), then exits cleanly: the target tag exists and every blob it needs is
//! there — no tag pointing at a half-copied image — and the history says it succeeded.

use crate::support::open_database;
use end2end::images;
use end2end::settings::{Environment, Registry};
use end2end::{AppFixture, RegistryFixture, RegistryOptions, SettingsFile};
use std::time::{Duration, Instant};

#[tokio::test]
async fn sigterm_during_a_promotion_lets_it_finish_and_leaves_no_dangling_tag() {
    let build = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let big = images::image(
        "linux",
        "amd64",
        vec![images::opaque_layer(128 << 20, 7)],
        &[],
    );
    build
        .pusher()
        .unwrap()
        .push_image("dev/big", "1.0", &big)
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("build", &build))
        .registry(Registry::fixture("release", &release))
        .environment(Environment::new("dev", "build").prefix("dev/"))
        .environment(Environment::new("prod", "release").prefix("prod/"));
    let mut app = AppFixture::start_with(settings).await.unwrap();
    let admin = app.as_admin().await;
    // The index must know the tag before it can be promoted.
    let started = Instant::now();
    while !admin
        .post(app.url.join("/api/dashboard").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("\"tags\":1")
    {
        assert!(started.elapsed() < Duration::from_secs(30), "never indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let promote = {
        let request = admin.post(app.url.join("/api/promote").unwrap()).form(&[
            ("registry", "build"),
            ("repository", "dev/big"),
            ("tag", "1.0"),
            ("to_environment", "prod"),
        ]);
        tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
    };
    let started = Instant::now();
    loop {
        let running = admin
            .post(app.url.join("/api/promotions-running").unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if running.contains("release/prod/big:1.0") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never started: {running}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let exit = app.terminate().unwrap();
    assert!(
        exit.success(),
        "a clean exit after the promotion: {exit:?}\n{}",
        app.log()
    );
    assert_eq!(
        promote.await.unwrap().ok(),
        Some(200),
        "the promotion's request got its answer"
    );
    // The request in flight holds the shutdown open until the promotion is done (axum drains
    // it; the task tracker would hold a promotion without a waiting request for up to 60 s).
    assert!(app.log().contains("shutting down"), "{}", app.log());

    let http = release.http_client().unwrap();
    let head = |path: String| {
        let http = http.clone();
        let url = release.url.join(&path).unwrap();
        async move {
            http.head(url)
                .header("accept", images::OCI_MANIFEST)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        head("v2/prod/big/manifests/1.0".into()).await,
        200,
        "the tag exists"
    );
    let blobs =
        std::iter::once(big.config.digest()).chain(big.layers.iter().map(|l| l.blob.digest()));
    for blob in blobs {
        assert_eq!(
            head(format!("v2/prod/big/blobs/{blob}")).await,
            200,
            "{blob} is there"
        );
    }
    let db = open_database(&app.database).await;
    let status: String =
        regatta_core::db::query_scalar("SELECT status FROM promotions ORDER BY id DESC LIMIT 1")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(status, "succeeded");
}
