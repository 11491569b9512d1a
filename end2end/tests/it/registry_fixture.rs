//! The registry fixture itself: what later features rely on must really happen — seeded images
//! are readable with their digests, Basic auth is enforced, and notifications reach a receiver
//! with the shared secret.

use axum::{http::HeaderMap, routing::post, Router};
use end2end::images::{self, OCI_INDEX};
use end2end::{RegistryFixture, RegistryOptions};
use reqwest::{header, StatusCode};
use std::time::Duration;
use tokio::sync::mpsc;

const ACCEPT_MANIFESTS: &str =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

#[tokio::test]
async fn seeded_images_are_served_with_their_deterministic_digests() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = registry.http_client().unwrap();
    let get = |path: &str| {
        client
            .get(registry.url.join(path).unwrap())
            .header(header::ACCEPT, ACCEPT_MANIFESTS)
            .send()
    };
    let catalog: serde_json::Value = get("/v2/_catalog").await.unwrap().json().await.unwrap();
    let repos: Vec<&str> = catalog["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        repos.contains(&"dev/shop-api") && repos.contains(&"prod/shop-api"),
        "{repos:?}"
    );

    let latest = get("/v2/dev/shop-api/manifests/latest").await.unwrap();
    let digest = latest.headers()["docker-content-digest"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        digest,
        images::app_image("shop-api", "1.2.0", "amd64")
            .manifest
            .digest()
    );

    let index = get("/v2/dev/toolbox/manifests/2.0").await.unwrap();
    assert_eq!(index.headers()[header::CONTENT_TYPE], OCI_INDEX);
    let index: serde_json::Value = index.json().await.unwrap();
    let archs: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["platform"]["architecture"].as_str().unwrap())
        .collect();
    assert_eq!(archs, ["amd64", "arm64"]);
}

#[tokio::test]
async fn basic_auth_is_enforced_over_tls() {
    let registry = RegistryFixture::start(RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = registry.http_client().unwrap();
    let url = registry.url.join("/v2/").unwrap();
    assert_eq!(
        client.get(url.clone()).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let authed = client
        .get(url)
        .basic_auth("ci", Some("ci-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(authed.status(), StatusCode::OK);
    let pusher = registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "1.0", &images::app_image("app", "1.0", "amd64"))
        .await
        .unwrap();
}

#[tokio::test]
async fn notifications_arrive_with_the_shared_secret() {
    let (sender, mut received) = mpsc::unbounded_channel::<(Option<String>, serde_json::Value)>();
    let receiver = Router::new().route(
        "/hooks/registry/local",
        post(move |headers: HeaderMap, body: String| {
            let sender = sender.clone();
            async move {
                let authorization = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_string());
                let _ = sender.send((authorization, serde_json::from_str(&body).unwrap()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!(
        "http://{}/hooks/registry/local",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let registry = RegistryFixture::start(RegistryOptions {
        notify: Some((hook, Some("s3cret".into()))),
        ..Default::default()
    })
    .await
    .unwrap();
    let image = images::app_image("app", "1.0", "amd64");
    registry
        .pusher()
        .unwrap()
        .push_image("dev/app", "1.0", &image)
        .await
        .unwrap();

    let manifest_push = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (authorization, body) = received.recv().await.expect("receiver alive");
            assert_eq!(authorization.as_deref(), Some("Bearer s3cret"));
            let event = &body["events"][0];
            if event["action"] == "push" && event["target"]["tag"] == "1.0" {
                return event.clone();
            }
        }
    })
    .await
    .expect("a push event within 10 s");
    assert_eq!(manifest_push["target"]["repository"], "dev/app");
    assert_eq!(manifest_push["target"]["digest"], image.manifest.digest());
}
