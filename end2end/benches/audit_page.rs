//! The audit log's page figure: server-side render time of `/audit` (the whole HTML a logged-in
//! admin gets, 50 rows) against the release `regatta` binary, over 1,000,000 audit rows written
//! straight into its database (50 users, 12 actions, 2 % refused, a row every 30 s for a year).
//! p50/p99 of 50 GETs: the first page, a deep page, filtered pages.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench audit_page`.

use end2end::app_fixture::AppFixture;
use end2end::SettingsFile;
use std::time::{Duration, Instant};

const RUNS: usize = 50;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let app = AppFixture::start_with(SettingsFile::new().crawl_interval_minutes(0)).await?;
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database.display())).await?;
    let filling = Instant::now();
    end2end::synthetic_audit::fill(&db, 1_000_000).await?;
    println!(
        "1,000,000 audit rows written in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let client = end2end::page_timing::logged_in_client(&app).await?;
    for (name, query) in [
        ("first page", ""),
        ("page at row 500,000", "?before=500000"),
        ("user", "?user=user7"),
        ("action family gc", "?action=gc"),
        ("promotion refused", "?action=promotion&result=denied"),
        ("target prefix", "?target=local%2Fteam3%2Fapp"),
        ("one day", "?from=2026-03-10&until=2026-03-11"),
    ] {
        let url = app.url.join(&format!("/audit{query}"))?;
        let (times, bytes) =
            end2end::page_timing::time_gets(&client, &url, RUNS, "Audit log").await?;
        println!(
            "{name:<22} {:>4} KB  p50 {:>6.1} ms  p99 {:>6.1} ms",
            bytes / 1000,
            ms(times[RUNS / 2 - 1]),
            ms(times[RUNS * 99 / 100 - 1])
        );
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
