//! The API's figures (issue #16) against the release `regatta` binary:
//!   1. tag listing of a 10,000-tag repository, 100 per page, through `/api/v1` with a token:
//!      p50/p99 of 100 GETs of the first, a middle and the last page (goal p50 < 10 ms);
//!   2. a `/metrics` scrape with 3 registries and 200,000 tags in the index (goal < 20 ms):
//!      the gauges are set by the jobs, so the scrape does not read the index at all.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench api` (seeding 10,000
//! images into the registry takes a few minutes).

use end2end::app_fixture::AppFixture;
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use std::time::{Duration, Instant};

const RUNS: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tag_listing().await?;
    metrics_scrape().await
}

async fn tag_listing() -> anyhow::Result<()> {
    let registry = RegistryFixture::start(RegistryOptions::default()).await?;
    let seeding = Instant::now();
    end2end::seed::seed_big_repository(&registry.pusher()?, "big/app", 10_000).await?;
    println!(
        "seeded 10,000 tags in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );
    let settings = SettingsFile::new()
        .crawl_interval_minutes(0)
        .registry(Registry::fixture("local", &registry));
    let app = AppFixture::start_with(settings).await?;
    app.add_user("bench", "viewer", "bench-api-pass-7")?;
    let token = app
        .command(
            &[
                "token", "create", "bench", "--user", "bench", "--scope", "read",
            ],
            "",
        )?
        .trim()
        .to_string();
    let client = reqwest::Client::new();
    let get = |page: usize| {
        let url = app
            .url
            .join(&format!(
                "/api/v1/registries/local/tags?repository=big/app&page={page}"
            ))
            .expect("a URL");
        client.get(url).bearer_auth(&token).send()
    };
    let ready = Instant::now();
    loop {
        let body: serde_json::Value = get(1).await?.json().await?;
        if body["total"] == 10_000 {
            break;
        }
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(600),
            "the crawl did not finish"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for (name, page) in [("first page", 1), ("page 50", 50), ("last page", 100)] {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            let body = get(page).await?.bytes().await?;
            times.push(started.elapsed());
            anyhow::ensure!(body.len() > 10_000, "a full page of 100 tags");
        }
        report(
            &format!("API tags, 10,000-tag repository, {name}"),
            &mut times,
        );
    }
    Ok(())
}

async fn metrics_scrape() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("bench.db");
    let settings = end2end::synthetic_index::settings(&database)
        .registry(Registry::new("third", "http://127.0.0.1:9"))
        .crawl_interval_minutes(0);
    let app = AppFixture::start_with(settings).await?;
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database.display())).await?;
    end2end::synthetic_index::fill(&db, &["hub", "mirror", "third"], 6_700).await?;
    let tags: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(&db)
        .await?;
    println!("index: {tags} tags in 3 registries");
    // Some traffic first, so the scrape has request series to render.
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz", "/login", "/api/v1/registries"] {
        client.get(app.url.join(path)?).send().await?;
    }
    let url = app.url.join("/metrics")?;
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        size = client.get(url.clone()).send().await?.bytes().await?.len();
        times.push(started.elapsed());
    }
    report(&format!("/metrics scrape ({} KB)", size / 1000), &mut times);
    Ok(())
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<48} p50 {:>6.2} ms  p99 {:>6.2} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100 - 1])
    );
}
