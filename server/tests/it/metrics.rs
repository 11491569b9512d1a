//! `/metrics` parses as the Prometheus text format (as `prometheus-parse` reads it): the index
//! and registry gauges are there after the first crawl, a promotion moves its counters, and
//! requests are counted by route pattern. With `metrics.token_env` the scrape needs the token.

use end2end::app_fixture::{seeded_app_with_pipeline, AppFixture};
use end2end::{AppOptions, SettingsFile};
use prometheus_parse::{Sample, Scrape, Value};
use reqwest::Client;
use std::time::{Duration, Instant};

async fn scrape(app: &AppFixture) -> Scrape {
    let text = Client::new()
        .get(app.url.join("/metrics").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matches =
        |s: &&Sample| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v));
    scrape.samples.iter().find(matches).map(|s| match s.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
        _ => f64::NAN,
    })
}

#[tokio::test]
async fn the_scrape_parses_and_a_promotion_moves_its_counters() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let started = Instant::now();
    let mut metrics = scrape(&app).await;
    while value(&metrics, "regatta_index_tags", &[("registry", "local")]) != Some(11.0) {
        assert!(started.elapsed() < Duration::from_secs(20), "never indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
        metrics = scrape(&app).await;
    }
    assert_eq!(
        value(&metrics, "regatta_registry_up", &[("registry", "local")]),
        Some(1.0)
    );
    assert_eq!(
        value(
            &metrics,
            "regatta_index_repositories",
            &[("registry", "local")]
        ),
        Some(6.0)
    );
    assert!(
        value(
            &metrics,
            "regatta_crawl_last_success_timestamp_seconds",
            &[]
        )
        .unwrap()
            > 1.7e9
    );
    assert_eq!(
        value(&metrics, "regatta_promotions_total", &[]),
        None,
        "none yet"
    );

    let admin = app.as_admin().await;
    let promoted = admin
        .post(app.url.join("/api/promote").unwrap())
        .form(&[
            ("registry", "local"),
            ("repository", "dev/shop-api"),
            ("tag", "1.2.0"),
            ("to_environment", "staging"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(promoted.status(), 200);
    Client::new()
        .get(app.url.join("/healthz").unwrap())
        .send()
        .await
        .unwrap();
    let metrics = scrape(&app).await;
    assert_eq!(
        value(
            &metrics,
            "regatta_promotions_total",
            &[("result", "succeeded")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&metrics, "regatta_promotion_bytes_total", &[]),
        Some(0.0),
        "mounted"
    );
    assert!(value(&metrics, "regatta_logins_total", &[("result", "success")]).unwrap() >= 1.0);
    let health = [("route", "/healthz"), ("method", "GET"), ("status", "200")];
    assert!(value(&metrics, "regatta_http_requests_total", &health).unwrap() >= 1.0);
    assert!(
        metrics
            .samples
            .iter()
            .any(|s| s.metric == "regatta_http_request_duration_seconds_count"),
        "request durations are a histogram"
    );
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_configured() {
    let options = AppOptions {
        settings: SettingsFile::new().metrics_token_env("REGATTA_TEST_METRICS_TOKEN"),
        env: vec![("REGATTA_TEST_METRICS_TOKEN".into(), "scrape-secret".into())],
        ..Default::default()
    };
    let app = AppFixture::start(&end2end::app_fixture::regatta_binary(), options)
        .await
        .unwrap();
    let url = app.url.join("/metrics").unwrap();
    let refused = Client::new().get(url.clone()).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let wrong = Client::new()
        .get(url.clone())
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let allowed = Client::new()
        .get(url)
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
}
