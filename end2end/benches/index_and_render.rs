//! The Index-and-browse issue's figures, on a local distribution registry:
//!   1. full crawl of 200 repositories × 10 tags (time, requests) next to an ideal parallel
//!      fetch of the same GET URLs (`curl --parallel --parallel-max 8`);
//!   2. a no-change re-crawl (time, requests per tag);
//!   3. server-side render time of a repository page with 1,000 tags (p50/p99 of 100 GETs by a
//!      logged-in client, full body), against the release `regatta` binary.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench index_and_render`.

use end2end::app_fixture::{AppFixture, AppOptions};
use end2end::seed::seed_many;
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::config::parse_settings;
use regatta_core::index::crawl_registry;
use regatta_core::Services;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let registry = RegistryFixture::start(RegistryOptions::default()).await?;
    let pusher = registry.pusher()?;
    let seeding = Instant::now();
    seed_many(&pusher, 200, 10, 8).await?;
    println!(
        "seeded 200 x 10 in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let settings = SettingsFile::new()
        .database(dir.path().join("bench.db"))
        .registry(Registry::new("local", &registry.url).notify_secret_env("BENCH_NOTIFY_SECRET"))
        .to_toml();
    let env = [("BENCH_NOTIFY_SECRET".to_string(), "bench".to_string())];
    let services = Services::start(parse_settings("bench.toml", &settings, &env)?).await?;
    let started = Instant::now();
    let full = crawl_registry(&services, "local").await?;
    let full_time = started.elapsed();
    let started = Instant::now();
    let again = crawl_registry(&services, "local").await?;
    let again_time = started.elapsed();
    let ideal = ideal_fetch(&services, &registry).await?;
    println!(
        "full crawl: {:.2} s, {} requests ({} tags, {} manifests fetched)",
        full_time.as_secs_f64(),
        full.requests,
        full.tags,
        full.manifests_fetched
    );
    println!(
        "ideal parallel GET of catalog + tag lists + manifests + configs: {:.2} s",
        ideal.as_secs_f64()
    );
    println!(
        "full crawl / ideal: {:.2}x",
        full_time.as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "no-change re-crawl: {:.2} s, {} requests = {:.3} per tag ({} fetched)",
        again_time.as_secs_f64(),
        again.requests,
        again.requests as f64 / again.tags as f64,
        again.manifests_fetched
    );

    // Once the registry's notifications arrive, a re-crawl trusts them for moved tags.
    regatta_core::index::notifications::receive(
        &services,
        "local",
        Some("Bearer bench"),
        br#"{"events": []}"#,
    )
    .await?;
    let started = Instant::now();
    let light = crawl_registry(&services, "local").await?;
    println!(
        "re-crawl with notifications arriving: {:.2} s, {} requests = {:.3} per tag (HEADs every tag again once per index.verify_interval_hours)",
        started.elapsed().as_secs_f64(),
        light.requests,
        light.requests as f64 / light.tags as f64
    );

    end2end::seed::seed_big_repository(&pusher, "big/app", 1000).await?;
    render_benchmark(&registry).await
}

async fn render_benchmark(registry: &RegistryFixture) -> anyhow::Result<()> {
    let settings = SettingsFile::new()
        .crawl_interval_minutes(0)
        .registry(Registry::fixture("local", registry));
    let binary = release_binary();
    let app = AppFixture::start(
        &binary,
        AppOptions {
            settings,
            ..Default::default()
        },
    )
    .await?;
    let client = end2end::page_timing::logged_in_client(&app).await?;
    let page = app.url.join("/r/local/big/app")?;
    // The app crawls at start; wait until the page counts all 1,000 tags (it lists 100).
    let ready = Instant::now();
    while !client
        .get(page.clone())
        .send()
        .await?
        .text()
        .await?
        .contains("1000 tags")
    {
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(120),
            "the crawl did not finish"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut times = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let body = client.get(page.clone()).send().await?.bytes().await?;
        times.push(started.elapsed());
        anyhow::ensure!(body.len() > 20_000, "a full page");
    }
    times.sort();
    let bytes = client.get(page.clone()).send().await?.bytes().await?.len();
    println!(
        "repository page with 1,000 tags, first 100 listed (SSR, {} KB): p50 {:.1} ms, p99 {:.1} ms",
        bytes / 1000,
        times[49].as_secs_f64() * 1000.0,
        times[98].as_secs_f64() * 1000.0
    );
    Ok(())
}

/// The release binary that `cargo leptos build --release` made, next to this bench.
fn release_binary() -> PathBuf {
    end2end::app_fixture::regatta_binary()
}

async fn ideal_fetch(services: &Services, registry: &RegistryFixture) -> anyhow::Result<Duration> {
    let rows: Vec<(String, String, String, Option<String>)> = regatta_core::db::query_as(
        "SELECT r.name, t.name, m.digest, (SELECT b.digest FROM manifest_blobs mb JOIN blobs b ON b.id = mb.blob_id WHERE mb.manifest_id = m.id AND mb.position = 0)
         FROM tags t JOIN repositories r ON r.id = t.repository_id JOIN manifests m ON m.id = t.manifest_id",
    )
    .fetch_all(&services.db)
    .await?;
    let mut urls = vec![registry.url.join("v2/_catalog?n=1000")?.to_string()];
    let mut repos: Vec<&String> = rows.iter().map(|(r, ..)| r).collect();
    repos.dedup();
    for repo in repos {
        urls.push(
            registry
                .url
                .join(&format!("v2/{repo}/tags/list"))?
                .to_string(),
        );
    }
    for (repo, tag, _, config) in &rows {
        urls.push(
            registry
                .url
                .join(&format!("v2/{repo}/manifests/{tag}"))?
                .to_string(),
        );
        if let Some(config) = config {
            urls.push(
                registry
                    .url
                    .join(&format!("v2/{repo}/blobs/{config}"))?
                    .to_string(),
            );
        }
    }
    end2end::ideal_fetch::curl_parallel(&urls, 8)
}
