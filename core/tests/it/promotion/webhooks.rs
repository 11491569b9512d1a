//! Promotion webhooks: signed, retried after a failure, visible in the history.

use super::*;
use end2end::settings::Webhook;

/// The demo images in `build` with dev and staging, and these (name, URL) webhooks signed with
/// the secret `s3cret`.
async fn dev_and_staging_with(
    webhooks: &[(&str, &str)],
) -> (RegistryFixture, tempfile::TempDir, Services) {
    let build = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("build", &build.url))
        .environment(Environment::new("dev", "build").prefix("dev/"))
        .environment(Environment::new("staging", "build").prefix("staging/"));
    for (name, url) in webhooks {
        settings = settings.webhook(Webhook {
            name: name.to_string(),
            url: url.to_string(),
            secret_env: "PROMOTION_TEST_WEBHOOK_SECRET".into(),
        });
    }
    let env = [(
        "PROMOTION_TEST_WEBHOOK_SECRET".to_string(),
        "s3cret".to_string(),
    )];
    let settings = parse_settings("test.toml", &settings.to_toml(), &env).unwrap();
    (build, dir, Services::start(settings).await.unwrap())
}

#[tokio::test]
async fn webhooks_are_signed_retried_after_a_failure_and_visible_in_the_history() {
    use axum::{extract::State, http::HeaderMap, routing::post, Router};
    use std::sync::{Arc, Mutex};
    // The receiver stands in for a deploy pipeline (not a registry): it fails the first call.
    type Calls = Arc<Mutex<Vec<(HeaderMap, String)>>>;
    let calls: Calls = Arc::default();
    let receiver = Router::new()
        .route(
            "/hook",
            post(
                |State(calls): State<Calls>, headers: HeaderMap, body: String| async move {
                    let mut calls = calls.lock().unwrap();
                    calls.push((headers, body));
                    if calls.len() == 1 {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let (_build, _dir, mut services) = dev_and_staging_with(&[("deploy", &hook)]).await;
    let clock = Arc::new(regatta_core::clock::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ));
    services.clock = clock.clone();

    promote_shop_api_to_staging(&services).await;
    // The first call goes out right after the promotion, and fails.
    let started = std::time::Instant::now();
    while calls.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no webhook call"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let history = || async {
        promotion::history(&services, &user(Role::Viewer), 1)
            .await
            .unwrap()[0]
            .webhooks
            .clone()
    };
    // Read as the history page shows them: `deploy: pending (HTTP 500)`.
    fn describe(states: Vec<WebhookState>) -> Option<String> {
        let described: Vec<String> = states
            .iter()
            .map(|w| match &w.last_error {
                Some(error) => format!("{}: {} ({error})", w.webhook, w.status),
                None => format!("{}: {}", w.webhook, w.status),
            })
            .collect();
        (!described.is_empty()).then(|| described.join("; "))
    }
    let history = || async { describe(history().await) };
    let mut pending = history().await;
    for _ in 0..100 {
        if pending.as_deref() != Some("deploy: pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        pending = history().await;
    }
    assert_eq!(pending.as_deref(), Some("deploy: pending (HTTP 500)"));

    // Not due yet; 10 s later it is, and the retry is delivered.
    assert_eq!(
        regatta_core::webhooks::deliver_due(&services)
            .await
            .unwrap(),
        0
    );
    clock.advance(time::Duration::seconds(11));
    assert_eq!(
        regatta_core::webhooks::deliver_due(&services)
            .await
            .unwrap(),
        1
    );
    assert_eq!(history().await.as_deref(), Some("deploy: delivered"));

    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    let (headers, body) = &calls[1];
    assert_eq!(
        headers[regatta_core::webhooks::SIGNATURE_HEADER],
        regatta_core::webhooks::signature(b"s3cret", body.as_bytes()).as_str()
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "promotion.succeeded");
    assert_eq!(
        payload["promotion"]["target"]["repository"],
        "staging/shop-api"
    );
    assert_eq!(
        payload["promotion"]["digest"],
        images::app_image("shop-api", "1.2.0", "amd64")
            .manifest
            .digest()
    );
}

#[tokio::test]
async fn a_failed_webhook_shows_what_went_wrong_not_its_url_and_redirects_are_not_followed() {
    use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::post, Router};
    use std::sync::{Arc, Mutex};
    // A receiver that moved: it redirects the signed call elsewhere (307 keeps method and body).
    let followed: Arc<Mutex<usize>> = Arc::default();
    let receiver = Router::new()
        .route(
            "/hook",
            post(|| async {
                (StatusCode::TEMPORARY_REDIRECT, [("location", "/elsewhere")]).into_response()
            }),
        )
        .route(
            "/elsewhere",
            post(|State(followed): State<Arc<Mutex<usize>>>| async move {
                *followed.lock().unwrap() += 1;
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(followed.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let moved = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    // Chat and CI webhooks carry their token in the path.
    let down = format!(
        "http://127.0.0.1:{}/services/T0KEN-IN-THE-PATH",
        end2end::ports::free_port()
    );

    let (_build, _dir, services) =
        dev_and_staging_with(&[("down", &down), ("moved", &moved)]).await;
    promote_shop_api_to_staging(&services).await;

    let started = std::time::Instant::now();
    let states = loop {
        let states = promotion::history(&services, &user(Role::Viewer), 1)
            .await
            .unwrap()[0]
            .webhooks
            .clone();
        if states.iter().all(|w| w.last_error.is_some()) {
            break states;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{states:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let error_of = |name: &str| {
        states
            .iter()
            .find(|w| w.webhook == name)
            .and_then(|w| w.last_error.clone())
            .unwrap()
    };
    let down_error = error_of("down");
    assert_eq!(down_error, "could not connect");
    assert!(!down_error.contains("T0KEN"));
    assert_eq!(error_of("moved"), "HTTP 307 (redirects are not followed)");
    assert_eq!(
        *followed.lock().unwrap(),
        0,
        "the signed body went nowhere else"
    );
}
