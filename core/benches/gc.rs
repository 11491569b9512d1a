//! The garbage collection issue's prediction figure: `gc::prediction` over the 200,000-tag
//! synthetic index (`end2end::synthetic_index`), with 10,000 of one registry's tags deleted
//! in the index (their manifests left untagged, as a moved or singly deleted tag leaves them,
//! backdated past the grace period) and 20,000 released blobs; p50 and max of 5 runs, without
//! and with the untagged cleanup.
//!
//! Run: `cargo bench -p regatta-core --bench gc` (filling takes about half a minute).

use regatta_core::config::parse_settings;
use regatta_core::gc;
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::time::{Duration, Instant};

const REPOSITORIES_PER_REGISTRY: usize = 10_000;
const RUNS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = end2end::synthetic_index::settings(&dir.path().join("gc.db")).to_toml();
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
    // Tags deleted in the index: the triggers keep their manifests as untagged.
    regatta_core::db::query(
        "DELETE FROM tags WHERE rowid IN (SELECT t.rowid FROM tags t
           JOIN repositories r ON r.id = t.repository_id
           JOIN registries g ON g.id = r.registry_id WHERE g.name = 'hub' LIMIT 10000)",
    )
    .execute(&services.db)
    .await?;
    regatta_core::db::query("UPDATE untagged_manifests SET since = '2026-01-01T00:00:00Z'")
        .execute(&services.db)
        .await?;
    regatta_core::db::query(
        "INSERT INTO released_blobs (registry_id, digest, size, repository, since)
         SELECT registry_id, 'sha256:released' || id, size, 'some/repo', '2026-01-01T00:00:00Z'
         FROM blobs WHERE registry_id = (SELECT id FROM registries WHERE name = 'hub') LIMIT 20000",
    )
    .execute(&services.db)
    .await?;
    let (tags, untagged): (i64, i64) = regatta_core::db::query_as(
        "SELECT (SELECT COUNT(*) FROM tags), (SELECT COUNT(*) FROM untagged_manifests)",
    )
    .fetch_one(&services.db)
    .await?;
    println!("{tags} tags, {untagged} untagged manifests, 20000 released blobs");
    let user = User::not_stored("bench", Role::Maintainer);
    for untagged in [false, true] {
        let mut times = Vec::new();
        let mut prediction = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            prediction = Some(gc::prediction(&services, &user, "hub", untagged).await?);
            times.push(started.elapsed());
        }
        times.sort();
        let prediction = prediction.expect("ran");
        println!(
            "prediction{:<24} p50 {:>5.0} ms  max {:>5.0} ms  ({} blobs, {} bytes, {} untagged to clean)",
            if untagged { " with untagged cleanup" } else { "" },
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1]),
            prediction.blobs,
            prediction.bytes,
            prediction.untagged.len()
        );
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
