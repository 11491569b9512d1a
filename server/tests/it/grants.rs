//! Roles per environment and registry over HTTP, against two real registries: a developer
//! granted maintainer in staging may skip a stage into staging but not go into prod; a user
//! whose only right is a grant on registry `a` sees nothing of registry `b` — not in the
//! dashboard, lists, search, image pages, promotion or downloads (404, never the data); a
//! revoked grant is gone at the user's next request, without logging in again.

use end2end::app_fixture::AppFixture;
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use reqwest::Client;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn post(
    client: &Client,
    app: &AppFixture,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = client
        .post(app.url.join(path).unwrap())
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get(client: &Client, app: &AppFixture, path: &str) -> (u16, String) {
    let response = client
        .get(app.url.join(path).unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Two seeded registries `a` and `b`; `a` has the pipeline dev → qa → staging → prod
/// (protected), so dev → staging skips a stage.
async fn two_registries_with_pipeline() -> (RegistryFixture, RegistryFixture, AppFixture) {
    let a = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let b = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("a", &a))
        .registry(Registry::fixture("b", &b))
        .environment(Environment::new("dev", "a").prefix("dev/"))
        .environment(Environment::new("qa", "a").prefix("qa/"))
        .environment(Environment::new("staging", "a").prefix("staging/"))
        .environment(Environment::new("prod", "a").prefix("prod/").protected());
    let app = crate::support::start_app_with_settings(settings).await;
    (a, b, app)
}

/// Waits until both registries are indexed (the admin sees both).
async fn until_indexed(app: &AppFixture) {
    let admin = app.as_admin().await;
    let started = Instant::now();
    loop {
        let (_, body) = post(&admin, app, "/api/dashboard", &[]).await;
        let dashboard: Value = serde_json::from_str(&body).unwrap();
        let indexes = dashboard["indexes"].as_array().unwrap();
        if indexes.len() == 2 && indexes.iter().all(|i| i["tags"] == 11) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{dashboard}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn promote<'a>(repository: &'a str, tag: &'a str, to: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("registry", "a"),
        ("repository", repository),
        ("tag", tag),
        ("to_environment", to),
    ]
}

#[tokio::test]
async fn a_grant_in_staging_allows_skipping_into_staging_and_nothing_in_prod() {
    let (_a, _b, app) = two_registries_with_pipeline().await;
    until_indexed(&app).await;
    app.add_user("dana", "developer", "dana-grant-pass-7")
        .unwrap();
    app.add_user("dirk", "developer", "dirk-plain-pass-7")
        .unwrap();
    app.user_command(&["grant", "dana", "maintainer", "environment:staging"], "")
        .unwrap();

    let plain = app.logged_in("dirk", "dirk-plain-pass-7").await.unwrap();
    let (status, body) = post(
        &plain,
        &app,
        "/api/promote",
        &promote("dev/shop-api", "1.2.0", "staging"),
    )
    .await;
    assert_eq!(status, 403, "skipping qa needs a maintainer: {body}");
    assert!(
        body.contains("developer in staging") && body.contains("it needs maintainer"),
        "{body}"
    );

    let dana = app.logged_in("dana", "dana-grant-pass-7").await.unwrap();
    let (status, body) = post(
        &dana,
        &app,
        "/api/promote",
        &promote("dev/shop-api", "1.2.0", "staging"),
    )
    .await;
    assert_eq!(
        status, 200,
        "the grant makes dana a maintainer in staging: {body}"
    );
    let (status, body) = post(
        &dana,
        &app,
        "/api/promote",
        &promote("staging/shop-api", "1.2.0", "prod"),
    )
    .await;
    assert_eq!(
        status, 403,
        "prod is protected and dana is a developer there: {body}"
    );
    assert!(body.contains("developer in prod"), "{body}");

    // The rights view says the same, on dana's settings page.
    let (status, page) = get(&dana, &app, "/settings").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("grant on environment:staging"),
        "names the grant"
    );
    assert!(
        page.contains("promote into it (protected) (needs maintainer)"),
        "says why not prod"
    );

    // Taken back: at dana's next request, without logging in again.
    app.user_command(&["revoke", "dana", "environment:staging"], "")
        .unwrap();
    let (status, _) = post(
        &dana,
        &app,
        "/api/promote",
        &promote("dev/shop-api", "1.1.0", "staging"),
    )
    .await;
    assert_eq!(status, 403, "the revoked grant counts no more");
}

#[tokio::test]
async fn a_grant_on_one_registry_shows_nothing_of_the_other() {
    let (_a, _b, app) = two_registries_with_pipeline().await;
    until_indexed(&app).await;
    app.add_user("tess", "none", "tess-team-pass-7").unwrap();
    app.user_command(&["grant", "tess", "developer", "registry:a"], "")
        .unwrap();
    let tess = app.logged_in("tess", "tess-team-pass-7").await.unwrap();

    let (_, body) = post(&tess, &app, "/api/dashboard", &[]).await;
    let dashboard: Value = serde_json::from_str(&body).unwrap();
    let names = |key: &str| -> Vec<String> {
        (dashboard[key].as_array().unwrap().iter())
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("indexes"), ["a"]);
    assert_eq!(names("registries"), ["a"]);

    let (status, body) = post(
        &tess,
        &app,
        "/api/search",
        &[("q", "shop-api"), ("page", "1"), ("limit", "50")],
    )
    .await;
    assert_eq!(status, 200);
    let results: Value = serde_json::from_str(&body).unwrap();
    let hits = results["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["registry"] == "a"), "{body}");
    let (status, body) = post(
        &tess,
        &app,
        "/api/search",
        &[
            ("q", "shop-api"),
            ("registry", "b"),
            ("page", "1"),
            ("limit", "50"),
        ],
    )
    .await;
    assert_eq!(status, 400, "b is not even named: {body}");
    assert!(!body.contains("shop-api:"), "{body}");

    for (path, form) in [
        ("/api/repositories", vec![("registry", "b"), ("page", "1")]),
        (
            "/api/image",
            vec![
                ("registry", "b"),
                ("repository", "dev/shop-api"),
                ("reference", "1.0.0"),
            ],
        ),
        (
            "/api/promote",
            vec![
                ("registry", "b"),
                ("repository", "dev/shop-api"),
                ("tag", "1.0.0"),
                ("to_environment", "qa"),
            ],
        ),
    ] {
        let (status, body) = post(&tess, &app, path, &form).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("sha256:"), "{path} leaks nothing: {body}");
    }
    for path in [
        "/r/b",
        "/r/b/dev/shop-api",
        "/i/b/dev/shop-api:1.0.0",
        "/storage.csv?registry=b",
    ] {
        let (status, body) = get(&tess, &app, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            !body.contains("sha256:") && body.contains("not found"),
            "{path}: {body}"
        );
    }
    let (status, page) = get(&tess, &app, "/r/a/dev/shop-api").await;
    assert_eq!(status, 200, "registry a is tess's");
    assert!(page.contains("1.2.0"));

    // The admin takes the grant back: tess sees nothing at the next request.
    app.user_command(&["revoke", "tess", "registry:a"], "")
        .unwrap();
    let (_, body) = post(&tess, &app, "/api/dashboard", &[]).await;
    let dashboard: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        dashboard["indexes"].as_array().unwrap().len(),
        0,
        "{dashboard}"
    );
    let (status, _) = get(&tess, &app, "/r/a/dev/shop-api").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn grants_on_unknown_places_and_roles_that_grant_nothing_are_refused() {
    let (_a, _b, app) = two_registries_with_pipeline().await;
    app.add_user("gus", "viewer", "gus-viewer-pass-7").unwrap();
    let refused = app
        .user_command(&["grant", "gus", "developer", "registry:c"], "")
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("No registry is named `c`; configured: a, b."),
        "{refused}"
    );
    let refused = app
        .user_command(&["grant", "gus", "none", "environment:qa"], "")
        .unwrap_err()
        .to_string();
    assert!(refused.contains("a grant gives a role"), "{refused}");
    let refused = app
        .user_command(&["revoke", "gus", "environment:qa"], "")
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("A grant of `gus` on environment:qa"),
        "{refused}"
    );
}
