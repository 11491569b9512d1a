//! The storage issue's accounting figure: `storage_accounting` over the 200,000-tag synthetic
//! index (two registries of 10,000 repositories, written straight into SQLite by
//! `end2end::synthetic_index`), by registry, environment, namespace and repository, p50 and max
//! of 5 runs each; and search p99 idle vs while accountings run back to back (reads must keep
//! answering: the graph is read in one WAL read transaction, which blocks nobody).
//!
//! Then `take_snapshot` of both registries (the "accounting + snapshot": every grouping,
//! the unused share with pull times for half the tags, the biggest layers; the first one also
//! estimates the past).
//!
//! Run: `cargo bench -p regatta-core --bench storage` (filling takes about half a minute).

use regatta_core::config::parse_settings;
use regatta_core::search::{search, SearchRequest};
use regatta_core::storage::{storage_accounting, Grouping};
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPOSITORIES_PER_REGISTRY: usize = 10_000;
const RUNS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = end2end::synthetic_index::settings(&dir.path().join("storage.db")).to_toml();
    let services = Services::start(parse_settings("bench.toml", &settings, &[])?).await?;
    end2end::synthetic_index::fill(
        end2end::synthetic_index::Database::either(
            services.db.as_sqlite(),
            services.db.as_postgres(),
        ),
        &["hub", "mirror"],
        REPOSITORIES_PER_REGISTRY,
    )
    .await?;
    let tags: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM tags")
        .fetch_one(&services.db)
        .await?;
    println!("{tags} tags in 2 registries");
    let user = User::not_stored("bench", Role::Viewer);
    let loading = Instant::now();
    let graph = regatta_core::storage::RegistryGraph::load(&services.db, "hub").await?;
    println!(
        "loading one registry's graph ({} tags, {} manifests, {} blobs): {:.0} ms",
        graph.tags.len(),
        graph.manifests.len(),
        graph.blob_sizes.len(),
        ms(loading.elapsed())
    );

    for (name, by) in [
        ("registry", Grouping::Registry),
        ("environment", Grouping::Environment),
        ("namespace", Grouping::Namespace),
        ("repository", Grouping::Repository),
    ] {
        let mut times = Vec::new();
        let mut scopes = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let accounts = storage_accounting(&services, &user, None, by).await?;
            times.push(started.elapsed());
            scopes = accounts.iter().map(|a| a.scopes.len()).sum();
        }
        times.sort();
        println!(
            "accounting by {name:<12} {scopes:>6} scopes   p50 {:>6.0} ms   max {:>6.0} ms",
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1])
        );
    }

    // Snapshots: pull times known since October for every other tag, so the unused share is
    // real work; the first snapshot also estimates the past.
    regatta_core::db::query(
        "INSERT INTO image_pulls (repository_id, digest, pulled_at)
         SELECT t.repository_id, m.digest, '2026-11-20T00:00:00Z' FROM tags t
         JOIN manifests m ON m.id = t.manifest_id WHERE t.rowid % 2 = 0
         ON CONFLICT DO NOTHING",
    )
    .execute(&services.db)
    .await?;
    regatta_core::db::query("UPDATE registries SET pulls_since = '2026-10-01T00:00:00Z'")
        .execute(&services.db)
        .await?;
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        regatta_core::storage::take_snapshot(&services).await?;
        times.push(started.elapsed());
    }
    let first = times[0];
    times.sort();
    println!(
        "snapshot of both registries (accounting, unused share, biggest layers): first {:.0} ms (with the estimated past), p50 {:.0} ms",
        ms(first),
        ms(times[RUNS / 2])
    );

    let idle = search_p99(&services, &user).await?;
    let busy = Arc::new(AtomicBool::new(true));
    let background = {
        let (services, user, busy) = (services.clone(), user.clone(), busy.clone());
        tokio::spawn(async move {
            let mut runs = 0;
            while busy.load(Ordering::Relaxed) {
                storage_accounting(&services, &user, None, Grouping::Namespace)
                    .await
                    .expect("accounting");
                runs += 1;
            }
            runs
        })
    };
    let during = search_p99(&services, &user).await?;
    busy.store(false, Ordering::Relaxed);
    let runs = background.await?;
    println!(
        "search p99: idle {:.1} ms, during accountings {:.1} ms ({runs} accountings meanwhile)",
        ms(idle),
        ms(during)
    );
    Ok(())
}

/// p99 of 200 searches for a common word.
async fn search_p99(services: &Services, user: &User) -> anyhow::Result<Duration> {
    let mut times = Vec::new();
    for _ in 0..200 {
        let request = SearchRequest {
            text: "nginx".into(),
            page: 1,
            page_size: 50,
            ..SearchRequest::default()
        };
        let started = Instant::now();
        search(services, user, &request).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[197])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
