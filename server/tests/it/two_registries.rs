//! Two real registries behind one Regatta — one anonymous, one with Basic auth — are crawled
//! side by side; wrong credentials for one show as its crawl error while the other browses.

use end2end::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use reqwest::Client;
use std::time::{Duration, Instant};

async fn logged_in(app: &AppFixture) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let form = [("username", ADMIN_USER), ("password", ADMIN_PASSWORD)];
    client
        .post(app.url.join("/api/login").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    client
}

/// The dashboard DTO, polled until `ready` accepts it (the crawl runs in the background).
async fn dashboard_until(
    client: &Client,
    app: &AppFixture,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let response = client
            .post(app.url.join("/api/dashboard").unwrap())
            .send()
            .await
            .unwrap();
        let dashboard: serde_json::Value = response.json().await.unwrap();
        if ready(&dashboard) {
            return dashboard;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never ready: {dashboard}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_anonymous_and_an_authenticated_registry_are_indexed_side_by_side() {
    let open = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let secured = RegistryFixture::start_seeded(RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        ..Default::default()
    })
    .await
    .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("open", &open))
        .registry(Registry::fixture("secured", &secured))
        .registry(Registry::new("wrong-password", &secured.url).basic_auth("ci", "nope"));
    let app = crate::support::start_app_with_settings(settings).await;
    let client = logged_in(&app).await;

    let dashboard = dashboard_until(&client, &app, |d| {
        d["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["last_crawl"].is_object() || i["crawl_error"].is_string())
            && d["indexes"][0]["tags"] == 11
            && d["indexes"][1]["tags"] == 11
    })
    .await;
    let indexes = dashboard["indexes"].as_array().unwrap();
    let by_name = |name: &str| indexes.iter().find(|i| i["name"] == name).unwrap().clone();
    assert_eq!(by_name("open")["repositories"], 6);
    assert_eq!(by_name("secured")["repositories"], 6);
    assert!(by_name("secured")["crawl_error"].is_null());
    assert_eq!(
        by_name("secured")["health_level"],
        "ok",
        "health is measured at each crawl"
    );
    assert!(by_name("open")["health_summary"]
        .as_str()
        .unwrap()
        .starts_with("Reachable, access granted"));
    let wrong = by_name("wrong-password");
    assert!(
        wrong["crawl_error"].as_str().unwrap().contains("HTTP 401"),
        "{wrong}"
    );
    assert_eq!(wrong["tags"], 0);
    assert_eq!(wrong["health_level"], "warning");
    assert!(
        wrong["health_summary"]
            .as_str()
            .unwrap()
            .contains("wants Basic credentials"),
        "{wrong}"
    );

    let tags: serde_json::Value = client
        .post(app.url.join("/api/tags").unwrap())
        .form(&[("registry", "secured"), ("repository", "dev/shop-api")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(tags["image"].as_str().unwrap().ends_with("/dev/shop-api"));
}

/// The tag table's state is the page's query string: without any script the server filters,
/// orders and renders the pull commands for the chosen tool; a bad order is a 400 that says so.
#[tokio::test]
async fn the_tag_table_works_from_the_query_string_alone() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new().registry(Registry::fixture("open", &registry));
    let app = AppFixture::start_with(settings).await.unwrap();
    let client = logged_in(&app).await;
    dashboard_until(&client, &app, |d| d["indexes"][0]["tags"] == 11).await;

    let page = |query: &str| {
        let url = app
            .url
            .join(&format!("/r/open/dev/shop-api?{query}"))
            .unwrap();
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let html = page("filter=1.&sort=semver&tool=podman")
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<usize> = ["1.2.0", "1.1.0", "1.0.0"]
        .iter()
        .map(|tag| {
            html.find(&format!(
                "podman pull {}/dev/shop-api:{tag}",
                registry.host()
            ))
            .unwrap_or_else(|| panic!("no podman row for {tag}"))
        })
        .collect();
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "highest version first"
    );
    assert!(
        !html.contains("shop-api:latest<"),
        "`latest` is filtered out"
    );
    assert!(html.contains("3 of 4 tags match"));

    let refused = page("sort=size").await;
    assert_eq!(refused.status(), 400);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Unknown tag order `size`"));
}
