//! The PostgreSQL issue's crawl figure: a full crawl of 200 repositories × 10 tags from a local
//! distribution registry into an empty index, and a no-change re-crawl, on SQLite and on
//! PostgreSQL (a throw-away cluster with the server's default durability: fsync, synchronous
//! commit), side by side in one run. Each backend crawls three fresh databases, alternating
//! with the other so neither gets a warmer registry; the medians are compared.
//!
//! Run: `cargo bench -p regatta-core --bench crawl_backends` (seeding takes about ten seconds).

use end2end::postgres::PgCluster;
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::config::parse_settings;
use regatta_core::index::crawl_registry;
use regatta_core::Services;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let registry = RegistryFixture::start(RegistryOptions::default()).await?;
    let seeding = Instant::now();
    end2end::seed::seed_many(&registry.pusher()?, 200, 10, 8).await?;
    println!(
        "seeded 200 x 10 in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let cluster = PgCluster::start_durable().await?;
    let dir = tempfile::tempdir()?;
    let mut sqlite = Vec::new();
    let mut postgres = Vec::new();
    for round in 0..ROUNDS {
        let file = dir.path().join(format!("crawl-{round}.db"));
        let settings = SettingsFile::new().database(&file);
        sqlite.push(crawl_twice(&registry, settings).await?);
        let url = cluster.create_database(&format!("crawl{round}")).await?;
        let settings = SettingsFile::new().database_url(&url);
        postgres.push(crawl_twice(&registry, settings).await?);
    }
    let (sqlite_full, sqlite_again) = medians(&mut sqlite);
    let (postgres_full, postgres_again) = medians(&mut postgres);
    println!("median of {ROUNDS}      full crawl   no-change re-crawl");
    println!(
        "SQLite           {:>8.2} s   {:>8.2} s",
        sqlite_full.as_secs_f64(),
        sqlite_again.as_secs_f64()
    );
    println!(
        "PostgreSQL       {:>8.2} s   {:>8.2} s",
        postgres_full.as_secs_f64(),
        postgres_again.as_secs_f64()
    );
    println!(
        "PostgreSQL / SQLite: full {:.2}x, re-crawl {:.2}x",
        postgres_full.as_secs_f64() / sqlite_full.as_secs_f64(),
        postgres_again.as_secs_f64() / sqlite_again.as_secs_f64()
    );
    Ok(())
}

/// A full crawl into the empty database `settings` names, then a no-change re-crawl.
async fn crawl_twice(
    registry: &RegistryFixture,
    settings: SettingsFile,
) -> anyhow::Result<(Duration, Duration)> {
    let text = settings
        .registry(Registry::new("local", &registry.url))
        .to_toml();
    let services = Services::start(parse_settings("bench.toml", &text, &[])?).await?;
    let started = Instant::now();
    let full = crawl_registry(&services, "local").await?;
    let full_time = started.elapsed();
    anyhow::ensure!(full.tags == 2000 && full.errors.is_empty(), "{full:?}");
    let started = Instant::now();
    crawl_registry(&services, "local").await?;
    let again = started.elapsed();
    services.db.close().await;
    Ok((full_time, again))
}

fn medians(runs: &mut [(Duration, Duration)]) -> (Duration, Duration) {
    let mut full: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let mut again: Vec<Duration> = runs.iter().map(|r| r.1).collect();
    full.sort();
    again.sort();
    (full[full.len() / 2], again[again.len() / 2])
}
