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
