//! The storage issue's page figures: server-side render time of `/storage` (all three registries'
//! charts, four ranges each) against the release `regatta` binary, with a simulated year of
//! snapshots for 3 registries × 50 namespaces (`end2end::synthetic_snapshots`); p50/p99 of 50
//! GETs split by environment and by namespace; and the size of that year in SQLite.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench storage_page`.

use end2end::app_fixture::AppFixture;
use end2end::page_timing::time_gets;
use end2end::settings::{Environment, Registry};
use end2end::SettingsFile;
use std::time::{Duration, Instant};

const RUNS: usize = 50;
const REGISTRIES: [&str; 3] = ["hub", "mirror", "edge"];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut settings = SettingsFile::new().crawl_interval_minutes(0);
    for name in REGISTRIES {
        settings = settings.registry(Registry::unreachable(name));
    }
    let settings = settings
        .environment(Environment::new("dev", "hub").prefix("ns-01/"))
        .environment(Environment::new("prod", "hub").prefix("ns-02/"));
    let app = AppFixture::start_with(settings).await?;
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database.display())).await?;
    // The start-up crawl (of unreachable registries) is followed by a snapshot of an empty
    // index; wait for it and replace everything with the simulated year.
    let started = Instant::now();
    while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM storage_snapshots")
        .fetch_one(&db)
        .await?
        < REGISTRIES.len() as i64
    {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "no start-up snapshot"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    sqlx::query("DELETE FROM storage_snapshots")
        .execute(&db)
        .await?;
    let now: String = sqlx::query_scalar("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
        .fetch_one(&db)
        .await?;
    let filling = Instant::now();
    let rows = end2end::synthetic_snapshots::fill_year(&db, &REGISTRIES, 50, &now).await?;
    sqlx::query("VACUUM").execute(&db).await?;
    let bytes: i64 =
        sqlx::query_scalar("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'storage_snapshots%'")
            .fetch_one(&db)
            .await
            .unwrap_or(-1);
    println!(
        "simulated year: {rows} rows in {:.1} s; storage_snapshots + its indexes: {:.1} MB",
        filling.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );

    let client = end2end::page_timing::logged_in_client(&app).await?;
    for path in [
        "/storage",
        "/storage?by=namespace",
        "/storage?by=namespace&range=1y",
    ] {
        let url = app.url.join(path)?;
        let (times, size) = time_gets(&client, &url, RUNS, "storage-chart").await?;
        println!(
            "{path:<34} {:>5} KB  p50 {:>6.1} ms  p99 {:>6.1} ms",
            size / 1000,
            ms(times[RUNS / 2 - 1]),
            ms(times[RUNS * 99 / 100 - 1])
        );
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
