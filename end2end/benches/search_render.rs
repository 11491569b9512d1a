//! The Search issue's page figure: server-side render time of `/search?q=…` (the full HTML a
//! logged-in browser gets, results included) against the release `regatta` binary, on an index of
//! 200,000 tags in 20,000 repositories written by `end2end::synthetic_index`. p50/p99 of 50 GETs
//! for each of a few queries.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench search_render`.

use end2end::app_fixture::AppFixture;
use end2end::settings::{Environment, Registry};
use end2end::SettingsFile;
use std::time::{Duration, Instant};

const RUNS: usize = 50;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The registries are never contacted: the index is written directly and crawling is off
    // (a failed start-up crawl leaves the index as it is).
    let settings = SettingsFile::new()
        .crawl_interval_minutes(0)
        .registry(Registry::unreachable("hub"))
        .registry(Registry::unreachable("mirror"))
        .environment(Environment::new("prod", "hub").prefix("prod/"));
    let app = AppFixture::start_with(settings).await?;
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database.display())).await?;
    let filling = Instant::now();
    end2end::synthetic_index::fill(&db, &["hub", "mirror"], 10_000).await?;
    println!(
        "filled 200,000 tags in {:.1} s",
        filling.elapsed().as_secs_f64()
    );

    let client = end2end::page_timing::logged_in_client(&app).await?;
    let mut all = Vec::new();
    for q in [
        "nginx",
        "1.4.2",
        "redis 1.2",
        "tag:1.4 env:prod",
        "ngnix",
        "latest",
    ] {
        let url = app.url.join(&format!(
            "/search?q={}",
            q.replace(' ', "+").replace(':', "%3A")
        ))?;
        let (times, bytes) =
            end2end::page_timing::time_gets(&client, &url, RUNS, "Search results").await?;
        println!(
            "{q:<20} {:>4} KB  p50 {:>6.1} ms  p99 {:>6.1} ms",
            bytes / 1000,
            ms(times[RUNS / 2 - 1]),
            ms(times[RUNS * 99 / 100 - 1])
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "all {} pages: p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        ms(all[all.len() / 2 - 1]),
        ms(all[all.len() * 99 / 100 - 1])
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
